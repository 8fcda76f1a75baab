package deal

import (
	"fmt"
	"unicode/utf8"

	"github.com/wuhai-techmarket/techmarket/listing"
)

// Move is one step of a deal, as a party reports it.
type Move struct {
	// To is the stage the deal moves to.
	To Stage
	// Reason says why the deal closed; only for a move to closed.
	Reason CloseReason
	// Note is free text for the history (who met whom, what was agreed).
	Note string
	// ContractType is the kind of contract; only for contract_signed.
	ContractType ContractType
	// AmountYuan is the contract amount in yuan, 0 when not disclosed;
	// only for contract_signed.
	AmountYuan int64
	// ContractNumber is the registration number of the technology contract
	// (技术合同登记号); only for contract_registered.
	ContractNumber string
}

// Limits of what a move carries.
const (
	MaxNote           = 2000 // characters
	MaxContractNumber = 40
	MaxAmountYuan     = listing.MaxYuan
)

// MoveError says that a deal cannot go from one stage to another: the
// request is well formed but the deal is not in a stage that allows it
// (FailedPrecondition).
type MoveError struct {
	From, To Stage
	// Reason says why, in a sentence a person can act on.
	Reason string
}

func (e *MoveError) Error() string {
	return fmt.Sprintf("deal: cannot move from %s to %s: %s", e.From, e.To, e.Reason)
}

// FieldError says that a field of a Move is missing or wrong
// (InvalidArgument with a field violation).
type FieldError struct {
	// Field is the field's proto-style name: to, reason, note,
	// contract_type, amount_yuan or contract_number.
	Field string
	// Reason says what is wrong.
	Reason string
}

func (e *FieldError) Error() string { return "deal: " + e.Field + ": " + e.Reason }

// CanMove reports whether a deal at from may move to to, by the stages
// alone (see the package comment). It returns nil or a *MoveError.
func CanMove(from, to Stage) error {
	refuse := func(format string, args ...any) error {
		return &MoveError{From: from, To: to, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case !from.known():
		return refuse("a deal is at one of the stages contacted to closed; a new deal is created at contacted")
	case !to.known():
		return refuse("%s is not a stage a deal can move to", to)
	case Terminal(from):
		return refuse("%s is final; nothing follows it", from)
	case from == to:
		return refuse("the deal is already at %s", to)
	}
	switch from {
	case StageContacted:
		switch to {
		case StageNegotiating, StageMeeting, StageClosed:
			return nil
		case StageContractSigned:
			return refuse("a contract is signed after negotiating; move to negotiating first")
		}
	case StageNegotiating:
		switch to {
		case StageContacted, StageMeeting, StageContractSigned, StageClosed:
			return nil
		}
	case StageMeeting:
		switch to {
		case StageNegotiating, StageContractSigned, StageClosed:
			return nil
		case StageContacted:
			return refuse("talks go back one step at a time; from meeting, go back to negotiating")
		}
	case StageContractSigned:
		switch to {
		case StageContractRegistered, StageClosed:
			return nil
		default:
			return refuse("a signed contract does not go back to talks; register it, or close the deal with reason contract_cancelled")
		}
	}
	// Only forward jumps to contract_registered are left.
	return refuse("a contract is registered after it is signed; move to contract_signed first")
}

// ValidateMove checks a move of a deal at from. It returns nil, a
// *FieldError when the move lacks a field or carries a wrong one, or a
// *MoveError when the deal cannot make the move from its stage. What can
// be told from the move alone is checked first, so a malformed request is
// InvalidArgument whatever the deal's stage; then the stages; then the
// close reason, which depends on the stage left. It reports the first
// problem found.
func ValidateMove(from Stage, m Move) error {
	if err := checkFields(m); err != nil {
		return err
	}
	if err := CanMove(from, m.To); err != nil {
		return err
	}
	if m.To == StageClosed {
		switch {
		case from == StageContractSigned && m.Reason != ReasonContractCancelled:
			return &FieldError{"reason", fmt.Sprintf("closing a deal with a signed contract means the contract was cancelled: give reason %s, and say why in the note", ReasonContractCancelled)}
		case from != StageContractSigned && m.Reason == ReasonContractCancelled:
			return &FieldError{"reason", fmt.Sprintf("the deal is at %s and has no signed contract to cancel; choose another reason", from)}
		}
	}
	return nil
}

// checkFields checks what a move carries against its target stage.
func checkFields(m Move) error {
	if !m.To.known() {
		return &FieldError{"to", fmt.Sprintf("%s is not a stage; use one of contacted, negotiating, meeting, contract_signed, contract_registered, closed", m.To)}
	}
	if !utf8.ValidString(m.Note) {
		return &FieldError{"note", "is not valid UTF-8"}
	}
	if n := utf8.RuneCountInString(m.Note); n > MaxNote {
		return &FieldError{"note", fmt.Sprintf("must be at most %d characters, got %d", MaxNote, n)}
	}

	if m.To == StageClosed {
		if m.Reason == ReasonUnspecified {
			return &FieldError{"reason", "closing a deal requires a reason, such as price or no_response"}
		}
		if !m.Reason.known() {
			return &FieldError{"reason", fmt.Sprintf("unknown close reason %d", int(m.Reason))}
		}
	} else if m.Reason != ReasonUnspecified {
		return &FieldError{"reason", "only a move to closed takes a reason"}
	}

	if m.To == StageContractSigned {
		if m.ContractType == ContractUnspecified {
			return &FieldError{"contract_type", "a signed contract needs its type: development, transfer, licence, consulting or service"}
		}
		if !m.ContractType.known() {
			return &FieldError{"contract_type", fmt.Sprintf("unknown contract type %d", int(m.ContractType))}
		}
		if m.AmountYuan < 0 {
			return &FieldError{"amount_yuan", "must not be negative; give 0 when the amount is not disclosed"}
		}
		if m.AmountYuan > MaxAmountYuan {
			return &FieldError{"amount_yuan", fmt.Sprintf("must be at most %d yuan", int64(MaxAmountYuan))}
		}
	} else {
		if m.ContractType != ContractUnspecified {
			return &FieldError{"contract_type", "only a move to contract_signed records the contract type"}
		}
		if m.AmountYuan != 0 {
			return &FieldError{"amount_yuan", "only a move to contract_signed records the amount"}
		}
	}

	if m.To == StageContractRegistered {
		if m.ContractNumber == "" {
			return &FieldError{"contract_number", "a registered contract needs its registration number (技术合同登记号)"}
		}
		if !validContractNumber(m.ContractNumber) {
			return &FieldError{"contract_number", fmt.Sprintf("must be 1–%d letters, digits or '-', as on the registration certificate", MaxContractNumber)}
		}
	} else if m.ContractNumber != "" {
		return &FieldError{"contract_number", "only a move to contract_registered records the registration number"}
	}
	return nil
}

func validContractNumber(s string) bool {
	if len(s) == 0 || len(s) > MaxContractNumber {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-') {
			return false
		}
	}
	return true
}
