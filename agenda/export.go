package agenda

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Party is what the exports print about an offer or a demand.
type Party struct{ ID, Title, Organisation string }

// Event describes the event a plan is for.
type Event struct {
	Title, Venue string
	// Location is the time zone of the printed times; nil means UTC.
	Location *time.Location
	// UID is a stable event identifier; iCalendar UIDs are built from it
	// so that re-importing an updated agenda replaces the meetings instead
	// of duplicating them.
	UID string
}

func (ev Event) location() *time.Location {
	if ev.Location == nil {
		return time.UTC
	}
	return ev.Location
}

// csvHeader names the columns of WriteCSV.
var csvHeader = []string{"slot", "start", "end", "table", "offer", "offer_title", "offer_org", "demand", "demand_title", "demand_org", "quality"}

// WriteCSV writes pl as CSV, one meeting a row after a header row: slot and
// table numbered from 1 as printed on the day, start and end as
// "2006-01-02 15:04" in the event's time zone, the parties' IDs, titles and
// organisations (empty for a party missing from parties), and the quality
// with two decimals. The text is UTF-8 without a byte-order mark.
func WriteCSV(w io.Writer, ev Event, pl Plan, slots []Slot, parties map[string]Party) error {
	loc := ev.location()
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for i, m := range pl.Meetings {
		if m.Slot < 0 || m.Slot >= len(slots) {
			return fmt.Errorf("agenda: meeting %d in slot %d, but there are %d slots", i, m.Slot, len(slots))
		}
		s := slots[m.Slot]
		o, d := parties[m.Offer], parties[m.Demand]
		err := cw.Write([]string{
			strconv.Itoa(m.Slot + 1),
			s.Start.In(loc).Format("2006-01-02 15:04"),
			s.End.In(loc).Format("2006-01-02 15:04"),
			strconv.Itoa(m.Table + 1),
			m.Offer, o.Title, o.Organisation,
			m.Demand, d.Title, d.Organisation,
			strconv.FormatFloat(m.Quality, 'f', 2, 64),
		})
		if err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteICalendar writes pl as an RFC 5545 calendar with one VEVENT per
// meeting. Each event's UID is "<ev.UID>-<slot>-<table>@techmarket" with
// slot and table numbered from 1 as in WriteCSV, so it stays the same while
// the meeting keeps its place; DTSTAMP is now. Times are in UTC, which
// every calendar client understands without a VTIMEZONE.
func WriteICalendar(w io.Writer, ev Event, pl Plan, slots []Slot, parties map[string]Party, now time.Time) error {
	if ev.UID == "" {
		return errors.New("agenda: event has no UID for the calendar's UIDs")
	}
	for i, m := range pl.Meetings {
		if m.Slot < 0 || m.Slot >= len(slots) {
			return fmt.Errorf("agenda: meeting %d in slot %d, but there are %d slots", i, m.Slot, len(slots))
		}
	}
	const stamp = "20060102T150405Z"
	iw := &icalWriter{w: w}
	iw.line("BEGIN", "VCALENDAR")
	iw.line("VERSION", "2.0")
	iw.line("PRODID", "-//Wuhai Techmarket//Matchmaking agenda//ZH")
	iw.line("CALSCALE", "GREGORIAN")
	iw.line("METHOD", "PUBLISH")
	if ev.Title != "" {
		iw.line("X-WR-CALNAME", escapeText(ev.Title))
	}
	for _, m := range pl.Meetings {
		s := slots[m.Slot]
		o, d := partyOr(parties, m.Offer), partyOr(parties, m.Demand)
		table := "table " + strconv.Itoa(m.Table+1)
		location := table
		if ev.Venue != "" {
			location = ev.Venue + ", " + table
		}
		var desc strings.Builder
		if ev.Title != "" {
			desc.WriteString(ev.Title + "\n")
		}
		fmt.Fprintf(&desc, "Offer: %s\nDemand: %s\nMatch quality: %.2f", describe(o), describe(d), m.Quality)

		iw.line("BEGIN", "VEVENT")
		iw.line("UID", escapeText(fmt.Sprintf("%s-%d-%d@techmarket", ev.UID, m.Slot+1, m.Table+1)))
		iw.line("DTSTAMP", now.UTC().Format(stamp))
		iw.line("DTSTART", s.Start.UTC().Format(stamp))
		iw.line("DTEND", s.End.UTC().Format(stamp))
		iw.line("SUMMARY", escapeText(o.Title+" ↔ "+d.Title))
		iw.line("LOCATION", escapeText(location))
		iw.line("DESCRIPTION", escapeText(desc.String()))
		iw.line("END", "VEVENT")
	}
	iw.line("END", "VCALENDAR")
	return iw.err
}

// partyOr returns the party with ID id, its title defaulting to the ID so
// that a summary never reads " ↔ ".
func partyOr(parties map[string]Party, id string) Party {
	p := parties[id]
	p.ID = id
	if p.Title == "" {
		p.Title = id
	}
	return p
}

func describe(p Party) string {
	if p.Organisation == "" {
		return fmt.Sprintf("%s (%s)", p.Title, p.ID)
	}
	return fmt.Sprintf("%s, %s (%s)", p.Title, p.Organisation, p.ID)
}

// icalWriter writes content lines, remembering the first write error so
// that the caller checks once.
type icalWriter struct {
	w   io.Writer
	err error
	buf []byte
}

// line writes the content line name:value, folded; value must already be
// escaped.
func (iw *icalWriter) line(name, value string) {
	if iw.err != nil {
		return
	}
	iw.buf = fold(iw.buf[:0], name+":"+value)
	_, iw.err = iw.w.Write(iw.buf)
}

// fold appends line to dst with CRLF, folded per RFC 5545 §3.1: no physical
// line longer than 75 octets, continuation lines starting with a space
// (which counts), and never inside a UTF-8 sequence, so every physical line
// stays valid UTF-8 for clients that decode before unfolding.
func fold(dst []byte, line string) []byte {
	limit := 75
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		dst = append(dst, line[:cut]...)
		dst = append(dst, "\r\n "...)
		line = line[cut:]
		limit = 74
	}
	dst = append(dst, line...)
	return append(dst, "\r\n"...)
}

// escapeText escapes a TEXT value per RFC 5545 §3.3.11: backslash,
// semicolon and comma get a backslash, line breaks (CRLF, LF or CR) become
// \n, and other control characters, which TEXT does not allow, are dropped.
// Invalid UTF-8 becomes U+FFFD.
func escapeText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' || c == ';' || c == ',':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\r':
			b.WriteString(`\n`)
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
		default:
			b.WriteByte(c) // bytes of multi-byte characters are all ≥ 0x80
		}
	}
	return b.String()
}
