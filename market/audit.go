package market

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/wuhai-techmarket/techmarket/auth"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/store"
)

// bucketAudit holds the audit log; keys sort newest first.
const bucketAudit = "audit"

// toolActor acts for whoever runs techmarketd on the data folder itself.
const toolActor = "techmarketd"

// Audit records an action in the transaction that performs it, so the log
// holds exactly the actions that happened. Services beside the market
// (events) record theirs with it too.
func Audit(tx *store.Tx, now time.Time, p auth.Principal, action, target, detail string) error {
	actor, role := p.Org, auth.RoleName(p.Role)
	if actor == "" {
		actor, role = toolActor, "operator"
	}
	e := &techmarketv1.AuditEntry{Time: timestamppb.New(now), Actor: actor, Role: role, Action: action, Target: target, Detail: clipDetail(detail)}
	value, err := proto.Marshal(e)
	if err != nil {
		return err
	}
	return tx.PutAux(bucketAudit, auditKey(now), value)
}

// auditKey orders entries newest first; the random tail keeps entries of
// the same nanosecond apart.
func auditKey(t time.Time) string {
	var tail [4]byte
	_, _ = rand.Read(tail[:])
	return fmt.Sprintf("%019d-%s", math.MaxInt64-t.UnixNano(), hex.EncodeToString(tail[:]))
}

func clipDetail(s string) string {
	if r := []rune(s); len(r) > 300 {
		return string(r[:300]) + "…"
	}
	return s
}

// AuditQuery selects audit entries.
type AuditQuery struct {
	PageSize     int32
	PageToken    string
	ActionPrefix string
	Actor        string
}

// ListAudit returns a page of the audit log, newest first. Operators only.
func (m *Market) ListAudit(ctx context.Context, p auth.Principal, q AuditQuery) ([]*techmarketv1.AuditEntry, string, error) {
	if !p.IsOperator() {
		return nil, "", fmt.Errorf("%w: the audit log is for operators", ErrPermissionDenied)
	}
	size, err := Limit("page_size", q.PageSize, 50, 100)
	if err != nil {
		return nil, "", err
	}
	digest := "audit\x00" + q.ActionPrefix + "\x00" + q.Actor + "\x00" + p.Org
	after := ""
	if q.PageToken != "" {
		if after, err = m.pages.Decode(digest, q.PageToken); err != nil {
			return nil, "", invalid("page_token", "%v", err)
		}
	}
	var (
		page      []*techmarketv1.AuditEntry
		lastKey   string
		more      bool
		decodeErr error
	)
	err = m.st.ScanAux(bucketAudit, after, func(key string, value []byte) bool {
		if err := ctx.Err(); err != nil {
			decodeErr = err
			return false
		}
		e := new(techmarketv1.AuditEntry)
		if decodeErr = proto.Unmarshal(value, e); decodeErr != nil {
			return false
		}
		if !strings.HasPrefix(e.GetAction(), q.ActionPrefix) || (q.Actor != "" && e.GetActor() != q.Actor) {
			return true
		}
		if len(page) == size {
			more = true
			return false
		}
		page, lastKey = append(page, e), key
		return true
	})
	if err == nil {
		err = decodeErr
	}
	if err != nil {
		return nil, "", storeErr(err)
	}
	next := ""
	if more {
		next = m.pages.Encode(digest, lastKey)
	}
	return page, next, nil
}
