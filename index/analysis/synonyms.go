package analysis

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"

	bleveanalysis "github.com/blevesearch/bleve/v2/analysis"
)

// synonymTable joins the members of each synonym group on one canonical
// term. Members are stored in analysed form (the token sequence the analyzer
// produces for them before the synonym filter), so a member matches exactly
// when the text contains what the analyzer makes of it: "Reverse Osmosis"
// is the sequence [revers osmosi], 反渗透 is [反渗透].
type synonymTable struct {
	// single maps a one-token member to the canonicals of its groups.
	single map[string][]string
	// multi maps the first token of a multi-token member to its members,
	// longest first.
	multi  map[string][]multiMember
	groups int
}

type multiMember struct {
	terms []string
	canon string
}

// synonymFilter is the techmarket_synonym filter: after every position it
// adds the canonical term of each group a member of which was seen there,
// with KeyWord set (so no later filter rewrites it) and the member's
// offsets, unless that term is already at the position. The original tokens
// stay, so exact matches still score above synonym matches through IDF.
//
// One-token members match any token, sub-words included. Multi-token
// members match consecutive main-path tokens (the first at each position),
// ignoring position gaps left by stop words, since members went through the
// same stop filter.
type synonymFilter struct {
	// table nil means the shared resources' table, read per call.
	table *synonymTable
}

func (f synonymFilter) Filter(input bleveanalysis.TokenStream) bleveanalysis.TokenStream {
	t := f.table
	if t == nil {
		t = current().syn
	}
	return t.filter(input)
}

func (t *synonymTable) filter(input bleveanalysis.TokenStream) bleveanalysis.TokenStream {
	if t == nil || len(input) == 0 || (len(t.single) == 0 && len(t.multi) == 0) {
		return input
	}
	// main holds the index of the first token at each position.
	main := make([]int, 0, len(input))
	for i, tok := range input {
		if i == 0 || tok.Position != input[i-1].Position {
			main = append(main, i)
		}
	}
	var out bleveanalysis.TokenStream
	changed := false
	for g, first := range main {
		end := len(input)
		if g+1 < len(main) {
			end = main[g+1]
		}
		group := input[first:end]
		var added bleveanalysis.TokenStream
		add := func(canon string, start, endByte int, like *bleveanalysis.Token) {
			for _, tok := range group {
				if string(tok.Term) == canon {
					return
				}
			}
			for _, tok := range added {
				if string(tok.Term) == canon {
					return
				}
			}
			added = append(added, &bleveanalysis.Token{
				Term: []byte(canon), Start: start, End: endByte,
				Position: like.Position, Type: like.Type, KeyWord: true,
			})
		}
		for _, tok := range group {
			for _, canon := range t.single[string(tok.Term)] {
				add(canon, tok.Start, tok.End, tok)
			}
		}
		head := input[first]
		for _, m := range t.multi[string(head.Term)] {
			if g+len(m.terms) > len(main) {
				continue
			}
			ok := true
			for k := 1; k < len(m.terms); k++ {
				if string(input[main[g+k]].Term) != m.terms[k] {
					ok = false
					break
				}
			}
			if ok {
				add(m.canon, head.Start, input[main[g+len(m.terms)-1]].End, head)
			}
		}
		if len(added) > 0 && !changed {
			changed = true
			out = make(bleveanalysis.TokenStream, first, len(input)+8)
			copy(out, input[:first])
		}
		if changed {
			out = append(out, group...)
			out = append(out, added...)
		}
	}
	if !changed {
		return input
	}
	return out
}

// parseSynonyms reads synonym groups: one group per line, members separated
// by '=', '#' starting a comment. It checks the syntax only; members are
// analysed later, once the segmenter exists.
func parseSynonyms(r io.Reader) ([][]string, error) {
	var groups [][]string
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		if strings.TrimSpace(text) == "" {
			continue
		}
		var members []string
		for _, m := range strings.Split(text, "=") {
			m = strings.Join(strings.Fields(m), " ")
			if m == "" {
				return nil, fmt.Errorf("synonyms line %d: empty member", line)
			}
			if !slices.Contains(members, m) {
				members = append(members, m)
			}
		}
		if len(members) < 2 {
			return nil, fmt.Errorf("synonyms line %d: a group needs at least two members separated by '='", line)
		}
		groups = append(groups, members)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("synonyms: %w", err)
	}
	return groups, nil
}

// buildSynonyms analyses every member with analyze (the analyzer without its
// synonym filter) and indexes the results. The canonical term of a group is
// its first member that analyses to a single token; a group without one is
// an error, because a multi-token canonical could not be emitted as one
// term.
func buildSynonyms(groups [][]string, analyze func(string) []string) (*synonymTable, error) {
	t := &synonymTable{single: map[string][]string{}, multi: map[string][]multiMember{}}
	for gi, g := range groups {
		seqs := make([][]string, len(g))
		canon := ""
		for i, m := range g {
			seqs[i] = analyze(m)
			if len(seqs[i]) == 0 {
				return nil, fmt.Errorf("synonym group %d (%s): member %q analyses to nothing (only stop words?)", gi+1, g[0], m)
			}
			if canon == "" && len(seqs[i]) == 1 {
				canon = seqs[i][0]
			}
		}
		if canon == "" {
			return nil, fmt.Errorf("synonym group %d (%s): no member analyses to a single token; add one, or add the Chinese member to the dictionary", gi+1, g[0])
		}
		for _, seq := range seqs {
			if len(seq) == 1 {
				if seq[0] != canon && !slices.Contains(t.single[seq[0]], canon) {
					t.single[seq[0]] = append(t.single[seq[0]], canon)
				}
				continue
			}
			mm := t.multi[seq[0]]
			dup := slices.ContainsFunc(mm, func(m multiMember) bool {
				return m.canon == canon && slices.Equal(m.terms, seq)
			})
			if !dup {
				t.multi[seq[0]] = append(mm, multiMember{terms: seq, canon: canon})
			}
		}
		t.groups++
	}
	for k, mm := range t.multi {
		slices.SortStableFunc(mm, func(a, b multiMember) int { return len(b.terms) - len(a.terms) })
		t.multi[k] = mm
	}
	return t, nil
}
