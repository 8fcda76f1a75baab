package market

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/interchange"
	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// MaxImportBatch is the most lines one Import call takes; larger batches
// are refused before any work, so one message cannot pin the writer.
const MaxImportBatch = 1000

// MaxImportLine is the longest line, in bytes, Import parses: the longest
// listing FORMAT.md allows is far below it.
const MaxImportLine = 256 << 10

// Import applies one batch of interchange-format lines for p in a single
// store transaction, so the batch costs one fsync, and returns one result
// per line in order. Lines are idempotent on (poster, kind, external id):
// a known line updates its listing, or leaves it alone when nothing
// changed. New listings are published unless draft is set. A bad line is
// rejected with its reason and does not stop the others.
func (m *Market) Import(ctx context.Context, p auth.Principal, draft bool, lines []*techmarketv1.ImportLine) ([]*techmarketv1.ImportResult, error) {
	results, seq, err := m.ImportDurable(ctx, p, draft, lines)
	if err != nil {
		return nil, err
	}
	m.Searchable(ctx, seq)
	return results, nil
}

// ImportDurable is Import up to the store: it returns once the batch is
// durable, with the store sequence to pass to Searchable before the batch
// is acknowledged. A stream of batches commits the next batch while the
// index takes in the last.
func (m *Market) ImportDurable(ctx context.Context, p auth.Principal, draft bool, lines []*techmarketv1.ImportLine) ([]*techmarketv1.ImportResult, uint64, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, 0, err
	}
	if len(lines) > MaxImportBatch {
		return nil, 0, invalid("lines", "at most %d lines per message, got %d; send smaller batches", MaxImportBatch, len(lines))
	}
	results := make([]*techmarketv1.ImportResult, len(lines))
	parsed := make([]proto.Message, len(lines))
	for i, line := range lines {
		results[i] = &techmarketv1.ImportResult{Number: line.GetNumber()}
		msg, err := m.parseImportLine(p, line.GetText())
		if err != nil {
			reject(results[i], err)
			continue
		}
		parsed[i] = msg
	}
	now := m.now()
	var seq uint64
	err := m.st.Update(ctx, func(tx *store.Tx) error {
		seq = 0
		for i, msg := range parsed {
			if msg == nil {
				continue
			}
			var (
				err error
				rev uint64
			)
			switch v := msg.(type) {
			case *techmarketv1.Offer:
				results[i].Outcome, results[i].Name, rev, err = m.Offers.upsert(tx, p, v, draft, now)
			case *techmarketv1.Demand:
				results[i].Outcome, results[i].Name, rev, err = m.Demands.upsert(tx, p, v, draft, now)
			}
			seq = max(seq, rev)
			if err != nil {
				return err
			}
		}
		if !p.IsOperator() {
			return nil
		}
		taken := 0
		for _, r := range results {
			if r.GetName() != "" && r.GetOutcome() != techmarketv1.ImportOutcome_IMPORT_OUTCOME_UNCHANGED {
				taken++
			}
		}
		return Audit(tx, now, p, "import", "", fmt.Sprintf("%d lines, %d listings written", len(lines), taken))
	})
	if err != nil {
		return nil, 0, storeErr(err)
	}
	return results, seq, nil
}

// parseImportLine reads and checks one line; its errors are per-line
// rejections, never call failures.
func (m *Market) parseImportLine(p auth.Principal, text string) (proto.Message, error) {
	if len(text) > MaxImportLine {
		return nil, &interchange.Error{Reason: fmt.Sprintf("the line is %d bytes, more than the %d a listing can take", len(text), MaxImportLine)}
	}
	msg, err := interchange.Parse([]byte(text))
	if err != nil {
		return nil, err
	}
	l := msg.(listing.Listing)
	side, kind := auth.Offers, "offer"
	if _, ok := msg.(*techmarketv1.Demand); ok {
		side, kind = auth.Demands, "demand"
	}
	if !auth.CanPost(p, side) {
		return nil, &interchange.Error{Field: "kind", Reason: fmt.Sprintf("%s tokens cannot import a %s", auth.RoleName(p.Role), kind)}
	}
	if l.GetExternalId() == "" {
		return nil, &interchange.Error{Field: "externalId", Reason: "required: your own id for the listing, so that importing the file again updates it"}
	}
	if vs := listing.Validate(l); len(vs) > 0 {
		parts := make([]string, len(vs))
		for i, v := range vs {
			parts[i] = camelPath(v.Field) + ": " + v.Description
		}
		return nil, &interchange.Error{Field: camelPath(vs[0].Field), Reason: strings.TrimPrefix(strings.Join(parts, "; "), camelPath(vs[0].Field)+": ")}
	}
	return msg, nil
}

func reject(r *techmarketv1.ImportResult, err error) {
	r.Outcome = techmarketv1.ImportOutcome_IMPORT_OUTCOME_REJECTED
	var ie *interchange.Error
	if errors.As(err, &ie) {
		r.Field, r.Reason = ie.Field, ie.Reason
		return
	}
	r.Reason = err.Error()
}

// upsert writes one imported listing inside tx.
// It returns the outcome, the listing's name and the store revision
// written (0 when nothing was).
func (l *Listings[T]) upsert(tx *store.Tx, p auth.Principal, v T, draft bool, now time.Time) (techmarketv1.ImportOutcome, string, uint64, error) {
	old, err := tx.LookupExternal(l.kind, p.Org, v.GetExternalId())
	switch {
	case errors.Is(err, store.ErrNotFound):
		l.initialise(v, p, now, !draft)
		rec, err := l.put(tx, newID(now), p.Org, v)
		return techmarketv1.ImportOutcome_IMPORT_OUTCOME_TAKEN, l.name(rec.ID), rec.Revision, err
	case err != nil:
		return 0, "", 0, err
	}
	cur, err := l.decode(old)
	if err != nil {
		return 0, "", 0, err
	}
	if listing.SameContent(cur, v) {
		return techmarketv1.ImportOutcome_IMPORT_OUTCOME_UNCHANGED, cur.GetName(), 0, nil
	}
	// The file's content replaces the listing's; its life so far (state,
	// times) stays, as it would in an Update.
	if err := listing.ApplyMask(cur, v, nil); err != nil {
		return 0, "", 0, err
	}
	setTime(cur, "update_time", now)
	rec, err := l.put(tx, old.ID, old.Org, cur)
	return techmarketv1.ImportOutcome_IMPORT_OUTCOME_UPDATED, l.name(rec.ID), rec.Revision, err
}

// camelPath turns a proto path (`price.max_yuan`, `transfer_modes[0]`)
// into the interchange format's names (`price.maxYuan`,
// `transferModes[0]`), which are what the file's author wrote.
func camelPath(path string) string {
	var b strings.Builder
	upper := false
	for _, r := range path {
		switch {
		case r == '_':
			upper = true
		case upper:
			b.WriteString(strings.ToUpper(string(r)))
			upper = false
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
