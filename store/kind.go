package store

import "strconv"

// Kind says whether a listing is an offer or a demand. Each kind has its own
// bucket, so ids need only be unique per kind.
type Kind uint8

// The listing kinds. The numeric values are stored on disk (in change-log
// values and external-id keys) and must never change.
const (
	KindOffer  Kind = 1
	KindDemand Kind = 2
)

// String returns "offer" or "demand", or "Kind(n)" for an unknown value.
func (k Kind) String() string {
	switch k {
	case KindOffer:
		return "offer"
	case KindDemand:
		return "demand"
	default:
		return "Kind(" + strconv.Itoa(int(k)) + ")"
	}
}

// bucketName returns the bucket holding listings of kind k, or nil for an
// unknown kind.
func (k Kind) bucketName() []byte {
	switch k {
	case KindOffer:
		return bucketOffers
	case KindDemand:
		return bucketDemands
	default:
		return nil
	}
}
