package match

import (
	"strings"
	"testing"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// TestSymptomsRead: the embedded vocabulary reads, each phrase once, each
// with technologies that analyse to terms.
func TestSymptomsRead(t *testing.T) {
	entries, err := parseSymptoms(symptomsTXT)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 100 {
		t.Errorf("%d symptom phrases; the vocabulary covers the city's industries with far more", len(entries))
	}
	for _, bad := range []string{"无制表符的一行\n", "重复\t离子膜\n重复\t膜法除硝\n", "空\t \n"} {
		if _, err := parseSymptoms([]byte(bad)); err == nil {
			t.Errorf("%q read without an error", bad)
		}
	}
}

// TestSymptomWeightAddsTechnologies: with the knob on, a demand that
// names only its symptom also asks for the technologies that address it;
// with it off, for nothing but its own words.
func TestSymptomWeightAddsTechnologies(t *testing.T) {
	saved := Tuning
	defer func() { Tuning = saved }()
	d := &techmarketv1.Demand{Title: "煤气烧不完只能点火炬，太可惜"}
	Tuning.SymptomWeight = 0
	off := occurrencesOf(d, false)
	Tuning.SymptomWeight = 0.5
	on := occurrencesOf(d, false)
	var added []string
	for term := range on {
		if off[term] == 0 {
			added = append(added, term)
		}
	}
	if len(added) == 0 {
		t.Fatalf("no technology added for a symptom of symptoms.txt; terms %v", on)
	}
	if !strings.Contains(strings.Join(added, " "), "焦炉煤气") && !strings.Contains(strings.Join(added, " "), "制氢") {
		t.Errorf("added %v; want the coke-oven gas technologies the vocabulary names", added)
	}
	for term, w := range off {
		if on[term] < w {
			t.Errorf("%s weighs %v with symptoms, %v without: the source's own words must keep their weight", term, on[term], w)
		}
	}
}
