package agenda_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wuhai-techmarket/techmarket/agenda"
)

// exportFixture is a two-slot plan with the Chinese, punctuation and
// line breaks real listings have.
func exportFixture() (agenda.Event, agenda.Plan, []agenda.Slot, map[string]agenda.Party) {
	ev := agenda.Event{
		Title:    "2026 武汉技术对接会",
		Venue:    "光谷会展中心 B馆",
		Location: shanghai,
		UID:      "events/2026-05-wuhan",
	}
	pl := agenda.Plan{
		Meetings: []agenda.Meeting{
			{Slot: 0, Table: 0, Pair: agenda.Pair{Offer: "offers/a1", Demand: "demands/d1"}, Quality: 0.876},
			{Slot: 0, Table: 1, Pair: agenda.Pair{Offer: "offers/a2", Demand: "demands/d2"}, Quality: 0.5},
			{Slot: 1, Table: 0, Pair: agenda.Pair{Offer: "offers/a1", Demand: "demands/d2"}, Quality: 0.333},
		},
		TotalQuality: 1.709,
	}
	parties := map[string]agenda.Party{
		"offers/a1":  {ID: "offers/a1", Title: "高效锂电池正极材料, 低成本制备工艺", Organisation: "武汉大学"},
		"offers/a2":  {ID: "offers/a2", Title: `"智能"焊接机器人; 视觉引导`, Organisation: "华中科技大学\n机械学院"},
		"demands/d1": {ID: "demands/d1", Title: "动力电池\\回收技术", Organisation: "东风汽车集团有限公司"},
		// demands/d2 is missing on purpose: the exports must still work.
	}
	return ev, pl, slots(2), parties
}

func TestWriteCSV(t *testing.T) {
	ev, pl, sl, parties := exportFixture()
	var buf bytes.Buffer
	if err := agenda.WriteCSV(&buf, ev, pl, sl, parties); err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(buf.Bytes()) || bytes.HasPrefix(buf.Bytes(), []byte("\xef\xbb\xbf")) {
		t.Errorf("CSV is not plain UTF-8 without a byte-order mark")
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse back: %v", err)
	}
	want := [][]string{
		{"slot", "start", "end", "table", "offer", "offer_title", "offer_org", "demand", "demand_title", "demand_org", "quality"},
		{"1", "2026-05-20 09:00", "2026-05-20 09:20", "1", "offers/a1", "高效锂电池正极材料, 低成本制备工艺", "武汉大学", "demands/d1", "动力电池\\回收技术", "东风汽车集团有限公司", "0.88"},
		{"1", "2026-05-20 09:00", "2026-05-20 09:20", "2", "offers/a2", `"智能"焊接机器人; 视觉引导`, "华中科技大学\n机械学院", "demands/d2", "", "", "0.50"},
		{"2", "2026-05-20 09:25", "2026-05-20 09:45", "1", "offers/a1", "高效锂电池正极材料, 低成本制备工艺", "武汉大学", "demands/d2", "", "", "0.33"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows\n%q\nwant\n%q", rows, want)
	}
}

func TestWriteCSVTimeZone(t *testing.T) {
	ev, pl, sl, parties := exportFixture()
	ev.Location = nil // UTC: 09:00 in Wuhan is 01:00 UTC
	var buf bytes.Buffer
	if err := agenda.WriteCSV(&buf, ev, pl, sl, parties); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[1][1] != "2026-05-20 01:00" || rows[1][2] != "2026-05-20 01:20" {
		t.Errorf("times %q, %q; want UTC 01:00 and 01:20", rows[1][1], rows[1][2])
	}
}

func TestWriteCSVBadSlot(t *testing.T) {
	ev, pl, sl, parties := exportFixture()
	if err := agenda.WriteCSV(&bytes.Buffer{}, ev, pl, sl[:1], parties); err == nil || !strings.Contains(err.Error(), "meeting 2 in slot 1") {
		t.Errorf("WriteCSV with a missing slot: %v", err)
	}
	if err := agenda.WriteICalendar(&bytes.Buffer{}, ev, pl, sl[:1], parties, time.Now()); err == nil || !strings.Contains(err.Error(), "meeting 2 in slot 1") {
		t.Errorf("WriteICalendar with a missing slot: %v", err)
	}
}

// unfold undoes RFC 5545 folding and splits the content lines.
func unfold(s string) []string {
	s = strings.ReplaceAll(s, "\r\n ", "")
	return strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
}

// unescape undoes RFC 5545 TEXT escaping.
func unescape(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\;`, `;`, `\,`, `,`, `\n`, "\n", `\N`, "\n").Replace(s)
}

// properties returns the values of property name in each VEVENT, in order.
func properties(lines []string, name string) []string {
	var out []string
	for _, l := range lines {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			out = append(out, v)
		}
	}
	return out
}

func TestWriteICalendar(t *testing.T) {
	ev, pl, sl, parties := exportFixture()
	now := time.Date(2026, 5, 1, 18, 30, 5, 0, shanghai)
	var buf bytes.Buffer
	if err := agenda.WriteICalendar(&buf, ev, pl, sl, parties, now); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Count(out, "\n") != strings.Count(out, "\r\n") || !strings.HasSuffix(out, "\r\n") {
		t.Error("not every line ends in CRLF")
	}
	for i, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		if len(l) > 75 || !utf8.ValidString(l) {
			t.Errorf("line %d: %d octets or invalid UTF-8: %q", i, len(l), l)
		}
	}
	lines := unfold(out)
	head := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Wuhai Techmarket//Matchmaking agenda//ZH", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"}
	if !reflect.DeepEqual(lines[:len(head)], head) || lines[len(lines)-1] != "END:VCALENDAR" {
		t.Errorf("calendar starts %q and ends %q", lines[:len(head)], lines[len(lines)-1])
	}
	if n, m := strings.Count(out, "BEGIN:VEVENT\r\n"), strings.Count(out, "END:VEVENT\r\n"); n != 3 || m != 3 {
		t.Errorf("%d BEGIN:VEVENT and %d END:VEVENT, want one each per meeting (3)", n, m)
	}
	checks := []struct {
		name string
		want []string // unescaped values
	}{
		{"UID", []string{"events/2026-05-wuhan-1-1@techmarket", "events/2026-05-wuhan-1-2@techmarket", "events/2026-05-wuhan-2-1@techmarket"}},
		{"DTSTAMP", []string{"20260501T103005Z", "20260501T103005Z", "20260501T103005Z"}},
		{"DTSTART", []string{"20260520T010000Z", "20260520T010000Z", "20260520T012500Z"}},
		{"DTEND", []string{"20260520T012000Z", "20260520T012000Z", "20260520T014500Z"}},
		{"SUMMARY", []string{
			"高效锂电池正极材料, 低成本制备工艺 ↔ 动力电池\\回收技术",
			`"智能"焊接机器人; 视觉引导 ↔ demands/d2`,
			"高效锂电池正极材料, 低成本制备工艺 ↔ demands/d2",
		}},
		{"LOCATION", []string{"光谷会展中心 B馆, table 1", "光谷会展中心 B馆, table 2", "光谷会展中心 B馆, table 1"}},
		{"DESCRIPTION", []string{
			"2026 武汉技术对接会\nOffer: 高效锂电池正极材料, 低成本制备工艺, 武汉大学 (offers/a1)\nDemand: 动力电池\\回收技术, 东风汽车集团有限公司 (demands/d1)\nMatch quality: 0.88",
			"2026 武汉技术对接会\nOffer: \"智能\"焊接机器人; 视觉引导, 华中科技大学\n机械学院 (offers/a2)\nDemand: demands/d2 (demands/d2)\nMatch quality: 0.50",
			"2026 武汉技术对接会\nOffer: 高效锂电池正极材料, 低成本制备工艺, 武汉大学 (offers/a1)\nDemand: demands/d2 (demands/d2)\nMatch quality: 0.33",
		}},
	}
	for _, c := range checks {
		got := properties(lines, c.name)
		for i := range got {
			got[i] = unescape(got[i])
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s\n%q\nwant\n%q", c.name, got, c.want)
		}
	}
	// The escaped form itself, as a client reads it.
	if s := properties(lines, "SUMMARY")[0]; s != `高效锂电池正极材料\, 低成本制备工艺 ↔ 动力电池\\回收技术` {
		t.Errorf("SUMMARY escaped as %q", s)
	}
	if s := properties(lines, "SUMMARY")[1]; s != `"智能"焊接机器人\; 视觉引导 ↔ demands/d2` {
		t.Errorf("SUMMARY escaped as %q", s)
	}
	if !strings.Contains(properties(lines, "DESCRIPTION")[1], `华中科技大学\n机械学院`) {
		t.Errorf("newline not escaped as \\n in %q", properties(lines, "DESCRIPTION")[1])
	}
}

func TestWriteICalendarExact(t *testing.T) {
	// A small calendar byte for byte, folding included, so that any change
	// to the format is deliberate.
	ev := agenda.Event{Title: "Demo", Venue: "Hall A", UID: "ev1"}
	pl := agenda.Plan{Meetings: []agenda.Meeting{{Slot: 0, Table: 2, Pair: agenda.Pair{Offer: "o", Demand: "d"}, Quality: 1}}}
	sl := []agenda.Slot{{Start: time.Date(2026, 5, 20, 1, 0, 0, 0, time.UTC), End: time.Date(2026, 5, 20, 1, 20, 0, 0, time.UTC)}}
	parties := map[string]agenda.Party{"o": {Title: "Laser", Organisation: "Optics Valley Lab"}, "d": {Title: "Cutting, fast"}}
	var buf bytes.Buffer
	if err := agenda.WriteICalendar(&buf, ev, pl, sl, parties, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	want := "BEGIN:VCALENDAR\r\n" +
		"VERSION:2.0\r\n" +
		"PRODID:-//Wuhai Techmarket//Matchmaking agenda//ZH\r\n" +
		"CALSCALE:GREGORIAN\r\n" +
		"METHOD:PUBLISH\r\n" +
		"X-WR-CALNAME:Demo\r\n" +
		"BEGIN:VEVENT\r\n" +
		"UID:ev1-1-3@techmarket\r\n" +
		"DTSTAMP:20260501T000000Z\r\n" +
		"DTSTART:20260520T010000Z\r\n" +
		"DTEND:20260520T012000Z\r\n" +
		"SUMMARY:Laser ↔ Cutting\\, fast\r\n" +
		"LOCATION:Hall A\\, table 3\r\n" +
		"DESCRIPTION:Demo\\nOffer: Laser\\, Optics Valley Lab (o)\\nDemand: Cutting\\, f\r\n" +
		" ast (d)\\nMatch quality: 1.00\r\n" +
		"END:VEVENT\r\n" +
		"END:VCALENDAR\r\n"
	if got := buf.String(); got != want {
		t.Errorf("calendar\n%s\nwant\n%s", got, want)
	}
}

func TestICalendarFoldsChinese(t *testing.T) {
	// 3-octet characters with ASCII mixed in, so that the 75-octet limit
	// falls inside characters at varying offsets.
	long := strings.Repeat("武汉光谷激光产业技术研究院，", 6) + "a" + strings.Repeat("高功率光纤激光器;", 5) + "ab" + strings.Repeat("精密切割\\焊接", 4)
	for extra := range 3 {
		title := strings.Repeat("x", extra) + long
		ev := agenda.Event{UID: "ev", Venue: title}
		pl := agenda.Plan{Meetings: []agenda.Meeting{{Slot: 0, Table: 0, Pair: agenda.Pair{Offer: "o", Demand: "d"}, Quality: 0.9}}}
		parties := map[string]agenda.Party{"o": {Title: title, Organisation: title}, "d": {Title: title}}
		var buf bytes.Buffer
		if err := agenda.WriteICalendar(&buf, ev, pl, slots(1), parties, time.Now()); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		folded := 0
		for i, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
			if len(l) > 75 {
				t.Errorf("extra %d, line %d: %d octets", extra, i, len(l))
			}
			if !utf8.ValidString(l) {
				t.Errorf("extra %d, line %d splits a character: %q", extra, i, l)
			}
			if strings.HasPrefix(l, " ") {
				folded++
			}
		}
		if folded < 10 {
			t.Errorf("extra %d: only %d continuation lines for three long values", extra, folded)
		}
		lines := unfold(out)
		if got := unescape(properties(lines, "SUMMARY")[0]); got != title+" ↔ "+title {
			t.Errorf("extra %d: SUMMARY unfolds to\n%q\nwant\n%q", extra, got, title+" ↔ "+title)
		}
		if got := unescape(properties(lines, "LOCATION")[0]); got != title+", table 1" {
			t.Errorf("extra %d: LOCATION unfolds to %q", extra, got)
		}
		wantDesc := fmt.Sprintf("Offer: %s, %s (o)\nDemand: %s (d)\nMatch quality: 0.90", title, title, title)
		if got := unescape(properties(lines, "DESCRIPTION")[0]); got != wantDesc {
			t.Errorf("extra %d: DESCRIPTION unfolds to\n%q\nwant\n%q", extra, got, wantDesc)
		}
	}
}

func TestICalendarDropsControlCharacters(t *testing.T) {
	ev := agenda.Event{UID: "ev"}
	pl := agenda.Plan{Meetings: []agenda.Meeting{{Slot: 0, Pair: agenda.Pair{Offer: "o", Demand: "d"}, Quality: 0.9}}}
	parties := map[string]agenda.Party{"o": {Title: "a\x00b\x1bc\td\r\ne\rf"}, "d": {Title: "bad \xff utf8"}}
	var buf bytes.Buffer
	if err := agenda.WriteICalendar(&buf, ev, pl, slots(1), parties, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got, want := properties(unfold(buf.String()), "SUMMARY")[0], "abc\td\\ne\\nf ↔ bad \uFFFD utf8"; got != want {
		t.Errorf("SUMMARY %q, want %q", got, want)
	}
}

func TestWriteICalendarNoUID(t *testing.T) {
	ev, pl, sl, parties := exportFixture()
	ev.UID = ""
	if err := agenda.WriteICalendar(&bytes.Buffer{}, ev, pl, sl, parties, time.Now()); err == nil {
		t.Error("no error without an event UID, which would make meeting UIDs collide across events")
	}
}

type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after <= 0 {
		return 0, errors.New("disk full")
	}
	w.after--
	return len(p), nil
}

func TestExportWriteErrors(t *testing.T) {
	ev, pl, sl, parties := exportFixture()
	if err := agenda.WriteICalendar(&failingWriter{after: 7}, ev, pl, sl, parties, time.Now()); err == nil || err.Error() != "disk full" {
		t.Errorf("WriteICalendar on a failing writer: %v", err)
	}
	if err := agenda.WriteCSV(&failingWriter{}, ev, pl, sl, parties); err == nil || err.Error() != "disk full" {
		t.Errorf("WriteCSV on a failing writer: %v", err)
	}
}

func TestExportSolvedPlan(t *testing.T) {
	// End to end: a solved plan exports one row and one VEVENT per meeting.
	p := randomProblem(4, shape{offers: 8, demands: 6, slots: 3, tables: 4, limit: 2, candidate: 0.7})
	pl := solve(t, p)
	ev := agenda.Event{Title: "对接会", UID: "events/e", Location: shanghai}
	var c, ical bytes.Buffer
	if err := agenda.WriteCSV(&c, ev, pl, p.Slots, nil); err != nil {
		t.Fatal(err)
	}
	if err := agenda.WriteICalendar(&ical, ev, pl, p.Slots, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&c).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Meetings) == 0 || len(rows) != len(pl.Meetings)+1 || strings.Count(ical.String(), "BEGIN:VEVENT\r\n") != len(pl.Meetings) {
		t.Errorf("%d meetings, %d CSV rows, %d VEVENTs", len(pl.Meetings), len(rows), strings.Count(ical.String(), "BEGIN:VEVENT"))
	}
	uids := properties(unfold(ical.String()), "UID")
	seen := map[string]bool{}
	for _, u := range uids {
		if seen[u] {
			t.Errorf("UID %s twice", u)
		}
		seen[u] = true
	}
}
