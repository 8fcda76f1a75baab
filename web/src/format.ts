// Numbers, money and dates as people in the market read them: amounts in
// 万元/亿元 in Chinese, dates in China time (the market's own clock).
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Lang } from "./i18n";
import type { YuanRange } from "./gen/techmarket/v1/listing_pb";

const CHINA = "Asia/Shanghai";

export function yuan(amount: bigint | number, lang: Lang): string {
  const n = Number(amount);
  if (lang === "zh") {
    if (n >= 1e8) return `${trim(n / 1e8)} 亿元`;
    if (n >= 1e4) return `${trim(n / 1e4)} 万元`;
    return `${n.toLocaleString("zh-CN")} 元`;
  }
  if (n >= 1e9) return `¥${trim(n / 1e9)} bn`;
  if (n >= 1e6) return `¥${trim(n / 1e6)} m`;
  return `¥${n.toLocaleString("en")}`;
}

function trim(n: number): string {
  return Number(n.toFixed(2)).toString();
}

/** A price or budget range; undefined when none was given. */
export function yuanRange(r: YuanRange | undefined, lang: Lang): string | undefined {
  if (!r || (r.minYuan === 0n && r.maxYuan === 0n)) return undefined;
  if (r.maxYuan === 0n || r.maxYuan === r.minYuan) return yuan(r.minYuan, lang) + (r.maxYuan === 0n ? "+" : "");
  if (r.minYuan === 0n) return `≤ ${yuan(r.maxYuan, lang)}`;
  return `${yuan(r.minYuan, lang)} – ${yuan(r.maxYuan, lang)}`;
}

function locale(lang: Lang): string {
  return lang === "zh" ? "zh-CN" : "en-GB";
}

export function date(ts: Timestamp | undefined, lang: Lang): string {
  if (!ts) return "";
  return timestampDate(ts).toLocaleDateString(locale(lang), { timeZone: CHINA, year: "numeric", month: "short", day: "numeric" });
}

export function dateTime(ts: Timestamp | undefined, lang: Lang): string {
  if (!ts) return "";
  return timestampDate(ts).toLocaleString(locale(lang), {
    timeZone: CHINA, year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
  });
}

export function time(ts: Timestamp | undefined, lang: Lang): string {
  if (!ts) return "";
  return timestampDate(ts).toLocaleTimeString(locale(lang), { timeZone: CHINA, hour: "2-digit", minute: "2-digit" });
}

export function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

export function count(n: bigint | number, lang: Lang): string {
  return Number(n).toLocaleString(locale(lang));
}

/** The time of day of a moment in the browser, for "saved at 14:03". */
export function clock(d: Date, lang: Lang): string {
  return d.toLocaleTimeString(locale(lang), { timeZone: CHINA, hour: "2-digit", minute: "2-digit", second: "2-digit" });
}
