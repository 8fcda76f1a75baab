package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// TestMatchmakingEvent runs an event end to end through the API: create,
// register, decline, plan, export, attendance and outcomes, with the
// permission and validation rules on the way.
func TestMatchmakingEvent(t *testing.T) {
	env := testutil.Start(t)
	ctx := context.Background()
	operator := env.Client(env.Token("operator", "乌海科技大市场"))
	agency := env.Client(env.Token("agency", "甲技术转移中心"))
	enterprise := env.Client(env.Token("enterprise", "乌海某焦化公司"))
	other := env.Client(env.Token("enterprise", "另一家公司"))

	offerTexts := []struct{ title, summary, industry string }{
		{"焦炉上升管荒煤气余热回收技术", "上升管换热器回收荒煤气显热产生饱和蒸汽。", "coal-chemical"},
		{"焦炉煤气变压吸附制氢技术", "焦炉煤气经PSA提纯得到燃料电池级氢气。", "hydrogen"},
		{"矿井疏干水深度处理回用技术", "疏干水经超滤反渗透处理后回用于电厂补水。", "water"},
		{"电石渣制水泥熟料技术", "电石渣替代石灰石生产水泥熟料，减排二氧化碳。", "chlor-alkali"},
		{"焦化废水酚氰深度处理技术", "焦化废水生化处理后臭氧催化氧化，COD低于50mg/L。", "environment"},
		{"PEM电解水制氢装置", "质子交换膜电解槽，适应风光波动制氢。", "hydrogen"},
	}
	var offers []string
	for i, o := range offerTexts {
		made, err := agency.CreateOffer(ctx, &techmarketv1.Offer{ExternalId: fmt.Sprint("o", i), Title: o.title, Summary: o.summary,
			Industries: []string{o.industry}, Region: techmarketv1.Region_REGION_INNER_MONGOLIA, Trl: 7}, true)
		if err != nil {
			t.Fatal(err)
		}
		offers = append(offers, made.GetName())
	}
	demandTexts := []struct{ title, description, industry string }{
		{"焦炉荒煤气余热回收产蒸汽", "上升管荒煤气温度七八百度，希望回收余热产生蒸汽。", "coal-chemical"},
		{"焦炉煤气制氢提纯", "富余焦炉煤气想提纯制氢，供应加氢站。", "hydrogen"},
		{"焦化废水深度处理达标", "焦化废水COD和氰化物超标，需要深度处理技术。", "environment"},
		{"疏干水回用于生产", "矿井疏干水量大，希望处理后回用。", "water"},
	}
	var demands []string
	for i, d := range demandTexts {
		made, err := enterprise.CreateDemand(ctx, &techmarketv1.Demand{ExternalId: fmt.Sprint("d", i), Title: d.title, Description: d.description,
			Industries: []string{d.industry}, Region: techmarketv1.Region_REGION_WUHAI}, true)
		if err != nil {
			t.Fatal(err)
		}
		demands = append(demands, made.GetName())
	}

	start := time.Date(2027, 5, 20, 1, 30, 0, 0, time.UTC) // 09:30 in Wuhai
	var slots []*techmarketv1.TimeSlot
	for i := range 3 {
		s := start.Add(time.Duration(i) * 30 * time.Minute)
		slots = append(slots, &techmarketv1.TimeSlot{StartTime: timestamppb.New(s), EndTime: timestamppb.New(s.Add(25 * time.Minute))})
	}
	event := &techmarketv1.Event{Title: "乌海市焦化产业技术对接会", Venue: "乌海科技大市场", Slots: slots, Tables: 2, MaxMeetingsPerParty: 2}

	_, err := agency.Events.CreateEvent(ctx, &techmarketv1.CreateEventRequest{Event: event})
	wantCode(t, err, codes.PermissionDenied)
	bad := &techmarketv1.Event{Title: "x", Tables: 2, Slots: []*techmarketv1.TimeSlot{{StartTime: timestamppb.New(start), EndTime: timestamppb.New(start.Add(-time.Minute))}}}
	_, err = operator.Events.CreateEvent(ctx, &techmarketv1.CreateEventRequest{Event: bad})
	if fields := violatedFields(t, err); len(fields) != 1 || fields[0] != "event.slots[0].end_time" {
		t.Errorf("slot ending before it starts: violations %v", fields)
	}
	created, err := operator.Events.CreateEvent(ctx, &techmarketv1.CreateEventRequest{Event: event})
	if err != nil {
		t.Fatal(err)
	}
	name := created.GetEvent().GetName()

	// Owners register their own listings; nobody registers another's.
	for _, o := range offers {
		if _, err := agency.Events.RegisterListing(ctx, &techmarketv1.RegisterListingRequest{Event: name, Listing: o}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = other.Events.RegisterListing(ctx, &techmarketv1.RegisterListingRequest{Event: name, Listing: demands[0]})
	wantCode(t, err, codes.PermissionDenied)
	for _, d := range demands {
		if _, err := enterprise.Events.RegisterListing(ctx, &techmarketv1.RegisterListingRequest{Event: name, Listing: d}); err != nil {
			t.Fatal(err)
		}
	}
	draft, err := enterprise.CreateDemand(ctx, &techmarketv1.Demand{ExternalId: "d-draft", Title: "草稿需求", Industries: []string{"water"}, Region: techmarketv1.Region_REGION_WUHAI}, false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = enterprise.Events.RegisterListing(ctx, &techmarketv1.RegisterListingRequest{Event: name, Listing: draft.GetName()})
	wantCode(t, err, codes.FailedPrecondition)

	// The coke enterprise will not meet the coke-heat offer, its best fit.
	declined := &techmarketv1.MeetingPair{Offer: offers[0], Demand: demands[0]}
	if _, err := enterprise.Events.DeclineMeeting(ctx, &techmarketv1.DeclineMeetingRequest{Event: name, Pair: declined}); err != nil {
		t.Fatal(err)
	}

	_, err = agency.Events.PlanAgenda(ctx, &techmarketv1.PlanAgendaRequest{Event: name})
	wantCode(t, err, codes.PermissionDenied)
	planned, err := operator.Events.PlanAgenda(ctx, &techmarketv1.PlanAgendaRequest{Event: name, MinQuality: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	ag := planned.GetAgenda()
	if len(ag.GetMeetings()) == 0 {
		t.Fatal("no meetings planned")
	}
	if ag.GetTotalQuality() < ag.GetGreedyQuality()-1e-9 {
		t.Errorf("planned quality %.3f below the greedy plan's %.3f", ag.GetTotalQuality(), ag.GetGreedyQuality())
	}
	busy := map[string]bool{}
	tables := map[string]bool{}
	perParty := map[string]int{}
	for _, m := range ag.GetMeetings() {
		p := m.GetPair()
		if p.GetOffer() == declined.GetOffer() && p.GetDemand() == declined.GetDemand() {
			t.Errorf("the declined pair meets: %v", m)
		}
		for _, party := range []string{p.GetOffer(), p.GetDemand()} {
			key := fmt.Sprint(m.GetSlot(), party)
			if busy[key] {
				t.Errorf("%s is double-booked in slot %d", party, m.GetSlot())
			}
			busy[key] = true
			if perParty[party]++; perParty[party] > 2 {
				t.Errorf("%s has more than 2 meetings", party)
			}
		}
		table := fmt.Sprint(m.GetSlot(), "/", m.GetTable())
		if tables[table] || m.GetTable() < 1 || m.GetTable() > 2 || m.GetSlot() < 1 || m.GetSlot() > 3 {
			t.Errorf("meeting at slot %d table %d", m.GetSlot(), m.GetTable())
		}
		tables[table] = true
		if m.GetOfferTitle() == "" || m.GetDemandTitle() == "" {
			t.Errorf("meeting without titles: %v", m)
		}
	}

	csvOut, err := operator.Events.ExportAgenda(ctx, &techmarketv1.ExportAgendaRequest{Event: name, Format: techmarketv1.AgendaFormat_AGENDA_FORMAT_CSV})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(csvOut.GetContent())).ReadAll()
	if err != nil || len(rows) != len(ag.GetMeetings())+1 || !strings.HasPrefix(csvOut.GetContentType(), "text/csv") {
		t.Errorf("CSV export: %d rows (%v), want a header and %d meetings", len(rows), err, len(ag.GetMeetings()))
	}
	ics, err := anonymousExport(env, name)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(ics), "BEGIN:VEVENT\r\n"); n != len(ag.GetMeetings()) {
		t.Errorf("iCalendar export: %d events, want %d", n, len(ag.GetMeetings()))
	}

	first := ag.GetMeetings()[0].GetPair()
	if _, err := operator.Events.RecordMeetingOutcome(ctx, &techmarketv1.RecordMeetingOutcomeRequest{Event: name, Pair: first, Outcome: techmarketv1.MeetingOutcome_MEETING_OUTCOME_DEAL_OPENED, Note: "双方约定现场考察"}); err != nil {
		t.Fatal(err)
	}
	_, err = operator.Events.RecordMeetingOutcome(ctx, &techmarketv1.RecordMeetingOutcomeRequest{Event: name, Pair: declined, Outcome: techmarketv1.MeetingOutcome_MEETING_OUTCOME_NO_FIT})
	wantCode(t, err, codes.NotFound)
	got, err := operator.Events.GetAgenda(ctx, &techmarketv1.GetAgendaRequest{Event: name})
	if err != nil || got.GetAgenda().GetMeetings()[0].GetOutcome() != techmarketv1.MeetingOutcome_MEETING_OUTCOME_DEAL_OPENED {
		t.Errorf("recorded outcome: %v %v", got.GetAgenda().GetMeetings()[0], err)
	}
	if _, err := operator.Events.RecordAttendance(ctx, &techmarketv1.RecordAttendanceRequest{Event: name, Attended: []string{offers[1], demands[1]}}); err != nil {
		t.Fatal(err)
	}
	_, err = operator.Events.RecordAttendance(ctx, &techmarketv1.RecordAttendanceRequest{Event: name, Attended: []string{draft.GetName()}})
	if fields := violatedFields(t, err); len(fields) != 1 || fields[0] != "attended[0]" {
		t.Errorf("attendance of an unregistered listing: violations %v", fields)
	}

	stats, err := operator.Stats.GetMarketStats(ctx, &techmarketv1.GetMarketStatsRequest{})
	if err != nil || stats.GetEvents() != 1 || stats.GetMeetingsPlanned() != int64(len(ag.GetMeetings())) {
		t.Errorf("statistics: %d events, %d meetings (%v); want 1 and %d", stats.GetEvents(), stats.GetMeetingsPlanned(), err, len(ag.GetMeetings()))
	}
}

// anonymousExport: agendas are public, for printing at the door.
func anonymousExport(env *testutil.Env, name string) ([]byte, error) {
	resp, err := env.Client("").Events.ExportAgenda(context.Background(), &techmarketv1.ExportAgendaRequest{Event: name, Format: techmarketv1.AgendaFormat_AGENDA_FORMAT_ICALENDAR})
	return resp.GetContent(), err
}
