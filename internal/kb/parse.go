package kb

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/text"
)

//go:embed everyday.txt
var everydayFile string

// everyday are the most frequent words of spoken English (SUBTLEX-US; see everyday.txt).
var everyday = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(everydayFile, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			m[l] = true
		}
	}
	return m
}()

// quoteRunes is the most of a line a problem quotes: 60 runes and "…".
const quoteRunes = 61

// Problem is one thing wrong with a knowledge-base file, tied to a line (0 for the whole file).
type Problem struct {
	File string
	Line int
	Msg  string
}

func (p Problem) String() string {
	if p.Line == 0 {
		return fmt.Sprintf("%s: %s", p.File, p.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
}

// Problems is the error Parse returns: every problem found in the file, in line order.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Entry kinds.
const (
	KindAnswer     = "answer"     // an answer from the guidance, usually a /needle topic
	KindNote       = "note"       // text the bot uses in its own replies (warnings, reminders)
	KindUncovered  = "uncovered"  // subjects the guidance does not cover; its text is the honest decline
	KindOffTopic   = "offtopic"   // messages about something else entirely; its text says so
	KindSafety     = "safety"     // reports of a skin reaction; its text is the safety reply
	KindChat       = "chat"       // small talk (hello, thanks, what is this bot); its text is the reply
	KindDiary      = "diary"      // the user telling the bot about their sessions: for the diary, not the guidance
	KindVocabulary = "vocabulary" // synonyms: "canonical: variant, variant" lines
	KindProducts   = "products"   // what the diary recognises: "name: synonym, synonym" lines
)

// classified reports whether the classifier chooses between entries of this kind.
func classified(kind string) bool {
	switch kind {
	case KindAnswer, KindUncovered, KindOffTopic, KindSafety, KindChat, KindDiary:
		return true
	}
	return false
}

// Note ids the bot needs; a file without them fails lint.
const (
	NoteLargeNeedle = "note-large-needle" // {mm}, {home}
	NoteOverWeek    = "note-over-week"    // {count}, {max}
	NoteGoodSerum   = "note-good-serum"   // {serum}
	NoteReminder    = "note-reminder"     // {needle}, {count}, {max}
	NoteRestNight   = "note-rest-night"   // {count}, {max}
)

var requiredNotes = map[string][]string{
	NoteLargeNeedle: {"mm", "home"},
	NoteOverWeek:    {"count", "max"},
	NoteGoodSerum:   {"serum"},
	NoteReminder:    {"needle", "count", "max"},
	NoteRestNight:   {"count", "max"},
}

var (
	idPattern          = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,47}$`)
	commandPattern     = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)
	placeholderPattern = regexp.MustCompile(`\{[^{}\s]*\}`)
)

// knownFields lists the fields an entry may carry and whether they may repeat.
var knownFields = map[string]bool{
	"title": false, "command": false, "kind": false, "keywords": true, "ask": true, "source": false,
	"facts": false, "home-mm": false, "per-week": false, "ingredients": false,
}

type rawEntry struct {
	id      string
	line    int
	fields  map[string][]string
	flines  map[string]int
	asks    []int // the line of each ask
	extra   []extraExample
	body    []string
	bodyLn0 int
}

// Parse reads a knowledge-base file (the format is described in the package documentation).
// name is used in problem messages. All problems are reported at once, as Problems.
func Parse(data []byte, name string) (*KB, error) {
	return ParseWithExamples(data, name, nil, "")
}

// ParseWithExamples reads a knowledge-base file and a file of further examples for its
// entries (the format of examples.md), matched to entries by id; examples for an id the
// file does not have are skipped, so a file derived from the built-in one keeps the
// built-in examples of the entries it kept.
func ParseWithExamples(data []byte, name string, examples []byte, exName string) (*KB, error) {
	var (
		probs   Problems
		entries []*rawEntry
		cur     *rawEntry
		inHead  bool
	)
	add := func(line int, format string, args ...any) {
		probs = append(probs, Problem{File: name, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), " \t\r")
		if strings.HasPrefix(line, "## ") || line == "##" {
			id := strings.TrimSpace(strings.TrimPrefix(line, "##"))
			if !idPattern.MatchString(id) {
				add(n, "entry id %q must be lower-case letters, digits and dashes (at most 48)", id)
			}
			cur = &rawEntry{id: id, line: n, fields: map[string][]string{}, flines: map[string]int{}}
			entries = append(entries, cur)
			inHead = true
			continue
		}
		if cur == nil {
			continue // the preamble before the first entry is free text for editors
		}
		if inHead {
			if line == "" {
				inHead = false
				continue
			}
			key, value, ok := strings.Cut(line, ":")
			key = strings.TrimSpace(key)
			if !ok || strings.ContainsAny(key, " \t") {
				add(n, "expected a field line like \"title: ...\" or a blank line before the answer, got %q", text.Clip(line, quoteRunes))
				continue
			}
			repeat, known := knownFields[key]
			if !known {
				add(n, "unknown field %q in entry %q (known: %s)", key, cur.id, strings.Join(sortedKeys(knownFields), ", "))
				continue
			}
			if _, seen := cur.fields[key]; seen && !repeat {
				add(n, "field %q given twice in entry %q (first on line %d)", key, cur.id, cur.flines[key])
				continue
			}
			cur.fields[key] = append(cur.fields[key], strings.TrimSpace(value))
			if key == "ask" {
				cur.asks = append(cur.asks, n)
			}
			if _, seen := cur.flines[key]; !seen {
				cur.flines[key] = n
			}
			continue
		}
		if len(cur.body) == 0 && line == "" {
			continue
		}
		if len(cur.body) == 0 {
			cur.bodyLn0 = n
		}
		cur.body = append(cur.body, line)
	}
	if err := sc.Err(); err != nil {
		add(n, "cannot read: %v", err)
	}
	readExamples(examples, exName, entries, &probs)
	k := build(entries, add)
	if len(probs) > 0 {
		sort.SliceStable(probs, func(i, j int) bool { return probs[i].Line < probs[j].Line })
		return nil, probs
	}
	// Only a file without problems gets a classifier, which then has every class it needs.
	k.clf = newClassifier(k, append(append([]byte(nil), data...), examples...))
	return k, nil
}

// build validates raw entries and assembles the KB, but for its classifier, reporting problems
// through add.
func build(raws []*rawEntry, add func(int, string, ...any)) *KB {
	k := &KB{byID: map[string]*Entry{}, byCommand: map[string]*Entry{}, notes: map[string]*Entry{}, synonyms: map[string]string{}}
	ingredientsLine, productsLine := 0, 0
	firstLine := map[string]int{}
	cmdLine := map[string]int{}
	examples := map[string]exampleSite{} // a normalised example -> where it was first given
	for _, r := range raws {
		one := func(f string) string {
			if v := r.fields[f]; len(v) > 0 {
				return v[0]
			}
			return ""
		}
		e := &Entry{
			ID:      r.id,
			Title:   one("title"),
			Command: one("command"),
			Kind:    one("kind"),
			Source:  one("source"),
			Line:    r.line,
			Asks:    r.fields["ask"],
		}
		if e.Kind == "" {
			e.Kind = KindAnswer
		}
		e.Keywords = splitList(r.fields["keywords"])
		if prev, dup := firstLine[e.ID]; dup {
			add(r.line, "duplicate entry id %q (first on line %d)", e.ID, prev)
			continue
		}
		firstLine[e.ID] = r.line
		switch e.Kind {
		case KindAnswer, KindNote, KindUncovered, KindOffTopic, KindSafety, KindChat, KindDiary, KindVocabulary, KindProducts:
		default:
			add(r.flines["kind"], "unknown kind %q in entry %q (answer, note, uncovered, offtopic, safety, chat, diary, vocabulary or products)", e.Kind, e.ID)
			continue
		}
		if e.Kind == KindVocabulary {
			parseVocabulary(r, k.synonyms, add)
			continue
		}
		if e.Kind == KindProducts {
			if productsLine != 0 {
				add(r.line, "products are given by more than one entry (first on line %d)", productsLine)
				continue
			}
			productsLine = r.line
			k.products = parseProducts(r, add)
			continue
		}
		e.Body = joinParagraphs(r.body)
		if e.Body == "" {
			add(r.line, "entry %q has an empty reply: write the text after a blank line below its fields", e.ID)
		}
		if e.Source == "" && (e.Kind == KindAnswer || e.Kind == KindNote) {
			add(r.line, "entry %q has no source: add \"source: ...\" naming where its facts come from", e.ID)
		}
		if e.Title == "" && e.Kind != KindNote {
			add(r.line, "entry %q has no title", e.ID)
		}
		if classified(e.Kind) {
			if len(e.Asks) == 0 && len(e.Keywords) == 0 {
				add(r.line, "entry %q has no examples: add \"ask: ...\" lines, or the bot can never choose it", e.ID)
			}
			checkExamples(r, e, examples, add)
		} else {
			for _, f := range []string{"ask", "keywords"} {
				if _, ok := r.fields[f]; ok {
					add(r.flines[f], "%s are examples for the classifier; a %s is never chosen, so entry %q can't have them", f, e.Kind, e.ID)
				}
			}
		}
		e.Facts = parseFactNumbers(r, add)
		if e.Command != "" {
			if e.Kind != KindAnswer {
				add(r.flines["command"], "only answers can be /needle topics; entry %q is a %s", e.ID, e.Kind)
			} else if !commandPattern.MatchString(e.Command) {
				add(r.flines["command"], "command %q must be 1-32 lower-case letters, digits or dashes, starting with a letter", e.Command)
			} else if prev, dup := cmdLine[e.Command]; dup {
				add(r.flines["command"], "command %q is already used on line %d", e.Command, prev)
			} else {
				cmdLine[e.Command] = r.flines["command"]
				k.byCommand[e.Command] = e
			}
		}
		if _, ok := r.fields["ingredients"]; ok && ingredientsLine == 0 {
			ingredientsLine = r.flines["ingredients"]
		}
		parseFacts(r, &k.facts, add)
		if e.Kind == KindNote {
			checkPlaceholders(e, r.bodyLn0, add)
			k.notes[e.ID] = e
		}
		k.byID[e.ID] = e
		if e.Kind == KindAnswer {
			k.answers = append(k.answers, e)
		}
		if classified(e.Kind) {
			k.classes = append(k.classes, e)
		}
	}
	count := map[string]int{}
	for _, e := range k.classes {
		count[e.Kind]++
	}
	if count[KindAnswer] == 0 {
		add(0, "no answer entries: the bot would have nothing to say")
	}
	if count[KindUncovered] == 0 {
		add(0, "no uncovered entry: the bot needs one for what the guidance doesn't cover (its text is the reply)")
	}
	if count[KindSafety] != 1 {
		add(0, "there must be exactly one safety entry (reports of a skin reaction; its text is the safety reply), found %d", count[KindSafety])
	}
	if k.facts.HomeMM == 0 {
		add(0, "no entry gives home-mm (the home needle size the bot warns above)")
	}
	if k.facts.PerWeek == 0 {
		add(0, "no entry gives per-week (the weekly session limit the bot counts against)")
	}
	if len(k.facts.Ingredients) == 0 {
		add(0, "no entry gives ingredients (the serums the bot praises)")
	}
	if productsLine == 0 {
		add(0, "no products entry: the diary would recognise no product, and no ingredient could be praised")
	} else {
		checkIngredients(k.facts.Ingredients, k.products, ingredientsLine, add)
	}
	for _, id := range sortedKeys(requiredNotes) {
		if _, ok := k.notes[id]; !ok {
			add(0, "missing note %q, which the bot uses in its replies", id)
		}
	}
	return k
}

// exampleSite is where an example was first given.
type exampleSite struct {
	id    string
	where string // "line 12", or "examples.md:40"
}

// extraExample is an example from the examples file.
type extraExample struct {
	text string
	file string
	line int
	add  func(int, string, ...any) // reports a problem in the examples file
}

// readExamples reads an examples file: "## id" headings, each followed by one example a line;
// blank lines and lines starting with "#" (but not "## ") are skipped.
func readExamples(data []byte, name string, entries []*rawEntry, probs *Problems) {
	if len(data) == 0 {
		return
	}
	add := func(line int, format string, args ...any) {
		*probs = append(*probs, Problem{File: name, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	byID := map[string]*rawEntry{}
	for _, r := range entries {
		if _, dup := byID[r.id]; !dup {
			byID[r.id] = r
		}
	}
	var cur *rawEntry
	skip := false
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "## "):
			cur = byID[strings.TrimSpace(line[3:])]
			skip = cur == nil
		case line == "" || strings.HasPrefix(line, "#") || skip:
		case cur == nil:
			add(n+1, "example %q comes before any \"## id\" heading", text.Clip(line, quoteRunes))
		default:
			cur.extra = append(cur.extra, extraExample{line, name, n + 1, add})
		}
	}
}

// checkExamples reports an example given twice (in one entry, or in two, which teaches the
// classifier both), and a keyword that is an everyday word or a bare number, which would pull
// ordinary messages towards the entry.
func checkExamples(r *rawEntry, e *Entry, seen map[string]exampleSite, add func(int, string, ...any)) {
	note := func(ex string, where string, line int, add func(int, string, ...any)) {
		key := strings.Join(Normalize(ex), " ")
		if key == "" {
			add(line, "example %q of entry %q has no words", text.Clip(ex, quoteRunes), e.ID)
			return
		}
		if first, dup := seen[key]; dup {
			if first.id == e.ID {
				add(line, "%q is listed twice for entry %q (first on %s)", text.Clip(ex, quoteRunes), e.ID, first.where)
			} else {
				add(line, "%q is an example of both %q (%s) and %q: the classifier can't learn both", text.Clip(ex, quoteRunes), first.id, first.where, e.ID)
			}
			return
		}
		seen[key] = exampleSite{e.ID, where}
	}
	for i, a := range e.Asks {
		note(a, fmt.Sprintf("line %d", r.asks[i]), r.asks[i], add)
	}
	for _, x := range r.extra {
		note(x.text, fmt.Sprintf("%s:%d", x.file, x.line), x.line, x.add)
		e.Asks = append(e.Asks, x.text)
	}
	for _, kw := range e.Keywords {
		note(kw, fmt.Sprintf("line %d", r.flines["keywords"]), r.flines["keywords"], add)
		words := Normalize(kw)
		switch {
		case len(words) == 1 && isNumber(words[0]):
			add(r.flines["keywords"], "keyword %q of entry %q is a bare number: write the phrase it stands for", kw, e.ID)
		case len(words) == 1 && everyday[words[0]]:
			add(r.flines["keywords"], "keyword %q of entry %q is an everyday word, which would pull ordinary messages towards it: use a phrase, or an example question", kw, e.ID)
		}
	}
}

// parseFactNumbers reads "facts: 2, 9": which of the guidance's numbered facts the answer states.
func parseFactNumbers(r *rawEntry, add func(int, string, ...any)) []int {
	var out []int
	for _, v := range splitList(r.fields["facts"]) {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			add(r.flines["facts"], "facts lists the guidance's fact numbers, like \"facts: 2, 9\"; got %q", v)
			continue
		}
		out = append(out, n)
	}
	return out
}

func parseFacts(r *rawEntry, f *Facts, add func(int, string, ...any)) {
	if v := r.fields["home-mm"]; len(v) > 0 {
		mm, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v[0]), "mm"), 64)
		if err != nil || mm <= 0 || mm > 3 {
			add(r.flines["home-mm"], "home-mm must be a needle length in mm between 0 and 3, got %q", v[0])
		} else if f.HomeMM != 0 {
			add(r.flines["home-mm"], "home-mm is given by more than one entry")
		} else {
			f.HomeMM = mm
		}
	}
	if v := r.fields["per-week"]; len(v) > 0 {
		n, err := strconv.Atoi(strings.TrimSpace(v[0]))
		if err != nil || n < 1 || n > 7 {
			add(r.flines["per-week"], "per-week must be a whole number from 1 to 7, got %q", v[0])
		} else if f.PerWeek != 0 {
			add(r.flines["per-week"], "per-week is given by more than one entry")
		} else {
			f.PerWeek = n
		}
	}
	if v := r.fields["ingredients"]; len(v) > 0 {
		if len(f.Ingredients) > 0 {
			add(r.flines["ingredients"], "ingredients are given by more than one entry")
			return
		}
		for _, ing := range splitList(v[:1]) {
			f.Ingredients = append(f.Ingredients, strings.ToLower(ing))
		}
	}
}

// splitList splits comma-separated field values into trimmed, non-empty items.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func checkPlaceholders(e *Entry, line int, add func(int, string, ...any)) {
	allowed, required := requiredNotes[e.ID]
	for _, ph := range placeholderPattern.FindAllString(e.Body, -1) {
		name := strings.Trim(ph, "{}")
		ok := false
		for _, a := range allowed {
			ok = ok || a == name
		}
		if !ok {
			if required {
				add(line, "note %q uses %s, but only %s can be filled in", e.ID, ph, braces(allowed))
			} else {
				add(line, "note %q uses %s, but notes the bot doesn't know get no values", e.ID, ph)
			}
		}
	}
}

func braces(names []string) string {
	if len(names) == 0 {
		return "nothing"
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "{" + n + "}"
	}
	return strings.Join(out, ", ")
}

// parseVocabulary adds the entry's synonyms to syn.
func parseVocabulary(r *rawEntry, syn map[string]string, add func(int, string, ...any)) {
	for i, line := range r.body {
		n := r.bodyLn0 + i
		if strings.TrimSpace(line) == "" {
			continue
		}
		canon, variants, ok := strings.Cut(line, ":")
		canon = strings.TrimSpace(canon)
		if !ok || canon == "" || strings.TrimSpace(variants) == "" {
			add(n, "vocabulary lines look like \"canonical: variant, variant\", got %q", text.Clip(line, quoteRunes))
			continue
		}
		for v := range strings.SplitSeq(variants, ",") {
			if v = strings.TrimSpace(v); v == "" {
				continue
			}
			key := synonymKey(v)
			if prev, dup := syn[key]; dup {
				if prev == canon {
					add(n, "%q is listed twice as a synonym of %q", v, canon)
				} else {
					add(n, "%q is already a synonym of %q (search reads both as %q)", v, prev, key)
				}
				continue
			}
			syn[key] = canon
		}
	}
}

// parseProducts reads the products entry: a line per product, its name as sessions log it, then
// a colon and the other ways people write it ("hyaluronic acid: ha, sodium hyaluronate"), or
// the name alone. The diary matches every spelling folded (text.Fold), so two products cannot
// share one, and a spelling must be words the diary reads as words: letters, marks, digits and
// inner apostrophes, separated by spaces or hyphens.
func parseProducts(r *rawEntry, add func(int, string, ...any)) []domain.Product {
	var out []domain.Product
	owner := map[string]string{} // a folded spelling -> the product it is a way of writing
	for i, line := range r.body {
		n := r.bodyLn0 + i
		if strings.TrimSpace(line) == "" {
			continue
		}
		name, synonyms, _ := strings.Cut(line, ":")
		p := domain.Product{Name: strings.TrimSpace(name)}
		if p.Name == "" {
			add(n, "product lines look like \"name: synonym, synonym\" or \"name\", got %q", text.Clip(line, quoteRunes))
			continue
		}
		if prev, dup := owner[text.Fold(p.Name)]; dup {
			if text.Fold(prev) == text.Fold(p.Name) {
				add(n, "product %q is listed twice (first as %q)", p.Name, prev)
			} else {
				add(n, "product %q is already a way of writing %q", p.Name, prev)
			}
			continue
		}
		spellings := append([]string{p.Name}, splitList([]string{synonyms})...)
		for j, v := range spellings {
			key := text.Fold(v)
			if !readableSpelling(key) {
				add(n, "the diary cannot read %q as words: use letters and digits, with spaces, hyphens or apostrophes between them", v)
				continue
			}
			if prev, dup := owner[key]; dup {
				if prev == p.Name {
					add(n, "%q is listed twice for product %q", v, p.Name)
				} else {
					add(n, "%q is already a way of writing %q (the diary reads both as %q)", v, prev, key)
				}
				continue
			}
			owner[key] = p.Name
			if j > 0 {
				p.Synonyms = append(p.Synonyms, v)
			}
		}
		out = append(out, p)
	}
	return out
}

// readableSpelling reports whether the diary's tokens can spell s: words split at spaces and
// hyphens, each a number of ASCII digits or a letter followed by letters, marks, ASCII digits
// and apostrophes that come before a letter ("l'oreal").
func readableSpelling(s string) bool {
	words := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' })
	if len(words) == 0 {
		return false
	}
	for _, w := range words {
		rs := []rune(w)
		digits := true
		for _, r := range rs {
			digits = digits && r >= '0' && r <= '9'
		}
		if digits {
			continue
		}
		if !unicode.IsLetter(rs[0]) {
			return false
		}
		for i, r := range rs {
			switch {
			case unicode.IsLetter(r) || unicode.IsMark(r) || (r >= '0' && r <= '9'):
			case r == '\'' && i+1 < len(rs) && unicode.IsLetter(rs[i+1]):
			default:
				return false
			}
		}
	}
	return true
}

// checkIngredients reports an ingredient that is not a product's name: the bot praises a logged
// session by comparing the products it logged, lower-cased, with the ingredients, so any other
// ingredient could never be praised.
func checkIngredients(ingredients []string, products []domain.Product, line int, add func(int, string, ...any)) {
	for _, ing := range ingredients {
		named, written := false, ""
		for _, p := range products {
			if strings.ToLower(p.Name) == ing {
				named = true
				break
			}
			spelt := func(v string) bool { return text.Fold(v) == text.Fold(ing) }
			if written == "" && (spelt(p.Name) || slices.ContainsFunc(p.Synonyms, spelt)) {
				written = p.Name
			}
		}
		switch {
		case named:
		case written != "":
			add(line, "the ingredient %q is how people write the product %q: name it %q, as the diary logs it, or a session logged with it is never praised", ing, written, strings.ToLower(written))
		default:
			add(line, "the ingredient %q is not in the products entry, so the diary never logs it and a session logged with it is never praised", ing)
		}
	}
}

// synonymKey is how search sees a synonym: its normalised, stemmed words.
func synonymKey(v string) string {
	toks := Normalize(v)
	for i, t := range toks {
		toks[i] = stem(t)
	}
	return strings.Join(toks, " ")
}

// joinParagraphs joins wrapped lines with spaces and keeps blank lines as paragraph breaks.
func joinParagraphs(lines []string) string {
	var paras []string
	var cur []string
	for _, l := range append(lines, "") {
		if strings.TrimSpace(l) == "" {
			if len(cur) > 0 {
				paras = append(paras, strings.Join(cur, " "))
				cur = nil
			}
			continue
		}
		cur = append(cur, strings.TrimSpace(l))
	}
	return strings.Join(paras, "\n\n")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
