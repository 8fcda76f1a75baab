package client_test

import (
	"context"
	"errors"
	"log"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/wuhai-techmarket/techmarket/alert"
	"github.com/wuhai-techmarket/techmarket/index"
	"github.com/wuhai-techmarket/techmarket/market"
	"github.com/wuhai-techmarket/techmarket/match"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
	"github.com/wuhai-techmarket/techmarket/server"
	"github.com/wuhai-techmarket/techmarket/store"
)

// exampleMarket is a real, empty techmarketd for one example, assembled
// as `techmarketd serve` assembles it and listening on a free loopback
// port, so that go test runs the examples and checks their output. An
// example has no *testing.T, hence log.Fatal on a failed setup.
type exampleMarket struct {
	// Addr is where it listens, as 127.0.0.1:7733 would be.
	Addr string
	// AgencyToken and EnterpriseToken are the secrets of an agency's and
	// an enterprise's tokens, as `techmarketd token create` prints them.
	AgencyToken, EnterpriseToken string

	dir    string
	st     *store.Store
	idx    *index.Index
	alerts *alert.Alerter
	srv    *server.Server
	served chan struct{}
}

// The organisations the example tokens speak for.
const (
	exampleAgency     = "甲技术转移中心"
	exampleEnterprise = "乌海某焦化公司"
)

func startExampleMarket() *exampleMarket {
	dir, err := os.MkdirTemp("", "techmarket-example-")
	if err != nil {
		log.Fatal(err)
	}
	e := &exampleMarket{dir: dir, served: make(chan struct{})}
	ctx := context.Background()
	if e.st, err = store.Open(filepath.Join(dir, "techmarket.db"), store.Options{LockTimeout: time.Second}); err != nil {
		log.Fatalf("example market: %v", err)
	}
	if e.idx, err = index.Open(ctx, filepath.Join(dir, "index"), e.st, index.Options{}); err != nil {
		log.Fatalf("example market: %v", err)
	}
	m, err := market.New(e.st, market.Options{Index: e.idx})
	if err != nil {
		log.Fatalf("example market: %v", err)
	}
	mt := match.New(e.idx, e.st, nil)
	// No expiry sweeps: nothing in an example lives long enough to expire.
	if e.alerts, err = alert.Start(e.st, e.idx, mt, alert.Options{RemindEvery: -1}); err != nil {
		log.Fatalf("example market: %v", err)
	}
	for _, t := range []struct {
		secret *string
		org    string
		role   techmarketv1.Role
	}{
		{&e.AgencyToken, exampleAgency, techmarketv1.Role_ROLE_AGENCY},
		{&e.EnterpriseToken, exampleEnterprise, techmarketv1.Role_ROLE_ENTERPRISE},
	} {
		if _, *t.secret, err = m.IssueToken(ctx, t.org, t.role, "example", nil); err != nil {
			log.Fatalf("example market: %v", err)
		}
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatalf("example market: %v", err)
	}
	e.Addr = lis.Addr().String()
	// Limits out of reach: a busy test machine is not an abusive caller.
	e.srv = server.New(m, mt, server.Options{Alerts: e.alerts, Limits: server.Limits{RatePerSecond: 1e9, Burst: 1 << 30}})
	go func() {
		defer close(e.served)
		_ = e.srv.Serve(lis) // returns once Stop closes lis
	}()
	return e
}

// Stop ends the market and removes its data folder.
func (e *exampleMarket) Stop() {
	e.srv.Stop()
	<-e.served
	e.alerts.Close()
	err := errors.Join(e.idx.Close(), e.st.Close(), os.RemoveAll(e.dir))
	if err != nil {
		log.Fatalf("stopping the example market: %v", err)
	}
}

// cokeDemand is an enterprise's need, and cokeOffer an agency's offer
// that fits it.
func cokeDemand() *techmarketv1.Demand {
	return &techmarketv1.Demand{
		ExternalId:    "d-coke",
		Title:         "焦炉荒煤气余热回收产蒸汽",
		Description:   "我公司有2座6米焦炉，上升管荒煤气温度七八百度，目前靠循环氨水喷淋降温，热量全部浪费。希望回收余热产生蒸汽，要求设备不漏、不结焦。",
		Keywords:      []string{"焦炉", "荒煤气", "余热"},
		Industries:    []string{"coal-chemical"},
		Region:        techmarketv1.Region_REGION_WUHAI,
		TransferModes: []techmarketv1.TransferMode{techmarketv1.TransferMode_TRANSFER_MODE_LICENSE},
		MinTrl:        7,
		Budget:        &techmarketv1.YuanRange{MinYuan: 3_000_000, MaxYuan: 8_000_000},
		Enterprise:    &techmarketv1.Enterprise{Name: exampleEnterprise},
	}
}

func cokeOffer() *techmarketv1.Offer {
	return &techmarketv1.Offer{
		ExternalId:    "o-coke",
		Title:         "焦炉上升管荒煤气余热回收技术",
		Summary:       "在焦炉上升管内设置换热器，回收荒煤气显热产生饱和蒸汽。",
		Description:   "上升管换热器内壁采用纳米导热防结焦涂层，回收650–700℃荒煤气显热，产生0.6–1.6MPa饱和蒸汽并入管网。吨焦回收蒸汽约100kg。",
		Keywords:      []string{"上升管", "荒煤气", "余热回收", "焦炉"},
		Industries:    []string{"coal-chemical", "energy-saving"},
		Region:        techmarketv1.Region_REGION_INNER_MONGOLIA,
		TransferModes: []techmarketv1.TransferMode{techmarketv1.TransferMode_TRANSFER_MODE_LICENSE},
		Trl:           8,
		Price:         &techmarketv1.YuanRange{MinYuan: 2_000_000, MaxYuan: 6_000_000},
	}
}

// otherOffers fit other needs; beside cokeOffer they make a market in
// which a match has something to rank.
func otherOffers() []*techmarketv1.Offer {
	return []*techmarketv1.Offer{
		{ExternalId: "o-pvc", Title: "电石法聚氯乙烯无汞触媒", Summary: "以金基无汞触媒替代氯化汞催化乙炔氢氯化。", Industries: []string{"chlor-alkali"}, Region: techmarketv1.Region_REGION_DOMESTIC},
		{ExternalId: "o-water", Title: "矿井疏干水深度处理回用", Summary: "疏干水经超滤反渗透处理后回用于电厂补水。", Industries: []string{"water"}, Region: techmarketv1.Region_REGION_WUHAI},
	}
}
