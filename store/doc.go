// Package store is the durable record of the Techmarket marketplace: the
// listings (offers and demands), the change log that the full-text index
// follows, bearer tokens, a meta area and a generic auxiliary key-value area.
// It is a single bbolt file used by a single process. It knows nothing of
// gRPC or protobuf: listing and auxiliary values are opaque bytes encoded by
// the caller.
//
// # Bucket layout (schema version 1)
//
// All top-level buckets are declared in layout.go and created together when a
// file is initialised:
//
//	meta          "format"         → "techmarket-store"
//	              "schema"         → "1" (decimal)
//	              "secret/"+name   → 32 random bytes (see Store.Secret)
//	offers        listing id       → record envelope
//	demands       listing id       → record envelope
//	external_ids  kind byte + org + 0x00 + external id → listing id
//	changes       8-byte big-endian seq → kind byte, flags byte (bit 0: deleted), listing id
//	tokens        token id         → JSON (see TokenRecord)
//	token_hashes  SHA-256 of the token secret (32 bytes) → token id
//	aux           one nested bucket per namespace, key → opaque value
//
// A record envelope is a format byte (1) followed by the uvarint revision and
// the uvarint-length-prefixed organisation, external id and value. Listing ids
// are caller-chosen and sort in creation order, so a bucket walk is a walk in
// creation order. Organisations may not contain a NUL byte, which keeps
// external-id keys unambiguous.
//
// # Revisions and the change log
//
// Every Tx.Put and Tx.Delete draws the next number from the changes bucket's
// sequence and writes a change entry under it in the same transaction; a Put
// also stores that number as the record's Revision. So revisions strictly
// increase across the whole store, the change log has exactly one entry per
// committed write, in commit order, and a rolled-back transaction leaves
// neither an entry nor a gap. An indexer keeps the last Seq it applied and
// asks for Changes after it; it reads the current record with Get (a Deleted
// change, or ErrNotFound, means drop it).
//
// # Durability rules
//
//   - Every write (Update, PutToken, the first Secret call for a name)
//     returns only after bbolt has fsynced the commit. fsync is never turned
//     off: an acknowledged write survives a crash or power loss.
//   - Concurrent Updates share one transaction and one fsync (bbolt's
//     DB.Batch). Therefore an Update callback may run more than once and must
//     not have side effects outside its Tx; callers reset their result
//     variables at its start. A callback error rolls back everything that
//     callback wrote.
//   - A listing, its external-id mapping and its change entry are always
//     written in one transaction, so the index and the log never disagree
//     with the records after a crash.
//   - Values bbolt returns point into its memory map and are valid only inside
//     the transaction; everything this package returns is a copy.
//   - Reads run in their own read transactions. Scans are paged (see Scan)
//     and never call back inside a transaction, so a slow reader cannot stall
//     writers.
//
// # Opening
//
// Open takes bbolt's exclusive file lock and returns ErrLocked if another
// process holds it for longer than Options.LockTimeout. It refuses, without
// writing a byte, any file that is not a Techmarket store (ErrNotStore) or
// whose schema version differs (ErrSchemaVersion). A missing or empty file,
// or a bbolt file with no buckets, is initialised in one transaction.
package store
