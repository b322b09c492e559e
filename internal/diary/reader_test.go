package diary

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/kb"
)

// testReader reads with the products of the built-in knowledge base, as the bot does. kb does
// not import diary, so the tests can take the vocabulary from where it lives.
var testReader = New(kb.Default().Products())

// TestNewUsesTheProductsHandedIn checks that a Reader knows the products it was given and no
// others: the vocabulary is the knowledge base's, not the diary's.
func TestNewUsesTheProductsHandedIn(t *testing.T) {
	now := berlinNow(t)
	r := New([]domain.Product{
		{Name: "Crème de Peau", Synonyms: []string{"CDP", "peau-creme", "", " - "}}, // blank spellings are skipped
		{Name: "stem cells"},
	})
	for args, want := range map[string][]string{
		"0.25 with cdp":                    {"Crème de Peau"},
		"0.25 with creme de peau":          {"Crème de Peau"}, // folded like the message
		"0.25 with peau creme, stem cells": {"Crème de Peau", "stem cells"},
		"0.25 with peptides":               nil, // not known here, nor a product form: left to the note
	} {
		s, err := r.ParseLog(args, now)
		if err != nil {
			t.Fatalf("ParseLog(%q): %v", args, err)
		}
		if diff := cmp.Diff(want, s.Products); diff != "" {
			t.Errorf("ParseLog(%q) products mismatch (-want +got):\n%s", args, diff)
		}
	}
	// A known name is suggested back as it is, an unknown product after "with".
	if got, want := r.Read("cheeks with cdp", now).Reason, "/log Crème de Peau cheeks to log it."; !cmp.Equal(got[len(got)-len(want):], want) {
		t.Errorf("ask back = %q, want it to end %q", got, want)
	}
	if got := New(nil).Read("rolled 0.25 with peptide serum", now); got.Kind != Report || !cmp.Equal(got.Session.Products, []string{"peptide serum"}) {
		t.Errorf("without products: %v %v, want a report of the user's own words", got.Kind, got.Session.Products)
	}
}
