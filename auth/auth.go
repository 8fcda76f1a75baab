// Package auth says who a caller is and what it may do.
//
// A caller presents a bearer token; the token maps to a Principal: an
// organisation and a role. The rules of the market live here as plain
// functions of a principal, so the server, the import path and later
// features ask the same questions and get the same answers:
//
//   - anyone may read published listings, but only signed-in callers see
//     contact details;
//   - agencies post offers, enterprises post demands, operators anything;
//   - only the posting organisation or an operator changes a listing;
//   - only operators manage tokens.
//
// Token secrets are random 256-bit values shown once; the store keeps only
// their SHA-256. A slow password hash would add nothing: the secrets are
// not guessable, and every call checks one.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// Principal is an authenticated caller. The zero value is anonymous.
type Principal struct {
	// Org is the organisation the caller speaks for.
	Org string
	// Role is what the caller may do.
	Role techmarketv1.Role
	// TokenID is the public id of the token used, for audit and logs.
	TokenID string
	// Scope bounds what a peer (ROLE_PEER) pulls of the feed; nil shares
	// everything.
	Scope *techmarketv1.PeerScope
}

// Anonymous reports whether the caller presented no token.
func (p Principal) Anonymous() bool { return p.Role == techmarketv1.Role_ROLE_UNSPECIFIED }

// IsPeer reports whether the caller is another market following this
// one's feed.
func (p Principal) IsPeer() bool { return p.Role == techmarketv1.Role_ROLE_PEER }

// IsOperator reports whether the caller runs the market.
func (p Principal) IsOperator() bool { return p.Role == techmarketv1.Role_ROLE_OPERATOR }

// String names the caller for logs.
func (p Principal) String() string {
	if p.Anonymous() {
		return "anonymous"
	}
	return p.Org + " (" + RoleName(p.Role) + ")"
}

type principalKey struct{}

// NewContext returns ctx carrying p.
func NewContext(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal in ctx, anonymous when there is none.
func FromContext(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}

// Side is the side of the market a listing is on.
type Side int

// The two sides.
const (
	Offers Side = iota + 1
	Demands
)

// CanPost reports whether p may create listings on side s.
func CanPost(p Principal, s Side) bool {
	switch p.Role {
	case techmarketv1.Role_ROLE_OPERATOR:
		return true
	case techmarketv1.Role_ROLE_AGENCY:
		return s == Offers
	case techmarketv1.Role_ROLE_ENTERPRISE:
		return s == Demands
	}
	return false
}

// CanChange reports whether p may change or delete a listing on side s
// posted by poster.
func CanChange(p Principal, s Side, poster string) bool {
	return p.IsOperator() || (CanPost(p, s) && p.Org == poster)
}

// CanRead reports whether p may see a listing posted by poster in state.
func CanRead(p Principal, poster string, state techmarketv1.ListingState) bool {
	return state == techmarketv1.ListingState_LISTING_STATE_PUBLISHED ||
		p.IsOperator() || (!p.Anonymous() && p.Org == poster)
}

// SeesContact reports whether p may see listings' contact details.
func SeesContact(p Principal) bool { return !p.Anonymous() && !p.IsPeer() }

// CanManageTokens reports whether p may issue, list and revoke tokens.
func CanManageTokens(p Principal) bool { return p.IsOperator() }

// secretPrefix marks Techmarket secrets, so that a leaked one is easy to
// recognise in logs and by secret scanners.
const secretPrefix = "tmk_"

// NewSecret returns a fresh bearer secret and the hash to store for it.
func NewSecret() (secret string, hash [32]byte) {
	var raw [32]byte
	_, _ = rand.Read(raw[:]) // crypto/rand.Read never fails on supported platforms
	secret = secretPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	return secret, HashSecret(secret)
}

// HashSecret returns the stored form of a secret.
func HashSecret(secret string) [32]byte { return sha256.Sum256([]byte(secret)) }

// ParseRole reads a role name: operator, agency, enterprise or peer.
func ParseRole(name string) (techmarketv1.Role, bool) {
	switch strings.ToLower(name) {
	case "operator":
		return techmarketv1.Role_ROLE_OPERATOR, true
	case "agency":
		return techmarketv1.Role_ROLE_AGENCY, true
	case "enterprise":
		return techmarketv1.Role_ROLE_ENTERPRISE, true
	case "peer":
		return techmarketv1.Role_ROLE_PEER, true
	}
	return techmarketv1.Role_ROLE_UNSPECIFIED, false
}

// RoleName is the inverse of ParseRole.
func RoleName(r techmarketv1.Role) string {
	switch r {
	case techmarketv1.Role_ROLE_OPERATOR:
		return "operator"
	case techmarketv1.Role_ROLE_AGENCY:
		return "agency"
	case techmarketv1.Role_ROLE_ENTERPRISE:
		return "enterprise"
	case techmarketv1.Role_ROLE_PEER:
		return "peer"
	}
	return "anonymous"
}
