package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/wuhai-techmarket/techmarket/agenda"
	"github.com/wuhai-techmarket/techmarket/client"
	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// eventEnv is a small realistic market with an event: six offers posted by
// a technology-transfer agency, four demands posted by a coking company,
// all registered for a three-round event with two tables and at most two
// meetings per listing.
type eventEnv struct {
	env                                 *testutil.Env
	operator, agency, enterprise, other *client.Client
	anonymous                           *client.Client
	offers, demands                     []string
	titles                              map[string]string
	event                               *techmarketv1.Event
}

var eventStart = time.Date(2027, 5, 20, 1, 30, 0, 0, time.UTC) // 09:30 in Wuhai

func eventSlots(n int) []*techmarketv1.TimeSlot {
	var slots []*techmarketv1.TimeSlot
	for i := range n {
		s := eventStart.Add(time.Duration(i) * 30 * time.Minute)
		slots = append(slots, &techmarketv1.TimeSlot{StartTime: timestamppb.New(s), EndTime: timestamppb.New(s.Add(25 * time.Minute))})
	}
	return slots
}

func startEvent(t *testing.T, register bool) *eventEnv {
	t.Helper()
	env := testutil.Start(t)
	ctx := context.Background()
	e := &eventEnv{
		env:        env,
		operator:   env.Client(env.Token("operator", "乌海科技大市场")),
		agency:     env.Client(env.Token("agency", "甲技术转移中心")),
		enterprise: env.Client(env.Token("enterprise", "乌海某焦化公司")),
		other:      env.Client(env.Token("enterprise", "另一家公司")),
		anonymous:  env.Client(""),
		titles:     map[string]string{},
	}
	offers := []struct{ title, summary, industry string }{
		{"焦炉上升管荒煤气余热回收技术", "上升管换热器回收焦炉荒煤气显热，产生饱和蒸汽，吨焦回收蒸汽100公斤。", "coal-chemical"},
		{"焦炉煤气变压吸附制氢技术", "焦炉煤气经变压吸附PSA提纯得到燃料电池级高纯氢气。", "hydrogen"},
		{"矿井疏干水深度处理回用技术", "矿井疏干水经超滤反渗透深度处理后回用于电厂补水。", "water"},
		{"电石渣制水泥熟料技术", "电石渣替代石灰石生产水泥熟料，减排二氧化碳。", "chlor-alkali"},
		{"焦化废水酚氰深度处理技术", "焦化废水生化处理后臭氧催化氧化深度处理，COD低于50mg/L，氰化物达标。", "environment"},
		{"PEM电解水制氢装置", "质子交换膜电解槽制氢，适应风光发电波动。", "hydrogen"},
	}
	for i, o := range offers {
		made, err := e.agency.CreateOffer(ctx, &techmarketv1.Offer{ExternalId: fmt.Sprint("o", i), Title: o.title, Summary: o.summary,
			Industries: []string{o.industry}, Region: techmarketv1.Region_REGION_INNER_MONGOLIA, Trl: 7}, true)
		if err != nil {
			t.Fatal(err)
		}
		e.offers = append(e.offers, made.GetName())
		e.titles[made.GetName()] = o.title
	}
	demands := []struct{ title, description, industry string }{
		{"焦炉荒煤气余热回收产蒸汽", "上升管荒煤气温度七八百度，希望回收焦炉余热产生蒸汽。", "coal-chemical"},
		{"焦炉煤气制氢提纯", "富余焦炉煤气想提纯制氢，供应加氢站燃料电池车。", "hydrogen"},
		{"焦化废水深度处理达标", "焦化废水COD和氰化物超标，需要深度处理技术。", "environment"},
		{"疏干水回用于生产", "矿井疏干水量大，希望深度处理后回用于生产。", "water"},
	}
	for i, d := range demands {
		made, err := e.enterprise.CreateDemand(ctx, &techmarketv1.Demand{ExternalId: fmt.Sprint("d", i), Title: d.title, Description: d.description,
			Industries: []string{d.industry}, Region: techmarketv1.Region_REGION_WUHAI}, true)
		if err != nil {
			t.Fatal(err)
		}
		e.demands = append(e.demands, made.GetName())
		e.titles[made.GetName()] = d.title
	}
	ev, err := e.operator.CreateEvent(ctx, &techmarketv1.Event{Title: "乌海市焦化产业技术对接会", Venue: "乌海科技大市场", Slots: eventSlots(3), Tables: 2, MaxMeetingsPerParty: 2})
	if err != nil {
		t.Fatal(err)
	}
	e.event = ev
	if !register {
		return e
	}
	for _, o := range e.offers {
		if e.event, err = e.agency.RegisterListing(ctx, ev.GetName(), o); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range e.demands {
		if e.event, err = e.enterprise.RegisterListing(ctx, ev.GetName(), d); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *eventEnv) name() string { return e.event.GetName() }

// current reads the event afresh.
func (e *eventEnv) current(t *testing.T) *techmarketv1.Event {
	t.Helper()
	ev, err := e.anonymous.GetEvent(context.Background(), e.name())
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// unchanged fails unless the event is exactly before, etag included.
func (e *eventEnv) unchanged(t *testing.T, before *techmarketv1.Event, what string) {
	t.Helper()
	if after := e.current(t); !proto.Equal(before, after) {
		t.Errorf("%s changed the event:\nbefore %v\nafter  %v", what, before, after)
	}
}

// checkAgenda verifies ag against the event with agenda.Plan.Check: every
// meeting in range, nobody double-booked, no table used twice, the
// per-party limit, no declined pair, the total the sum of the meetings.
func checkAgenda(t *testing.T, ev *techmarketv1.Event, ag *techmarketv1.Agenda) {
	t.Helper()
	prob := agenda.Problem{Tables: int(ev.GetTables()), MaxMeetingsPerParty: int(ev.GetMaxMeetingsPerParty())}
	for _, s := range ev.GetSlots() {
		prob.Slots = append(prob.Slots, agenda.Slot{Start: s.GetStartTime().AsTime(), End: s.GetEndTime().AsTime()})
	}
	if prob.MaxMeetingsPerParty == 0 {
		prob.MaxMeetingsPerParty = len(prob.Slots)
	}
	for _, d := range ev.GetDeclined() {
		prob.Declined = append(prob.Declined, agenda.Pair{Offer: d.GetOffer(), Demand: d.GetDemand()})
	}
	plan := agenda.Plan{TotalQuality: ag.GetTotalQuality()}
	for _, m := range ag.GetMeetings() {
		p := agenda.Pair{Offer: m.GetPair().GetOffer(), Demand: m.GetPair().GetDemand()}
		if !slices.Contains(ev.GetOffers(), p.Offer) || !slices.Contains(ev.GetDemands(), p.Demand) {
			t.Errorf("meeting %v pairs listings not registered", m)
		}
		if m.GetQuality() <= 0 || m.GetQuality() > 1 {
			t.Errorf("meeting %v has quality outside (0,1]", m)
			continue
		}
		prob.Candidates = append(prob.Candidates, agenda.Candidate{Pair: p, Quality: m.GetQuality()})
		plan.Meetings = append(plan.Meetings, agenda.Meeting{Slot: int(m.GetSlot()) - 1, Table: int(m.GetTable()) - 1, Pair: p, Quality: m.GetQuality()})
	}
	if err := plan.Check(prob); err != nil {
		t.Errorf("agenda breaks a constraint: %v\n%v", err, ag)
	}
	if ag.GetTotalQuality() < ag.GetGreedyQuality()-1e-9 {
		t.Errorf("planned quality %.4f below the greedy plan's %.4f", ag.GetTotalQuality(), ag.GetGreedyQuality())
	}
	if ag.GetEvent() != ev.GetName() || !ag.GetPlanTime().IsValid() {
		t.Errorf("agenda names event %q, plan time %v", ag.GetEvent(), ag.GetPlanTime())
	}
}

func meets(ag *techmarketv1.Agenda, p *techmarketv1.MeetingPair) bool {
	return slices.ContainsFunc(ag.GetMeetings(), func(m *techmarketv1.Meeting) bool { return proto.Equal(m.GetPair(), p) })
}

// TestEventAgendaPlan plans a realistic event and checks what an operator
// would print: a valid agenda with titles, better than or as good as
// greedy; a declined pair that met before no longer meets after
// replanning, and replanning clears recorded outcomes.
func TestEventAgendaPlan(t *testing.T) {
	e := startEvent(t, true)
	ctx := context.Background()

	ag, err := e.operator.PlanAgenda(ctx, e.name(), 0)
	if err != nil {
		t.Fatal(err)
	}
	checkAgenda(t, e.current(t), ag)
	// Six meetings fit (3 slots × 2 tables); four demands with two
	// meetings each could fill them, and the texts are close enough that
	// at least one meeting per demand is worth it.
	if n := len(ag.GetMeetings()); n < len(e.demands) || n > 6 {
		t.Fatalf("%d meetings planned, want %d to 6:\n%v", n, len(e.demands), ag)
	}
	for _, m := range ag.GetMeetings() {
		if m.GetOfferTitle() != e.titles[m.GetPair().GetOffer()] || m.GetDemandTitle() != e.titles[m.GetPair().GetDemand()] {
			t.Errorf("meeting %v: titles %q, %q", m, m.GetOfferTitle(), m.GetDemandTitle())
		}
		if m.GetQuality() < 0.3 {
			t.Errorf("meeting %v below the default minimum quality 0.3", m)
		}
	}
	// The coking company's waste-water demand and the waste-water offer
	// are each other's best fit.
	water := &techmarketv1.MeetingPair{Offer: e.offers[4], Demand: e.demands[2]}
	if !meets(ag, water) {
		t.Fatalf("the waste-water pair does not meet:\n%v", ag)
	}
	got, err := e.anonymous.GetAgenda(ctx, e.name())
	if err != nil || !proto.Equal(got, ag) {
		t.Errorf("GetAgenda for an anonymous caller: %v (%v), want the planned agenda", got, err)
	}

	if _, err := e.operator.RecordMeetingOutcome(ctx, e.name(), water.GetOffer(), water.GetDemand(), techmarketv1.MeetingOutcome_MEETING_OUTCOME_FOLLOW_UP, "下周现场考察"); err != nil {
		t.Fatal(err)
	}
	// The offer's owner declines the meeting; planned again, it is gone.
	if _, err := e.agency.DeclineMeeting(ctx, e.name(), water.GetOffer(), water.GetDemand()); err != nil {
		t.Fatal(err)
	}
	ev := e.current(t)
	if len(ev.GetDeclined()) != 1 || !proto.Equal(ev.GetDeclined()[0], water) {
		t.Fatalf("declined: %v", ev.GetDeclined())
	}
	again, err := e.operator.PlanAgenda(ctx, e.name(), 0)
	if err != nil {
		t.Fatal(err)
	}
	checkAgenda(t, ev, again)
	if meets(again, water) {
		t.Errorf("the declined pair still meets:\n%v", again)
	}
	for _, m := range again.GetMeetings() {
		if m.GetOutcome() != techmarketv1.MeetingOutcome_MEETING_OUTCOME_UNSPECIFIED || m.GetNote() != "" {
			t.Errorf("replanning kept an outcome: %v", m)
		}
	}

	// A higher bar leaves out the weaker meetings, and only those.
	strict, err := e.operator.PlanAgenda(ctx, e.name(), 0.9)
	if err != nil {
		t.Fatal(err)
	}
	checkAgenda(t, ev, strict)
	for _, m := range strict.GetMeetings() {
		if m.GetQuality() < 0.9 {
			t.Errorf("meeting %v below min_quality 0.9", m)
		}
	}
	if len(strict.GetMeetings()) > len(again.GetMeetings()) {
		t.Errorf("min_quality 0.9 planned %d meetings, more than the %d at 0.3", len(strict.GetMeetings()), len(again.GetMeetings()))
	}
}

// TestEventPerPartyLimit: with one meeting per listing and plenty of
// tables, nobody gets two, though there are rounds enough.
func TestEventPerPartyLimit(t *testing.T) {
	e := startEvent(t, false)
	ctx := context.Background()
	ev, err := e.operator.CreateEvent(ctx, &techmarketv1.Event{Title: "氢能专场", Slots: eventSlots(4), Tables: 10, MaxMeetingsPerParty: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range append(slices.Clone(e.offers), e.demands...) {
		if ev, err = e.operator.RegisterListing(ctx, ev.GetName(), l); err != nil {
			t.Fatal(err)
		}
	}
	ag, err := e.operator.PlanAgenda(ctx, ev.GetName(), 0.05)
	if err != nil {
		t.Fatal(err)
	}
	checkAgenda(t, ev, ag)
	if len(ag.GetMeetings()) == 0 {
		t.Fatal("no meetings planned")
	}
	seen := map[string]bool{}
	for _, m := range ag.GetMeetings() {
		for _, p := range []string{m.GetPair().GetOffer(), m.GetPair().GetDemand()} {
			if seen[p] {
				t.Errorf("%s has two meetings with a limit of one", p)
			}
			seen[p] = true
		}
	}
}

// TestEventValidation: each mistake is refused naming its field, and
// creates nothing.
func TestEventValidation(t *testing.T) {
	env := testutil.Start(t)
	ctx := context.Background()
	operator := env.Client(env.Token("operator", "乌海科技大市场"))
	valid := func() *techmarketv1.Event {
		return &techmarketv1.Event{Title: "氢能技术对接会", Venue: "乌海科技大市场", Slots: eventSlots(3), Tables: 5}
	}
	ts := timestamppb.New
	tests := []struct {
		name  string
		edit  func(ev *techmarketv1.Event)
		field string
	}{
		{"no title", func(ev *techmarketv1.Event) { ev.Title = "" }, "event.title"},
		{"blank title", func(ev *techmarketv1.Event) { ev.Title = "   " }, "event.title"},
		{"long title", func(ev *techmarketv1.Event) { ev.Title = strings.Repeat("会", 201) }, "event.title"},
		{"long venue", func(ev *techmarketv1.Event) { ev.Venue = strings.Repeat("馆", 201) }, "event.venue"},
		{"no slots", func(ev *techmarketv1.Event) { ev.Slots = nil }, "event.slots"},
		{"49 slots", func(ev *techmarketv1.Event) { ev.Slots = eventSlots(49) }, "event.slots"},
		{"slot without end", func(ev *techmarketv1.Event) { ev.Slots[1].EndTime = nil }, "event.slots[1]"},
		{"slot ends before it starts", func(ev *techmarketv1.Event) {
			ev.Slots[2].EndTime = ts(ev.Slots[2].GetStartTime().AsTime().Add(-time.Minute))
		}, "event.slots[2].end_time"},
		{"empty slot", func(ev *techmarketv1.Event) { ev.Slots[0].EndTime = ev.Slots[0].GetStartTime() }, "event.slots[0].end_time"},
		{"overlapping slots", func(ev *techmarketv1.Event) {
			ev.Slots[1].StartTime = ts(ev.Slots[0].GetEndTime().AsTime().Add(-time.Minute))
		}, "event.slots[1].start_time"},
		{"slots out of order", func(ev *techmarketv1.Event) { ev.Slots[0], ev.Slots[2] = ev.Slots[2], ev.Slots[0] }, "event.slots[1].start_time"},
		{"no tables", func(ev *techmarketv1.Event) { ev.Tables = 0 }, "event.tables"},
		{"501 tables", func(ev *techmarketv1.Event) { ev.Tables = 501 }, "event.tables"},
		{"negative limit", func(ev *techmarketv1.Event) { ev.MaxMeetingsPerParty = -1 }, "event.max_meetings_per_party"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := valid()
			tt.edit(ev)
			_, err := operator.CreateEvent(ctx, ev)
			if fields := violatedFields(t, err); len(fields) != 1 || fields[0] != tt.field {
				t.Errorf("violations %v, want [%s]", fields, tt.field)
			}
		})
	}
	for ev, err := range operator.ListEvents(ctx, nil) {
		t.Errorf("refused events were stored: %v %v", ev, err)
	}
	// The limits themselves are fine.
	ev := valid()
	ev.Title, ev.Venue, ev.Slots, ev.Tables = strings.Repeat("会", 200), strings.Repeat("馆", 200), eventSlots(48), 500
	if _, err := operator.CreateEvent(ctx, ev); err != nil {
		t.Errorf("an event at every limit: %v", err)
	}
}

// TestEventCreateAndRead: an operator creates; anyone, signed in or not,
// reads, soonest first; output-only fields are the server's.
func TestEventCreateAndRead(t *testing.T) {
	env := testutil.Start(t)
	ctx := context.Background()
	operator := env.Client(env.Token("operator", "乌海科技大市场"))
	agency := env.Client(env.Token("agency", "甲技术转移中心"))
	anonymous := env.Client("")

	in := &techmarketv1.Event{Title: "氢能技术对接会", Slots: eventSlots(2), Tables: 3,
		Name: "events/mine", Offers: []string{"offers/x"}, Organiser: "冒名机构", Etag: "7"}
	_, err := agency.CreateEvent(ctx, in)
	wantCode(t, err, codes.PermissionDenied)
	_, err = anonymous.CreateEvent(ctx, in)
	if code := status.Code(err); code != codes.PermissionDenied && code != codes.Unauthenticated {
		t.Fatalf("an anonymous caller creating an event: %v", err)
	}

	// Created out of order: the list is by first slot, not creation.
	var names []string
	for _, days := range []int{7, 0, 30} {
		ev := proto.CloneOf(in)
		for _, s := range ev.Slots {
			s.StartTime = timestamppb.New(s.GetStartTime().AsTime().AddDate(0, 0, days))
			s.EndTime = timestamppb.New(s.GetEndTime().AsTime().AddDate(0, 0, days))
		}
		made, err := operator.CreateEvent(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(made.GetName(), "events/") || made.GetName() == in.Name || slices.Contains(names, made.GetName()) ||
			len(made.GetOffers()) != 0 || made.GetOrganiser() != "乌海科技大市场" || made.GetEtag() == "" || made.GetEtag() == in.Etag ||
			!made.GetCreateTime().IsValid() {
			t.Errorf("created %v", made)
		}
		names = append(names, made.GetName())
	}
	want := []string{names[1], names[0], names[2]}
	for _, c := range []*client.Client{anonymous, agency} {
		var got []string
		for ev, err := range c.ListEvents(ctx, &techmarketv1.ListEventsRequest{PageSize: 2}) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, ev.GetName())
		}
		if !slices.Equal(got, want) {
			t.Errorf("events listed %v, want soonest first %v", got, want)
		}
		if ev, err := c.GetEvent(ctx, strings.TrimPrefix(names[0], "events/")); err != nil || ev.GetName() != names[0] {
			t.Errorf("GetEvent: %v %v", ev, err)
		}
	}
	_, err = anonymous.GetEvent(ctx, "events/doesnotexist")
	wantCode(t, err, codes.NotFound)
	for _, bad := range []string{"", "events/", "offers/abc", "events/ABC", "events/a/b"} {
		_, err := anonymous.Events.GetEvent(ctx, &techmarketv1.GetEventRequest{Name: bad})
		wantCode(t, err, codes.InvalidArgument)
	}
}

// TestEventRegistration: owners register their own published listings,
// operators anyone's; nobody else, whether or not they can read the
// listing; drafts are refused; twice is once.
func TestEventRegistration(t *testing.T) {
	e := startEvent(t, false)
	ctx := context.Background()
	name := e.name()

	draft, err := e.enterprise.CreateDemand(ctx, &techmarketv1.Demand{ExternalId: "draft", Title: "草稿需求", Industries: []string{"water"}, Region: techmarketv1.Region_REGION_WUHAI}, false)
	if err != nil {
		t.Fatal(err)
	}
	before := e.current(t)
	refused := []struct {
		who     *client.Client
		listing string
		code    codes.Code
	}{
		{e.other, e.demands[0], codes.PermissionDenied},               // published, readable, not theirs
		{e.agency, e.demands[0], codes.PermissionDenied},              // the other side's
		{e.other, draft.GetName(), codes.PermissionDenied},            // unreadable: never NotFound
		{e.other, "demands/0k3v9q2m7x1c4f8h", codes.PermissionDenied}, // nor for what does not exist
		{e.anonymous, e.offers[0], codes.PermissionDenied},
		{e.enterprise, draft.GetName(), codes.FailedPrecondition}, // its own draft
		{e.operator, draft.GetName(), codes.FailedPrecondition},
		{e.operator, "demands/0k3v9q2m7x1c4f8h", codes.NotFound},
		{e.operator, "deals/abc", codes.InvalidArgument},
	}
	for _, r := range refused {
		_, err := r.who.RegisterListing(ctx, name, r.listing)
		if got := status.Code(err); got != r.code {
			t.Errorf("registering %s: %v (%v), want %v", r.listing, got, err, r.code)
		}
	}
	e.unchanged(t, before, "refused registrations")

	ev, err := e.enterprise.RegisterListing(ctx, name, e.demands[0])
	if err != nil {
		t.Fatal(err)
	}
	if ev.GetEtag() == before.GetEtag() {
		t.Error("registering did not change the etag")
	}
	// An operator registers anyone's.
	if _, err = e.operator.RegisterListing(ctx, name, e.offers[0]); err != nil {
		t.Fatal(err)
	}
	again, err := e.enterprise.RegisterListing(ctx, name, e.demands[0])
	if err != nil {
		t.Fatalf("registering again: %v", err)
	}
	if !slices.Equal(again.GetDemands(), []string{e.demands[0]}) || !slices.Equal(again.GetOffers(), []string{e.offers[0]}) {
		t.Errorf("after registering twice: offers %v, demands %v", again.GetOffers(), again.GetDemands())
	}
	_, err = e.operator.RegisterListing(ctx, "events/doesnotexist", e.offers[0])
	wantCode(t, err, codes.NotFound)
}

// TestEventOperatorsOnly: planning, attendance and outcomes are for
// operators; declining for the two parties; refusals change nothing.
func TestEventOperatorsOnly(t *testing.T) {
	e := startEvent(t, true)
	ctx := context.Background()
	name := e.name()
	pair := &techmarketv1.MeetingPair{Offer: e.offers[1], Demand: e.demands[1]}

	before := e.current(t)
	for _, c := range []*client.Client{e.agency, e.enterprise} {
		_, err := c.PlanAgenda(ctx, name, 0)
		wantCode(t, err, codes.PermissionDenied)
		_, err = c.RecordAttendance(ctx, name, e.offers[0])
		wantCode(t, err, codes.PermissionDenied)
	}
	_, err := e.other.DeclineMeeting(ctx, name, pair.GetOffer(), pair.GetDemand())
	wantCode(t, err, codes.PermissionDenied)
	_, err = e.anonymous.DeclineMeeting(ctx, name, pair.GetOffer(), pair.GetDemand())
	wantCode(t, err, codes.Unauthenticated)
	_, err = e.enterprise.DeclineMeeting(ctx, name, pair.GetOffer(), "demands/doesnotexist")
	if fields := violatedFields(t, err); !slices.Equal(fields, []string{"pair.demand"}) {
		t.Errorf("declining with an unregistered demand: violations %v", fields)
	}
	_, err = e.operator.RecordAttendance(ctx, name, e.offers[0], "offers/doesnotexist")
	if fields := violatedFields(t, err); !slices.Equal(fields, []string{"attended[1]"}) {
		t.Errorf("attendance of an unregistered listing: violations %v", fields)
	}
	_, err = e.operator.PlanAgenda(ctx, name, 1.5)
	wantCode(t, err, codes.InvalidArgument)
	e.unchanged(t, before, "refused calls")
	_, err = e.operator.GetAgenda(ctx, name)
	wantCode(t, err, codes.FailedPrecondition)

	// Outcomes need a plan, a planned pair and an outcome.
	_, err = e.operator.RecordMeetingOutcome(ctx, name, pair.GetOffer(), pair.GetDemand(), techmarketv1.MeetingOutcome_MEETING_OUTCOME_NO_FIT, "")
	wantCode(t, err, codes.FailedPrecondition)
	ag, err := e.operator.PlanAgenda(ctx, name, 0)
	if err != nil {
		t.Fatal(err)
	}
	var unplanned *techmarketv1.MeetingPair
	for _, o := range e.offers {
		for _, d := range e.demands {
			if p := (&techmarketv1.MeetingPair{Offer: o, Demand: d}); unplanned == nil && !meets(ag, p) {
				unplanned = p
			}
		}
	}
	_, err = e.operator.RecordMeetingOutcome(ctx, name, unplanned.GetOffer(), unplanned.GetDemand(), techmarketv1.MeetingOutcome_MEETING_OUTCOME_NO_FIT, "")
	wantCode(t, err, codes.NotFound)
	planned := ag.GetMeetings()[0].GetPair()
	_, err = e.operator.RecordMeetingOutcome(ctx, name, planned.GetOffer(), planned.GetDemand(), techmarketv1.MeetingOutcome_MEETING_OUTCOME_UNSPECIFIED, "")
	wantCode(t, err, codes.InvalidArgument)
	_, err = e.operator.RecordMeetingOutcome(ctx, name, planned.GetOffer(), planned.GetDemand(), techmarketv1.MeetingOutcome(99), "")
	wantCode(t, err, codes.InvalidArgument)
	_, err = e.operator.RecordMeetingOutcome(ctx, name, planned.GetOffer(), planned.GetDemand(), techmarketv1.MeetingOutcome_MEETING_OUTCOME_FOLLOW_UP, strings.Repeat("注", 2001))
	wantCode(t, err, codes.InvalidArgument)
	_, err = e.agency.RecordMeetingOutcome(ctx, name, planned.GetOffer(), planned.GetDemand(), techmarketv1.MeetingOutcome_MEETING_OUTCOME_FOLLOW_UP, "")
	wantCode(t, err, codes.PermissionDenied)
	if got, err := e.operator.GetAgenda(ctx, name); err != nil || !proto.Equal(got, ag) {
		t.Errorf("refused outcomes changed the agenda: %v (%v)", got, err)
	}
	got, err := e.operator.RecordMeetingOutcome(ctx, name, planned.GetOffer(), planned.GetDemand(), techmarketv1.MeetingOutcome_MEETING_OUTCOME_NO_SHOW, "需求方未到场")
	if err != nil || got.GetMeetings()[0].GetOutcome() != techmarketv1.MeetingOutcome_MEETING_OUTCOME_NO_SHOW || got.GetMeetings()[0].GetNote() != "需求方未到场" {
		t.Errorf("recording an outcome: %v (%v)", got.GetMeetings()[0], err)
	}

	ev, err := e.operator.RecordAttendance(ctx, name, e.demands[1], e.offers[0], e.demands[1])
	if err != nil || !slices.Equal(ev.GetAttended(), []string{e.demands[1], e.offers[0]}) && !slices.Equal(ev.GetAttended(), []string{e.offers[0], e.demands[1]}) {
		t.Errorf("attendance: %v (%v)", ev.GetAttended(), err)
	}
	if ev.GetEtag() == before.GetEtag() {
		t.Error("recording attendance did not change the etag")
	}
}

// TestEventExport: the CSV has a header and one row per meeting, in the
// agenda's order and with its slots and tables; the calendar one VEVENT
// per meeting; both need a plan.
func TestEventExport(t *testing.T) {
	e := startEvent(t, true)
	ctx := context.Background()
	name := e.name()
	id := strings.TrimPrefix(name, "events/")

	_, err := e.anonymous.ExportAgenda(ctx, name, techmarketv1.AgendaFormat_AGENDA_FORMAT_CSV)
	wantCode(t, err, codes.FailedPrecondition)
	ag, err := e.operator.PlanAgenda(ctx, name, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.anonymous.ExportAgenda(ctx, name, techmarketv1.AgendaFormat_AGENDA_FORMAT_UNSPECIFIED)
	wantCode(t, err, codes.InvalidArgument)

	out, err := e.anonymous.ExportAgenda(ctx, name, techmarketv1.AgendaFormat_AGENDA_FORMAT_CSV)
	if err != nil {
		t.Fatal(err)
	}
	if out.GetContentType() != "text/csv; charset=utf-8" || out.GetFileName() != id+"-agenda.csv" {
		t.Errorf("CSV export: content type %q, file name %q", out.GetContentType(), out.GetFileName())
	}
	rows, err := csv.NewReader(bytes.NewReader(out.GetContent())).ReadAll()
	if err != nil {
		t.Fatalf("CSV export does not parse: %v\n%s", err, out.GetContent())
	}
	if len(rows) != len(ag.GetMeetings())+1 {
		t.Fatalf("CSV export: %d rows, want a header and %d meetings\n%s", len(rows), len(ag.GetMeetings()), out.GetContent())
	}
	for i, m := range ag.GetMeetings() {
		row := rows[i+1]
		start := eventStart.Add(time.Duration(m.GetSlot()-1) * 30 * time.Minute).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04")
		want := []string{strconv.Itoa(int(m.GetSlot())), start, strconv.Itoa(int(m.GetTable())), m.GetPair().GetOffer(), m.GetOfferTitle(), m.GetPair().GetDemand(), m.GetDemandTitle()}
		got := []string{row[0], row[1], row[3], row[4], row[5], row[7], row[8]}
		if !slices.Equal(got, want) {
			t.Errorf("CSV row %d: %q, want %q", i+1, got, want)
		}
	}

	out, err = e.anonymous.ExportAgenda(ctx, name, techmarketv1.AgendaFormat_AGENDA_FORMAT_ICALENDAR)
	if err != nil {
		t.Fatal(err)
	}
	ics := string(out.GetContent())
	if out.GetContentType() != "text/calendar; charset=utf-8" || out.GetFileName() != id+"-agenda.ics" {
		t.Errorf("iCalendar export: content type %q, file name %q", out.GetContentType(), out.GetFileName())
	}
	if !strings.HasPrefix(ics, "BEGIN:VCALENDAR\r\n") || !strings.HasSuffix(ics, "END:VCALENDAR\r\n") {
		t.Errorf("not a calendar:\n%s", ics)
	}
	if n := strings.Count(ics, "BEGIN:VEVENT\r\n"); n != len(ag.GetMeetings()) {
		t.Errorf("iCalendar export: %d events, want %d", n, len(ag.GetMeetings()))
	}
	for _, m := range ag.GetMeetings() {
		uid := fmt.Sprintf("UID:%s-%d-%d@techmarket\r\n", id, m.GetSlot(), m.GetTable())
		if !strings.Contains(ics, uid) {
			t.Errorf("no %q in the calendar", strings.TrimSpace(uid))
		}
	}
}

// TestEventAuditLog: creating an event, registrations, declines, the plan,
// attendance and outcomes are in the audit log with their actors, newest
// first; a registration that changes nothing adds no entry.
func TestEventAuditLog(t *testing.T) {
	e := startEvent(t, true)
	ctx := context.Background()
	name := e.name()
	if _, err := e.enterprise.RegisterListing(ctx, name, e.demands[0]); err != nil { // again: nothing changes
		t.Fatal(err)
	}
	if _, err := e.enterprise.DeclineMeeting(ctx, name, e.offers[5], e.demands[3]); err != nil {
		t.Fatal(err)
	}
	ag, err := e.operator.PlanAgenda(ctx, name, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.operator.RecordAttendance(ctx, name, e.offers[0], e.demands[0]); err != nil {
		t.Fatal(err)
	}
	m := ag.GetMeetings()[0].GetPair()
	if _, err := e.operator.RecordMeetingOutcome(ctx, name, m.GetOffer(), m.GetDemand(), techmarketv1.MeetingOutcome_MEETING_OUTCOME_FOLLOW_UP, ""); err != nil {
		t.Fatal(err)
	}

	resp, err := e.operator.Audit.ListAuditEntries(ctx, &techmarketv1.ListAuditEntriesRequest{ActionPrefix: "events.", PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, entry := range resp.GetEntries() {
		got = append(got, entry.GetActor()+" "+entry.GetAction()+" "+entry.GetTarget())
	}
	want := []string{
		"乌海科技大市场 events.outcome " + name,
		"乌海科技大市场 events.attend " + name,
		"乌海科技大市场 events.plan " + name,
		"乌海某焦化公司 events.decline " + name,
	}
	for range e.offers {
		want = append(want, "甲技术转移中心 events.register "+name)
	}
	for range e.demands {
		want = append(want, "乌海某焦化公司 events.register "+name)
	}
	want = append(want, "乌海科技大市场 events.create "+name)
	// Registrations are recorded in the order startEvent made them: sort
	// that stretch, as actors interleave there.
	if len(got) == len(want) {
		slices.Sort(got[4 : len(got)-1])
		slices.Sort(want[4 : len(want)-1])
	}
	if !slices.Equal(got, want) {
		t.Errorf("events in the audit log, newest first:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
