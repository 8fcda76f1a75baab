// One match, explained: the overall score, any broken hard constraint in
// words, the passage with the shared terms marked, and each part of the
// score as a bar with its reason.
import type { Match, ScorePart } from "../gen/techmarket/v1/match_service_pb";
import { isMessageKey, useLang, useT } from "../i18n";
import { reasonText } from "../reasons";
import { Link, listingPath } from "../router";
import { percent } from "../format";
import { Snippet } from "./Snippet";
import type { ReactNode } from "react";

/** The features that are hard constraints of a demand: a value of 0 means broken. */
const HARD = new Set(["readiness", "price", "transfer_modes"]);

export function brokenConstraints(m: Match): ScorePart[] {
  return m.parts.filter((p) => HARD.has(p.feature) && p.value === 0);
}

export function MatchCard({ match, rank, actions }: { match: Match; rank: number; actions?: ReactNode }) {
  const t = useT();
  const lang = useLang();
  const broken = brokenConstraints(match);
  const penalty = match.parts.find((p) => p.feature === "constraints");
  return (
    <article className="match" aria-labelledby={`match-${rank}`}>
      <header className="match-head">
        <span className="rank" aria-label={t("match.rank", { rank })}>{rank}</span>
        <div className="match-title">
          <h3 id={`match-${rank}`}><Link to={listingPath(match.name)}>{match.title}</Link></h3>
          <p className="muted">
            {match.poster}
            {match.homeMarket && <span className="from">{t("listing.from", { market: match.homeMarket })}</span>}
          </p>
        </div>
        <p className="score" title={t("match.scoreHelp")}>
          <span className="score-value">{percent(match.score)}</span>
          <span className="score-label">{t("match.score")}</span>
        </p>
      </header>
      {broken.length > 0 && (
        <div className="notice notice-warn constraint" role="note">
          <strong>{t("match.broken")}</strong>
          <ul>
            {broken.map((p) => <li key={p.feature}>{featureLabel(t, p.feature)}：{reasonText(p.reason, lang)}</li>)}
          </ul>
          {penalty && <p className="muted">{t("match.penalty", { points: Math.round(-penalty.contribution * 100) })}</p>}
        </div>
      )}
      <Snippet text={match.snippet} />
      <p className="coverage">{t("match.coverage", { pct: percent(match.textCoverage) })}</p>
      {match.matchedTerms.length > 0 && (
        <ul className="terms" aria-label={t("match.terms")}>
          {match.matchedTerms.slice(0, 16).map((term) => <li key={term}>{term}</li>)}
        </ul>
      )}
      <ScoreParts parts={match.parts.filter((p) => p.feature !== "constraints")} />
      {actions && <div className="match-actions">{actions}</div>}
    </article>
  );
}

function featureLabel(t: ReturnType<typeof useT>, feature: string): string {
  const key = `feature.${feature}`;
  return isMessageKey(key) ? t(key) : feature;
}

/** The score's parts: value as a bar (0–1), what it adds, and why. */
export function ScoreParts({ parts }: { parts: ScorePart[] }) {
  const t = useT();
  const lang = useLang();
  return (
    <dl className="parts">
      {parts.map((p) => {
        const broken = HARD.has(p.feature) && p.value === 0;
        return (
          <div className={broken ? "part part-broken" : "part"} key={p.feature}>
            <dt>{featureLabel(t, p.feature)}</dt>
            <dd>
              <span className="bar" aria-hidden="true"><span style={{ width: `${Math.max(0, Math.min(1, p.value)) * 100}%` }} /></span>
              <span className="part-points">{p.contribution < 0 ? "" : "+"}{(p.contribution * 100).toFixed(1)}</span>
              <span className="part-reason">{p.reason ? reasonText(p.reason, lang) : t("match.noReason")}</span>
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
