package kb

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/needlebot/needlebot/internal/domain"
)

// minimal is a valid file with everything the bot needs; tests append broken entries to it.
const minimal = `# test knowledge base

## size
title: Needle size
command: size
facts: 9
home-mm: 0.25
source: the guidance
ask: what size needle should I use?
ask: how long should the needles be

Use 0.25 mm.

## often
title: How often
command: frequency
per-week: 5
ingredients: peptides, hyaluronic acid
source: the guidance
ask: how often can I roll?
ask: can I roll every day

Up to five times a week.

## nope
kind: uncovered
title: Not covered
ask: can I use retinol after rolling?
ask: can I roll over acne

Not covered.

## hurt
kind: safety
title: Please get it checked
ask: my face is swollen after rolling
ask: it keeps bleeding

See a doctor.

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

## products
kind: products

peptides: peptide, copper peptides
Hyaluronic Acid: ha, hyaluronan
retinol
`

// minimalLines is how many lines minimal has: problems in appended text start after it.
var minimalLines = strings.Count(minimal, "\n")

func TestParseMinimal(t *testing.T) {
	k, err := Parse([]byte(minimal), "min.md")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got, want := k.Facts(), (Facts{HomeMM: 0.25, PerWeek: 5, Ingredients: []string{"peptides", "hyaluronic acid"}}); !cmp.Equal(got, want) {
		t.Errorf("Facts() = %+v, want %+v", got, want)
	}
	wantProducts := []domain.Product{
		{Name: "peptides", Synonyms: []string{"peptide", "copper peptides"}},
		{Name: "Hyaluronic Acid", Synonyms: []string{"ha", "hyaluronan"}},
		{Name: "retinol"},
	}
	if diff := cmp.Diff(wantProducts, k.Products()); diff != "" {
		t.Errorf("Products() mismatch (-want +got):\n%s", diff)
	}
	e, ok := k.Topic("size")
	if !ok {
		t.Fatal("Topic(size) not found")
	}
	if got, want := e.Answer(), "Use 0.25 mm.\n\nSource: the guidance."; got != want {
		t.Errorf("Answer() = %q, want %q", got, want)
	}
	if diff := cmp.Diff([]int{9}, e.Facts); diff != "" {
		t.Errorf("Facts mismatch (-want +got):\n%s", diff)
	}
	if got, want := k.Note(NoteOverWeek, map[string]string{"count": "6", "max": "5"}), "6 of 5."; got != want {
		t.Errorf("Note = %q, want %q", got, want)
	}
	// A file of its own is trained when it is parsed: its own examples are read right.
	for q, want := range map[string]Verdict{"how often can I roll?": Answered, "my face is swollen after rolling": Safety, "can I use retinol after rolling?": NotCovered} {
		if got := k.Search(q).Verdict; got != want {
			t.Errorf("Search(%q) = %v, want %v", q, got, want)
		}
	}
}

func TestParseWithExamples(t *testing.T) {
	examples := "# comment\n## often\nis daily ok\n\nhow many times a week\n## gone\nan example for an entry this file does not have\n"
	k, err := ParseWithExamples([]byte(minimal), "min.md", []byte(examples), "ex.md")
	if err != nil {
		t.Fatalf("ParseWithExamples: %v", err)
	}
	e, _ := k.Entry("often")
	if diff := cmp.Diff([]string{"how often can I roll?", "can I roll every day", "is daily ok", "how many times a week"}, e.Asks); diff != "" {
		t.Errorf("Asks mismatch (-want +got):\n%s", diff)
	}
	_, err = ParseWithExamples([]byte(minimal), "min.md", []byte("an example before any heading\n## often\nhow often can I roll\n"), "ex.md")
	for _, want := range []string{
		`ex.md:1: example "an example before any heading" comes before any "## id" heading`,
		`ex.md:3: "how often can I roll" is listed twice for entry "often" (first on line 20)`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("problems = %v, want one containing %q", err, want)
		}
	}
}

func TestParseProblems(t *testing.T) {
	n := minimalLines
	line := func(off int) string { return "min.md:" + itoa(n+off) + ": " }
	tests := []struct {
		name  string
		extra string
		want  []string // substrings of the problems, in order
	}{
		{"duplicate id", "\n## size\ntitle: Again\nsource: x\nask: a b\n\nText.\n", []string{line(2) + `duplicate entry id "size" (first on line 3)`}},
		{"empty reply", "\n## empty\ntitle: Empty\nsource: x\nask: hmm ok\n", []string{line(2) + `entry "empty" has an empty reply`}},
		{"missing source", "\n## nosrc\ntitle: No source\nask: where from\n\nText.\n", []string{line(2) + `entry "nosrc" has no source`}},
		{"no examples", "\n## mute\ntitle: Mute\nsource: x\n\nText.\n", []string{line(2) + `entry "mute" has no examples`}},
		{"unknown field", "\n## odd\ntitle: Odd\ncolour: blue\nsource: x\nask: odd one\n\nText.\n", []string{line(4) + `unknown field "colour" in entry "odd"`}},
		{"field twice", "\n## twice\ntitle: A\ntitle: B\nsource: x\nask: twice over\n\nText.\n", []string{line(4) + `field "title" given twice in entry "twice" (first on line ` + itoa(n+3) + ")"}},
		{"bad id", "\n## Bad Id!\ntitle: A\nsource: x\nask: bad one\n\nText.\n", []string{line(2) + `entry id "Bad Id!" must be lower-case`}},
		{"bad kind", "\n## k\nkind: poem\nsource: x\n\nText.\n", []string{line(3) + `unknown kind "poem"`}},
		{"duplicate command", "\n## size2\ntitle: A\ncommand: size\nsource: x\nask: what length\n\nText.\n", []string{line(4) + `command "size" is already used on line 5`}},
		{"bad number", "\n## n\ntitle: A\nper-week: lots\nsource: x\nask: how many\n\nText.\n", []string{line(4) + "per-week must be a whole number from 1 to 7"}},
		{"bad facts", "\n## f\ntitle: A\nfacts: 2, two\nsource: x\nask: what is f\n\nText.\n", []string{line(4) + `facts lists the guidance's fact numbers, like "facts: 2, 9"; got "two"`}},
		{"unknown placeholder", "\n## note-extra\nkind: note\nsource: x\n\nHello {name}.\n", []string{line(6) + `note "note-extra" uses {name}`}},
		{"examples on a note", "\n## note-x\nkind: note\nsource: x\nask: why\n\nText.\n", []string{line(5) + `ask are examples for the classifier; a note is never chosen`}},
		{"everyday keyword", "\n## cars\nkind: offtopic\ntitle: Cars\nkeywords: car, car window\n\nNo.\n", []string{line(5) + `keyword "car" of entry "cars" is an everyday word`}},
		{"number keyword", "\n## price\ntitle: Price\nsource: x\nkeywords: 30\n\nText.\n", []string{line(5) + `keyword "30" of entry "price" is a bare number`}},
		{"example in two entries", "\n## daily\ntitle: Daily\nsource: x\nask: Can I roll every day?\n\nText.\n", []string{line(5) + `"Can I roll every day?" is an example of both "often" (line 21) and "daily"`}},
		{"example twice", "\n## again\ntitle: Again\nsource: x\nask: again and again\nask: Again, and again!\n\nText.\n", []string{line(6) + `"Again, and again!" is listed twice for entry "again" (first on line ` + itoa(n+5) + ")"}},
		{"example without words", "\n## e\ntitle: E\nsource: x\nask: ???\n\nText.\n", []string{line(5) + `example "???" of entry "e" has no words`}},
		{"synonym clash", "\n## vocabulary\nkind: vocabulary\n\nroller: rollers\nroll: roller\n", []string{line(6) + `"roller" is already a synonym of "roller"`}},
		{"synonym twice", "\n## vocabulary\nkind: vocabulary\n\nroller: rollers, derma roller, derma-roller\n", []string{line(5) + `"derma-roller" is listed twice as a synonym of "roller"`}},
		{"product twice", "\n## more-products\nkind: products\n\nretinol\n", []string{line(2) + `products are given by more than one entry (first on line ` + itoa(n-5) + ")"}},
		{"bad field line", "\n## x\ntitle A\nsource: y\n\nText.\n", []string{line(2) + `entry "x" has no title`, line(2) + `entry "x" has no examples`, line(3) + "expected a field line"}},
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

func itoa(n int) string { return strconv.Itoa(n) }

func TestParseMissingRequired(t *testing.T) {
	_, err := Parse([]byte("## only\ntitle: Only\nsource: s\nask: only this\n\nText.\n"), "bare.md")
	if err == nil {
		t.Fatal("Parse accepted a file without facts, notes, a safety and a not-covered entry")
	}
	for _, w := range []string{"home-mm", "per-week", "ingredients", "no products entry", NoteLargeNeedle, "no uncovered entry", "exactly one safety entry"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("problems do not mention %s:\n%v", w, err)
		}
	}
}

func TestDefaultCoversTheGuidance(t *testing.T) {
	k := Default()
	// The sixteen facts of shared/guidance/README.md: each stated by at least one answer,
	// and each answer a /needle topic citing the expert.
	stated := map[int]bool{}
	for _, e := range k.Topics() {
		if e.Source == "" || e.Body == "" || !strings.Contains(e.Source, "Kerry Benjamin") {
			t.Errorf("topic %q lacks an answer or a source naming the expert", e.ID)
		}
		if len(e.Facts) == 0 {
			t.Errorf("topic %q states none of the guidance's facts", e.ID)
		}
		for _, f := range e.Facts {
			stated[f] = true
		}
	}
	for f := 1; f <= 16; f++ {
		if !stated[f] {
			t.Errorf("no answer states fact %d of the guidance", f)
		}
	}
	if got := len(k.Topics()); got != 16 {
		t.Errorf("%d topics, want 16", got)
	}
	f := k.Facts()
	if f.HomeMM != 0.25 || f.PerWeek != 5 || len(f.Ingredients) != 3 {
		t.Errorf("Facts() = %+v, want 0.25 mm, 5 a week, three ingredients", f)
	}
}

func TestDefaultExamplesMatchEntries(t *testing.T) {
	k := Default()
	for _, line := range strings.Split(string(defaultExamples), "\n") {
		if id, ok := strings.CutPrefix(line, "## "); ok {
			if e, ok := k.Entry(id); !ok || !classified(e.Kind) {
				t.Errorf("examples.md has examples for %q, which is not an entry the bot can choose", id)
			}
		}
	}
}

// TestOwnWords checks that no reply repeats the guidance word for word: no run of eight words
// from the article appears in the knowledge base.
func TestOwnWords(t *testing.T) {
	article := readGuidance(t)
	words := Normalize(article)
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
	if _, ok := k.Topic("safety"); ok {
		t.Error("Topic found the safety reply")
	}
	got := k.Closest("sise", 3)
	if len(got) == 0 || got[0].Command != "size" {
		t.Errorf("Closest(sise) = %v, want size first", got)
	}
	if got := k.Closest("frequncy", 3); len(got) == 0 || got[0].Command != "frequency" {
		t.Errorf("Closest(frequncy) = %v, want frequency first", got)
	}
}

// TestParseProducts checks the products entry and that the ingredients are among its names, so
// that what the diary logs is what the bot praises.
func TestParseProducts(t *testing.T) {
	const products = "peptides: peptide, copper peptides\nHyaluronic Acid: ha, hyaluronan\nretinol\n"
	at := minimalLines - 2 // the line of the first product
	line := func(off int) string { return "min.md:" + itoa(at+off) + ": " }
	tests := []struct {
		name        string
		from, to    string // a change to minimal
		want        []string
		ingredients []string // with no problems, Facts().Ingredients
	}{
		{"ingredient a synonym", products, "peptide: peptides\nhyaluronic acid\n", []string{
			`min.md:18: the ingredient "peptides" is how people write the product "peptide": name it "peptide", as the diary logs it`}, nil},
		{"ingredient unknown", products, "peptides\n", []string{
			`min.md:18: the ingredient "hyaluronic acid" is not in the products entry, so the diary never logs it`}, nil},
		{"ingredient in capitals", "ingredients: peptides", "ingredients: Peptides", nil, []string{"peptides", "hyaluronic acid"}},
		{"spelling shared", "retinol\n", "retinol: retinoid, HA\n", []string{line(2) + `"HA" is already a way of writing "Hyaluronic Acid" (the diary reads both as "ha")`}, nil},
		{"spelling twice", "retinol\n", "retinol: retinoid, Retinoid\n", []string{line(2) + `"Retinoid" is listed twice for product "retinol"`}, nil},
		{"product twice", "retinol\n", "retinol\nRetinol: retinal\n", []string{line(3) + `product "Retinol" is listed twice`}, nil},
		{"name is a synonym", "retinol\n", "retinol\nhyaluronan\n", []string{line(3) + `product "hyaluronan" is already a way of writing "Hyaluronic Acid"`}, nil},
		{"unreadable", "retinol\n", "retinol: vit. a, b-3, l'oreal, 3d\n", []string{
			line(2) + `the diary cannot read "vit. a" as words`, line(2) + `the diary cannot read "3d" as words`}, nil},
		{"no name", "retinol\n", ": retinal\n", []string{line(2) + `product lines look like "name: synonym, synonym" or "name", got ": retinal"`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := strings.Replace(minimal, tt.from, tt.to, 1)
			if file == minimal {
				t.Fatalf("%q is not in minimal", tt.from)
			}
			k, err := Parse([]byte(file), "min.md")
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if diff := cmp.Diff(tt.ingredients, k.Facts().Ingredients); diff != "" {
					t.Errorf("Ingredients mismatch (-want +got):\n%s", diff)
				}
				return
			}
			probs, ok := err.(Problems)
			if !ok || len(probs) != len(tt.want) {
				t.Fatalf("Parse error = %v, want %d problems", err, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(probs[i].String(), w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, probs[i], w)
				}
			}
		})
	}
}

// TestDefaultProducts checks the built-in products: the ingredients the guidance recommends are
// among them, and the diary's vocabulary is all there.
func TestDefaultProducts(t *testing.T) {
	ps := Default().Products()
	names := map[string]bool{}
	for _, p := range ps {
		names[p.Name] = true
	}
	for _, ing := range Default().Facts().Ingredients {
		if !names[ing] {
			t.Errorf("ingredient %q is not a product", ing)
		}
	}
	if len(ps) != 27 || !names["vitamin C"] || !names["PRP"] {
		t.Errorf("Products() = %d products (%v), want the diary's 27", len(ps), ps)
	}
	// Products returns a copy.
	ps[0].Synonyms[0] = "changed"
	if Default().Products()[0].Synonyms[0] == "changed" {
		t.Error("Products shares its slices")
	}
}
