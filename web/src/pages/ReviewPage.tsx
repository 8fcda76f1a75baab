// Operators' review queue: posts waiting in review (when the market runs
// with --review), each approved, sent back with reasons, or rejected.
import { useState, type FormEvent } from "react";
import { demands as demandClient, offers as offerClient, review as reviewClient } from "../api/clients";
import { ListingState, ReviewDecision, type Demand, type Offer } from "../gen/techmarket/v1/listing_pb";
import { useLoad, useTitle } from "../hooks";
import { useLang, useT } from "../i18n";
import { dateTime, percent } from "../format";
import { industryName } from "../data/industries";
import { Link, listingPath } from "../router";
import { Role, useSession } from "../session";
import { Empty, ErrorNotice, Loading } from "../components/status";

interface Pending { kind: "offers" | "demands"; listing: Offer | Demand }

async function loadQueue(signal: AbortSignal): Promise<Pending[]> {
  const [o, d] = await Promise.all([
    offerClient.listOffers({ state: ListingState.IN_REVIEW, pageSize: 200 }, { signal }),
    demandClient.listDemands({ state: ListingState.IN_REVIEW, pageSize: 200 }, { signal }),
  ]);
  return [
    ...o.offers.map((listing) => ({ kind: "offers" as const, listing })),
    ...d.demands.map((listing) => ({ kind: "demands" as const, listing })),
  ];
}

export function ReviewPage() {
  const t = useT();
  const { caller } = useSession();
  const isOperator = caller?.role === Role.OPERATOR;
  useTitle(t("review.title"), t("site.name"));
  const queue = useLoad((signal) => (isOperator ? loadQueue(signal) : Promise.resolve([])), [isOperator]);
  const [done, setDone] = useState<{ title: string; decision: ReviewDecision }[]>([]);

  if (!caller) return <Loading />;
  if (!isOperator) return <div className="narrow"><h1 tabIndex={-1}>{t("review.title")}</h1><p className="notice notice-warn">{t("review.operatorsOnly")}</p></div>;
  const decided = (title: string, decision: ReviewDecision) => {
    setDone((d) => [{ title, decision }, ...d]);
    queue.reload();
  };
  return (
    <div>
      <div className="page-head">
        <h1 tabIndex={-1}>{t("review.title")}</h1>
        <p className="lede">{t("review.lede")}</p>
      </div>
      <div role="status" className="review-log">
        {done.slice(0, 1).map((d) => (
          <p key={d.title} className="notice notice-ok">{t(d.decision === ReviewDecision.APPROVE ? "review.approvedOne" : d.decision === ReviewDecision.REJECT ? "review.rejectedOne" : "review.sentBackOne", { title: d.title })}</p>
        ))}
      </div>
      {queue.error ? <ErrorNotice error={queue.error} onRetry={queue.reload} />
        : !queue.data ? <Loading />
        : queue.data.length === 0 ? <Empty>{t("review.empty")}</Empty>
        : (
          <ul className="review-queue">
            {queue.data.map((p) => <li key={p.listing.name}><ReviewItem item={p} onDecided={decided} /></li>)}
          </ul>
        )}
    </div>
  );
}

function ReviewItem({ item, onDecided }: { item: Pending; onDecided: (title: string, d: ReviewDecision) => void }) {
  const t = useT();
  const lang = useLang();
  const l = item.listing;
  const [mode, setMode] = useState<ReviewDecision.SEND_BACK | ReviewDecision.REJECT>();
  const [reasons, setReasons] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const id = l.name.replace(/\W/g, "-");

  async function decide(decision: ReviewDecision, why: string[]) {
    setBusy(true);
    setError(undefined);
    try {
      await reviewClient.reviewListing({ name: l.name, decision, reasons: why, etag: l.etag });
      onDecided(l.title, decision);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  function submitReasons(e: FormEvent) {
    e.preventDefault();
    if (mode !== undefined) decide(mode, reasons.split("\n").map((r) => r.trim()).filter(Boolean));
  }
  return (
    <article className="panel review-item" aria-labelledby={`${id}-title`}>
      <p className="kind-label">{item.kind === "offers" ? t("kind.offer") : t("kind.demand")}</p>
      <h2 id={`${id}-title`}><Link to={listingPath(l.name)}>{l.title}</Link></h2>
      <p className="meta">
        <span>{l.poster}</span>
        <span className="muted">{dateTime(l.updateTime, lang)}</span>
        <span className="muted">{t("quality.short", { pct: percent(l.qualityScore) })}</span>
        <span className="muted">{l.industries.map((c) => industryName(c, lang)).join("、")}</span>
      </p>
      {l.summary && <p>{l.summary}</p>}
      <div className="button-row">
        <button type="button" className="btn btn-primary" disabled={busy} aria-label={`${t("review.approve")}：${l.title}`}
          onClick={() => decide(ReviewDecision.APPROVE, [])}>
          {t("review.approve")}
        </button>
        <button type="button" className="btn" disabled={busy} aria-label={`${t("review.sendBack")}：${l.title}`}
          aria-expanded={mode === ReviewDecision.SEND_BACK} onClick={() => setMode(ReviewDecision.SEND_BACK)}>
          {t("review.sendBack")}
        </button>
        <button type="button" className="btn btn-danger" disabled={busy} aria-label={`${t("review.reject")}：${l.title}`}
          aria-expanded={mode === ReviewDecision.REJECT} onClick={() => setMode(ReviewDecision.REJECT)}>
          {t("review.reject")}
        </button>
      </div>
      {mode !== undefined && (
        <form className="form reasons" onSubmit={submitReasons} noValidate>
          <div className="field">
            <label htmlFor={`${id}-reasons`}>{mode === ReviewDecision.REJECT ? t("review.rejectReasons") : t("review.sendBackReasons")}</label>
            <textarea id={`${id}-reasons`} rows={3} value={reasons} onChange={(e) => setReasons(e.target.value)} aria-describedby={`${id}-reasons-hint`} />
            <p id={`${id}-reasons-hint`} className="hint">{t("review.reasonsHint")}</p>
          </div>
          <div className="button-row">
            <button type="submit" className={mode === ReviewDecision.REJECT ? "btn btn-danger" : "btn btn-primary"} disabled={busy}>
              {mode === ReviewDecision.REJECT ? t("review.confirmReject") : t("review.confirmSendBack")}
            </button>
            <button type="button" className="btn btn-quiet" onClick={() => setMode(undefined)}>{t("action.cancel")}</button>
          </div>
        </form>
      )}
      {error !== undefined && <ErrorNotice error={error} />}
    </article>
  );
}
