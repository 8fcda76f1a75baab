package match

import (
	"strings"
	"testing"
)

func TestSetTuning(t *testing.T) {
	saved := Tuning
	defer func() { Tuning = saved }()

	if err := SetTuning("BodyTerms", "24"); err != nil || Tuning.BodyTerms != 24 {
		t.Errorf("BodyTerms=24: error %v, knob now %d", err, Tuning.BodyTerms)
	}
	if err := SetTuning("AsideBoost", "0.2"); err != nil || Tuning.AsideBoost != 0.2 {
		t.Errorf("AsideBoost=0.2: error %v, knob now %v", err, Tuning.AsideBoost)
	}
	if v, err := TuningValue("AsideBoost"); err != nil || v != "0.2" {
		t.Errorf("TuningValue(AsideBoost) = %q, %v; want 0.2 as set", v, err)
	}
	if err := SetTuning("ForDemands.Industry", "0.5"); err != nil || Tuning.ForDemands.Industry != 0.5 || Tuning.ForOffers.Industry == 0.5 {
		t.Errorf("ForDemands.Industry=0.5: error %v, knobs now %v and %v", err, Tuning.ForDemands.Industry, Tuning.ForOffers.Industry)
	}
	for _, bad := range []struct{ name, value, want string }{
		{"NoSuchKnob", "1", "knobs: TitleWeight"},
		{"ForOffers", "1", "ForOffers.Text"},
		{"ForOffers.NoSuchKnob", "1", "ForOffers.Text"},
		{"BodyTerms.Text", "1", "no tuning knob"},
		{"BodyTerms", "2.5", "whole number"},
		{"AsideBoost", "NaN", "takes a number"},
		{"AsideBoost", "much", "takes a number"},
		{"AsideBoost", "-0.1", "negative"},
		{"MaxQueryTerms", "-1", "negative"},
		{"FeedbackWeight", "1", "below 1"},
	} {
		before := Tuning
		err := SetTuning(bad.name, bad.value)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s=%s: error %v, want one mentioning %q", bad.name, bad.value, err, bad.want)
		}
		if Tuning != before {
			t.Errorf("%s=%s changed the tuning", bad.name, bad.value)
		}
	}
}

func TestSetTuningFlag(t *testing.T) {
	saved := Tuning
	defer func() { Tuning = saved }()

	if err := SetTuningFlag("BodyTerms=32"); err != nil || Tuning.BodyTerms != 32 {
		t.Errorf("BodyTerms=32: error %v, knob now %d", err, Tuning.BodyTerms)
	}
	before := Tuning
	if err := SetTuningFlag("BodyTerms 16"); err == nil || !strings.Contains(err.Error(), "knob=value") {
		t.Errorf("a pair without '=': error %v, want one showing the form", err)
	}
	if Tuning != before {
		t.Error("a malformed pair changed the tuning")
	}
}

// TestFittedWeights: weights.json, embedded, gives each direction
// feature weights that add up to 1 and a constraint cost that lowers a
// score.
func TestFittedWeights(t *testing.T) {
	for name, w := range map[string]RankWeights{"ForOffers": fitted.ForOffers, "ForDemands": fitted.ForDemands} {
		sum := w.Text + w.Industry + w.Readiness + w.Price + w.Modes + w.Region + w.Freshness + w.Quality
		if sum < 0.999 || sum > 1.001 {
			t.Errorf("%s: feature weights add up to %.4f, want 1", name, sum)
		}
		if w.TextExponent <= 0 || w.ViolationFactor >= 1 || w.ViolationFactor <= 0 || w.ViolationPenalty < 0 {
			t.Errorf("%s: text exponent %v, violation ×%v −%v", name, w.TextExponent, w.ViolationFactor, w.ViolationPenalty)
		}
	}
}
