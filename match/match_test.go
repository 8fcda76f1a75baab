package match_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/wuhai-techmarket/techmarket/client"
	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	"github.com/wuhai-techmarket/techmarket/match"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

var ctx = context.Background()

// cokeOffer is the offer that solves cokeDemand; tests vary one feature.
func cokeOffer(id string) *techmarketv1.Offer {
	return &techmarketv1.Offer{
		ExternalId:    id,
		Title:         "焦炉上升管荒煤气余热回收技术",
		Summary:       "在焦炉上升管内设置换热器，回收荒煤气显热产生饱和蒸汽。",
		Description:   "上升管换热器内壁采用纳米导热防结焦涂层，回收650–700℃荒煤气显热，产生0.6–1.6MPa饱和蒸汽并入管网。吨焦回收蒸汽约100kg。",
		Keywords:      []string{"上升管", "荒煤气", "余热回收", "焦炉"},
		Industries:    []string{"coal-chemical", "energy-saving"},
		Region:        techmarketv1.Region_REGION_INNER_MONGOLIA,
		TransferModes: []techmarketv1.TransferMode{techmarketv1.TransferMode_TRANSFER_MODE_LICENSE, techmarketv1.TransferMode_TRANSFER_MODE_SERVICE},
		Trl:           8,
		Price:         &techmarketv1.YuanRange{MinYuan: 2_000_000, MaxYuan: 6_000_000},
	}
}

func cokeDemand() *techmarketv1.Demand {
	return &techmarketv1.Demand{
		ExternalId:    "d-coke",
		Title:         "焦炉荒煤气余热回收产蒸汽",
		Description:   "我公司有2座6米焦炉，上升管荒煤气温度七八百度，目前靠循环氨水喷淋降温，热量全部浪费。希望回收余热产生蒸汽，要求设备不漏、不结焦。",
		Keywords:      []string{"焦炉", "荒煤气", "余热"},
		Industries:    []string{"coal-chemical"},
		Region:        techmarketv1.Region_REGION_WUHAI,
		TransferModes: []techmarketv1.TransferMode{techmarketv1.TransferMode_TRANSFER_MODE_LICENSE},
		MinTrl:        7,
		Budget:        &techmarketv1.YuanRange{MinYuan: 3_000_000, MaxYuan: 8_000_000},
		Enterprise:    &techmarketv1.Enterprise{Name: "乌海某焦化公司"},
	}
}

// unrelated offers keep IDF honest: a market has more than one topic.
var unrelated = []*techmarketv1.Offer{
	{Title: "电石法聚氯乙烯无汞触媒", Summary: "以金基无汞触媒替代氯化汞催化乙炔氢氯化。", Industries: []string{"chlor-alkali"}, Region: techmarketv1.Region_REGION_DOMESTIC},
	{Title: "葡萄标准化栽培与水肥一体化", Summary: "乌海葡萄园滴灌水肥一体化和架式改良。", Industries: []string{"agriculture"}, Region: techmarketv1.Region_REGION_WUHAI},
	{Title: "矿井疏干水深度处理回用", Summary: "疏干水经超滤反渗透处理后回用于电厂补水。", Industries: []string{"water"}, Region: techmarketv1.Region_REGION_WUHAI},
	{Title: "PEM电解水制氢装置", Summary: "质子交换膜电解槽，适应风光波动。", Industries: []string{"hydrogen"}, Region: techmarketv1.Region_REGION_DOMESTIC},
}

type market struct {
	env        *testutil.Env
	agency     *client.Client
	enterprise *client.Client
	demand     *techmarketv1.Demand
}

func newMarket(t *testing.T, opts ...testutil.Option) *market {
	t.Helper()
	env := testutil.Start(t, opts...)
	m := &market{env: env, agency: env.Client(env.Token("agency", "甲技术转移中心")), enterprise: env.Client(env.Token("enterprise", "乌海某焦化公司"))}
	for i, o := range unrelated {
		o = proto.Clone(o).(*techmarketv1.Offer)
		o.ExternalId = "bg-" + string(rune('a'+i))
		m.publishOffer(t, o)
	}
	resp, err := m.enterprise.Demands.CreateDemand(ctx, &techmarketv1.CreateDemandRequest{Demand: cokeDemand(), Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	m.demand = resp.GetDemand()
	return m
}

func (m *market) publishOffer(t *testing.T, o *techmarketv1.Offer) *techmarketv1.Offer {
	t.Helper()
	resp, err := m.agency.Offers.CreateOffer(ctx, &techmarketv1.CreateOfferRequest{Offer: o, Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetOffer()
}

func (m *market) matchOffers(t *testing.T, f *techmarketv1.MatchFilters) []*techmarketv1.Match {
	t.Helper()
	resp, err := m.enterprise.Match.MatchOffers(ctx, &techmarketv1.MatchOffersRequest{Demand: m.demand.GetName(), Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetMatches()
}

func externalIDs(ms []*techmarketv1.Match) []string {
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.GetExternalId())
	}
	return ids
}

func part(m *techmarketv1.Match, feature string) *techmarketv1.ScorePart {
	for _, p := range m.GetParts() {
		if p.GetFeature() == feature {
			return p
		}
	}
	return nil
}

// TestEachFeatureRanks pairs the fitting offer with a twin of the same text
// that differs in one feature, and checks that the fitting one ranks above
// it and that the twin's score part names the reason.
func TestEachFeatureRanks(t *testing.T) {
	for _, tc := range []struct {
		feature string
		twin    func(o *techmarketv1.Offer)
		strict  *techmarketv1.MatchFilters
		reason  string
	}{
		{"readiness", func(o *techmarketv1.Offer) { o.Trl = 4 }, &techmarketv1.MatchFilters{StrictReadiness: true}, "below the required 7"},
		{"price", func(o *techmarketv1.Offer) {
			o.Price = &techmarketv1.YuanRange{MinYuan: 40_000_000, MaxYuan: 90_000_000}
		}, &techmarketv1.MatchFilters{StrictPrice: true}, "× the budget"},
		{"transfer_modes", func(o *techmarketv1.Offer) {
			o.TransferModes = []techmarketv1.TransferMode{techmarketv1.TransferMode_TRANSFER_MODE_EQUITY}
		}, &techmarketv1.MatchFilters{StrictTransferModes: true}, "no transfer mode in common"},
		{"industry", func(o *techmarketv1.Offer) { o.Industries = []string{"equipment"} }, nil, "no industry in common"},
		{"region", func(o *techmarketv1.Offer) { o.Region = techmarketv1.Region_REGION_INTERNATIONAL }, &techmarketv1.MatchFilters{Regions: []techmarketv1.Region{techmarketv1.Region_REGION_INNER_MONGOLIA}}, "different regions"},
	} {
		t.Run(tc.feature, func(t *testing.T) {
			m := newMarket(t)
			// The twin is posted first, so that ties would favour it.
			twin := cokeOffer("twin")
			tc.twin(twin)
			m.publishOffer(t, twin)
			m.publishOffer(t, cokeOffer("fit"))

			got := m.matchOffers(t, nil)
			if ids := externalIDs(got); len(ids) < 2 || ids[0] != "fit" || ids[1] != "twin" {
				t.Fatalf("ranking %v, want fit then twin", ids)
			}
			fit, tw := part(got[0], tc.feature), part(got[1], tc.feature)
			if fit == nil || tw == nil || tw.GetValue() >= fit.GetValue() || !strings.Contains(tw.GetReason(), tc.reason) {
				t.Errorf("%s parts: fit %v, twin %v; want the twin lower, saying %q", tc.feature, fit, tw, tc.reason)
			}
			sum := 0.0
			for _, p := range got[1].GetParts() {
				sum += p.GetContribution()
			}
			if diff := sum - got[1].GetScore(); diff > 1e-9 || diff < -1e-9 {
				t.Errorf("parts add up to %f, score is %f", sum, got[1].GetScore())
			}
			if tc.strict != nil {
				if ids := externalIDs(m.matchOffers(t, tc.strict)); slices.Contains(ids, "twin") || !slices.Contains(ids, "fit") {
					t.Errorf("strict %s filter kept %v", tc.feature, ids)
				}
			}
		})
	}
}

func TestExplanations(t *testing.T) {
	m := newMarket(t)
	m.publishOffer(t, cokeOffer("fit"))
	got := m.matchOffers(t, nil)
	if len(got) == 0 || got[0].GetExternalId() != "fit" {
		t.Fatalf("matches %v", externalIDs(got))
	}
	top := got[0]
	if !slices.Contains(top.GetMatchedTerms(), "荒煤气") || !slices.Contains(top.GetMatchedTerms(), "焦炉") {
		t.Errorf("matched terms %v, want 荒煤气 and 焦炉 among them", top.GetMatchedTerms())
	}
	if !strings.Contains(top.GetSnippet(), "【") || len([]rune(top.GetSnippet())) > 130 {
		t.Errorf("snippet %q: want marked terms and a short passage", top.GetSnippet())
	}
	if top.GetTitle() != cokeOffer("").GetTitle() || top.GetName() == "" || top.GetScore() <= 0 || top.GetScore() > 1 {
		t.Errorf("match does not name its listing properly: %v", top)
	}
	for _, bg := range got[1:] {
		if bg.GetScore() >= top.GetScore() {
			t.Errorf("%s scores %f, not below the fitting offer's %f", bg.GetTitle(), bg.GetScore(), top.GetScore())
		}
	}
}

func TestOnlyLiveListingsMatch(t *testing.T) {
	clock := testutil.NewClock(time.Now())
	m := newMarket(t, testutil.WithClock(clock.Now))
	draft, err := m.agency.Offers.CreateOffer(ctx, &techmarketv1.CreateOfferRequest{Offer: cokeOffer("draft")})
	if err != nil {
		t.Fatal(err)
	}
	withdrawn := m.publishOffer(t, cokeOffer("withdrawn"))
	if _, err := m.agency.Offers.WithdrawOffer(ctx, &techmarketv1.WithdrawOfferRequest{Name: withdrawn.GetName()}); err != nil {
		t.Fatal(err)
	}
	m.publishOffer(t, cokeOffer("live"))
	if ids := externalIDs(m.matchOffers(t, nil)); !slices.Contains(ids, "live") || slices.Contains(ids, "draft") || slices.Contains(ids, "withdrawn") {
		t.Errorf("matches %v: want the live offer only (draft %s)", ids, draft.GetOffer().GetName())
	}
	clock.Set(time.Now().AddDate(1, 1, 0)) // every offer has expired
	if ids := externalIDs(m.matchOffers(t, nil)); len(ids) != 0 {
		t.Errorf("expired offers still match: %v", ids)
	}
}

func TestMatchDraftStoresNothing(t *testing.T) {
	m := newMarket(t)
	m.publishOffer(t, cokeOffer("fit"))
	resp, err := m.env.Client("").Match.MatchOffers(ctx, &techmarketv1.MatchOffersRequest{Draft: cokeDemand()})
	if err != nil {
		t.Fatal(err)
	}
	if ids := externalIDs(resp.GetMatches()); len(ids) == 0 || ids[0] != "fit" {
		t.Errorf("draft matches %v", ids)
	}
	list, err := m.enterprise.Demands.ListDemands(ctx, &techmarketv1.ListDemandsRequest{})
	if err != nil || len(list.GetDemands()) != 1 {
		t.Errorf("matching a draft stored something: %d demands, %v", len(list.GetDemands()), err)
	}

	// Offer → demands is the same machinery the other way round.
	back, err := m.env.Client("").Match.MatchDemands(ctx, &techmarketv1.MatchDemandsRequest{Draft: cokeOffer("x")})
	if err != nil || len(back.GetMatches()) == 0 || back.GetMatches()[0].GetName() != m.demand.GetName() {
		t.Errorf("MatchDemands: %v %v", back.GetMatches(), err)
	}

	bad := cokeDemand()
	bad.MinTrl = 12
	_, err = m.env.Client("").Match.MatchOffers(ctx, &techmarketv1.MatchOffersRequest{Draft: bad})
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "draft.min_trl") {
		t.Errorf("invalid draft: %v", err)
	}
	for _, req := range []*techmarketv1.MatchOffersRequest{
		{},
		{Demand: m.demand.GetName(), Draft: cokeDemand()},
		{Demand: m.demand.GetName(), Limit: -1},
	} {
		if _, err := m.env.Client("").Match.MatchOffers(ctx, req); status.Code(err) != codes.InvalidArgument {
			t.Errorf("%v: %v, want InvalidArgument", req, err)
		}
	}
	// A stored draft is matched only by those who may read it.
	hidden, err := m.enterprise.Demands.CreateDemand(ctx, &techmarketv1.CreateDemandRequest{Demand: func() *techmarketv1.Demand { d := cokeDemand(); d.ExternalId = "hidden"; return d }()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.env.Client("").Match.MatchOffers(ctx, &techmarketv1.MatchOffersRequest{Demand: hidden.GetDemand().GetName()}); status.Code(err) != codes.PermissionDenied {
		t.Errorf("anonymous match of another's draft: %v", err)
	}
	if _, err := m.enterprise.Match.MatchOffers(ctx, &techmarketv1.MatchOffersRequest{Demand: hidden.GetDemand().GetName()}); err != nil {
		t.Errorf("owner match of its draft: %v", err)
	}
}

// TestStrictFiltersReadBoundedCandidates: a strict filter that admits only
// a listing far down the text ranking finds it, unless reaching it would
// mean reading more candidates than Tuning.MaxExamined allows.
func TestStrictFiltersReadBoundedCandidates(t *testing.T) {
	m := newMarket(t)
	m.publishOffer(t, cokeOffer("near-1"))
	m.publishOffer(t, cokeOffer("near-2"))
	far := cokeOffer("far")
	far.Summary, far.Description, far.Keywords = "", "", nil
	far.Region = techmarketv1.Region_REGION_INTERNATIONAL
	m.publishOffer(t, far)
	strict := &techmarketv1.MatchFilters{Regions: []techmarketv1.Region{techmarketv1.Region_REGION_INTERNATIONAL}}

	if got := externalIDs(m.matchOffers(t, strict)); !slices.Equal(got, []string{"far"}) {
		t.Fatalf("international offers only: got %v, want [far]", got)
	}
	// The alerter matches in the background and reads the tuning: it is
	// stopped before the tuning changes (closing it twice is harmless).
	m.env.Alerts.Close()
	defer func(n int) { match.Tuning.MaxExamined = n }(match.Tuning.MaxExamined)
	match.Tuning.MaxExamined = 2 // the two near twins outrank it on text
	if got := externalIDs(m.matchOffers(t, strict)); len(got) != 0 {
		t.Errorf("with 2 candidates examined: got %v, want nothing", got)
	}
}

// TestTextFitIsAbsolute: a poor offer alone on the market is the best
// candidate there, so its text part is 1, yet its coverage and the
// reason say how little of the demand it answers; a fitting offer coming
// after it covers far more, and leaves the poor one's coverage about as
// it was, while its text part drops.
func TestTextFitIsAbsolute(t *testing.T) {
	m := newMarket(t)
	poor := m.publishOffer(t, &techmarketv1.Offer{
		ExternalId: "poor", Title: "焦炉煤气制甲醇", Summary: "以焦炉煤气为原料，经净化、转化合成甲醇。",
		Industries: []string{"coal-chemical"}, Region: techmarketv1.Region_REGION_WUHAI,
	})
	find := func(ms []*techmarketv1.Match, name string) *techmarketv1.Match {
		t.Helper()
		for _, x := range ms {
			if x.GetName() == name {
				return x
			}
		}
		t.Fatalf("%s is not among the matches %v", name, externalIDs(ms))
		return nil
	}
	alone := find(m.matchOffers(t, nil), poor.GetName())
	if v := part(alone, "text").GetValue(); v != 1 {
		t.Fatalf("the best offer's text part is %v, want 1", v)
	}
	if c := alone.GetTextCoverage(); c <= 0 || c >= 0.5 {
		t.Errorf("a methanol offer covers %.2f of a heat-recovery demand; want a small share", c)
	}
	reason := part(alone, "text").GetReason()
	if want := fmt.Sprintf("covers %.0f%% of the demand's telling terms", 100*alone.GetTextCoverage()); !strings.HasPrefix(reason, want) {
		t.Errorf("text reason %q, want it to start %q", reason, want)
	}

	fit := m.publishOffer(t, cokeOffer("fit"))
	got := m.matchOffers(t, nil)
	best, after := find(got, fit.GetName()), find(got, poor.GetName())
	if best.GetTextCoverage() < 2*after.GetTextCoverage() {
		t.Errorf("the fitting offer covers %.2f, the methanol one %.2f; want the fit far ahead", best.GetTextCoverage(), after.GetTextCoverage())
	}
	// The fit's arrival moves the market's term statistics a little, and
	// the methanol offer's relative text part a lot: it is no longer the
	// best. Its coverage, measured against the demand alone, stays.
	if d := after.GetTextCoverage() - alone.GetTextCoverage(); d < -0.02 || d > 0.02 {
		t.Errorf("the methanol offer covers %.3f with the fit beside it, %.3f alone: coverage must not hang on the other candidates", after.GetTextCoverage(), alone.GetTextCoverage())
	}
	if v := part(after, "text").GetValue(); v > 0.9 {
		t.Errorf("the methanol offer's text part is %.2f beside the fit; want it well below the fit's 1", v)
	}
}
