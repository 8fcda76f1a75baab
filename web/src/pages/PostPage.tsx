// Posting an offer (agencies) or a demand (enterprises), or editing one.
// Beside the form: what the server says of the draft as it is typed
// (field problems, the quality report, the matches it would get).
import { useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { demands as demandClient, offers as offerClient } from "../api/clients";
import { violationsByField } from "../api/errors";
import { ListingState } from "../gen/techmarket/v1/listing_pb";
import { useDebounced, useLoad, useTitle } from "../hooks";
import { isMessageKey, useLang, useT } from "../i18n";
import { Link, listingPath, navigate } from "../router";
import { Role, useSession } from "../session";
import { clock, percent } from "../format";
import { Empty, ErrorNotice, Loading } from "../components/status";
import { QualityReport } from "../components/QualityReport";
import { brokenConstraints } from "../components/MatchCard";
import { reasonText } from "../reasons";
import { violationText } from "../violations";
import { fieldLabel, ListingFormFields } from "../post/ListingFormFields";
import { emptyForm, formField, fromListing, localProblems, type FormState, type Kind } from "../post/model";
import { useDraftCheck, type Saved } from "../post/useDraftCheck";

export function PostPage({ kind, editId }: { kind?: Kind; editId?: string }) {
  const t = useT();
  const { caller, signedIn } = useSession();
  useTitle(t("post.title"), t("site.name"));
  if (!caller) return <Loading />;
  if (!signedIn) {
    return (
      <div className="narrow">
        <h1 tabIndex={-1}>{t("post.title")}</h1>
        <p>{t("post.signInFirst")}</p>
        <Link className="btn btn-primary" to="/signin">{t("account.signIn")}</Link>
      </div>
    );
  }
  const allowed: Kind[] = caller.role === Role.OPERATOR ? ["offers", "demands"] : caller.role === Role.AGENCY ? ["offers"] : ["demands"];
  const chosen = kind ?? (allowed.length === 1 ? allowed[0] : undefined);
  if (!chosen) {
    return (
      <div className="narrow">
        <h1 tabIndex={-1}>{t("post.title")}</h1>
        <p>{t("post.choose")}</p>
        <div className="button-row">
          <Link className="btn btn-primary" to="/post/offer">{t("post.newOffer")}</Link>
          <Link className="btn btn-primary" to="/post/demand">{t("post.newDemand")}</Link>
        </div>
      </div>
    );
  }
  if (!allowed.includes(chosen)) {
    return (
      <div className="narrow">
        <h1 tabIndex={-1}>{t("post.title")}</h1>
        <p className="notice notice-warn">{chosen === "offers" ? t("post.offersAgencies") : t("post.demandsEnterprises")}</p>
      </div>
    );
  }
  return editId ? <EditLoader kind={chosen} id={editId} /> : <PostForm key={chosen} kind={chosen} initialForm={emptyForm} />;
}

function EditLoader({ kind, id }: { kind: Kind; id: string }) {
  const t = useT();
  const name = `${kind}/${id}`;
  const loaded = useLoad(async (signal) => (kind === "offers"
    ? (await offerClient.getOffer({ name }, { signal })).offer!
    : (await demandClient.getDemand({ name }, { signal })).demand!), [name]);
  const initial = useMemo<Saved | undefined>(() => loaded.data && {
    name: loaded.data.name, etag: loaded.data.etag, state: loaded.data.state,
  }, [loaded.data]);
  if (loaded.error) return <><h1 tabIndex={-1}>{t("post.editTitle")}</h1><ErrorNotice error={loaded.error} /></>;
  if (!loaded.data || !initial) return <Loading />;
  return <PostForm kind={kind} initialForm={fromListing(kind, loaded.data)} initialSaved={initial} />;
}

function PostForm({ kind, initialForm, initialSaved }: { kind: Kind; initialForm: FormState; initialSaved?: Saved }) {
  const t = useT();
  const lang = useLang();
  const [form, setForm] = useState(initialForm);
  const settled = useDebounced(form, 600);
  const check = useDraftCheck(kind, settled, initialSaved);
  const [submitted, setSubmitted] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);

  const serverErrors = useMemo(() => {
    const byField = violationsByField(check.violations, [kind === "offers" ? "offer" : "demand", "draft"]);
    return new Map([...byField].map(([f, msgs]) => [formField(kind, f), msgs.map((m) => violationText(m, lang))]));
  }, [check.violations, kind, lang]);
  const local = localProblems(form);
  const errors = (field: string) => {
    const mine = local.get(field);
    const key = mine ? `form.problem.${mine}` : "";
    return [...(mine && isMessageKey(key) ? [t(key)] : []), ...(serverErrors.get(field) ?? [])];
  };
  const problemCount = serverErrors.size + local.size;
  const published = check.saved?.state === ListingState.PUBLISHED;

  useEffect(() => {
    if (submitted && problemCount > 0) summaryRef.current?.focus();
  }, [submitted, problemCount]);

  async function publish(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (local.size) return;
    const stored = published ? await check.save(form) : await check.publish(form);
    if (stored) navigate(listingPath(stored.name));
  }

  async function saveDraft() {
    setSubmitted(true);
    if (!local.size) await check.save(form);
  }

  const heading = initialSaved ? t("post.editTitle") : kind === "offers" ? t("post.newOffer") : t("post.newDemand");
  return (
    <div className="post">
      <div className="page-head">
        <h1 tabIndex={-1}>{heading}</h1>
        <p className="lede">{kind === "offers" ? t("post.ledeOffer") : t("post.ledeDemand")}</p>
      </div>
      <div className="post-body">
        <form className="form" onSubmit={publish} noValidate aria-describedby="save-status">
          {submitted && problemCount > 0 && (
            <div className="notice notice-error" role="alert" tabIndex={-1} ref={summaryRef}>
              <p><strong>{t("form.problems", { n: problemCount })}</strong></p>
              <ul>
                {[...serverErrors, ...[...local.keys()].map((k) => [k, []] as [string, string[]])].map(([field]) => (
                  <li key={field}>
                    <a href={`#${field}`} onClick={(ev) => { ev.preventDefault(); document.getElementById(field)?.focus(); }}>
                      {fieldLabel(t, kind, field)}：{errors(field).join("；")}
                    </a>
                  </li>
                ))}
              </ul>
            </div>
          )}
          <ListingFormFields kind={kind} form={form} setForm={setForm} errors={errors} />
          {check.error !== undefined && <ErrorNotice error={check.error} />}
          <div className="form-actions">
            {!published && <button type="button" className="btn" onClick={saveDraft}>{t("action.saveDraft")}</button>}
            <button type="submit" className="btn btn-primary">{published ? t("action.saveChanges") : t("action.publish")}</button>
            <p id="save-status" className="muted" role="status">
              {check.checking ? t("post.checking")
                : check.saved?.time ? t(check.saved.state === ListingState.DRAFT ? "post.savedDraft" : "post.saved", { time: clock(check.saved.time, lang) })
                : check.saved ? t(check.saved.state === ListingState.DRAFT ? "post.editingDraft" : "post.editingStored")
                : t("post.notSaved")}
              {check.saved && <> · <Link to={listingPath(check.saved.name)}>{t("post.viewListing")}</Link></>}
            </p>
          </div>
        </form>
        <aside className="post-aside" aria-label={t("post.asideLabel")}>
          <section className="panel" aria-labelledby="live-quality">
            <h2 id="live-quality">{t("quality.title")}</h2>
            {check.report ? <QualityReport report={check.report} /> : <p className="muted">{t("post.qualityWhen")}</p>}
          </section>
          <section className="panel" aria-labelledby="live-matches" aria-busy={check.checking}>
            <h2 id="live-matches">{kind === "offers" ? t("post.draftMatchesOffer") : t("post.draftMatchesDemand")}</h2>
            {!check.matches ? <p className="muted">{t("post.matchesWhen")}</p>
              : check.matches.length === 0 ? <Empty>{t("match.none")}</Empty>
              : (
                <ol className="mini-matches">
                  {check.matches.map((m) => {
                    const broken = brokenConstraints(m);
                    return (
                      <li key={m.name}>
                        <Link to={listingPath(m.name)}>{m.title}</Link>
                        <span className="mini-score">{percent(m.score)}</span>
                        {broken.length > 0 && <p className="constraint-inline">{t("match.broken")}：{broken.map((p) => reasonText(p.reason, lang)).join("；")}</p>}
                      </li>
                    );
                  })}
                </ol>
              )}
          </section>
        </aside>
      </div>
    </div>
  );
}
