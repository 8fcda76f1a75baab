package eval

import (
	"bufio"
	"fmt"
	"hash/fnv"
	"os"
	"strconv"
	"strings"
)

// NoCluster is the cluster of listings that belong to no topic: a set's
// background listings and distractors.
const NoCluster = "none"

// Clusters maps external ids (offers and demands alike) to their topic
// cluster. Held-out figures keep each cluster in one fold, so that no
// knob is judged on the topics it was chosen on.
type Clusters map[string]string

// ReadClusters reads a file of externalId<TAB>cluster lines; blank lines
// and lines starting with # are skipped.
func ReadClusters(path string) (Clusters, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c := Clusters{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, cluster, ok := strings.Cut(line, "\t")
		if !ok || id == "" || strings.TrimSpace(cluster) == "" {
			return nil, fmt.Errorf("%s line %d: want externalId<TAB>cluster, got %q", path, n, line)
		}
		c[id] = strings.TrimSpace(cluster)
	}
	return c, sc.Err()
}

// Fold is the fold of k that the listing id falls in: its cluster's, the
// clusters dealt round in order (numbered clusters by number), or for a
// listing of no cluster one spread by its id.
func (c Clusters) Fold(id string, k int) int {
	cluster, ok := c[id]
	if !ok || cluster == NoCluster {
		h := fnv.New32a()
		h.Write([]byte(id))
		return int(h.Sum32() % uint32(k))
	}
	if n, err := strconv.Atoi(cluster); err == nil && n > 0 {
		return (n - 1) % k
	}
	h := fnv.New32a()
	h.Write([]byte("cluster\x00" + cluster))
	return int(h.Sum32() % uint32(k))
}
