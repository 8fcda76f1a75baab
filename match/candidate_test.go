package match

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/wuhai-techmarket/techmarket/demo"
	"github.com/wuhai-techmarket/techmarket/interchange"
	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// storedDemo returns the demo market's listings as the store would hold
// them: named, published at different times, some already expired, with
// and without a quality score.
func storedDemo(t *testing.T, now time.Time) []listing.Listing {
	t.Helper()
	var out []listing.Listing
	for i, line := range demo.Lines() {
		msg, err := interchange.Parse([]byte(line.GetText()))
		if err != nil {
			t.Fatal(err)
		}
		published := now.Add(-time.Duration(i*9) * 24 * time.Hour)
		state := techmarketv1.ListingState_LISTING_STATE_PUBLISHED
		if i%7 == 6 {
			state = techmarketv1.ListingState_LISTING_STATE_WITHDRAWN
		}
		// Offers and demands share these fields by name: set them once.
		m := msg.ProtoReflect()
		set := func(field string, v protoreflect.Value) {
			m.Set(m.Descriptor().Fields().ByName(protoreflect.Name(field)), v)
		}
		set("name", protoreflect.ValueOfString(fmt.Sprintf("%s/%d", strings.ToLower(string(m.Descriptor().Name())), i)))
		set("poster", protoreflect.ValueOfString("乌海科技大市场"))
		set("state", protoreflect.ValueOfEnum(state.Number()))
		set("publish_time", protoreflect.ValueOfMessage(timestamppb.New(published).ProtoReflect()))
		set("expire_time", protoreflect.ValueOfMessage(timestamppb.New(published.Add(time.Duration(200+i)*24*time.Hour)).ProtoReflect()))
		set("quality_score", protoreflect.ValueOfFloat64(float64(i%4)/4))
		out = append(out, msg.(listing.Listing))
	}
	return out
}

// TestLeanCandidatesRankAsFull: a candidate decoded lean is live, admitted
// and ranked exactly as the whole listing is, for every pair of the demo
// market and every strict filter, and carries none of the text.
func TestLeanCandidatesRankAsFull(t *testing.T) {
	now := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	all := storedDemo(t, now)
	filters := []Filters{
		{},
		{StrictReadiness: true, StrictTransferModes: true, StrictPrice: true},
		{Regions: []techmarketv1.Region{techmarketv1.Region_REGION_WUHAI, techmarketv1.Region_REGION_INNER_MONGOLIA}},
	}
	var scratch []byte
	pairs, differ := 0, map[float64]bool{}
	for _, cand := range all {
		value, err := proto.Marshal(cand)
		if err != nil {
			t.Fatal(err)
		}
		kind := store.KindOffer
		if _, ok := cand.(*techmarketv1.Demand); ok {
			kind = store.KindDemand
		}
		var lean listing.Listing
		if lean, scratch, err = decodeLean(kind, value, scratch); err != nil {
			t.Fatal(err)
		}
		if lean.GetTitle() != "" || lean.GetDescription() != "" || len(lean.GetKeywords()) != 0 {
			t.Errorf("lean %s keeps text: %q", kind, lean.GetTitle())
		}
		if live(lean, now) != live(cand, now) {
			t.Errorf("%q: live %v lean, %v whole", cand.GetTitle(), live(lean, now), live(cand, now))
		}
		for _, src := range all {
			if reflect.TypeOf(src) == reflect.TypeOf(cand) {
				continue
			}
			pairs++
			for _, f := range filters {
				if admits(src, lean, f) != admits(src, cand, f) {
					t.Errorf("%q for %q, filters %+v: admitted %v lean, %v whole", cand.GetTitle(), src.GetTitle(), f, admits(src, lean, f), admits(src, cand, f))
				}
			}
			score, parts := rank(src, cand, 0.8, now, true)
			leanScore, leanParts := rank(src, lean, 0.8, now, true)
			if score != leanScore || !reflect.DeepEqual(parts, leanParts) {
				t.Errorf("%q for %q: ranked %v %+v lean, %v %+v whole", cand.GetTitle(), src.GetTitle(), leanScore, leanParts, score, parts)
			}
			// The pool is ranked without reasons, the kept with them:
			// both must put a candidate in the same place.
			if quick, _ := rank(src, lean, 0.8, now, false); quick != score {
				t.Errorf("%q for %q: ranked %v without reasons, %v with them", cand.GetTitle(), src.GetTitle(), quick, score)
			}
			differ[score] = true
		}
	}
	// The pairs must tell features apart, or the comparison proves little.
	if pairs < 1000 || len(differ) < 50 {
		t.Errorf("%d pairs with %d distinct scores; the demo market is too uniform to test ranking", pairs, len(differ))
	}
}

// TestLeanDecodeRefusesBrokenBytes: a damaged record fails to decode lean
// exactly when it fails to decode whole, never with a panic.
func TestLeanDecodeRefusesBrokenBytes(t *testing.T) {
	value, err := proto.Marshal(&techmarketv1.Offer{Title: "焦炉煤气制氢", Industries: []string{"hydrogen"}, Trl: 6, Price: &techmarketv1.YuanRange{MinYuan: 1}})
	if err != nil {
		t.Fatal(err)
	}
	broken := 0
	for n := range len(value) {
		cut := value[:n]
		_, _, leanErr := decodeLean(store.KindOffer, cut, nil)
		wholeErr := proto.Unmarshal(cut, &techmarketv1.Offer{})
		if (leanErr == nil) != (wholeErr == nil) {
			t.Errorf("cut to %d of %d bytes: lean decoding says %v, whole decoding %v", n, len(value), leanErr, wholeErr)
		}
		if wholeErr != nil {
			broken++
		}
	}
	if broken == 0 {
		t.Fatal("no cut broke the encoding; the test proves nothing")
	}
}
