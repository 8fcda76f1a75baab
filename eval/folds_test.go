package eval

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFoldsKeepClustersTogether: the dev set's clusters each fall in one
// fold, every fold holds some, and listings of no cluster spread over
// several folds.
func TestFoldsKeepClustersTogether(t *testing.T) {
	c, err := ReadClusters("testdata/dev-clusters.tsv")
	if err != nil {
		t.Fatal(err)
	}
	const k = 5
	foldOf := map[string]int{}
	clustersIn := make([]map[string]bool, k)
	noCluster := map[int]bool{}
	for id, cluster := range c {
		f := c.Fold(id, k)
		if f < 0 || f >= k {
			t.Fatalf("%s in fold %d of %d", id, f, k)
		}
		if cluster == NoCluster {
			noCluster[f] = true
			continue
		}
		if prev, ok := foldOf[cluster]; ok && prev != f {
			t.Errorf("cluster %s is split over folds %d and %d", cluster, prev, f)
		}
		foldOf[cluster] = f
		if clustersIn[f] == nil {
			clustersIn[f] = map[string]bool{}
		}
		clustersIn[f][cluster] = true
	}
	for f, in := range clustersIn {
		if len(in) == 0 {
			t.Errorf("fold %d holds no cluster", f)
		}
	}
	if len(noCluster) < 2 {
		t.Errorf("the listings of no cluster all fall in %v", noCluster)
	}
	if len(foldOf) != 20 {
		t.Errorf("%d clusters read, want the dev set's 20", len(foldOf))
	}
}

func TestReadClustersRefusesBadLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clusters.tsv")
	if err := os.WriteFile(path, []byte("# comment\nv-d001\t1\nv-d002 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadClusters(path); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("a line without a tab: %v, want an error naming line 3", err)
	}
}
