package diary

import (
	"strconv"
	"strings"
	"time"
)

// EveningHour is when a session on a day without a clock time is logged,
// because home rolling is an evening routine.
const EveningHour = 21

// clock is a time of day named in a message.
type clock struct {
	h, m     int
	set      bool
	bare     bool // a plain hour after "at", with neither minutes nor am/pm: "at 10"
	meridiem bool // am or pm was given
	h24      bool // written the 24-hour way: "08:30", "20:30", "0:15"
}

// twelveHour reports whether the clock could be either half of the day: "8:30", "at 8".
func (c clock) twelveHour() bool {
	return !c.meridiem && !c.h24 && c.h >= 1 && c.h <= 12
}

type refKind uint8

const (
	refNow   refKind = iota // "now", "tonight", "today": now, or today at the clock time given
	refDay                  // a calendar day: "yesterday", "monday", "20/11"
	refAgo                  // a span back from now: "2 hours ago"
	refClock                // only a time of day: "at 9pm"
)

// timeRef is a time phrase before it is pinned to an instant.
type timeRef struct {
	kind       refKind
	y          int
	mo         time.Month
	d          int
	def        int // hour for a refDay without a clock
	at         clock
	ago        time.Duration
	evening    bool   // the phrase is about an evening, so a bare hour from 5 to 11 is pm
	nightAfter bool   // "last night at 1am": an hour before 05:00 belongs to the next calendar day
	dateOnly   bool   // an explicit date: when it is today and has no clock, it means now
	named      bool   // a weekday or a date, which needs "on" in a sentence
	bad        string // the phrase looks like a date but is not one; the sentence for the user
	vague      []int  // the phrase names no one day ("the other day"): these day offsets, newest first
}

// timeHit is the first time phrase of a message, pinned to an instant.
type timeHit struct {
	at      time.Time
	text    string      // as written, for asking back
	problem string      // why it cannot be logged: future, too old, no such date
	onDay   bool        // the phrase is a bare weekday or date, read as "on …"
	days    []time.Time // a vague phrase: the days it may mean, at EveningHour, newest first
}

// findTime claims the first time phrase in the message that is not in a
// clause about a plan, so "rolled 0.25, will do again friday" is not logged
// on friday. Later ones stay in the note, where "felt fine this morning"
// still makes sense.
func (m *message) findTime(now time.Time) (timeHit, bool) {
	plan, later := false, false
	for i := 0; i < len(m.toks); i++ {
		if m.isBreak(i) {
			plan, later = false, true
		}
		ref, end, ok := m.timeAt(i, now)
		if ok && (plan || (later && m.key(i) == "in")) {
			// "will do again at 21:30", "…, have a date in 2 hours": not when the session was.
			i = end - 1
			continue
		}
		if !ok {
			plan = plan || m.intentTrigger(i)
			continue
		}
		m.claim(i, end, byTime)
		hit := timeHit{text: m.span(i, end), problem: ref.bad}
		switch m.toks[i].key {
		case "on", "last", "next", "the":
		default:
			hit.onDay = ref.named
		}
		if len(ref.vague) > 0 {
			y, mo, d := now.Date()
			for _, off := range ref.vague {
				day := localTime(y, mo, d+off, EveningHour, 0, now.Location())
				if day.After(now) {
					day = now
				}
				hit.days = append(hit.days, day)
			}
			if len(hit.days) == 1 {
				hit.at, hit.days = hit.days[0], nil
			}
			return hit, true
		}
		if ref.bad == "" {
			hit.at = ref.resolve(now)
			switch {
			case hit.at.After(now):
				hit.problem = msgFuture
			case hit.at.Before(now.AddDate(-1, 0, 0)):
				hit.problem = msgTooOld
			}
		}
		return hit, true
	}
	return timeHit{}, false
}

// timeAt reads a time phrase starting at token i: a day with an optional
// clock after it ("yesterday at 10pm") or a clock with an optional day after
// it ("10pm last night"), or a clock alone.
func (m *message) timeAt(i int, now time.Time) (timeRef, int, bool) {
	if ref, end, ok := m.dayAt(i, now); ok {
		if ref.kind == refNow || (ref.kind == refDay && ref.bad == "") {
			if c, end2, ok := m.clockAt(end); ok {
				ref.at, end = c, end2
			}
		}
		return ref, end, true
	}
	c, end, ok := m.clockAt(i)
	if !ok {
		return timeRef{}, 0, false
	}
	if ref, end2, ok := m.dayAt(end, now); ok && (ref.kind == refNow || (ref.kind == refDay && ref.bad == "")) {
		ref.at, ref.named = c, false // "9pm monday" does not read "on 9pm monday"
		return ref, end2, true
	}
	return timeRef{kind: refClock, at: c}, end, true
}

// resolve pins the phrase to an instant in now's location.
func (r timeRef) resolve(now time.Time) time.Time {
	loc := now.Location()
	c := r.at
	// "7:15 tonight", "at 10 last night": an evening phrase makes an hour without am or pm the
	// evening's, from 5 to 11 (1 to 4 stay the small hours: "last night at 2").
	if r.evening && !c.meridiem && c.h >= 5 && c.h < 12 {
		c.h += 12
	}
	switch r.kind {
	case refAgo:
		return now.Add(-r.ago)
	case refClock:
		// The most recent time it was that o'clock: "at 8:30" said at 22:10 is 20:30, said at
		// 09:00 it is 08:30; one that says am or pm, or is 24-hour, has one reading.
		y, mo, d := now.Date()
		var best time.Time
		for _, h := range c.readings() {
			for _, back := range []int{0, -1} {
				if t := localTime(y, mo, d+back, h, c.m, loc); !t.After(now) && t.After(best) {
					best = t
				}
			}
		}
		return best
	case refNow:
		if !c.set {
			return now
		}
		y, mo, d := now.Date()
		var best time.Time
		for _, h := range c.readings() {
			if t := localTime(y, mo, d, h, c.m, loc); best.IsZero() || (!t.After(now) && (best.After(now) || t.After(best))) {
				best = t
			}
		}
		return best
	}
	y, mo, d := r.y, r.mo, r.d
	switch {
	case !c.set:
		c = clock{h: r.def, set: true}
	case r.nightAfter && c.h < 5:
		d++
	case c.twelveHour() && c.h < 12 && r.def >= 12:
		c.h += 12 // "yesterday at 8": people roll in the evening
	}
	t := localTime(y, mo, d, c.h, c.m, loc)
	if r.dateOnly && !r.at.set && t.After(now) {
		if ny, nmo, nd := now.Date(); ny == y && nmo == mo && nd == d {
			return now
		}
	}
	return t
}

// readings are the hours a clock may mean: both halves of the day for "8:30", one otherwise.
func (c clock) readings() []int {
	if c.twelveHour() && c.h < 12 {
		return []int{c.h, c.h + 12}
	}
	return []int{c.h}
}

// localTime is time.Date with a documented choice at daylight-saving changes,
// where time.Date itself does not promise which offset it uses: a wall time
// that happens twice is the earlier instant, and one that never happens is
// read with the offset in force before the change (02:30 becomes 03:30).
func localTime(y int, mo time.Month, d, h, mi int, loc *time.Location) time.Time {
	wall := time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
	var best time.Time
	found := false
	// A day either side is outside any one transition and never spans two.
	for _, probe := range []time.Duration{-24 * time.Hour, 24 * time.Hour} {
		_, off := wall.Add(probe).In(loc).Zone()
		c := wall.Add(-time.Duration(off) * time.Second).In(loc)
		if c.Hour() == h && c.Minute() == mi && c.Day() == wall.Day() && (!found || c.Before(best)) {
			best, found = c, true
		}
	}
	if found {
		return best
	}
	_, off := wall.Add(-24 * time.Hour).In(loc).Zone()
	return wall.Add(-time.Duration(off) * time.Second).In(loc)
}

var (
	weekdayNames = map[string]time.Weekday{
		"sunday": time.Sunday, "sun": time.Sunday,
		"monday": time.Monday, "mon": time.Monday,
		"tuesday": time.Tuesday, "tue": time.Tuesday, "tues": time.Tuesday,
		"wednesday": time.Wednesday, "wed": time.Wednesday, "weds": time.Wednesday,
		"thursday": time.Thursday, "thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday,
		"friday": time.Friday, "fri": time.Friday,
		"saturday": time.Saturday, "sat": time.Saturday,
	}
	monthNames = map[string]time.Month{
		"january": time.January, "jan": time.January,
		"february": time.February, "feb": time.February,
		"march": time.March, "mar": time.March,
		"april": time.April, "apr": time.April,
		"may":  time.May,
		"june": time.June, "jun": time.June,
		"july": time.July, "jul": time.July,
		"august": time.August, "aug": time.August,
		"september": time.September, "sep": time.September, "sept": time.September,
		"october": time.October, "oct": time.October,
		"november": time.November, "nov": time.November,
		"december": time.December, "dec": time.December,
	}
	partOfDay = map[string]int{
		"morning": 8, "afternoon": 14, "evening": EveningHour, "eve": EveningHour,
		"night": EveningHour, "nite": EveningHour,
	}
	countWords = map[string]int{
		"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
		"six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "couple": 2, "few": 3, "several": 4, "some": 3,
	}
	// vagueCounts name no one number: "a few days ago" is one of several days.
	vagueCounts = set("few", "several", "some", "couple")
	dayUnits    = map[string]int{"day": 1, "days": 1, "night": 1, "nights": 1, "week": 7, "weeks": 7}
	// otherDay after "the other" make it vague: "the other day", "the other night".
	otherDay     = set("day", "night", "evening", "morning")
	nightWords   = set("night", "nite", "evening", "night's")
	tonightWords = set("tonight", "tonite", "2nite", "2night", "tnite", "tonigh", "tonght")
	spanUnits    = map[string]time.Duration{
		"hour": time.Hour, "hours": time.Hour, "hr": time.Hour, "hrs": time.Hour, "h": time.Hour,
		"minute": time.Minute, "minutes": time.Minute, "min": time.Minute, "mins": time.Minute,
	}
	yesterdayWords = set("yesterday", "yday", "yesterdy", "yest", "ystd", "yesteday", "yestarday", "yestreday")
	tomorrowWords  = set("tomorrow", "tmrw", "tmr", "tomorow", "tommorow", "tommorrow", "2moro", "tmw")
	ordinals       = set("st", "nd", "rd", "th")
	clockPrefixes  = set("at", "@", "around", "about", "approx", "approximately", "~", "ca")
)

// dayAt reads the day part of a time phrase at token i.
func (m *message) dayAt(i int, now time.Time) (timeRef, int, bool) {
	y, mo, d := now.Date()
	day := func(offset int) timeRef {
		return timeRef{kind: refDay, y: y, mo: mo, d: d + offset, def: EveningHour}
	}
	k, next := m.key(i), m.key(i+1)
	switch {
	case k == "":
		return timeRef{}, 0, false
	case (k == "on" || k == "the") && !(k == "the" && next == "other") && !(k == "last" && nightWords[next]):
		if ref, end, ok := m.dayAt(i+1, now); ok && ref.kind == refDay {
			return ref, end, true
		}
		if !(k == "on" && next == "the") {
			return timeRef{}, 0, false
		}
	case k == "now":
		return timeRef{kind: refNow}, i + 1, true
	case (k == "right" || k == "just") && next == "now":
		return timeRef{kind: refNow}, i + 2, true
	case tonightWords[k]:
		return eveningRef(now, day), i + 1, true
	case m.toks[i].kind == tNum && m.toks[i].text == "2" && (next == "nite" || next == "night") && m.glued(i+1):
		return eveningRef(now, day), i + 2, true // "2nite"
	case k == "today":
		return timeRef{kind: refNow}, i + 1, true
	case k == "earlier" && next == "this" && (m.key(i+2) == "evening" || m.key(i+2) == "eve"):
		return eveningRef(now, day), i + 3, true
	case (k == "earlier" || k == "sometime" || k == "some") && next == "this" && m.key(i+2) == "week":
		return vagueRef(thisWeek(now)), i + 3, true
	case k == "earlier":
		if next == "today" {
			return timeRef{kind: refNow}, i + 2, true
		}
		return timeRef{kind: refNow}, i + 1, true
	case k == "this":
		switch next {
		case "evening", "eve":
			return eveningRef(now, day), i + 2, true
		case "morning":
			if now.Hour() < smallHours {
				// No morning has passed yet today: yesterday's, or the small hours just gone?
				return timeRef{kind: refDay, vague: []int{0, -1}}, i + 2, true
			}
			r := day(0)
			r.def = min(partOfDay[next], now.Hour())
			return r, i + 2, true
		case "afternoon":
			r := day(0)
			r.def = partOfDay[next]
			return r, i + 2, true
		case "week":
			return vagueRef(thisWeek(now)), i + 2, true
		case "weekend":
			return vagueRef(weekend(now, 0)), i + 2, true
		}
	case k == "last":
		switch next {
		case "night", "nite", "evening", "night's", "nights":
			r := day(-1)
			r.evening, r.nightAfter = true, true
			return r, i + 2, true
		case "week":
			return vagueRef(lastWeek(now)), i + 2, true
		case "weekend":
			return vagueRef(weekend(now, 1)), i + 2, true
		}
		if wd, ok := weekdayNames[next]; ok {
			return m.withPart(weekdayRef(now, wd, -1), i+2)
		}
	case (k == "other" && otherDay[next]) || (k == "the" && next == "other" && otherDay[m.key(i+2)]):
		end := i + 2
		if k == "the" {
			end++
		}
		return vagueRef([]int{-2, -3, -4, -5, -6}), end, true
	case k == "recently" || (k == "a" && next == "while" && m.key(i+2) == "ago") || (k == "not" && next == "long" && m.key(i+2) == "ago"):
		end := i + 1
		if k != "recently" {
			end = i + 3
		}
		return vagueRef([]int{-1, -2, -3, -4, -5, -6}), end, true
	case (k == "sometime" || k == "earlier") && next == "last" && m.key(i+2) == "week":
		return vagueRef(lastWeek(now)), i + 3, true
	case (k == "over" || k == "at" || k == "on") && next == "the" && m.key(i+2) == "weekend":
		return vagueRef(weekend(now, 0)), i + 3, true
	case k == "next":
		if next == "week" {
			return day(7), i + 2, true
		}
		if wd, ok := weekdayNames[next]; ok {
			return m.withPart(weekdayRef(now, wd, 1), i+2)
		}
	case yesterdayWords[k]:
		return m.withPart(day(-1), i+1)
	case tomorrowWords[k]:
		return m.withPart(day(1), i+1)
	case k == "day" && next == "before" && yesterdayWords[m.key(i+2)]:
		return day(-2), i + 3, true
	case k == "in":
		return m.spanAt(i+1, now, 1)
	}
	if wd, ok := weekdayNames[k]; ok && m.weekdayMeant(i) {
		return m.withPart(weekdayRef(now, wd, -1), i+1)
	}
	if ref, end, ok := m.spanAt(i, now, -1); ok {
		return ref, end, true
	}
	return m.dateAt(i, now)
}

// smallHours is when the night ends: before it, "tonight" and "this evening" are the evening
// just gone, and no morning has passed yet today.
const smallHours = 5

// eveningRef is "tonight" or "this evening": now, or an evening hour today; in the small hours,
// the evening before.
func eveningRef(now time.Time, day func(int) timeRef) timeRef {
	if now.Hour() < smallHours {
		r := day(-1)
		r.evening, r.nightAfter = true, true
		return r
	}
	return timeRef{kind: refNow, evening: true}
}

// vagueRef is a phrase that names several days; with only one, it is that day.
func vagueRef(offsets []int) timeRef {
	return timeRef{kind: refDay, vague: offsets}
}

// thisWeek is the days of this week (from Monday) before today, newest first; on a Monday,
// today.
func thisWeek(now time.Time) []int {
	back := (int(now.Weekday()) + 6) % 7 // days since Monday
	if back == 0 {
		return []int{0}
	}
	var out []int
	for d := -1; d >= -back; d-- {
		out = append(out, d)
	}
	return out
}

// lastWeek is the seven days of last week, Sunday first.
func lastWeek(now time.Time) []int {
	back := (int(now.Weekday()) + 6) % 7
	var out []int
	for d := -back - 1; d >= -back-7; d-- {
		out = append(out, d)
	}
	return out
}

// weekend is the Saturday and Sunday of the latest weekend that has begun, or with skip 1 and
// said on a weekend, of the one before it; without days still to come, newest first.
func weekend(now time.Time, skip int) []int {
	sat := -((int(now.Weekday()) + 1) % 7) // the latest Saturday, today included
	if wd := now.Weekday(); wd == time.Saturday || wd == time.Sunday {
		sat -= 7 * skip // "last weekend" said on a weekend is the one before
	}
	out := []int{sat + 1, sat}
	if sat+1 > 0 {
		out = out[1:]
	}
	return out
}

// weekdayMeant tells a weekday from a word that merely looks like one:
// full names always count, "sun" or "sat" only as "on sun" or "sat night".
func (m *message) weekdayMeant(i int) bool {
	if len(m.toks[i].key) > 5 {
		return true
	}
	if i > 0 && (m.toks[i-1].key == "on" || m.toks[i-1].key == "last" || m.toks[i-1].key == "next") {
		return true
	}
	_, ok := partOfDay[m.key(i+1)]
	return ok
}

// withPart adds an optional "morning", "afternoon", "evening" or "night"
// after a day.
func (m *message) withPart(r timeRef, end int) (timeRef, int, bool) {
	if h, ok := partOfDay[m.key(end)]; ok {
		r.def = h
		r.evening = h >= 18
		r.nightAfter = r.evening
		end++
	}
	return r, end, true
}

// weekdayRef is the most recent wd before today (dir -1) or the next one
// after today (dir 1); "monday" said on a Monday means a week ago.
func weekdayRef(now time.Time, wd time.Weekday, dir int) timeRef {
	diff := (int(now.Weekday()) - int(wd) + 7) % 7
	if dir > 0 {
		diff = (int(wd) - int(now.Weekday()) + 7) % 7
	}
	if diff == 0 {
		diff = 7
	}
	y, mo, d := now.Date()
	return timeRef{kind: refDay, y: y, mo: mo, d: d + dir*diff, def: EveningHour, named: true}
}

// spanAt reads "2 days ago", "an hour ago" (dir -1) or, after "in",
// "2 hours" (dir 1), at token i.
func (m *message) spanAt(i int, now time.Time, dir int) (timeRef, int, bool) {
	n, j, ok := m.countAt(i)
	if !ok {
		return timeRef{}, 0, false
	}
	unit := m.key(j)
	end := j + 1
	if dir < 0 {
		if m.key(end) != "ago" {
			return timeRef{}, 0, false
		}
		end++
	}
	if days, ok := dayUnits[unit]; ok {
		if dir < 0 && days == 1 && (vagueCounts[m.key(i)] || vagueCounts[m.key(i+1)]) {
			return vagueRef([]int{-2, -3, -4, -5}), end, true // "a few days ago"
		}
		if dir < 0 && days == 7 && (vagueCounts[m.key(i)] || vagueCounts[m.key(i+1)]) {
			return vagueRef([]int{-14, -21, -28}), end, true // "a few weeks ago"
		}
		y, mo, d := now.Date()
		return timeRef{kind: refDay, y: y, mo: mo, d: d + dir*n*days, def: EveningHour}, end, true
	}
	if dur, ok := spanUnits[unit]; ok {
		return timeRef{kind: refAgo, ago: -time.Duration(dir*n) * dur}, end, true
	}
	return timeRef{}, 0, false
}

// countAt reads a small count: "2", "two", "a", "a couple of", "a few".
func (m *message) countAt(i int) (int, int, bool) {
	if text, ok := m.numAt(i); ok {
		if len(text) > 4 || strings.ContainsAny(text, ".,") {
			return 0, 0, false
		}
		n, _ := strconv.Atoi(text)
		return n, i + 1, true
	}
	k := m.key(i)
	if k == "a" && (m.key(i+1) == "couple" || m.key(i+1) == "few") {
		i, k = i+1, m.key(i+1)
	}
	n, ok := countWords[k]
	if !ok {
		return 0, 0, false
	}
	if k == "couple" && m.key(i+1) == "of" {
		i++
	}
	return n, i + 1, true
}

// dateAt reads an explicit date at token i: "2026-11-20", "20/11",
// "20/11/26", "20.11.", "20.11.2026", "nov 20", "20th of november".
func (m *message) dateAt(i int, now time.Time) (timeRef, int, bool) {
	if text, ok := m.numAt(i); ok {
		if ref, end, ok := m.numericDate(i, text, now); ok {
			return ref, end, true
		}
		j := i + 1
		ordinal := ordinals[m.gluedKey(j)]
		if ordinal {
			j++
		}
		if m.key(j) == "of" {
			j++
		}
		mo, ok := monthNames[m.key(j)]
		if !ok && ordinal && j == i+2 && i > 0 && (m.toks[i-1].key == "the" || m.toks[i-1].key == "on") && isInt(text, 2) {
			return dayOfMonth(now, atoi(text)), j, true // "on the 20th"
		}
		if !ok || !isInt(text, 2) {
			return timeRef{}, 0, false
		}
		j = m.skipGluedDot(j + 1)
		yr, end := m.yearAt(j)
		return calendarDay(now, yr, mo, atoi(text)), end, true
	}
	mo, ok := monthNames[m.key(i)]
	if !ok {
		return timeRef{}, 0, false
	}
	j := m.skipGluedDot(i + 1)
	text, ok := m.numAt(j)
	if !ok || !isInt(text, 2) {
		return timeRef{}, 0, false
	}
	j++
	if ordinals[m.gluedKey(j)] {
		j++
	}
	yr, end := m.yearAt(j)
	return calendarDay(now, yr, mo, atoi(text)), end, true
}

func (m *message) skipGluedDot(j int) int {
	if m.gluedKey(j) == "." {
		return j + 1
	}
	return j
}

// numericDate reads the all-digit date forms starting with number text at token i.
func (m *message) numericDate(i int, text string, now time.Time) (timeRef, int, bool) {
	// 2026-11-20
	if isInt(text, 4) && len(text) == 4 && m.gluedKey(i+1) == "-" && m.gluedKey(i+3) == "-" {
		mt, ok1 := m.gluedNum(i + 2)
		dt, ok2 := m.gluedNum(i + 4)
		if ok1 && ok2 && isInt(mt, 2) && isInt(dt, 2) {
			return shapedDate(now, atoi(text), atoi(mt), atoi(dt), i+5)
		}
	}
	// 20/11, 20/11/26, 20/11/2026
	if isInt(text, 2) && m.gluedKey(i+1) == "/" {
		mt, ok := m.gluedNum(i + 2)
		if !ok || !isInt(mt, 2) {
			return timeRef{}, 0, false
		}
		yr, end := 0, i+3
		if yt, ok := m.gluedNum(i + 4); ok && m.gluedKey(i+3) == "/" && isYear(yt) {
			yr, end = fullYear(yt), i+5
		}
		return shapedDate(now, yr, atoi(mt), atoi(text), end)
	}
	// 20.11. and 20.11.2026; the number token is "20.11" and the dot follows it.
	dt, mt, ok := strings.Cut(text, ".")
	if !ok || !isInt(dt, 2) || !isInt(mt, 2) || m.gluedKey(i+1) != "." {
		return timeRef{}, 0, false
	}
	if yt, ok := m.gluedNum(i + 2); ok && isYear(yt) {
		return shapedDate(now, fullYear(yt), atoi(mt), atoi(dt), i+3)
	}
	if text == "1.5" || text == "2.5" {
		return timeRef{}, 0, false // common needle sizes at the end of a sentence
	}
	return shapedDate(now, 0, atoi(mt), atoi(dt), i+2)
}

// shapedDate accepts day and month numbers that look like a date at all; a
// look-alike that is not in the calendar (31/11) is a date the user got wrong.
func shapedDate(now time.Time, yr, mo, d, end int) (timeRef, int, bool) {
	if mo < 1 || mo > 12 || d < 1 || d > 31 {
		return timeRef{}, 0, false
	}
	return calendarDay(now, yr, time.Month(mo), d), end, true
}

// calendarDay is a date at 21:00; without a year it is the most recent such
// date that is not after today.
func calendarDay(now time.Time, yr int, mo time.Month, d int) timeRef {
	if yr == 0 {
		yr = now.Year()
		if mo > now.Month() || (mo == now.Month() && d > now.Day()) {
			yr--
		}
	}
	if d < 1 || d > 31 || yr < 1 || yr > 9999 {
		return timeRef{kind: refDay, bad: msgNoSuchDate}
	}
	if t := time.Date(yr, mo, d, 12, 0, 0, 0, time.UTC); t.Day() != d {
		return timeRef{kind: refDay, bad: msgNoSuchDate}
	}
	return timeRef{kind: refDay, y: yr, mo: mo, d: d, def: EveningHour, dateOnly: true, named: true}
}

// dayOfMonth is the most recent day d of a month: this month's, or last
// month's when this month's is still to come.
func dayOfMonth(now time.Time, d int) timeRef {
	month := time.Date(now.Year(), now.Month(), 1, 12, 0, 0, 0, time.UTC)
	if d > now.Day() {
		month = month.AddDate(0, -1, 0)
	}
	return calendarDay(now, month.Year(), month.Month(), d)
}

// yearAt reads an optional four-digit year, maybe after a comma.
func (m *message) yearAt(j int) (int, int) {
	k := j
	if m.key(k) == "," {
		k++
	}
	if text, ok := m.numAt(k); ok && isInt(text, 4) && len(text) == 4 {
		return atoi(text), k + 1
	}
	return 0, j
}

func (m *message) gluedNum(i int) (string, bool) {
	if !m.glued(i) {
		return "", false
	}
	return m.numAt(i)
}

// clockAt reads a time of day at token i: "at 9", "9pm", "9 p.m.", "21:30",
// "9:30pm", "at 9.30", "21h", "noon". A plain number needs "at" before it.
func (m *message) clockAt(i int) (clock, int, bool) {
	j := i
	prefixed := clockPrefixes[m.key(j)]
	if prefixed {
		j++
	}
	switch m.key(j) {
	case "noon", "midday":
		return clock{h: 12, set: true}, j + 1, true
	case "midnight":
		return clock{h: 0, set: true}, j + 1, true
	}
	text, ok := m.numAt(j)
	if !ok {
		return clock{}, 0, false
	}
	var h, mi int
	k := j + 1
	colon, dotted := false, false
	if hs, ms, ok := strings.Cut(text, "."); ok {
		if !isInt(hs, 2) || len(ms) != 2 {
			return clock{}, 0, false
		}
		h, mi, dotted = atoi(hs), atoi(ms), true
	} else {
		if !isInt(text, 2) {
			return clock{}, 0, false
		}
		h = atoi(text)
		if m.gluedKey(k) == ":" {
			if mt, ok := m.gluedNum(k + 1); ok && len(mt) == 2 && isInt(mt, 2) {
				mi, colon, k = atoi(mt), true, k+2
			}
		}
	}
	meridiem, k := m.meridiemAt(k)
	hSuffix := false
	if meridiem == "" {
		switch {
		case m.gluedKey(k) == "h" && !dotted:
			hSuffix, k = true, k+1
		case m.key(k) == "o'clock" || m.key(k) == "oclock":
			k++
		}
	}
	c := clock{h: h, m: mi, set: true, meridiem: meridiem != "", h24: h == 0 || h > 12 || strings.HasPrefix(text, "0")}
	switch {
	case meridiem != "":
		if h < 1 || h > 12 {
			return clock{}, 0, false
		}
		if meridiem == "pm" && h < 12 {
			c.h += 12
		} else if meridiem == "am" && h == 12 {
			c.h = 0
		}
	case dotted:
		// Only "at 9.30" with an hour above any needle size, so "at 0.25" stays a size.
		if !prefixed || h <= 3 {
			return clock{}, 0, false
		}
	case colon || hSuffix:
	case prefixed:
		c.bare = true
	default:
		return clock{}, 0, false
	}
	if c.h > 23 || c.m > 59 {
		return clock{}, 0, false
	}
	return c, k, true
}

// meridiemAt reads "am", "pm", "a.m." or "p.m." at token k.
func (m *message) meridiemAt(k int) (string, int) {
	switch m.key(k) {
	case "am", "pm":
		return m.key(k), k + 1
	case "a", "p":
		if m.gluedKey(k+1) == "." && m.gluedKey(k+2) == "m" {
			end := k + 3
			if m.gluedKey(end) == "." {
				end++
			}
			return m.key(k) + "m", end
		}
	}
	return "", k
}

// isInt reports whether s is 1 to max digits and nothing else.
func isInt(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// atoi converts a string already checked by isInt.
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// isYear reports whether s is a two- or four-digit year.
func isYear(s string) bool {
	return (len(s) == 2 || len(s) == 4) && isInt(s, 4)
}

// fullYear reads a two- or four-digit year; "26" is 2026.
func fullYear(s string) int {
	if len(s) == 2 {
		return 2000 + atoi(s)
	}
	return atoi(s)
}
