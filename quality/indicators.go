package quality

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Indicators returns the quantified indicators in text, in order: Arabic
// figures with a unit of measure (降低20%, 处理量50吨/日 → "50吨", 0.6MPa,
// 1–3万吨, 4.6 kWh), rates of things counted (2万包/年) and figures bounded
// by a comparison sign or word (≥95, ≤35μg, PUE低于1.25, 不超过3).
// A buyer or a technology provider judges fit from such figures, so a
// listing without any is hard to act on.
//
// What is deliberately not an indicator:
//   - a year: a four-digit figure from 1900 to 2100 directly before 年
//     (2023年, 2019–2023年); a duration keeps its unit (寿命10年, 3个月);
//   - an ordinal: a figure after 第 (第3代, 第2年);
//   - part of a code, model or formula: a figure right after a Latin
//     letter (IE3, JN60型, PM2.5, CO2), unless a unit follows at once
//     (COD2000mg/L is an indicator); standard numbers (GB 18613) carry no
//     unit;
//   - counts of things (2座焦炉, 5项专利, 6条生产线), dates (3月5日,
//     2023-05-01) and bare figures (5G, 50万) — no unit of measure follows;
//   - Chinese numerals (一千多吨): idioms such as 一年到头 and 三天两头
//     would read as durations, and posters are asked for Arabic figures.
//
// Full-width digits, decimal points and thousands separators (1,000吨),
// ranges (2–4个百分点, 5-150 %), one space before the unit, 余/多 after
// the figure (20余年) and the multipliers 万, 亿, 千 and 百 (110万吨) are
// understood.
func Indicators(text string) []string {
	rs := []rune(text)
	var out []string
	for i := 0; i < len(rs); {
		if !isDigit(rs[i]) {
			i++
			continue
		}
		span, end := indicatorAt(rs, i)
		if span != "" {
			out = append(out, span)
		}
		i = end
	}
	return out
}

// indicatorAt reads the figure starting at rs[start] and what follows it.
// It returns the indicator ("" if the figure is not one) and the index just
// past what it read.
func indicatorAt(rs []rune, start int) (string, int) {
	end := scanNumber(rs, start)
	if isOrdinal(rs, start) {
		return "", end
	}
	if start > 0 && isASCIILetter(rs[start-1]) {
		// Part of a name: a code, a model or a formula (IE3, JN60, CO2,
		// PM2.5), unless a Latin or symbol unit follows at once
		// (COD2000mg/L). A Chinese unit does not count there: in
		// CO2年排放量 and PM2.5年均浓度 the 年 starts the next word.
		if u, ok := unitAt(rs, end); ok && !unicode.Is(unicode.Han, []rune(u)[0]) {
			end += utf8.RuneCountInString(u)
			return string(rs[start:end]), end
		}
		return "", end
	}
	last := start // the figure the unit belongs to
	// A range: 2–4, 50~60, 1至3.
	if j := skipSpace(rs, end); j < len(rs) && strings.ContainsRune(rangeSeps, rs[j]) {
		if k := skipSpace(rs, j+1); k < len(rs) && isDigit(rs[k]) {
			last, end = k, scanNumber(rs, k)
		}
	}
	from, comparator := start, false
	if j := comparatorBefore(rs, start); j >= 0 {
		from, comparator = j, true
	}

	j := skipSpace(rs, end)
	if j < len(rs) && (rs[j] == '余' || rs[j] == '多') {
		j++
	}
	u, ok := unitAt(rs, j)
	multiplied := false
	if !ok && j < len(rs) && strings.ContainsRune(multipliers, rs[j]) {
		if u, ok = unitAt(rs, j+1); ok {
			j, multiplied = j+1, true
		}
	}
	switch {
	case ok && u == "年" && !multiplied && isYear(rs[last:end]) && !comparator:
		return "", j + utf8.RuneCountInString(u)
	case ok:
		j += utf8.RuneCountInString(u)
		return string(rs[from:j]), j
	}
	// A rate of things counted: 2万包/年, 300台/月.
	k := j
	if k < len(rs) && strings.ContainsRune(multipliers, rs[k]) {
		k++
	}
	if k+2 < len(rs) && unicode.Is(unicode.Han, rs[k]) && rs[k+1] == '/' {
		if rest := rs[k+2]; unicode.Is(unicode.Han, rest) || isASCIILetter(rest) {
			return string(rs[from : k+3]), k + 3
		}
	}
	if comparator {
		return string(rs[from:end]), end
	}
	return "", end
}

// comparatorBefore returns where a comparison sign or word (≥, 低于,
// 不超过…) directly before rs[start] begins, or -1.
func comparatorBefore(rs []rune, start int) int {
	j := skipSpaceBack(rs, start)
	if j > 0 && strings.ContainsRune(comparators, rs[j-1]) {
		return j - 1
	}
	for _, w := range comparatorWords {
		wr := []rune(w)
		if j >= len(wr) && string(rs[j-len(wr):j]) == w {
			if k := j - len(wr); k > 0 && rs[k-1] == '不' {
				return k - 1
			}
			return j - len(wr)
		}
	}
	return -1
}

// comparatorWords bound a figure in words; 不 before them is taken along
// (不低于, 不超过).
var comparatorWords = []string{"低于", "高于", "小于", "大于", "少于", "多于", "超过", "优于"}

const (
	rangeSeps   = "-–—~～至到"
	comparators = "≥≤≧≦＞＜><±"
	multipliers = "万亿千百"
)

func isDigit(r rune) bool { return r >= '0' && r <= '9' || r >= '０' && r <= '９' }

func isASCIILetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

func isSpace(r rune) bool { return r == ' ' || r == '\u00a0' || r == '\u3000' }

// scanNumber returns the index past the figure at rs[i]: digits with
// decimal points and thousands separators between them.
func scanNumber(rs []rune, i int) int {
	for i < len(rs) {
		switch {
		case isDigit(rs[i]):
			i++
		case (rs[i] == '.' || rs[i] == '．' || rs[i] == ',') && i+1 < len(rs) && isDigit(rs[i+1]):
			i++
		default:
			return i
		}
	}
	return i
}

func isOrdinal(rs []rune, i int) bool {
	j := skipSpaceBack(rs, i)
	return j > 0 && rs[j-1] == '第'
}

// isYear reports whether a figure is a plausible calendar year.
func isYear(fig []rune) bool {
	if len(fig) != 4 {
		return false
	}
	n := 0
	for _, r := range fig {
		if !isDigit(r) {
			return false
		}
		if r >= '０' {
			r = r - '０' + '0'
		}
		n = n*10 + int(r-'0')
	}
	return n >= 1900 && n <= 2100
}

// skipSpace skips at most one space.
func skipSpace(rs []rune, i int) int {
	if i < len(rs) && isSpace(rs[i]) {
		return i + 1
	}
	return i
}

func skipSpaceBack(rs []rune, i int) int {
	if i > 0 && isSpace(rs[i-1]) {
		return i - 1
	}
	return i
}

// units are the units of measure an indicator may carry. Units of one
// Latin letter match case-sensitively (5G is a network, not five grams);
// longer Latin units ignore case (9000KW, 10kw). A unit ending in a Latin
// letter must not run on into a word (5 steps is no five seconds).
var units = []string{
	// shares
	"%", "％", "‰", "个百分点", "百分点", "wt%", "vol%", "percent", "倍",
	// mass
	"吨", "千克", "公斤", "克", "毫克", "t", "kg", "g", "mg", "μg", "ug", "tons", "tonnes", "ton", "tonne",
	// money
	"元", "美元", "欧元",
	// energy, power, electricity
	"千瓦时", "千瓦", "兆瓦", "度", "Wh", "kWh", "MWh", "GWh", "W", "kW", "MW", "GW",
	"kJ", "MJ", "GJ", "kcal", "V", "kV", "kVA", "MVA", "Hz", "kHz", "MHz", "GHz", "Ah", "mAh",
	// temperature, pressure
	"℃", "°C", "°", "摄氏度", "Pa", "kPa", "MPa", "GPa", "bar", "帕", "千帕", "兆帕",
	// length, area, volume
	"米", "毫米", "厘米", "微米", "纳米", "公里", "千米", "m", "mm", "cm", "km", "μm", "um", "nm",
	"平方米", "平米", "平方公里", "亩", "公顷", "m²", "m2", "km²", "km2",
	"立方米", "立方", "m³", "m3", "Nm³", "Nm3", "L", "mL", "ml", "毫升",
	// time
	"小时", "分钟", "秒", "天", "年", "个月", "周", "h", "min", "s", "ms",
	"hours", "hour", "days", "day", "weeks", "week", "months", "month", "years", "year",
	// concentration, speed, sound, data, counts of repetitions
	"ppm", "ppb", "rpm", "dB", "次", "cycles", "GB", "TB", "Mbps", "Gbps",
}

// unitRunes holds units, in the same order, as runes: unitAt runs for
// every figure of every listing written, and converting each unit on each
// call was most of an import's quality check.
var unitRunes [][]rune

func init() {
	// Longest first, so that kWh wins over kW and 个百分点 over 百分点.
	sort.SliceStable(units, func(i, j int) bool {
		return utf8.RuneCountInString(units[i]) > utf8.RuneCountInString(units[j])
	})
	for _, u := range units {
		unitRunes = append(unitRunes, []rune(u))
	}
}

// unitAt returns the unit that starts at rs[i], if any.
func unitAt(rs []rune, i int) (string, bool) {
	for k, ur := range unitRunes {
		if i+len(ur) > len(rs) {
			continue
		}
		got := rs[i : i+len(ur)]
		if !slices.Equal(got, ur) && (len(ur) == 1 || !equalFold(got, ur)) {
			continue
		}
		if isASCIILetter(ur[len(ur)-1]) && i+len(ur) < len(rs) && isASCIILetter(rs[i+len(ur)]) {
			continue
		}
		return units[k], true
	}
	return "", false
}

// equalFold is strings.EqualFold for runes of equal count: each pair of
// runes equal under Unicode simple case folding.
func equalFold(a, b []rune) bool {
	for i, r := range a {
		if !foldEqual(r, b[i]) {
			return false
		}
	}
	return true
}

// foldEqual reports whether r and t are the same rune under simple case
// folding, as strings.EqualFold decides it.
func foldEqual(r, t rune) bool {
	if r == t {
		return true
	}
	if t < r {
		r, t = t, r
	}
	if t < utf8.RuneSelf {
		return 'A' <= r && r <= 'Z' && t == r+'a'-'A'
	}
	f := unicode.SimpleFold(r)
	for f != r && f < t {
		f = unicode.SimpleFold(f)
	}
	return f == t
}
