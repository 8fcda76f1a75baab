// The market: free-text search of offers or demands with filters, facet
// counts and paging. The search and its filters live in the address, so
// a result list can be bookmarked and shared. Operators may also browse
// by state (drafts, posts in review…), which the list call serves.
// Listings of linked markets are searched with the local ones; the origin
// filter narrows to this market or one linked market.
import { useEffect, useState, type FormEvent } from "react";
import { matches as matchClient, offers as offerClient, demands as demandClient } from "../api/clients";
import { links as linkClient } from "../api/links";
import { industries } from "../data/industries";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Facet, SearchFiltersSchema } from "../gen/techmarket/v1/match_service_pb";
import { ListingState, Region } from "../gen/techmarket/v1/listing_pb";
import { useLoad, useTitle } from "../hooks";
import { useLang, useT } from "../i18n";
import { regionLabel, regionWords, regions, stateLabel, stateWords } from "../labels";
import { Link, listingPath, navigate, useLocation } from "../router";
import { Role, useSession } from "../session";
import { count } from "../format";
import { Empty, ErrorNotice, Loading } from "../components/status";
import { Snippet } from "../components/Snippet";

type Kind = "offers" | "demands";
const PAGE_SIZE = 20;
const TRL_BANDS = [
  { band: "1-3", min: 1, max: 3 },
  { band: "4-6", min: 4, max: 6 },
  { band: "7-9", min: 7, max: 9 },
] as const;
const browseStates = [ListingState.IN_REVIEW, ListingState.DRAFT, ListingState.WITHDRAWN, ListingState.EXPIRED, ListingState.REJECTED, ListingState.CLOSED];

interface Query {
  kind: Kind;
  q: string;
  industries: string[];
  regions: string[];
  trl: string;
  state: string;
  /** "" for every market, "local", or a link's name. */
  origin: string;
}

function readQuery(url: URL): Query {
  const p = url.searchParams;
  return {
    kind: p.get("kind") === "demands" ? "demands" : "offers",
    q: p.get("q") ?? "",
    industries: p.getAll("industry"),
    regions: p.getAll("region"),
    trl: p.get("trl") ?? "",
    state: p.get("state") ?? "",
    origin: p.get("origin") ?? "",
  };
}

function writeQuery(q: Query): string {
  const p = new URLSearchParams();
  if (q.kind === "demands") p.set("kind", "demands");
  if (q.q) p.set("q", q.q);
  q.industries.forEach((i) => p.append("industry", i));
  q.regions.forEach((r) => p.append("region", r));
  if (q.trl) p.set("trl", q.trl);
  if (q.state) p.set("state", q.state);
  if (q.origin) p.set("origin", q.origin);
  const s = p.toString();
  return s ? `/?${s}` : "/";
}

const regionByWord = new Map<string, Region>(regions.map((r) => [regionWords[r], r]));
const stateByWord = new Map(browseStates.map((s) => [stateWords[s], s]));

interface Row { name: string; title: string; snippet: string; homeMarket?: string }
interface Result { rows: Row[]; total?: bigint; facets: Facet[]; next: string }

async function search(q: Query, pageToken: string, signal: AbortSignal): Promise<Result> {
  const state = stateByWord.get(q.state);
  if (state !== undefined) {
    // Browsing by state is a list, not a search: one industry and one
    // region at most, no text, no facets.
    const req = {
      state, pageSize: PAGE_SIZE, pageToken,
      industry: q.industries[0] ?? "", region: regionByWord.get(q.regions[0] ?? "") ?? Region.UNSPECIFIED,
    };
    const res = q.kind === "offers" ? await offerClient.listOffers(req, { signal }) : await demandClient.listDemands(req, { signal });
    const items = "offers" in res ? res.offers : res.demands;
    return { rows: items.map((l) => ({ name: l.name, title: l.title, snippet: l.summary })), facets: [], next: res.nextPageToken };
  }
  const band = TRL_BANDS.find((b) => b.band === q.trl);
  const filters: MessageInitShape<typeof SearchFiltersSchema> = {
    industries: q.industries,
    regions: q.regions.flatMap((r) => regionByWord.get(r) ?? []),
    minTrl: band?.min ?? 0,
    maxTrl: band?.max ?? 0,
    origin: q.origin,
  };
  const req = { query: q.q, filters, pageSize: PAGE_SIZE, pageToken };
  const res = q.kind === "offers" ? await matchClient.searchOffers(req, { signal }) : await matchClient.searchDemands(req, { signal });
  return { rows: res.hits, total: res.totalSize, facets: res.facets, next: res.nextPageToken };
}

export function MarketPage() {
  const t = useT();
  const lang = useLang();
  const url = useLocation();
  const query = readQuery(url);
  const key = writeQuery(query);
  const { caller } = useSession();
  const isOperator = caller?.role === Role.OPERATOR;
  // The tokens of the pages before the current one, to go back.
  const [pages, setPages] = useState<string[]>([""]);
  const [text, setText] = useState(query.q);
  // Filters start open beside the results, folded above them on a phone.
  const [filtersOpen, setFiltersOpen] = useState(() => window.matchMedia("(min-width: 861px)").matches);
  // A new search (another address) starts at its first page, its words in the box.
  useEffect(() => { setPages([""]); setText(query.q); }, [key]);
  const pageToken = pages[pages.length - 1] ?? "";
  const result = useLoad((signal) => search(query, pageToken, signal), [key, pageToken]);
  const origins = useOrigins(isOperator, query.origin, result.data?.rows);
  useTitle(query.kind === "offers" ? t("market.offers") : t("market.demands"), t("site.name"));

  const update = (patch: Partial<Query>) => navigate(writeQuery({ ...query, ...patch }), { replace: true });
  const toggle = (list: string[], v: string) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);
  const facet = (field: string) => new Map((result.data?.facets.find((f) => f.field === field)?.counts ?? []).map((c) => [c.value, c.count]));
  const industryCounts = facet("industry");
  const regionCounts = facet("region");
  const trlCounts = facet("trl_band");
  const hasFacets = (result.data?.facets.length ?? 0) > 0;
  const facetCount = (m: Map<string, bigint>, v: string) => (hasFacets ? <span className="facet-count">{count(m.get(v) ?? 0n, lang)}</span> : null);

  function submit(e: FormEvent) {
    e.preventDefault();
    navigate(writeQuery({ ...query, q: text.trim() }));
  }

  return (
    <div className="market">
      <div className="page-head">
        <h1 tabIndex={-1}>{t("market.title")}</h1>
        <p className="lede">{t("market.lede")}</p>
      </div>

      <div className="tabs" role="tablist" aria-label={t("market.kind")}>
        {(["offers", "demands"] as const).map((k) => (
          <button key={k} type="button" role="tab" aria-selected={query.kind === k} className="tab"
            onClick={() => navigate(writeQuery({ ...query, kind: k }))}>
            {k === "offers" ? t("market.offers") : t("market.demands")}
          </button>
        ))}
      </div>

      <form className="search" role="search" onSubmit={submit}>
        <label htmlFor="q" className="sr-only">{t("market.searchLabel")}</label>
        <input id="q" type="search" value={text} onChange={(e) => setText(e.target.value)}
          placeholder={query.kind === "offers" ? t("market.placeholderOffers") : t("market.placeholderDemands")} />
        <button type="submit" className="btn btn-primary">{t("market.search")}</button>
      </form>

      <div className="market-body">
        <details className="filters" open={filtersOpen} onToggle={(e) => setFiltersOpen(e.currentTarget.open)}>
          <summary>{t("market.filters")}</summary>
          <fieldset>
            <legend>{t("field.industries")}</legend>
            <ul className="checks">
              {industries.map((i) => (
                <li key={i.code}>
                  <label>
                    <input type="checkbox" checked={query.industries.includes(i.code)}
                      onChange={() => update({ industries: toggle(query.industries, i.code) })} />
                    <span>{i[lang]}</span>{facetCount(industryCounts, i.code)}
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
          <fieldset>
            <legend>{t("field.region")}</legend>
            <ul className="checks">
              {regions.map((r) => (
                <li key={r}>
                  <label>
                    <input type="checkbox" checked={query.regions.includes(regionWords[r])}
                      onChange={() => update({ regions: toggle(query.regions, regionWords[r]) })} />
                    <span>{regionLabel(t, r)}</span>{facetCount(regionCounts, regionWords[r])}
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
          {!query.state && (
            <fieldset>
              <legend>{query.kind === "offers" ? t("field.trl") : t("field.minTrl")}</legend>
              <ul className="checks">
                <li><label><input type="radio" name="trl" checked={!query.trl} onChange={() => update({ trl: "" })} /><span>{t("market.anyTrl")}</span></label></li>
                {TRL_BANDS.map((b) => (
                  <li key={b.band}>
                    <label>
                      <input type="radio" name="trl" checked={query.trl === b.band} onChange={() => update({ trl: b.band })} />
                      <span>TRL {b.min}–{b.max}</span>{facetCount(trlCounts, b.band)}
                    </label>
                  </li>
                ))}
              </ul>
            </fieldset>
          )}
          {!query.state && (
            <fieldset>
              <legend>{t("origin.legend")}</legend>
              <ul className="checks">
                <li><label><input type="radio" name="origin" checked={!query.origin} onChange={() => update({ origin: "" })} /><span>{t("origin.all")}</span></label></li>
                <li><label><input type="radio" name="origin" checked={query.origin === "local"} onChange={() => update({ origin: "local" })} /><span>{t("origin.local")}</span></label></li>
                {origins.map((o) => (
                  <li key={o}>
                    <label>
                      <input type="radio" name="origin" checked={query.origin === o} onChange={() => update({ origin: o })} />
                      <span>{t("origin.market", { market: o })}</span>
                    </label>
                  </li>
                ))}
              </ul>
              {!isOperator && <p className="hint">{t("origin.hintOthers")}</p>}
            </fieldset>
          )}
          {isOperator && (
            <div className="field">
              <label htmlFor="state">{t("market.state")}</label>
              <select id="state" value={query.state} onChange={(e) => update({ state: e.target.value })}>
                <option value="">{t("market.statePublished")}</option>
                {browseStates.map((s) => <option key={s} value={stateWords[s]}>{stateLabel(t, s)}</option>)}
              </select>
              {query.state && <p className="hint">{t("market.stateHint")}</p>}
            </div>
          )}
        </details>

        <section className="results" aria-labelledby="results-heading" aria-busy={result.loading}>
          <h2 id="results-heading" className="results-head">
            {result.data?.total !== undefined
              ? t("market.total", { n: count(result.data.total, lang) })
              : t("market.results")}
          </h2>
          {result.error ? <ErrorNotice error={result.error} onRetry={result.reload} />
            : !result.data ? <Loading />
            : result.data.rows.length === 0 ? <Empty>{t("market.none")}</Empty>
            : (
              <ol className="hits">
                {result.data.rows.map((h) => (
                  <li key={h.name} className="hit">
                    <h3><Link to={listingPath(h.name)}>{h.title}</Link></h3>
                    {h.homeMarket && <p className="from">{t("listing.from", { market: h.homeMarket })}</p>}
                    <Snippet text={h.snippet} />
                  </li>
                ))}
              </ol>
            )}
          {result.data && (pages.length > 1 || result.data.next) && (
            <nav className="pager" aria-label={t("pager.label")}>
              <button type="button" className="btn" disabled={pages.length <= 1} onClick={() => setPages((p) => p.slice(0, -1))}>
                {t("pager.prev")}
              </button>
              <span>{t("pager.page", { n: pages.length })}</span>
              <button type="button" className="btn" disabled={!result.data.next}
                onClick={() => result.data && setPages((p) => [...p, result.data!.next])}>
                {t("pager.next")}
              </button>
            </nav>
          )}
        </section>
      </div>
    </div>
  );
}


/**
 * The linked markets to offer in the origin filter. Operators read the
 * links themselves; anyone else cannot (LinkService is for operators), so
 * they are offered the markets the results have shown so far, and the one
 * in the address, rather than a list that claims to be complete.
 */
function useOrigins(isOperator: boolean, current: string, rows: Row[] | undefined): string[] {
  const listed = useLoad((signal) => (isOperator ? linkClient.listLinks({}, { signal }) : Promise.resolve(undefined)), [isOperator]);
  const [seen, setSeen] = useState<string[]>([]);
  useEffect(() => {
    const fresh = (rows ?? []).flatMap((r) => (r.homeMarket ? [r.homeMarket] : []));
    setSeen((s) => (fresh.every((m) => s.includes(m)) ? s : [...new Set([...s, ...fresh])].sort()));
  }, [rows]);
  const names = isOperator && listed.data ? listed.data.links.map((l) => l.name.replace(/^links\//, "")) : seen;
  return current && current !== "local" && !names.includes(current) ? [...names, current] : names;
}
