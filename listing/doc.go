// Package listing holds the rules every offer and demand obeys, whichever
// way it enters the market (Create, Update, bulk import, an inline draft
// for matching): the industry table, the limits of the interchange format
// and the fields a poster may set.
//
// A listing is an API message, *techmarketv1.Offer or *techmarketv1.Demand.
// The two share their common fields by name (title, industries, state…),
// so the helpers here work on either through the Listing interface and
// protobuf reflection instead of being written twice.
package listing
