package procmem

import (
	"os"
	"runtime"
	"testing"
)

// TestSelfGrowsWithAnonymousMemory: touching 64 MiB of fresh heap shows
// in the anonymous figure, and every figure is consistent with the others.
func TestSelfGrowsWithAnonymousMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc, which only Linux has")
	}
	before, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	after, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	runtime.KeepAlive(buf)
	if after.Anon < before.Anon+48<<20 {
		t.Errorf("anonymous memory %d → %d after touching 64 MiB", before.Anon, after.Anon)
	}
	if after.RSS < after.Anon || after.Peak < after.RSS {
		t.Errorf("inconsistent: %+v", after)
	}
	if other, err := Of(os.Getpid()); err != nil || other.Anon == 0 {
		t.Errorf("Of(own pid) = %+v, %v", other, err)
	}
	if _, err := Of(-1); err == nil {
		t.Error("Of(-1) read something")
	}
}
