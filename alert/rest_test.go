package alert

import (
	"testing"
	"time"
)

// TestRestAfter: while writers are busy the alerter yields three times
// its matching time, but never more than a second, however long a group
// took (the first loads the dictionary): alerts never wait long for it.
func TestRestAfter(t *testing.T) {
	for _, c := range []struct{ took, want time.Duration }{
		{10 * time.Millisecond, 30 * time.Millisecond},
		{250 * time.Millisecond, 750 * time.Millisecond},
		{400 * time.Millisecond, time.Second},
		{20 * time.Second, time.Second},
	} {
		if got := restAfter(c.took); got != c.want {
			t.Errorf("rest after a group of %s: %s, want %s", c.took, got, c.want)
		}
	}
}
