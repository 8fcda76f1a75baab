package market

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// Limits of token fields.
const (
	MaxOrganization     = 200
	MaxTokenDescription = 200
)

// Authenticate returns the principal a bearer secret speaks for.
func (m *Market) Authenticate(secret string) (auth.Principal, error) {
	hash := auth.HashSecret(secret)
	if p, ok := m.tokens.get(hash); ok {
		return p, nil
	}
	gen := m.tokens.generation()
	rec, err := m.st.TokenByHash(hash)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return auth.Principal{}, fmt.Errorf("%w: the token is not known here; ask an operator for a token", ErrUnauthenticated)
	case err != nil:
		return auth.Principal{}, storeErr(err)
	case !rec.RevokeTime.IsZero():
		return auth.Principal{}, fmt.Errorf("%w: the token was revoked on %s; ask an operator for a new one", ErrUnauthenticated, rec.RevokeTime.Format(time.DateOnly))
	}
	p := auth.Principal{Org: rec.Org, Role: techmarketv1.Role(rec.Role), TokenID: rec.ID}
	if len(rec.Scope) > 0 {
		p.Scope = &techmarketv1.PeerScope{}
		if err := proto.Unmarshal(rec.Scope, p.Scope); err != nil {
			return auth.Principal{}, fmt.Errorf("market: token %s: its peer scope does not read: %w", rec.ID, err)
		}
	}
	m.tokens.put(hash, p, gen)
	return p, nil
}

// CreateToken issues a token on an operator's request.
// scope bounds what a peer token pulls; it is for ROLE_PEER only.
func (m *Market) CreateToken(ctx context.Context, p auth.Principal, org string, role techmarketv1.Role, description string, scope *techmarketv1.PeerScope) (*techmarketv1.Token, string, error) {
	if err := mayManageTokens(p); err != nil {
		return nil, "", err
	}
	return m.issueToken(ctx, p, org, role, description, scope)
}

// IssueToken issues a token without asking who wants it: the bootstrap
// path of `techmarketd token create`, run by whoever holds the data folder.
// The secret is returned once and never stored.
func (m *Market) IssueToken(ctx context.Context, org string, role techmarketv1.Role, description string, scope *techmarketv1.PeerScope) (*techmarketv1.Token, string, error) {
	return m.issueToken(ctx, auth.Principal{}, org, role, description, scope)
}

// issueToken issues a token for p (the zero principal: techmarketd on the
// folder) and records it in the audit log.
func (m *Market) issueToken(ctx context.Context, p auth.Principal, org string, role techmarketv1.Role, description string, scope *techmarketv1.PeerScope) (*techmarketv1.Token, string, error) {
	var vs []error
	if err := CheckOrganization(org); err != nil {
		vs = append(vs, err)
	}
	if err := checkLabel("description", description, false, MaxTokenDescription); err != nil {
		vs = append(vs, err)
	}
	if auth.RoleName(role) == "anonymous" {
		vs = append(vs, invalid("role", "must be operator, agency, enterprise or peer"))
	}
	vs = append(vs, checkScope(role, scope)...)
	if len(vs) > 0 {
		return nil, "", joinInvalid(vs)
	}
	secret, hash := auth.NewSecret()
	now := m.now()
	rec := store.TokenRecord{ID: newID(now), Hash: hash, Org: org, Role: uint8(role), Description: description, CreateTime: now}
	if role == techmarketv1.Role_ROLE_PEER && scope != nil {
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(scope)
		if err != nil {
			return nil, "", err
		}
		rec.Scope = b
	}
	err := m.st.Update(ctx, func(tx *store.Tx) error {
		if err := tx.PutToken(rec); err != nil {
			return err
		}
		return Audit(tx, now, p, "tokens.create", "tokens/"+rec.ID, auth.RoleName(role)+" for "+org)
	})
	if err != nil {
		return nil, "", storeErr(err)
	}
	return tokenProto(rec), secret, nil
}

// ListTokens lists issued tokens, oldest first.
func (m *Market) ListTokens(ctx context.Context, p auth.Principal, size int32, token string) ([]*techmarketv1.Token, string, error) {
	if err := mayManageTokens(p); err != nil {
		return nil, "", err
	}
	n, err := pageSize(size)
	if err != nil {
		return nil, "", err
	}
	const digest = "tokens"
	after := ""
	if token != "" {
		if after, err = m.pages.Decode(digest, token); err != nil {
			return nil, "", invalid("page_token", "%v", err)
		}
	}
	var (
		page []*techmarketv1.Token
		more bool
	)
	err = m.st.ScanTokens(after, func(rec store.TokenRecord) bool {
		if len(page) == n {
			more = true
			return false
		}
		page = append(page, tokenProto(rec))
		return ctx.Err() == nil
	})
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return nil, "", storeErr(err)
	}
	next := ""
	if more {
		next = m.pages.Encode(digest, strings.TrimPrefix(page[len(page)-1].GetName(), "tokens/"))
	}
	return page, next, nil
}

// RevokeToken stops a token from working.
func (m *Market) RevokeToken(ctx context.Context, p auth.Principal, name string) (*techmarketv1.Token, error) {
	if err := mayManageTokens(p); err != nil {
		return nil, err
	}
	id, ok := strings.CutPrefix(name, "tokens/")
	if !ok || !validID(id) {
		return nil, invalid("name", "%q is not a token name; names look like tokens/0k3v9q2m7x1c4f8h", clipName(name))
	}
	rec, err := m.st.Token(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: there is no %s", ErrNotFound, name)
	} else if err != nil {
		return nil, storeErr(err)
	}
	if rec.RevokeTime.IsZero() {
		rec.RevokeTime = m.now()
		err := m.st.Update(ctx, func(tx *store.Tx) error {
			if err := tx.PutToken(rec); err != nil {
				return err
			}
			return Audit(tx, rec.RevokeTime, p, "tokens.revoke", name, auth.RoleName(techmarketv1.Role(rec.Role))+" of "+rec.Org)
		})
		if err != nil {
			return nil, storeErr(err)
		}
		m.tokens.forget()
	}
	return tokenProto(rec), nil
}

func mayManageTokens(p auth.Principal) error {
	if err := requireSignedIn(p); err != nil {
		return err
	}
	if !auth.CanManageTokens(p) {
		return fmt.Errorf("%w: only operators manage tokens", ErrPermissionDenied)
	}
	return nil
}

func tokenProto(rec store.TokenRecord) *techmarketv1.Token {
	t := &techmarketv1.Token{
		Name:         "tokens/" + rec.ID,
		Organization: rec.Org,
		Role:         techmarketv1.Role(rec.Role),
		Description:  rec.Description,
		CreateTime:   timestamppb.New(rec.CreateTime),
	}
	if !rec.RevokeTime.IsZero() {
		t.RevokeTime = timestamppb.New(rec.RevokeTime)
	}
	if len(rec.Scope) > 0 {
		t.PeerScope = &techmarketv1.PeerScope{}
		_ = proto.Unmarshal(rec.Scope, t.PeerScope) // written by issueToken; Authenticate reports a bad one
	}
	return t
}

// checkScope checks a peer scope: sides are offers or demands, industries
// are known codes, regions are set.
func checkScope(role techmarketv1.Role, scope *techmarketv1.PeerScope) []error {
	if scope == nil {
		return nil
	}
	if role != techmarketv1.Role_ROLE_PEER {
		return []error{invalid("peer_scope", "is for peer tokens only")}
	}
	var vs []error
	for i, s := range scope.GetSides() {
		if s != "offers" && s != "demands" {
			vs = append(vs, invalid(fmt.Sprintf("peer_scope.sides[%d]", i), "must be offers or demands, not %q", s))
		}
	}
	for i, c := range scope.GetIndustries() {
		if _, ok := listing.LookupIndustry(c); !ok {
			vs = append(vs, invalid(fmt.Sprintf("peer_scope.industries[%d]", i), "%q is not an industry code, such as coal-chemical or hydrogen", c))
		}
	}
	for i, r := range scope.GetRegions() {
		if _, ok := techmarketv1.Region_name[int32(r)]; !ok || r == techmarketv1.Region_REGION_UNSPECIFIED {
			vs = append(vs, invalid(fmt.Sprintf("peer_scope.regions[%d]", i), "must be a region: wuhai, inner-mongolia, domestic or international"))
		}
	}
	return vs
}

// CheckOrganization checks an organisation's name as tokens and imports
// take it.
func CheckOrganization(org string) error {
	return checkLabel("organization", org, true, MaxOrganization)
}

// checkLabel checks a one-line name such as an organisation.
func checkLabel(field, s string, required bool, maxLen int) error {
	switch {
	case !utf8.ValidString(s):
		return invalid(field, "is not valid UTF-8")
	case required && strings.TrimSpace(s) == "":
		return invalid(field, "must not be empty")
	case utf8.RuneCountInString(s) > maxLen:
		return invalid(field, "must be at most %d characters", maxLen)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return invalid(field, "must be one line without control characters")
	}
	return nil
}

// joinInvalid merges several InvalidErrors into one.
func joinInvalid(errs []error) error {
	all := &InvalidError{}
	for _, err := range errs {
		var ie *InvalidError
		if errors.As(err, &ie) {
			all.Violations = append(all.Violations, ie.Violations...)
		}
	}
	return all
}
