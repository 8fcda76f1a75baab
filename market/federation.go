package market

import (
	"context"
	"errors"
	"fmt"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/federation"
)

// PullFeed returns the page of the market's feed after cursor that the
// peer p may see (federation.Pull). Only peer tokens read the feed.
func (m *Market) PullFeed(ctx context.Context, p auth.Principal, cursor string, pageSize int32) (federation.Page, error) {
	if err := requireSignedIn(p); err != nil {
		return federation.Page{}, err
	}
	if !p.IsPeer() {
		return federation.Page{}, fmt.Errorf("%w: the feed is for linked markets; an operator issues them peer tokens", ErrPermissionDenied)
	}
	after, err := federation.ParseCursor(cursor)
	if err != nil {
		return federation.Page{}, badCursor()
	}
	n, err := Limit("page_size", pageSize, federation.DefaultPageSize, federation.MaxPageSize)
	if err != nil {
		return federation.Page{}, err
	}
	if err := ctx.Err(); err != nil {
		return federation.Page{}, err
	}
	page, err := federation.Pull(m.st, after, n, p.Scope, m.now())
	switch {
	case errors.Is(err, federation.ErrBadCursor):
		return federation.Page{}, badCursor()
	case err != nil:
		return federation.Page{}, storeErr(err)
	}
	return page, nil
}

func badCursor() error {
	return invalid("cursor", "not a cursor of this market's feed; send the next_cursor of the last page, or none to start from the beginning")
}
