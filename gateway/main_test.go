package gateway_test

import (
	"testing"

	"github.com/wuhai-techmarket/techmarket/internal/testutil"
)

// TestMain fails the package if any goroutine outlives its tests.
func TestMain(m *testing.M) { testutil.VerifyNoLeaks(m) }
