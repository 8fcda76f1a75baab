package eval

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/wuhai-techmarket/techmarket/alert"
	"github.com/wuhai-techmarket/techmarket/client"
	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/market"
	"github.com/wuhai-techmarket/techmarket/match"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/server"
	"github.com/wuhai-techmarket/techmarket/store"
)

// service is a Techmarket running in process over a bbolt file in a
// temporary folder, reached through the public client over an in-memory
// listener: the wiring of internal/testutil, which needs a testing.TB. What
// is measured is the whole path a portal takes, gRPC included.
type service struct {
	dir    string
	st     *store.Store
	idx    *index.Index
	alerts *alert.Alerter // when started with one
	srv    *server.Server
	served chan struct{}
	lis    *bufconn.Listener
	c      *client.Client
	m      *market.Market

	// names maps a listing name (offers/…, demands/…) to its external id,
	// and byExternal the external id of each kind to its name. The service
	// answers with names; judgments use external ids.
	names      map[string]string
	byExternal map[Direction]map[string]string // the sources of a direction
}

// evalOrg is the organisation of the operator token the import runs as.
const evalOrg = "乌海科技大市场匹配评测"

// bufAddr is the target for client.Dial; the dialer ignores it.
const bufAddr = "passthrough:///bufnet"

// startService starts a service and imports the whole set into it as one
// poster.
func startService(ctx context.Context, s *set, log io.Writer) (*service, error) {
	svc, err := newService(ctx, s, log, nil)
	if err != nil {
		return nil, err
	}
	if err := svc.importAll(ctx, s, log); err != nil {
		_ = svc.close()
		return nil, err
	}
	return svc, nil
}

// newService starts an empty service on the set's clock, with an alerter
// when alerts is not nil.
func newService(ctx context.Context, s *set, log io.Writer, alerts *alert.Options) (_ *service, err error) {
	svc := &service{names: map[string]string{}, byExternal: map[Direction]map[string]string{DemandToOffer: {}, OfferToDemand: {}}}
	defer func() {
		if err != nil {
			_ = svc.close()
		}
	}()
	if svc.dir, err = os.MkdirTemp("", "techmarket-eval-*"); err != nil {
		return nil, fmt.Errorf("making a folder for the service: %w", err)
	}
	start, t0 := s.clockStart(), time.Now()
	now := func() time.Time { return start.Add(time.Since(t0)) }
	progress(log, "techmarket: starting a fresh service in %s (clock set to %s)", svc.dir, start.Format(time.DateOnly))

	if svc.st, err = store.Open(filepath.Join(svc.dir, "techmarket.db"), store.Options{}); err != nil {
		return nil, fmt.Errorf("opening the store: %w", err)
	}
	if svc.idx, err = index.Open(ctx, filepath.Join(svc.dir, "index"), svc.st, index.Options{}); err != nil {
		return nil, fmt.Errorf("opening the index: %w", err)
	}
	// The index makes every import batch wait until it is searchable, so
	// matching starts on a complete index.
	m, err := market.New(svc.st, market.Options{Now: now, Index: svc.idx})
	if err != nil {
		return nil, fmt.Errorf("starting the market: %w", err)
	}
	svc.m = m
	mt := match.New(svc.idx, svc.st, now)
	opts := server.Options{Limits: server.Limits{RatePerSecond: 1e9, Burst: 1 << 30}} // one caller matches as fast as it can
	if alerts != nil {
		a := *alerts
		a.Now = now
		if svc.alerts, err = alert.Start(svc.st, svc.idx, mt, a); err != nil {
			return nil, fmt.Errorf("starting the alerter: %w", err)
		}
		opts.Alerts = svc.alerts
	}
	svc.srv = server.New(m, mt, opts)
	svc.lis = bufconn.Listen(1 << 20)
	svc.served = make(chan struct{})
	go func() {
		defer close(svc.served)
		_ = svc.srv.Serve(svc.lis) // returns when stopped
	}()

	_, secret, err := m.IssueToken(ctx, evalOrg, techmarketv1.Role_ROLE_OPERATOR, "matching evaluation", nil)
	if err != nil {
		return nil, fmt.Errorf("issuing the operator token: %w", err)
	}
	svc.c, err = client.Dial(bufAddr, client.WithToken(secret), svc.dialer())
	if err != nil {
		return nil, err
	}
	return svc, nil
}

// dialer makes client.Dial(bufAddr, …) reach the service.
func (svc *service) dialer() client.Option {
	return client.WithDialOptions(
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return svc.lis.DialContext(ctx) }),
	)
}

// importAll imports every file of the set as the evaluation's operator,
// one segment a side, and learns the names it gave.
func (svc *service) importAll(ctx context.Context, s *set, log io.Writer) error {
	for _, f := range s.files {
		progress(log, "techmarket: importing %s", f.path)
		sum, err := svc.c.Import(ctx, bytes.NewReader(f.data), client.ImportOptions{})
		if err != nil {
			return fmt.Errorf("importing %s: %w", f.path, err)
		}
		if sum.Rejected > 0 {
			return rejected(f.path, sum)
		}
	}
	// Scores hang on the average field lengths, which bleve works out
	// segment by segment: one segment a side makes the figures the same
	// from run to run.
	if err := svc.idx.Compact(ctx); err != nil {
		return err
	}
	return svc.learnNames(ctx, s)
}

// rejected explains an import that did not take every line. Every listing
// must be in the market: a missing judged listing would lower the figures
// for no fault of the matching, a missing distractor raise them.
func rejected(path string, sum client.ImportSummary) error {
	var b strings.Builder
	fmt.Fprintf(&b, "importing %s: the service rejected %d of %d lines; fix them and run again:", path, sum.Rejected, sum.Lines)
	for i, r := range sum.RejectedLines {
		if i == 5 {
			fmt.Fprintf(&b, "\n  … and %d more", len(sum.RejectedLines)-i)
			break
		}
		field := ""
		if r.GetField() != "" {
			field = r.GetField() + ": "
		}
		fmt.Fprintf(&b, "\n  line %d: %s%s", r.GetNumber(), field, r.GetReason())
	}
	return errors.New(b.String())
}

// learnNames lists what was imported to map names to external ids. The
// import's answers carry the names too, but client.Import keeps only the
// counts, and listing also checks that every line became one listing.
func (svc *service) learnNames(ctx context.Context, s *set) error {
	for o, err := range svc.c.ListOffers(ctx, &techmarketv1.ListOffersRequest{PageSize: 1000}) {
		if err != nil {
			return fmt.Errorf("listing the imported offers: %w", err)
		}
		svc.names[o.GetName()] = o.GetExternalId()
		svc.byExternal[OfferToDemand][o.GetExternalId()] = o.GetName()
	}
	for d, err := range svc.c.ListDemands(ctx, &techmarketv1.ListDemandsRequest{PageSize: 1000}) {
		if err != nil {
			return fmt.Errorf("listing the imported demands: %w", err)
		}
		svc.names[d.GetName()] = d.GetExternalId()
		svc.byExternal[DemandToOffer][d.GetExternalId()] = d.GetName()
	}
	if got, want := len(svc.byExternal[OfferToDemand]), len(s.offers); got != want {
		return fmt.Errorf("the service lists %d published offers after importing %d", got, want)
	}
	if got, want := len(svc.byExternal[DemandToOffer]), len(s.demands); got != want {
		return fmt.Errorf("the service lists %d published demands after importing %d: a demand past its deadline is not published", got, want)
	}
	return nil
}

func (svc *service) rank(ctx context.Context, d Direction, src string, k int) ([]ranked, error) {
	matches, err := svc.matches(ctx, d, src, k)
	if status.Code(err) == codes.Unimplemented {
		return nil, fmt.Errorf("the server does not implement MatchService yet; register it in server.New: %w", err)
	}
	if err != nil {
		return nil, err
	}
	out := make([]ranked, len(matches))
	for i, m := range matches {
		id, ok := svc.names[m.GetName()]
		if !ok {
			return nil, fmt.Errorf("the service returned %q, which was not imported", m.GetName())
		}
		parts := map[string]float64{}
		for _, p := range m.GetParts() {
			parts[p.GetFeature()] = p.GetContribution()
		}
		out[i] = ranked{id: id, score: m.GetScore(), parts: parts}
	}
	return out, nil
}

// close stops the service and removes its folder. It is safe on a service
// that started only in part.
func (svc *service) close() error {
	var errs []error
	if svc.c != nil {
		errs = append(errs, svc.c.Close())
	}
	if svc.srv != nil {
		svc.srv.Stop()
		<-svc.served
	}
	if svc.alerts != nil {
		svc.alerts.Close()
	}
	if svc.idx != nil {
		errs = append(errs, svc.idx.Close())
	}
	if svc.st != nil {
		errs = append(errs, svc.st.Close())
	}
	if svc.dir != "" {
		errs = append(errs, os.RemoveAll(svc.dir))
	}
	return errors.Join(errs...)
}
