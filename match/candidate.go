package match

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// A match ranks a pool of candidates (Tuning.MinPool, 80 by default) and
// keeps the best few. Ranking reads only a candidate's structured fields,
// while decoding a whole listing copies its title, summary, description
// and the rest: with the copy of the stored bytes, two fifths of what a
// served match allocated. So candidates are decoded lean, from the
// fields below, and only those kept are decoded in full.
//
// live, admits and rank must read nothing else of a candidate;
// TestLeanCandidatesRankAsFull holds them to it.
var (
	rankedFields = []protoreflect.Name{"state", "expire_time", "publish_time", "industries", "region", "transfer_modes", "quality_score", "linked_from"}
	leanOffer    = fieldSet(&techmarketv1.Offer{}, slices.Concat(rankedFields, []protoreflect.Name{"trl", "price"}))
	leanDemand   = fieldSet(&techmarketv1.Demand{}, slices.Concat(rankedFields, []protoreflect.Name{"min_trl", "budget"}))
)

// fieldSet returns the numbers of msg's fields named, as bits.
func fieldSet(msg proto.Message, names []protoreflect.Name) uint64 {
	fields := msg.ProtoReflect().Descriptor().Fields()
	var set uint64
	for _, name := range names {
		f := fields.ByName(name)
		if f == nil || f.Number() >= 64 {
			panic(fmt.Sprintf("match: %s has no field %s numbered below 64", msg.ProtoReflect().Descriptor().FullName(), name))
		}
		set |= 1 << f.Number()
	}
	return set
}

// decodeLean decodes the fields ranking reads of value, an encoded listing
// of kind. scratch is reused space for the fields kept; it is returned,
// grown, for the next call.
func decodeLean(kind store.Kind, value, scratch []byte) (listing.Listing, []byte, error) {
	var l listing.Listing = &techmarketv1.Offer{}
	set := leanOffer
	if kind == store.KindDemand {
		l, set = &techmarketv1.Demand{}, leanDemand
	}
	kept := scratch[:0]
	for b := value; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, kept, fmt.Errorf("match: decoding a %s: %w", kind, protowire.ParseError(n))
		}
		m := protowire.ConsumeFieldValue(num, typ, b[n:])
		if m < 0 {
			return nil, kept, fmt.Errorf("match: decoding a %s: %w", kind, protowire.ParseError(m))
		}
		if num < 64 && set&(1<<num) != 0 {
			kept = append(kept, b[:n+m]...)
		}
		b = b[n+m:]
	}
	// Unmarshal copies what it keeps, so kept may be reused at once.
	if err := proto.Unmarshal(kept, l); err != nil {
		return nil, kept, fmt.Errorf("match: decoding a %s: %w", kind, err)
	}
	return l, kept, nil
}

// candidates reads a match's candidates lean (decodeLean) within one
// store transaction, each once: the feedback round reads the first
// round's best, and the pool, picked after it from scores the feedback
// only raised, starts with the same documents.
type candidates struct {
	rd      *store.Reader
	kind    store.Kind
	scratch []byte
	read    map[string]leanCandidate
}

// leanCandidate is a candidate as candidates.get read it.
type leanCandidate struct {
	listing  listing.Listing // nil: not stored (deleted since the index saw it)
	revision uint64
}

// newCandidates reads candidates of kind from rd; with again, expecting
// to be asked for some twice.
func newCandidates(rd *store.Reader, kind store.Kind, again bool) *candidates {
	c := &candidates{rd: rd, kind: kind}
	if again {
		c.read = map[string]leanCandidate{}
	}
	return c
}

// get returns the candidate called id, decoded lean, and its revision;
// a nil listing when it is no longer stored.
func (c *candidates) get(id string) (listing.Listing, uint64, error) {
	if l, ok := c.read[id]; ok {
		return l.listing, l.revision, nil
	}
	value, revision, err := c.rd.Value(c.kind, id)
	var l listing.Listing
	switch {
	case errors.Is(err, store.ErrNotFound):
		revision = 0
	case err != nil:
		return nil, 0, err
	default:
		if l, c.scratch, err = decodeLean(c.kind, value, c.scratch); err != nil {
			return nil, 0, err
		}
	}
	if c.read != nil {
		c.read[id] = leanCandidate{listing: l, revision: revision}
	}
	return l, revision, nil
}

// walk calls visit with scores' documents, best first, that are
// stored and matchable for src (see matchable), each with its score
// relative to the first one's, until visit returns index.ErrStop or an
// error. It reads at most Tuning.MaxExamined hits: strict filters that
// admit almost nothing must not turn a match into a scan of the side.
func (c *candidates) walk(scores *index.Scores, src listing.Listing, f Filters, now time.Time, visit func(hit index.Hit, cand listing.Listing, revision uint64, rel float64) error) error {
	var top float64
	examined := 0
	return scores.Top(func(hit index.Hit) error {
		if examined++; examined > Tuning.MaxExamined {
			return index.ErrStop
		}
		cand, revision, err := c.get(hit.ID)
		if err != nil {
			return err
		}
		if cand == nil || !matchable(src, cand, revision, f, now) {
			return nil
		}
		if top == 0 {
			top = hit.Score
		}
		return visit(hit, cand, revision, hit.Score/top)
	})
}
