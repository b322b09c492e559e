package diary

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/needlebot/needlebot/internal/text"
)

var (
	mmUnits     = set("mm", "mms", "millimeter", "millimeters", "millimetre", "millimetres", "mil", "mils", "milimeter", "milimetre")
	micronUnits = set("µm", "μm", "um", "micron", "microns", "micrometer", "micrometers", "micrometre", "micrometres")
	// sizeNouns next to a bare whole number make it a size ("1 needle") and
	// are claimed along with a size ("0.25mm needle").
	sizeNouns = set("needle", "needles", "roller", "rollers", "dermaroller", "dermarollers")
	// notSizeBefore are words after a number that make it a count or an amount.
	notSizeBefore = set("%", "h", "hr", "hrs", "hour", "hours", "min", "mins", "minute", "minutes",
		"sec", "secs", "second", "seconds", "day", "days", "week", "weeks", "month", "months",
		"year", "years", "x", "times", "time", "ml", "g", "oz", "drop", "drops", "pump", "pumps",
		"am", "pm", "kg", "lbs", "cm", "passes", "pass", "strokes")
	nonNumbers = set("nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity")
)

// sizeHit is a needle length found in a message.
type sizeHit struct {
	mm      float64
	problem string // why it cannot be logged; mm is then meaningless
}

// findSizes claims every plausible needle length, in order: a number with a
// unit, a decimal from 0.1 to 3 ("0.25", ".25", "0,25"), a whole number from
// 1 to 3 right next to "needle" or "roller", or one in words ("a quarter mm",
// "point two five", "half a millimetre"). Counts ("2 sessions"), times and
// dates never get here because the time rule claimed them first.
// Only the first is claimed (a later one stays in the note), and one in a
// clause about a plan ("will do 0.5 on friday") is not a size used.
func (m *message) findSizes() []sizeHit {
	var hits []sizeHit
	plan := false
	for i := range m.toks {
		if m.isBreak(i) {
			plan = false
		}
		plan = plan || m.intentTrigger(i)
		if len(hits) > 0 && plan {
			continue
		}
		var saved []role
		if len(hits) > 0 {
			saved = m.roles()
		}
		hit, ok := m.sizeAt(i)
		if !ok {
			hit, ok = m.sizeInWords(i)
		}
		if saved != nil {
			m.setRoles(saved)
		}
		if ok {
			hits = append(hits, hit)
		}
	}
	return hits
}

func (m *message) roles() []role {
	out := make([]role, len(m.toks))
	for i, t := range m.toks {
		out[i] = t.role
	}
	return out
}

func (m *message) setRoles(rs []role) {
	for i := range m.toks {
		m.toks[i].role = rs[i]
	}
}

// digitWords are the numbers a size is spelled with.
var digitWords = map[string]int{"zero": 0, "oh": 0, "nought": 0, "naught": 0, "one": 1, "two": 2, "three": 3,
	"four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}

// sizeInWords reads a needle length spelled out at token i: "quarter mm", "a
// quarter of a millimetre", "half a mil", "point two five", "zero point five",
// "one point five mm", "one millimetre". A whole number in words needs a unit.
func (m *message) sizeInWords(i int) (sizeHit, bool) {
	j := i
	if m.key(j) == "a" && (m.key(j+1) == "quarter" || m.key(j+1) == "half") {
		j++
	}
	unitAt := func(k int) (int, bool) {
		if m.key(k) == "of" && (m.key(k+1) == "a" || m.key(k+1) == "an") {
			k += 2
		} else if m.key(k) == "a" {
			k++
		}
		if mmUnits[m.key(k)] {
			return k + 1, true
		}
		return 0, false
	}
	switch m.key(j) {
	case "quarter", "half":
		v := 0.25
		if m.key(j) == "half" {
			v = 0.5
		}
		if end, ok := unitAt(j + 1); ok {
			m.claim(i, end, bySize)
			return checkSize(v, true, m.span(i, end)), true
		}
		return sizeHit{}, false
	}
	whole, hasWhole := digitWords[m.key(j)]
	k := j
	if hasWhole {
		k++
	}
	if m.key(k) != "point" {
		if !hasWhole || whole == 0 {
			return sizeHit{}, false
		}
		if end, ok := unitAt(k); ok {
			m.claim(i, end, bySize)
			return checkSize(float64(whole), true, m.span(i, end)), true
		}
		return sizeHit{}, false
	}
	if text, ok := m.numAt(k + 1); ok && isInt(text, 3) {
		// "point 25": the digits after the point, written as a number
		v, _ := strconv.ParseFloat(strconv.Itoa(whole)+"."+text, 64)
		end := k + 2
		if e, ok := unitAt(end); ok {
			end = e
		}
		m.claim(i, end, bySize)
		return checkSize(v, true, m.span(i, end)), true
	}
	frac, scale := 0.0, 0.1
	n := k + 1
	for ; n < len(m.toks); n++ {
		d, ok := digitWords[m.key(n)]
		if !ok {
			break
		}
		frac += float64(d) * scale
		scale /= 10
	}
	if n == k+1 {
		return sizeHit{}, false // "point" alone: "no point rolling"
	}
	end := n
	if e, ok := unitAt(n); ok {
		end = e
	}
	v := math.Round((float64(whole)+frac)*1000) / 1000
	m.claim(i, end, bySize)
	return checkSize(v, true, m.span(i, end)), true
}

func (m *message) sizeAt(i int) (sizeHit, bool) {
	text, ok := m.numAt(i)
	if !ok {
		return sizeHit{}, false
	}
	from, lit := i, text
	decimal := strings.ContainsAny(text, ".,")
	if !decimal && m.glued(i) && (m.key(i-1) == "." || m.key(i-1) == ",") && (i == 1 || m.toks[i-1].space || m.toks[i-2].kind == tPunct) {
		from, lit, text, decimal = i-1, m.toks[i-1].text+text, "0."+text, true
	}
	v, valid := parseDecimal(text)
	end := i + 1
	if m.gluedKey(end) == "-" && (mmUnits[m.gluedKey(end+1)] || micronUnits[m.gluedKey(end+1)]) {
		end++ // "0.25-mm"
	}
	unit := m.key(end)
	switch {
	case mmUnits[unit] || micronUnits[unit]:
		label := " mm"
		if micronUnits[unit] {
			label = " µm"
			v /= 1000
		}
		end++
		if sizeNouns[m.key(end)] {
			end++
		}
		m.claim(from, end, bySize)
		return checkSize(v, valid, lit+label), true
	case notSizeBefore[m.key(i+1)]:
		return sizeHit{}, false
	case decimal && valid && v >= 0.1 && v <= maxNeedleMM:
	case !decimal && valid && v >= 1 && v <= maxNeedleMM && (sizeNouns[m.key(i+1)] || m.sizeWordBefore(i)):
	default:
		return sizeHit{}, false
	}
	end = i + 1
	if sizeNouns[m.key(end)] {
		end++
	}
	m.claim(from, end, bySize)
	return checkSize(v, valid, lit+" mm"), true
}

// sizeWordBefore reports whether token i follows "needle", "size" or "length".
func (m *message) sizeWordBefore(i int) bool {
	k := m.key(i - 1)
	return k == "needle" || k == "size" || k == "length"
}

// leadingSize reads a number at the very start of a /log command as a needle
// length whatever it looks like, so "/log 5", "/log 0", "/log -1" and
// "/log 1e309" are refused with a reason instead of being ignored. A leading
// date or time ("/log 20/11", "/log 2 days ago") is already claimed by the
// time rule and left alone.
func (m *message) leadingSize() (sizeHit, bool) {
	if len(m.toks) == 0 || m.toks[0].role != unclaimed {
		return sizeHit{}, false
	}
	field, _, _ := strings.Cut(m.text, " ")
	if nonNumbers[strings.ToLower(field)] {
		m.claim(0, m.tokensIn(len(field)), bySize)
		return sizeHit{problem: unreadableSize(field)}, true
	}
	n, ok := numberPrefix(field)
	if !ok {
		return sizeHit{}, false
	}
	// A unit may follow, glued or after a hyphen: "0,25mm", "0.25-mm", "250µm".
	u := n
	if u+1 < len(field) && field[u] == '-' && !isDigit(field[u+1]) {
		u++
	}
	end := u
	for end < len(field) {
		r, size := utf8.DecodeRuneInString(field[end:])
		if !unicode.IsLetter(r) {
			break
		}
		end += size
	}
	unit := text.Fold(field[u:end])
	if end == u {
		unit, end = "", n
	}
	if (unit != "" && !mmUnits[unit] && !micronUnits[unit]) || continuesNumber(field[end:]) {
		m.claim(0, m.tokensIn(len(field)), bySize)
		return sizeHit{problem: unreadableSize(field)}, true
	}
	claimed := m.tokensIn(end)
	if unit == "" && (mmUnits[m.key(claimed)] || micronUnits[m.key(claimed)]) {
		unit = m.key(claimed) // "/log 250 microns"
		claimed++
	}
	m.claim(0, claimed, bySize)
	lit := field[:n]
	digits := strings.TrimLeft(lit, "+-")
	if digits[0] == '.' || digits[0] == ',' {
		digits = "0" + digits
	}
	v, valid := parseDecimal(digits)
	if lit[0] == '-' {
		v = -v
	}
	if micronUnits[unit] {
		return checkSize(v/1000, valid, lit+" µm"), true
	}
	return checkSize(v, valid, lit+" mm"), true
}

// numberPrefix returns the length of the signed decimal that s starts with:
// "5", "-1", "0,25", ".25".
func numberPrefix(s string) (int, bool) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	start := i
	i = skipDigits(s, i)
	if i+1 < len(s) && (s[i] == '.' || s[i] == ',') && isDigit(s[i+1]) {
		i = skipDigits(s, i+1)
	}
	return i, i > start
}

// continuesNumber reports whether rest, right after a number, carries on
// with more of one ("0.2.5", "250µm5"), which makes the whole unreadable.
func continuesNumber(rest string) bool {
	if rest != "" && (rest[0] == '.' || rest[0] == ',') {
		rest = rest[1:]
	}
	return rest != "" && isDigit(rest[0])
}

// tokensIn returns how many leading tokens start within the first n bytes.
func (m *message) tokensIn(n int) int {
	j := 0
	for j < len(m.toks) && m.toks[j].start < n {
		j++
	}
	return j
}

// parseDecimal reads digits with at most one "." or "," separator. Long
// digit strings are refused before strconv sees them, so no input can turn
// into Inf or lose precision silently.
func parseDecimal(s string) (float64, bool) {
	if s == "" || len(s) > 12 {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// checkSize keeps a length within what home rollers come in, rounded to
// micrometres, or explains the refusal quoting what the user wrote.
func checkSize(mm float64, valid bool, lit string) sizeHit {
	mm = math.Round(mm*1000) / 1000
	if !valid || mm < minNeedleMM || mm > maxNeedleMM {
		return sizeHit{problem: text.ClipAtSpace(lit, 16) + " is not a needle length I can log: home rollers are 0.2–3 mm (the guidance suggests 0.25 mm)."}
	}
	return sizeHit{mm: mm}
}

// unreadableSize explains that the first word of /log was meant as a length.
func unreadableSize(field string) string {
	return "I couldn't read “" + text.ClipAtSpace(field, 16) + "” as a needle length — try something like /log 0.25."
}
