package eval

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/wuhai-techmarket/techmarket/interchange"
	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// listingFile is one JSON Lines file, kept whole: the service imports it
// as is, the baseline indexes the listings parsed from it.
type listingFile struct {
	path string
	data []byte
}

// set is everything an evaluation reads: the listings of the set and of
// the background files, by kind and external id, and the judgments.
type set struct {
	files   []listingFile
	offers  map[string]listing.Listing
	demands map[string]listing.Listing
	// lines are the interchange lines of the listings by kind and
	// external id (lineKey), for imports one listing at a time.
	lines  map[string][]byte
	qrels  *qrels
	groups map[string]string
}

// loadSet reads and checks the whole input before any service is started,
// so that a typo in a path or an id fails in a second, not after the import.
func loadSet(cfg Config) (*set, error) {
	if cfg.SetDir == "" {
		return nil, errors.New("no evaluation set: give the folder holding offers.jsonl, demands.jsonl and qrels.tsv")
	}
	s := &set{offers: map[string]listing.Listing{}, demands: map[string]listing.Listing{}, lines: map[string][]byte{}, groups: cfg.Groups}
	// seen remembers where each (kind, external id) came from: every file is
	// imported by one poster, so a second line with the same id would
	// silently replace the first instead of adding a listing.
	seen := map[string]string{}
	setFiles := []string{filepath.Join(cfg.SetDir, "offers.jsonl"), filepath.Join(cfg.SetDir, "demands.jsonl")}
	for i, path := range append(setFiles, cfg.Background...) {
		data, err := os.ReadFile(path)
		if err != nil && i < len(setFiles) {
			return nil, fmt.Errorf("reading the set: %w; the set folder must hold offers.jsonl, demands.jsonl and qrels.tsv", err)
		} else if err != nil {
			return nil, fmt.Errorf("reading background listings: %w", err)
		}
		s.files = append(s.files, listingFile{path: path, data: data})
		for n, line := range bytes.Split(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), []byte("\n")) {
			line = bytes.TrimSuffix(line, []byte("\r"))
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			where := fmt.Sprintf("%s line %d", path, n+1)
			msg, err := interchange.Parse(line)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			l := msg.(listing.Listing)
			byID, kind := s.offers, "offer"
			if _, ok := l.(*techmarketv1.Demand); ok {
				byID, kind = s.demands, "demand"
			}
			key := lineKey(kind, l.GetExternalId())
			if prev, dup := seen[key]; dup {
				return nil, fmt.Errorf("%s: %s %s is already at %s; all files are imported by one poster, so it would replace that listing: give it another externalId", where, kind, l.GetExternalId(), prev)
			}
			seen[key] = where
			byID[l.GetExternalId()] = l
			s.lines[key] = line
		}
	}
	qpath := filepath.Join(cfg.SetDir, "qrels.tsv")
	f, err := os.Open(qpath)
	if err != nil {
		return nil, fmt.Errorf("reading the set: %w; the set folder must hold offers.jsonl, demands.jsonl and qrels.tsv", err)
	}
	defer f.Close()
	if s.qrels, err = readQrels(f, qpath); err != nil {
		return nil, err
	}
	for d, offers := range s.qrels.byDemand {
		if s.demands[d] == nil {
			return nil, fmt.Errorf("%s judges demand %s, which no listing file has: check the set folder", qpath, d)
		}
		for o := range offers {
			if s.offers[o] == nil {
				return nil, fmt.Errorf("%s judges offer %s, which no listing file has: check the set folder and --background", qpath, o)
			}
		}
	}
	for d := range cfg.Groups {
		if s.demands[d] == nil {
			return nil, fmt.Errorf("groups name demand %s, which the set does not have: check the groups file against the set", d)
		}
	}
	return s, nil
}

// queries returns the external ids of the listings to match in direction
// d, sorted: those with at least one judged item of grade ≥ 1. A listed
// grade 0 is the same as no judgment (FORMAT.md), and a query with nothing
// relevant has no ideal ranking to compare with.
// lineKey keys set.lines: kind is "offer" or "demand".
func lineKey(kind, externalID string) string { return kind + "\x00" + externalID }

func (s *set) queries(d Direction) []string {
	judged := s.qrels.byDemand
	if d == OfferToDemand {
		judged = s.qrels.byOffer
	}
	var ids []string
	for id, grades := range judged {
		for _, g := range grades {
			if g > 0 {
				ids = append(ids, id)
				break
			}
		}
	}
	slices.Sort(ids)
	return ids
}

// judged returns the judgments of the query src in direction d.
func (s *set) judged(d Direction, src string) map[string]int {
	if d == OfferToDemand {
		return s.qrels.byOffer[src]
	}
	return s.qrels.byDemand[src]
}

// source returns the listing src of direction d (a demand for
// DemandToOffer), and target the listing id of the other side.
func (s *set) source(d Direction, src string) listing.Listing {
	if d == OfferToDemand {
		return s.offers[src]
	}
	return s.demands[src]
}

func (s *set) target(d Direction, id string) listing.Listing {
	if d == OfferToDemand {
		return s.demands[id]
	}
	return s.offers[id]
}

// group is the group of the query src in direction d. Groups name demands,
// so offer queries belong to none and are reported only as a whole.
func (s *set) group(d Direction, src string) string {
	if d == OfferToDemand {
		return ""
	}
	return s.groups[src]
}

// evalEpoch is the latest instant the service's clock may start at.
var evalEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, listing.ChinaTime)

// listing.ChinaTime is China Standard Time, in which demand deadlines are written.

// clockStart is when the service's clock starts: evalEpoch, or the first
// day of the earliest demand deadline if that comes sooner. The service
// hides demands past their deadline and offers a year after publication
// and scores freshness against the clock, so a fixed start keeps the
// figures from changing, or judged demands from vanishing, as the calendar
// moves on.
func (s *set) clockStart() time.Time {
	start := evalEpoch
	for _, l := range s.demands {
		day, err := listing.ParseDeadline(l.(*techmarketv1.Demand).GetDeadline())
		if err != nil {
			continue // no deadline
		}
		day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, listing.ChinaTime)
		if day.Before(start) {
			start = day
		}
	}
	return start
}
