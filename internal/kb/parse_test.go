package kb

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// minimal is a valid file with everything the bot needs; tests append broken entries to it.
const minimal = `# test knowledge base

## size
title: Needle size
command: size
keywords: size, length
home-mm: 0.25
source: the guidance

Use 0.25 mm.

## often
title: How often
command: frequency
per-week: 5
ingredients: peptides, hyaluronic acid
source: the guidance

Up to five times a week.

## note-large-needle
kind: note
source: the guidance

{mm} is more than {home}.

## note-over-week
kind: note
source: the guidance

{count} of {max}.

## note-good-serum
kind: note
source: the guidance

{serum} is good.

## note-reminder
kind: note
source: the guidance

Roll tonight: {count} of {max}.

## note-rest-night
kind: note
source: the guidance

Rest: {count} of {max}.

## note-not-covered
kind: note
source: the guidance

Not covered.
`

func TestParseMinimal(t *testing.T) {
	k, err := Parse([]byte(minimal), "min.md")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got, want := k.Facts(), (Facts{HomeMM: 0.25, PerWeek: 5, Ingredients: []string{"peptides", "hyaluronic acid"}}); !cmp.Equal(got, want) {
		t.Errorf("Facts() = %+v, want %+v", got, want)
	}
	e, ok := k.Topic("size")
	if !ok {
		t.Fatal("Topic(size) not found")
	}
	if got, want := e.Answer(), "Use 0.25 mm.\n\nSource: the guidance."; got != want {
		t.Errorf("Answer() = %q, want %q", got, want)
	}
	if got, want := k.Note(NoteOverWeek, map[string]string{"count": "6", "max": "5"}), "6 of 5."; got != want {
		t.Errorf("Note = %q, want %q", got, want)
	}
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name  string
		extra string
		want  []string // substrings of the problems, in order
	}{
		{"duplicate id", "\n## size\ntitle: Again\nsource: x\n\nText.\n", []string{"min.md:57: duplicate entry id \"size\" (first on line 3)"}},
		{"empty answer", "\n## empty\ntitle: Empty\nsource: x\n", []string{"min.md:57: entry \"empty\" has an empty answer"}},
		{"missing source", "\n## nosrc\ntitle: No source\n\nText.\n", []string{"min.md:57: entry \"nosrc\" has no source"}},
		{"unknown field", "\n## odd\ntitle: Odd\ncolour: blue\nsource: x\n\nText.\n", []string{"min.md:59: unknown field \"colour\" in entry \"odd\""}},
		{"field twice", "\n## twice\ntitle: A\ntitle: B\nsource: x\n\nText.\n", []string{"min.md:59: field \"title\" given twice in entry \"twice\" (first on line 58)"}},
		{"bad id", "\n## Bad Id!\ntitle: A\nsource: x\n\nText.\n", []string{"min.md:57: entry id \"Bad Id!\" must be lower-case"}},
		{"bad kind", "\n## k\nkind: poem\nsource: x\n\nText.\n", []string{"min.md:58: unknown kind \"poem\""}},
		{"duplicate command", "\n## size2\ntitle: A\ncommand: size\nsource: x\n\nText.\n", []string{"min.md:59: command \"size\" is already used on line 5"}},
		{"bad number", "\n## n\ntitle: A\nper-week: lots\nsource: x\n\nText.\n", []string{"min.md:59: per-week must be a whole number from 1 to 7"}},
		{"unknown placeholder", "\n## note-extra\nkind: note\nsource: x\n\nHello {name}.\n", []string{"min.md:61: note \"note-extra\" uses {name}"}},
		{"filler keyword", "\n## f\ntitle: A\nkeywords: just rolling\nsource: x\n\nText.\n", []string{"min.md:59: keyword \"just rolling\" of entry \"f\" contains \"just\""}},
		{"synonym clash", "\n## vocabulary\nkind: vocabulary\n\nroller: rollers\nroll: roller\n", []string{"min.md:61: \"roller\" is already a synonym of \"roller\""}},
		{"bad field line", "\n## x\ntitle A\nsource: y\n\nText.\n", []string{"min.md:57: entry \"x\" has no title", "min.md:58: expected a field line"}},
		{"several at once", "\n## a\n\nText.\n\n## a\ntitle: T\nsource: s\n\n\n", []string{
			"min.md:57: entry \"a\" has no source", "min.md:57: entry \"a\" has no title", "min.md:61: duplicate entry id \"a\" (first on line 57)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(minimal+tt.extra), "min.md")
			probs, ok := err.(Problems)
			if !ok {
				t.Fatalf("Parse error = %v (%T), want Problems", err, err)
			}
			if len(probs) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(probs), len(tt.want), err)
			}
			for i, w := range tt.want {
				if !strings.Contains(probs[i].String(), w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, probs[i], w)
				}
			}
		})
	}
}

func TestParseMissingRequired(t *testing.T) {
	_, err := Parse([]byte("## only\ntitle: Only\nsource: s\n\nText.\n"), "bare.md")
	if err == nil {
		t.Fatal("Parse accepted a file without facts and notes")
	}
	for _, w := range []string{"home-mm", "per-week", "ingredients", NoteLargeNeedle, NoteNotCovered} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("problems do not mention %s:\n%v", w, err)
		}
	}
}

func TestDefaultCoversTheGuidance(t *testing.T) {
	k := Default()
	// The sixteen facts of shared/guidance/README.md, one entry each.
	ids := []string{"what-is", "tool", "how-it-works", "absorption", "anti-ageing", "pain", "downtime", "before-event",
		"needle-size", "frequency", "why-025", "larger-needles", "serum-and-roller", "serums", "routine", "source"}
	for _, id := range ids {
		e, ok := k.Entry(id)
		if !ok {
			t.Errorf("no entry %q", id)
			continue
		}
		if e.Command == "" || e.Source == "" || e.Body == "" {
			t.Errorf("entry %q lacks a command, source or answer", id)
		}
		if !strings.Contains(e.Source, "Kerry Benjamin") {
			t.Errorf("entry %q source %q does not name the expert", id, e.Source)
		}
	}
	if got := len(k.Topics()); got != len(ids) {
		t.Errorf("%d topics, want %d", got, len(ids))
	}
	f := k.Facts()
	if f.HomeMM != 0.25 || f.PerWeek != 5 || len(f.Ingredients) != 3 {
		t.Errorf("Facts() = %+v, want 0.25 mm, 5 a week, three ingredients", f)
	}
}

// TestOwnWords checks that no answer repeats the guidance word for word: no run of eight words
// from the article appears in the knowledge base.
func TestOwnWords(t *testing.T) {
	article := readGuidance(t)
	words := strings.Fields(strings.ToLower(strings.Join(Normalize(article), " ")))
	runs := map[string]bool{}
	const n = 8
	for i := 0; i+n <= len(words); i++ {
		runs[strings.Join(words[i:i+n], " ")] = true
	}
	for _, e := range Default().byID {
		ws := Normalize(e.Body)
		for i := 0; i+n <= len(ws); i++ {
			if run := strings.Join(ws[i:i+n], " "); runs[run] {
				t.Errorf("entry %s copies the guidance: %q", e.ID, run)
			}
		}
	}
}

func TestTopicAndClosest(t *testing.T) {
	k := Default()
	if e, ok := k.Topic("SIZE"); !ok || e.ID != "needle-size" {
		t.Errorf("Topic(SIZE) = %v, %v; want needle-size", e, ok)
	}
	if e, ok := k.Topic("needle-size"); !ok || e.Command != "size" {
		t.Errorf("Topic by id = %v, %v", e, ok)
	}
	if _, ok := k.Topic("note-reminder"); ok {
		t.Error("Topic found a note")
	}
	got := k.Closest("sise", 3)
	if len(got) == 0 || got[0].Command != "size" {
		t.Errorf("Closest(sise) = %v, want size first", got)
	}
	if got := k.Closest("frequncy", 3); len(got) == 0 || got[0].Command != "frequency" {
		t.Errorf("Closest(frequncy) = %v, want frequency first", got)
	}
}
