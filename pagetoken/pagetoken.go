// Package pagetoken makes the opaque page tokens of List calls (AIP-158).
//
// A token records where the previous page stopped (the last key returned,
// so the next page seeks straight there instead of skipping an ever-growing
// offset) and a digest of the query it belongs to. It is signed with a key
// kept in the store, so a client can neither forge a position nor replay a
// token against another query: both are rejected as invalid.
package pagetoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
)

// ErrInvalid is returned by Decode for a token that was not made by this
// service for this query: altered, truncated, signed with another key, or
// made for other filters.
var ErrInvalid = errors.New("page token is not valid for this query; start again without a page token")

const (
	version  = 1
	macSize  = 16
	maxToken = 1024 // bytes of encoded token accepted at all
)

// Codec signs and checks tokens with one key.
type Codec struct{ key []byte }

// New returns a codec signing with key (at least 16 random bytes).
func New(key []byte) *Codec { return &Codec{key: append([]byte(nil), key...)} }

// Encode returns a token for resuming query after the key `after`. query
// is any canonical description of the request's filters.
func (c *Codec) Encode(query, after string) string {
	payload := append([]byte{version}, after...)
	return base64.RawURLEncoding.EncodeToString(append(payload, c.mac(query, payload)...))
}

// Decode checks a token against query and returns the key to resume after.
func (c *Codec) Decode(query, token string) (string, error) {
	if len(token) > maxToken {
		return "", ErrInvalid
	}
	// A token has one spelling. Even the strict decoder skips \r and \n
	// anywhere in its input, and the lax one also takes variants whose
	// unused last bits differ (both found by FuzzDecode), so the decoded
	// bytes must encode back to the token itself.
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(raw) < 1+macSize || raw[0] != version ||
		base64.RawURLEncoding.EncodeToString(raw) != token {
		return "", ErrInvalid
	}
	payload, mac := raw[:len(raw)-macSize], raw[len(raw)-macSize:]
	if !hmac.Equal(mac, c.mac(query, payload)) {
		return "", ErrInvalid
	}
	return string(payload[1:]), nil
}

func (c *Codec) mac(query string, payload []byte) []byte {
	h := hmac.New(sha256.New, c.key)
	h.Write([]byte(query))
	h.Write([]byte{0})
	h.Write(payload)
	return h.Sum(nil)[:macSize]
}
