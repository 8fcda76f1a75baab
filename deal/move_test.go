package deal

import (
	"errors"
	"strings"
	"testing"
)

// transitions is the rule table of the package comment, written out by
// hand: row = from, column = to, in the order
// unspecified contacted negotiating meeting contract_signed
// contract_registered closed; 'y' marks an allowed move.
var transitions = map[Stage]string{
	//                        U C N M S R X
	StageUnspecified:        ". . . . . . .",
	StageContacted:          ". . y y . . y",
	StageNegotiating:        ". y . y y . y",
	StageMeeting:            ". . y . y . y",
	StageContractSigned:     ". . . . . y y",
	StageContractRegistered: ". . . . . . .",
	StageClosed:             ". . . . . . .",
}

var allStages = []Stage{StageUnspecified, StageContacted, StageNegotiating, StageMeeting, StageContractSigned, StageContractRegistered, StageClosed}

func TestCanMoveTable(t *testing.T) {
	if len(transitions) != len(allStages) {
		t.Fatalf("the table has %d rows, want %d", len(transitions), len(allStages))
	}
	for _, from := range allStages {
		cells := strings.Fields(transitions[from])
		if len(cells) != len(allStages) {
			t.Fatalf("row %s has %d cells", from, len(cells))
		}
		for i, to := range allStages {
			want := cells[i] == "y"
			err := CanMove(from, to)
			if got := err == nil; got != want {
				t.Errorf("CanMove(%s, %s) = %v, want allowed=%v", from, to, err, want)
				continue
			}
			if err != nil {
				var me *MoveError
				if !errors.As(err, &me) || me.From != from || me.To != to || me.Reason == "" {
					t.Errorf("CanMove(%s, %s) = %#v, want a *MoveError with the stages and a reason", from, to, err)
				}
			}
		}
	}
	// Stages outside the enum.
	for _, pair := range [][2]Stage{{Stage(99), StageNegotiating}, {StageContacted, Stage(99)}, {Stage(-1), StageClosed}, {StageNegotiating, Stage(-1)}} {
		var me *MoveError
		if err := CanMove(pair[0], pair[1]); !errors.As(err, &me) {
			t.Errorf("CanMove(%s, %s) = %v, want a *MoveError", pair[0], pair[1], err)
		}
	}
}

func TestTerminal(t *testing.T) {
	want := map[Stage]bool{StageContractRegistered: true, StageClosed: true}
	for _, s := range append(allStages, Stage(42)) {
		if got := Terminal(s); got != want[s] {
			t.Errorf("Terminal(%s) = %v", s, got)
		}
	}
}

// complete returns a well-formed move to the stage.
func complete(to Stage) Move {
	m := Move{To: to, Note: "在对接会上见面，约定下周去现场。"}
	switch to {
	case StageContractSigned:
		m.ContractType, m.AmountYuan = ContractLicence, 1_200_000
	case StageContractRegistered:
		m.ContractNumber = "2026150300000123"
	case StageClosed:
		m.Reason = ReasonPrice
	}
	return m
}

func TestValidateMoveFollowsTheTable(t *testing.T) {
	for _, from := range allStages {
		cells := strings.Fields(transitions[from])
		for i, to := range allStages {
			if to == StageUnspecified {
				continue // not a move: a field error, tested below
			}
			m := complete(to)
			if from == StageContractSigned && to == StageClosed {
				m.Reason = ReasonContractCancelled
			}
			err := ValidateMove(from, m)
			if cells[i] == "y" {
				if err != nil {
					t.Errorf("ValidateMove(%s, %+v) = %v, want nil", from, m, err)
				}
				continue
			}
			var me *MoveError
			if !errors.As(err, &me) || me.From != from || me.To != to {
				t.Errorf("ValidateMove(%s, to %s) = %v, want a *MoveError", from, to, err)
			}
		}
	}
}

func TestValidateMoveFields(t *testing.T) {
	tests := []struct {
		name  string
		from  Stage
		move  Move
		field string
	}{
		{"no target", StageContacted, Move{}, "to"},
		{"unknown target", StageContacted, Move{To: 17}, "to"},
		{"closing without reason", StageNegotiating, Move{To: StageClosed}, "reason"},
		{"unknown reason", StageNegotiating, Move{To: StageClosed, Reason: 99}, "reason"},
		{"reason on another move", StageContacted, Move{To: StageNegotiating, Reason: ReasonPrice}, "reason"},
		{"signed contract closed for price", StageContractSigned, Move{To: StageClosed, Reason: ReasonPrice}, "reason"},
		{"cancelled before signing", StageMeeting, Move{To: StageClosed, Reason: ReasonContractCancelled}, "reason"},
		{"signed without type", StageNegotiating, Move{To: StageContractSigned, AmountYuan: 100}, "contract_type"},
		{"signed with unknown type", StageNegotiating, Move{To: StageContractSigned, ContractType: 9}, "contract_type"},
		{"negative amount", StageNegotiating, Move{To: StageContractSigned, ContractType: ContractDevelopment, AmountYuan: -1}, "amount_yuan"},
		{"absurd amount", StageNegotiating, Move{To: StageContractSigned, ContractType: ContractDevelopment, AmountYuan: MaxAmountYuan + 1}, "amount_yuan"},
		{"type on another move", StageContacted, Move{To: StageNegotiating, ContractType: ContractService}, "contract_type"},
		{"amount on another move", StageContractSigned, Move{To: StageContractRegistered, ContractNumber: "A-1", AmountYuan: 5}, "amount_yuan"},
		{"registered without number", StageContractSigned, Move{To: StageContractRegistered}, "contract_number"},
		{"number with a space", StageContractSigned, Move{To: StageContractRegistered, ContractNumber: "2026 1503"}, "contract_number"},
		{"number with Chinese", StageContractSigned, Move{To: StageContractRegistered, ContractNumber: "乌海2026001"}, "contract_number"},
		{"number too long", StageContractSigned, Move{To: StageContractRegistered, ContractNumber: strings.Repeat("1", 41)}, "contract_number"},
		{"number on another move", StageNegotiating, Move{To: StageMeeting, ContractNumber: "2026-1"}, "contract_number"},
		{"note too long", StageContacted, Move{To: StageNegotiating, Note: strings.Repeat("谈", MaxNote+1)}, "note"},
		{"note not UTF-8", StageContacted, Move{To: StageNegotiating, Note: "\xff"}, "note"},
		// A malformed move is InvalidArgument even when the deal could not
		// make it anyway.
		{"malformed and illegal", StageClosed, Move{To: StageContractSigned}, "contract_type"},
	}
	for _, tt := range tests {
		err := ValidateMove(tt.from, tt.move)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field || fe.Reason == "" {
			t.Errorf("%s: ValidateMove(%s, %+v) = %v, want a *FieldError on %s", tt.name, tt.from, tt.move, err, tt.field)
		}
	}
}

func TestValidateMoveAccepts(t *testing.T) {
	tests := []struct {
		from Stage
		move Move
	}{
		{StageContacted, Move{To: StageNegotiating}},
		{StageContacted, Move{To: StageMeeting, Note: "乌海科技大市场对接会"}},
		{StageNegotiating, Move{To: StageContractSigned, ContractType: ContractTransfer}}, // amount 0: not disclosed
		{StageMeeting, Move{To: StageContractSigned, ContractType: ContractDevelopment, AmountYuan: MaxAmountYuan}},
		{StageContractSigned, Move{To: StageContractRegistered, ContractNumber: "2026150300000123"}},
		{StageContractSigned, Move{To: StageContractRegistered, ContractNumber: "NM-2026-0042"}},
		{StageContractSigned, Move{To: StageContractRegistered, ContractNumber: strings.Repeat("9", 40)}},
		{StageContractSigned, Move{To: StageClosed, Reason: ReasonContractCancelled, Note: "对方资金未到位，双方协议解除"}},
		{StageContacted, Move{To: StageClosed, Reason: ReasonNoResponse}},
		{StageMeeting, Move{To: StageClosed, Reason: ReasonOther, Note: strings.Repeat("谈", MaxNote)}},
	}
	for _, tt := range tests {
		if err := ValidateMove(tt.from, tt.move); err != nil {
			t.Errorf("ValidateMove(%s, %+v) = %v, want nil", tt.from, tt.move, err)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	err := CanMove(StageContractSigned, StageNegotiating)
	if got := err.Error(); !strings.Contains(got, "contract_signed") || !strings.Contains(got, "negotiating") {
		t.Errorf("MoveError message %q does not name the stages", got)
	}
	err = ValidateMove(StageNegotiating, Move{To: StageClosed})
	if got := err.Error(); !strings.HasPrefix(got, "deal: reason: ") {
		t.Errorf("FieldError message %q does not start with the field", got)
	}
}

func TestNames(t *testing.T) {
	stages := map[Stage]string{
		StageUnspecified: "unspecified", StageContacted: "contacted", StageNegotiating: "negotiating",
		StageMeeting: "meeting", StageContractSigned: "contract_signed",
		StageContractRegistered: "contract_registered", StageClosed: "closed", Stage(12): "Stage(12)",
	}
	for s, want := range stages {
		if got := s.String(); got != want {
			t.Errorf("Stage %d: %q, want %q", int(s), got, want)
		}
	}
	for r := ReasonUnspecified; r <= ReasonOther; r++ {
		if r.String() == "" || strings.HasPrefix(r.String(), "CloseReason(") || r.Label() == "" {
			t.Errorf("reason %d has no name: %q %q", int(r), r, r.Label())
		}
	}
	if got := ReasonTooEarly.Label(); got != "技术成熟度不足" {
		t.Errorf("ReasonTooEarly.Label() = %q", got)
	}
	if got := CloseReason(50).String(); got != "CloseReason(50)" {
		t.Errorf("CloseReason(50) = %q", got)
	}
	for c := ContractUnspecified; c <= ContractService; c++ {
		if strings.HasPrefix(c.String(), "ContractType(") || c.Label() == "" {
			t.Errorf("contract type %d has no name", int(c))
		}
	}
	if got := ContractLicence.Label(); got != "技术许可" {
		t.Errorf("ContractLicence.Label() = %q", got)
	}
}
