// Package spell measures how far apart two words are, for "did you mean" suggestions and typo
// tolerance in commands, the knowledge base, time zones and session reports.
package spell

// Distance is the optimal-string-alignment distance between a and b in runes (Damerau–
// Levenshtein with adjacent swaps: the usual typing slips, "seurm", "Kolkatta"). It is capped: it
// returns max+1 as soon as the distance must exceed max; a negative max means no cap.
func Distance(a, b string, max int) int {
	if max < 0 {
		max = len(a) + len(b)
	}
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > max || -d > max {
		return max + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
