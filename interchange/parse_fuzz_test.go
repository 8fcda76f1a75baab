package interchange_test

import (
	"bufio"
	"errors"
	"os"
	"testing"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"

	"github.com/wuhai-techmarket/techmarket/interchange"
	"github.com/wuhai-techmarket/techmarket/listing"
)

// FuzzParse: no line crashes the parser; every line is either a listing
// whose text is valid UTF-8 or an error naming a reason; parsing is
// deterministic.
func FuzzParse(f *testing.F) {
	for _, path := range []string{"../../shared/data/dev/offers.jsonl", "../../shared/data/dev/demands.jsonl"} {
		file, err := os.Open(path)
		if err != nil {
			f.Fatalf("%v (the shared data folder sits beside the repository)", err)
		}
		sc := bufio.NewScanner(file)
		sc.Buffer(nil, 1<<20)
		for i := 0; sc.Scan() && i < 20; i++ {
			line := append([]byte(nil), sc.Bytes()...)
			f.Add(line)
			f.Add(line[:len(line)/2])
		}
		file.Close()
	}
	for _, s := range []string{"", "{}", "null", "[]", `{"kind":"offer"}`, `{"kind":"demand","title":"\u0000"}`,
		`{"kind":"offer","trl":1e309}`, `{"kind":"offer","price":{"minYuan":-1}}`, "{\"kind\":\"offer\",\"title\":\"\xff\"}",
		`{"kind":"offer","keywords":[[[[[[[[[[]]]]]]]]]]}`, `{"a":` + string(make([]byte, 100)) + `}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		msg, err := interchange.Parse(line)
		again, err2 := interchange.Parse(line)
		if (err == nil) != (err2 == nil) || (err == nil && !proto.Equal(msg, again)) {
			t.Fatalf("parsing twice differs: %v / %v", err, err2)
		}
		if err != nil {
			var ie *interchange.Error
			if !errors.As(err, &ie) || ie.Reason == "" {
				t.Fatalf("error without a reason: %#v", err)
			}
			return
		}
		l, ok := msg.(listing.Listing)
		if !ok {
			t.Fatalf("Parse returned %T", msg)
		}
		for _, s := range append([]string{l.GetTitle(), l.GetSummary(), l.GetDescription(), l.GetExternalId()}, l.GetKeywords()...) {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 got through: %q", s)
			}
		}
		if _, err := proto.Marshal(msg); err != nil {
			t.Fatalf("parsed listing does not marshal: %v", err)
		}
	})
}
