// Package index keeps the full-text view of the market: one bleve index
// per side (offers, demands), derived from the store and rebuilt from it
// whenever it is missing or damaged.
//
// # Following the store
//
// Every store write appends a change-log entry with a sequence number in
// the same transaction. The Index applies those entries in batches (the
// current record is read from the store, so replaying an entry is
// harmless and never puts back an older version) and records the last
// applied sequence inside each bleve index, in the same batch as the
// documents it covers. On open it catches up from there. A write is
// acknowledged only once WaitFor reports its sequence applied, so a caller
// can always search what it just wrote.
//
// # Documents
//
// Text is indexed three ways: dictionary words in search mode (title,
// keywords and body as separate fields so a query can weight them), whole
// words only (title and keywords, rewarding exact domain terms), and CJK
// character bigrams of everything (finding words the dictionary misses).
// Structured fields (industries, region, transfer modes, state, poster,
// readiness, price or budget, expiry) are indexed for filters and facets.
// Nothing is stored in bleve but the id: the store is the record, and
// snippets are cut from it.
package index
