package schedule

import (
	"strings"
	"unicode"
)

// fold lowercases s and rewrites the many ways phones and keyboards spell the
// same thing (fullwidth forms, non-ASCII digits, NBSP and other spaces,
// zero-width characters) into plain ASCII-ish text with single spaces, so the
// parsers only need to know one spelling.
func fold(s string) string {
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
			r -= 0xFEE0 // fullwidth ASCII, as typed by CJK input methods
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

// digitValue returns the value of a decimal digit in any script; Unicode
// guarantees that every run of Nd characters is made of whole 0-9 sequences,
// so the distance to the start of the run gives the value.
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
