package deal

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReached(t *testing.T) {
	tests := []struct {
		name    string
		history []Stage
		want    map[Stage]bool
	}{
		{"empty", nil, map[Stage]bool{}},
		{"just contacted", []Stage{StageContacted}, map[Stage]bool{StageContacted: true}},
		{
			"meeting skipped",
			[]Stage{StageContacted, StageNegotiating, StageContractSigned, StageContractRegistered},
			map[Stage]bool{StageContacted: true, StageNegotiating: true, StageContractSigned: true, StageContractRegistered: true},
		},
		{
			"met at an event, never negotiated apart",
			[]Stage{StageContacted, StageMeeting, StageContractSigned},
			map[Stage]bool{StageContacted: true, StageMeeting: true, StageContractSigned: true},
		},
		{
			"back and forth, then closed",
			[]Stage{StageContacted, StageNegotiating, StageContacted, StageNegotiating, StageMeeting, StageNegotiating, StageClosed},
			map[Stage]bool{StageContacted: true, StageNegotiating: true, StageMeeting: true, StageClosed: true},
		},
		{"unknown stages ignored", []Stage{StageUnspecified, StageContacted, Stage(40)}, map[Stage]bool{StageContacted: true}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Reached(tt.history)); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tt.name, diff)
		}
	}
}

func TestFunnel(t *testing.T) {
	histories := [][]Stage{
		{StageContacted},
		{StageContacted, StageClosed},
		{StageContacted, StageNegotiating, StageContacted, StageNegotiating, StageClosed}, // counted once per stage
		{StageContacted, StageMeeting, StageNegotiating, StageContractSigned, StageContractRegistered},
		{StageContacted, StageNegotiating, StageContractSigned, StageClosed},
	}
	want := FunnelCounts{
		Deals: 5,
		Reached: map[Stage]int{
			StageContacted:          5,
			StageNegotiating:        3,
			StageMeeting:            1,
			StageContractSigned:     2,
			StageContractRegistered: 1,
			StageClosed:             3,
		},
	}
	if diff := cmp.Diff(want, Funnel(histories)); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if diff := cmp.Diff(FunnelCounts{Reached: map[Stage]int{}}, Funnel(nil)); diff != "" {
		t.Errorf("no deals: (-want +got)\n%s", diff)
	}
}
