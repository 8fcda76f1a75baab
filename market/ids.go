package market

import (
	"crypto/rand"
	"encoding/binary"
	"strconv"
	"time"
)

// crockford is Crockford's base32 in lower case: no i, l, o or u, so an id
// read aloud at a matchmaking event or copied by hand survives.
const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

// newID returns a 16-character id: 10 characters of millisecond time, so
// ids sort in creation order and List pages in posting order, then 6
// random characters (30 bits) for ids made in the same millisecond.
func newID(now time.Time) string {
	var b [16]byte
	ms := uint64(now.UnixMilli())
	for i := 9; i >= 0; i-- {
		b[i] = crockford[ms&31]
		ms >>= 5
	}
	var r [4]byte
	_, _ = rand.Read(r[:])
	rnd := binary.BigEndian.Uint32(r[:])
	for i := 15; i >= 10; i-- {
		b[i] = crockford[rnd&31]
		rnd >>= 5
	}
	return string(b[:])
}

// validID reports whether s could be an id made by newID. Checking before
// touching the store keeps junk out of lookups and error messages.
func validID(s string) bool {
	if len(s) != 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') || c == 'i' || c == 'l' || c == 'o' || c == 'u' {
			return false
		}
	}
	return true
}

// etagOf turns a store revision into an opaque etag.
func etagOf(revision uint64) string {
	return `"` + strconv.FormatUint(revision, 36) + `"`
}
