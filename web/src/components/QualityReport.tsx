// What would make a listing clearer, from ReviewService.GetQualityReport.
import type { QualityReport as Report } from "../gen/techmarket/v1/review_service_pb";
import { isMessageKey, useT } from "../i18n";
import { wordLabel } from "../labels";
import { percent } from "../format";

export function QualityReport({ report }: { report: Report }) {
  const t = useT();
  const fieldLabel = (f: string) => {
    const key = `field.${f.replace(/\..*$/, "").replace(/_(\w)/g, (_, c: string) => c.toUpperCase())}`;
    return isMessageKey(key) ? t(key) : f;
  };
  return (
    <div className="quality">
      <p className="quality-score">
        <span className="meter" aria-hidden="true"><span style={{ width: percent(report.score) }} /></span>
        <span>{t("quality.score", { pct: percent(report.score) })}</span>
      </p>
      {report.issues.length === 0 ? (
        <p>{t("quality.none")}</p>
      ) : (
        <ul className="issues">
          {report.issues.map((i) => (
            <li key={i.code + i.field} className={`issue issue-${i.severity}`}>
              <p>
                <span className="severity">{wordLabel(t, "severity", i.severity)}</span>
                {i.field && <span className="issue-field">{fieldLabel(i.field)}</span>}
                {i.message}
              </p>
              {i.suggestion && <p className="muted">{i.suggestion}</p>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
