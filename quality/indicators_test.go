package quality

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestIndicators(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		// Figures with units.
		{"能耗降低20%", []string{"20%"}},
		{"结晶盐NaCl≥92％", []string{"≥92％"}},
		{"处理量50吨/日", []string{"50吨"}},
		{"效率提高2–4个百分点", []string{"2–4个百分点"}},
		{"年产焦炭约110万吨", []string{"110万吨"}},
		{"产生0.6MPa以上的饱和蒸汽", []string{"0.6MPa"}},
		{"在1450℃水泥回转窑中煅烧", []string{"1450℃"}},
		{"单线能力1–3万吨/年", []string{"1–3万吨"}},
		{"装机9000KW", []string{"9000KW"}},
		{"电耗4.6 kWh/Nm3", []string{"4.6 kWh"}},
		{"load range 5-150 % in under 10 s", []string{"5-150 %", "10 s"}},
		{"30 bar without a compressor", []string{"30 bar"}},
		{"intervals extended from 2-4 weeks", []string{"2-4 weeks"}},
		{"纯度９９．９％", []string{"９９．９％"}},
		{"年处理1,000吨", []string{"1,000吨"}},
		{"质保3年，寿命10年以上", []string{"3年", "10年"}},
		{"调试周期3个月", []string{"3个月"}},
		{"服务过20余年", []string{"20余年"}},
		{"成本降低300元/吨", []string{"300元"}},
		{"投资1.2亿元", []string{"1.2亿元"}},
		{"番茄年产量60kg/m²", []string{"60kg"}},
		{"循环寿命>15000次", []string{">15000次"}},
		{"单线产能2万包/年", []string{"2万包/年"}},
		{"COD2000mg/L", []string{"2000mg"}},
		// Bounds without a unit.
		{"纯度≥95", []string{"≥95"}},
		{"要求PUE低于1.25", []string{"低于1.25"}},
		{"不超过3", []string{"不超过3"}},
		{"PM2.5≤35μg/m³", []string{"≤35μg"}},
		// Not indicators.
		{"2023年", nil},                 // a year, not a duration
		{"2019–2023年完成中试", nil},        // a range of years
		{"第3代技术", nil},                 // an ordinal
		{"第2年开始盈利", nil},               // an ordinal, though 年 is a unit
		{"IE3能效等级", nil},               // a code
		{"JN60型焦炉", nil},               // a model
		{"CO2年排放量大", nil},              // a formula; 年 begins the next word
		{"PM2.5年均浓度", nil},             // likewise
		{"满足GB 18613要求", nil},          // a standard number
		{"2座焦炉", nil},                  // a count of things
		{"5项专利", nil},                  // likewise
		{"5G网络", nil},                  // a single-letter unit is case-sensitive
		{"3月5日投产", nil},                // a date
		{"2023-05-01", nil},            // likewise
		{"1,2-二氯乙烷", nil},              // a chemical name
		{"年产一千多吨", nil},                // Chinese numerals are not read
		{"只要50万", nil},                 // a bare figure
		{"2 steps", nil},               // s does not run on into a word
		{"no figures at all", nil},     // nothing
		{"", nil},                      // nothing
		{"H2O2和Y2系列电机", nil},           // formulas and series
		{"80", nil},                    // a lone figure
		{"温度≥", nil},                   // a sign with no figure
		{"1/2", nil},                   // a fraction
		{"于2023年12月", nil},             // a date with a year
		{"第 3 代", nil},                 // an ordinal with a space
		{"设备3台", nil},                  // a count
		{"能效IE3，寿命3年", []string{"3年"}}, // a code next to an indicator
	}
	for _, tt := range tests {
		got := Indicators(tt.text)
		if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Indicators(%q) (-want +got)\n%s", tt.text, diff)
		}
	}
}

func TestSize(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"", 0},
		{"焦炉煤气制氢", 6},
		{"焦炉煤气，制氢。", 6},
		{"PEM electrolyser stacks", 6},
		{"IE3电机", 4},
		{"  ", 0},
	}
	for _, tt := range tests {
		if got := size(tt.text); got != tt.want {
			t.Errorf("size(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}

// TestEqualFoldAsStrings: units are compared rune by rune; the comparison
// must agree with strings.EqualFold, which decided it before, on ASCII,
// on runes whose folding orbit has three members (k, K and the Kelvin
// sign; s, S and ſ) and on Chinese.
func TestEqualFoldAsStrings(t *testing.T) {
	runes := []rune("aAzZkKsSmMgG@[`{0µμΜſ\u212a\u212b\u00e5\u00c5吨℃°")
	for _, r := range runes {
		for _, u := range runes {
			if got, want := foldEqual(r, u), strings.EqualFold(string(r), string(u)); got != want {
				t.Errorf("foldEqual(%q, %q) = %v, strings.EqualFold says %v", r, u, got, want)
			}
		}
	}
	for _, tt := range []struct{ a, b string }{{"KWH", "kWh"}, {"kwh", "kWh"}, {"MPA", "MPa"}, {"千瓦时", "千瓦时"}, {"kWh", "kWs"}} {
		if got, want := equalFold([]rune(tt.a), []rune(tt.b)), strings.EqualFold(tt.a, tt.b); got != want {
			t.Errorf("equalFold(%q, %q) = %v, strings.EqualFold says %v", tt.a, tt.b, got, want)
		}
	}
}
