package client

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/wuhai-techmarket/techmarket/interchange"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

const (
	// MaxLineBytes is the longest line Import sends, newline not counted.
	// A longer line is rejected without being sent: no valid listing is
	// that long (a description is at most 20,000 characters).
	MaxLineBytes = 1 << 20

	// DefaultBatchSize is the number of lines per batch when
	// ImportOptions.BatchSize is 0.
	DefaultBatchSize = 500

	// MaxBatchSize is the API's limit on lines per batch; larger
	// ImportOptions.BatchSize values are lowered to it.
	MaxBatchSize = 1000

	// maxBatchBytes caps the text in one batch so that a message stays under
	// gRPC's default 4 MiB receive limit on the server, whatever the line
	// count: 500 long descriptions would be far over it. A single line of
	// MaxLineBytes always fits.
	maxBatchBytes = 3 << 20
)

// ImportOptions tune Import. The zero value imports and publishes in batches
// of DefaultBatchSize lines.
type ImportOptions struct {
	// Draft keeps new listings as drafts instead of publishing them.
	Draft bool
	// BatchSize is the most lines sent in one message; 0 means
	// DefaultBatchSize. Each batch is answered once it is durable, so smaller
	// batches mean more frequent progress and more round trips.
	BatchSize int
	// Progress, when set, is called after each answered batch (and once at
	// the end when no line needed sending). Calls come one at a time, from
	// a goroutine of Import's, and should return quickly: the next answer
	// waits for them.
	Progress func(ImportProgress)
	// Result, when set, is given the server's answer for each line sent,
	// in order: the name of the listing a line created or updated, or why
	// it was rejected. It is called like Progress.
	Result func(*techmarketv1.ImportResult)
}

// ImportProgress says how far an import has come, in lines of the input.
// Blank lines and lines rejected before sending count as soon as the batch
// that follows them does, so at the end both fields equal the number of
// lines of the input.
type ImportProgress struct {
	// Sent is the number of input lines read and sent (or settled locally).
	Sent int
	// Answered is the number of input lines whose fate is known.
	Answered int
}

// ImportSummary counts what became of the lines of an import.
type ImportSummary struct {
	// Lines is the number of lines read, blank lines included.
	Lines int
	// Taken counts lines that created a listing.
	Taken int
	// Updated counts lines that changed the listing with the same external id.
	Updated int
	// Unchanged counts lines whose listing already had this content.
	Unchanged int
	// Rejected counts lines that were not imported.
	Rejected int
	// RejectedLines says why each rejected line was rejected, by line number.
	// Lines rejected before sending (too long) have no Field.
	RejectedLines []*techmarketv1.ImportResult
}

// batch is what the receiver needs to know about a batch in flight.
type batch struct {
	numbers []int64 // line numbers sent, in order
	through int     // every input line up to this one is settled once the batch is answered
}

// batchQueue hands batches from the sender to the receiver. It is unbounded
// on purpose: gRPC flow control already limits how far the sender can get
// ahead, and a bound here could stall a server that answers only after
// seeing more input.
type batchQueue struct {
	mu      sync.Mutex
	batches []batch
}

func (q *batchQueue) push(b batch) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.batches = append(q.batches, b)
}

func (q *batchQueue) pop() (batch, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.batches) == 0 {
		return batch{}, false
	}
	b := q.batches[0]
	q.batches = q.batches[1:]
	return b, true
}

func (q *batchQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.batches)
}

// Import reads JSON Lines in the interchange format from r and imports them
// over one ImportListings stream. Line numbers count every line, blank ones
// included, so that they match the file; blank lines are not sent.
//
// Batches go out while a second goroutine takes the answers in, so neither
// side of the stream waits on the other. A rejected line does not stop the
// import; an error does, and then the summary counts the lines answered
// before it. Lines are idempotent on their external id, so running the same
// file again after an error is safe.
func (c *Client) Import(ctx context.Context, r io.Reader, opts ImportOptions) (ImportSummary, error) {
	size := opts.BatchSize
	switch {
	case size <= 0:
		size = DefaultBatchSize
	case size > MaxBatchSize:
		size = MaxBatchSize
	}

	// Whichever side fails first cancels the stream with its error as the
	// cause; the other side then fails only with Canceled or io.EOF, and the
	// cause is what Import reports.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stream, err := c.Imports.ImportListings(ctx)
	if err != nil {
		return ImportSummary{}, err
	}

	var (
		queue   batchQueue
		sent    atomic.Int64 // lines sent, for progress
		summary ImportSummary
		done    = make(chan struct{})
	)
	// The receiver owns summary until done is closed.
	go func() {
		defer close(done)
		err := receive(stream, &queue, &summary, opts.Result, func(answered int) {
			if opts.Progress != nil {
				opts.Progress(ImportProgress{Sent: int(sent.Load()), Answered: answered})
			}
		})
		if err != nil {
			cancel(err) // also unblocks a Send waiting on flow control
		}
	}()

	var (
		lines    = interchange.NewLineReader(r, MaxLineBytes)
		local    []*techmarketv1.ImportResult // rejected before sending
		pending  = &techmarketv1.ImportListingsRequest{Draft: opts.Draft}
		numbers  []int64
		bytesIn  int
		batches  int
		ended    bool // the server ended the stream early
		lastLine int
	)
	// flush sends the pending batch. It is called only once the next line
	// to send is known (or at the end), so that blank and locally rejected
	// lines in between count with the batch before them.
	flush := func(through int) {
		if len(pending.Lines) == 0 {
			return
		}
		// The receiver must know of the batch before its answer can come.
		queue.push(batch{numbers: numbers, through: through})
		sent.Store(int64(through))
		// Draft is set on every batch; the server reads it from the first.
		if err := stream.Send(pending); err != nil {
			// io.EOF means the server ended the stream, and its status
			// comes from Recv; anything else is the client's own failure.
			if err != io.EOF {
				cancel(fmt.Errorf("client: import: sending lines %d–%d: %w", numbers[0], numbers[len(numbers)-1], err))
			}
			ended = true
			return
		}
		batches++
		pending = &techmarketv1.ImportListingsRequest{Draft: opts.Draft}
		numbers, bytesIn = nil, 0
	}
	for ctx.Err() == nil && !ended {
		text, length, err := lines.Next()
		if err == io.EOF {
			flush(lastLine)
			break
		}
		if err != nil {
			cancel(fmt.Errorf("client: import: reading line %d: %w", lastLine+1, err))
			break
		}
		lastLine++
		n := lastLine
		switch {
		case length > MaxLineBytes:
			local = append(local, &techmarketv1.ImportResult{
				Number:  int64(n),
				Outcome: techmarketv1.ImportOutcome_IMPORT_OUTCOME_REJECTED,
				Reason:  fmt.Sprintf("the line is %d bytes long, more than the 1 MiB (%d bytes) a line may have; shorten its text", length, MaxLineBytes),
			})
			continue
		case len(bytes.TrimSpace(text)) == 0:
			continue
		}
		if len(pending.Lines) == size || bytesIn+len(text) > maxBatchBytes {
			flush(n - 1)
		}
		pending.Lines = append(pending.Lines, &techmarketv1.ImportLine{Number: int64(n), Text: string(text)})
		numbers = append(numbers, int64(n))
		bytesIn += len(text)
	}
	if ctx.Err() == nil {
		// Tell the server the input is complete; it answers what is left
		// and ends the stream, which ends the receiver.
		if err := stream.CloseSend(); err != nil {
			cancel(fmt.Errorf("client: import: closing the stream: %w", err))
		}
	}
	<-done

	summary.Lines = lastLine
	summary.Rejected += len(local)
	summary.RejectedLines = append(summary.RejectedLines, local...)
	slices.SortFunc(summary.RejectedLines, func(a, b *techmarketv1.ImportResult) int {
		return cmp.Compare(a.GetNumber(), b.GetNumber())
	})
	if ctx.Err() != nil {
		return summary, context.Cause(ctx)
	}
	if n := queue.len(); n > 0 || ended {
		return summary, fmt.Errorf("client: import: the server ended the stream before answering every line (%d batches unanswered)", n)
	}
	if batches == 0 && lastLine > 0 && opts.Progress != nil {
		// Nothing went to the server, so no answer reported these lines.
		opts.Progress(ImportProgress{Sent: lastLine, Answered: lastLine})
	}
	return summary, nil
}

// receive takes answers until the server ends the stream, matching each to
// the batch it answers and counting its outcomes into s.
func receive(stream techmarketv1.ImportService_ImportListingsClient, q *batchQueue, s *ImportSummary, result func(*techmarketv1.ImportResult), progress func(answered int)) error {
	for {
		resp, err := stream.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		b, ok := q.pop()
		if !ok {
			return errors.New("client: import: the server answered a batch that was not sent")
		}
		results := resp.GetResults()
		if len(results) != len(b.numbers) {
			return fmt.Errorf("client: import: the server answered a batch of %d lines with %d results", len(b.numbers), len(results))
		}
		for i, res := range results {
			if res.GetNumber() != b.numbers[i] {
				return fmt.Errorf("client: import: the server answered line %d where line %d was expected", res.GetNumber(), b.numbers[i])
			}
			switch res.GetOutcome() {
			case techmarketv1.ImportOutcome_IMPORT_OUTCOME_TAKEN:
				s.Taken++
			case techmarketv1.ImportOutcome_IMPORT_OUTCOME_UPDATED:
				s.Updated++
			case techmarketv1.ImportOutcome_IMPORT_OUTCOME_UNCHANGED:
				s.Unchanged++
			case techmarketv1.ImportOutcome_IMPORT_OUTCOME_REJECTED:
				s.Rejected++
				s.RejectedLines = append(s.RejectedLines, res)
			default:
				return fmt.Errorf("client: import: the server answered line %d with outcome %v", res.GetNumber(), res.GetOutcome())
			}
			if result != nil {
				result(res)
			}
		}
		progress(b.through)
	}
}
