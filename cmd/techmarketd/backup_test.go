package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/wuhai-techmarket/techmarket/client"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// TestBackupWhileServingThenRestore backs a serving market up through
// the API, restores the copy into a new folder, serves it and finds the
// same listings there; only an operator may take a backup.
func TestBackupWhileServingThenRestore(t *testing.T) {
	bin := buildServer(t)
	dir := filepath.Join(t.TempDir(), "market")
	opToken := issueToken(t, bin, dir, "operator", "乌海科技大市场")
	agencyToken := issueToken(t, bin, dir, "agency", "甲技术转移中心")
	p := startServer(t, bin, dir)
	ctx := context.Background()
	agency, err := client.Dial(p.addr, client.WithToken(agencyToken))
	if err != nil {
		t.Fatal(err)
	}
	defer agency.Close()
	for i := range 25 {
		if _, err := agency.CreateOffer(ctx, &techmarketv1.Offer{
			ExternalId: fmt.Sprintf("o-%d", i), Title: fmt.Sprintf("焦炉煤气制氢技术第%d项", i),
			Industries: []string{"hydrogen"}, Region: techmarketv1.Region_REGION_WUHAI,
		}, i%2 == 0); err != nil {
			t.Fatal(err)
		}
	}
	before := allOffers(t, p.addr, opToken)

	backupFile := filepath.Join(t.TempDir(), "market.backup")
	if out, err := exec.Command(bin, "backup", "--to", backupFile, "--addr", p.addr, "--token", agencyToken).CombinedOutput(); err == nil || !strings.Contains(string(out), "operator") {
		t.Errorf("backup with an agency's token: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "backup", "--to", backupFile, "--addr", p.addr, "--token", opToken).CombinedOutput(); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}

	restored := filepath.Join(t.TempDir(), "restored")
	if out, err := exec.Command(bin, "restore", "--from", backupFile, "--data", restored).CombinedOutput(); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "restore", "--from", backupFile, "--data", restored).CombinedOutput(); err == nil || !strings.Contains(string(out), "--force") {
		t.Errorf("restore over a store without --force: %v\n%s", err, out)
	}
	notBackup := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notBackup, []byte("焦炉煤气制氢技术 — not a store\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, from := range []string{notBackup, filepath.Join(t.TempDir(), "missing.backup")} {
		empty := t.TempDir()
		if out, err := exec.Command(bin, "restore", "--from", from, "--data", empty).CombinedOutput(); err == nil {
			t.Errorf("restore from %s succeeded:\n%s", from, out)
		}
		if entries, _ := os.ReadDir(empty); len(entries) != 0 {
			t.Errorf("a refused restore left %d files in the folder", len(entries))
		}
	}
	q := startServer(t, bin, restored)
	after := allOffers(t, q.addr, opToken)
	if !slices.EqualFunc(before, after, func(a, b *techmarketv1.Offer) bool { return proto.Equal(a, b) }) {
		t.Errorf("restored market has %d offers, the original %d, or they differ", len(after), len(before))
	}
	// Restored and searchable: the index was rebuilt from the copy.
	c, err := client.Dial(q.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	hits, err := c.Match.SearchOffers(ctx, &techmarketv1.SearchOffersRequest{Query: "焦炉煤气", PageSize: 100})
	if err != nil || len(hits.GetHits()) != 13 {
		t.Errorf("search in the restored market: %d hits (%v), want the 13 published", len(hits.GetHits()), err)
	}
}

func allOffers(t *testing.T, addr, token string) []*techmarketv1.Offer {
	t.Helper()
	c, err := client.Dial(addr, client.WithToken(token))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var out []*techmarketv1.Offer
	for o, err := range c.ListOffers(context.Background(), &techmarketv1.ListOffersRequest{}) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}
