// Small charts drawn as inline SVG: horizontal bars, paired bars and a
// funnel. Each is drawn at the width it is given, in CSS pixels, so its
// text keeps its size from a phone to a wide screen; each carries its
// numbers as a table for screen readers, since a picture of bars says
// nothing to them.
import { useEffect, useId, useRef, useState, type ReactNode } from "react";

export interface Datum {
  label: string;
  value: number;
}

const ROW = 26;
const VALUE_W = 52;

/** The label column: narrower on a phone. */
const labelWidth = (width: number) => (width < 420 ? 96 : 148);

/** The label cut to fit `px` (a CJK character ~13px, a Latin one ~7px), with an ellipsis. */
function fit(label: string, px: number): string {
  let used = 0;
  let out = "";
  for (const ch of label) {
    used += /[\u2e80-\uffff]/.test(ch) ? 13 : 7;
    if (used > px - 10) return out + "…";
    out += ch;
  }
  return out;
}

/** A row's label, cut to its column, the whole of it as the tooltip. */
function Label({ text, x, y }: { text: string; x: number; y: number }) {
  const shown = fit(text, x);
  return (
    <text x={x - 8} y={y} dominantBaseline="central" textAnchor="end" className="chart-label">
      {shown !== text && <title>{text}</title>}
      {shown}
    </text>
  );
}

/** A figure that measures its own width and draws its chart at that width. */
function Measured({ caption, id, children }: { caption: ReactNode; id: string; children: (width: number) => ReactNode }) {
  const ref = useRef<HTMLElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => entry && setWidth(Math.floor(entry.contentRect.width)));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return (
    <figure className="chart" ref={ref}>
      <figcaption id={id}>{caption}</figcaption>
      {width > 0 && children(width)}
    </figure>
  );
}

function DataTable({ caption, columns, rows }: { caption: string; columns: string[]; rows: (string | number)[][] }) {
  return (
    <table className="sr-only">
      <caption>{caption}</caption>
      <thead><tr>{columns.map((c) => <th key={c} scope="col">{c}</th>)}</tr></thead>
      <tbody>{rows.map((r, i) => <tr key={i}>{r.map((c, j) => (j === 0 ? <th key={j} scope="row">{c}</th> : <td key={j}>{c}</td>))}</tr>)}</tbody>
    </table>
  );
}

/** One bar per row, longest first as given. */
export function BarChart({ title, data, valueLabel, format = String }: { title: string; data: Datum[]; valueLabel: string; format?: (n: number) => string }) {
  const id = useId();
  const max = Math.max(1, ...data.map((d) => d.value));
  return (
    <Measured caption={title} id={id}>
      {(width) => {
        const label = labelWidth(width);
        const barW = width - label - VALUE_W;
        return (
          <>
            <svg width={width} height={data.length * ROW + 4} role="img" aria-labelledby={id}>
              {data.map((d, i) => (
                <g key={d.label} transform={`translate(0 ${i * ROW + 2})`}>
                  <Label text={d.label} x={label} y={ROW / 2} />
                  <rect x={label} y={4} width={Math.max(1, (d.value / max) * barW)} height={ROW - 8} rx={3} className="chart-bar" />
                  <text x={label + (d.value / max) * barW + 6} y={ROW / 2} dominantBaseline="central" className="chart-value">{format(d.value)}</text>
                </g>
              ))}
            </svg>
            <DataTable caption={title} columns={["", valueLabel]} rows={data.map((d) => [d.label, format(d.value)])} />
          </>
        );
      }}
    </Measured>
  );
}

/** Two bars per row (say offers and demands), with a legend. */
export function PairedBarChart({ title, rows, series }: { title: string; rows: { label: string; a: number; b: number }[]; series: [string, string] }) {
  const id = useId();
  const max = Math.max(1, ...rows.flatMap((r) => [r.a, r.b]));
  const rowH = 34;
  const caption = (
    <>
      {title}
      <span className="legend" aria-hidden="true">
        <span className="swatch swatch-a" />{series[0]}<span className="swatch swatch-b" />{series[1]}
      </span>
    </>
  );
  return (
    <Measured caption={caption} id={id}>
      {(width) => {
        const label = labelWidth(width);
        const barW = width - label - VALUE_W;
        return (
          <>
            <svg width={width} height={rows.length * rowH + 4} role="img" aria-labelledby={id}>
              {rows.map((r, i) => (
                <g key={r.label} transform={`translate(0 ${i * rowH + 2})`}>
                  <Label text={r.label} x={label} y={rowH / 2} />
                  <rect x={label} y={3} width={Math.max(1, (r.a / max) * barW)} height={12} rx={2} className="chart-bar-a" />
                  <text x={label + (r.a / max) * barW + 5} y={9} dominantBaseline="central" className="chart-value small">{r.a}</text>
                  <rect x={label} y={17} width={Math.max(1, (r.b / max) * barW)} height={12} rx={2} className="chart-bar-b" />
                  <text x={label + (r.b / max) * barW + 5} y={23} dominantBaseline="central" className="chart-value small">{r.b}</text>
                </g>
              ))}
            </svg>
            <DataTable caption={title} columns={["", ...series]} rows={rows.map((r) => [r.label, r.a, r.b])} />
          </>
        );
      }}
    </Measured>
  );
}

/** Steps from widest to narrowest, each with its share of the step before. */
export function FunnelChart({ title, steps, conversionLabel }: { title: string; steps: Datum[]; conversionLabel: (pct: string) => string }) {
  const id = useId();
  const max = Math.max(1, ...steps.map((s) => s.value));
  const h = 40;
  return (
    <Measured caption={title} id={id}>
      {(width) => {
        const label = labelWidth(width);
        const inner = width - label - 80;
        return (
          <>
            <svg width={width} height={steps.length * h + 4} role="img" aria-labelledby={id}>
              {steps.map((s, i) => {
                // A step is never drawn thinner than a sliver, so zero still shows where it is.
                const w = Math.max(3, (s.value / max) * inner);
                const left = label + (inner - w) / 2;
                // The number goes inside a bar wide enough for it, beside a narrow one.
                const inside = w > 44;
                const prev = i > 0 ? steps[i - 1]!.value : 0;
                const conv = i > 0 && prev > 0 ? `${Math.round((s.value / prev) * 100)}%` : "";
                return (
                  <g key={s.label} transform={`translate(0 ${i * h + 2})`}>
                    <Label text={s.label} x={label} y={h / 2} />
                    <rect x={left} y={5} width={w} height={h - 10} rx={4} className="chart-funnel" />
                    <text x={inside ? label + inner / 2 : left + w + 6} y={h / 2} dominantBaseline="central" textAnchor={inside ? "middle" : "start"}
                      className={inside ? "chart-funnel-value" : "chart-value"}>{s.value}</text>
                    {conv && <text x={label + inner + 8} y={h / 2} dominantBaseline="central" className="chart-value small">{conversionLabel(conv)}</text>}
                  </g>
                );
              })}
            </svg>
            <DataTable caption={title} columns={["", "n"]} rows={steps.map((s) => [s.label, s.value])} />
          </>
        );
      }}
    </Measured>
  );
}
