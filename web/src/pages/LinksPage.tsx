// Operators link this market to others: each link's health as the
// follower last saw it (following or paused, last contact, caught up or
// how far behind, events applied, listings refused, the last error), and
// adding, pausing, resuming and removing links. The API never shows a
// link's token, so the form is the only place one is typed.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { links as linkClient } from "../api/links";
import { Code, ConnectError, fieldViolations, violationsByField } from "../api/errors";
import type { Link as MarketLink } from "../gen/techmarket/v1/link_service_pb";
import { useLoad, useTitle } from "../hooks";
import { useLang, useT } from "../i18n";
import { count, dateTime } from "../format";
import { Role, useSession } from "../session";
import { violationText } from "../violations";
import { Field } from "../components/Field";
import { Empty, ErrorNotice, Loading } from "../components/status";

const short = (name: string) => name.replace(/^links\//, "");

export function LinksPage() {
  const t = useT();
  const { caller } = useSession();
  const isOperator = caller?.role === Role.OPERATOR;
  useTitle(t("links.title"), t("site.name"));
  const list = useLoad((signal) => (isOperator ? linkClient.listLinks({}, { signal }) : Promise.resolve(undefined)), [isOperator]);
  const [error, setError] = useState<unknown>();
  const [removed, setRemoved] = useState<{ name: string; n: number }>();
  // The follower changes the health as it works; read it again now and then.
  const { reload } = list;
  useEffect(() => {
    if (!isOperator) return;
    const timer = setInterval(reload, 5000);
    return () => clearInterval(timer);
  }, [isOperator, reload]);

  if (!caller) return <Loading />;
  if (!isOperator) return <div className="narrow"><h1 tabIndex={-1}>{t("links.title")}</h1><p className="notice notice-warn">{t("review.operatorsOnly")}</p></div>;

  async function act(call: () => Promise<unknown>) {
    setError(undefined);
    setRemoved(undefined);
    try {
      await call();
      list.reload();
    } catch (e) {
      setError(e);
    }
  }
  const remove = (name: string) => {
    if (!window.confirm(t("links.confirmRemove", { name: short(name) }))) return;
    void act(async () => {
      const res = await linkClient.removeLink({ name });
      setRemoved({ name: short(name), n: res.removedListings });
    });
  };
  return (
    <div>
      <div className="page-head">
        <h1 tabIndex={-1}>{t("links.title")}</h1>
        <p className="lede">{t("links.lede")}</p>
      </div>
      <div className="events-body">
        <section className="panel" aria-labelledby="links-list" aria-busy={list.loading}>
          <div className="section-head">
            <h2 id="links-list">{t("links.list")}</h2>
            <button type="button" className="btn btn-quiet" onClick={list.reload}>{t("action.refresh")}</button>
          </div>
          {removed && <p className="notice notice-ok" role="status">{t("links.removed", { name: removed.name, n: removed.n })}</p>}
          {error !== undefined && <ErrorNotice error={error} />}
          {list.error ? <ErrorNotice error={list.error} onRetry={list.reload} />
            : !list.data ? <Loading />
            : list.data.links.length === 0 ? <Empty>{t("links.none")}</Empty>
            : (
              <ul className="link-list">
                {list.data.links.map((l) => (
                  <li key={l.name}>
                    <LinkCard link={l}
                      onPause={() => act(() => linkClient.pauseLink({ name: l.name, paused: !l.paused }))}
                      onRemove={() => remove(l.name)} />
                  </li>
                ))}
              </ul>
            )}
        </section>
        <AddLink onAdded={list.reload} />
      </div>
    </div>
  );
}

function LinkCard({ link, onPause, onRemove }: { link: MarketLink; onPause: () => void; onRemove: () => void }) {
  const t = useT();
  const lang = useLang();
  const name = short(link.name);
  return (
    <article className="link-card" aria-labelledby={`link-${name}`}>
      <h3 id={`link-${name}`}>{name} <span className="muted small">{link.addr}</span></h3>
      <p className="meta">
        <span className={link.paused ? "link-state paused" : "link-state following"}>{link.paused ? t("links.paused") : t("links.following")}</span>
        <span className={link.caughtUp ? "link-sync ok" : "link-sync"}>
          {!link.lastContactTime ? t("links.notYet")
            : link.caughtUp ? t("links.caughtUp")
            : t("links.behind", { when: dateTime(link.newestChangeTime, lang) })}
        </span>
      </p>
      <p className="small">
        {link.lastContactTime && <>{t("links.lastContact", { when: dateTime(link.lastContactTime, lang) })} · </>}
        {t("links.applied", { n: count(link.applied, lang) })} · {t("links.rejected", { n: count(link.rejected, lang) })}
      </p>
      {link.lastError && <p className="notice notice-error small" role="note">{t("links.error", { when: dateTime(link.errorTime, lang), error: link.lastError })}</p>}
      <div className="button-row">
        <button type="button" className="btn" onClick={onPause} aria-label={`${link.paused ? t("links.resume") : t("links.pause")}：${name}`}>
          {link.paused ? t("links.resume") : t("links.pause")}
        </button>
        <button type="button" className="btn btn-danger" onClick={onRemove} aria-label={`${t("links.remove")}：${name}`}>{t("links.remove")}</button>
      </div>
    </article>
  );
}

function AddLink({ onAdded }: { onAdded: () => void }) {
  const t = useT();
  const lang = useLang();
  const [form, setForm] = useState({ linkId: "", addr: "", token: "", tlsCa: "" });
  const [violations, setViolations] = useState<Map<string, string[]>>(new Map());
  const [error, setError] = useState<unknown>();
  const [added, setAdded] = useState("");
  const [busy, setBusy] = useState(false);
  const doneRef = useRef<HTMLParagraphElement>(null);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    setViolations(new Map());
    setAdded("");
    setBusy(true);
    try {
      const res = await linkClient.addLink({ ...form, linkId: form.linkId.trim(), addr: form.addr.trim(), token: form.token.trim() });
      setAdded(short(res.link?.name ?? form.linkId));
      setForm({ linkId: "", addr: "", token: "", tlsCa: "" });
      onAdded();
      requestAnimationFrame(() => doneRef.current?.focus());
    } catch (err) {
      if (ConnectError.from(err).code === Code.InvalidArgument && fieldViolations(err).length) {
        setViolations(violationsByField(fieldViolations(err), []));
      } else setError(err);
    } finally {
      setBusy(false);
    }
  }
  const errs = (f: string) => (violations.get(f) ?? []).map((v) => violationText(v, lang));
  return (
    <div>
      {added && <p className="notice notice-ok" role="status" tabIndex={-1} ref={doneRef}>{t("links.added", { name: added })}</p>}
      <form className="panel form" onSubmit={submit} noValidate aria-labelledby="add-link-heading">
        <h2 id="add-link-heading">{t("links.add")}</h2>
        <Field id="link-id" label={t("links.name")} hint={t("links.nameHint")} required requiredLabel={t("form.required")} errors={errs("link_id")}>
          {(a) => <input {...a} type="text" maxLength={40} autoCapitalize="none" spellCheck={false} value={form.linkId} onChange={set("linkId")} />}
        </Field>
        <Field id="link-addr" label={t("links.addr")} hint={t("links.addrHint")} required requiredLabel={t("form.required")} errors={errs("addr")}>
          {(a) => <input {...a} type="text" autoCapitalize="none" spellCheck={false} placeholder="127.0.0.1:7733" value={form.addr} onChange={set("addr")} />}
        </Field>
        <Field id="link-token" label={t("links.token")} hint={t("links.tokenHint")} required requiredLabel={t("form.required")} errors={errs("token")}>
          {(a) => <input {...a} type="password" autoComplete="off" spellCheck={false} value={form.token} onChange={set("token")} />}
        </Field>
        <Field id="link-ca" label={t("links.ca")} hint={t("links.caHint")} errors={errs("tls_ca")}>
          {(a) => <textarea {...a} rows={3} spellCheck={false} className="mono" value={form.tlsCa} onChange={set("tlsCa")} />}
        </Field>
        {error !== undefined && <ErrorNotice error={error} />}
        <button type="submit" className="btn btn-primary" disabled={busy}>{t("links.addButton")}</button>
      </form>
    </div>
  );
}
