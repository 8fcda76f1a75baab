// Package interchange reads the listing interchange format: JSON Lines in
// which every line is one offer or one demand, as transfer agencies and
// enterprises keep them (see FORMAT.md in the shared data folder).
//
// Parse turns one line into the API's *techmarketv1.Offer or
// *techmarketv1.Demand. It checks the shape of the line (valid JSON, known
// fields, right types, known codes for closed sets such as regions and
// transfer modes) and nothing more: limits and the industry table are the
// validator's job, so that a listing is held to the same rules whether it
// arrives by import, by Create or by Update.
//
// The package depends only on the generated API, so the server (bulk
// import) and the command-line client (create -f) read files identically.
package interchange

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// Error says what is wrong with a line and which field, in the format's own
// camelCase names (`price.maxYuan`), so the author of the file can fix it.
type Error struct {
	// Field is the offending field, empty when the line as a whole is wrong.
	Field string
	// Reason is a sentence a person can act on.
	Reason string
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

// line mirrors one interchange line. Pointers tell "absent" from "zero", so
// that a missing trl differs from `"trl": 0` (which is out of range).
type line struct {
	Kind          *string   `json:"kind"`
	ExternalID    *string   `json:"externalId"`
	Title         *string   `json:"title"`
	Summary       *string   `json:"summary"`
	Description   *string   `json:"description"`
	Keywords      []string  `json:"keywords"`
	Industries    []string  `json:"industries"`
	Region        *string   `json:"region"`
	TransferModes []string  `json:"transferModes"`
	Contact       *contact  `json:"contact"`
	Language      *string   `json:"language"`
	TRL           *int32    `json:"trl"`
	Price         *yuan     `json:"price"`
	Owner         *owner    `json:"owner"`
	Patents       []patent  `json:"patents"`
	MinTRL        *int32    `json:"minTrl"`
	Budget        *yuan     `json:"budget"`
	Enterprise    *namedOrg `json:"enterprise"`
	Deadline      *string   `json:"deadline"`
}

type contact struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

type yuan struct {
	MinYuan *int64 `json:"minYuan"`
	MaxYuan *int64 `json:"maxYuan"`
}

type owner struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type patent struct {
	Number string `json:"number"`
	Type   string `json:"type"`
}

type namedOrg struct {
	Name string `json:"name"`
}

// Parse reads one line of the interchange format. It returns a
// *techmarketv1.Offer or a *techmarketv1.Demand, or an *Error.
func Parse(text []byte) (proto.Message, error) {
	if !utf8.Valid(text) {
		return nil, &Error{Reason: "the line is not valid UTF-8; save the file as UTF-8"}
	}
	var l line
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &Error{Reason: "the line holds more than one JSON value; put one listing per line"}
	}
	if l.Kind == nil {
		return nil, &Error{Field: "kind", Reason: `missing; say "offer" or "demand"`}
	}
	switch *l.Kind {
	case "offer":
		return l.offer()
	case "demand":
		return l.demand()
	default:
		return nil, &Error{Field: "kind", Reason: fmt.Sprintf(`unknown kind %q; use "offer" or "demand"`, *l.Kind)}
	}
}

func (l *line) offer() (*techmarketv1.Offer, error) {
	for field, present := range map[string]bool{"minTrl": l.MinTRL != nil, "budget": l.Budget != nil, "enterprise": l.Enterprise != nil, "deadline": l.Deadline != nil} {
		if present {
			return nil, &Error{Field: field, Reason: "is a demand field; an offer cannot have it"}
		}
	}
	o := &techmarketv1.Offer{
		ExternalId:  deref(l.ExternalID),
		Title:       deref(l.Title),
		Summary:     deref(l.Summary),
		Description: deref(l.Description),
		Keywords:    l.Keywords,
		Industries:  l.Industries,
	}
	var err error
	if o.Region, o.TransferModes, o.Language, o.Contact, err = l.common(); err != nil {
		return nil, err
	}
	if l.TRL != nil {
		if *l.TRL == 0 {
			return nil, &Error{Field: "trl", Reason: "must be from 1 to 9; leave it out when unknown"}
		}
		o.Trl = *l.TRL
	}
	if o.Price, err = l.Price.proto("price"); err != nil {
		return nil, err
	}
	if l.Owner != nil {
		t, ok := ownerTypes[l.Owner.Type]
		if !ok {
			return nil, &Error{Field: "owner.type", Reason: fmt.Sprintf("unknown owner type %q; use university, institute, enterprise or individual", l.Owner.Type)}
		}
		o.Owner = &techmarketv1.Owner{Name: l.Owner.Name, Type: t}
	}
	for i, p := range l.Patents {
		t, ok := patentTypes[p.Type]
		if !ok {
			return nil, &Error{Field: fmt.Sprintf("patents[%d].type", i), Reason: fmt.Sprintf("unknown patent type %q; use invention, utility, design or software", p.Type)}
		}
		o.Patents = append(o.Patents, &techmarketv1.Patent{Number: p.Number, Type: t})
	}
	return o, nil
}

func (l *line) demand() (*techmarketv1.Demand, error) {
	for field, present := range map[string]bool{"trl": l.TRL != nil, "price": l.Price != nil, "owner": l.Owner != nil, "patents": l.Patents != nil} {
		if present {
			return nil, &Error{Field: field, Reason: "is an offer field; a demand cannot have it"}
		}
	}
	d := &techmarketv1.Demand{
		ExternalId:  deref(l.ExternalID),
		Title:       deref(l.Title),
		Summary:     deref(l.Summary),
		Description: deref(l.Description),
		Keywords:    l.Keywords,
		Industries:  l.Industries,
		Deadline:    deref(l.Deadline),
	}
	var err error
	if d.Region, d.TransferModes, d.Language, d.Contact, err = l.common(); err != nil {
		return nil, err
	}
	if l.MinTRL != nil {
		if *l.MinTRL == 0 {
			return nil, &Error{Field: "minTrl", Reason: "must be from 1 to 9; leave it out when any readiness will do"}
		}
		d.MinTrl = *l.MinTRL
	}
	if d.Budget, err = l.Budget.proto("budget"); err != nil {
		return nil, err
	}
	if l.Enterprise != nil {
		d.Enterprise = &techmarketv1.Enterprise{Name: l.Enterprise.Name}
	}
	return d, nil
}

// common converts the coded fields both kinds share.
func (l *line) common() (techmarketv1.Region, []techmarketv1.TransferMode, techmarketv1.Language, *techmarketv1.Contact, error) {
	var region techmarketv1.Region
	if l.Region != nil {
		r, ok := RegionFromCode(*l.Region)
		if !ok {
			return 0, nil, 0, nil, &Error{Field: "region", Reason: fmt.Sprintf("unknown region %q; use wuhai, inner-mongolia, domestic or international", *l.Region)}
		}
		region = r
	}
	var modes []techmarketv1.TransferMode
	for i, code := range l.TransferModes {
		m, ok := TransferModeFromCode(code)
		if !ok {
			return 0, nil, 0, nil, &Error{Field: fmt.Sprintf("transferModes[%d]", i), Reason: fmt.Sprintf("unknown transfer mode %q; use assignment, license, equity, joint-development or service", code)}
		}
		modes = append(modes, m)
	}
	lang := techmarketv1.Language_LANGUAGE_ZH
	if l.Language != nil {
		switch *l.Language {
		case "zh":
		case "en":
			lang = techmarketv1.Language_LANGUAGE_EN
		default:
			return 0, nil, 0, nil, &Error{Field: "language", Reason: fmt.Sprintf(`unknown language %q; use "zh" or "en"`, *l.Language)}
		}
	}
	var c *techmarketv1.Contact
	if l.Contact != nil {
		c = &techmarketv1.Contact{Name: l.Contact.Name, Phone: l.Contact.Phone, Email: l.Contact.Email}
	}
	return region, modes, lang, c, nil
}

func (y *yuan) proto(field string) (*techmarketv1.YuanRange, error) {
	if y == nil {
		return nil, nil
	}
	if y.MinYuan == nil || y.MaxYuan == nil {
		return nil, &Error{Field: field, Reason: "needs both minYuan and maxYuan; leave the whole field out when negotiable"}
	}
	return &techmarketv1.YuanRange{MinYuan: *y.MinYuan, MaxYuan: *y.MaxYuan}, nil
}

// jsonError turns encoding/json's errors into a field and a sentence.
func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		return &Error{Field: typeErr.Field, Reason: fmt.Sprintf("expected %s, found a JSON %s", jsonTypeName(typeErr.Type.Kind().String()), typeErr.Value)}
	case errors.As(err, &syntaxErr):
		return &Error{Reason: fmt.Sprintf("not valid JSON at byte %d: %v", syntaxErr.Offset, err)}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Reason: "the line ends before its JSON object does"}
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return &Error{Field: strings.Trim(field, `"`), Reason: "unknown field; see FORMAT.md for the fields a listing has"}
	}
	return &Error{Reason: "not a JSON object: " + err.Error()}
}

func jsonTypeName(goKind string) string {
	switch goKind {
	case "int32", "int64":
		return "a whole number"
	case "slice":
		return "an array"
	case "struct", "ptr":
		return "an object"
	case "string":
		return "a string"
	}
	return goKind
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
