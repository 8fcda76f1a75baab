package interchange

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/proto"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

func TestParseOffer(t *testing.T) {
	msg, err := Parse([]byte(`{"kind":"offer","externalId":"x1","title":"PSA制氢","industries":["hydrogen"],"region":"inner-mongolia",
		"transferModes":["license","joint-development"],"language":"en","trl":7,"price":{"minYuan":1,"maxYuan":2},
		"owner":{"name":"某研究院","type":"institute"},"patents":[{"number":"CN1","type":"invention"}],"contact":{"name":"李"}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := &techmarketv1.Offer{
		ExternalId: "x1", Title: "PSA制氢", Industries: []string{"hydrogen"},
		Region:        techmarketv1.Region_REGION_INNER_MONGOLIA,
		TransferModes: []techmarketv1.TransferMode{techmarketv1.TransferMode_TRANSFER_MODE_LICENSE, techmarketv1.TransferMode_TRANSFER_MODE_JOINT_DEVELOPMENT},
		Language:      techmarketv1.Language_LANGUAGE_EN, Trl: 7,
		Price:   &techmarketv1.YuanRange{MinYuan: 1, MaxYuan: 2},
		Owner:   &techmarketv1.Owner{Name: "某研究院", Type: techmarketv1.OwnerType_OWNER_TYPE_INSTITUTE},
		Patents: []*techmarketv1.Patent{{Number: "CN1", Type: techmarketv1.PatentType_PATENT_TYPE_INVENTION}},
		Contact: &techmarketv1.Contact{Name: "李"},
	}
	if !proto.Equal(msg, want) {
		t.Errorf("got %v\nwant %v", msg, want)
	}
}

func TestParseRejects(t *testing.T) {
	for _, tc := range []struct {
		line, field string
	}{
		{`not json`, ""},
		{`{"kind":"offer"`, ""},
		{`{} {}`, ""},
		{`{"title":"x"}`, "kind"},
		{`{"kind":"patent"}`, "kind"},
		{`{"kind":"offer","title":7}`, "title"},
		{`{"kind":"offer","region":"mars"}`, "region"},
		{`{"kind":"offer","transferModes":["gift"]}`, "transferModes[0]"},
		{`{"kind":"offer","trl":0}`, "trl"},
		{`{"kind":"offer","trl":7.5}`, "trl"},
		{`{"kind":"offer","price":{"minYuan":1}}`, "price"},
		{`{"kind":"offer","minTrl":3}`, "minTrl"},
		{`{"kind":"demand","trl":3}`, "trl"},
		{`{"kind":"offer","owner":{"name":"x","type":"alien"}}`, "owner.type"},
		{`{"kind":"offer","language":"fr"}`, "language"},
		{`{"kind":"offer","colour":"red"}`, "colour"},
		{"{\"kind\":\"offer\",\"title\":\"\xff\"}", ""},
	} {
		_, err := Parse([]byte(tc.line))
		var e *Error
		if !errors.As(err, &e) || e.Field != tc.field || e.Reason == "" {
			t.Errorf("Parse(%s) = %v; want an *Error on field %q with a reason", tc.line, err, tc.field)
		}
	}
}

// TestParseSharedData reads every line of the shared data sets, which the
// import must take as they are.
func TestParseSharedData(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "shared", "data", "*", "*.jsonl"))
	if len(files) == 0 {
		t.Fatal("no shared data found beside the repository (../shared/data)")
	}
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for n := 1; sc.Scan(); n++ {
			if _, err := Parse(sc.Bytes()); err != nil {
				t.Errorf("%s:%d: %v", path, n, err)
			}
		}
		f.Close()
	}
}
