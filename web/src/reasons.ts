// The server explains every score part in English (match/rank.go). For
// Chinese readers the known sentences are rendered in Chinese here; a
// sentence the table does not know is shown as the server wrote it.
import type { Lang } from "./i18n";

const modeZh: Record<string, string> = {
  assignment: "转让", license: "许可", equity: "作价入股", "joint-development": "合作开发", service: "技术服务与咨询",
};

const side = (whose: string) => (whose === "offer's" ? "成果" : "需求");

const rules: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^covers (\d+)% of the (demand's|offer's) telling terms by weight: (.*?)(?: and (\d+) more)?$/,
    (m) => `覆盖${side(m[2]!)}关键术语的 ${m[1]}%（按权重）：${m[3]}${m[4] ? ` 等，另有 ${m[4]} 个` : ""}`],
  [/^shares none of the (demand's|offer's) telling terms$/, (m) => `与${side(m[1]!)}的关键术语没有重合`],
  [/^(\d+) of the industries in common$/, (m) => `${m[1]} 个行业相同`],
  [/^no industry in common$/, () => "没有相同的行业"],
  [/^TRL (\d+) meets the required (\d+)$/, (m) => `TRL ${m[1]}，达到要求的 ${m[2]} 级`],
  [/^TRL (\d+) is below the required (\d+)$/, (m) => `TRL ${m[1]}，低于要求的 ${m[2]} 级`],
  [/^readiness not stated on both sides$/, () => "有一方未说明技术成熟度"],
  [/^price or budget open to negotiation$/, () => "价格或预算面议"],
  [/^the price starts within the budget$/, () => "起价在预算之内"],
  [/^the price starts ([\d.]+)× the budget; negotiable$/, (m) => `起价为预算的 ${m[1]} 倍，尚可商议`],
  [/^the price starts ([\d.]+)× the budget$/, (m) => `起价为预算的 ${m[1]} 倍`],
  [/^transfer modes not stated on both sides$/, () => "有一方未说明转化方式"],
  [/^both accept (.+)$/, (m) => `双方都接受${modeZh[m[1]!] ?? m[1]}`],
  [/^no transfer mode in common$/, () => "没有共同的转化方式"],
  [/^same region$/, () => "同一地区"],
  [/^different regions$/, () => "不在同一地区"],
  [/^publication date unknown$/, () => "发布日期不详"],
  [/^published (\d+) days? ago$/, (m) => (m[1] === "0" ? "今天发布" : `${m[1]} 天前发布`)],
  [/^quality not assessed yet$/, () => "尚未评估信息质量"],
  [/^clear and complete$/, () => "信息清楚完整"],
  [/^quality ([\d.]+) of 1: details are missing$/, (m) => `信息质量 ${m[1]}（满分 1）：缺少细节`],
  [/^breaks a hard constraint of the demand$/, () => "不满足需求的硬性条件"],
  [/^its text fits less than (\d+)% as well as that of a listing ranked above it$/,
    (m) => `内容相关度不到排在其前的一条的 ${m[1]}%`],
];

export function reasonText(reason: string, lang: Lang): string {
  if (lang !== "zh") return reason;
  for (const [re, render] of rules) {
    const m = reason.match(re);
    if (m) return render(m);
  }
  return reason;
}
