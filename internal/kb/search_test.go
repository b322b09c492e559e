package kb

import (
	"strings"
	"testing"
)

// TestSearchExamples are the messages the understanding issue names, and the kinds of input
// every parser here must survive.
func TestSearchExamples(t *testing.T) {
	k := Default()
	tests := []struct {
		q       string
		verdict Verdict
		entry   string // "" for any
	}{
		{"can I dermaroll every day?", Answered, "frequency"},
		{"is twice a week too little", Answered, "frequency"},
		{"will my serum soak in better", Answered, "absorption"},
		{"will this take years off me", Answered, "anti-ageing"},
		{"what sise needel for home", Answered, "needle-size"},
		{"MICRO-NEEDLING: what is it?!", Answered, "what-is"},
		{"can I use retinol after rolling?", NotCovered, "not-covered"},
		{"how do I clean my derma roller", NotCovered, "not-covered"},
		{"is there downtime after laser hair removal?", OffTopic, "off-topic"},
		{"what's the weather in Paris", OffTopic, "off-topic"},
		{"how do I roll sushi?", OffTopic, "off-topic"},
		{"my face is swollen after rolling last night", Safety, "safety"},
		{"hi!", Chat, "hello"},
		{"thanks so much", Chat, "thanks"},
		{"what does this bot do?", Chat, "about"},
		{"kann ich jeden Tag rollen?", Chat, "other-language"},
		{"rolled 0.25 tonight with peptide serum", Diary, "diary"},
		{"", Unsure, ""},
		{"???", Unsure, ""},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			r := k.Search(tt.q)
			if r.Verdict != tt.verdict || (tt.entry != "" && entryID(r) != tt.entry) {
				t.Errorf("Search(%q) = %v %s (%.2f), want %v %s", tt.q, r.Verdict, entryID(r), r.Score, tt.verdict, tt.entry)
			}
		})
	}
}

// TestNothingFitsIsNotAnswered: a message that is no question about the guidance never gets
// the nearest entry.
func TestNothingFitsIsNotAnswered(t *testing.T) {
	k := Default()
	for _, q := range []string{
		"my skin is so dry lately",
		"I love skincare",
		"hmm",
		"'; DROP TABLE sessions; --",
		"<script>alert(1)</script>",
		"\x00\x01\x02\xff",
		"🙂🙂🙂",
		strings.Repeat("needle ", 5000),
		"http://example.com/a?b=c",
	} {
		if r := k.Search(q); r.Verdict == Answered {
			t.Errorf("Search(%.40q) answered with %s (%.2f)", q, r.Entry.ID, r.Score)
		}
	}
}

func TestTwoParts(t *testing.T) {
	k := Default()
	tests := []struct {
		q    string
		want []string // the entries of the parts, in order
	}{
		{"can I go up to 0.75 at home if I'm careful, or is that salon-only?", []string{"larger-needles", "not-covered"}},
		{"how often can I roll and which serum should I use?", []string{"frequency", "serums"}},
		{"does it hurt and will I bleed?", []string{"pain", "downtime"}},
		{"can I roll every day? also can I use retinol after", []string{"frequency", "not-covered"}},
	}
	for _, tt := range tests {
		r := k.Search(tt.q)
		var got []string
		for _, p := range r.Parts {
			got = append(got, entryID(p))
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("Search(%q) parts = %v, want %v", tt.q, got, tt.want)
		}
	}
	// One question in two clauses is not two questions.
	for _, q := range []string{"what size needle should I use at home, and why?", "I'm 34 and just bought a roller, how often can I use it?"} {
		if r := k.Search(q); len(r.Parts) > 0 && r.Parts[0].Entry == r.Parts[1].Entry {
			t.Errorf("Search(%q) split into two parts with the same answer", q)
		}
	}
}

func TestNotCoveredSuggestsClosestTopics(t *testing.T) {
	r := Default().Search("can I use retinol on the night I roll?")
	if r.Verdict != NotCovered {
		t.Fatalf("verdict %v, want not covered", r.Verdict)
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
