package pagetoken

import (
	"errors"
	"testing"
)

func TestRoundTripAndRejections(t *testing.T) {
	c := New([]byte("0123456789abcdef0123456789abcdef"))
	tok := c.Encode("offers|hydrogen", "01jd8x0000000000")
	after, err := c.Decode("offers|hydrogen", tok)
	if err != nil || after != "01jd8x0000000000" {
		t.Fatalf("Decode = %q, %v; want the key back", after, err)
	}
	other := New([]byte("another key, another deployment!"))
	for name, bad := range map[string]struct{ query, token string }{
		"other query":       {"offers|water", tok},
		"other key":         {"offers|hydrogen", other.Encode("offers|hydrogen", "01jd8x0000000000")},
		"truncated":         {"offers|hydrogen", tok[:len(tok)-3]},
		"not base64":        {"offers|hydrogen", "%%%"},
		"empty payload":     {"offers|hydrogen", "AA"},
		"huge":              {"offers|hydrogen", string(make([]byte, 5000))},
		"flipped position":  {"offers|hydrogen", flip(tok, 3)},
		"line break inside": {"offers|hydrogen", tok[:5] + "\r\n" + tok[5:]},
		"trailing newline":  {"offers|hydrogen", tok + "\n"},
	} {
		if _, err := c.Decode(bad.query, bad.token); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func flip(s string, i int) string {
	b := []byte(s)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}
