package interchange

import (
	"io"
	"strings"
	"testing"
)

func TestLineReader(t *testing.T) {
	t.Parallel()
	const limit = 1 << 20
	long := strings.Repeat("x", limit)
	type line struct {
		text   string // what next returns, or its first 20 bytes for long lines
		length int
	}
	for _, tc := range []struct {
		name  string
		input string
		want  []line
	}{
		{"empty input", "", nil},
		{"lf", "a\n\nbc\n", []line{{"a", 1}, {"", 0}, {"bc", 2}}},
		{"crlf", "a\r\nbc\r\n", []line{{"a", 1}, {"bc", 2}}},
		{"no final newline", "a\nbc", []line{{"a", 1}, {"bc", 2}}},
		{"bom on the first line only", "\xef\xbb\xbfa\n\xef\xbb\xbfb", []line{{"a", 1}, {"\xef\xbb\xbfb", 4}}},
		{"longest allowed with crlf", long + "\r\nz", []line{{long, limit}, {"z", 1}}},
		{"one byte too long", long + "y\r\nz\n", []line{{long, limit + 1}, {"z", 1}}},
		{"far too long", long + long + "\nz", []line{{long, 2 * limit}, {"z", 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			lr := NewLineReader(strings.NewReader(tc.input), limit)
			for i, want := range tc.want {
				text, length, err := lr.Next()
				if err != nil {
					t.Fatalf("line %d: %v", i+1, err)
				}
				if length != want.length {
					t.Errorf("line %d: length %d, want %d", i+1, length, want.length)
				}
				if length <= limit && string(text) != want.text {
					t.Errorf("line %d: %.20q, want %.20q", i+1, text, want.text)
				}
			}
			if _, _, err := lr.Next(); err != io.EOF {
				t.Errorf("after the last line: %v, want io.EOF", err)
			}
		})
	}
}
