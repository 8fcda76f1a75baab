// Package demo holds the sample market loaded by `techmarketd serve --demo`:
// 70 listings written for this project across the city's industries (coal
// coking, chlor-alkali and PVC, hydrogen, energy storage, CCUS, water,
// grapes…), so that a newcomer has something real to list, search and match
// the moment the server starts. Every company, person and number in it is
// invented.
package demo

import (
	_ "embed"
	"strings"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

//go:embed listings.jsonl
var listingsJSONL string

// Organization posts the demo listings.
const Organization = "乌海科技大市场运营中心（演示）"

// Lines returns the demo listings as import lines, numbered as in the file.
func Lines() []*techmarketv1.ImportLine {
	var lines []*techmarketv1.ImportLine
	for i, text := range strings.Split(listingsJSONL, "\n") {
		if strings.TrimSpace(text) != "" {
			lines = append(lines, &techmarketv1.ImportLine{Number: int64(i + 1), Text: text})
		}
	}
	return lines
}
