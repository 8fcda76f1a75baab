package quality

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"

	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

var now = time.Date(2026, 11, 20, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// completeOffer is an offer as the market wants them: specific title,
// summary, a description with figures, keywords, every side field.
func completeOffer() *techmarketv1.Offer {
	return &techmarketv1.Offer{
		ExternalId: "o-1",
		Title:      "焦炉荒煤气上升管余热回收制蒸汽技术",
		Summary:    "在焦炉上升管内设置换热器回收650–750℃荒煤气显热，产生0.6–1.6MPa饱和蒸汽，吨焦回收蒸汽约100kg。",
		Description: "成果简介：采用内壁耐高温涂层和纳米导热材料的上升管换热器，在不改变焦炉操作的条件下回收荒煤气显热，防止结焦挂渣和泄漏。\n" +
			"技术指标：吨焦产蒸汽90–110kg，蒸汽压力0.6–1.6MPa；换热器设计寿命≥10年；吨焦能耗降低约10kgce。\n" +
			"应用案例：已在山西、内蒙古6家焦化企业的12座焦炉上运行，最长连续运行5年。\n" +
			"知识产权：拥有发明专利2项、实用新型专利5项。\n合作方式：技术许可、工程总包。",
		Keywords:      []string{"上升管余热回收", "荒煤气", "焦炉", "饱和蒸汽"},
		Industries:    []string{"coal-chemical", "energy-saving"},
		Region:        techmarketv1.Region_REGION_INNER_MONGOLIA,
		TransferModes: []techmarketv1.TransferMode{techmarketv1.TransferMode_TRANSFER_MODE_LICENSE, techmarketv1.TransferMode_TRANSFER_MODE_SERVICE},
		Contact:       &techmarketv1.Contact{Name: "技术转移中心 王工", Phone: "0473-1234567"},
		Trl:           9,
		Price:         &techmarketv1.YuanRange{MinYuan: 2_000_000, MaxYuan: 8_000_000},
		Owner:         &techmarketv1.Owner{Name: "某大学能源学院", Type: techmarketv1.OwnerType_OWNER_TYPE_UNIVERSITY},
		Patents:       []*techmarketv1.Patent{{Number: "CN202310123456.7", Type: techmarketv1.PatentType_PATENT_TYPE_INVENTION}},
	}
}

func completeDemand() *techmarketv1.Demand {
	return &techmarketv1.Demand{
		ExternalId: "d-1",
		Title:      "电石渣浆压滤后含水高，寻求深度脱水及资源化利用方案",
		Summary:    "每年产生电石渣约40万吨，压滤后含水率35%左右，希望降到20%以下并用于脱硫剂或建材原料。",
		Description: "企业概况：公司在乌海经济开发区，电石法PVC产能40万吨/年。\n" +
			"需求内容：乙炔发生产生的电石渣浆经板框压滤后含水率约35%，堆存占地、运输费用高。希望将含水率降至20%以下，" +
			"并找到脱硫剂、水泥原料等稳定出路，处理成本不高于30元/吨。\n" +
			"对技术方的要求：有同类装置运行业绩，可提供工艺包和调试服务。",
		Keywords:      []string{"电石渣", "深度脱水", "资源化利用", "PVC"},
		Industries:    []string{"chlor-alkali", "environment"},
		Region:        techmarketv1.Region_REGION_WUHAI,
		TransferModes: []techmarketv1.TransferMode{techmarketv1.TransferMode_TRANSFER_MODE_ASSIGNMENT, techmarketv1.TransferMode_TRANSFER_MODE_SERVICE},
		Contact:       &techmarketv1.Contact{Name: "生产技术部 李工", Email: "li@example.com"},
		MinTrl:        7,
		Budget:        &techmarketv1.YuanRange{MinYuan: 3_000_000, MaxYuan: 6_000_000},
		Enterprise:    &techmarketv1.Enterprise{Name: "乌海市某氯碱化工有限公司"},
		Deadline:      "2027-06-30",
	}
}

func codes(r Report) []string {
	var cs []string
	for _, is := range r.Issues {
		cs = append(cs, is.Code)
	}
	return cs
}

func TestCompleteListingsScoreHigh(t *testing.T) {
	for _, l := range []listing.Listing{completeOffer(), completeDemand()} {
		if vs := listing.Validate(l); len(vs) != 0 {
			t.Fatalf("the test listing %q is invalid: %v", l.GetTitle(), vs)
		}
		r := Assess(l, now)
		if r.Score != 1 || len(r.Issues) != 0 {
			t.Errorf("%q: score %v, issues %v; want 1 and none", l.GetTitle(), r.Score, codes(r))
		}
	}
	// A typical good listing leaves out the contact and the summary: it
	// still scores at least 0.9, with nothing important to fix.
	o := completeOffer()
	o.Contact, o.Summary = nil, ""
	d := completeDemand()
	d.Contact, d.Summary = nil, ""
	for _, l := range []listing.Listing{o, d} {
		r := Assess(l, now)
		if r.Score < 0.9 {
			t.Errorf("%q without contact and summary: score %v (%v), want ≥ 0.9", l.GetTitle(), r.Score, codes(r))
		}
		for _, is := range r.Issues {
			if is.Severity == Important {
				t.Errorf("%q: important issue %s", l.GetTitle(), is.Code)
			}
		}
	}
}

func TestEachGapRaisesItsIssue(t *testing.T) {
	offerCases := []struct {
		code, field string
		change      func(*techmarketv1.Offer)
	}{
		{"vague_title", "title", func(o *techmarketv1.Offer) { o.Title = "余热回收" }},
		{"vague_title", "title", func(o *techmarketv1.Offer) { o.Title = "寻求煤焦化工技术合作项目" }},
		{"vague_title", "title", func(o *techmarketv1.Offer) { o.Title = "" }},
		{"missing_summary", "summary", func(o *techmarketv1.Offer) { o.Summary = "" }},
		{"short_summary", "summary", func(o *techmarketv1.Offer) { o.Summary = "回收荒煤气余热产生蒸汽。" }},
		{"title_repeats_summary", "summary", func(o *techmarketv1.Offer) { o.Summary = o.Title + "。" }},
		{"missing_description", "description", func(o *techmarketv1.Offer) { o.Description = "" }},
		{"short_description", "description", func(o *techmarketv1.Offer) {
			o.Description = "上升管换热器回收荒煤气显热，吨焦产蒸汽约100kg。"
		}},
		{"no_quantified_indicators", "description", func(o *techmarketv1.Offer) {
			o.Summary = "在焦炉上升管内设置换热器回收荒煤气显热，产生饱和蒸汽并入厂区管网。"
			o.Description = strings.Repeat("采用内壁耐高温涂层的上升管换热器，在不改变焦炉操作的条件下回收荒煤气显热，防止结焦挂渣和泄漏。", 2)
		}},
		{"no_keywords", "keywords", func(o *techmarketv1.Offer) { o.Keywords = nil }},
		{"no_keywords", "keywords", func(o *techmarketv1.Offer) { o.Keywords = []string{" ", ""} }},
		{"few_keywords", "keywords", func(o *techmarketv1.Offer) { o.Keywords = o.Keywords[:2] }},
		{"missing_industry", "industries", func(o *techmarketv1.Offer) { o.Industries = nil }},
		{"missing_transfer_modes", "transfer_modes", func(o *techmarketv1.Offer) { o.TransferModes = nil }},
		{"no_contact", "contact", func(o *techmarketv1.Offer) { o.Contact = nil }},
		{"no_contact", "contact", func(o *techmarketv1.Offer) { o.Contact = &techmarketv1.Contact{} }},
		{"missing_trl", "trl", func(o *techmarketv1.Offer) { o.Trl = 0 }},
		{"missing_price", "price", func(o *techmarketv1.Offer) { o.Price = nil }},
		{"missing_owner", "owner.name", func(o *techmarketv1.Offer) { o.Owner = nil }},
		{"missing_owner_type", "owner.type", func(o *techmarketv1.Offer) { o.Owner.Type = techmarketv1.OwnerType_OWNER_TYPE_UNSPECIFIED }},
		{"missing_patents", "patents", func(o *techmarketv1.Offer) { o.Patents = nil }},
	}
	for _, tc := range offerCases {
		o := completeOffer()
		tc.change(o)
		checkRaises(t, o, tc.code, tc.field)
	}

	demandCases := []struct {
		code, field string
		change      func(*techmarketv1.Demand)
	}{
		{"vague_title", "title", func(d *techmarketv1.Demand) { d.Title = "寻求氯碱化工技术" }},
		{"missing_summary", "summary", func(d *techmarketv1.Demand) { d.Summary = "  " }},
		{"missing_description", "description", func(d *techmarketv1.Demand) { d.Description = "" }},
		{"short_description", "description", func(d *techmarketv1.Demand) { d.Description = "电石渣含水率约35%，希望降到20%以下。" }},
		{"no_quantified_indicators", "description", func(d *techmarketv1.Demand) {
			d.Summary = "电石渣压滤后含水高，堆存和运输费用高，希望找到深度脱水办法和稳定出路。"
			d.Description = strings.Repeat("乙炔发生产生的电石渣浆经板框压滤后含水率仍然很高，堆存占地、运输费用高，希望降低含水率并找到稳定出路。", 2)
		}},
		{"no_keywords", "keywords", func(d *techmarketv1.Demand) { d.Keywords = nil }},
		{"few_keywords", "keywords", func(d *techmarketv1.Demand) { d.Keywords = []string{"电石渣"} }},
		{"missing_industry", "industries", func(d *techmarketv1.Demand) { d.Industries = nil }},
		{"missing_transfer_modes", "transfer_modes", func(d *techmarketv1.Demand) { d.TransferModes = nil }},
		{"no_contact", "contact", func(d *techmarketv1.Demand) { d.Contact = nil }},
		{"missing_budget", "budget", func(d *techmarketv1.Demand) { d.Budget = nil }},
		{"missing_enterprise", "enterprise.name", func(d *techmarketv1.Demand) { d.Enterprise = nil }},
		{"missing_min_trl", "min_trl", func(d *techmarketv1.Demand) { d.MinTrl = 0 }},
		{"deadline_soon", "deadline", func(d *techmarketv1.Demand) { d.Deadline = "2026-11-30" }},
		{"deadline_passed", "deadline", func(d *techmarketv1.Demand) { d.Deadline = "2026-11-19" }},
	}
	for _, tc := range demandCases {
		d := completeDemand()
		tc.change(d)
		checkRaises(t, d, tc.code, tc.field)
	}
}

// checkRaises asserts that the changed listing raises the issue, which
// lowers the score by its weight.
func checkRaises(t *testing.T, l listing.Listing, code, field string) {
	t.Helper()
	r := Assess(l, now)
	for _, is := range r.Issues {
		if is.Code == code {
			if is.Field != field {
				t.Errorf("%s: field %q, want %q", code, is.Field, field)
			}
			if r.Score > 1-is.Weight+1e-9 {
				t.Errorf("%s: score %v, want at most %v", code, r.Score, 1-is.Weight)
			}
			return
		}
	}
	t.Errorf("title %q: issues %v, want %s", l.GetTitle(), codes(r), code)
}

func TestTitleOnlyScoresLow(t *testing.T) {
	for _, l := range []listing.Listing{
		&techmarketv1.Offer{Title: "焦炉荒煤气上升管余热回收制蒸汽技术"},
		&techmarketv1.Demand{Title: "电石渣浆压滤后含水高，寻求深度脱水方案"},
		// What the validator lets through: title, industry and region.
		&techmarketv1.Offer{Title: "焦炉荒煤气上升管余热回收制蒸汽技术", Industries: []string{"coal-chemical"}, Region: techmarketv1.Region_REGION_WUHAI},
		&techmarketv1.Demand{Title: "电石渣浆压滤后含水高，寻求深度脱水方案", Industries: []string{"chlor-alkali"}, Region: techmarketv1.Region_REGION_WUHAI},
		// Even with a figure in the title: figures belong in the text.
		&techmarketv1.Demand{Title: "日处理500吨高盐废水零排放", Industries: []string{"water"}, Region: techmarketv1.Region_REGION_WUHAI},
	} {
		if r := Assess(l, now); r.Score > 0.3 {
			t.Errorf("%T %q: score %v (%v), want ≤ 0.3", l, l.GetTitle(), r.Score, codes(r))
		}
	}
	if r := Assess(&techmarketv1.Offer{}, now); r.Score != 0 {
		t.Errorf("empty offer: score %v, want 0", r.Score)
	}
}

func TestVagueTitle(t *testing.T) {
	tests := []struct {
		title string
		vague bool
	}{
		{"氢能技术合作", true},     // the industry name and generic words
		{"寻求新材料项目", true},    // likewise
		{"煤焦化工相关技术需求", true}, // likewise
		{"New technology cooperation", true},
		{"Hydrogen technology partnership", true}, // hydrogen is the industry
		{"余热回收", true},                            // specific but too short
		{"PVC", true},                             // too short
		{"焦炉煤气制氢技术", false},
		{"寻求PVC管材增韧技术", false},
		{"负极材料高温炉电费太高", false},
		{"电石渣堆成山，渣场快满了", false},
		{"MW-scale PEM electrolyser stacks", false},
		{"全钒液流电池储能系统", false},
	}
	for _, tt := range tests {
		r := Assess(&techmarketv1.Offer{Title: tt.title}, now)
		got := false
		for _, is := range r.Issues {
			got = got || is.Code == "vague_title"
		}
		if got != tt.vague {
			t.Errorf("%q: vague_title %v, want %v", tt.title, got, tt.vague)
		}
	}
}

func TestDeadline(t *testing.T) {
	tests := []struct {
		deadline string
		want     string // the deadline issue, "" for none
	}{
		{"", ""},
		{"2027-06-30", ""},
		{"2026-12-05", ""},                // 15 days left
		{"2026-12-03", "deadline_soon"},   // 13 days and a bit
		{"2026-11-20", "deadline_soon"},   // today: open until midnight
		{"2026-11-19", "deadline_passed"}, // yesterday
		{"2026/12/01", ""},                // malformed: the validator's job
	}
	for _, tt := range tests {
		d := completeDemand()
		d.Deadline = tt.deadline
		got := ""
		for _, is := range Assess(d, now).Issues {
			if is.Field == "deadline" {
				got = is.Code
			}
		}
		if got != tt.want {
			t.Errorf("deadline %q: got %q, want %q", tt.deadline, got, tt.want)
		}
	}
}

func TestIssuesAreOrderedAndWellFormed(t *testing.T) {
	snake := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	for _, l := range []listing.Listing{&techmarketv1.Offer{}, &techmarketv1.Demand{Deadline: "2026-11-01"}, &techmarketv1.Offer{Title: "x", Summary: "x"}} {
		r := Assess(l, now)
		again := Assess(proto.Clone(l).(listing.Listing), now)
		if diff := cmp.Diff(r, again); diff != "" {
			t.Errorf("Assess is not deterministic (-first +second)\n%s", diff)
		}
		for i, is := range r.Issues {
			if !snake.MatchString(is.Code) {
				t.Errorf("code %q is not snake_case", is.Code)
			}
			if is.Weight <= 0 || is.Weight > 0.3 {
				t.Errorf("%s: weight %v", is.Code, is.Weight)
			}
			if is.Severity < Info || is.Severity > Important {
				t.Errorf("%s: severity %v", is.Code, is.Severity)
			}
			if !hasHan(is.Message) || !hasHan(is.Suggestion) {
				t.Errorf("%s: message %q, suggestion %q: want Chinese", is.Code, is.Message, is.Suggestion)
			}
			if i == 0 {
				continue
			}
			p := r.Issues[i-1]
			if p.Severity < is.Severity ||
				p.Severity == is.Severity && p.Weight < is.Weight ||
				p.Severity == is.Severity && p.Weight == is.Weight && p.Code > is.Code {
				t.Errorf("%s (%v, %v) comes before %s (%v, %v)", p.Code, p.Severity, p.Weight, is.Code, is.Severity, is.Weight)
			}
		}
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func TestSeverityString(t *testing.T) {
	for s, want := range map[Severity]string{Info: "info", Warning: "warning", Important: "important", 9: "Severity(9)"} {
		if got := s.String(); got != want {
			t.Errorf("%d: %q, want %q", int(s), got, want)
		}
	}
}
