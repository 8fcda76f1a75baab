package store

import "errors"

// Sentinel errors. Every error the store returns that a caller may want to
// act on wraps one of these, so test with errors.Is; the wrapping message adds
// the path, bucket, kind or id involved.
var (
	// ErrNotFound is returned when a listing, external id, token, auxiliary
	// key or change that a read or a delete names does not exist.
	ErrNotFound = errors.New("not found")

	// ErrExternalIDTaken is returned by Tx.Put when the record's
	// (Kind, Org, ExternalID) is already mapped to a listing with another ID.
	ErrExternalIDTaken = errors.New("external id already used by another listing")

	// ErrInvalid is returned when an argument cannot be stored: an unknown
	// Kind, an empty or over-long id or key, an organisation containing a NUL
	// byte, a non-positive limit, a token without a hash, and the like.
	ErrInvalid = errors.New("invalid argument")

	// ErrLocked is returned by Open when another process (or another Store in
	// this process) holds the data file and Options.LockTimeout passed
	// without it being released.
	ErrLocked = errors.New("the data file is in use by another process; stop it or use another data folder")

	// ErrNotStore is returned by Open when the file exists but is not a
	// Techmarket store: it is not a bbolt file at all, or it is a bbolt file
	// that holds other buckets but not ours. Open never writes to such a file.
	ErrNotStore = errors.New("not a Techmarket data file")

	// ErrSchemaVersion is returned by Open when the file is a Techmarket store
	// whose schema version was written by another version of the program.
	// Open does not write to it; the message names both versions.
	ErrSchemaVersion = errors.New("unsupported schema version")

	// ErrCorrupt is returned when a stored value cannot be decoded or a
	// bucket or index entry that must exist is missing: the file was damaged
	// or written by incompatible code. The message names the bucket and key.
	ErrCorrupt = errors.New("corrupt data")

	// ErrClosed is returned by any method called after Close.
	ErrClosed = errors.New("store is closed")

	// ErrNotLeader is returned by a replicated Update (Replicate) on a node
	// that cannot put writes through the cluster's log: nothing was
	// written, so the write may be sent to the leader as it is.
	ErrNotLeader = errors.New("this node is not the cluster's leader")

	// ErrOutcomeUnknown is returned by a replicated Update whose write set
	// reached the log but whose commit was not confirmed (the leader lost
	// its leadership meanwhile): the write may yet be applied everywhere.
	// Read before writing again.
	ErrOutcomeUnknown = errors.New("the cluster lost its leader before the write was confirmed; it may have been applied")
)
