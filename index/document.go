package index

import (
	"strings"
	"time"

	"github.com/wuhai-techmarket/techmarket/interchange"
	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// document is what bleve indexes for one listing; json tags are the field
// names of the mapping.
type document struct {
	Title      string    `json:"title"`
	Keywords   string    `json:"keywords"`
	Body       string    `json:"body"`
	Aside      string    `json:"aside"`
	Focus      string    `json:"focus"`
	Bigram     string    `json:"bigram"`
	Industries []string  `json:"industries"`
	Region     string    `json:"region"`
	Modes      []string  `json:"modes"`
	State      string    `json:"state"`
	Poster     string    `json:"poster"`
	Origin     string    `json:"origin"`
	TRL        float64   `json:"trl"`
	PriceMin   float64   `json:"price_min"`
	PriceMax   float64   `json:"price_max"`
	Priced     string    `json:"priced"`
	Expire     time.Time `json:"expire_time"`
	Publish    time.Time `json:"publish_time"`
}

// OriginLocal is the origin of this market's own listings; a linked
// listing's is the name of its link.
const OriginLocal = "local"

// Origin is where l lives: OriginLocal, or the link it came through.
func Origin(l listing.Listing) string {
	if m := l.GetLinkedFrom().GetMarket(); m != "" {
		return m
	}
	return OriginLocal
}

// ModeCodes returns the interchange codes of transfer modes.
func ModeCodes(modes []techmarketv1.TransferMode) []string {
	out := make([]string, 0, len(modes))
	for _, m := range modes {
		out = append(out, interchange.TransferModeCode(m))
	}
	return out
}

// newDocument builds the document of an offer or a demand.
func newDocument(l listing.Listing) document {
	keywords := strings.Join(l.GetKeywords(), "；")
	var body, aside, focus strings.Builder
	body.WriteString(l.GetSummary())
	for _, s := range listing.Sections(l.GetDescription()) {
		w := &body
		if s.Weight <= listing.AsideWeight {
			w = &aside
		}
		w.WriteString("\n")
		w.WriteString(s.Text)
		if s.Weight > 1 {
			focus.WriteString("\n")
			focus.WriteString(s.Text)
		}
	}
	d := document{
		Title:      l.GetTitle(),
		Keywords:   keywords,
		Body:       body.String(),
		Aside:      aside.String(),
		Focus:      focus.String(),
		Bigram:     l.GetTitle() + "\n" + keywords + "\n" + body.String(),
		Industries: l.GetIndustries(),
		Region:     interchange.RegionCode(l.GetRegion()),
		Modes:      ModeCodes(l.GetTransferModes()),
		State:      listing.StateWord(l.GetState()),
		Poster:     l.GetPoster(),
		Origin:     Origin(l),
		Expire:     l.GetExpireTime().AsTime(),
		Publish:    l.GetPublishTime().AsTime(),
	}
	var price *techmarketv1.YuanRange
	switch v := l.(type) {
	case *techmarketv1.Offer:
		d.TRL, price = float64(v.GetTrl()), v.GetPrice()
	case *techmarketv1.Demand:
		d.TRL, price = float64(v.GetMinTrl()), v.GetBudget()
	}
	d.Priced = "no"
	if price != nil {
		d.Priced, d.PriceMin, d.PriceMax = "yes", float64(price.GetMinYuan()), float64(price.GetMaxYuan())
	}
	return d
}
