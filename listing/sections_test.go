package listing

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSections(t *testing.T) {
	text := "企业概况：公司有焦炉两座。\n装机9000kW。\n需求内容：电容经常烧坏。\n有意向的单位请与技术部联系。\n成果简介：上升管换热器。\n应用前景：市场广阔。\n对技术方的要求：有业绩。"
	want := []Section{
		{"企业概况：公司有焦炉两座。", AsideWeight},
		{"装机9000kW。", AsideWeight},
		{"需求内容：电容经常烧坏。", 1.3},
		{"有意向的单位请与技术部联系。", AsideWeight},
		{"成果简介：上升管换热器。", 1},
		{"应用前景：市场广阔。", AsideWeight},
		{"对技术方的要求：有业绩。", 0.7},
	}
	if diff := cmp.Diff(want, Sections(text)); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if got := Sections("没有标签的一段话，逗号：不算标签"); len(got) != 1 || got[0].Weight != 1 {
		t.Errorf("unlabelled text: %v", got)
	}
}
