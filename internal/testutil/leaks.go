package testutil

import (
	"testing"

	"go.uber.org/goleak"
)

// VerifyNoLeaks runs a package's tests and fails it if any goroutine
// outlives them: every server, index, alerter and client a test starts
// must be stopped. Bleve's analysis workers are process-wide, started
// once at init, and are not a leak.
func VerifyNoLeaks(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/blevesearch/bleve_index_api.AnalysisWorker"))
}
