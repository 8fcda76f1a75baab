package federation

import (
	"errors"
	"testing"
)

func TestCursorsRoundTripAndSortAsPositions(t *testing.T) {
	for _, seq := range []uint64{0, 1, 255, 1 << 40, ^uint64(0)} {
		got, err := ParseCursor(Cursor(seq))
		if err != nil || got != seq {
			t.Errorf("ParseCursor(Cursor(%d)) = %d, %v", seq, got, err)
		}
	}
	if Cursor(9) > Cursor(10) {
		t.Errorf("cursors sort as text, not as positions: %s > %s", Cursor(9), Cursor(10))
	}
	for _, bad := range []string{"1", "zzzzzzzzzzzzzzzz", "000000000000000g", "+00000000000000a", "00000000000000001"} {
		if _, err := ParseCursor(bad); !errors.Is(err, ErrBadCursor) {
			t.Errorf("ParseCursor(%q) = %v; want ErrBadCursor", bad, err)
		}
	}
}
