package picture

import (
	"strconv"
	"strings"
)

// Alt returns the picture of m told in one line, for screen readers and for
// chats that show no pictures, such as
//
//	November 2026: 12 sessions on 11 days, 1 week over five, 1 day with a needle over 0.25 mm, 3 break days (Europe/Paris).
//
// A clause whose count is zero is left out. Alt reads what it can of an
// invalid m (one [Render] refuses) and never panics.
func Alt(m Month) string {
	var sessions, days, big, breaks, red, irritated int
	for _, d := range m.Days {
		sessions += max(d.Sessions, 0)
		if d.Sessions > 0 {
			days++
		}
		if d.MaxNeedle > BigNeedle {
			big++
		}
		if d.Break {
			breaks++
		}
		switch d.Check {
		case CheckRed:
			red++
		case CheckIrritated:
			irritated++
		}
	}
	over := 0
	if m.validate() == nil {
		for _, n := range weekTotals(m) {
			if n > m.WeekLimit {
				over++
			}
		}
	}

	var b strings.Builder
	b.WriteString(m.Month.String() + " " + strconv.Itoa(m.Year) + ": ")
	if sessions == 0 {
		b.WriteString("no sessions")
	} else {
		b.WriteString(count(sessions, "session") + " on " + count(days, "day"))
	}
	clause := func(n int, s string) {
		if n > 0 {
			b.WriteString(", " + s)
		}
	}
	clause(over, count(over, "week")+" over "+number(m.WeekLimit))
	clause(big, count(big, "day")+" with a needle over 0.25 mm")
	clause(breaks, count(breaks, "break day"))
	switch {
	case red > 0 && irritated > 0:
		clause(1, "skin a bit red on "+count(red, "day")+" and irritated on "+strconv.Itoa(irritated))
	case red > 0:
		clause(1, "skin a bit red on "+count(red, "day"))
	case irritated > 0:
		clause(1, "skin irritated on "+count(irritated, "day"))
	}
	if m.Zone != "" {
		b.WriteString(" (" + m.Zone + ")")
	}
	b.WriteString(".")
	return b.String()
}

// count is n and the noun, plural unless n is 1: "1 day", "3 break days".
func count(n int, noun string) string {
	if n != 1 {
		noun += "s"
	}
	return strconv.Itoa(n) + " " + noun
}

// number spells n from one to ten in words, as the guidance says "up to five
// a week", and larger ones in digits.
func number(n int) string {
	words := [...]string{"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}
	if n >= 1 && n <= len(words) {
		return words[n-1]
	}
	return strconv.Itoa(n)
}
