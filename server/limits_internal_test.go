package server

import (
	"context"
	"testing"
	"time"
)

func TestDeadlineCeiling(t *testing.T) {
	const ceiling = time.Minute
	capped := deadlineUnary(ceiling)
	seen := func(ctx context.Context) time.Duration {
		var left time.Duration
		_, _ = capped(ctx, nil, nil, func(ctx context.Context, _ any) (any, error) {
			d, ok := ctx.Deadline()
			if !ok {
				t.Fatal("the handler runs without a deadline")
			}
			left = time.Until(d)
			return nil, nil
		})
		return left
	}
	if left := seen(context.Background()); left > ceiling {
		t.Errorf("no deadline: handler has %s, want at most %s", left, ceiling)
	}
	decade, cancel := context.WithTimeout(context.Background(), 10*365*24*time.Hour)
	defer cancel()
	if left := seen(decade); left > ceiling {
		t.Errorf("ten-year deadline: handler has %s, want at most %s", left, ceiling)
	}
	short, cancel2 := context.WithTimeout(context.Background(), time.Second)
	defer cancel2()
	if left := seen(short); left > time.Second {
		t.Errorf("a shorter deadline was lengthened to %s", left)
	}
}
