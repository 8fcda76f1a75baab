// Package quality tells a poster what to improve in an offer or a demand,
// and scores how complete and specific a listing is.
//
// Studies of technology markets find that few matches turn into contracts
// because listings are vague: a headline such as 新材料技术合作, no figures,
// no readiness level, no price, unclear rights. A buyer cannot judge fit
// from such a listing and does not call. Assess lists concretely what is
// missing, each issue with a plain Chinese message and suggestion for the
// poster (the market's users read Chinese), and sums the issues' weights
// into a score that ranking can use as a feature.
//
// Assess looks at what the poster wrote, never at output-only fields, and
// does not repeat the validator: a listing may be valid and still vague.
// It is deterministic, cheap (no I/O, no index) and may run on drafts.
//
// The checks and their weights:
//
//	code                      field            severity   weight  side
//	vague_title               title            important  0.12    both (under 6, or only generic words)
//	missing_description       description      important  0.25    both
//	short_description         description      warning    0.12    both (under 80 characters)
//	no_quantified_indicators  description      important  0.15    both (summary and description; see Indicators)
//	missing_industry          industries       important  0.10    both
//	missing_summary           summary          info       0.03    both
//	short_summary             summary          info       0.02    both (under 20)
//	title_repeats_summary     summary          info       0.03    both
//	no_keywords               keywords         warning    0.06    both
//	few_keywords              keywords         info       0.03    both (fewer than 3)
//	missing_transfer_modes    transfer_modes   warning    0.05    both
//	no_contact                contact          warning    0.04    both
//	missing_trl               trl              important  0.12    offer
//	missing_price             price            warning    0.05    offer
//	missing_owner             owner.name       warning    0.04    offer
//	missing_owner_type        owner.type       info       0.02    offer
//	missing_patents           patents          info       0.04    offer
//	missing_budget            budget           warning    0.08    demand
//	missing_enterprise        enterprise.name  warning    0.05    demand
//	missing_min_trl           min_trl          info       0.03    demand
//	deadline_passed           deadline         warning    0.06    demand
//	deadline_soon             deadline         info       0.02    demand (within 14 days)
//
// Lengths are counted in Chinese characters, a Latin word or figure
// counting two, so that English listings are held to the same bar.
//
// The weights are set so that a complete, specific listing scores 1 and a
// typical good one (no contact, no summary) stays at or above 0.9, while a
// listing with only a title (and the required industry and region) scores
// below 0.3: the description and its figures carry the most weight because
// they are what a counterpart reads before calling.
package quality

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// Severity says how much an issue matters to a counterpart.
type Severity int

const (
	// SeverityUnspecified is never used in a report.
	SeverityUnspecified Severity = iota
	// Info: worth adding; the listing works without it.
	Info
	// Warning: counterparts often need it before they call.
	Warning
	// Important: without it the listing is hard to judge at all.
	Important
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Important:
		return "important"
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// Issue is one thing the poster can improve.
type Issue struct {
	// Code is a stable machine code in snake_case, such as missing_trl.
	Code string
	// Field is the proto field path concerned (trl, price, owner.name),
	// "" if the issue is about the listing as a whole.
	Field string
	// Severity says how much the issue matters.
	Severity Severity
	// Message says what is wrong, in one plain Chinese sentence.
	Message string
	// Suggestion says concretely what to write, in Chinese.
	Suggestion string
	// Weight is how much the issue lowers the score.
	Weight float64
}

// Report is the outcome of Assess.
type Report struct {
	// Score is 1 minus the issues' weights, clamped to 0..1 and rounded to
	// three decimals; 1 means nothing to improve.
	Score float64
	// Issues, most important first: by severity, then weight (both
	// descending), then code.
	Issues []Issue
}

// Thresholds, in the units of size: Chinese characters, Latin words count
// two.
const (
	MinTitle        = 6
	MinSummary      = 20
	MinDescription  = 80
	MinKeywords     = 3
	DeadlineWarning = 14 * 24 * time.Hour
)

// Assess checks a listing for what a counterpart would miss. now is the
// current time, used for a demand's deadline: the deadline is a date, and
// the need is taken to stay open until the end of that day in now's time
// zone.
func Assess(l listing.Listing, now time.Time) Report {
	var a assessment
	_, isDemand := l.(*techmarketv1.Demand)
	a.common(l, isDemand)
	switch l := l.(type) {
	case *techmarketv1.Offer:
		a.offer(l)
	case *techmarketv1.Demand:
		a.demand(l, now)
	}
	sort.SliceStable(a.issues, func(i, j int) bool {
		x, y := a.issues[i], a.issues[j]
		if x.Severity != y.Severity {
			return x.Severity > y.Severity
		}
		if x.Weight != y.Weight {
			return x.Weight > y.Weight
		}
		return x.Code < y.Code
	})
	sum := 0.0
	for _, is := range a.issues {
		sum += is.Weight
	}
	score := math.Round(math.Max(0, math.Min(1, 1-sum))*1000) / 1000
	return Report{Score: score, Issues: a.issues}
}

type assessment struct{ issues []Issue }

func (a *assessment) add(code, field string, sev Severity, weight float64, msg, suggestion string) {
	a.issues = append(a.issues, Issue{Code: code, Field: field, Severity: sev, Message: msg, Suggestion: suggestion, Weight: weight})
}

// pick chooses the offer's or the demand's wording.
func pick(isDemand bool, offer, demand string) string {
	if isDemand {
		return demand
	}
	return offer
}

func (a *assessment) common(l listing.Listing, isDemand bool) {
	title := strings.TrimSpace(l.GetTitle())
	titleSuggestion := pick(isDemand,
		"标题写明技术对象和用途，如“焦炉荒煤气上升管余热回收制蒸汽技术”。",
		"标题写明具体问题或目标，如“焦炉上升管荒煤气余热回收，寻求产汽方案”。")
	switch n := size(title); {
	case n == 0:
		a.add("vague_title", "title", Important, 0.12, "缺少标题。", titleSuggestion)
	case n < MinTitle:
		a.add("vague_title", "title", Important, 0.12,
			fmt.Sprintf("标题只有%d个字，看不出具体是什么%s。", n, pick(isDemand, "技术", "需求")), titleSuggestion)
	case specificSize(title) < 2:
		a.add("vague_title", "title", Important, 0.12,
			fmt.Sprintf("标题只有“技术”“合作”或行业名称这类泛泛的词，没有说明具体%s。", pick(isDemand, "是什么技术", "要解决什么问题")), titleSuggestion)
	}

	summary := strings.TrimSpace(l.GetSummary())
	summarySuggestion := pick(isDemand,
		"用一两句话概括技术是什么、解决什么问题、关键指标是多少。",
		"用一两句话概括遇到的问题、现状数据和希望达到的目标。")
	switch ns, nt := normalize(summary), normalize(title); {
	case ns == "":
		a.add("missing_summary", "summary", Info, 0.03, "没有摘要，列表中只能看到标题。", summarySuggestion)
	case nt != "" && (strings.Contains(nt, ns) || strings.Contains(ns, nt) && size(summary)-size(title) < 8):
		a.add("title_repeats_summary", "summary", Info, 0.03, "摘要只是重复了标题，没有提供新的信息。",
			"摘要补充标题里没有的内容："+pick(isDemand, "适用场景、核心指标和成熟程度。", "现状数据、目标指标和期望的合作方式。"))
	case size(summary) < MinSummary:
		a.add("short_summary", "summary", Info, 0.02, fmt.Sprintf("摘要只有%d个字，不足以说明要点。", size(summary)), summarySuggestion)
	}

	desc := strings.TrimSpace(l.GetDescription())
	descSections := pick(isDemand,
		"“成果简介、技术指标、应用案例、知识产权、合作方式”",
		"“企业概况、需求内容（现状、问题、目标指标）、对技术方的要求”")
	switch n := size(desc); {
	case n == 0:
		a.add("missing_description", "description", Important, 0.25,
			pick(isDemand, "没有详细描述，企业无法判断技术是否适用。", "没有详细描述，技术方无法判断能否解决问题。"),
			"按"+descSections+"写出详细描述，不少于200字。")
	case n < MinDescription:
		a.add("short_description", "description", Warning, 0.12,
			fmt.Sprintf("描述只有约%d个字，信息太少。", n),
			"按"+descSections+"补充描述，不少于200字。")
	}

	if len(Indicators(summary+"\n"+desc)) == 0 {
		a.add("no_quantified_indicators", "description", Important, 0.15,
			pick(isDemand, "摘要和描述中没有可量化的技术指标，企业无法判断效果。", "摘要和描述中没有可量化的数据，技术方无法估计问题规模和目标。"),
			pick(isDemand,
				"在描述中给出可量化的技术指标，如转化率≥95%、能耗降低20%、处理量50吨/日。",
				"写明现状数据和目标，如现有废水300吨/日、COD 2000mg/L，要求出水COD≤50mg/L、吨水成本低于5元。"))
	}

	keywords := 0
	for _, k := range l.GetKeywords() {
		if strings.TrimSpace(k) != "" {
			keywords++
		}
	}
	switch {
	case keywords == 0:
		a.add("no_keywords", "keywords", Warning, 0.06, "没有关键词，检索和匹配不容易找到这条信息。",
			"填写3–5个关键词，包括技术或工艺名称、产品和应用行业，如“焦炉煤气”“制氢”“变压吸附”。")
	case keywords < MinKeywords:
		a.add("few_keywords", "keywords", Info, 0.03, fmt.Sprintf("关键词只有%d个。", keywords),
			"补充到3–5个关键词，包括同义词和常用简称。")
	}

	if len(l.GetIndustries()) == 0 {
		a.add("missing_industry", "industries", Important, 0.10, "没有选择所属行业，按行业查找的用户看不到这条信息。",
			"从行业表中选择1–2个最贴近的行业，如煤焦化工、氢能。")
	}
	if len(l.GetTransferModes()) == 0 {
		a.add("missing_transfer_modes", "transfer_modes", Warning, 0.05,
			pick(isDemand, "没有说明可接受的合作方式。", "没有说明希望以何种方式获得技术。"),
			"选择可接受的方式：转让、许可、作价入股、合作开发或技术服务。")
	}
	if c := l.GetContact(); c == nil || strings.TrimSpace(c.GetName()+c.GetPhone()+c.GetEmail()) == "" {
		a.add("no_contact", "contact", Warning, 0.04, "没有联系人信息，感兴趣的一方无法直接联系。",
			"填写联系人姓名及电话或邮箱（只对登录用户显示）。")
	}
}

func (a *assessment) offer(o *techmarketv1.Offer) {
	if o.GetTrl() == 0 {
		a.add("missing_trl", "trl", Important, 0.12, "没有填写技术成熟度（TRL），企业无法判断能否直接应用。",
			"按1–9级填写技术成熟度：实验室小试完成约为4级，中试完成约为6级，工业示范约为7–8级，已批量稳定生产为9级。")
	}
	if o.GetPrice() == nil {
		a.add("missing_price", "price", Warning, 0.05, "没有给出报价区间，企业无法判断是否在预算之内。",
			"给出参考价格区间，如50万–200万元；确需面议的，也请给出大致量级。")
	}
	switch ow := o.GetOwner(); {
	case strings.TrimSpace(ow.GetName()) == "":
		a.add("missing_owner", "owner.name", Warning, 0.04, "没有说明成果持有单位。",
			"填写成果持有单位名称及类型（高校、科研院所、企业或个人）。")
	case ow.GetType() == techmarketv1.OwnerType_OWNER_TYPE_UNSPECIFIED:
		a.add("missing_owner_type", "owner.type", Info, 0.02, "没有说明持有单位的类型。",
			"选择持有单位类型：高校、科研院所、企业或个人。")
	}
	if len(o.GetPatents()) == 0 {
		a.add("missing_patents", "patents", Info, 0.04, "没有列出专利等知识产权，权属不清会让企业有顾虑。",
			"列出相关专利号及类型（发明、实用新型等）；没有专利的，说明技术秘密、软件著作权等权属情况。")
	}
}

func (a *assessment) demand(d *techmarketv1.Demand, now time.Time) {
	if d.GetBudget() == nil {
		a.add("missing_budget", "budget", Warning, 0.08, "没有给出预算，技术方难以判断方案规模。",
			"给出可投入的经费区间，如100万–300万元；也可说明接受按节省的效益分成。")
	}
	if strings.TrimSpace(d.GetEnterprise().GetName()) == "" {
		a.add("missing_enterprise", "enterprise.name", Warning, 0.05, "没有填写需求企业名称。",
			"填写企业名称（可用“乌海市某焦化企业”这类不暴露名称的写法），让技术方了解需求方背景。")
	}
	if d.GetMinTrl() == 0 {
		a.add("missing_min_trl", "min_trl", Info, 0.03, "没有说明可接受的最低技术成熟度。",
			"说明需要的成熟程度：要求直接上线使用的填7级以上，愿意联合中试的可填4–6级。")
	}
	if dl := d.GetDeadline(); dl != "" {
		day, err := listing.ParseDeadline(dl)
		if err != nil {
			return // the validator reports it
		}
		// Open until the end of the day, in the caller's zone.
		end := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, now.Location()).AddDate(0, 0, 1)
		switch left := end.Sub(now); {
		case left <= 0:
			a.add("deadline_passed", "deadline", Warning, 0.06, fmt.Sprintf("需求的截止日期%s已过。", dl),
				"如仍需要技术，请更新截止日期；问题已解决的，请关闭需求。")
		case left <= DeadlineWarning:
			days := int(math.Ceil(left.Hours() / 24))
			a.add("deadline_soon", "deadline", Info, 0.02, fmt.Sprintf("需求将于%s截止，只剩%d天。", dl, days),
				"如需求仍然有效，请延长截止日期或重新发布。")
		}
	}
}
