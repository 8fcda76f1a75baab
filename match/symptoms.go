package match

import (
	"bufio"
	"bytes"
	_ "embed" // symptoms.txt
	"fmt"
	"strings"
	"sync"

	"github.com/wuhai-techmarket/techmarket/index/analysis"
	"github.com/wuhai-techmarket/techmarket/listing"
)

// A vague demand names its symptom, not a method: "煤气烧不完只能点火炬"
// shares no word with the offer that turns coke-oven gas into hydrogen.
// symptoms.txt maps symptom phrases of the city's industries, written
// from domain knowledge and from no listing of the development set, to
// the technologies that address them; a source that contains a phrase
// also asks for those technologies, at Tuning.SymptomWeight.
//
//go:embed symptoms.txt
var symptomsTXT []byte

// symptom is one line of symptoms.txt: a phrase and the analysed terms of
// the technologies that address it.
type symptom struct {
	phrase string
	terms  []analysis.Token
}

// symptomIndex finds symptoms.txt's phrases in a text in one pass.
type symptomIndex struct {
	phrases *termSet // term i is entries[i].phrase
	entries []symptom
}

// symptoms is symptoms.txt, read at the first match that uses it: its
// technologies are analysed with the dictionary, which loads lazily. The
// file is embedded, so one that does not read is a build that must not
// run (TestSymptomsRead).
var symptoms = sync.OnceValue(func() symptomIndex {
	entries, err := parseSymptoms(symptomsTXT)
	if err != nil {
		panic("match: " + err.Error())
	}
	phrases := make([]term, len(entries))
	for i, e := range entries {
		phrases[i] = term{text: e.phrase}
	}
	return symptomIndex{phrases: newTermSet(phrases, 1), entries: entries}
})

// parseSymptoms reads symptoms.txt: phrase<TAB>technology，technology…,
// # comments and blank lines skipped, each phrase once.
func parseSymptoms(data []byte) ([]symptom, error) {
	var out []symptom
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		phrase, techs, ok := strings.Cut(line, "\t")
		phrase, techs = strings.TrimSpace(phrase), strings.TrimSpace(techs)
		if !ok || phrase == "" || techs == "" {
			return nil, fmt.Errorf("symptoms.txt line %d: want phrase<TAB>technology，technology…, got %q", n, line)
		}
		phrase = lowerInPlace(phrase)
		if prev, dup := seen[phrase]; dup {
			return nil, fmt.Errorf("symptoms.txt line %d: %q is on line %d already", n, phrase, prev)
		}
		seen[phrase] = n
		s := symptom{phrase: phrase}
		for _, tech := range strings.FieldsFunc(techs, func(r rune) bool { return r == '，' || r == ',' }) {
			for _, tok := range analysis.Terms(strings.TrimSpace(tech)) {
				if tok.Kind != analysis.Synonym && !isNumber(tok.Term) {
					s.terms = append(s.terms, tok)
				}
			}
		}
		if len(s.terms) == 0 {
			return nil, fmt.Errorf("symptoms.txt line %d: the technologies of %q analyse to no term", n, phrase)
		}
		out = append(out, s)
	}
	return out, sc.Err()
}

// addSymptoms adds to occ, for every symptom phrase a field of the source
// contains, the terms of its technologies at the field's weight times
// Tuning.SymptomWeight: once per phrase and field, however often the
// phrase recurs.
func addSymptoms(occ occurrences, fields []listing.Section) {
	if Tuning.SymptomWeight == 0 {
		return
	}
	idx := symptoms()
	for _, f := range fields {
		found := map[int]bool{}
		for _, o := range idx.phrases.find(lowerInPlace(f.Text)) {
			found[o.term] = true
		}
		for i := range found {
			for _, tok := range idx.entries[i].terms {
				w := f.Weight * Tuning.SymptomWeight
				if tok.Kind == analysis.Subword {
					w *= Tuning.SubwordWeight
				}
				occ[tok.Term] += w
			}
		}
	}
}
