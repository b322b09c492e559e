package kb

import (
	"strings"
	"unicode"

	"github.com/needlebot/needlebot/internal/text"
)

// maxQueryBytes bounds the work one question can cause; longer input is cut at a rune boundary.
const maxQueryBytes = 2000

// Normalize turns free text into the lower-case word, number and emoji tokens that search works on:
// case and accents are folded (text.FoldRune), punctuation splits words, decimal commas become points ("0,25" and ".25"
// become "0.25"), a number glued to its unit is split ("0.25mm" becomes "0.25", "mm"), and
// apostrophes split contractions ("what's" becomes "what", "s"). Invalid UTF-8 is dropped.
func Normalize(s string) []string {
	if len(s) > maxQueryBytes {
		s = s[:maxQueryBytes] // a rune cut in half becomes invalid UTF-8, dropped below
	}
	var (
		tokens []string
		cur    strings.Builder
		digits bool // the token being built is a number
	)
	flush := func() {
		if cur.Len() == 0 {
			return
		}
		tok := cur.String()
		if digits {
			tok = strings.TrimRight(tok, ".")
			if strings.HasPrefix(tok, ".") {
				tok = "0" + tok
			}
		}
		if tok != "" {
			tokens = append(tokens, tok)
		}
		cur.Reset()
		digits = false
	}
	rs := []rune(strings.ToValidUTF8(s, " "))
	for i, r := range rs {
		r = text.FoldRune(r)
		switch {
		case r >= '0' && r <= '9':
			if cur.Len() > 0 && !digits {
				flush()
			}
			digits = true
			cur.WriteRune(r)
		case (r == '.' || r == ',') && i+1 < len(rs) && rs[i+1] >= '0' && rs[i+1] <= '9' &&
			(digits || cur.Len() == 0) && !strings.Contains(cur.String(), "."):
			// A decimal separator: "0.25", "0,25" and ".25" all mean the same length.
			digits = true
			cur.WriteByte('.')
		case r == '%':
			flush()
			tokens = append(tokens, "percent")
		case unicode.IsLetter(r):
			if digits {
				flush()
			}
			cur.WriteRune(r)
		case unicode.Is(unicode.So, r):
			// An emoji is a word of its own: "👍" thanks, "😭" worries.
			flush()
			tokens = append(tokens, string(r))
		default:
			flush()
		}
	}
	flush()
	return tokens
}

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
