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
	for _, bad := range []struct{ name, value, want string }{
		{"NoSuchKnob", "1", "knobs: TitleWeight"},
		{"BodyTerms", "2.5", "whole number"},
		{"AsideBoost", "NaN", "takes a number"},
		{"AsideBoost", "much", "takes a number"},
		{"AsideBoost", "-0.1", "negative"},
		{"MaxQueryTerms", "-1", "negative"},
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
