package alert

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"google.golang.org/protobuf/proto"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// bucketSettings keeps the owners' choices: listing name → AlertSettings
// as chosen, zero fields meaning the market's defaults.
const bucketSettings = "alert-settings"

// SettingsSuffix ends the name of a listing's alert settings.
const SettingsSuffix = "/alertSettings"

// SettingsName is the name of the alert settings of the listing called
// listingName.
func SettingsName(listingName string) string { return listingName + SettingsSuffix }

// ListingOf is the listing a settings name (or a listing's own name)
// belongs to.
func ListingOf(name string) string { return strings.TrimSuffix(name, SettingsSuffix) }

// Settings returns the alert settings of the listing called listingName,
// the market's defaults filled in for what its owner did not choose.
func (a *Alerter) Settings(listingName string) (*techmarketv1.AlertSettings, error) {
	chosen := &techmarketv1.AlertSettings{}
	v, err := a.st.GetAux(bucketSettings, listingName)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		if err := proto.Unmarshal(v, chosen); err != nil {
			return nil, fmt.Errorf("alert: reading the settings of %s: %w", listingName, err)
		}
	}
	return a.withDefaults(listingName, chosen), nil
}

func (a *Alerter) withDefaults(listingName string, chosen *techmarketv1.AlertSettings) *techmarketv1.AlertSettings {
	s := proto.CloneOf(chosen)
	s.Name = SettingsName(listingName)
	if s.GetTopN() == 0 {
		s.TopN = int32(a.opts.TopN)
	}
	if s.GetMinScore() == 0 {
		s.MinScore = max(a.opts.MinScore, 0)
	}
	if s.GetDelivery() == techmarketv1.AlertDelivery_ALERT_DELIVERY_UNSPECIFIED {
		s.Delivery = techmarketv1.AlertDelivery_ALERT_DELIVERY_IMMEDIATE
	}
	return s
}

// Settings fields, as update masks name them.
const (
	FieldTopN     = "top_n"
	FieldMinScore = "min_score"
	FieldDelivery = "delivery"
)

// SettingsFields are the fields an update may name.
var SettingsFields = []string{FieldTopN, FieldMinScore, FieldDelivery}

// CheckSettings returns the first field of s out of range and why, or
// "" when every field is valid.
func CheckSettings(s *techmarketv1.AlertSettings) (field, why string) {
	switch {
	case s.GetTopN() < 0 || s.GetTopN() > MaxTopN:
		return FieldTopN, fmt.Sprintf("from 1 to %d, or 0 for the market's default (%d); got %d", MaxTopN, DefaultTopN, s.GetTopN())
	case math.IsNaN(s.GetMinScore()) || s.GetMinScore() < 0 || s.GetMinScore() > 1:
		return FieldMinScore, fmt.Sprintf("from 0 to 1 (0 for the market's default); got %v", s.GetMinScore())
	}
	if _, ok := techmarketv1.AlertDelivery_name[int32(s.GetDelivery())]; !ok {
		return FieldDelivery, fmt.Sprintf("one of IMMEDIATE, DAILY_DIGEST or OFF; got %d", s.GetDelivery())
	}
	return "", ""
}

// UpdateSettings sets the fields named in paths (every field when empty)
// of the alert settings of listingName from s, which CheckSettings must
// have passed, and returns the settings then in force. Callers check who
// may: the listing's poster and operators.
func (a *Alerter) UpdateSettings(ctx context.Context, listingName string, s *techmarketv1.AlertSettings, paths []string) (*techmarketv1.AlertSettings, error) {
	if len(paths) == 0 {
		paths = SettingsFields
	}
	var stored *techmarketv1.AlertSettings
	err := a.st.Update(ctx, func(tx *store.Tx) error {
		stored = &techmarketv1.AlertSettings{}
		v, err := tx.GetAux(bucketSettings, listingName)
		if err == nil {
			err = proto.Unmarshal(v, stored)
		} else if errors.Is(err, store.ErrNotFound) {
			err = nil
		}
		if err != nil {
			return err
		}
		for _, p := range paths {
			switch p {
			case FieldTopN:
				stored.TopN = s.GetTopN()
			case FieldMinScore:
				stored.MinScore = s.GetMinScore()
			case FieldDelivery:
				stored.Delivery = s.GetDelivery()
			default:
				return fmt.Errorf("alert: no settings field %q", p)
			}
		}
		value, err := proto.Marshal(stored)
		if err != nil {
			return err
		}
		return tx.PutAux(bucketSettings, listingName, value)
	})
	if err != nil {
		return nil, err
	}
	return a.withDefaults(listingName, stored), nil
}
