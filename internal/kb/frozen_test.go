package kb

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The frozen sets in testdata/frozen were written from the guidance alone by a helper that
// never saw this package, before the classifier was built. They are never tuned on: the test
// reports their scores (go test -v) and fails only below floors set well under the scores the
// design had on first contact, so that a regression shows. Nothing here prints a single miss.

// Floors, in percent.
const (
	floorAnswered = 93 // in-scope questions answered with their fact
	floorDeclined = 97 // not-covered and off-topic questions not answered
	floorSafety   = 97 // reaction reports given the safety reply
	floorBoth     = 80 // two-part questions with both parts right
)

type frozenLine struct {
	label, text string
}

func readFrozen(t *testing.T, name string) []frozenLine {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "frozen", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []frozenLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		label, text, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("%s: no tab in %q", name, line)
		}
		out = append(out, frozenLine{label, text})
	}
	return out
}

// statesFact reports whether label names a fact number r answers with ("9", or "9|12").
func statesFact(label string, r Result) bool {
	if r.Verdict != Answered {
		return false
	}
	for f := range strings.SplitSeq(label, "|") {
		n, err := strconv.Atoi(f)
		if err == nil && slices.Contains(r.Entry.Facts, n) {
			return true
		}
	}
	return false
}

func percent(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

func TestFrozenQuestions(t *testing.T) {
	k := Default()
	n, ok := map[string]int{}, map[string]int{}
	for _, l := range readFrozen(t, "questions.tsv") {
		r := k.Search(l.text)
		class := l.label
		switch l.label {
		case "uncovered", "offtopic":
			class = "declined"
			n[class]++
			if r.Verdict != Answered && !slices.ContainsFunc(r.Parts, func(p Result) bool { return p.Verdict == Answered }) {
				ok[class]++
			}
		case "safety":
			n[class]++
			if r.Verdict == Safety {
				ok[class]++
			}
		default:
			class = "answered"
			n[class]++
			if statesFact(l.label, r) {
				ok[class]++
			}
		}
	}
	t.Logf("frozen questions: answered right %d/%d (%.1f%%), declined %d/%d (%.1f%%), safety reply %d/%d (%.1f%%)",
		ok["answered"], n["answered"], percent(ok["answered"], n["answered"]),
		ok["declined"], n["declined"], percent(ok["declined"], n["declined"]),
		ok["safety"], n["safety"], percent(ok["safety"], n["safety"]))
	for class, floor := range map[string]float64{"answered": floorAnswered, "declined": floorDeclined, "safety": floorSafety} {
		if got := percent(ok[class], n[class]); got < floor {
			t.Errorf("%s: %.1f%% of the frozen set, below the floor of %.0f%%", class, got, floor)
		}
	}
}

func TestFrozenTwoPart(t *testing.T) {
	k := Default()
	var total, both, one int
	for _, l := range readFrozen(t, "twopart.tsv") {
		r := k.Search(l.text)
		parts := r.Parts
		if parts == nil {
			parts = []Result{r}
		}
		right := 0
		for label := range strings.SplitSeq(l.label, "+") {
			if slices.ContainsFunc(parts, func(p Result) bool {
				if label == "uncovered" {
					return p.Verdict == NotCovered
				}
				return statesFact(label, p)
			}) {
				right++
			}
		}
		total++
		switch right {
		case 2:
			both++
		case 1:
			one++
		}
	}
	t.Logf("frozen two-part questions: both parts right %d/%d (%.1f%%), one part %d", both, total, percent(both, total), one)
	if got := percent(both, total); got < floorBoth {
		t.Errorf("two-part: %.1f%% with both parts right, below the floor of %.0f%%", got, float64(floorBoth))
	}
}
