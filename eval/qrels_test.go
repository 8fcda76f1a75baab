package eval

import (
	"strings"
	"testing"
)

func TestReadQrels(t *testing.T) {
	// Blank lines and CRLF line ends, as a spreadsheet export has them.
	in := "d1\to1\t3\r\n\nd1\to2\t0\nd2\to1\t1\n"
	q, err := readQrels(strings.NewReader(in), "qrels.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if g := q.byDemand["d1"]["o1"]; g != 3 {
		t.Errorf("d1/o1 = %d, want 3", g)
	}
	if g, ok := q.byDemand["d1"]["o2"]; !ok || g != 0 {
		t.Errorf("d1/o2 = %d, %v; want an explicit 0", g, ok)
	}
	// The transpose judges demands for an offer.
	if g := q.byOffer["o1"]; len(g) != 2 || g["d1"] != 3 || g["d2"] != 1 {
		t.Errorf("byOffer[o1] = %v, want d1:3 d2:1", g)
	}
}

func TestReadQrelsErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"spaces instead of tabs", "d1 o1 3\n", "line 1: 1 tab-separated fields, want 3"},
		{"extra field", "d1\to1\t3\tnote\n", "line 1: 4 tab-separated fields"},
		{"missing grade", "d1\to1\t3\nd2\to1\n", "line 2: 2 tab-separated fields"},
		{"empty id", "\to1\t3\n", "line 1: empty external id"},
		{"grade not a number", "d1\to1\thigh\n", `line 1: grade "high" is not a whole number from 0 to 3`},
		{"grade too high", "d1\to1\t4\n", `grade "4"`},
		{"negative grade", "d1\to1\t-1\n", `grade "-1"`},
		{"fractional grade", "d1\to1\t2.5\n", `grade "2.5"`},
		{"pair judged twice", "d1\to1\t3\nd1\to1\t2\n", "line 2: d1/o1 is judged twice"},
		{"empty file", "\n\n", "no judgments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readQrels(strings.NewReader(tt.in), "qrels.tsv")
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "qrels.tsv") {
				t.Errorf("readQrels(%q) = %v, want an error about the file containing %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestParseGroups(t *testing.T) {
	g, err := parseGroups(strings.NewReader("# comment\nd1\tvague\r\n\nd2\tadjacent\n"), "g.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if len(g) != 2 || g["d1"] != "vague" || g["d2"] != "adjacent" {
		t.Errorf("groups = %v", g)
	}
	for in, want := range map[string]string{
		"d1 vague\n":             "line 1: want demandExternalId<TAB>group",
		"d1\t\n":                 "line 1: want",
		"d1\ta\tb\n":             "line 1: want",
		"d1\tall\n":              `"all" is the name of the whole set`,
		"d1\tvague\nd1\tother\n": `line 2: d1 is already in group "vague"`,
	} {
		if _, err := parseGroups(strings.NewReader(in), "g.tsv"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseGroups(%q) = %v, want an error containing %q", in, err, want)
		}
	}
}

// TestDevGroups checks the committed groups file against the dev set's
// README: 30 original, 20 vague, 40 adjacent and 10 background demands.
func TestDevGroups(t *testing.T) {
	g, err := ReadGroups("testdata/dev-groups.tsv")
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, group := range g {
		count[group]++
	}
	want := map[string]int{"original": 30, "vague": 20, "adjacent": 40, "background": 10}
	if len(count) != len(want) {
		t.Errorf("groups %v, want %v", count, want)
	}
	for group, n := range want {
		if count[group] != n {
			t.Errorf("group %s has %d demands, want %d", group, count[group], n)
		}
	}
}
