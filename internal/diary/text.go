package diary

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/needlebot/needlebot/internal/text"
)

// normalize trims and cleans text for matching, or returns the sentence that
// tells the user why it cannot be read. Runs of white space become one space,
// curly quotes and odd dashes become ASCII, and control and invisible
// formatting characters are dropped so they cannot hide words from the rules.
func normalize(s string) (string, string) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > MaxMessageRunes {
		return "", msgTooLong
	}
	if !utf8.ValidString(s) {
		return "", msgInvalid
	}
	var b strings.Builder
	b.Grow(len(s))
	pendingSpace := false
	for _, r := range s {
		r = mapRune(r)
		switch {
		case r < 0:
			continue
		case unicode.IsSpace(r):
			pendingSpace = true
			continue
		case unicode.IsControl(r):
			continue
		}
		if pendingSpace && b.Len() > 0 {
			b.WriteByte(' ')
		}
		pendingSpace = false
		b.WriteRune(r)
	}
	return b.String(), ""
}

// mapRune folds look-alike punctuation to ASCII and returns -1 for invisible
// formatting characters (zero-width space, bidi overrides, BOM, soft hyphen).
// The zero-width joiner and variation selectors stay, because emoji need them.
func mapRune(r rune) rune {
	switch r {
	case '\u2018', '\u2019', '\u201A', '\u201B', '\u2032', '\u00B4', '\uFF07':
		return '\''
	case '\u201C', '\u201D', '\u201E', '\u201F', '\u2033', '\uFF02':
		return '"'
	case '\u2010', '\u2011', '\u2212', '\uFE63', '\uFF0D':
		return '-'
	case '\uFF1F':
		return '?'
	case '\uFF01':
		return '!'
	case '\uFF0C':
		return ','
	case '\uFF0E':
		return '.'
	case '\uFF0B':
		return '+'
	case '\u200B', '\u200E', '\u200F', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E',
		'\u2060', '\u2066', '\u2067', '\u2068', '\u2069', '\uFEFF', '\u00AD':
		return -1
	}
	return r
}

// tokKind says what sort of characters a token is made of: text.Word, text.Number or text.Punct.
type tokKind = text.Kind

const (
	tWord  = text.Word   // letters, maybe with digits and inner apostrophes: "didn't", "b3"
	tNum   = text.Number // ASCII digits, maybe with one decimal separator: "0,25"
	tPunct = text.Punct  // any other single rune: punctuation, symbols, emoji
)

// role records which rule claimed a token, so later rules and the note skip it.
type role uint8

const (
	unclaimed role = iota
	byTime
	bySize
	byVerb
	byArea
	byProduct
	byEveryday // an everyday "roll" and the rest of its clause: "rolled out of bed"
)

type token struct {
	text       string // as written, after normalisation
	key        string // text.Fold of a word's text, for matching; other tokens' text
	start, end int    // byte offsets into message.text
	kind       tokKind
	space      bool // preceded by a space
	role       role
}

// message is a normalised text and its tokens, which the rules claim one by one.
type message struct {
	text  string
	toks  []token
	vocab *Reader // the products it may name
}

// message splits a normalised text into the tokens the rules claim.
func (r *Reader) message(clean string) *message {
	return &message{text: clean, toks: tokenize(clean), vocab: r}
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func skipDigits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// tokenize is text.Tokenize's tokens of s, to be claimed by the rules. Letters and digits are
// split apart at a digit start, so "0.25mm" is "0.25" + "mm" and "9pm" is "9" + "pm";
// token.space keeps whether they were written apart.
func tokenize(s string) []token {
	tt := text.Tokenize(s)
	toks := make([]token, len(tt))
	for i, t := range tt {
		toks[i] = token{text: t.Text, key: t.Key, start: t.Start, end: t.End, kind: t.Kind, space: t.Space}
	}
	return toks
}

// hasContent reports whether the message has any letter or digit at all.
func (m *message) hasContent() bool {
	for _, t := range m.toks {
		if t.kind != tPunct {
			return true
		}
	}
	return false
}

func (m *message) wordCount() int {
	n := 0
	for _, t := range m.toks {
		if t.kind != tPunct {
			n++
		}
	}
	return n
}

// key returns the match key of token i, or "" when i is out of range or the
// token is already claimed, so rules never match across another rule's find.
func (m *message) key(i int) string {
	if i < 0 || i >= len(m.toks) || m.toks[i].role != unclaimed {
		return ""
	}
	return m.toks[i].key
}

// numAt returns the text of token i when it is an unclaimed number.
func (m *message) numAt(i int) (string, bool) {
	if i < 0 || i >= len(m.toks) || m.toks[i].role != unclaimed || m.toks[i].kind != tNum {
		return "", false
	}
	return m.toks[i].text, true
}

// glued reports whether token i exists and was written right after the previous one.
func (m *message) glued(i int) bool {
	return i > 0 && i < len(m.toks) && !m.toks[i].space
}

// gluedKey is key(i) when token i is glued to the previous one, else "".
func (m *message) gluedKey(i int) string {
	if !m.glued(i) {
		return ""
	}
	return m.key(i)
}

// claim marks the unclaimed tokens in [from, to) as found by rule r.
func (m *message) claim(from, to int, r role) {
	for i := from; i < to && i < len(m.toks); i++ {
		if m.toks[i].role == unclaimed {
			m.toks[i].role = r
		}
	}
}

// span returns the text of tokens [from, to) as written.
func (m *message) span(from, to int) string {
	return m.text[m.toks[from].start:m.toks[to-1].end]
}

// isBreak reports whether token i ends a clause, which limits how far
// negation and intent reach: "no redness after rolling" is not "no rolling".
func (m *message) isBreak(i int) bool {
	t := m.toks[i]
	if t.kind == tPunct {
		return t.text != "'" && t.text != "-"
	}
	return clauseBreaks[t.key]
}

var clauseBreaks = set("after", "before", "but", "since", "because", "then", "and", "so", "although", "though", "while")

// set builds a lookup table from words.
func set(words ...string) map[string]bool {
	s := make(map[string]bool, len(words))
	for _, w := range words {
		s[w] = true
	}
	return s
}

// dictEntry is one canonical name and the ways people write it.
type dictEntry struct {
	canon    string
	synonyms []string
}

type phrase struct {
	words []string
	canon string
}

// dict finds the longest known phrase starting at a token; phrases are
// indexed by their first word and tried longest first.
type dict map[string][]phrase

func newDict(entries []dictEntry) dict {
	d := dict{}
	for _, e := range entries {
		for _, s := range e.synonyms {
			words := strings.Fields(strings.ReplaceAll(s, "-", " "))
			d[words[0]] = append(d[words[0]], phrase{words: words, canon: e.canon})
		}
	}
	for _, ps := range d {
		sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].words) > len(ps[j].words) })
	}
	return d
}

// longest returns the canonical name and end index of the longest phrase at
// token i, or end -1 when none matches.
func (d dict) longest(m *message, i int) (string, int) {
	for _, p := range d[m.key(i)] {
		if end := m.matchWords(i, p.words); end >= 0 {
			return p.canon, end
		}
	}
	return "", -1
}

// matchWords returns the index after words spelled from token i, or -1. A
// hyphen or dot glued to the previous word may sit between words, so
// "stem-cells", "under-eyes" and "vit. c" match "stem cells", "under eyes"
// and "vit c".
func (m *message) matchWords(i int, words []string) int {
	j := i
	for n, w := range words {
		if n > 0 && m.glued(j) && (m.key(j) == "-" || m.key(j) == ".") {
			j++
		}
		if j >= len(m.toks) || m.toks[j].kind == tPunct || m.key(j) != w {
			return -1
		}
		j++
	}
	return j
}
