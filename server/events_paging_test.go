package server_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// TestListEventsPages: pages of the asked size, soonest first, ties by
// name, a token that resumes where the last page stopped and nothing
// else.
func TestListEventsPages(t *testing.T) {
	e := startEvent(t, false)
	ctx := context.Background()
	// Five more events: two on the same morning as e.event, three a week on.
	names := []string{e.name()}
	for i := range 5 {
		slots := eventSlots(2)
		if i >= 2 {
			for _, s := range slots {
				s.StartTime = timestamppb.New(s.GetStartTime().AsTime().Add(7 * 24 * time.Hour))
				s.EndTime = timestamppb.New(s.GetEndTime().AsTime().Add(7 * 24 * time.Hour))
			}
		}
		ev, err := e.operator.CreateEvent(ctx, &techmarketv1.Event{Title: "对接会", Slots: slots, Tables: 1})
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, ev.GetName())
	}
	want := append(slices.Sorted(slices.Values(names[:3])), slices.Sorted(slices.Values(names[3:]))...)

	var got []string
	token := ""
	for page := 0; ; page++ {
		resp, err := e.anonymous.Events.ListEvents(ctx, &techmarketv1.ListEventsRequest{PageSize: 4, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(resp.GetEvents()); page == 0 && (n != 4 || resp.GetNextPageToken() == "") || page == 1 && (n != 2 || resp.GetNextPageToken() != "") {
			t.Fatalf("page %d: %d events, next page token %q", page, n, resp.GetNextPageToken())
		}
		for _, ev := range resp.GetEvents() {
			got = append(got, ev.GetName())
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("listed %v, want %v", got, want)
	}
	resp, err := e.anonymous.Events.ListEvents(ctx, &techmarketv1.ListEventsRequest{})
	if err != nil || len(resp.GetEvents()) != 6 || resp.GetNextPageToken() != "" {
		t.Errorf("default page: %d events, token %q (%v)", len(resp.GetEvents()), resp.GetNextPageToken(), err)
	}
	_, err = e.anonymous.Events.ListEvents(ctx, &techmarketv1.ListEventsRequest{PageToken: "bogus"})
	if fields := violatedFields(t, err); !slices.Equal(fields, []string{"page_token"}) {
		t.Errorf("bad token: violations %v", fields)
	}
	_, err = e.anonymous.Events.ListEvents(ctx, &techmarketv1.ListEventsRequest{PageSize: -1})
	wantCode(t, err, codes.InvalidArgument)
}

// TestEventRepeatsChangeNothing: registering or declining again is a
// no-op, etag included.
func TestEventRepeatsChangeNothing(t *testing.T) {
	e := startEvent(t, true)
	ctx := context.Background()
	before := e.current(t)
	ev, err := e.agency.RegisterListing(ctx, e.name(), e.offers[0])
	if err != nil || !proto.Equal(ev, before) {
		t.Errorf("registering again: %v (%v)", ev, err)
	}
	e.unchanged(t, before, "registering again")

	declined, err := e.enterprise.DeclineMeeting(ctx, e.name(), e.offers[0], e.demands[0])
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.agency.DeclineMeeting(ctx, e.name(), e.offers[0], e.demands[0])
	if err != nil || !proto.Equal(again, declined) {
		t.Errorf("declining again: %v (%v)", again, err)
	}
	e.unchanged(t, declined, "declining again")
}
