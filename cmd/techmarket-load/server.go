package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/wuhai-techmarket/techmarket/alert"
	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/demo"
	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/index/analysis"
	"github.com/wuhai-techmarket/techmarket/market"
	"github.com/wuhai-techmarket/techmarket/match"
	"github.com/wuhai-techmarket/techmarket/matchmaking"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/server"
	"github.com/wuhai-techmarket/techmarket/stats"
	"github.com/wuhai-techmarket/techmarket/store"
)

// The layout of a data folder, as techmarketd keeps it, so that a --data
// folder can be served by techmarketd afterwards.
const (
	storeFile = "techmarket.db"
	indexDir  = "index"
)

// loadOperator is the principal the command acts as on its own market:
// importing the samples and revoking the tokens it issued.
var loadOperator = auth.Principal{Org: demo.Organization, Role: techmarketv1.Role_ROLE_OPERATOR}

// inProcess is a whole Techmarket running inside the command, wired as
// `techmarketd serve` wires it, with the server's default limits, on a
// loopback port.
type inProcess struct {
	Addr    string
	dir     string
	tempDir bool
	log     *slog.Logger

	st     *store.Store
	idx    *index.Index
	m      *market.Market
	alerts *alert.Alerter
	stats  *stats.Stats
	srv    *server.Server
	served chan error
	tokens []string // names of the tokens issued, revoked at the end
}

// startInProcess opens the market in dir (a new temporary folder when
// empty, removed by close), imports the demo listings and extra lines,
// and serves it on 127.0.0.1 on a free port.
func startInProcess(ctx context.Context, dir string, extra []string, log *slog.Logger) (_ *inProcess, err error) {
	p := &inProcess{dir: dir, log: log}
	if dir == "" {
		if p.dir, err = os.MkdirTemp("", "techmarket-load-"); err != nil {
			return nil, err
		}
		p.tempDir = true
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the data folder: %w", err)
	}
	defer func() {
		if err != nil {
			p.close()
		}
	}()
	if err := loadDictionaries(); err != nil {
		return nil, fmt.Errorf("loading the analysis dictionaries: %w", err)
	}
	if p.st, err = store.Open(filepath.Join(p.dir, storeFile), store.Options{LockTimeout: 2 * time.Second}); err != nil {
		return nil, err
	}
	if p.idx, err = index.Open(ctx, filepath.Join(p.dir, indexDir), p.st, index.Options{Logger: log}); err != nil {
		return nil, fmt.Errorf("opening the index: %w", err)
	}
	if p.m, err = market.New(p.st, market.Options{Index: p.idx}); err != nil {
		return nil, err
	}
	if err := p.importLines(ctx, demo.Lines()); err != nil {
		return nil, fmt.Errorf("importing the demo listings: %w", err)
	}
	var lines []*techmarketv1.ImportLine
	for i, text := range extra {
		lines = append(lines, &techmarketv1.ImportLine{Number: int64(i + 1), Text: text})
	}
	if err := p.importLines(ctx, lines); err != nil {
		return nil, fmt.Errorf("importing the --vocab listings: %w", err)
	}

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p.Addr = lis.Addr().String()
	mt := match.New(p.idx, p.st, nil)
	if p.alerts, err = alert.Start(p.st, p.idx, mt, alert.Options{Logger: log}); err != nil {
		lis.Close()
		return nil, err
	}
	p.stats = stats.Start(p.st, p.m, p.alerts, nil)
	events := matchmaking.New(p.m, mt, nil)
	p.stats.CountEvents(events.Counts)
	p.srv = server.New(p.m, mt, server.Options{Logger: log, Alerts: p.alerts, Stats: p.stats, Events: events})
	p.served = make(chan error, 1)
	go func() { p.served <- p.srv.Serve(lis) }()
	return p, nil
}

// loadDictionaries loads the analysis dictionaries now, as techmarketd
// does, so that the first call does not pay for them; once per process,
// since they are process-wide and take seconds to build.
var loadDictionaries = sync.OnceValue(func() error {
	_, err := analysis.Load(analysis.Config{})
	return err
})

// importLines imports lines as the operator, in batches the API allows.
func (p *inProcess) importLines(ctx context.Context, lines []*techmarketv1.ImportLine) error {
	for len(lines) > 0 {
		batch := lines[:min(len(lines), market.MaxImportBatch)]
		lines = lines[len(batch):]
		results, err := p.m.Import(ctx, loadOperator, false, batch)
		if err != nil {
			return err
		}
		for _, r := range results {
			if r.GetName() == "" {
				return fmt.Errorf("line %d was rejected: %s: %s", r.GetNumber(), r.GetField(), r.GetReason())
			}
		}
	}
	return nil
}

// issueToken issues a token on the folder, as `techmarketd token create`
// does, and returns its secret.
func (p *inProcess) issueToken(ctx context.Context, org string, role techmarketv1.Role) (string, error) {
	tok, secret, err := p.m.IssueToken(ctx, org, role, "techmarket-load", nil)
	if err != nil {
		return "", err
	}
	p.tokens = append(p.tokens, tok.GetName())
	return secret, nil
}

// close stops the server at once (the load has ended), closes the market
// and removes a temporary folder. Tokens issued into a kept folder are
// revoked, so that they do not outlive the run.
func (p *inProcess) close() error {
	var errs []error
	if p.srv != nil {
		p.srv.Stop()
		if err := <-p.served; err != nil {
			errs = append(errs, fmt.Errorf("serving: %w", err))
		}
	}
	if p.alerts != nil {
		p.alerts.Close()
	}
	if p.stats != nil {
		errs = append(errs, p.stats.Close())
	}
	if p.m != nil && !p.tempDir {
		for _, name := range p.tokens {
			if _, err := p.m.RevokeToken(context.Background(), loadOperator, name); err != nil {
				errs = append(errs, fmt.Errorf("revoking %s: %w", name, err))
			}
		}
	}
	if p.idx != nil {
		errs = append(errs, p.idx.Close())
	}
	if p.st != nil {
		errs = append(errs, p.st.Close())
	}
	if p.tempDir {
		errs = append(errs, os.RemoveAll(p.dir))
	}
	return errors.Join(errs...)
}
