// Operators issue and revoke the tokens agencies and enterprises sign in
// with, and the peer tokens other markets link to this one with, each
// bounded by a scope (sides, industries, regions) of what it may pull.
// A new token's secret is shown once: the service keeps only its hash.
import { useRef, useState, type FormEvent } from "react";
import { tokens as tokenClient } from "../api/clients";
import { Code, ConnectError, fieldViolations, violationsByField } from "../api/errors";
import { Role } from "../gen/techmarket/v1/token_service_pb";
import { useLoad, useTitle } from "../hooks";
import { useLang, useT } from "../i18n";
import { regionLabel, regions, roleLabel } from "../labels";
import { industries } from "../data/industries";
import type { Region } from "../gen/techmarket/v1/listing_pb";
import { dateTime } from "../format";
import { useSession } from "../session";
import { violationText } from "../violations";
import { Field } from "../components/Field";
import { Empty, ErrorNotice, Loading } from "../components/status";

const issuable = [Role.AGENCY, Role.ENTERPRISE, Role.OPERATOR, Role.PEER] as const;
const sides = ["offers", "demands"] as const;
const toggle = <T,>(list: T[], v: T) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);

export function TokensPage() {
  const t = useT();
  const lang = useLang();
  const { caller } = useSession();
  const isOperator = caller?.role === Role.OPERATOR;
  useTitle(t("tokens.title"), t("site.name"));
  const list = useLoad((signal) => (isOperator ? tokenClient.listTokens({ pageSize: 500 }, { signal }) : Promise.resolve(undefined)), [isOperator]);
  const [error, setError] = useState<unknown>();

  if (!caller) return <Loading />;
  if (!isOperator) return <div className="narrow"><h1 tabIndex={-1}>{t("tokens.title")}</h1><p className="notice notice-warn">{t("review.operatorsOnly")}</p></div>;

  async function revoke(name: string, org: string) {
    if (!window.confirm(t("tokens.confirmRevoke", { org }))) return;
    setError(undefined);
    try {
      await tokenClient.revokeToken({ name });
      list.reload();
    } catch (e) {
      setError(e);
    }
  }
  return (
    <div>
      <div className="page-head">
        <h1 tabIndex={-1}>{t("tokens.title")}</h1>
        <p className="lede">{t("tokens.lede")}</p>
      </div>
      <div className="events-body">
        <section className="panel" aria-labelledby="tokens-list">
          <h2 id="tokens-list">{t("tokens.list")}</h2>
          {error !== undefined && <ErrorNotice error={error} />}
          {list.error ? <ErrorNotice error={list.error} onRetry={list.reload} />
            : !list.data ? <Loading />
            : list.data.tokens.length === 0 ? <Empty>{t("tokens.none")}</Empty>
            : (
              <div className="grid-scroll">
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">{t("signin.org")}</th>
                      <th scope="col">{t("signin.role")}</th>
                      <th scope="col">{t("tokens.issued")}</th>
                      <th scope="col"><span className="sr-only">{t("tokens.actions")}</span></th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.data.tokens.map((tok) => (
                      <tr key={tok.name} className={tok.revokeTime ? "revoked" : undefined}>
                        <th scope="row">{tok.organization}{tok.description && <span className="muted small"> · {tok.description}</span>}</th>
                        <td>{roleLabel(t, tok.role)}</td>
                        <td>{dateTime(tok.createTime, lang)}</td>
                        <td>
                          {tok.revokeTime
                            ? <span className="muted">{t("tokens.revokedAt", { when: dateTime(tok.revokeTime, lang) })}</span>
                            : tok.name !== caller.tokenName && (
                              <button type="button" className="btn btn-danger" aria-label={`${t("tokens.revoke")}：${tok.organization}`}
                                onClick={() => revoke(tok.name, tok.organization)}>{t("tokens.revoke")}</button>
                            )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
        </section>
        <IssueToken onIssued={list.reload} />
      </div>
    </div>
  );
}

function IssueToken({ onIssued }: { onIssued: () => void }) {
  const t = useT();
  const lang = useLang();
  const [org, setOrg] = useState("");
  const [role, setRole] = useState<Role>(Role.AGENCY);
  const [description, setDescription] = useState("");
  const [scope, setScope] = useState<{ sides: string[]; industries: string[]; regions: Region[] }>({ sides: [], industries: [], regions: [] });
  const [issued, setIssued] = useState<{ org: string; secret: string }>();
  const [violations, setViolations] = useState<Map<string, string[]>>(new Map());
  const [error, setError] = useState<unknown>();
  const secretRef = useRef<HTMLElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    setViolations(new Map());
    try {
      const res = await tokenClient.createToken({ organization: org, role, description, peerScope: role === Role.PEER ? scope : undefined });
      setIssued({ org, secret: res.secret });
      setOrg("");
      setDescription("");
      setScope({ sides: [], industries: [], regions: [] });
      onIssued();
      requestAnimationFrame(() => secretRef.current?.focus());
    } catch (err) {
      if (ConnectError.from(err).code === Code.InvalidArgument && fieldViolations(err).length) {
        setViolations(violationsByField(fieldViolations(err), []));
      } else setError(err);
    }
  }
  const errs = (f: string) => (violations.get(f) ?? []).map((v) => violationText(v, lang));
  return (
    <div>
      {issued && (
        <div className="notice notice-ok" role="status">
          <p><strong>{t("tokens.issuedFor", { org: issued.org })}</strong></p>
          <p>{t("tokens.once")}</p>
          <code className="secret" tabIndex={0} ref={secretRef}>{issued.secret}</code>
        </div>
      )}
      <form className="panel form" onSubmit={submit} noValidate aria-labelledby="issue-heading">
        <h2 id="issue-heading">{t("tokens.issue")}</h2>
        <Field id="tok-org" label={t("signin.org")} required requiredLabel={t("form.required")} errors={errs("organization")}>
          {(a) => <input {...a} type="text" maxLength={200} value={org} onChange={(e) => setOrg(e.target.value)} />}
        </Field>
        <Field id="tok-role" label={t("signin.role")} errors={errs("role")}>
          {(a) => (
            <select {...a} value={role} onChange={(e) => setRole(Number(e.target.value) as Role)}>
              {issuable.map((r) => <option key={r} value={r}>{roleLabel(t, r)}</option>)}
            </select>
          )}
        </Field>
        <Field id="tok-desc" label={t("tokens.description")} hint={t("tokens.descriptionHint")} errors={errs("description")}>
          {(a) => <input {...a} type="text" maxLength={200} value={description} onChange={(e) => setDescription(e.target.value)} />}
        </Field>
        {role === Role.PEER && (
          <fieldset className="scope">
            <legend>{t("tokens.scope")}</legend>
            <p className="hint">{t("tokens.scopeHint")}</p>
            <ScopeChecks legend={t("tokens.sides")} options={sides.map((s) => ({ value: s, label: s === "offers" ? t("market.offers") : t("market.demands") }))}
              chosen={scope.sides} onToggle={(v) => setScope((s) => ({ ...s, sides: toggle(s.sides, v) }))} />
            <ScopeChecks legend={t("tokens.scopeIndustries")} options={industries.map((i) => ({ value: i.code, label: i[lang] }))}
              chosen={scope.industries} onToggle={(v) => setScope((s) => ({ ...s, industries: toggle(s.industries, v) }))} />
            <ScopeChecks legend={t("tokens.scopeRegions")} options={regions.map((r) => ({ value: r, label: regionLabel(t, r) }))}
              chosen={scope.regions} onToggle={(v) => setScope((s) => ({ ...s, regions: toggle(s.regions, v) }))} />
            {errs("peer_scope").length > 0 && <p className="field-error">{errs("peer_scope").join("；")}</p>}
          </fieldset>
        )}
        {error !== undefined && <ErrorNotice error={error} />}
        <button type="submit" className="btn btn-primary">{t("tokens.issueButton")}</button>
      </form>
    </div>
  );
}

/** One part of a peer scope as checkboxes; none ticked shares all. */
function ScopeChecks<T extends string | number>({ legend, options, chosen, onToggle }: {
  legend: string; options: { value: T; label: string }[]; chosen: T[]; onToggle: (v: T) => void;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      <ul className="checks checks-grid">
        {options.map((o) => (
          <li key={o.value}>
            <label><input type="checkbox" checked={chosen.includes(o.value)} onChange={() => onToggle(o.value)} /><span>{o.label}</span></label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
