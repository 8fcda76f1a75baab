package listing

import "strings"

// Section is a stretch of a listing's description with how much it says
// about the technology or the need itself.
type Section struct {
	Text   string
	Weight float64
}

// Listings follow templates: offers have 成果简介/技术指标/应用前景/知识产权/
// 单位简介/合作方式 sections, demands 企业概况/需求内容/对技术方的要求 and a
// closing invitation. The profile, market, IP and cooperation sections are
// written from shared boilerplate and describe the poster, not the
// technology or the problem, so matching listens to them much less.
var sectionWeights = []struct {
	label  string // matched as a substring of the section label, first match wins
	weight float64
}{
	{"概况", AsideWeight}, {"单位简介", AsideWeight}, {"公司简介", AsideWeight}, {"企业简介", AsideWeight},
	{"前景", AsideWeight}, {"背景", AsideWeight}, {"知识产权", AsideWeight}, {"专利", AsideWeight},
	{"合作", AsideWeight}, {"报价", AsideWeight}, {"商务", AsideWeight}, {"联系", AsideWeight},
	{"需求", 1.3}, {"问题", 1.3}, {"痛点", 1.3},
	{"要求", 0.7},
}

// AsideWeight is the weight of sections about the poster rather than the
// technology or the need; at or below it a section is an aside.
const AsideWeight = 0.15

// invitations mark an unlabelled closing line asking for contact.
var invitations = []string{"有意向", "欢迎", "请与", "联系"}

// Sections splits a description into its template sections. A line that
// starts with a short label and a colon (`应用前景：…`) opens a section that
// runs until the next label; text before any label has weight 1.
func Sections(text string) []Section {
	var out []Section
	current := 1.0
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if label, _, ok := cutLabel(line); ok {
			current = labelWeight(label)
		} else if hasAny(line, invitations) {
			out = append(out, Section{Text: line, Weight: AsideWeight})
			continue
		}
		out = append(out, Section{Text: line, Weight: current})
	}
	return out
}

// cutLabel splits `标签：正文` when the label is short (2–8 characters)
// and has no sentence punctuation.
func cutLabel(line string) (label, rest string, ok bool) {
	i := strings.IndexAny(line, "：:")
	if i < 0 {
		return "", "", false
	}
	label = strings.TrimSpace(line[:i])
	n := len([]rune(label))
	if n < 2 || n > 8 || strings.ContainsAny(label, "，。；,.;") {
		return "", "", false
	}
	return label, line[i:], true
}

func labelWeight(label string) float64 {
	for _, sw := range sectionWeights {
		if strings.Contains(label, sw.label) {
			return sw.weight
		}
	}
	return 1
}

func hasAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
