package listing_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// FuzzValidate: nothing crashes the validator; each violation names its
// field and why; a listing it accepts has valid UTF-8 text within the
// limits.
func FuzzValidate(f *testing.F) {
	f.Add("焦炉煤气制氢", "摘要", "描述", "焦炉,煤气", "hydrogen", int32(7), int64(100), int64(200), "2027-06-30")
	f.Add("", "", "", "", "", int32(0), int64(0), int64(0), "")
	f.Add("\xff", "\x00", strings.Repeat("长", 30000), strings.Repeat("k,", 100), "nope", int32(99), int64(-5), int64(-9), "2027-02-30")
	f.Fuzz(func(t *testing.T, title, summary, description, keywords, industry string, trl int32, lo, hi int64, deadline string) {
		kw := strings.Split(keywords, ",")
		offer := &techmarketv1.Offer{Title: title, Summary: summary, Description: description, Keywords: kw,
			Industries: []string{industry}, Region: techmarketv1.Region_REGION_WUHAI, Trl: trl,
			Price: &techmarketv1.YuanRange{MinYuan: lo, MaxYuan: hi}}
		demand := &techmarketv1.Demand{Title: title, Summary: summary, Description: description, Keywords: kw,
			Industries: []string{industry}, Region: techmarketv1.Region_REGION_WUHAI, MinTrl: trl,
			Budget: &techmarketv1.YuanRange{MinYuan: lo, MaxYuan: hi}, Deadline: deadline}
		for _, l := range []listing.Listing{offer, demand} {
			vs := listing.Validate(l)
			for _, v := range vs {
				if v.Field == "" || v.Description == "" {
					t.Fatalf("violation without field or reason: %+v", v)
				}
			}
			if len(vs) > 0 {
				continue
			}
			for _, s := range append([]string{l.GetTitle(), l.GetSummary(), l.GetDescription()}, l.GetKeywords()...) {
				if !utf8.ValidString(s) {
					t.Fatalf("accepted invalid UTF-8 %q", s)
				}
			}
			if n := utf8.RuneCountInString(l.GetTitle()); n == 0 || n > listing.MaxTitle {
				t.Fatalf("accepted a title of %d characters", n)
			}
			if n := utf8.RuneCountInString(l.GetDescription()); n > listing.MaxDescription {
				t.Fatalf("accepted a description of %d characters", n)
			}
		}
	})
}
