// The caller's own listings and its alerts. Alerts arrive live over
// AlertService.WatchMatches (see alerts.tsx) and are announced politely
// to screen readers as they come.
import { useEffect, useState } from "react";
import { alerts as alertClient, demands as demandClient, offers as offerClient } from "../api/clients";
import { useAlerts, type FeedStatus } from "../alerts";
import { AlertDelivery, AlertKind, type Alert } from "../gen/techmarket/v1/alert_service_pb";
import { ListingState, type Demand, type Offer } from "../gen/techmarket/v1/listing_pb";
import { useLoad, useTitle } from "../hooks";
import { useLang, useT, type MessageKey } from "../i18n";
import { dateTime, percent } from "../format";
import { Link, listingPath } from "../router";
import { Role, useSession } from "../session";
import { Empty, ErrorNotice, Loading } from "../components/status";
import { StateBadge } from "../components/StateBadge";

interface Mine { kind: "offers" | "demands"; listing: Offer | Demand }

async function loadMine(org: string, role: Role, signal: AbortSignal): Promise<Mine[]> {
  const out: Mine[] = [];
  if (role === Role.AGENCY || role === Role.OPERATOR) {
    const res = await offerClient.listOffers({ poster: org, pageSize: 200 }, { signal });
    out.push(...res.offers.map((listing) => ({ kind: "offers" as const, listing })));
  }
  if (role === Role.ENTERPRISE || role === Role.OPERATOR) {
    const res = await demandClient.listDemands({ poster: org, pageSize: 200 }, { signal });
    out.push(...res.demands.map((listing) => ({ kind: "demands" as const, listing })));
  }
  return out;
}

export function MinePage() {
  const t = useT();
  const { caller, signedIn } = useSession();
  const feed = useAlerts();
  useTitle(t("mine.title"), t("site.name"));
  const mine = useLoad((signal) => (caller && signedIn ? loadMine(caller.organization, caller.role, signal) : Promise.resolve([])), [caller?.tokenName]);
  // Opening the page counts as having looked at the alerts, and so does
  // every alert that arrives while it is open.
  const { markSeen, alerts: feedAlerts } = feed;
  useEffect(() => markSeen(), [markSeen, feedAlerts.length]);

  if (!caller) return <Loading />;
  if (!signedIn) {
    return <div className="narrow"><h1 tabIndex={-1}>{t("mine.title")}</h1><p>{t("post.signInFirst")}</p><Link className="btn btn-primary" to="/signin">{t("account.signIn")}</Link></div>;
  }
  const titles = new Map((mine.data ?? []).map((m) => [m.listing.name, m.listing.title]));
  return (
    <div className="mine">
      <div className="page-head">
        <h1 tabIndex={-1}>{t("mine.title")}</h1>
        <p className="lede">{caller.organization}</p>
      </div>
      <div className="mine-body">
        <section className="panel" aria-labelledby="alerts-heading">
          <h2 id="alerts-heading">{t("alerts.title")}</h2>
          <FeedState status={feed.status} />
          <div role="log" aria-live="polite" aria-relevant="additions" aria-labelledby="alerts-heading" className="alert-feed">
            {feed.alerts.length === 0 ? <Empty>{t("alerts.none")}</Empty> : (
              <ul className="alerts">
                {feed.alerts.map((a) => <li key={a.cursor}><AlertItem alert={a} mineTitle={titles.get(a.listing)} /></li>)}
              </ul>
            )}
          </div>
        </section>
        <section className="panel" aria-labelledby="listings-heading">
          <div className="section-head">
            <h2 id="listings-heading">{t("mine.listings")}</h2>
            <Link className="btn btn-primary" to="/post">{t("nav.post")}</Link>
          </div>
          {mine.error ? <ErrorNotice error={mine.error} onRetry={mine.reload} />
            : !mine.data ? <Loading />
            : mine.data.length === 0 ? <Empty>{t("mine.none")}</Empty>
            : (
              <ul className="my-listings">
                {mine.data.map((m) => <li key={m.listing.name}><MyListing item={m} /></li>)}
              </ul>
            )}
        </section>
      </div>
    </div>
  );
}

function FeedState({ status }: { status: FeedStatus }) {
  const t = useT();
  const key: Record<FeedStatus, MessageKey> = { off: "alerts.off", listening: "alerts.listening", retrying: "alerts.retrying" };
  return <p className={`feed-state feed-${status}`}><span className="dot" aria-hidden="true" />{t(key[status])}</p>;
}

function AlertItem({ alert, mineTitle }: { alert: Alert; mineTitle: string | undefined }) {
  const t = useT();
  const lang = useLang();
  const yours = <Link to={listingPath(alert.listing)}>{mineTitle ?? alert.listing}</Link>;
  return (
    <article className={`alert alert-${AlertKind[alert.kind].toLowerCase()}`}>
      <p className="alert-when muted">{dateTime(alert.createTime, lang)}</p>
      {alert.kind === AlertKind.MATCH && alert.match && (
        <>
          <p className="alert-what"><strong>{t("alerts.match")}</strong> <Link to={listingPath(alert.match.name)}>{alert.match.title}</Link></p>
          <p>{t("alerts.fits")} {yours} · {t("alerts.rank", { rank: alert.rank, score: percent(alert.match.score) })}
            {alert.callerRank > 0 && <> · {t("alerts.callerRank", { rank: alert.callerRank })}</>}</p>
          <p className="muted">{alert.match.poster}</p>
        </>
      )}
      {alert.kind === AlertKind.DIGEST && (
        <>
          <p className="alert-what"><strong>{t("alerts.digest", { n: alert.digest.length })}</strong> {yours}</p>
          <ol>{alert.digest.map((m) => <li key={m.name}><Link to={listingPath(m.name)}>{m.title}</Link> · {percent(m.score)}</li>)}</ol>
        </>
      )}
      {alert.kind === AlertKind.EXPIRY_REMINDER && (
        <p className="alert-what"><strong>{t("alerts.expiry")}</strong> {yours} · {t("alerts.renew")}</p>
      )}
    </article>
  );
}

function MyListing({ item }: { item: Mine }) {
  const t = useT();
  const lang = useLang();
  const l = item.listing;
  return (
    <div className="my-listing">
      <div>
        <p className="kind-label">{item.kind === "offers" ? t("kind.offer") : t("kind.demand")}</p>
        <h3><Link to={listingPath(l.name)}>{l.title}</Link></h3>
        <p className="meta">
          <StateBadge state={l.state} />
          <span className="muted">{t("listing.updated", { when: dateTime(l.updateTime, lang) })}</span>
          {l.qualityScore > 0 && <span className="muted">{t("quality.short", { pct: percent(l.qualityScore) })}</span>}
        </p>
      </div>
      <div className="button-row">
        {l.state !== ListingState.CLOSED && l.state !== ListingState.REJECTED && <Link className="btn" to={`/${l.name}/edit`}>{t("action.edit")}</Link>}
        {l.state === ListingState.PUBLISHED && <AlertSettingsControl name={l.name} />}
      </div>
    </div>
  );
}

/** Per listing: whether and how its owner hears of new fits. */
function AlertSettingsControl({ name }: { name: string }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const settings = useLoad((signal) => (open ? alertClient.getAlertSettings({ name: `${name}/alertSettings` }, { signal }) : Promise.resolve(undefined)), [name, open]);
  const [error, setError] = useState<unknown>();
  const [savedDelivery, setSavedDelivery] = useState<AlertDelivery>();
  const delivery = savedDelivery ?? settings.data?.settings?.delivery ?? AlertDelivery.IMMEDIATE;
  async function change(d: AlertDelivery) {
    setError(undefined);
    try {
      const res = await alertClient.updateAlertSettings({ settings: { name: `${name}/alertSettings`, delivery: d }, updateMask: { paths: ["delivery"] } });
      setSavedDelivery(res.settings?.delivery ?? d);
    } catch (e) {
      setError(e);
    }
  }
  const id = `alerts-${name.replace(/\W/g, "-")}`;
  return (
    <div className="alert-settings">
      <button type="button" className="btn btn-quiet" aria-expanded={open} aria-controls={id} onClick={() => setOpen((o) => !o)}>
        {t("alerts.settings")}
      </button>
      {open && (
        <div id={id} className="popover">
          {settings.data === undefined && !settings.error ? <Loading /> : (
            <>
              <label htmlFor={`${id}-d`}>{t("alerts.delivery")}</label>
              <select id={`${id}-d`} value={delivery} onChange={(e) => change(Number(e.target.value) as AlertDelivery)}>
                <option value={AlertDelivery.IMMEDIATE}>{t("alerts.immediate")}</option>
                <option value={AlertDelivery.DAILY_DIGEST}>{t("alerts.dailyDigest")}</option>
                <option value={AlertDelivery.OFF}>{t("alerts.deliveryOff")}</option>
              </select>
            </>
          )}
          {(error ?? settings.error) !== undefined && <ErrorNotice error={error ?? settings.error} />}
        </div>
      )}
    </div>
  );
}
