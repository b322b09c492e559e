package diary

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/spell"
	"github.com/needlebot/needlebot/internal/text"
)

// areaEntries are the skin areas the bot knows, canonical name first.
var areaEntries = []dictEntry{
	{"face", []string{"face", "whole face", "full face", "entire face", "all over face", "all over my face"}},
	{"forehead", []string{"forehead", "foreheads", "fore head"}},
	{"cheeks", []string{"cheek", "cheeks", "cheekbones", "cheek bones"}},
	{"chin", []string{"chin"}},
	{"jawline", []string{"jawline", "jaw line", "jaw"}},
	{"neck", []string{"neck"}},
	{"nose", []string{"nose"}},
	{"under-eyes", []string{"under eye", "under eyes", "undereye", "undereyes", "under my eyes", "under the eyes",
		"eye area", "eye areas", "around eyes", "around my eyes", "around the eyes", "eye bags"}},
	{"upper lip", []string{"upper lip", "upperlip", "above lip", "above my lip", "lip area"}},
	{"décolletage", []string{"decolletage", "decollete", "decolletee", "chest", "cleavage"}},
	{"scalp", []string{"scalp", "hairline", "hair line"}},
	{"beard", []string{"beard", "beard area"}},
	{"hands", []string{"hands", "hand", "back of hands", "back of my hands"}},
	{"body", []string{"body", "arms", "arm", "legs", "leg", "thighs", "thigh", "stomach", "belly", "tummy", "abdomen"}},
}

// Reader reads messages about sessions with one vocabulary of products, which the knowledge
// base hands in (kb.KB.Products), so that the names it logs are the names the guidance's
// ingredients are checked against. It is immutable and safe for concurrent use.
type Reader struct {
	products dict            // every spelling of a product, folded
	entries  []dictEntry     // the same, a product at a time, for misspellings
	known    map[string]bool // the products' names, as sessions log them
}

// New returns a Reader that recognises products: each by its Name and its Synonyms, in any
// letter case and with accents or without, and logged under its Name. A spelling with no word
// in it is skipped.
func New(products []domain.Product) *Reader {
	r := &Reader{known: map[string]bool{}}
	for _, p := range products {
		e := dictEntry{canon: p.Name}
		for _, v := range append([]string{p.Name}, p.Synonyms...) {
			// A spelling is kept as its words' match keys: folded, split at spaces and hyphens.
			key := strings.Join(strings.Fields(strings.ReplaceAll(text.Fold(v), "-", " ")), " ")
			if key != "" && !slices.Contains(e.synonyms, key) {
				e.synonyms = append(e.synonyms, key)
			}
		}
		if len(e.synonyms) == 0 {
			continue
		}
		r.entries = append(r.entries, e)
		r.known[p.Name] = true
	}
	r.products = newDict(r.entries)
	return r
}

var (
	areas = newDict(areaEntries)
	// productForms follow an ingredient ("peptide serum") and mark a
	// phrase after "with" as a product ("my Ordinary serum").
	productForms = set("serum", "serums", "cream", "creams", "creme", "oil", "oils", "gel", "ampoule", "ampoules",
		"ampule", "essence", "toner", "lotion", "balm", "mask", "booster", "solution", "drops", "ointment",
		"moisturizer", "moisturiser", "spray", "mist", "elixir", "concentrate", "tonic", "foam", "liquid", "jelly")
	// formAnchors end a product's name even without "with" before it; forms that are also
	// other things ("mask", "booster", "solution") count only after "with".
	formAnchors = set("serum", "serums", "cream", "creams", "creme", "oil", "oils", "lotion", "essence", "toner",
		"ampoule", "ampoules", "ampule", "balm", "moisturizer", "moisturiser", "elixir", "jelly", "gel")
	// genericForms name no product on their own.
	genericForms = set("serum", "serums", "oil", "oils", "solution", "liquid", "drops", "spray", "foam", "gel")
	// shortSynonyms are also ordinary words ("ha", "aha!"), so they count only
	// in capitals or next to a product word.
	shortSynonyms  = set("ha", "aha", "bha")
	productLeadIns = set("with", "my", "+", "and", "&", "plus", "w", "/", "some")
	determiners    = set("my", "a", "an", "some", "your", "our", "his", "her", "their")
	phraseStops    = set("and", "or", "on", "at", "in", "for", "then", "but", "after", "afterwards", "before", "to",
		"from", "felt", "feel", "feels", "feeling", "so", "because", "while", "plus", "with", "was", "is",
		"it", "it's", "its", "which", "that", "this", "no", "not", "last", "around", "under", "over", "into",
		"as", "like", "again", "also", "followed", "until", "till", "i", "i'm", "im")
	innerPunct = set("-", "&", "'", ".")
)

// findAreas claims the skin areas, de-duplicated, in order of mention.
func (m *message) findAreas() []string {
	var out []string
	for i := 0; i < len(m.toks); i++ {
		canon, end := areas.longest(m, i)
		if end < 0 {
			continue
		}
		m.claim(i, end, byArea)
		out = appendNew(out, canon)
		i = end - 1
	}
	return out
}

// findProducts claims known ingredients anywhere and free-text products
// after "with", "using", "w/" or "+", de-duplicated, in order of mention.
func (m *message) findProducts() []string {
	type found struct {
		at   int
		name string
	}
	var all []found
	for i := 0; i < len(m.toks); i++ {
		canon, end := m.vocab.products.longest(m, i)
		if end < 0 || (shortSynonyms[m.toks[i].key] && !m.shortSynonymMeant(i, end)) {
			continue
		}
		for productForms[m.key(end)] {
			end++
		}
		m.claim(i, end, byProduct)
		all = append(all, found{i, canon})
		i = end - 1
	}
	for i := 0; i < len(m.toks); i++ {
		if canon, end := m.misspeltProduct(i); end > 0 {
			m.claim(i, end, byProduct)
			all = append(all, found{i, canon})
			i = end - 1
		}
	}
	for i := range m.toks {
		if name, at := m.freeProductAt(i); name != "" {
			all = append(all, found{at, name})
		}
	}
	for i := range m.toks {
		if name, at := m.formProductAt(i); name != "" {
			all = append(all, found{at, name})
		}
	}
	sort.SliceStable(all, func(a, b int) bool { return all[a].at < all[b].at })
	var out []string
	for _, f := range all {
		out = appendNew(out, f.name)
	}
	return out
}

// misspeltProduct reads a slip of a known ingredient at token i ("hyaluronc",
// "peptid serum", "niacinimide"): a word of six letters or more, one edit
// from a one-word name of the dictionary (two for ten letters or more), with
// the same first letter. It returns the canonical name and the end of the
// claimed tokens, with a product form after it ("serum"); end is 0 for none.
func (m *message) misspeltProduct(i int) (string, int) {
	k := m.key(i)
	if len([]rune(k)) < 6 || m.toks[i].kind != tWord {
		return "", 0
	}
	limit := 1
	if len([]rune(k)) >= 10 {
		limit = 2
	}
	best, bestD := "", limit+1
	for _, e := range m.vocab.entries {
		for _, v := range e.synonyms {
			if strings.Contains(v, " ") || v[0] != k[0] || len(v) < 5 || strings.HasPrefix(v, k) || strings.HasPrefix(k, v) {
				continue // a word cut short or run on ("regain", "collage", "retina") is a word of its own
			}
			if d := spell.Distance(k, v, limit); d < bestD {
				best, bestD = e.canon, d
			}
		}
	}
	if best == "" {
		return "", 0
	}
	end := i + 1
	if m.key(end) == "acid" {
		end++ // "hyaloronic acid"
	}
	for productForms[m.key(end)] {
		end++
	}
	return best, end
}

// formProductAt reads an unknown product named by its form, without "with"
// before it: "caffeine serum", "cerave lotion", "rosehip face oil". The
// product form at token i ends it; up to three unclaimed words before it that
// are neither filler nor about the session start it. Token i is where it starts.
func (m *message) formProductAt(i int) (string, int) {
	if !formAnchors[m.key(i)] {
		return "", 0
	}
	start := i
	for start > 0 && i-start < 3 {
		t := m.toks[start-1]
		if t.role != unclaimed || t.kind != tWord || phraseStops[t.key] || sessionWords[t.key] || rollerWords[t.key] ||
			determiners[t.key] || noteFiller[t.key] {
			break
		}
		start--
	}
	if start == i && genericForms[m.key(i)] {
		return "", 0 // "serum" alone names nothing; "moisturizer" or "toner" does
	}
	m.claim(start, i+1, byProduct)
	return text.ClipAtSpace(m.span(start, i+1), maxProductRunes), start
}

// shortSynonymMeant reports whether "HA", "AHA" or "BHA" at token i is the
// acid rather than a laugh or an exclamation.
func (m *message) shortSynonymMeant(i, end int) bool {
	t := m.toks[i]
	return t.text == strings.ToUpper(t.text) || productForms[m.key(end)] ||
		(i > 0 && productLeadIns[m.toks[i-1].key])
}

// freeProductAt reads an unknown product after a lead-in word at token i
// ("with my Ordinary serum" gives "Ordinary serum") and returns it with the
// index where it starts. A phrase that holds a known ingredient is left to
// the dictionary; one with neither a product form nor a capitalised (brand)
// word is not a product.
func (m *message) freeProductAt(i int) (string, int) {
	start := i + 1
	listed := false // "+" and "w/" list products: what follows is one, whatever it looks like
	switch k := m.key(i); {
	case k == "with" || k == "using" || k == "used" || k == "applied":
	case k == "+" || k == "&":
		listed = true
	case k == "w" && m.gluedKey(i+1) == "/":
		start, listed = i+2, true
	default:
		return "", 0
	}
	for determiners[m.key(start)] {
		start++
	}
	end, known := start, false
	for ; end < len(m.toks); end++ {
		t := m.toks[end]
		if t.role == byProduct {
			known = true
			continue
		}
		stop := t.role != unclaimed || t.kind == tNum ||
			(t.kind == tPunct && (!innerPunct[t.text] || t.space)) ||
			(t.kind == tWord && (phraseStops[t.key] || sessionWords[t.key] || rollerWords[t.key]))
		if stop {
			break
		}
	}
	for end > start && m.toks[end-1].kind == tPunct {
		end--
	}
	if known || end <= start || (!listed && !m.looksLikeProduct(start, end)) || (listed && end-start > 4) {
		return "", 0
	}
	m.claim(i, end, byProduct)
	return text.ClipAtSpace(m.span(start, end), maxProductRunes), start
}

// looksLikeProduct reports whether tokens [from, to) name a product form or
// a capitalised brand.
func (m *message) looksLikeProduct(from, to int) bool {
	for _, t := range m.toks[from:to] {
		if t.kind != tWord {
			continue
		}
		first, _ := utf8.DecodeRuneInString(t.text)
		if productForms[t.key] || (unicode.IsUpper(first) && t.text != "I") {
			return true
		}
	}
	return false
}

// appendNew appends s unless it is already there, ignoring case.
func appendNew(list []string, s string) []string {
	for _, have := range list {
		if strings.EqualFold(have, s) {
			return list
		}
	}
	return append(list, s)
}

var (
	// noteFiller is trimmed from either edge of what is left for the note.
	noteFiller = set("with", "my", "and", "or", "on", "at", "in", "to", "of", "for", "using",
		"used", "use", "w", "some", "also", "then", "just", "i", "i've", "ive", "i'm", "im", "i'd", "me", "so",
		"plus", "lol", "yay", "again", "all", "both", "afterwards", "afterward",
		"whole", "full", "entire", "area", "areas", "it", "did", "done", "finished", "had", "have", "has",
		"was", "micro", "mm", "today", "haha", "woo", "woohoo", "finally",
		"session", "sessions", "roll", "rolls", "rolling", "roller", "rollers", "dermaroll", "dermarolling",
		"dermaroller", "dermarollers", "derma", "microneedle", "microneedles", "microneedling", "needling",
		"needle", "needles", "dermapen", "dermastamp", "log", "logged", "is", "are", "be", "ha", "aha", "hehe",
		"wow", "omg")
	// noteLeadFiller is trimmed only from the start: "ok, rolled" drops
	// its "ok", "felt ok" keeps it.
	noteLeadFiller = set("ok", "okay", "but", "yes", "yep", "hi", "hey", "btw", "however")
	// noteTrailFiller is trimmed only from the end: "no redness" keeps its
	// "no", "a bit red" its "a", "after my shower" its "after".
	noteTrailFiller = set("no", "not", "a", "an", "the", "after", "before", "while", "since", "because", "when")
)

// note joins what no rule claimed, each stretch trimmed of filler and
// punctuation at its edges; stretches of nothing but numbers are dropped.
func (m *message) note() string {
	var parts []string
	for i := 0; i < len(m.toks); {
		if m.toks[i].role != unclaimed {
			i++
			continue
		}
		j := i
		for j < len(m.toks) && m.toks[j].role == unclaimed {
			j++
		}
		if part := m.trimmed(i, j); part != "" {
			parts = append(parts, part)
		}
		i = j
	}
	return text.ClipAtSpace(strings.Join(parts, ", "), maxNoteRunes)
}

func (m *message) trimmed(a, b int) string {
	for a < b && (m.isFiller(a, noteFiller) || m.isFiller(a, noteLeadFiller)) {
		a++
	}
	for b > a && (m.isFiller(b-1, noteFiller) || m.isFiller(b-1, noteTrailFiller)) {
		b--
	}
	for i := a; i < b; i++ {
		if m.toks[i].kind == tWord {
			return m.span(a, b)
		}
	}
	return ""
}

func (m *message) isFiller(i int, words map[string]bool) bool {
	t := m.toks[i]
	return t.kind == tPunct || (t.kind == tWord && words[t.key])
}
