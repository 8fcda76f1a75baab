package deal

// Reached returns the stages a deal has been at, from its history: the
// stages it was at in order, starting with contacted. A stage counts as
// reached only if it appears in the history. Nothing is inferred from the
// order of stages: meeting may be skipped and negotiating may be too
// (contacted → meeting → contract_signed), so a deal at contract_signed has
// not necessarily negotiated or met. Stages moved back from stay reached.
// Unspecified and unknown stages are ignored.
func Reached(history []Stage) map[Stage]bool {
	reached := map[Stage]bool{}
	for _, s := range history {
		if s.known() {
			reached[s] = true
		}
	}
	return reached
}

// FunnelCounts is how far a set of deals got.
type FunnelCounts struct {
	// Deals is the number of deals counted.
	Deals int
	// Reached is, for each stage, how many deals reached it (see Reached);
	// a stage no deal reached is absent.
	Reached map[Stage]int
}

// Funnel counts, over the histories of a set of deals (one history per
// deal), how many deals reached each stage: the market's conversion funnel
// from first contact to registered contract.
func Funnel(histories [][]Stage) FunnelCounts {
	f := FunnelCounts{Deals: len(histories), Reached: map[Stage]int{}}
	for _, h := range histories {
		for s := range Reached(h) {
			f.Reached[s]++
		}
	}
	return f
}
