// A passage with the shared or searched terms marked. The server marks
// them 【like this】; they become <mark>, everything else stays text (no
// HTML from the server is ever interpreted).
import { Fragment } from "react";

export function splitMarked(text: string): { text: string; marked: boolean }[] {
  const parts: { text: string; marked: boolean }[] = [];
  const re = /【([^【】]*)】/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) parts.push({ text: text.slice(last, m.index), marked: false });
    parts.push({ text: m[1]!, marked: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), marked: false });
  return parts;
}

export function Snippet({ text }: { text: string }) {
  if (!text) return null;
  return (
    <p className="snippet">
      {splitMarked(text).map((p, i) => (p.marked ? <mark key={i}>{p.text}</mark> : <Fragment key={i}>{p.text}</Fragment>))}
    </p>
  );
}
