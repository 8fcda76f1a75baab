// Market statistics for operators: the funnel from listing to registered
// contract, listings by industry, state and origin (this market or the
// linked market they came through), deals by stage, over a range.
import { useState } from "react";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { stats as statsClient } from "../api/stats";
import type { Count } from "../gen/techmarket/v1/stats_service_pb";
import { industryName } from "../data/industries";
import { useLoad, useTitle } from "../hooks";
import { isMessageKey, useLang, useT } from "../i18n";
import { regionLabel, stageLabel, stateLabel } from "../labels";
import { count, yuan } from "../format";
import { Role, useSession } from "../session";
import { BarChart, FunnelChart, PairedBarChart } from "../components/charts";
import { ErrorNotice, Loading } from "../components/status";
import { Tile } from "../components/Tile";

const n = (c: Count) => Number(c.count);

export function StatsPage() {
  const t = useT();
  const lang = useLang();
  const { caller } = useSession();
  const isOperator = caller?.role === Role.OPERATOR;
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  useTitle(t("stats.title"), t("site.name"));
  const data = useLoad((signal) => (isOperator ? statsClient.getMarketStats({
    // Days in China time; the end date counts whole.
    startTime: from ? timestampFromDate(new Date(`${from}T00:00:00+08:00`)) : undefined,
    endTime: to ? timestampFromDate(new Date(new Date(`${to}T00:00:00+08:00`).getTime() + 86_400_000)) : undefined,
  }, { signal }) : Promise.resolve(undefined)), [isOperator, from, to]);

  if (!caller) return <Loading />;
  if (!isOperator) return <div className="narrow"><h1 tabIndex={-1}>{t("stats.title")}</h1><p className="notice notice-warn">{t("review.operatorsOnly")}</p></div>;
  const s = data.data;
  const funnelLabel = (k: string) => (isMessageKey(`funnel.${k}`) ? t(`funnel.${k}` as "funnel.listings") : stageLabel(t, k));
  const industryRows = s ? mergeIndustries(s.offers?.byIndustry ?? [], s.demands?.byIndustry ?? []) : [];
  return (
    <div className="stats">
      <div className="page-head">
        <h1 tabIndex={-1}>{t("stats.title")}</h1>
        <form className="range" onSubmit={(e) => e.preventDefault()}>
          <div className="field">
            <label htmlFor="from">{t("stats.from")}</label>
            <input id="from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="to">{t("stats.to")}</label>
            <input id="to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
          </div>
        </form>
      </div>
      {data.error ? <ErrorNotice error={data.error} onRetry={data.reload} /> : !s ? <Loading /> : (
        <>
          <div className="stats-tiles">
            <Tile label={t("stats.offers")} value={count(s.offers?.total ?? 0n, lang)} />
            <Tile label={t("stats.demands")} value={count(s.demands?.total ?? 0n, lang)} />
            <Tile label={t("stats.matches")} value={count(s.matchesServed, lang)} />
            <Tile label={t("stats.alerts")} value={count(s.alertsRaised, lang)} />
            <Tile label={t("stats.events")} value={count(s.events, lang)} />
            <Tile label={t("stats.meetings")} value={count(s.meetingsPlanned, lang)} />
            <Tile label={t("stats.contractValue")} value={yuan(s.contractValueYuan, lang)} />
          </div>
          <div className="chart-grid">
            <section className="panel">
              <FunnelChart title={t("stats.funnel")} steps={s.funnel.map((c) => ({ label: funnelLabel(c.key), value: n(c) }))}
                conversionLabel={(pct) => t("stats.conversion", { pct })} />
            </section>
            <section className="panel">
              <BarChart title={t("stats.dealsByStage")} valueLabel={t("stats.count")}
                data={s.dealsByStage.map((c) => ({ label: stageLabel(t, c.key), value: n(c) }))} />
              {s.dealsByStage.length === 0 && <p className="muted">{t("deals.none")}</p>}
            </section>
            <section className="panel wide">
              <PairedBarChart title={t("stats.byIndustry")} series={[t("stats.offers"), t("stats.demands")]}
                rows={industryRows.map((r) => ({ label: industryName(r.key, lang), a: r.a, b: r.b }))} />
            </section>
            <section className="panel">
              <BarChart title={t("stats.offersByState")} valueLabel={t("stats.count")} data={(s.offers?.byState ?? []).map((c) => ({ label: stateLabel(t, c.key), value: n(c) }))} />
              <BarChart title={t("stats.demandsByState")} valueLabel={t("stats.count")} data={(s.demands?.byState ?? []).map((c) => ({ label: stateLabel(t, c.key), value: n(c) }))} />
            </section>
            <section className="panel">
              <PairedBarChart title={t("stats.byRegion")} series={[t("stats.offers"), t("stats.demands")]}
                rows={mergeIndustries(s.offers?.byRegion ?? [], s.demands?.byRegion ?? []).map((r) => ({ label: regionLabel(t, r.key), a: r.a, b: r.b }))} />
            </section>
            <section className="panel" aria-label={t("stats.byOrigin")}>
              <PairedBarChart title={t("stats.byOrigin")} series={[t("stats.offers"), t("stats.demands")]}
                rows={mergeIndustries(s.offers?.byOrigin ?? [], s.demands?.byOrigin ?? []).map((r) => ({ label: r.key === "local" ? t("origin.local") : t("origin.market", { market: r.key }), a: r.a, b: r.b }))} />
            </section>
          </div>
        </>
      )}
    </div>
  );
}

/** One row per key of either side, the busiest first. */
function mergeIndustries(a: Count[], b: Count[]): { key: string; a: number; b: number }[] {
  const rows = new Map<string, { key: string; a: number; b: number }>();
  for (const c of a) rows.set(c.key, { key: c.key, a: n(c), b: 0 });
  for (const c of b) rows.set(c.key, { ...(rows.get(c.key) ?? { key: c.key, a: 0 }), b: n(c) });
  return [...rows.values()].sort((x, y) => y.a + y.b - (x.a + x.b));
}

