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
// The knowledge base (kb.Normalize) and the diary each split a message into words, and they
// stay two tokenisers because they serve different readers. kb's feeds a classifier: it gives
// lower-case words, numbers in one spelling ("0,25" and ".25" are both "0.25") and emoji, splits
// "b3" and "didn't" apart, and drops punctuation, case and positions, which the model must not
// see. The diary's is for rules that claim tokens and quote the user's words back: it keeps each
// token as written with its byte offsets, whether a space came before it, punctuation as tokens
// of their own, and "b3" and "didn't" whole. One tokeniser for both would change the
// classifier's features or lose what the diary's rules read, so they share the lower-level
// pieces instead: both fold with the functions here (kb rune by rune with FoldRune, the diary a
// word at a time with Fold), so a word is matched alike in both, and both read only the ASCII
// digits 0-9 as numbers.
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
