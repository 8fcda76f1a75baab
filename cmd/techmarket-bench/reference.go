package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/mapping"
)

// referenceBatch is the batch size of the plain bleve reference.
const referenceBatch = 1000

// referenceImport indexes the corpus the plain way the issue sets as the
// floor for import speed: a bleve index on disk under dir, bleve's cjk
// analyzer, all of a listing's text in one field, bleve's default (safe)
// batches of referenceBatch. It returns listings per second. The service
// does more for each listing (dictionary segmentation, fields by role,
// bigrams, the store, the alerter), so the ratio of the two says what that
// costs on the same listings and machine. The index is removed afterwards:
// it is as large as the service's and serves nothing, and so is a
// stopped one (ctx ends on Ctrl-C: at a million listings this takes most
// of half an hour).
func referenceImport(ctx context.Context, corpusFile, dir string) (float64, error) {
	f, err := os.Open(corpusFile)
	if err != nil {
		return 0, err
	}
	defer f.Close()

	text := mapping.NewTextFieldMapping()
	text.Analyzer = cjk.AnalyzerName
	text.Store = false
	text.IncludeInAll = false
	text.IncludeTermVectors = false
	dm := mapping.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt("text", text)
	im := mapping.NewIndexMapping()
	im.DefaultMapping = dm
	idx, err := bleve.New(dir, im)
	if err != nil {
		return 0, fmt.Errorf("reference index: %w", err)
	}
	defer func() {
		idx.Close()
		os.RemoveAll(dir)
	}()

	begin := time.Now()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	batch, n := idx.NewBatch(), 0
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return 0, fmt.Errorf("reference index: stopped after %d listings: %w", n, err)
		}
		var l struct {
			Title, Summary, Description string
			Keywords                    []string
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return 0, fmt.Errorf("reference index: line %d: %w", n+1, err)
		}
		n++
		doc := map[string]string{"text": strings.Join([]string{l.Title, strings.Join(l.Keywords, "；"), l.Summary, l.Description}, "\n")}
		if err := batch.Index(fmt.Sprint(n), doc); err != nil {
			return 0, err
		}
		if batch.Size() >= referenceBatch {
			if err := idx.Batch(batch); err != nil {
				return 0, err
			}
			batch = idx.NewBatch()
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	if err := idx.Batch(batch); err != nil {
		return 0, err
	}
	return float64(n) / time.Since(begin).Seconds(), nil
}
