package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// LinkFigures are what one link to another market reports.
type LinkFigures struct {
	Name        string
	Paused      bool
	Failing     bool      // the last pull failed
	CaughtUp    bool      // the last pull reached the end of the feed
	LastContact time.Time // zero before the first pull
	Newest      time.Time // change time of the newest event applied
	Applied     uint64
	Refused     uint64
}

// linkCollector reads the links' figures at each scrape: they live in
// the store, where the follower keeps them with its cursor.
type linkCollector struct {
	read                           func() []LinkFigures
	up, lag, contact, applied, ref *prometheus.Desc
}

func newLinkCollector(read func() []LinkFigures) *linkCollector {
	l := []string{"link"}
	return &linkCollector{
		read:    read,
		up:      prometheus.NewDesc("techmarket_link_up", "1 while a link to another market is followed and its last pull succeeded; 0 when paused or failing (techmarket links list says why).", l, nil),
		lag:     prometheus.NewDesc("techmarket_link_lag_seconds", "How far a link is behind its market's feed: 0 when caught up, else the age of the newest change applied.", l, nil),
		contact: prometheus.NewDesc("techmarket_link_last_contact_age_seconds", "Seconds since a link's last successful pull; -1 before the first.", l, nil),
		applied: prometheus.NewDesc("techmarket_link_applied_total", "Feed events a link applied.", l, nil),
		ref:     prometheus.NewDesc("techmarket_link_refused_total", "Listings of a link's feed refused for breaking this market's rules; the log says which and why.", l, nil),
	}
}

func (c *linkCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.lag, c.contact, c.applied, c.ref} {
		ch <- d
	}
}

func (c *linkCollector) Collect(ch chan<- prometheus.Metric) {
	now := time.Now()
	for _, f := range c.read() {
		up, lag, contact := 1.0, 0.0, -1.0
		if f.Paused || f.Failing {
			up = 0
		}
		if !f.CaughtUp && !f.Newest.IsZero() {
			lag = now.Sub(f.Newest).Seconds()
		}
		if !f.LastContact.IsZero() {
			contact = now.Sub(f.LastContact).Seconds()
		}
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, up, f.Name)
		ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, lag, f.Name)
		ch <- prometheus.MustNewConstMetric(c.contact, prometheus.GaugeValue, contact, f.Name)
		ch <- prometheus.MustNewConstMetric(c.applied, prometheus.CounterValue, float64(f.Applied), f.Name)
		ch <- prometheus.MustNewConstMetric(c.ref, prometheus.CounterValue, float64(f.Refused), f.Name)
	}
}
