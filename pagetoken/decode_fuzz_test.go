package pagetoken_test

import (
	"testing"

	"github.com/wuhai-techmarket/techmarket/pagetoken"
)

// FuzzDecode: a token decodes only for the query it was made for, with the
// codec's key, and to exactly what was encoded; nothing crashes the
// decoder.
func FuzzDecode(f *testing.F) {
	c := pagetoken.New([]byte("the market's key"))
	other := pagetoken.New([]byte("another key"))
	f.Add("offers\x00hydrogen", "0k3v9q2m7x1c4f8h", "")
	f.Add("", "", "AAAA")
	f.Add("q", "after", c.Encode("q", "after"))
	f.Add("q", "after", c.Encode("q", "after")+"=")
	f.Fuzz(func(t *testing.T, query, after, token string) {
		if len(after) > 256 {
			return // resume keys are ids and names; longer tokens are refused by size
		}
		if got, err := c.Decode(query, c.Encode(query, after)); err != nil || got != after {
			t.Fatalf("round trip of %q: %q, %v", after, got, err)
		}
		if _, err := c.Decode(query+"x", c.Encode(query, after)); err == nil {
			t.Fatal("a token decoded for another query")
		}
		if _, err := other.Decode(query, c.Encode(query, after)); err == nil {
			t.Fatal("a token decoded with another key")
		}
		if got, err := c.Decode(query, token); err == nil && c.Encode(query, got) != token {
			t.Fatalf("accepted %q, which Encode does not make", token)
		}
	})
}
