package eval

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// MaxGrade is the highest relevance grade of FORMAT.md (3: solves the
// demand as stated). Grades are bounded so that a typo such as 23 cannot
// swamp every metric through the gain 2^grade − 1.
const MaxGrade = 3

// relevantGrade is the lowest grade that counts as relevant for recall,
// P@1 and MRR: 2 solves a large part of the demand, 1 is only the same field.
const relevantGrade = 2

// qrels holds relevance judgments in both directions: the file judges
// offers for demands, and its transpose judges demands for offers.
type qrels struct {
	// byDemand[demand][offer] and byOffer[offer][demand] are the grade.
	byDemand, byOffer map[string]map[string]int
}

// readQrels reads a qrels file: demandExternalId<TAB>offerExternalId<TAB>grade,
// no header, blank lines ignored. Any other malformed line is an error that
// names the line, because a silently skipped judgment changes every figure.
func readQrels(r io.Reader, name string) (*qrels, error) {
	q := &qrels{byDemand: map[string]map[string]int{}, byOffer: map[string]map[string]int{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != 3 {
			return nil, fmt.Errorf("%s line %d: %d tab-separated fields, want 3 (demandExternalId, offerExternalId, grade)", name, n, len(fields))
		}
		demand, offer := strings.TrimSpace(fields[0]), strings.TrimSpace(fields[1])
		if demand == "" || offer == "" {
			return nil, fmt.Errorf("%s line %d: empty external id", name, n)
		}
		grade, err := strconv.Atoi(strings.TrimSpace(fields[2]))
		if err != nil || grade < 0 || grade > MaxGrade {
			return nil, fmt.Errorf("%s line %d: grade %q is not a whole number from 0 to %d", name, n, fields[2], MaxGrade)
		}
		if _, dup := q.byDemand[demand][offer]; dup {
			return nil, fmt.Errorf("%s line %d: %s/%s is judged twice; keep one grade per pair", name, n, demand, offer)
		}
		put(q.byDemand, demand, offer, grade)
		put(q.byOffer, offer, demand, grade)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(q.byDemand) == 0 {
		return nil, fmt.Errorf("%s: no judgments", name)
	}
	return q, nil
}

func put(m map[string]map[string]int, a, b string, grade int) {
	if m[a] == nil {
		m[a] = map[string]int{}
	}
	m[a][b] = grade
}

// ReadGroups reads a groups file, demandExternalId<TAB>group per line
// (blank lines and lines starting with # ignored), for Config.Groups.
func ReadGroups(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseGroups(f, path)
}

func parseGroups(r io.Reader, name string) (map[string]string, error) {
	groups := map[string]string{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, group, ok := strings.Cut(line, "\t")
		id, group = strings.TrimSpace(id), strings.TrimSpace(group)
		switch {
		case !ok || id == "" || group == "" || strings.Contains(group, "\t"):
			return nil, fmt.Errorf("%s line %d: want demandExternalId<TAB>group", name, n)
		case group == AllGroup:
			return nil, fmt.Errorf("%s line %d: %q is the name of the whole set; choose another group name", name, n, AllGroup)
		}
		if prev, dup := groups[id]; dup {
			return nil, fmt.Errorf("%s line %d: %s is already in group %q; a demand belongs to one group", name, n, id, prev)
		}
		groups[id] = group
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return groups, nil
}
