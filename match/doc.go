// Package match finds the listings on the other side of the market that fit
// a listing, and says why. The same code serves both directions: offers
// for a demand, demands for an offer.
//
// Matching runs in two steps.
//
// Retrieve: the source listing is analysed field by field; each term is
// weighted by the field it came from (a title word says more than a
// sentence deep in a description), by how often it occurs, and by its
// inverse document frequency on the other side, so that words every
// listing uses (技术, 工艺) drop out. The most telling terms become one
// bleve query over the target's word, whole-word and bigram fields,
// restricted to published, unexpired listings. BM25 ranks a candidate
// pool several times larger than the answer.
//
// Rank: every candidate is rescored with the structured features text
// alone cannot see: industry overlap, readiness (TRL) against the
// demand's minimum, price against budget, common transfer modes, region
// (local transfer is cheaper) and freshness. Broken constraints lower a
// score instead of hiding the listing, unless the caller asks for strict
// filters: a near fit with a stated reason is useful at a matchmaking
// event. Every result carries the parts of its score, the terms the two
// listings share and a snippet with those terms marked.
package match
