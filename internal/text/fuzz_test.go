package text

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"", "rolled 0.25mm", "Crème Brûlée", "DÉCOLLETÉ", "Straße", "250µm", "ΜΜ", "日本語",
	"９：３０ＰＭ", "٩:٣٠", "Mon\u00a0–\u2003Fri", "a\u200bm", "👍🏽👍🏽", "a😀b", "\xff\xfe", "e\u0301",
	"The Ordinary Buffet Copper Peptides serum", "   spaces  ",
}

// FuzzFold checks that folding works rune by rune and is stable.
func FuzzFold(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Fold(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Fold(%q) = %q, not valid UTF-8", s, got)
		}
		if want := strings.Map(FoldRune, s); got != want {
			t.Fatalf("Fold(%q) = %q, but rune by rune %q", s, got, want)
		}
		if utf8.RuneCountInString(got) != utf8.RuneCountInString(s) {
			t.Errorf("Fold(%q) = %q: a rune became more or fewer", s, got)
		}
		if again := Fold(got); again != got {
			t.Errorf("Fold(Fold(%q)) = %q, not %q", s, again, got)
		}
		for _, r := range got {
			if r >= 'A' && r <= 'Z' {
				t.Errorf("Fold(%q) = %q keeps a capital", s, got)
			}
			if _, accented := foldTable[r]; accented {
				t.Errorf("Fold(%q) = %q keeps the accented %q", s, got, r)
			}
		}
	})
}

// FuzzSimplify checks that Simplify leaves one plain spelling: no outer, double or odd spaces,
// no invisible characters, only ASCII digits, and nothing more to do a second time.
func FuzzSimplify(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Simplify(s)
		if strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || strings.Contains(got, "  ") {
			t.Errorf("Simplify(%q) = %q: spaces not collapsed", s, got)
		}
		for _, r := range got {
			switch {
			case unicode.IsSpace(r) && r != ' ':
				t.Errorf("Simplify(%q) = %q keeps the space %U", s, got, r)
			case unicode.Is(unicode.Cf, r):
				t.Errorf("Simplify(%q) = %q keeps the invisible %U", s, got, r)
			case unicode.Is(unicode.Nd, r) && (r < '0' || r > '9'):
				t.Errorf("Simplify(%q) = %q keeps the digit %U", s, got, r)
			case r >= 0xFF01 && r <= 0xFF5E:
				t.Errorf("Simplify(%q) = %q keeps the fullwidth %U", s, got, r)
			}
		}
		if again := Simplify(got); again != got {
			t.Errorf("Simplify(Simplify(%q)) = %q, not %q", s, again, got)
		}
	})
}

// FuzzClip checks the three clips: within the limit, unchanged when s fits, and otherwise what
// they keep is s's own text followed by "…".
func FuzzClip(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, i%6)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		n %= 300 // the limits in use are small; a huge n only means "fits"
		for _, c := range []struct {
			name    string
			clip    func(string, int) string
			measure func(string) int
		}{
			{"Clip", Clip, utf8.RuneCountInString},
			{"ClipUnits", ClipUnits, func(s string) int {
				u := 0
				for _, r := range s {
					u += max(utf16.RuneLen(r), 1)
				}
				return u
			}},
			{"ClipAtSpace", ClipAtSpace, utf8.RuneCountInString},
		} {
			got := c.clip(s, n)
			switch {
			case n < 1:
				if got != "" {
					t.Errorf("%s(%q, %d) = %q, want \"\"", c.name, s, n, got)
				}
			case c.measure(s) <= n:
				if got != s {
					t.Errorf("%s(%q, %d) = %q, but s fits", c.name, s, n, got)
				}
			default:
				kept, cut := strings.CutSuffix(got, "…")
				if !cut || c.measure(got) > n {
					t.Errorf("%s(%q, %d) = %q: want at most %d, ending in …", c.name, s, n, got, n)
				}
				if c.name == "ClipAtSpace" {
					if !strings.Contains(s, kept) {
						t.Errorf("%s(%q, %d) = %q: not s's own text", c.name, s, n, got)
					}
				} else if !strings.HasPrefix(s, kept) {
					t.Errorf("%s(%q, %d) = %q: not a prefix of s", c.name, s, n, got)
				}
			}
		}
	})
}

// FuzzFormatMM checks that a needle length reads back as the same number, without an exponent.
func FuzzFormatMM(f *testing.F) {
	for _, mm := range []float64{0.25, 0.2, 1, 1.5, 3, 0.075, 1e-7, 0} {
		f.Add(mm)
	}
	f.Fuzz(func(t *testing.T, mm float64) {
		if math.IsInf(mm, 0) || math.IsNaN(mm) {
			return
		}
		got := FormatMM(mm)
		if strings.ContainsAny(got, "eE") {
			t.Errorf("FormatMM(%v) = %q has an exponent", mm, got)
		}
		if back, err := strconv.ParseFloat(got, 64); err != nil || back != mm {
			t.Errorf("FormatMM(%v) = %q reads back as %v (%v)", mm, got, back, err)
		}
	})
}

// FuzzTokenize checks what every token promises: in order, each its own text of s with only
// white space between them (and Space saying so), words keyed by Fold, numbers of ASCII digits
// with at most one inner "." or ",", any other token one rune or one invalid byte.
func FuzzTokenize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	for _, s := range []string{"didn't", "didn''t", "what’s", "whatʼs", "b3", "1.2.3", "0,25", ".25", "0.25mm", "9pm",
		"e\u0301", "１２３", "٣", "a\tb\u00a0c", "\xed\xa0\x80", "\uFFFD", "90%", "'a", "a'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		at := 0
		for _, tok := range Tokenize(s) {
			gap := s[at:tok.Start]
			if tok.Start < at || tok.End <= tok.Start || tok.End > len(s) ||
				strings.TrimFunc(gap, unicode.IsSpace) != "" || tok.Space != (gap != "") {
				t.Fatalf("Tokenize(%q): %+v does not follow offset %d after white space", s, tok, at)
			}
			if tok.Text != s[tok.Start:tok.End] {
				t.Fatalf("Tokenize(%q): %+v is not its own text", s, tok)
			}
			at = tok.End
			r, n := utf8.DecodeRuneInString(tok.Text)
			switch tok.Kind {
			case Word:
				if tok.Key != Fold(tok.Text) || !unicode.IsLetter(r) {
					t.Fatalf("Tokenize(%q): word %+v", s, tok)
				}
			case Number:
				digits := strings.NewReplacer(".", "", ",", "").Replace(tok.Text)
				if tok.Key != tok.Text || strings.Trim(digits, "0123456789") != "" || len(tok.Text)-len(digits) > 1 ||
					!isDigit(rune(tok.Text[0])) || !isDigit(rune(tok.Text[len(tok.Text)-1])) {
					t.Fatalf("Tokenize(%q): number %+v", s, tok)
				}
			case Punct:
				if tok.Key != tok.Text || n != len(tok.Text) || unicode.IsLetter(r) || isDigit(r) || unicode.IsSpace(r) {
					t.Fatalf("Tokenize(%q): punct %+v", s, tok)
				}
			default:
				t.Fatalf("Tokenize(%q): %+v has no kind", s, tok)
			}
		}
		if strings.TrimFunc(s[at:], unicode.IsSpace) != "" {
			t.Fatalf("Tokenize(%q) leaves out %q", s, s[at:])
		}
	})
}
