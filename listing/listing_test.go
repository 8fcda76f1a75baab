package listing

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

func offer() *techmarketv1.Offer {
	return &techmarketv1.Offer{
		Title:      "离子膜烧碱蒸发节能",
		Industries: []string{"chlor-alkali"},
		Region:     techmarketv1.Region_REGION_WUHAI,
		Price:      &techmarketv1.YuanRange{MinYuan: 1, MaxYuan: 2},
		Keywords:   []string{"烧碱", "MVR"},
	}
}

func TestIndustryTableLoads(t *testing.T) {
	if n := len(Industries()); n < 18 {
		t.Fatalf("%d industries, want the whole table", n)
	}
	ind, ok := LookupIndustry("chlor-alkali")
	if !ok || ind.NameZH != "氯碱化工" || len(ind.Subjects) == 0 {
		t.Errorf("chlor-alkali = %+v, %v", ind, ok)
	}
}

func TestValidateCountsCharactersNotBytes(t *testing.T) {
	o := offer()
	o.Title = strings.Repeat("氢", MaxTitle) // 600 bytes, 200 characters
	if vs := Validate(o); len(vs) != 0 {
		t.Errorf("a 200-character Chinese title was refused: %v", vs)
	}
}

func TestValidateMultilineOnlyWhereAllowed(t *testing.T) {
	o := offer()
	o.Description = "第一段\n\t第二段\r\n"
	if vs := Validate(o); len(vs) != 0 {
		t.Errorf("line breaks in a description were refused: %v", vs)
	}
	o.Keywords = []string{"a\nb"}
	if vs := Validate(o); len(vs) != 1 || vs[0].Field != "keywords[0]" {
		t.Errorf("a keyword with a line break: %v", vs)
	}
}

func TestApplyMask(t *testing.T) {
	src := &techmarketv1.Offer{Title: "新标题", Price: &techmarketv1.YuanRange{MaxYuan: 9}}
	for _, tc := range []struct {
		name  string
		paths []string
		want  func(o *techmarketv1.Offer)
	}{
		{"one field", []string{"title"}, func(o *techmarketv1.Offer) { o.Title = "新标题" }},
		{"nested field", []string{"price.max_yuan"}, func(o *techmarketv1.Offer) { o.Price.MaxYuan = 9 }},
		{"unset field clears", []string{"keywords"}, func(o *techmarketv1.Offer) { o.Keywords = nil }},
		{"whole message", []string{"price"}, func(o *techmarketv1.Offer) { o.Price = &techmarketv1.YuanRange{MaxYuan: 9} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst, want := offer(), offer()
			tc.want(want)
			if err := ApplyMask(dst, src, tc.paths); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, dst, cmpProto); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
	for _, bad := range [][]string{{"state"}, {"etag"}, {"nope"}, {"title.x"}, {"title", "keywords.x"}} {
		dst := offer()
		if err := ApplyMask(dst, src, bad); err == nil {
			t.Errorf("mask %v accepted", bad)
		}
		if !proto.Equal(dst, offer()) {
			t.Errorf("refused mask %v changed the listing", bad)
		}
	}
}

func TestSameContentIgnoresServiceFields(t *testing.T) {
	a, b := offer(), offer()
	b.State, b.Etag, b.Name = techmarketv1.ListingState_LISTING_STATE_PUBLISHED, `"7"`, "offers/x"
	if !SameContent(a, b) {
		t.Error("listings differing only in service fields are not the same content")
	}
	b.Title += "!"
	if SameContent(a, b) {
		t.Error("different titles compare as the same content")
	}
	if b.State != techmarketv1.ListingState_LISTING_STATE_PUBLISHED {
		t.Error("SameContent changed its argument")
	}
}

var cmpProto = cmp.Comparer(proto.Equal)
