package alert

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/wuhai-techmarket/techmarket/listing"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// bucketDigest holds the match alerts waiting for their listing's daily
// digest: org \x00 listing \x00 pair → the MATCH alert it would have been.
const bucketDigest = "alert-digest"

// DigestHour is the hour of the day, China time, from which the day's
// digests go out: the start of an office day.
const DigestHour = 8

// holdForDigest keeps al, a match alert for owner's listing, for the next
// digest.
func holdForDigest(tx *store.Tx, owner listing.Listing, pair string, al *techmarketv1.Alert) error {
	value, err := proto.Marshal(al)
	if err != nil {
		return err
	}
	return tx.PutAux(bucketDigest, owner.GetPoster()+"\x00"+owner.GetName()+"\x00"+pair, value)
}

// digestDue is the latest DigestHour, China time, at or before now.
func digestDue(now time.Time) time.Time {
	local := now.In(listing.ChinaTime)
	due := time.Date(local.Year(), local.Month(), local.Day(), DigestHour, 0, 0, 0, listing.ChinaTime)
	if due.After(local) {
		due = due.AddDate(0, 0, -1)
	}
	return due
}

// SendDigests raises, once a day from DigestHour on, one DIGEST alert per
// listing whose owner asked for a daily digest and that has matches
// waiting, with those matches best first. The alerter's sweep calls it
// hourly; it returns how many digests it raised.
func (a *Alerter) SendDigests(ctx context.Context) (int, error) {
	now := a.opts.Now()
	last, err := a.state("digested")
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return 0, err
	}
	if err == nil && int64(last) >= digestDue(now).Unix() {
		return 0, nil // today's went out already
	}
	type waiting struct {
		org, listing string
		keys         []string
		alerts       []*techmarketv1.Alert
	}
	var groups []*waiting
	var decodeErr error
	err = a.st.ScanAux(bucketDigest, "", func(key string, value []byte) bool {
		org, rest, _ := strings.Cut(key, "\x00")
		name, _, _ := strings.Cut(rest, "\x00")
		al := new(techmarketv1.Alert)
		if decodeErr = proto.Unmarshal(value, al); decodeErr != nil {
			return false
		}
		if len(groups) == 0 || groups[len(groups)-1].org != org || groups[len(groups)-1].listing != name {
			groups = append(groups, &waiting{org: org, listing: name})
		}
		g := groups[len(groups)-1]
		g.keys, g.alerts = append(g.keys, key), append(g.alerts, al)
		return true
	})
	if err == nil {
		err = decodeErr
	}
	if err != nil {
		return 0, err
	}
	err = a.st.Update(ctx, func(tx *store.Tx) error {
		cursor, err := txState(tx, "cursor")
		if err != nil {
			return err
		}
		for _, g := range groups {
			cursor++
			if err := putAlert(tx, g.org, digest(g.listing, g.alerts, cursorText(cursor), now)); err != nil {
				return err
			}
			for _, k := range g.keys {
				if err := tx.DeleteAux(bucketDigest, k); err != nil {
					return err
				}
			}
		}
		if err := tx.PutAux(bucketState, "cursor", seqBytes(cursor)); err != nil {
			return err
		}
		return tx.PutAux(bucketState, "digested", []byte(strconv.FormatInt(now.Unix(), 10)))
	})
	if err != nil || len(groups) == 0 {
		return 0, err
	}
	return len(groups), a.announce()
}

// digest is the DIGEST alert for listingName of its waiting match alerts.
func digest(listingName string, waiting []*techmarketv1.Alert, cursor string, now time.Time) *techmarketv1.Alert {
	slices.SortStableFunc(waiting, func(x, y *techmarketv1.Alert) int {
		return cmp.Compare(y.GetMatch().GetScore(), x.GetMatch().GetScore())
	})
	al := &techmarketv1.Alert{
		Cursor:     cursor,
		Listing:    listingName,
		CreateTime: timestamppb.New(now),
		Kind:       techmarketv1.AlertKind_ALERT_KIND_DIGEST,
	}
	for _, w := range waiting {
		al.Digest = append(al.Digest, w.GetMatch())
	}
	best := waiting[0].GetMatch()
	al.Message = fmt.Sprintf("%d new listings fit your %s; the best is %s（%s）, score %.2f",
		len(waiting), listingName, best.GetName(), best.GetTitle(), best.GetScore())
	if len(waiting) == 1 {
		al.Message = fmt.Sprintf("A new listing fits your %s: %s（%s）, score %.2f", listingName, best.GetName(), best.GetTitle(), best.GetScore())
	}
	return al
}
