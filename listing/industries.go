package listing

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
)

// industriesTSV is the city's industry table, the same file agencies read
// (code, Chinese name, English name, typical subjects). Operators extend the
// market's vocabulary by editing it and rebuilding.
//
//go:embed industries.tsv
var industriesTSV string

// Industry is one row of the industry table.
type Industry struct {
	Code     string
	NameZH   string
	NameEN   string
	Subjects []string
}

var (
	industriesOnce sync.Once
	industryList   []Industry
	industryByCode map[string]Industry
)

func loadIndustries() {
	industryByCode = map[string]Industry{}
	for i, row := range strings.Split(strings.TrimSpace(industriesTSV), "\n") {
		if i == 0 {
			continue // header
		}
		cols := strings.Split(strings.TrimRight(row, "\r"), "\t")
		if len(cols) < 3 {
			panic(fmt.Sprintf("listing: industries.tsv line %d has %d columns, want at least 3", i+1, len(cols)))
		}
		ind := Industry{Code: cols[0], NameZH: cols[1], NameEN: cols[2]}
		if len(cols) > 3 {
			for _, s := range strings.Split(cols[3], ",") {
				if s = strings.TrimSpace(s); s != "" {
					ind.Subjects = append(ind.Subjects, s)
				}
			}
		}
		industryList = append(industryList, ind)
		industryByCode[ind.Code] = ind
	}
}

// Industries returns the industry table in its file order.
func Industries() []Industry {
	industriesOnce.Do(loadIndustries)
	return industryList
}

// LookupIndustry returns the industry with the given code.
func LookupIndustry(code string) (Industry, bool) {
	industriesOnce.Do(loadIndustries)
	ind, ok := industryByCode[code]
	return ind, ok
}
