package client

import (
	"context"
	"iter"

	"google.golang.org/protobuf/proto"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// EventName turns "ID" into "events/ID"; see OfferName.
func EventName(name string) string { return fullName("events/", name) }

// CreateEvent creates a matchmaking event (operators only) and returns it
// as stored.
func (c *Client) CreateEvent(ctx context.Context, ev *techmarketv1.Event) (*techmarketv1.Event, error) {
	resp, err := c.Events.CreateEvent(ctx, &techmarketv1.CreateEventRequest{Event: ev})
	return resp.GetEvent(), err
}

// GetEvent returns the event called name ("events/ID" or "ID").
func (c *Client) GetEvent(ctx context.Context, name string) (*techmarketv1.Event, error) {
	resp, err := c.Events.GetEvent(ctx, &techmarketv1.GetEventRequest{Name: EventName(name)})
	return resp.GetEvent(), err
}

// ListEvents yields every event, soonest first, page after page; see
// ListOffers. req may be nil and is not changed.
func (c *Client) ListEvents(ctx context.Context, req *techmarketv1.ListEventsRequest) iter.Seq2[*techmarketv1.Event, error] {
	if req == nil {
		req = &techmarketv1.ListEventsRequest{}
	}
	return pages(ctx, req.GetPageToken(), func(ctx context.Context, token string) ([]*techmarketv1.Event, string, error) {
		page := proto.CloneOf(req)
		page.PageToken = token
		resp, err := c.Events.ListEvents(ctx, page)
		return resp.GetEvents(), resp.GetNextPageToken(), err
	})
}

// RegisterListing registers a published offer or demand ("offers/ID",
// "demands/ID") for an event; registering twice changes nothing.
func (c *Client) RegisterListing(ctx context.Context, event, listing string) (*techmarketv1.Event, error) {
	resp, err := c.Events.RegisterListing(ctx, &techmarketv1.RegisterListingRequest{Event: EventName(event), Listing: listing})
	return resp.GetEvent(), err
}

// DeclineMeeting records that an offer and a demand ("offers/ID" or "ID",
// "demands/ID" or "ID") registered for an event will not meet.
func (c *Client) DeclineMeeting(ctx context.Context, event, offer, demand string) (*techmarketv1.Event, error) {
	resp, err := c.Events.DeclineMeeting(ctx, &techmarketv1.DeclineMeetingRequest{
		Event: EventName(event), Pair: &techmarketv1.MeetingPair{Offer: OfferName(offer), Demand: DemandName(demand)},
	})
	return resp.GetEvent(), err
}

// PlanAgenda plans (or replans) an event's meetings from the match scores,
// leaving out pairs scoring below minQuality (0: the server's default).
// Operators only.
func (c *Client) PlanAgenda(ctx context.Context, event string, minQuality float64) (*techmarketv1.Agenda, error) {
	resp, err := c.Events.PlanAgenda(ctx, &techmarketv1.PlanAgendaRequest{Event: EventName(event), MinQuality: minQuality})
	return resp.GetAgenda(), err
}

// GetAgenda returns an event's planned agenda.
func (c *Client) GetAgenda(ctx context.Context, event string) (*techmarketv1.Agenda, error) {
	resp, err := c.Events.GetAgenda(ctx, &techmarketv1.GetAgendaRequest{Event: EventName(event)})
	return resp.GetAgenda(), err
}

// ExportAgenda renders an event's agenda as CSV or iCalendar.
func (c *Client) ExportAgenda(ctx context.Context, event string, format techmarketv1.AgendaFormat) (*techmarketv1.ExportAgendaResponse, error) {
	return c.Events.ExportAgenda(ctx, &techmarketv1.ExportAgendaRequest{Event: EventName(event), Format: format})
}

// RecordAttendance records which registered listings' people came,
// replacing the previous record. Operators only.
func (c *Client) RecordAttendance(ctx context.Context, event string, attended ...string) (*techmarketv1.Event, error) {
	resp, err := c.Events.RecordAttendance(ctx, &techmarketv1.RecordAttendanceRequest{Event: EventName(event), Attended: attended})
	return resp.GetEvent(), err
}

// RecordMeetingOutcome records how the planned meeting of offer and demand
// went, with an optional note, and returns the agenda. Operators only.
func (c *Client) RecordMeetingOutcome(ctx context.Context, event, offer, demand string, outcome techmarketv1.MeetingOutcome, note string) (*techmarketv1.Agenda, error) {
	resp, err := c.Events.RecordMeetingOutcome(ctx, &techmarketv1.RecordMeetingOutcomeRequest{
		Event: EventName(event), Pair: &techmarketv1.MeetingPair{Offer: OfferName(offer), Demand: DemandName(demand)},
		Outcome: outcome, Note: note,
	})
	return resp.GetAgenda(), err
}
