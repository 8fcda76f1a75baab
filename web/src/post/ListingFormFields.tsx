// The fields of the posting form, with the limits the server enforces
// (listing/validate.go) shown as hints and counters.
import type { Dispatch, SetStateAction } from "react";
import { industries } from "../data/industries";
import { OwnerType, PatentType, TransferMode } from "../gen/techmarket/v1/listing_pb";
import { useLang, useT, type MessageKey, type Translate } from "../i18n";
import { modeLabel, ownerLabel, ownerTypes, patentLabel, patentTypes, regionLabel, regionWords, regions, transferModes } from "../labels";
import { yuan } from "../format";
import { Field, FieldGroup } from "../components/Field";
import { splitKeywords, type FormState, type Kind } from "./model";

export const LIMITS = { title: 200, summary: 1000, description: 20000, keywords: 30, keyword: 50, industries: 8, name: 200, phone: 50, email: 200 };

const labelKeys: Record<string, MessageKey> = {
  title: "field.title", summary: "field.summary", description: "field.description", keywords: "field.keywords",
  industries: "field.industries", region: "field.region", transfer_modes: "field.transferModes",
  deadline: "field.deadline", "owner.name": "field.ownerName", "owner.type": "field.ownerType", patents: "field.patents",
  "patents.number": "field.patents", "patents.type": "field.patents", "enterprise.name": "field.enterprise",
  "contact.name": "field.contactName", "contact.phone": "field.contactPhone", "contact.email": "field.contactEmail",
  external_id: "field.externalId",
};

/** The label of a form field, for the list of problems above the form. */
export function fieldLabel(t: Translate, kind: Kind, field: string): string {
  if (field === "trl") return kind === "offers" ? t("field.trl") : t("field.minTrl");
  if (field.startsWith("amount")) {
    const what = kind === "offers" ? t("field.price") : t("field.budget");
    if (field === "amount.min_yuan") return t("form.amountMin", { what });
    if (field === "amount.max_yuan") return t("form.amountMax", { what });
    return what;
  }
  const key = labelKeys[field];
  return key ? t(key) : field;
}

interface Props {
  kind: Kind;
  form: FormState;
  setForm: Dispatch<SetStateAction<FormState>>;
  errors: (field: string) => string[];
}

export function ListingFormFields({ kind, form, setForm, errors }: Props) {
  const t = useT();
  const lang = useLang();
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setForm((f) => ({ ...f, [k]: v }));
  const text = (k: keyof FormState) => ({
    value: form[k] as string,
    onChange: (e: { target: { value: string } }) => set(k, e.target.value as never),
  });
  const counter = (k: "title" | "summary" | "description") => t("form.count", { n: [...form[k]].length, max: LIMITS[k] });
  const amountHint = (v: string) => (/^\d+$/.test(v.replace(/[\s,，]/g, "")) && v ? `= ${yuan(Number(v.replace(/[\s,，]/g, "")), lang)}` : undefined);
  const toggle = <T,>(list: T[], v: T) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);
  const req = t("form.required");
  const keywordCount = splitKeywords(form.keywords).length;
  const amount = kind === "offers" ? t("field.price") : t("field.budget");

  return (
    <>
      <fieldset className="form-section">
        <legend>{t("form.whatSection")}</legend>
        <Field id="title" label={t("field.title")} required requiredLabel={req} errors={errors("title")}
          hint={<>{kind === "offers" ? t("form.titleHintOffer") : t("form.titleHintDemand")} <span className="counter">{counter("title")}</span></>}>
          {(a) => <input {...a} type="text" maxLength={LIMITS.title} {...text("title")} />}
        </Field>
        <Field id="summary" label={t("field.summary")} errors={errors("summary")}
          hint={<>{t("form.summaryHint")} <span className="counter">{counter("summary")}</span></>}>
          {(a) => <textarea {...a} rows={3} maxLength={LIMITS.summary} {...text("summary")} />}
        </Field>
        <Field id="description" label={t("field.description")} errors={errors("description")}
          hint={<>{kind === "offers" ? t("form.descHintOffer") : t("form.descHintDemand")} <span className="counter">{counter("description")}</span></>}>
          {(a) => <textarea {...a} rows={10} maxLength={LIMITS.description} {...text("description")} />}
        </Field>
        <Field id="keywords" label={t("field.keywords")} errors={errors("keywords")}
          hint={t("form.keywordsHint", { n: keywordCount, max: LIMITS.keywords, len: LIMITS.keyword })}>
          {(a) => <input {...a} type="text" {...text("keywords")} />}
        </Field>
      </fieldset>

      <fieldset className="form-section">
        <legend>{t("form.whereSection")}</legend>
        <FieldGroup id="industries" legend={t("field.industries")} required requiredLabel={req} errors={errors("industries")}
          hint={t("form.industriesHint", { max: LIMITS.industries })}>
          <ul className="checks checks-grid">
            {industries.map((i) => (
              <li key={i.code}>
                <label>
                  <input type="checkbox" checked={form.industries.includes(i.code)}
                    onChange={() => set("industries", toggle(form.industries, i.code))} />
                  <span>{i[lang]}</span>
                </label>
              </li>
            ))}
          </ul>
        </FieldGroup>
        <Field id="region" label={t("field.region")} required requiredLabel={req} errors={errors("region")}
          hint={kind === "offers" ? t("form.regionHintOffer") : t("form.regionHintDemand")}>
          {(a) => (
            <select {...a} {...text("region")}>
              <option value="">{t("form.choose")}</option>
              {regions.map((r) => <option key={r} value={regionWords[r]}>{regionLabel(t, r)}</option>)}
            </select>
          )}
        </Field>
        <FieldGroup id="transfer_modes" legend={t("field.transferModes")} errors={errors("transfer_modes")}
          hint={kind === "offers" ? t("form.modesHintOffer") : t("form.modesHintDemand")}>
          <ul className="checks checks-inline">
            {transferModes.map((m) => (
              <li key={m}>
                <label>
                  <input type="checkbox" checked={form.transferModes.includes(m)}
                    onChange={() => set("transferModes", toggle<TransferMode>(form.transferModes, m))} />
                  <span>{modeLabel(t, m)}</span>
                </label>
              </li>
            ))}
          </ul>
        </FieldGroup>
      </fieldset>

      <fieldset className="form-section">
        <legend>{t("form.termsSection")}</legend>
        <Field id="trl" label={kind === "offers" ? t("field.trl") : t("field.minTrl")} errors={errors("trl")}
          hint={kind === "offers" ? t("form.trlHintOffer") : t("form.trlHintDemand")}>
          {(a) => <input {...a} type="number" inputMode="numeric" min={1} max={9} step={1} className="short" {...text("trl")} />}
        </Field>
        <div className="field-pair">
          <Field id="amount.min_yuan" label={t("form.amountMin", { what: amount })} errors={errors("amount.min_yuan")}
            hint={amountHint(form.minYuan) ?? t("form.amountHint")}>
            {(a) => <input {...a} type="text" inputMode="numeric" {...text("minYuan")} />}
          </Field>
          <Field id="amount.max_yuan" label={t("form.amountMax", { what: amount })} errors={errors("amount.max_yuan")}
            hint={amountHint(form.maxYuan) ?? (kind === "offers" ? t("form.priceOpen") : t("form.budgetOpen"))}>
            {(a) => <input {...a} type="text" inputMode="numeric" {...text("maxYuan")} />}
          </Field>
        </div>
        {errors("amount").length > 0 && <p className="field-error">{errors("amount").join("；")}</p>}
        {kind === "demands" && (
          <Field id="deadline" label={t("field.deadline")} errors={errors("deadline")} hint={t("form.deadlineHint")}>
            {(a) => <input {...a} type="date" className="short" {...text("deadline")} />}
          </Field>
        )}
      </fieldset>

      <fieldset className="form-section">
        <legend>{kind === "offers" ? t("form.ownerSection") : t("form.enterpriseSection")}</legend>
        {kind === "offers" ? (
          <>
            <div className="field-pair">
              <Field id="owner.name" label={t("field.ownerName")} errors={errors("owner.name")}>
                {(a) => <input {...a} type="text" maxLength={LIMITS.name} {...text("ownerName")} />}
              </Field>
              <Field id="owner.type" label={t("field.ownerType")} errors={errors("owner.type")}>
                {(a) => (
                  <select {...a} value={form.ownerType} onChange={(e) => set("ownerType", Number(e.target.value) as OwnerType)}>
                    <option value={OwnerType.UNSPECIFIED}>{t("form.choose")}</option>
                    {ownerTypes.map((o) => <option key={o} value={o}>{ownerLabel(t, o)}</option>)}
                  </select>
                )}
              </Field>
            </div>
            <Patents form={form} set={set} errors={errors} />
          </>
        ) : (
          <Field id="enterprise.name" label={t("field.enterprise")} errors={errors("enterprise.name")} hint={t("form.enterpriseHint")}>
            {(a) => <input {...a} type="text" maxLength={LIMITS.name} {...text("enterpriseName")} />}
          </Field>
        )}
        <div className="field-trio">
          <Field id="contact.name" label={t("field.contactName")} errors={errors("contact.name")}>
            {(a) => <input {...a} type="text" autoComplete="name" {...text("contactName")} />}
          </Field>
          <Field id="contact.phone" label={t("field.contactPhone")} errors={errors("contact.phone")}>
            {(a) => <input {...a} type="tel" autoComplete="tel" {...text("contactPhone")} />}
          </Field>
          <Field id="contact.email" label={t("field.contactEmail")} errors={errors("contact.email")}>
            {(a) => <input {...a} type="email" autoComplete="email" {...text("contactEmail")} />}
          </Field>
        </div>
        <p className="hint">{t("form.contactHint")}</p>
        <Field id="external_id" label={t("field.externalId")} errors={errors("external_id")} hint={t("form.externalIdHint")}>
          {(a) => <input {...a} type="text" maxLength={128} className="medium" {...text("externalId")} />}
        </Field>
      </fieldset>
    </>
  );
}

function Patents({ form, set, errors }: { form: FormState; set: <K extends keyof FormState>(k: K, v: FormState[K]) => void; errors: Props["errors"] }) {
  const t = useT();
  const rows = form.patents;
  const change = (i: number, patch: Partial<FormState["patents"][number]>) =>
    set("patents", rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <FieldGroup id="patents" legend={t("field.patents")} errors={[...errors("patents"), ...errors("patents.number"), ...errors("patents.type")]}
      hint={t("form.patentsHint")}>
      {rows.map((p, i) => (
        <div className="patent-row" key={i}>
          <label className="sr-only" htmlFor={`patent-${i}`}>{t("form.patentNumber", { n: i + 1 })}</label>
          <input id={`patent-${i}`} type="text" placeholder="CN202310123456.7" value={p.number} onChange={(e) => change(i, { number: e.target.value })} />
          <label className="sr-only" htmlFor={`patent-type-${i}`}>{t("form.patentType", { n: i + 1 })}</label>
          <select id={`patent-type-${i}`} value={p.type} onChange={(e) => change(i, { type: Number(e.target.value) as PatentType })}>
            <option value={PatentType.UNSPECIFIED}>{t("form.choose")}</option>
            {patentTypes.map((pt) => <option key={pt} value={pt}>{patentLabel(t, pt)}</option>)}
          </select>
          <button type="button" className="btn btn-quiet" onClick={() => set("patents", rows.filter((_, j) => j !== i))}>
            {t("action.remove")}<span className="sr-only"> {p.number}</span>
          </button>
        </div>
      ))}
      <button type="button" className="btn" onClick={() => set("patents", [...rows, { number: "", type: PatentType.INVENTION }])}>
        {t("form.addPatent")}
      </button>
    </FieldGroup>
  );
}
