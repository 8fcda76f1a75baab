package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestCountLines(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{
		"":                                 0,
		"a":                                1,
		"a\n":                              1,
		"a\n\nb":                           3,
		"a\r\nb\r\n":                       2,
		strings.Repeat("x\n", 100000):      100000,
		strings.Repeat("y", 200000) + "\n": 1,
	} {
		got, err := countLines(strings.NewReader(in))
		if err != nil || got != want {
			t.Errorf("countLines(%.20q…) = %d, %v; want %d", in, got, err, want)
		}
	}
}

func TestProgress(t *testing.T) {
	t.Parallel()
	feed := func(p *progress, answered ...int) string {
		for _, n := range answered {
			p.update(n)
		}
		p.finish()
		return p.w.(*bytes.Buffer).String()
	}
	// Off a terminal: one line per tenth crossed, however the batches fall.
	got := feed(&progress{w: &bytes.Buffer{}, total: 1000}, 50, 100, 150, 250, 900, 1000)
	want := "importing: 100/1000 lines answered (10%)\n" +
		"importing: 250/1000 lines answered (25%)\n" +
		"importing: 900/1000 lines answered (90%)\n" +
		"importing: 1000/1000 lines answered (100%)\n"
	if got != want {
		t.Errorf("progress off a terminal:\n%s\nwant:\n%s", got, want)
	}
	// On a terminal: redrawn in place, then a newline.
	got = feed(&progress{w: &bytes.Buffer{}, tty: true, total: 4}, 2, 4)
	if want := "\rimporting: 2/4 lines answered (50%)\rimporting: 4/4 lines answered (100%)\n"; got != want {
		t.Errorf("progress on a terminal = %q, want %q", got, want)
	}
	// Standard input: no total.
	got = feed(&progress{w: &bytes.Buffer{}}, 9000, 12000, 19000, 20000)
	if want := "importing: 12000 lines answered\nimporting: 20000 lines answered\n"; got != want {
		t.Errorf("progress without a total = %q, want %q", got, want)
	}
}
