// Package client is the Go client of the Techmarket matching service.
//
// Dial connects to a techmarketd; options say how:
//
//	c, err := client.Dial("127.0.0.1:7733", client.WithToken(os.Getenv("TECHMARKET_TOKEN")))
//	if err != nil {
//		return err
//	}
//	defer c.Close()
//
// Without WithTLS the connection is plaintext, which is meant for a server on
// the same machine. A token set with WithToken rides on every call as
// `authorization: Bearer <token>`; once WithTLS is given, gRPC refuses to
// send it over anything but TLS.
//
// # Two layers
//
// The generated stubs are there as they are, in the fields Offers, Demands,
// Imports, Tokens and Match, for everything the API can do (etags, validate-only
// creates). Beside them the Client has typed calls for the common cases.
// CreateOffer, GetOffer, UpdateOffer, DeleteOffer, PublishOffer and
// WithdrawOffer return the listing itself instead of a response wrapper, and
// the same calls exist for demands. They take a name in full ("offers/abc")
// or bare ("abc").
//
// MatchOffers and MatchDemands return the matches of a stored listing or
// of a draft; SearchOffers and SearchDemands walk search pages with their
// totals and facets.
//
// ListOffers, ListDemands and ListTokens return an iter.Seq2 that walks every
// page. A page is asked for only when the loop gets to it, so breaking out of
// the loop ends the listing without further calls:
//
//	req := &techmarketv1.ListOffersRequest{Industry: "new-materials"}
//	for o, err := range c.ListOffers(ctx, req) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(o.GetName(), o.GetTitle())
//	}
//
// Import streams a JSON Lines file in the interchange format (FORMAT.md) to
// the ImportService in batches, answers arriving while later batches are
// still being sent, and counts what became of every line.
//
// # Errors
//
// Calls return gRPC status errors. The service says what is wrong with a
// request in field violations (AIP-193); FieldViolations takes them out, and
// Describe renders a whole error for a person:
//
//	invalid argument: the offer is not valid
//	  offer.title: must not be empty
package client
