package kb

import (
	_ "embed"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/spell"
)

var (
	//go:embed knowledge.md
	defaultFile []byte
	//go:embed examples.md
	defaultExamples []byte
)

// DefaultName names the built-in knowledge base in messages; ExamplesName its examples.
const (
	DefaultName  = "knowledge.md (built in)"
	ExamplesName = "examples.md (built in)"
)

// Entry is one block of the knowledge base.
type Entry struct {
	ID       string   // stable id, e.g. "needle-size"
	Title    string   // short heading shown with the answer
	Command  string   // the /needle topic name, e.g. "size"; empty if not a topic
	Kind     string   // KindAnswer, KindNote, KindUncovered, KindOffTopic, KindSafety or KindChat
	Keywords []string // short phrases that clearly mean this entry
	Asks     []string // example messages the classifier learns the entry from
	Facts    []int    // the guidance's numbered facts the answer states
	Source   string   // where the facts come from
	Body     string   // the answer text, paragraphs separated by blank lines
	Line     int      // line of the entry's heading in its file
}

// Answer is the entry's text followed by its source, as users see it; the bot's own texts
// (source "needlebot") name none.
func (e *Entry) Answer() string {
	if e.Source == "" || e.Source == OwnSource {
		return e.Body
	}
	return e.Body + "\n\nSource: " + e.Source + "."
}

// OwnSource is the source of the bot's own texts: replies that are not the guidance.
const OwnSource = "needlebot"

// Facts are the numbers and names from the guidance that the bot checks sessions against.
type Facts struct {
	HomeMM      float64  // the needle length suggested for home use
	PerWeek     int      // the most sessions a week the guidance suggests
	Ingredients []string // serum ingredients the guidance recommends: products' names, lower case
}

// KB is a parsed knowledge base. It is immutable and safe for concurrent use.
type KB struct {
	answers   []*Entry
	classes   []*Entry // the entries the classifier chooses between, in file order
	byID      map[string]*Entry
	byCommand map[string]*Entry
	notes     map[string]*Entry
	facts     Facts
	products  []domain.Product  // what the diary recognises; the ingredients are among them
	synonyms  map[string]string // stemmed variant -> canonical
	clf       *classifier
}

// Default returns the knowledge base built into the binary.
func Default() *KB {
	k, err := ParseWithExamples(defaultFile, DefaultName, defaultExamples, ExamplesName)
	if err != nil {
		panic("kb: built-in knowledge base is invalid (run go test ./internal/kb):\n" + err.Error())
	}
	return k
}

// Load reads and parses a knowledge-base file, with the built-in examples for the entries it
// shares with the built-in file; an empty path means the built-in one.
func Load(path string) (*KB, error) {
	if path == "" {
		return Default(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("kb: %w", err)
	}
	return ParseWithExamples(data, path, defaultExamples, ExamplesName)
}

// Facts returns the guidance facts the bot checks sessions against.
func (k *KB) Facts() Facts {
	f := k.facts
	f.Ingredients = append([]string(nil), f.Ingredients...)
	return f
}

// Products returns the products and ingredients the diary recognises, in file order: each
// name as sessions log it, with the other ways people write it. Every ingredient of Facts is
// one of these names, lower-cased.
func (k *KB) Products() []domain.Product {
	out := make([]domain.Product, len(k.products))
	for i, p := range k.products {
		out[i] = domain.Product{Name: p.Name, Synonyms: append([]string(nil), p.Synonyms...)}
	}
	return out
}

// Safety returns the safety entry, whose text is the reply to a reported reaction.
func (k *KB) Safety() *Entry {
	return k.clf.classes[k.clf.safety]
}

// Topics returns the answers that are /needle topics, in file order.
func (k *KB) Topics() []*Entry {
	var out []*Entry
	for _, e := range k.answers {
		if e.Command != "" {
			out = append(out, e)
		}
	}
	return out
}

// Entry returns the entry with the given id.
func (k *KB) Entry(id string) (*Entry, bool) {
	e, ok := k.byID[id]
	return e, ok
}

// Topic finds a /needle topic by its command name, its id or, failing those, a synonym of a
// topic's keyword ("length" finds size); it reports false when nothing fits.
func (k *KB) Topic(name string) (*Entry, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	if e, ok := k.byCommand[name]; ok {
		return e, true
	}
	if e, ok := k.byID[name]; ok && e.Kind == KindAnswer {
		return e, true
	}
	return nil, false
}

// Closest returns up to n topics whose command name is nearest to name: close spellings
// first, then what a search for name finds.
func (k *KB) Closest(name string, n int) []*Entry {
	name = strings.ToLower(strings.TrimSpace(name))
	type cand struct {
		e *Entry
		d int
	}
	var cands []cand
	for _, e := range k.Topics() {
		d := spell.Distance(name, e.Command, 3)
		if strings.HasPrefix(e.Command, name) && name != "" {
			d = 0
		}
		if d <= 2 {
			cands = append(cands, cand{e, d})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].d < cands[j].d })
	var out []*Entry
	seen := map[*Entry]bool{}
	for _, c := range cands {
		out = append(out, c.e)
		seen[c.e] = true
	}
	r := k.Search(name)
	more := r.Suggestions
	if r.Verdict == Answered {
		more = append([]*Entry{r.Entry}, more...)
	}
	for _, e := range more {
		if !seen[e] && e.Command != "" {
			out = append(out, e)
			seen[e] = true
		}
	}
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// Note renders one of the bot's notes (see the Note* constants) with its placeholders filled.
// A missing note renders as "" (Parse rejects files without the required ones).
func (k *KB) Note(id string, vars map[string]string) string {
	e, ok := k.notes[id]
	if !ok {
		return ""
	}
	return placeholderPattern.ReplaceAllStringFunc(e.Body, func(ph string) string {
		if v, ok := vars[strings.Trim(ph, "{}")]; ok {
			return v
		}
		return ph
	})
}

// Nearest returns the candidates within maxDist edits of word (case-insensitive), closest
// first and alphabetically among equals; commands and topics use it for "did you mean".
func Nearest(word string, candidates []string, maxDist int) []string {
	word = strings.ToLower(word)
	type cand struct {
		s string
		d int
	}
	var cs []cand
	for _, c := range candidates {
		if d := spell.Distance(word, strings.ToLower(c), maxDist); d <= maxDist {
			cs = append(cs, cand{c, d})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].s < cs[j].s
	})
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.s
	}
	return out
}
