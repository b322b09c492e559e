package schedule

import "time"

// Next returns the first instant strictly after after at which the clock
// time c occurs on one of days in loc; the result is in loc.
//
// A local time that does not exist because a spring-forward change skips it
// fires at the first valid instant after it, the change itself (Berlin's
// 02:30 on its spring-forward day fires at 03:00 CEST). A local time that a
// fall-back change repeats fires once that day, at its first occurrence, and
// Next from that instant moves on to the next scheduled day. Put generally,
// each scheduled day fires at the first instant at which loc's wall clock
// reads that day's c or later. days == 0 means Daily, and a nil loc means
// UTC. c must be a valid Clock, as ParseClock returns.
//
// Next looks at most nine days ahead, which always suffices because the tz
// database never turns a clock back by more than a day; it returns the zero
// Time if it finds nothing there, so a corrupt zone cannot make it spin.
func Next(c Clock, days Weekdays, loc *time.Location, after time.Time) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	days = days.norm()
	y, m, d := after.In(loc).Date()
	// Earlier dates fire at or before after, because after's wall clock has
	// already passed them. A later date's first reading can precede after
	// only if the clock was turned back by more than a day, which the tz
	// database never does, so nine dates always contain the answer.
	for i := range 9 {
		wall := time.Date(y, m, d+i, c.Hour, c.Minute, 0, 0, time.UTC)
		if !days.Has(wall.Weekday()) {
			continue
		}
		if t := firstReading(wall.Unix(), loc); t.After(after) {
			return t
		}
	}
	return time.Time{}
}

// probe is how far before a wall time firstReading starts walking loc's
// zone periods; it exceeds every UTC offset the tz database has ever had, so
// the wall clock still reads less than wall there.
const probe = 48 * 60 * 60

// firstReading returns the first instant at which loc's wall clock reads
// wall (seconds since the epoch, as if the wall time were UTC) or later.
// That is wall's first occurrence if it exists, and otherwise the clock
// change that skips over it.
func firstReading(wall int64, loc *time.Location) time.Time {
	t := time.Unix(wall-probe, 0).In(loc)
	for {
		start, end := t.ZoneBounds()
		_, offset := t.Zone()
		off := int64(offset)
		// The period [start, end) shows wall times [start+off, end+off); one
		// that does not end after t is the last one that time.Time can
		// represent, where Unix seconds wrap around.
		if end.IsZero() || !end.After(t) || end.Unix()+off > wall {
			u := wall - off
			if !start.IsZero() && start.Unix() > u {
				u = start.Unix() // wall fell in the gap just before this period
			}
			return time.Unix(u, 0).In(loc)
		}
		t = end.In(loc)
	}
}

// SameDay reports whether a and b fall on the same calendar day in loc.
func SameDay(a, b time.Time, loc *time.Location) bool {
	ya, ma, da := a.In(loc).Date()
	yb, mb, db := b.In(loc).Date()
	return ya == yb && ma == mb && da == db
}
