package quality

import (
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/wuhai-techmarket/techmarket/listing"
)

// size measures how much a text says: one per Chinese character and two per
// Latin word or figure (a word says about as much as two characters), so
// that the same thresholds hold for Chinese and English listings.
// Punctuation and spaces count nothing.
func size(s string) int {
	n := 0
	inWord := false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			n++
			inWord = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if !inWord {
				n += 2
			}
			inWord = true
		default:
			inWord = false
		}
	}
	return n
}

// normalize keeps the letters and digits of s, lower-cased, to compare two
// texts regardless of punctuation and spacing.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// genericZH are Chinese words that say nothing about which technology or
// which problem a listing is about: a title made only of them (and of
// industry names) is vague, such as 氢能技术合作 or 寻求新材料项目.
var genericZH = []string{
	"技术", "工艺", "项目", "合作", "需求", "寻求", "寻找", "征集", "求购", "招募",
	"研发", "开发", "研究", "转让", "许可", "成果", "转化", "方案", "解决", "问题",
	"关于", "有关", "相关", "一种", "一项", "新型", "先进", "高效", "优质", "创新",
	"科技", "应用", "产品", "服务", "企业", "公司", "伙伴", "单位", "领域", "行业",
	"方向", "方面", "系统", "装置", "设备", "平台", "改造", "升级", "提升", "推广",
	"化工", "煤化工", "能源", "环保", "节能", "环境", "农业", "医药", "装备", "制造",
	"智能", "数字", "信息", "材料", "资源", "综合", "利用", "产业", "生产", "高端",
	"的", "及", "和", "与", "等", "类", "用", "新", "之",
}

// genericEN are the English counterparts, matched as whole words.
var genericEN = []string{
	"technology", "technologies", "technical", "tech", "project", "projects",
	"cooperation", "partner", "partners", "partnership", "seeking", "seek",
	"wanted", "demand", "need", "needs", "solution", "solutions", "new",
	"advanced", "innovative", "efficient", "high", "research", "development",
	"application", "applications", "product", "products", "service", "services",
	"system", "systems", "equipment", "industry", "industrial", "and", "of",
	"for", "the", "a", "an", "in", "with", "to", "on",
}

var (
	genericOnce  sync.Once
	genericZHAll []string // with industry names, longest first
	genericENAll map[string]bool
)

// loadGeneric adds the industry table's names: a title that only names
// the industry (煤焦化工技术) does not say what the listing is about.
func loadGeneric() {
	zh := append([]string(nil), genericZH...)
	genericENAll = map[string]bool{}
	for _, w := range genericEN {
		genericENAll[w] = true
	}
	for _, ind := range listing.Industries() {
		zh = append(zh, ind.NameZH)
		// 节水与水处理 → 节水, 水处理
		zh = append(zh, strings.FieldsFunc(ind.NameZH, func(r rune) bool { return r == '与' || r == '及' })...)
		for _, w := range strings.FieldsFunc(strings.ToLower(ind.NameEN), func(r rune) bool { return !unicode.IsLetter(r) }) {
			genericENAll[w] = true
		}
	}
	sort.SliceStable(zh, func(i, j int) bool { return len([]rune(zh[i])) > len([]rune(zh[j])) })
	genericZHAll = zh
}

// specificSize is the size of what is left of a title once generic words
// and industry names are taken out.
func specificSize(title string) int {
	genericOnce.Do(loadGeneric)
	n := 0
	var han strings.Builder
	flushHan := func() {
		s := han.String()
		for _, g := range genericZHAll {
			s = strings.ReplaceAll(s, g, " ")
		}
		n += size(s)
		han.Reset()
	}
	for _, word := range strings.FieldsFunc(title, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		// A field mixes scripts (PVC管材): split it into Han runs and
		// Latin words.
		var latin strings.Builder
		flushLatin := func() {
			if w := strings.ToLower(latin.String()); w != "" && !genericENAll[w] {
				n += 2
			}
			latin.Reset()
		}
		for _, r := range word {
			if unicode.Is(unicode.Han, r) {
				flushLatin()
				han.WriteRune(r)
			} else {
				flushHan()
				latin.WriteRune(r)
			}
		}
		flushLatin()
		flushHan()
	}
	return n
}
