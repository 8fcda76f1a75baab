package server

import (
	"context"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/matchmaking"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

type eventServer struct {
	techmarketv1.UnimplementedEventServiceServer
	e *matchmaking.Service
}

func (s *eventServer) CreateEvent(ctx context.Context, req *techmarketv1.CreateEventRequest) (*techmarketv1.CreateEventResponse, error) {
	ev, err := s.e.Create(ctx, auth.FromContext(ctx), req.GetEvent())
	return respond(&techmarketv1.CreateEventResponse{Event: ev}, err)
}

func (s *eventServer) GetEvent(ctx context.Context, req *techmarketv1.GetEventRequest) (*techmarketv1.GetEventResponse, error) {
	ev, err := s.e.Get(ctx, req.GetName())
	return respond(&techmarketv1.GetEventResponse{Event: ev}, err)
}

func (s *eventServer) ListEvents(ctx context.Context, req *techmarketv1.ListEventsRequest) (*techmarketv1.ListEventsResponse, error) {
	evs, next, err := s.e.List(ctx, req.GetPageSize(), req.GetPageToken())
	return respond(&techmarketv1.ListEventsResponse{Events: evs, NextPageToken: next}, err)
}

func (s *eventServer) RegisterListing(ctx context.Context, req *techmarketv1.RegisterListingRequest) (*techmarketv1.RegisterListingResponse, error) {
	ev, err := s.e.Register(ctx, auth.FromContext(ctx), req.GetEvent(), req.GetListing())
	return respond(&techmarketv1.RegisterListingResponse{Event: ev}, err)
}

func (s *eventServer) DeclineMeeting(ctx context.Context, req *techmarketv1.DeclineMeetingRequest) (*techmarketv1.DeclineMeetingResponse, error) {
	ev, err := s.e.Decline(ctx, auth.FromContext(ctx), req.GetEvent(), req.GetPair())
	return respond(&techmarketv1.DeclineMeetingResponse{Event: ev}, err)
}

func (s *eventServer) PlanAgenda(ctx context.Context, req *techmarketv1.PlanAgendaRequest) (*techmarketv1.PlanAgendaResponse, error) {
	ag, err := s.e.Plan(ctx, auth.FromContext(ctx), req.GetEvent(), req.GetMinQuality())
	return respond(&techmarketv1.PlanAgendaResponse{Agenda: ag}, err)
}

func (s *eventServer) GetAgenda(ctx context.Context, req *techmarketv1.GetAgendaRequest) (*techmarketv1.GetAgendaResponse, error) {
	ag, err := s.e.Agenda(ctx, req.GetEvent())
	return respond(&techmarketv1.GetAgendaResponse{Agenda: ag}, err)
}

func (s *eventServer) ExportAgenda(ctx context.Context, req *techmarketv1.ExportAgendaRequest) (*techmarketv1.ExportAgendaResponse, error) {
	return s.e.Export(ctx, req.GetEvent(), req.GetFormat())
}

func (s *eventServer) RecordAttendance(ctx context.Context, req *techmarketv1.RecordAttendanceRequest) (*techmarketv1.RecordAttendanceResponse, error) {
	ev, err := s.e.Attend(ctx, auth.FromContext(ctx), req.GetEvent(), req.GetAttended())
	return respond(&techmarketv1.RecordAttendanceResponse{Event: ev}, err)
}

func (s *eventServer) RecordMeetingOutcome(ctx context.Context, req *techmarketv1.RecordMeetingOutcomeRequest) (*techmarketv1.RecordMeetingOutcomeResponse, error) {
	ag, err := s.e.Outcome(ctx, auth.FromContext(ctx), req.GetEvent(), req.GetPair(), req.GetOutcome(), req.GetNote())
	return respond(&techmarketv1.RecordMeetingOutcomeResponse{Agenda: ag}, err)
}
