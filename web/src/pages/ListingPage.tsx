// One listing: its fields, what its poster can do with it, and the
// listings of the other side that fit it, each with its reasons. A
// listing of a linked market says where it lives, offers no changes (its
// home market keeps it) and lets a signed-in caller ask for an introduction.
import { useState } from "react";
import { demands as demandClient, deals as dealClient, matches as matchClient, offers as offerClient, review as reviewClient } from "../api/clients";
import { ListingState, ReviewDecision } from "../gen/techmarket/v1/listing_pb";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { MatchFiltersSchema } from "../gen/techmarket/v1/match_service_pb";
import { useLoad, useTitle } from "../hooks";
import { useLang, useT } from "../i18n";
import { dateTime } from "../format";
import { Link, navigate } from "../router";
import { Role, useSession } from "../session";
import { ListingDetails, type Listing } from "../components/ListingDetails";
import { MatchCard } from "../components/MatchCard";
import { QualityReport } from "../components/QualityReport";
import { Empty, ErrorNotice, Loading } from "../components/status";
import { StateBadge } from "../components/StateBadge";
import { IntroductionForm } from "../components/IntroductionForm";

type Kind = "offers" | "demands";

async function load(kind: Kind, name: string, signal: AbortSignal): Promise<Listing> {
  if (kind === "offers") return { kind, value: (await offerClient.getOffer({ name }, { signal })).offer! };
  return { kind, value: (await demandClient.getDemand({ name }, { signal })).demand! };
}

export function ListingPage({ kind, id }: { kind: Kind; id: string }) {
  const t = useT();
  const lang = useLang();
  const { caller, signedIn } = useSession();
  const name = `${kind}/${id}`;
  const listing = useLoad((signal) => load(kind, name, signal), [name, caller?.tokenName]);
  useTitle(listing.data?.value.title ?? "", t("site.name"));

  if (listing.error) return <><h1 tabIndex={-1}>{t("listing.unavailable")}</h1><ErrorNotice error={listing.error} onRetry={listing.reload} /></>;
  // Until the listing asked for arrives, the one before it is not shown.
  if (!listing.data || listing.data.value.name !== name) return <><h1 tabIndex={-1} className="sr-only">{t("status.loading")}</h1><Loading /></>;

  const l = listing.data.value;
  // A linked listing is kept by its home market: nobody here changes it.
  const mine = !l.linkedFrom && !!caller && (caller.organization === l.poster || caller.role === Role.OPERATOR);
  return (
    <article className="listing">
      <p className="crumbs"><Link to={kind === "offers" ? "/" : "/?kind=demands"}>{kind === "offers" ? t("market.offers") : t("market.demands")}</Link></p>
      <header className="listing-head">
        <h1 tabIndex={-1}>{l.title}</h1>
        <p className="meta">
          <StateBadge state={l.state} />
          <span>{l.poster}</span>
          <span className="muted">{t("listing.updated", { when: dateTime(l.updateTime, lang) })}</span>
        </p>
      </header>
      {l.linkedFrom && (
        <div className="notice notice-info linked" role="note" aria-label={t("linked.title")}>
          <p><strong>{t("linked.title")}</strong> <span className="from">{t("listing.from", { market: l.linkedFrom.market })}</span></p>
          <p>{t("linked.text", { market: l.linkedFrom.market, name: l.linkedFrom.name })}</p>
          <p className="muted small">{t("linked.seen", { when: dateTime(l.linkedFrom.seenTime, lang) })}</p>
        </div>
      )}
      {l.review && l.review.reasons.length > 0 && mine && (
        <div className="notice notice-warn" role="note">
          <p><strong>{t("listing.reviewSaid", { decision: t(l.review.decision === ReviewDecision.REJECT ? "review.rejected" : "review.sentBack") })}</strong></p>
          <ul>{l.review.reasons.map((r) => <li key={r}>{r}</li>)}</ul>
        </div>
      )}
      {l.summary && <p className="summary">{l.summary}</p>}
      <div className="listing-body">
        <section aria-labelledby="details-heading" className="panel">
          <h2 id="details-heading">{t("listing.details")}</h2>
          <ListingDetails listing={listing.data} signedIn={signedIn} />
          {mine && <OwnerActions listing={listing.data} onChange={listing.reload} />}
        </section>
        {l.description && (
          <section aria-labelledby="desc-heading" className="panel">
            <h2 id="desc-heading">{t("listing.description")}</h2>
            <div className="description">{l.description}</div>
          </section>
        )}
        {mine && <QualitySection name={name} version={l.etag} />}
        {l.linkedFrom && <IntroductionForm listing={l.name} market={l.linkedFrom.market} />}
      </div>
      <MatchesSection listing={listing.data} canOpenDeals={mine && l.state === ListingState.PUBLISHED} />
    </article>
  );
}

function OwnerActions({ listing, onChange }: { listing: Listing; onChange: () => void }) {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const l = listing.value;
  const req = { name: l.name, etag: l.etag };
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      onChange();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const publish = () => run(() => (listing.kind === "offers" ? offerClient.publishOffer(req) : demandClient.publishDemand(req)));
  const withdraw = () => run(() => (listing.kind === "offers" ? offerClient.withdrawOffer(req) : demandClient.withdrawDemand(req)));
  const canPublish = [ListingState.DRAFT, ListingState.WITHDRAWN, ListingState.EXPIRED].includes(l.state);
  const canEdit = l.state !== ListingState.REJECTED && l.state !== ListingState.CLOSED;
  // Autosaved drafts and listings off the market can be removed; a published one is withdrawn first.
  const canDelete = l.state !== ListingState.PUBLISHED && l.state !== ListingState.IN_REVIEW;
  const remove = async () => {
    if (!window.confirm(t("listing.confirmDelete", { title: l.title }))) return;
    setBusy(true);
    setError(undefined);
    try {
      await (listing.kind === "offers" ? offerClient.deleteOffer(req) : demandClient.deleteDemand(req));
      navigate("/mine");
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <div className="owner-actions">
      <h3>{t("listing.yours")}</h3>
      <div className="button-row">
        {canEdit && <Link className="btn" to={`/${l.name}/edit`}>{t("action.edit")}</Link>}
        {canPublish && <button type="button" className="btn btn-primary" disabled={busy} onClick={publish}>{t("action.publish")}</button>}
        {l.state === ListingState.PUBLISHED && <button type="button" className="btn" disabled={busy} onClick={withdraw}>{t("action.withdraw")}</button>}
        {canDelete && <button type="button" className="btn btn-danger" disabled={busy} onClick={remove}>{t("action.delete")}</button>}
      </div>
      {error !== undefined && <ErrorNotice error={error} />}
    </div>
  );
}

function QualitySection({ name, version }: { name: string; version: string }) {
  const t = useT();
  const report = useLoad((signal) => reviewClient.getQualityReport({ name }, { signal }), [name, version]);
  return (
    <section aria-labelledby="quality-heading" className="panel">
      <h2 id="quality-heading">{t("quality.title")}</h2>
      {report.error ? <ErrorNotice error={report.error} /> : report.data?.report ? <QualityReport report={report.data.report} /> : <Loading />}
    </section>
  );
}

function MatchesSection({ listing, canOpenDeals }: { listing: Listing; canOpenDeals: boolean }) {
  const t = useT();
  const [strict, setStrict] = useState<MessageInitShape<typeof MatchFiltersSchema>>({});
  const [dealError, setDealError] = useState<unknown>();
  const name = listing.value.name;
  const key = JSON.stringify(strict);
  const found = useLoad(async (signal) => (listing.kind === "demands"
    ? (await matchClient.matchOffers({ demand: name, limit: 10, filters: strict }, { signal })).matches
    : (await matchClient.matchDemands({ offer: name, limit: 10, filters: strict }, { signal })).matches), [name, key, listing.value.etag]);
  const flag = (k: "strictReadiness" | "strictTransferModes" | "strictPrice", label: string) => (
    <label className="inline-check">
      <input type="checkbox" checked={!!strict[k]} onChange={(e) => setStrict((s) => ({ ...s, [k]: e.target.checked }))} />
      {label}
    </label>
  );
  async function openDeal(other: string) {
    setDealError(undefined);
    const pair = listing.kind === "offers" ? { offer: name, demand: other } : { offer: other, demand: name };
    try {
      await dealClient.createDeal(pair);
      navigate("/deals");
    } catch (e) {
      setDealError(e);
    }
  }
  return (
    <section className="matches" aria-labelledby="matches-heading">
      <h2 id="matches-heading">{listing.kind === "demands" ? t("listing.matchingOffers") : t("listing.matchingDemands")}</h2>
      <fieldset className="strict">
        <legend>{t("match.strictLegend")}</legend>
        {flag("strictReadiness", t("match.strictReadiness"))}
        {flag("strictTransferModes", t("match.strictModes"))}
        {flag("strictPrice", t("match.strictPrice"))}
      </fieldset>
      {dealError !== undefined && <ErrorNotice error={dealError} />}
      {found.error ? <ErrorNotice error={found.error} onRetry={found.reload} />
        : !found.data ? <Loading label={t("match.loading")} />
        : found.data.length === 0 ? <Empty>{t("match.none")}</Empty>
        : (
          <ol className="match-list">
            {found.data.map((m, i) => (
              <li key={m.name}>
                <MatchCard match={m} rank={i + 1}
                  actions={canOpenDeals ? <button type="button" className="btn" onClick={() => openDeal(m.name)}>{t("deal.open")}</button> : undefined} />
              </li>
            ))}
          </ol>
        )}
    </section>
  );
}

