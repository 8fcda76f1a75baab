// The server states its field rules in English (listing/validate.go, the
// link and introduction services). For Chinese readers the known
// sentences are rendered in Chinese; any other is shown as written.
import type { Lang } from "./i18n";

const rules: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^must not be empty$/, () => "不能为空"],
  [/^must not be empty: say who you are and what you want to discuss$/, () => "不能为空：请说明您是谁、想谈什么"],
  [/^must be at most (\d+) characters$/, (m) => `最多 ${m[1]} 个字`],
  [/^is not valid UTF-8$/, () => "含有无法识别的字符"],
  [/^contains the control character (.+)$/, (m) => `含有不允许的控制字符 ${m[1]}`],
  [/^at most (\d+) entries, got (\d+)$/, (m) => `最多 ${m[1]} 项，现有 ${m[2]} 项`],
  [/^at least one industry code is required/, () => "至少选择一个行业"],
  [/^unknown industry code "(.*)"/, (m) => `未知的行业代码“${m[1]}”`],
  [/^required: wuhai, inner-mongolia, domestic or international$/, () => "请选择地区"],
  [/^unknown transfer mode/, () => "未知的转化方式"],
  [/^(\S+) is listed twice$/, () => "重复选择了同一转化方式"],
  [/^not an e-mail address$/, () => "不是有效的电子邮箱地址"],
  [/^must be a readiness level from 1 to 9, got (-?\d+)$/, (m) => `成熟度须为 1 到 9 级，填写的是 ${m[1]}`],
  [/^must not be negative$/, () => "不能为负数"],
  [/^must be at most (\d+) yuan$/, (m) => `不能超过 ${m[1]} 元`],
  [/^(-?\d+) is below min_yuan (-?\d+); give the range low to high$/, (m) => `上限 ${m[1]} 低于下限 ${m[2]}，请从低到高填写`],
  [/^"(.*)" is not a date in the form YYYY-MM-DD$/, (m) => `“${m[1]}”不是 YYYY-MM-DD 格式的日期`],
  [/^must be the peer token the other market's operators issued for this market$/, () => "须填写对方市场运营人员为本市场发放的关联市场令牌"],
  [/^must be 1–40 lower-case letters, digits or -, starting with a letter/, () => "须为 1–40 个小写字母、数字或 -，以字母开头，例如 ordos"],
  [/^must be HOST:PORT of the other market's server/, () => "须为对方市场的 主机:端口，例如 market.ordos.example.cn:7733"],
];

export function violationText(description: string, lang: Lang): string {
  if (lang !== "zh") return description;
  for (const [re, render] of rules) {
    const m = description.match(re);
    if (m) return render(m);
  }
  return description;
}
