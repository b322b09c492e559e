package domain

import "github.com/needlebot/needlebot/internal/text"

// The usage counters Stats.Usage returns are keyed by kind and value: "mm:0.25" for a needle
// size, "p:peptides" for a product. The store writes them from UsageOf and /stats reads them
// by these prefixes, so the two cannot disagree.
const (
	UsageNeedle  = "mm:"
	UsageProduct = "p:"
)

// UsageOf returns the counters a session adds: its needle size and each of its products.
func UsageOf(s Session) []string {
	var out []string
	if s.NeedleMM > 0 {
		out = append(out, UsageNeedle+text.FormatMM(s.NeedleMM))
	}
	for _, p := range s.Products {
		out = append(out, UsageProduct+p)
	}
	return out
}
