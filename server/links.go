package server

import (
	"context"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// Waker is told when the links change, so that it follows them at once:
// the follower.
type Waker interface{ Wake() }

// linkServer serves LinkService.
type linkServer struct {
	techmarketv1.UnimplementedLinkServiceServer
	m      *market.Market
	wakeup Waker
}

var _ techmarketv1.LinkServiceServer = (*linkServer)(nil)

func (s *linkServer) wake() {
	if s.wakeup != nil {
		s.wakeup.Wake()
	}
}

func (s *linkServer) AddLink(ctx context.Context, req *techmarketv1.AddLinkRequest) (*techmarketv1.AddLinkResponse, error) {
	l, err := s.m.AddLink(ctx, auth.FromContext(ctx), market.Link{Name: req.GetLinkId(), Addr: req.GetAddr(), Token: req.GetToken(), TLSCA: req.GetTlsCa()})
	if err != nil {
		return nil, err
	}
	s.wake()
	return &techmarketv1.AddLinkResponse{Link: linkProto(l)}, nil
}

func (s *linkServer) ListLinks(ctx context.Context, _ *techmarketv1.ListLinksRequest) (*techmarketv1.ListLinksResponse, error) {
	links, err := s.m.Links(auth.FromContext(ctx))
	if err != nil {
		return nil, err
	}
	resp := &techmarketv1.ListLinksResponse{}
	for _, l := range links {
		resp.Links = append(resp.Links, linkProto(l))
	}
	return resp, nil
}

func (s *linkServer) PauseLink(ctx context.Context, req *techmarketv1.PauseLinkRequest) (*techmarketv1.PauseLinkResponse, error) {
	name, err := linkID(req.GetName())
	if err != nil {
		return nil, err
	}
	l, err := s.m.PauseLink(ctx, auth.FromContext(ctx), name, req.GetPaused())
	if err != nil {
		return nil, err
	}
	s.wake()
	return &techmarketv1.PauseLinkResponse{Link: linkProto(l)}, nil
}

func (s *linkServer) RemoveLink(ctx context.Context, req *techmarketv1.RemoveLinkRequest) (*techmarketv1.RemoveLinkResponse, error) {
	name, err := linkID(req.GetName())
	if err != nil {
		return nil, err
	}
	n, err := s.m.RemoveLink(ctx, auth.FromContext(ctx), name)
	s.wake()
	if err != nil {
		return nil, err
	}
	return &techmarketv1.RemoveLinkResponse{RemovedListings: int32(n)}, nil
}

func linkID(name string) (string, error) {
	id, ok := strings.CutPrefix(name, "links/")
	if !ok || id == "" {
		return "", market.Invalid("name", "%q is not a link's name; names look like links/ordos", name)
	}
	return id, nil
}

// linkProto is a link as the API shows it: never its token.
func linkProto(l market.Link) *techmarketv1.Link {
	out := &techmarketv1.Link{
		Name: "links/" + l.Name, Addr: l.Addr, Paused: l.Paused, CaughtUp: l.CaughtUp,
		Applied: int64(l.Applied), Rejected: int64(l.Rejected), LastError: l.LastError, Cursor: l.Cursor,
		LastContactTime: stamp(l.LastContact), NewestChangeTime: stamp(l.Newest), ErrorTime: stamp(l.ErrorTime),
	}
	out.CreateTime = stamp(l.Created)
	return out
}

func stamp(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}
