package server

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/grpc/metadata"

	"github.com/wuhai-techmarket/techmarket/alert"
	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/listing"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// maxWatchedListings bounds a watch request's listing filter.
const maxWatchedListings = 100

type alertServer struct {
	techmarketv1.UnimplementedAlertServiceServer
	a        *alert.Alerter
	m        *market.Market
	watchers *watchers
}

func (s *alertServer) WatchMatches(req *techmarketv1.WatchMatchesRequest, stream techmarketv1.AlertService_WatchMatchesServer) error {
	ctx := stream.Context()
	p := auth.FromContext(ctx)
	if p.Org == "" {
		return fmt.Errorf("%w: alerts are for the owners of listings; call with a token", market.ErrUnauthenticated)
	}
	after, err := alert.ParseCursor(req.GetCursor())
	if err != nil {
		return market.Invalid("cursor", "not a cursor an alert carried; send an alert's cursor, or none to start from the first")
	}
	if len(req.GetListings()) > maxWatchedListings {
		return market.Invalid("listings", "at most %d listings, got %d; leave it empty to watch all of yours", maxWatchedListings, len(req.GetListings()))
	}
	for i, name := range req.GetListings() {
		l, err := s.listing(ctx, p, fmt.Sprintf("listings[%d]", i), name, "")
		if err != nil {
			return err
		}
		if l.GetPoster() != p.Org {
			return fmt.Errorf("%w: %s is not a listing of %s; alerts go to the listing's owner", market.ErrPermissionDenied, name, p.Org)
		}
	}
	leave, err := s.watchers.enter(p.Org)
	if err != nil {
		return err
	}
	defer leave()
	// Headers now tell the client its watch is in place, before any alert.
	if err := stream.SendHeader(metadata.MD{}); err != nil {
		return err
	}
	return s.a.Watch(ctx, p.Org, after, req.GetListings(), func(al *techmarketv1.Alert) error {
		return stream.Send(&techmarketv1.WatchMatchesResponse{Alert: al})
	})
}

func (s *alertServer) GetAlertSettings(ctx context.Context, req *techmarketv1.GetAlertSettingsRequest) (*techmarketv1.GetAlertSettingsResponse, error) {
	name, err := s.ownListing(ctx, "name", req.GetName())
	if err != nil {
		return nil, err
	}
	set, err := s.a.Settings(name)
	if err != nil {
		return nil, err
	}
	return &techmarketv1.GetAlertSettingsResponse{Settings: set}, nil
}

func (s *alertServer) UpdateAlertSettings(ctx context.Context, req *techmarketv1.UpdateAlertSettingsRequest) (*techmarketv1.UpdateAlertSettingsResponse, error) {
	if req.GetSettings() == nil {
		return nil, market.Invalid("settings", "required: the settings to set, with their name")
	}
	paths := req.GetUpdateMask().GetPaths()
	for i, p := range paths {
		if !slices.Contains(alert.SettingsFields, p) {
			return nil, market.Invalid(fmt.Sprintf("update_mask.paths[%d]", i), "%q is not a settings field; name %s", p, strings.Join(alert.SettingsFields, ", "))
		}
	}
	if field, why := alert.CheckSettings(req.GetSettings()); field != "" {
		return nil, market.Invalid("settings."+field, "%s", why)
	}
	name, err := s.ownListing(ctx, "settings.name", req.GetSettings().GetName())
	if err != nil {
		return nil, err
	}
	set, err := s.a.UpdateSettings(ctx, name, req.GetSettings(), paths)
	if err != nil {
		return nil, err
	}
	return &techmarketv1.UpdateAlertSettingsResponse{Settings: set}, nil
}

// ownListing returns the listing that the settings name (or listing
// name) in field names, if the caller posted it or is an operator.
func (s *alertServer) ownListing(ctx context.Context, field, name string) (string, error) {
	p := auth.FromContext(ctx)
	if p.Org == "" {
		return "", fmt.Errorf("%w: alert settings are for the owners of listings; call with a token", market.ErrUnauthenticated)
	}
	listingName := alert.ListingOf(name)
	l, err := s.listing(ctx, p, field, listingName, alert.SettingsSuffix)
	if err != nil {
		return "", err
	}
	if l.GetPoster() != p.Org && !p.IsOperator() {
		return "", fmt.Errorf("%w: %s is a listing of %s; only its poster or an operator sets its alerts", market.ErrPermissionDenied, listingName, l.GetPoster())
	}
	return listingName, nil
}

// listing reads the listing called name that p may see; field names the
// request field for errors, whose expected form ends with suffix.
func (s *alertServer) listing(ctx context.Context, p auth.Principal, field, name, suffix string) (listing.Listing, error) {
	switch {
	case strings.HasPrefix(name, "offers/"):
		return s.m.Offers.Get(ctx, p, name)
	case strings.HasPrefix(name, "demands/"):
		return s.m.Demands.Get(ctx, p, name)
	}
	return nil, market.Invalid(field, "want offers/{offer}%[1]s or demands/{demand}%[1]s, got %[2]q", suffix, name)
}
