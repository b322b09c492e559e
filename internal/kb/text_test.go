package kb

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"What's 0.25mm?", []string{"what", "s", "0.25", "mm"}},
		{"0,25 mm", []string{"0.25", "mm"}},
		{".25", []string{"0.25"}},
		{"Crème brûlée", []string{"creme", "brulee"}},
		{"micro-needling", []string{"micro", "needling"}},
		{"90%", []string{"90", "percent"}},
		{"250µm", []string{"250", "um"}},
		{"1.2.3", []string{"1.2", "3"}},
		{"v1.0", []string{"v", "1.0"}},
		{"  \t\n", nil},
		{"\xff\xfeabc", []string{"abc"}},
		{"日本語 text", []string{"日本語", "text"}},
		{"thx👍🏽!!", []string{"thx", "👍"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Normalize(tt.in)); diff != "" {
				t.Errorf("Normalize(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestNormalizeBoundsWork(t *testing.T) {
	got := Normalize(strings.Repeat("a", maxQueryBytes*10))
	if len(got) != 1 || len(got[0]) > maxQueryBytes {
		t.Errorf("a %d-byte word gave %d tokens of %d bytes, want one of at most %d", maxQueryBytes*10, len(got), len(got[0]), maxQueryBytes)
	}
}

func TestStem(t *testing.T) {
	groups := [][]string{
		{"rolling", "rolled", "rolls", "roll"},
		{"needles", "needle"},
		{"hurts", "hurting", "hurt"},
		{"wrinkles", "wrinkle"},
		{"serums", "serum"},
		{"bleeding", "bleeds", "bleed"},
	}
	for _, g := range groups {
		want := stem(g[0])
		for _, w := range g[1:] {
			if got := stem(w); got != want {
				t.Errorf("stem(%q) = %q, want %q like stem(%q)", w, got, want, g[0])
			}
		}
	}
	for _, pair := range [][2]string{{"evening", "even"}, {"roller", "roll"}, {"scared", "scar"}} {
		if stem(pair[0]) == stem(pair[1]) {
			t.Errorf("stem(%q) == stem(%q) == %q; they mean different things", pair[0], pair[1], stem(pair[0]))
		}
	}
}

func TestNearest(t *testing.T) {
	got := Nearest("neddle", []string{"needle", "help", "start", "ask"}, 2)
	if diff := cmp.Diff([]string{"needle"}, got); diff != "" {
		t.Errorf("Nearest mismatch (-want +got):\n%s", diff)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"What's 0.25mm?", "0,25", ".25.", "%%%", "\xff", "µm", "a-b_c", "1.2.3.4", "日本"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		toks := Normalize(s)
		for _, tok := range toks {
			if tok == "" || !utf8.ValidString(tok) {
				t.Fatalf("Normalize(%q) gave bad token %q", s, tok)
			}
			if strings.ContainsAny(tok, " \t\n,;") {
				t.Fatalf("Normalize(%q) gave token with a separator: %q", s, tok)
			}
		}
		// Normalising the tokens again is a fixed point: search never sees different words
		// for the same question.
		again := Normalize(strings.Join(toks, " "))
		if !cmp.Equal(toks, again, cmp.Comparer(func(a, b string) bool { return a == b })) && len(toks) > 0 {
			t.Fatalf("Normalize not stable: %q -> %q -> %q", s, toks, again)
		}
	})
}

func FuzzSearch(f *testing.F) {
	k := Default()
	for _, s := range []string{"can I roll every day?", "what size", "", "\x00", "roll roll roll", "?"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := k.Search(s)
		checkResult(t, s, r)
		for _, p := range r.Parts {
			checkResult(t, s, p)
			if len(p.Parts) > 0 {
				t.Fatalf("Search(%q): a part has parts of its own", s)
			}
		}
		if n := len(r.Parts); n == 1 || n > 2 {
			t.Fatalf("Search(%q) gave %d parts, want none or two", s, n)
		}
	})
}

// checkResult checks what every Result promises, whatever the message.
func checkResult(t *testing.T, s string, r Result) {
	t.Helper()
	want := map[Verdict]string{Answered: KindAnswer, NotCovered: KindUncovered, OffTopic: KindOffTopic, Safety: KindSafety, Chat: KindChat, Diary: KindDiary}
	switch {
	case r.Verdict == Unsure && r.Entry != nil:
		t.Fatalf("Search(%q) is unsure but gives entry %s", s, r.Entry.ID)
	case r.Verdict != Unsure && (r.Entry == nil || r.Entry.Kind != want[r.Verdict]):
		t.Fatalf("Search(%q) = %v with entry %v, want a %s entry", s, r.Verdict, r.Entry, want[r.Verdict])
	case len(r.Suggestions) > maxSuggest:
		t.Fatalf("Search(%q) gave %d suggestions", s, len(r.Suggestions))
	case r.Score < 0 || r.Score > 1:
		t.Fatalf("Search(%q) scored %v", s, r.Score)
	}
}

func BenchmarkNormalize(b *testing.B) {
	cases := map[string]string{
		"question": "What's the best 0,25mm roller for my forehead? Can I use it every day 👍🏽",
		"accents":  "Crème brûlée DÉCOLLETÉ Straße 250µm .25 90%",
		"max":      strings.Repeat("can i roll 0.25 every day? ", 80),
	}
	for name, s := range cases {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Normalize(s)
			}
		})
	}
}
