package listing

import (
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// Listing is an offer or a demand: *techmarketv1.Offer or *techmarketv1.Demand.
type Listing interface {
	proto.Message
	GetName() string
	GetExternalId() string
	GetPoster() string
	GetState() techmarketv1.ListingState
	GetTitle() string
	GetSummary() string
	GetDescription() string
	GetKeywords() []string
	GetIndustries() []string
	GetRegion() techmarketv1.Region
	GetTransferModes() []techmarketv1.TransferMode
	GetContact() *techmarketv1.Contact
	GetLanguage() techmarketv1.Language
	GetEtag() string
	GetQualityScore() float64
	GetCreateTime() *timestamppb.Timestamp
	GetUpdateTime() *timestamppb.Timestamp
	GetPublishTime() *timestamppb.Timestamp
	GetExpireTime() *timestamppb.Timestamp
	GetLinkedFrom() *techmarketv1.LinkedFrom
}

var (
	_ Listing = (*techmarketv1.Offer)(nil)
	_ Listing = (*techmarketv1.Demand)(nil)
)

// outputOnly names the fields the service sets; a poster's values for them
// are ignored on create and refused in an update mask.
var outputOnly = map[protoreflect.Name]bool{
	"name": true, "poster": true, "state": true, "create_time": true,
	"update_time": true, "publish_time": true, "expire_time": true, "etag": true,
	"review": true, "quality_score": true, "linked_from": true,
}

// IsOutputOnly reports whether the service, not the poster, sets the field.
func IsOutputOnly(field protoreflect.Name) bool { return outputOnly[field] }

// ClearOutputOnly clears every field the service sets, leaving what the
// poster wrote.
func ClearOutputOnly(l Listing) {
	m := l.ProtoReflect()
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		if fd := fields.Get(i); outputOnly[fd.Name()] {
			m.Clear(fd)
		}
	}
}

// SameContent reports whether two listings say the same thing, ignoring
// what the service sets (state, times, etag…). Import uses it to leave a
// listing untouched when a file is imported again.
func SameContent[T Listing](a, b T) bool {
	a, b = proto.Clone(a).(T), proto.Clone(b).(T)
	ClearOutputOnly(a)
	ClearOutputOnly(b)
	return proto.Equal(a, b)
}

// StripContact removes contact details, which FORMAT.md shows only to
// signed-in users.
func StripContact(l Listing) {
	m := l.ProtoReflect()
	m.Clear(m.Descriptor().Fields().ByName("contact"))
}

// StateWord names a state in one lower-case word ("published", "draft"…),
// as messages and the index use it.
func StateWord(s techmarketv1.ListingState) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "LISTING_STATE_"))
}
