package store

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// schemaVersion is the layout described in doc.go. Bump it, and teach Open to
// migrate, whenever a bucket's key or value encoding changes or a top-level
// bucket is added or removed.
const schemaVersion = 1

// formatName is stored under meta/format so that a bbolt file belonging to
// some other program, which happens to have a "meta" bucket with a "schema"
// key, is still recognised as foreign.
const formatName = "techmarket-store"

// MaxKeyLen is the longest listing id, organisation, external id, token id,
// auxiliary bucket name or auxiliary key the store accepts, in bytes. bbolt
// itself allows 32 KiB keys, but long keys bloat every branch page they pass
// through, and no legitimate id comes near this.
const MaxKeyLen = 1024

// Top-level buckets. They are all declared here and created together by Open,
// in the transaction that writes the schema version; Open refuses a file of
// our schema that lacks any of them, so the rest of the package may rely on
// them existing (bucket still checks, so damage surfaces as ErrCorrupt rather
// than a nil-pointer panic).
var (
	// bucketMeta holds format, schema and secret/<name> keys.
	bucketMeta = []byte("meta")
	// bucketOffers and bucketDemands map listing id to a record envelope.
	bucketOffers  = []byte("offers")
	bucketDemands = []byte("demands")
	// bucketExternalIDs maps kind byte + org + 0x00 + external id to listing id.
	bucketExternalIDs = []byte("external_ids")
	// bucketChanges maps an 8-byte big-endian sequence number to kind, flags, id.
	bucketChanges = []byte("changes")
	// bucketTokens maps token id to its JSON encoding.
	bucketTokens = []byte("tokens")
	// bucketTokenHashes maps the 32-byte SHA-256 of a token secret to token id.
	bucketTokenHashes = []byte("token_hashes")
	// bucketAux holds one nested bucket per auxiliary namespace.
	bucketAux = []byte("aux")
)

// allBuckets lists every top-level bucket of schema version 1.
var allBuckets = [][]byte{
	bucketMeta,
	bucketOffers,
	bucketDemands,
	bucketExternalIDs,
	bucketChanges,
	bucketTokens,
	bucketTokenHashes,
	bucketAux,
}

// Keys in bucketMeta.
var (
	keyFormat = []byte("format")
	keySchema = []byte("schema")
	// keyLogIndex is the index of the last replicated command applied
	// (ApplyAt), written with it.
	keyLogIndex = []byte("log-index")
)

// secretPrefix prefixes the meta keys that hold Secret values.
const secretPrefix = "secret/"

// bucketOf returns the named top-level bucket, or ErrCorrupt when it is missing.
func bucketOf(btx *bolt.Tx, name []byte) (*bolt.Bucket, error) {
	b := btx.Bucket(name)
	if b == nil {
		return nil, fmt.Errorf("store: %w: bucket %q is missing", ErrCorrupt, name)
	}
	return b, nil
}

// seqKey encodes a change sequence number big-endian so that bbolt's byte
// order is numeric order.
func seqKey(seq uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], seq)
	return k[:]
}

// extKey builds the bucketExternalIDs key. The NUL separator is why
// organisations may not contain NUL: otherwise ("a\x00b", "c") and
// ("a", "b\x00c") would share a key.
func extKey(kind Kind, org, externalID string) []byte {
	k := make([]byte, 0, 2+len(org)+len(externalID))
	k = append(k, byte(kind))
	k = append(k, org...)
	k = append(k, 0)
	k = append(k, externalID...)
	return k
}
