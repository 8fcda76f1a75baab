package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/wuhai-techmarket/techmarket/auth"
)

// tokenCreate issues a token directly in a stopped data folder: the way to
// get the first operator token, before any token exists to ask the API.
func tokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("token create", stderr)
	dir := fs.String("data", "", "data folder of the marketplace")
	roleName := fs.String("role", "", "operator, agency, enterprise or peer (a linked market's token, docs/federation.md)")
	org := fs.String("org", "", "organisation the token speaks for")
	description := fs.String("description", "", "note for operators, such as who holds the token")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	role, ok := auth.ParseRole(*roleName)
	if !ok {
		return fmt.Errorf("%w: --role must be operator, agency or enterprise", errUsage)
	}
	m, err := openMarket(*dir)
	if err != nil {
		return err
	}
	defer m.Store().Close()
	tok, secret, err := m.IssueToken(ctx, *org, role, *description, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "issued %s for %s as %s; the token is shown once, keep it safe:\n", tok.GetName(), tok.GetOrganization(), auth.RoleName(role))
	fmt.Fprintln(stdout, secret)
	return nil
}
