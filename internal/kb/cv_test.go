package kb

import (
	"flag"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

var cv = flag.Bool("cv", false, "cross-validate the classifier, holding out one writer of examples.md at a time")

// writers maps each example of examples.md to the writer it is marked with.
func writers(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	writer := ""
	for _, line := range strings.Split(string(defaultExamples), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "# writer: "):
			writer = strings.TrimPrefix(line, "# writer: ")
		case strings.HasPrefix(line, "## "):
			writer = ""
		case line == "" || strings.HasPrefix(line, "#"):
		default:
			if writer == "" {
				t.Fatalf("examples.md: %q has no writer", line)
			}
			out[line] = writer
		}
	}
	return out
}

// cvScore is how one held-out writer's examples were read.
type cvScore struct {
	answers, answersOK   int // examples of answers; answered with their entry
	declines, declinesOK int // not covered or off-topic; not answered
	safety, safetyOK     int // reactions; given the safety reply
	chat, chatOK         int // small talk; given its reply
}

func (s *cvScore) add(o cvScore) {
	s.answers += o.answers
	s.answersOK += o.answersOK
	s.declines += o.declines
	s.declinesOK += o.declinesOK
	s.safety += o.safety
	s.safetyOK += o.safetyOK
	s.chat += o.chat
	s.chatOK += o.chatOK
}

func (s cvScore) String() string {
	pct := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return 100 * float64(a) / float64(b)
	}
	return fmt.Sprintf("answered right %5.1f%% of %4d, declined %5.1f%% of %4d, safety %5.1f%% of %3d, chat %5.1f%% of %3d",
		pct(s.answersOK, s.answers), s.answers, pct(s.declinesOK, s.declines), s.declines,
		pct(s.safetyOK, s.safety), s.safety, pct(s.chatOK, s.chat), s.chat)
}

// crossValidate trains without each writer in turn and scores that writer's examples.
func crossValidate(t *testing.T, opt trainOptions, ds []decision) ([][]cvScore, []string) {
	t.Helper()
	k := Default()
	byWriter := writers(t)
	base := k.clf
	exs, groups := base.examples()
	names := map[string]bool{}
	for _, w := range byWriter {
		names[w] = true
	}
	var held []string
	for w := range names {
		held = append(held, w)
	}
	sort.Strings(held)
	scores := make([][]cvScore, len(ds))
	for i := range scores {
		scores[i] = make([]cvScore, len(held))
	}
	for hi, w := range held {
		var train1, test []example
		for _, ex := range exs {
			if byWriter[ex.text] == w {
				test = append(test, ex)
			} else {
				train1 = append(train1, ex)
			}
		}
		c := *base
		c.f = newFeaturizer(k.synonyms, k.facts.HomeMM, opt)
		start := time.Now()
		c.m = train(c.f, train1, groups, opt)
		t.Logf("held out %s: trained on %d examples in %v", w, len(train1), time.Since(start).Round(time.Millisecond))
		for di, d := range ds {
			c.d = d
			s := &scores[di][hi]
			for _, ex := range test {
				want := c.classes[ex.class]
				r := c.judge(ex.text)
				switch want.Kind {
				case KindAnswer:
					s.answers++
					if r.Verdict == Answered && states(r.Entry, want) {
						s.answersOK++
					}
				case KindUncovered, KindOffTopic:
					s.declines++
					if r.Verdict != Answered {
						s.declinesOK++
					}
				case KindSafety:
					s.safety++
					if r.Verdict == Safety {
						s.safetyOK++
					}
				case KindChat:
					s.chat++
					if r.Verdict == Chat && r.Entry == want {
						s.chatOK++
					}
				}
			}
		}
	}
	return scores, held
}

// TestCrossValidation reports how the classifier does on writers it was not trained on; it is
// how the features, the training options and the decision thresholds were chosen. Run it with
// go test ./internal/kb -run CrossValidation -cv -v.
func TestCrossValidation(t *testing.T) {
	if !*cv {
		t.Skip("run with -cv")
	}
	ds := []decision{defaultDecision}
	scores, held := crossValidate(t, defaultTrain, ds)
	for di := range ds {
		var all cvScore
		for hi, w := range held {
			t.Logf("%-10s %v", w, scores[di][hi])
			all.add(scores[di][hi])
		}
		t.Logf("%-10s %v", "all", all)
	}
}

var sweep = flag.Bool("sweep", false, "with -cv: score a grid of decision thresholds")

// TestDecisionSweep scores a grid of thresholds in one cross-validation per set of training
// options; it is how the table in docs/benchmarks.md was made.
func TestDecisionSweep(t *testing.T) {
	if !*cv || !*sweep {
		t.Skip("run with -cv -sweep")
	}
	var ds []decision
	for _, answer := range []float64{0.35, 0.5} {
		for _, in := range []float64{0, 0.7, 0.8} {
			d := defaultDecision
			d.answer, d.inScope = answer, in
			ds = append(ds, d)
		}
	}
	variants := []struct {
		name string
		opt  trainOptions
	}{{"chosen", defaultTrain}}
	for _, v := range []struct {
		name string
		edit func(*trainOptions)
	}{
		{"no L2", func(o *trainOptions) { o.l2 = 0 }},
		{"L2 1e-3", func(o *trainOptions) { o.l2 = 1e-3 }},
		{"smooth 0.05", func(o *trainOptions) { o.smooth = 0.05 }},
		{"10 epochs", func(o *trainOptions) { o.epochs = 10 }},
		{"no rare-word unknowns", func(o *trainOptions) { o.rareDF = 0 }},
		{"char 3-4-grams", func(o *trainOptions) { o.maxN = 4 }},
	} {
		o := defaultTrain
		v.edit(&o)
		variants = append(variants, struct {
			name string
			opt  trainOptions
		}{v.name, o})
	}
	for _, v := range variants {
		scores, _ := crossValidate(t, v.opt, ds)
		for di, d := range ds {
			var all cvScore
			for _, s := range scores[di] {
				all.add(s)
			}
			t.Logf("%-22s answer %.2f in-scope %.2f: %v", v.name, d.answer, d.inScope, all)
		}
	}
}

// states reports whether an answer states the main fact of want (the first of its facts): the
// answer the user needed, even when it is another entry ("what does a roller cost" answered
// by the needle-size entry, which names the $30 roller too).
func states(answer, want *Entry) bool {
	if answer == want {
		return true
	}
	return len(want.Facts) > 0 && slices.Contains(answer.Facts, want.Facts[0])
}
