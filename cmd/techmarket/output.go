package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// writeJSON prints m as one protojson object on one line, with the API's
// camelCase names (`name`, `externalId`), so that output can be piped line
// by line into jq or another program.
func writeJSON(w io.Writer, m proto.Message) error {
	b, err := protojson.MarshalOptions{}.Marshal(m)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// writeView prints every set field of m, one per line, as `field: value`
// with the values aligned. Nested fields are written as paths
// (`price.minYuan`, `patents[0].type`), enums as the format's codes
// (`published`, `inner-mongolia`), times in local time, and text that runs
// over several lines is indented under its first line.
func writeView(w io.Writer, m proto.Message) error {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	viewFields(tw, "", m.ProtoReflect())
	return tw.Flush()
}

func viewFields(w io.Writer, prefix string, m protoreflect.Message) {
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if !m.Has(fd) {
			continue
		}
		name := prefix + fd.JSONName()
		v := m.Get(fd)
		switch {
		case fd.IsList() && fd.Message() != nil:
			list := v.List()
			for j := range list.Len() {
				viewFields(w, fmt.Sprintf("%s[%d].", name, j), list.Get(j).Message())
			}
		case fd.IsList():
			list := v.List()
			items := make([]string, list.Len())
			for j := range items {
				items[j] = scalar(fd, list.Get(j))
			}
			viewLine(w, name, strings.Join(items, ", "))
		case fd.Message() != nil && fd.Message().FullName() == "google.protobuf.Timestamp":
			viewLine(w, name, formatTime(v.Message().Interface().(*timestamppb.Timestamp)))
		case fd.Message() != nil:
			viewFields(w, name+".", v.Message())
		default:
			viewLine(w, name, scalar(fd, v))
		}
	}
}

func viewLine(w io.Writer, name, value string) {
	// A tab would break the alignment, and continuation lines start with an
	// empty first cell so that they line up under the value.
	value = strings.ReplaceAll(clean(value, true), "\t", "    ")
	fmt.Fprintf(w, "%s:\t%s\n", name, strings.ReplaceAll(value, "\n", "\n\t"))
}

// scalar renders one non-message value.
func scalar(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	switch fd.Kind() {
	case protoreflect.EnumKind:
		return enumCode(fd.Enum(), v.Enum())
	case protoreflect.StringKind:
		return v.String()
	case protoreflect.BoolKind:
		return strconv.FormatBool(v.Bool())
	}
	return fmt.Sprint(v.Interface())
}

func formatTime(ts *timestamppb.Timestamp) string {
	return ts.AsTime().Local().Format(time.DateTime + " MST")
}

// enumCode names an enum value the way the interchange format and the
// flags do: the value name without its type's prefix, in lower case with
// dashes, so REGION_INNER_MONGOLIA is "inner-mongolia" and
// LISTING_STATE_PUBLISHED is "published". The prefix is what the
// _UNSPECIFIED value (number 0) starts with.
func enumCode(ed protoreflect.EnumDescriptor, n protoreflect.EnumNumber) string {
	v := ed.Values().ByNumber(n)
	if v == nil {
		return strconv.Itoa(int(n))
	}
	prefix := ""
	if zero := ed.Values().ByNumber(0); zero != nil {
		prefix = strings.TrimSuffix(string(zero.Name()), "UNSPECIFIED")
	}
	code := strings.TrimPrefix(string(v.Name()), prefix)
	return strings.ReplaceAll(strings.ToLower(code), "_", "-")
}

// code is enumCode for a value at hand.
func code(e protoreflect.Enum) string { return enumCode(e.Descriptor(), e.Number()) }

// parseEnum is enumCode backwards. It also returns the codes it knows,
// zero excluded, for an error message.
func parseEnum[E interface {
	~int32
	protoreflect.Enum
}](code string) (E, []string, bool) {
	var zero E
	ed := zero.Descriptor()
	var codes []string
	for i := range ed.Values().Len() {
		n := ed.Values().Get(i).Number()
		if n == 0 {
			continue
		}
		c := enumCode(ed, n)
		codes = append(codes, c)
		if c == code {
			return E(n), codes, true
		}
	}
	return zero, codes, false
}

// oneOf writes choices as "a, b or c".
func oneOf(choices []string) string {
	if len(choices) < 2 {
		return strings.Join(choices, "")
	}
	return strings.Join(choices[:len(choices)-1], ", ") + " or " + choices[len(choices)-1]
}

// clean replaces control characters, which listings written by others
// could use to move the cursor or retitle the terminal, with U+FFFD. Line
// breaks survive with keepNewlines, for the multi-line view, and become
// spaces otherwise.
func clean(s string, keepNewlines bool) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' && keepNewlines, r == '\t':
			return r
		case r == '\n':
			return ' '
		case unicode.IsControl(r), r == '\u2028', r == '\u2029':
			return unicode.ReplacementChar
		}
		return r
	}, s)
}

// writeRow prints cells separated by tabs on one line, for lists that
// scripts cut apart, so no cell may hold a tab or a line break.
func writeRow(w io.Writer, cells ...string) error {
	for i, cell := range cells {
		cells[i] = strings.ReplaceAll(clean(cell, false), "\t", " ")
	}
	_, err := fmt.Fprintln(w, strings.Join(cells, "\t"))
	return err
}
