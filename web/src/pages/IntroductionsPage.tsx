// Introductions across linked markets: those the caller asked for, with
// where each stands and, once accepted, the poster's contact; and those
// asked of the caller's listings by users of other markets, to accept or
// decline with a few words. An introduction asked here is about a listing
// of another market (it has a home market); one without came in over a link.
import { useState } from "react";
import { introductions as introClient } from "../api/clients";
import { IntroductionState, type Introduction } from "../gen/techmarket/v1/introduction_service_pb";
import { useLoad, useTitle } from "../hooks";
import { useLang, useT, type MessageKey } from "../i18n";
import { dateTime } from "../format";
import { Link, listingPath } from "../router";
import { Role, useSession } from "../session";
import { Field } from "../components/Field";
import { Empty, ErrorNotice, Loading } from "../components/status";

const stateKeys: Record<IntroductionState, MessageKey> = {
  [IntroductionState.UNSPECIFIED]: "intros.state.unspecified",
  [IntroductionState.PENDING]: "intros.state.pending",
  [IntroductionState.DELIVERED]: "intros.state.delivered",
  [IntroductionState.ACCEPTED]: "intros.state.accepted",
  [IntroductionState.DECLINED]: "intros.state.declined",
};

export function IntroductionsPage() {
  const t = useT();
  const { caller, signedIn } = useSession();
  useTitle(t("intros.title"), t("site.name"));
  const list = useLoad((signal) => (signedIn ? introClient.listIntroductions({}, { signal }) : Promise.resolve(undefined)), [caller?.tokenName]);
  if (!caller) return <Loading />;
  if (!signedIn) return <div className="narrow"><h1 tabIndex={-1}>{t("intros.title")}</h1><p>{t("post.signInFirst")}</p><Link className="btn btn-primary" to="/signin">{t("account.signIn")}</Link></div>;
  const all = list.data?.introductions ?? [];
  const outgoing = all.filter((i) => i.homeMarket);
  const incoming = all.filter((i) => !i.homeMarket);
  return (
    <div>
      <div className="page-head">
        <h1 tabIndex={-1}>{t("intros.title")}</h1>
        <p className="lede">{t("intros.lede")}{caller.role === Role.OPERATOR && <> {t("intros.ledeOperator")}</>}</p>
      </div>
      {list.error ? <ErrorNotice error={list.error} onRetry={list.reload} /> : !list.data ? <Loading /> : (
        <div className="intros">
          <section aria-labelledby="intros-out">
            <h2 id="intros-out">{t("intros.outgoing")} <span className="count">{outgoing.length}</span></h2>
            {outgoing.length === 0 ? <Empty>{t("intros.noneOutgoing")}</Empty> : (
              <ul className="intro-list">{outgoing.map((i) => <li key={i.name}><IntroCard intro={i} /></li>)}</ul>
            )}
          </section>
          <section aria-labelledby="intros-in">
            <h2 id="intros-in">{t("intros.incoming")} <span className="count">{incoming.length}</span></h2>
            {incoming.length === 0 ? <Empty>{t("intros.noneIncoming")}</Empty> : (
              <ul className="intro-list">{incoming.map((i) => <li key={i.name}><IntroCard intro={i} onAnswered={list.reload} /></li>)}</ul>
            )}
          </section>
        </div>
      )}
    </div>
  );
}

function IntroCard({ intro, onAnswered }: { intro: Introduction; onAnswered?: () => void }) {
  const t = useT();
  const lang = useLang();
  const c = intro.contact;
  const headingId = `intro-${intro.name.replace(/\W/g, "-")}`;
  return (
    <article className="panel intro-card" aria-labelledby={headingId}>
      <h3 id={headingId}><Link to={listingPath(intro.listing)}>{intro.listingTitle || intro.listing}</Link></h3>
      <p className="meta">
        <span className={`intro-state ${intro.state === IntroductionState.ACCEPTED ? "accepted" : intro.state === IntroductionState.DECLINED ? "declined" : ""}`}>{t(stateKeys[intro.state])}</span>
        <span className="muted small">{t("intros.asked", { when: dateTime(intro.createTime, lang) })}</span>
        {intro.answerTime && <span className="muted small">{t("intros.answered", { when: dateTime(intro.answerTime, lang) })}</span>}
      </p>
      <dl className="facts">
        {intro.homeMarket && <div><dt>{t("intros.home")}</dt><dd><span className="from">{t("listing.from", { market: intro.homeMarket })}</span></dd></div>}
        <div>
          <dt>{t("intros.from")}</dt>
          <dd>{intro.requesterMarket ? t("intros.fromMarket", { org: intro.requester, market: intro.requesterMarket }) : intro.requester}</dd>
        </div>
        <div><dt>{t("intros.message")}</dt><dd className="prewrap">{intro.message}</dd></div>
        {intro.answer && <div><dt>{t("intros.answer")}</dt><dd className="prewrap">{intro.answer}</dd></div>}
        {c && (c.name || c.phone || c.email) && (
          <div className="intro-contact">
            <dt>{t("intros.contact")}</dt>
            <dd>{[c.name, c.phone].filter(Boolean).join(" · ")}{c.email && <> · <a href={`mailto:${c.email}`}>{c.email}</a></>}</dd>
          </div>
        )}
      </dl>
      {onAnswered && intro.state === IntroductionState.DELIVERED && <AnswerForm intro={intro} onAnswered={onAnswered} />}
    </article>
  );
}

function AnswerForm({ intro, onAnswered }: { intro: Introduction; onAnswered: () => void }) {
  const t = useT();
  const [answer, setAnswer] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const id = `answer-${intro.name.replace(/\W/g, "-")}`;
  async function send(accept: boolean) {
    setBusy(true);
    setError(undefined);
    try {
      await introClient.answerIntroduction({ name: intro.name, accept, answer: answer.trim() });
      onAnswered();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }
  return (
    <form className="form answer-form" onSubmit={(e) => { e.preventDefault(); void send(true); }}>
      <Field id={id} label={t("intros.answerLabel")} hint={t("intros.answerHint")}>
        {(a) => <textarea {...a} rows={2} maxLength={1000} value={answer} onChange={(e) => setAnswer(e.target.value)} />}
      </Field>
      {error !== undefined && <ErrorNotice error={error} />}
      <div className="button-row">
        <button type="submit" className="btn btn-primary" disabled={busy}>{t("intros.accept")}</button>
        <button type="button" className="btn" disabled={busy} onClick={() => void send(false)}>{t("intros.decline")}</button>
      </div>
    </form>
  );
}
