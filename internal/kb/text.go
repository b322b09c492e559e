package kb

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/needlebot/needlebot/internal/text"
)

// maxQueryBytes bounds the work one question can cause; longer input is cut at a rune boundary.
const maxQueryBytes = 2000

// Normalize turns free text into the lower-case word, number and emoji tokens that search works
// on, a view of text.Tokenize's tokens: case and accents are folded (a word's key), a word is
// split at apostrophes, marks and where letters meet digits ("what's" becomes "what", "s";
// "0.25mm" was already "0.25", "mm"), decimal commas become points and a "." or "," glued before a
// number is its point ("0,25" and ".25" become "0.25"), "%" is "percent", symbols (emoji) are
// kept and other punctuation and invalid UTF-8 are dropped.
func Normalize(s string) []string {
	if len(s) > maxQueryBytes {
		s = s[:maxQueryBytes] // a rune cut in half becomes invalid UTF-8, dropped below
	}
	var (
		tokens []string
		end    = -1    // where the last token written ends in s, when a point glued there may continue it
		open   = false // that token is digits without a point, which a glued ".5" continues: "b3.5" is "b", "3.5"
	)
	toks := text.Tokenize(s)
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.Kind == text.Word:
			tokens, open = appendRuns(tokens, t.Key)
			end = -1
			if last, _ := utf8.DecodeLastRuneInString(t.Key); unicode.IsLetter(last) || isDigit(last) {
				end = t.End // a point glued after a letter is not a decimal point, after a digit it may be
			}
		case t.Kind == text.Number:
			tokens = append(tokens, strings.Replace(t.Text, ",", ".", 1))
			end, open = t.End, !strings.ContainsAny(t.Text, ".,")
		case (t.Text == "." || t.Text == ",") && i+1 < len(toks) && toks[i+1].Kind == text.Number && toks[i+1].Start == t.End:
			if t.Start == end && !open {
				end = -1 // after a letter or a number with its point: only a separator
				continue
			}
			// A decimal point: "0.25", "0,25" and ".25" all mean the same length.
			i++
			frac, rest, _ := strings.Cut(strings.Replace(toks[i].Text, ",", ".", 1), ".")
			if t.Start == end {
				tokens[len(tokens)-1] += "." + frac
			} else {
				tokens = append(tokens, "0."+frac)
			}
			end, open = toks[i].End, rest != ""
			if open { // ".25,5" is "0.25", "5": a number has one point
				tokens = append(tokens, rest)
			}
		default:
			end = -1
			switch r, n := utf8.DecodeRuneInString(t.Text); {
			case r == '%':
				tokens = append(tokens, "percent")
			case unicode.Is(unicode.So, text.FoldRune(r)) && !(r == utf8.RuneError && n == 1):
				// An emoji is a word of its own: "👍" thanks, "😭" worries. An invalid byte
				// (decoded as the symbol U+FFFD) is dropped.
				tokens = append(tokens, string(text.FoldRune(r)))
			}
		}
	}
	return tokens
}

// appendRuns appends the runs of letters and of digits in a folded word, which apostrophes and
// marks end too, and reports whether the word ends in digits.
func appendRuns(tokens []string, word string) ([]string, bool) {
	start, digits := -1, false
	for i, r := range word {
		letter := unicode.IsLetter(r)
		if start >= 0 && (!letter && !isDigit(r) || isDigit(r) != digits) {
			tokens = append(tokens, word[start:i])
			start = -1
		}
		if start < 0 && (letter || isDigit(r)) {
			start, digits = i, isDigit(r)
		}
	}
	if start >= 0 {
		tokens = append(tokens, word[start:])
	}
	return tokens, start >= 0 && digits
}

func isDigit(r rune) bool { return '0' <= r && r <= '9' }

// stem reduces an English word to a crude stem so that "rolling", "rolled" and "rolls" meet;
// it only has to be consistent between questions and entries, not linguistically right.
func stem(w string) string {
	if len(w) <= 3 || !isLetters(w) || unstemmed[w] {
		return w
	}
	for _, r := range []struct{ suffix, repl string }{
		{"ies", "y"}, {"ied", "y"}, {"ying", "y"}, {"sses", "ss"},
		{"fulness", ""}, {"ful", ""}, {"less", ""}, {"ness", ""}, {"ment", ""},
		{"ation", "ate"}, {"ings", ""}, {"ing", ""}, {"ed", ""}, {"ly", ""},
		{"es", "e"}, {"s", ""},
	} {
		if !strings.HasSuffix(w, r.suffix) {
			continue
		}
		base := w[:len(w)-len(r.suffix)] + r.repl
		if r.suffix == "s" && (strings.HasSuffix(w, "ss") || strings.HasSuffix(w, "us") || strings.HasSuffix(w, "is")) {
			break
		}
		if r.suffix == "ed" && strings.HasSuffix(w, "eed") {
			break // "bleed" and "need" are not past tenses
		}
		if len(base) < 3 || !hasVowel(base) {
			break
		}
		w = base
		if r.suffix == "ing" || r.suffix == "ings" || r.suffix == "ed" {
			w = undouble(w)
		}
		break
	}
	if len(w) > 4 && strings.HasSuffix(w, "e") {
		w = w[:len(w)-1]
	}
	return w
}

// unstemmed words would collide with unrelated stems ("evening" is not "even").
var unstemmed = setOf("evening", "morning", "during", "nothing", "something", "anything", "everything", "thing", "scared", "scary", "needling", "needled")

// undouble turns "stopp" into "stop" but leaves "roll", "press" and "buzz" alone.
func undouble(w string) string {
	n := len(w)
	if n >= 2 && w[n-1] == w[n-2] && !strings.ContainsRune("lsz", rune(w[n-1])) && !strings.ContainsRune("aeiou", rune(w[n-1])) {
		return w[:n-1]
	}
	return w
}

func hasVowel(w string) bool { return strings.ContainsAny(w, "aeiouy") }

func isLetters(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
