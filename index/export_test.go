package index

import "fmt"

// Fingerprint names the snapshot a Postings reads: its segments and their
// deletions. Two views with the same fingerprint score alike.
func Fingerprint(p *Postings) string {
	var s string
	for i, seg := range p.segs {
		s += fmt.Sprintf("%p/%d;", seg.Segment(), p.deleted[i])
	}
	return s
}

// TallySegments is the number of segments the tally's search read.
func TallySegments(t *FacetTally) int { return len(t.segs) }
