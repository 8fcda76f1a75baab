package listing

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// Limits of a listing. The first four are FORMAT.md's; the rest keep one
// listing to a size a person could have written, so that a hostile client
// cannot make the service store or index megabytes through a side field.
const (
	MaxExternalID  = 128
	MaxTitle       = 200
	MaxSummary     = 1000
	MaxDescription = 20000
	MaxKeywords    = 30
	MaxKeyword     = 50
	MaxIndustries  = 8
	MaxPatents     = 50
	MaxPatent      = 50
	MaxName        = 200 // owner, enterprise and contact names
	MaxPhone       = 50
	MaxEmail       = 200
	MaxYuan        = 10_000_000_000_000 // ten trillion yuan: above any real contract
)

// Violation is one broken rule: the field, in proto path form relative to
// the listing (`title`, `price.max_yuan`, `keywords[3]`), and what is wrong.
type Violation struct {
	Field       string
	Description string
}

func (v Violation) String() string { return v.Field + ": " + v.Description }

type violations []Violation

func (vs *violations) add(field, format string, args ...any) {
	*vs = append(*vs, Violation{Field: field, Description: fmt.Sprintf(format, args...)})
}

// Validate checks a listing against every limit and code table. It returns
// nil when the listing may be stored. Output-only fields are not checked:
// the service overwrites them.
func Validate(l Listing) []Violation {
	var vs violations
	vs.text("external_id", l.GetExternalId(), 0, MaxExternalID, false)
	vs.text("title", l.GetTitle(), 1, MaxTitle, false)
	vs.text("summary", l.GetSummary(), 0, MaxSummary, true)
	vs.text("description", l.GetDescription(), 0, MaxDescription, true)
	list(&vs, "keywords", l.GetKeywords(), MaxKeywords, func(field, kw string) {
		vs.text(field, kw, 1, MaxKeyword, false)
	})
	if len(l.GetIndustries()) == 0 {
		vs.add("industries", "at least one industry code is required, such as coal-chemical or hydrogen")
	}
	list(&vs, "industries", l.GetIndustries(), MaxIndustries, func(field, code string) {
		if _, ok := LookupIndustry(code); !ok {
			vs.add(field, "unknown industry code %q; see industries.tsv for the codes", clip(code))
		}
	})
	if _, ok := techmarketv1.Region_name[int32(l.GetRegion())]; !ok || l.GetRegion() == techmarketv1.Region_REGION_UNSPECIFIED {
		vs.add("region", "required: wuhai, inner-mongolia, domestic or international")
	}
	seenModes := map[techmarketv1.TransferMode]bool{}
	for i, m := range l.GetTransferModes() {
		field := fmt.Sprintf("transfer_modes[%d]", i)
		switch _, known := techmarketv1.TransferMode_name[int32(m)]; {
		case !known || m == techmarketv1.TransferMode_TRANSFER_MODE_UNSPECIFIED:
			vs.add(field, "unknown transfer mode %d", m)
		case seenModes[m]:
			vs.add(field, "%s is listed twice", m)
		}
		seenModes[m] = true
	}
	if c := l.GetContact(); c != nil {
		vs.text("contact.name", c.GetName(), 0, MaxName, false)
		vs.text("contact.phone", c.GetPhone(), 0, MaxPhone, false)
		vs.text("contact.email", c.GetEmail(), 0, MaxEmail, false)
		if e := c.GetEmail(); e != "" && !strings.Contains(e, "@") {
			vs.add("contact.email", "not an e-mail address")
		}
	}
	if _, ok := techmarketv1.Language_name[int32(l.GetLanguage())]; !ok {
		vs.add("language", "unknown language %d", l.GetLanguage())
	}
	switch l := l.(type) {
	case *techmarketv1.Offer:
		vs.offer(l)
	case *techmarketv1.Demand:
		vs.demand(l)
	}
	return vs
}

func (vs *violations) offer(o *techmarketv1.Offer) {
	vs.trl("trl", o.GetTrl())
	vs.yuan("price", o.GetPrice())
	if ow := o.GetOwner(); ow != nil {
		vs.text("owner.name", ow.GetName(), 0, MaxName, false)
		if _, ok := techmarketv1.OwnerType_name[int32(ow.GetType())]; !ok {
			vs.add("owner.type", "unknown owner type %d", ow.GetType())
		}
	}
	list(vs, "patents", o.GetPatents(), MaxPatents, func(field string, p *techmarketv1.Patent) {
		vs.text(field+".number", p.GetNumber(), 1, MaxPatent, false)
		if _, ok := techmarketv1.PatentType_name[int32(p.GetType())]; !ok {
			vs.add(field+".type", "unknown patent type %d", p.GetType())
		}
	})
}

func (vs *violations) demand(d *techmarketv1.Demand) {
	vs.trl("min_trl", d.GetMinTrl())
	vs.yuan("budget", d.GetBudget())
	if e := d.GetEnterprise(); e != nil {
		vs.text("enterprise.name", e.GetName(), 0, MaxName, false)
	}
	if dl := d.GetDeadline(); dl != "" {
		if _, err := ParseDeadline(dl); err != nil {
			vs.add("deadline", "%q is not a date in the form YYYY-MM-DD", clip(dl))
		}
	}
}

// ParseDeadline reads a demand's `YYYY-MM-DD` deadline.
func ParseDeadline(s string) (time.Time, error) { return time.Parse(time.DateOnly, s) }

// ChinaTime is China Standard Time, in which the market writes its dates:
// deadlines end at its midnight, agendas and reminders are shown in it.
var ChinaTime = time.FixedZone("CST", 8*60*60)

func (vs *violations) trl(field string, v int32) {
	if v < 0 || v > 9 {
		vs.add(field, "must be a readiness level from 1 to 9, got %d", v)
	}
}

func (vs *violations) yuan(field string, r *techmarketv1.YuanRange) {
	if r == nil {
		return
	}
	switch {
	case r.GetMinYuan() < 0:
		vs.add(field+".min_yuan", "must not be negative")
	case r.GetMaxYuan() > MaxYuan:
		vs.add(field+".max_yuan", "must be at most %d yuan", int64(MaxYuan))
	case r.GetMaxYuan() < r.GetMinYuan():
		vs.add(field+".max_yuan", "%d is below min_yuan %d; give the range low to high", r.GetMaxYuan(), r.GetMinYuan())
	}
}

// text checks one string: valid UTF-8, length in characters (as a person
// counts them, not bytes), and no control characters. Line breaks and tabs
// are allowed only in multi-line fields.
func (vs *violations) text(field, s string, minLen, maxLen int, multiline bool) {
	if !utf8.ValidString(s) {
		vs.add(field, "is not valid UTF-8")
		return
	}
	// Counting stops just past the limit, so a huge value costs no more
	// than a valid one.
	n := 0
	for range s {
		if n++; n > maxLen {
			vs.add(field, "must be at most %d characters", maxLen)
			return
		}
	}
	if n < minLen || (minLen > 0 && strings.TrimSpace(s) == "") {
		vs.add(field, "must not be empty")
		return
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			vs.add(field, "contains the control character %U", r)
			return
		}
	}
}

// list checks a repeated field's length, then each element.
func list[E any](vs *violations, field string, items []E, maxItems int, each func(field string, item E)) {
	if len(items) > maxItems {
		vs.add(field, "at most %d entries, got %d", maxItems, len(items))
		return
	}
	for i, item := range items {
		each(fmt.Sprintf("%s[%d]", field, i), item)
	}
}

// clip keeps echoed user input short in error messages.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	return strings.ToValidUTF8(s[:40], "") + "…"
}
