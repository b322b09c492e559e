package kb

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The question sets: questions.tsv was written with the knowledge base; the holdout sets were
// each written independently, from the guidance alone, to check that search generalises.
// Each line is "<topic-id>\t<question>", "-" meaning the bot must refuse.
var questionSets = []string{"questions.tsv", "holdout.tsv", "holdout2.tsv", "holdout3.tsv", "holdout4.tsv"}

const (
	minTopicAccuracy = 0.95 // answered with the right entry
	minRefusal       = 1.0  // off-topic and not-covered questions refused
)

type labelled struct {
	line    int
	want, q string
}

func readQuestions(t *testing.T, name string) []labelled {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		want, q, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("%s:%d: no tab in %q", name, n, line)
		}
		out = append(out, labelled{n, want, q})
	}
	return out
}

func TestSearchAccuracy(t *testing.T) {
	k := Default()
	for _, name := range questionSets {
		t.Run(name, func(t *testing.T) {
			qs := readQuestions(t, name)
			var topics, topicsOK, refusals, refusalsOK int
			for _, l := range qs {
				if l.want != "-" {
					if _, ok := k.Entry(l.want); !ok {
						t.Fatalf("%s:%d: unknown topic id %q", name, l.line, l.want)
					}
				}
				r := k.Search(l.q)
				got := "-"
				if r.Entry != nil {
					got = r.Entry.ID
				}
				if l.want == "-" {
					refusals++
					if got == "-" {
						refusalsOK++
					} else {
						t.Errorf("%s:%d: %q answered with %s (score %.2f), want refused", name, l.line, l.q, got, r.Score)
					}
					continue
				}
				topics++
				if got == l.want {
					topicsOK++
				} else {
					t.Logf("%s:%d: %q: got %s (score %.2f), want %s", name, l.line, l.q, got, r.Score, l.want)
				}
			}
			if topics < 80 || refusals < 20 {
				t.Fatalf("set too small: %d topic questions, %d to refuse", topics, refusals)
			}
			acc := float64(topicsOK) / float64(topics)
			ref := float64(refusalsOK) / float64(refusals)
			t.Logf("%s: answered correctly %d/%d (%.1f%%), refused %d/%d (%.1f%%)", name, topicsOK, topics, 100*acc, refusalsOK, refusals, 100*ref)
			if acc < minTopicAccuracy {
				t.Errorf("accuracy %.1f%% is below %.0f%%", 100*acc, 100*minTopicAccuracy)
			}
			if ref < minRefusal {
				t.Errorf("refused %.1f%% of questions it should refuse, want %.0f%%", 100*ref, 100*minRefusal)
			}
		})
	}
}

func TestSearchExamples(t *testing.T) {
	k := Default()
	tests := []struct {
		q    string
		want string // entry id, or "" for not covered
	}{
		{"can I dermaroll every day?", "frequency"},
		{"what length needles for home?", "needle-size"},
		{"will I bleed", "downtime"},
		{"does it hurt?", "pain"},
		{"microneedling?", "what-is"},
		{"MICRO-NEEDLING: what is it?!", "what-is"},
		{"what sise needel for home", "needle-size"},
		{"0,25 or 0.5?", "larger-needles"},
		{"what's the weather in Paris", ""},
		{"", ""},
		{"???", ""},
		{"🙂🙂🙂", ""},
		{"'; DROP TABLE sessions; --", ""},
		{"<script>alert(1)</script>", ""},
		{"can I use retinol after rolling?", ""},
		{"how do I clean my derma roller", ""},
		{strings.Repeat("needle ", 5000), "needle-size"},
	}
	for _, tt := range tests {
		t.Run(clip(tt.q), func(t *testing.T) {
			r := k.Search(tt.q)
			got := ""
			if r.Entry != nil {
				got = r.Entry.ID
			}
			if got != tt.want {
				t.Errorf("Search(%q) = %q (score %.2f), want %q", clip(tt.q), got, r.Score, tt.want)
			}
			if got == "" && len(r.Suggestions) > maxSuggest {
				t.Errorf("%d suggestions, want at most %d", len(r.Suggestions), maxSuggest)
			}
		})
	}
}

func TestNotCoveredSuggestsClosestTopics(t *testing.T) {
	r := Default().Search("can I use retinol on the night I roll?")
	if r.Entry != nil {
		t.Fatalf("answered with %s, want not covered", r.Entry.ID)
	}
	if len(r.Suggestions) == 0 || len(r.Suggestions) > 3 {
		t.Fatalf("got %d suggestions, want 1 to 3", len(r.Suggestions))
	}
	for _, s := range r.Suggestions {
		if s.Command == "" || s.Kind != KindAnswer {
			t.Errorf("suggestion %s is not a /needle topic", s.ID)
		}
	}
}

func BenchmarkSearch(b *testing.B) {
	k := Default()
	b.ReportAllocs()
	for b.Loop() {
		k.Search("how often can I use my dermaroller with a peptide serum?")
	}
}
