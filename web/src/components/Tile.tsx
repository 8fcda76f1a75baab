/** One headline number with what it counts. */
export function Tile({ label, value }: { label: string; value: number | string }) {
  return <div className="tile"><p className="tile-value">{value}</p><p className="tile-label">{label}</p></div>;
}
