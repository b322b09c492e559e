// Package text is the one place for the small pieces of text handling that several of
// needlebot's packages need, so that they cannot drift apart: folding case and accents for
// matching words, simplifying what phones type for the parsers of times and days, clipping text
// to a length, and writing a needle length. It imports nothing of needlebot.
//
// # Folding
//
// [Fold] and [FoldRune] lower-case each rune (unicode.ToLower) and then replace the accented
// Latin letters of the common European alphabets by their plain letter ("é" and "É" become
// "e", "ł" becomes "l", "ß" becomes "s") and the micro sign and the Greek mu by "u", so that
// "Crème", "creme" and "CREME" meet and "µm" is "um". Nothing else changes: other scripts,
// digits, punctuation, symbols and spaces are kept, and every rune becomes exactly one rune.
//
// [Simplify] has another purpose: it prepares a short structured answer (a clock time, a list
// of days) for a parser, so it lower-cases and rewrites fullwidth characters, digits of other
// scripts, odd spaces and invisible characters, but leaves accents alone.
//
// # Tokenisers
//
// There is one lexical scanner, [Tokenize], and the knowledge base and the diary read two views
// of its tokens. It splits a text at white space into words (a letter, then letters, combining
// marks, the ASCII digits and apostrophes between letters: "didn't", "b3", "Crème"), numbers
// (ASCII digits 0-9 with at most one inner "." or ",": "0,25") and single other runes
// (punctuation, symbols, emoji, each invalid byte), each with its byte offsets, its text as
// written, a folded key for words, and whether white space came before it.
//
// The diary reads the tokens as they are: its rules claim tokens and quote the user's words
// back, so they need the offsets, the spaces, punctuation as tokens of their own and "b3" and
// "didn't" whole. kb.Normalize makes from them the features of a classifier, which must not see
// case, positions or punctuation: it splits each word's key at apostrophes, marks and the
// boundaries of letters and digits ("didn't" becomes "didn", "t"; "b3" becomes "b", "3"), spells
// numbers one way (a "." or "," glued before a number is its decimal point, so "0,25" and ".25"
// are both "0.25"), writes "%" as "percent", keeps symbols (emoji) and drops other punctuation.
// Both therefore fold alike (a word's key is [Fold] of it, which is [FoldRune] rune by rune) and
// read only the ASCII digits as numbers.
package text

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Fold returns s lower-cased and with its accents folded, rune by rune as FoldRune does. Invalid
// UTF-8 becomes U+FFFD.
func Fold(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.Map(FoldRune, s)
		}
	}
	return strings.ToLower(s)
}

// FoldRune lower-cases r and maps an accented Latin letter to its plain letter: the letters of
// foldTable, listed with the plain letter each becomes, and "µ" and "μ" to "u". Any other rune
// is only lower-cased.
func FoldRune(r rune) rune {
	r = unicode.ToLower(r)
	if r < 0xB5 { // the micro sign is the first folded rune
		return r
	}
	if f, ok := foldTable[r]; ok {
		return f
	}
	return r
}

// foldTable maps each lower-case accented letter to its plain letter.
var foldTable = func() map[rune]rune {
	m := make(map[rune]rune)
	for plain, accented := range map[rune]string{
		'a': "àáâãäåāăą", 'c': "çćĉċč", 'd': "ďđ", 'e': "èéêëēĕėęě", 'g': "ĝğġģ",
		'i': "ìíîïĩīĭįı", 'n': "ñńņňŉ", 'o': "òóôõöøōŏő", 'u': "ùúûüũūŭůűų",
		'y': "ýÿŷ", 's': "śŝşšß", 'z': "źżž", 'l': "ĺļľŀł", 'r': "ŕŗř", 't': "ţťŧ",
	} {
		for _, r := range accented {
			m[r] = plain
		}
	}
	m['µ'] = 'u' // the micro sign
	m['μ'] = 'u' // the Greek mu, which phones offer for it
	return m
}()

// Simplify lower-cases s and rewrites the many ways phones and keyboards type the same thing
// into one, so a parser of short answers needs to know one spelling: fullwidth ASCII (typed by
// CJK input methods) becomes ASCII, a decimal digit of any script becomes 0-9, runs of white
// space of any kind become one space, trimmed at both ends, and format characters (zero-width
// space, joiners, byte order mark, bidi controls) are dropped. Accents are kept.
func Simplify(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	pendingSpace := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			pendingSpace = true
			continue
		case unicode.Is(unicode.Cf, r):
			continue // invisible: zero-width space, joiners, BOM
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0 // fullwidth ASCII
		}
		if d, ok := digitValue(r); ok {
			r = '0' + d
		}
		if pendingSpace && b.Len() > 0 {
			b.WriteByte(' ')
		}
		pendingSpace = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// digitValue returns the value of a decimal digit in any script; Unicode guarantees that every
// run of Nd characters is made of whole 0-9 sequences, so the distance to the start of the run
// gives the value.
func digitValue(r rune) (rune, bool) {
	if !unicode.Is(unicode.Nd, r) {
		return 0, false
	}
	zero := r
	for unicode.Is(unicode.Nd, zero-1) {
		zero--
	}
	return (r - zero) % 10, true
}

// ellipsis marks where Clip and its variants cut.
const ellipsis = "…"

// Clip shortens s to at most n runes: s itself when it fits, else its first n-1 runes and "…".
// It is "" for n < 1.
func Clip(s string, n int) string { return clip(s, n, oneUnit) }

// ClipUnits is Clip for a limit counted in UTF-16 code units, as Telegram counts: a rune
// outside the Basic Multilingual Plane (most emoji) takes two, and so the result is at most n
// units, "…" (one unit) included. Invalid UTF-8 counts as the one-unit U+FFFD it becomes.
func ClipUnits(s string, n int) string { return clip(s, n, units) }

// clip is Clip with the size of a rune given.
func clip(s string, n int, size func(rune) int) string {
	if n < 1 {
		return ""
	}
	if i, cut := cutAt(s, n, size); cut {
		return s[:i] + ellipsis
	}
	return s
}

// units is how many UTF-16 code units r takes; invalid UTF-8 counts as the one-unit U+FFFD
// it becomes.
func units(r rune) int { return max(utf16.RuneLen(r), 1) }

// oneUnit counts runes.
func oneUnit(rune) int { return 1 }

// ClipAtSpace is Clip for prose shown to people: when s is cut, the cut moves back to the last
// space if there is one in the second half of what is kept, so no word is cut in two there,
// and white space before the "…" and at the start is trimmed. The result is at most n runes.
func ClipAtSpace(s string, n int) string {
	if n < 1 {
		return ""
	}
	i, cut := cutAt(s, n, oneUnit)
	if !cut {
		return s
	}
	s = s[:i]
	if sp := strings.LastIndexByte(s, ' '); sp > len(s)/2 {
		s = s[:sp]
	}
	return strings.TrimSpace(s) + ellipsis
}

// cutAt is where the clips cut s to fit n ≥ 1 units of size (one "…" unit included): the
// byte offset, and true, when s is longer than n; false when it fits as it is.
func cutAt(s string, n int, size func(rune) int) (int, bool) {
	total := 0
	for _, r := range s {
		total += size(r)
	}
	if total <= n {
		return 0, false
	}
	m := 0
	for i, r := range s {
		if m+size(r)+1 > n {
			return i, true
		}
		m += size(r)
	}
	return len(s), true // not reached: s is longer than n
}

// Plural is the "s" an English noun takes after a count: "" for 1, "s" otherwise.
func Plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// FormatMM writes a needle length in millimetres the way the guidance does, in the fewest
// digits that read back as the same number: "0.25", "1", "1.5".
func FormatMM(mm float64) string {
	return strconv.FormatFloat(mm, 'f', -1, 64)
}

// Kind says what a [Token] is made of.
type Kind uint8

const (
	Word   Kind = iota + 1 // a letter, then letters, marks, ASCII digits, inner apostrophes: "didn't", "b3"
	Number                 // ASCII digits, maybe with one decimal separator: "0,25"
	Punct                  // any other single rune, or one invalid byte: punctuation, symbols, emoji
)

// Token is one word, number or other rune of a text.
type Token struct {
	Text       string // as written: s[Start:End]
	Key        string // Fold(Text) for a word, Text itself for a number or a punct
	Start, End int    // byte offsets into the text
	Kind       Kind
	Space      bool // white space came before it
}

// Tokenize splits s into words, numbers and single other runes, leaving out white space
// (unicode.IsSpace). A number starts at an ASCII digit and a word at a letter, so "0.25mm" is
// "0.25" + "mm" and "9pm" is "9" + "pm", while "b3" is one word; Token.Space keeps whether they
// were written apart. A "." or "," belongs to a number only between two digits. An invalid
// byte is a Punct token of one byte.
func Tokenize(s string) []Token {
	toks := make([]Token, 0, len(s)/4+1)
	space := false
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			space = true
			i += w
			continue
		}
		start, kind := i, Punct
		switch {
		case isDigit(r):
			kind, i = Number, scanNumber(s, i)
		case unicode.IsLetter(r):
			kind, i = Word, scanWord(s, i)
		default:
			i += w
		}
		written := s[start:i]
		key := written
		if kind == Word {
			key = Fold(written)
		}
		toks = append(toks, Token{Text: written, Key: key, Start: start, End: i, Kind: kind, Space: space})
		space = false
	}
	return toks
}

// isDigit reports whether r is one of the ASCII digits 0-9, the only digits read as numbers.
func isDigit(r rune) bool { return '0' <= r && r <= '9' }

// scanNumber returns the end of the number at s[i]: digits, and a "." or "," with more digits.
func scanNumber(s string, i int) int {
	i = skipDigits(s, i)
	if i+1 < len(s) && (s[i] == '.' || s[i] == ',') && isDigit(rune(s[i+1])) {
		i = skipDigits(s, i+1)
	}
	return i
}

func skipDigits(s string, i int) int {
	for i < len(s) && isDigit(rune(s[i])) {
		i++
	}
	return i
}

// scanWord returns the end of the word at s[i]: letters, marks, digits, and apostrophes that
// a letter follows.
func scanWord(s string, i int) int {
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsLetter(r) || unicode.IsMark(r) || isDigit(r):
			i += w
		case r == '\'':
			next, _ := utf8.DecodeRuneInString(s[i+w:])
			if !unicode.IsLetter(next) {
				return i
			}
			i += w
		default:
			return i
		}
	}
	return i
}
