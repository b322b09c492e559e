package text

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"Rolled 0.25MM", "rolled 0.25mm"},
		{"Crème Brûlée", "creme brulee"},
		{"DÉCOLLETÉ", "decollete"},
		{"àáâãäåāăą çćĉċč ďđ èéêëēĕėęě ĝğġģ", "aaaaaaaaa ccccc dd eeeeeeeee gggg"},
		{"ìíîïĩīĭįı ñńņňŉ òóôõöøōŏő ùúûüũūŭůűų", "iiiiiiiii nnnnn ooooooooo uuuuuuuuuu"},
		{"ýÿŷ śŝşšß źżž ĺļľŀł ŕŗř ţťŧ", "yyy sssss zzz lllll rrr ttt"},
		{"ÀÉÎÕÜŸ Łódź Straße", "aeiouy lodz strase"},
		{"250µm 250μm 250ΜM", "250um 250um 250um"},
		{"Æsir œuvre", "æsir œuvre"},   // ligatures are letters of their own
		{"e\u0301", "e\u0301"},         // a combining accent is kept
		{"日本語 Ελλάδα", "日本語 ελλάδα"},   // other scripts are only lower-cased
		{"0,25 mm! 👍🏽", "0,25 mm! 👍🏽"}, // digits, punctuation and emoji are kept
		{"\xffabc", "\uFFFDabc"},       // invalid UTF-8
	} {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFoldRune(t *testing.T) {
	for in, want := range map[rune]rune{'A': 'a', 'é': 'e', 'É': 'e', 'ß': 's', 'ı': 'i', 'µ': 'u', 'Μ': 'u', 'æ': 'æ', '1': '1', '%': '%', 'ж': 'ж', 'Ж': 'ж'} {
		if got := FoldRune(in); got != want {
			t.Errorf("FoldRune(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSimplify(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"  9:30 PM ", "9:30 pm"},
		{"９：３０ＰＭ", "9:30pm"}, // fullwidth
		{"٩:٣٠", "9:30"},     // Arabic-Indic digits
		{"२१:३०", "21:30"},   // Devanagari digits
		{"Mon\u00a0–\u2003Fri\t\nSAT", "mon – fri sat"}, // NBSP, em space, tabs and line breaks
		{"a\u200bm\u2060\ufeff", "am"},                  // invisible characters
		{"\u00a0\u200b ", ""},
		{"Crème", "crème"}, // accents are kept
	} {
		if got := Simplify(tt.in); got != tt.want {
			t.Errorf("Simplify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestClip(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"", 3, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "ab…"},
		{"abcdef", 1, "…"},
		{"abcdef", 0, ""},
		{"abc", -1, ""},
		{"crème brûlée", 6, "crème…"},
		{"👍🏽👍🏽👍🏽", 3, "👍🏽…"}, // runes, not what a reader sees as one character
		{"two  spaces", 5, "two …"},
	} {
		if got := Clip(tt.in, tt.n); got != tt.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestClipUnits(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcdef", 4, "abc…"},
		{"a😀b", 4, "a😀b"}, // the emoji takes two units
		{"a😀b", 3, "a…"},
		{"😀😀", 3, "😀…"},
		{"😀😀", 2, "…"},
		{"\xff\xfeab", 3, "\xff\xfe…"}, // invalid bytes count one unit each and are kept
		{"abc", 0, ""},
	} {
		if got := ClipUnits(tt.in, tt.n); got != tt.want {
			t.Errorf("ClipUnits(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestClipAtSpace(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"felt great", 10, "felt great"},
		{"rolled with my lovely serum", 15, "rolled with…"},                // back to the last space
		{"rolled with my lovely serum", 8, "rolled…"},                      // the space is in the second half
		{"a verylongwordthatgoeson", 10, "a verylon…"},                     // no space in the second half: cut the word
		{"The Ordinary Buffet Copper Peptides serum", 20, "The Ordinary…"}, // trimmed before the ellipsis
		{"   spaces first and more", 6, "sp…"},                             // trimmed at the start too
		{"abc", 0, ""},
	} {
		if got := ClipAtSpace(tt.in, tt.n); got != tt.want {
			t.Errorf("ClipAtSpace(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestFormatMM(t *testing.T) {
	tenth, fifth := 0.1, 0.2 // variables, so the sum is not a constant computed exactly
	for _, tt := range []struct {
		mm   float64
		want string
	}{
		{0.25, "0.25"},
		{0.2, "0.2"},
		{1, "1"},
		{1.5, "1.5"},
		{3, "3"},
		{0.075, "0.075"},
		{math.Round((tenth+fifth)*1000) / 1000, "0.3"}, // the diary rounds a length to micrometres first
		{tenth + fifth, "0.30000000000000004"},         // FormatMM itself does not round
	} {
		if got := FormatMM(tt.mm); got != tt.want {
			t.Errorf("FormatMM(%v) = %q, want %q", tt.mm, got, tt.want)
		}
	}
	if got := strings.Count(FormatMM(1e-7), "e"); got != 0 {
		t.Errorf("FormatMM(1e-7) = %q, want no exponent", FormatMM(1e-7))
	}
}

func TestTokenize(t *testing.T) {
	type tok struct {
		Text, Key string
		Kind      Kind
		Space     bool
	}
	for _, tt := range []struct {
		in   string
		want []tok
	}{
		{"Didn't roll 0,25mm!", []tok{{"Didn't", "didn't", Word, false}, {"roll", "roll", Word, true},
			{"0,25", "0,25", Number, true}, {"mm", "mm", Word, false}, {"!", "!", Punct, false}}},
		{"b3 1.2.3 .25", []tok{{"b3", "b3", Word, false}, {"1.2", "1.2", Number, true}, {".", ".", Punct, false},
			{"3", "3", Number, false}, {".", ".", Punct, true}, {"25", "25", Number, false}}},
		{"Crème\te\u0301 a' 'b", []tok{{"Crème", "creme", Word, false}, {"e\u0301", "e\u0301", Word, true},
			{"a", "a", Word, true}, {"'", "'", Punct, false}, {"'", "'", Punct, true}, {"b", "b", Word, false}}},
		{"１2👍🏽\xff", []tok{{"１", "１", Punct, false}, {"2", "2", Number, false}, {"👍", "👍", Punct, false},
			{"🏽", "🏽", Punct, false}, {"\xff", "\xff", Punct, false}}},
		{"  ", nil},
	} {
		var got []tok
		at := 0
		for _, x := range Tokenize(tt.in) {
			if x.Text != tt.in[x.Start:x.End] || x.Start < at {
				t.Errorf("Tokenize(%q): %+v has wrong offsets", tt.in, x)
			}
			at = x.End
			got = append(got, tok{x.Text, x.Key, x.Kind, x.Space})
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Tokenize(%q) =\n%+v, want\n%+v", tt.in, got, tt.want)
		}
	}
}
