// Package deal follows an offer and a demand from a match to a registered
// technology contract, so that the market can see where deals stall and
// why they fail, not only how many matches it made.
//
// A deal moves through stages:
//
//	contacted → negotiating → meeting → contract_signed → contract_registered
//	   any open stage → closed (with a reason)
//
// The rules, which CanMove and ValidateMove enforce:
//
//   - A deal starts at contacted: it is created there, not moved there, so
//     no move leaves or enters StageUnspecified (or an unknown stage).
//   - Forward: contacted → negotiating → meeting → contract_signed →
//     contract_registered, one stage at a time, except that meeting may be
//     skipped (negotiating → contract_signed) and may come before
//     negotiation (contacted → meeting: the parties often first meet at a
//     matchmaking event, 对接会). contacted → contract_signed is refused:
//     nobody signs without negotiating.
//   - Back: one step back between the stages of talks, because talks go
//     back and forth: negotiating → contacted and meeting → negotiating.
//     Nothing goes back from contract_signed: a signed contract is either
//     registered or cancelled.
//   - Closed: reachable from contacted, negotiating, meeting and
//     contract_signed, always with a reason. From contract_signed the
//     reason must be ReasonContractCancelled, and that reason is refused
//     from earlier stages, which have no contract to cancel.
//   - contract_registered and closed are terminal: nothing leaves them.
//   - Moving to the stage the deal is already at is an error, so that a
//     repeated request does not add a second entry to the history.
//   - A move to contract_signed records the contract type and amount
//     (amount ≥ 0 yuan; 0 when not disclosed); a move to
//     contract_registered records the registration number of the
//     technology contract (技术合同登记号: 1–40 letters, digits or '-').
//     Those fields, and a reason, are refused on any other move rather
//     than silently dropped.
//
// CanMove answers for the stages alone with a *MoveError (the server's
// FailedPrecondition); ValidateMove also checks what the move carries and
// answers a wrong field with a *FieldError (InvalidArgument with a field
// violation).
package deal

import "fmt"

// Stage is where a deal is.
type Stage int

// The stages, in their usual order.
const (
	StageUnspecified Stage = iota
	// StageContacted: one side has contacted the other about a match.
	StageContacted
	// StageNegotiating: both sides are discussing terms.
	StageNegotiating
	// StageMeeting: the sides have met, at a matchmaking event or on site.
	StageMeeting
	// StageContractSigned: a technology contract is signed.
	StageContractSigned
	// StageContractRegistered: the contract is registered with the
	// technology contract registration office (技术合同登记), which is
	// what the city's statistics count.
	StageContractRegistered
	// StageClosed: the deal ended without a registered contract.
	StageClosed
)

var stageNames = map[Stage]string{
	StageUnspecified:        "unspecified",
	StageContacted:          "contacted",
	StageNegotiating:        "negotiating",
	StageMeeting:            "meeting",
	StageContractSigned:     "contract_signed",
	StageContractRegistered: "contract_registered",
	StageClosed:             "closed",
}

// String names the stage in snake_case: "contacted", "contract_signed"…
func (s Stage) String() string {
	if n, ok := stageNames[s]; ok {
		return n
	}
	return fmt.Sprintf("Stage(%d)", int(s))
}

func (s Stage) known() bool { return s > StageUnspecified && s <= StageClosed }

// Terminal reports whether nothing can follow the stage: a registered
// contract or a closed deal.
func Terminal(s Stage) bool { return s == StageContractRegistered || s == StageClosed }

// CloseReason says why a deal closed. The reasons are those the studies of
// technology markets find most often, so that the market can see which
// problems to work on.
type CloseReason int

const (
	ReasonUnspecified CloseReason = iota
	// ReasonTooEarly: the technology is not mature enough (技术成熟度不足).
	ReasonTooEarly
	// ReasonPrice: the sides did not agree on the price (价格分歧).
	ReasonPrice
	// ReasonBenefitUnclear: the economic benefit was not clear enough
	// (经济效益不明确).
	ReasonBenefitUnclear
	// ReasonDescriptionUnclear: the listing did not say enough to judge
	// fit (需求或成果描述不清).
	ReasonDescriptionUnclear
	// ReasonIP: rights were unclear or disputed (知识产权问题).
	ReasonIP
	// ReasonPartnerChoseAnother: the other side chose another partner
	// (对方选择了其他合作方).
	ReasonPartnerChoseAnother
	// ReasonNoResponse: the other side stopped answering (对方无回应).
	ReasonNoResponse
	// ReasonContractCancelled: a signed contract was cancelled before
	// registration (合同解除); only a deal at contract_signed closes with it.
	ReasonContractCancelled
	// ReasonOther: anything else; say what in the note (其他).
	ReasonOther
)

var reasonNames = map[CloseReason][2]string{
	ReasonUnspecified:         {"unspecified", "未说明"},
	ReasonTooEarly:            {"too_early", "技术成熟度不足"},
	ReasonPrice:               {"price", "价格分歧"},
	ReasonBenefitUnclear:      {"benefit_unclear", "经济效益不明确"},
	ReasonDescriptionUnclear:  {"description_unclear", "需求或成果描述不清"},
	ReasonIP:                  {"ip", "知识产权问题"},
	ReasonPartnerChoseAnother: {"partner_chose_another", "对方选择了其他合作方"},
	ReasonNoResponse:          {"no_response", "对方无回应"},
	ReasonContractCancelled:   {"contract_cancelled", "合同解除"},
	ReasonOther:               {"other", "其他"},
}

// String names the reason in snake_case: "too_early", "price"…
func (r CloseReason) String() string {
	if n, ok := reasonNames[r]; ok {
		return n[0]
	}
	return fmt.Sprintf("CloseReason(%d)", int(r))
}

// Label names the reason in Chinese, for the market's users.
func (r CloseReason) Label() string {
	if n, ok := reasonNames[r]; ok {
		return n[1]
	}
	return r.String()
}

func (r CloseReason) known() bool { return r > ReasonUnspecified && r <= ReasonOther }

// ContractType is the kind of technology contract, as the Civil Code and
// the contract registration office classify them.
type ContractType int

const (
	ContractUnspecified ContractType = iota
	// ContractDevelopment: 技术开发 (commissioned or joint development).
	ContractDevelopment
	// ContractTransfer: 技术转让 (assignment of a patent or know-how).
	ContractTransfer
	// ContractLicence: 技术许可 (licence to use).
	ContractLicence
	// ContractConsulting: 技术咨询.
	ContractConsulting
	// ContractService: 技术服务.
	ContractService
)

var contractNames = map[ContractType][2]string{
	ContractUnspecified: {"unspecified", "未说明"},
	ContractDevelopment: {"development", "技术开发"},
	ContractTransfer:    {"transfer", "技术转让"},
	ContractLicence:     {"licence", "技术许可"},
	ContractConsulting:  {"consulting", "技术咨询"},
	ContractService:     {"service", "技术服务"},
}

// String names the contract type in lower case: "development", "licence"…
func (c ContractType) String() string {
	if n, ok := contractNames[c]; ok {
		return n[0]
	}
	return fmt.Sprintf("ContractType(%d)", int(c))
}

// Label names the contract type in Chinese.
func (c ContractType) Label() string {
	if n, ok := contractNames[c]; ok {
		return n[1]
	}
	return c.String()
}

func (c ContractType) known() bool { return c > ContractUnspecified && c <= ContractService }
