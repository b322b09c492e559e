// Package picture draws a month of a user's micro-needling diary as a calendar
// heat-map PNG, for /stats and /month, together with a one-line text
// alternative for screen readers ([Alt]).
//
// The picture has one rounded square per day in rows of calendar weeks, Monday
// to Sunday, the weeks the bot counts against the weekly limit. A square's
// shade grows with the sessions logged that day (none, 1, 2, 3 or more; 2 and
// up also print "×N"), and at the right end of each row stands the week's count
// against the limit: a week over it gets a warning bar and a bold "6/5". A
// warning-coloured corner marks a day with a needle longer than 0.25 mm, a
// hatched square a break day (a pause, not a missed day), a dark ring today,
// and a plain outline the days still to come. The day's aftercare check-in
// sits in the bottom-left corner: a ring for fine, a dot for a bit red and a
// warning disc with "!" for irritated. A title, the time zone the days were
// counted in and a legend of every mark frame the grid.
//
// Why it looks the way it does:
//   - Chat apps show a picture on a light or a dark theme, so it is drawn on its
//     own opaque, near-white card with dark text rather than relying on
//     transparency.
//   - The shades are one sequential teal-to-navy ramp that grows darker with
//     the count, which stays in order for every kind of colour blindness and in
//     greyscale; the only other hue is orange, for warnings, and every warning
//     also has a shape or text of its own, so nothing is told by colour alone.
//   - 720 px wide suits a phone screen at its native resolution.
//   - The picture is an [image.Paletted]: it has a few flat colours plus their
//     anti-aliased blends (coverage is quantised to 8 steps to keep the palette
//     within 256 colours), which encodes to a PNG of a few tens of kilobytes in
//     a few milliseconds, much smaller and faster than RGBA.
//   - The Go fonts are embedded (golang.org/x/image/font/gofont), so the
//     picture looks the same on every machine and needs no files at run time.
//
// The package depends only on the standard library and golang.org/x/image, so
// callers fill a [Month] from plain data.
package picture

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Month is what one picture shows: one calendar month of one user's diary.
type Month struct {
	Year  int        // 1 to 9999
	Month time.Month // January to December
	// Zone is the time zone the days were counted in, shown in the header,
	// such as "Europe/Paris": at most 40 characters, none of them a control
	// character. Empty shows none.
	Zone string
	// Today is the day of the month to outline, or 0 when today is not in this
	// month. The days after it are drawn as still to come unless they hold
	// sessions or a break.
	Today int
	// Days holds one entry per day of the month: Days[0] is the 1st.
	Days []Day
	// WeekLimit is the most sessions a week the guidance suggests (at least 1);
	// a week with more is marked.
	WeekLimit int
	// SessionsBefore and SessionsAfter are the sessions on the days of the
	// first and the last row that fall in the previous and the next month.
	// Those days are not drawn, but they count toward their week's total, so
	// that the row agrees with the weekly count the bot tells elsewhere.
	SessionsBefore, SessionsAfter int
}

// Day is one day of a [Month].
type Day struct {
	Sessions  int     // sessions logged that day, 0 to 99
	MaxNeedle float64 // the longest needle logged that day in mm; 0 when unknown
	Break     bool    // the user paused: a break day is not a missed day
	Check     Check   // the day's aftercare check-in answer
}

// Check is the answer to a day's aftercare check-in.
type Check uint8

// The aftercare check-in answers.
const (
	CheckNone      Check = iota // no answer
	CheckFine                   // fine
	CheckRed                    // a bit red
	CheckIrritated              // irritated
)

// BigNeedle is the needle length in mm above which a day is marked: longer
// needles are for a clinic, not for home.
const BigNeedle = 0.25

// ErrInvalid is wrapped by the error [Render] returns for a [Month] it cannot draw.
var ErrInvalid = errors.New("picture: invalid month")

// Render draws m as a PNG. It returns an error wrapping [ErrInvalid] when m is
// out of range: a month outside 1 to 12, a year outside 1 to 9999, a number of
// days other than the month's, a count of sessions outside 0 to 99 (0 to 999
// for SessionsBefore and SessionsAfter, and 0 where the row has no such days),
// a negative needle length, an unknown check-in, Today past the month's end,
// WeekLimit below 1 or a Zone too long to fit.
func Render(m Month) ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	img, err := draw(m)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(64 << 10)
	if err := encoder.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("picture: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// encoder compresses at the default level: on a paletted picture it takes
// about 4 ms; the best level takes ten times as long for 10% less.
var encoder = png.Encoder{CompressionLevel: png.DefaultCompression}

func (m Month) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
	}
	if m.Month < time.January || m.Month > time.December {
		return bad("month %d is not 1 to 12", int(m.Month))
	}
	if m.Year < 1 || m.Year > 9999 {
		return bad("year %d is not 1 to 9999", m.Year)
	}
	n := daysIn(m.Year, m.Month)
	if len(m.Days) != n {
		return bad("%s %d has %d days, not %d", m.Month, m.Year, n, len(m.Days))
	}
	if m.Today < 0 || m.Today > n {
		return bad("today is day %d of %s, which has %d", m.Today, m.Month, n)
	}
	if utf8.RuneCountInString(m.Zone) > maxZone || strings.ContainsFunc(m.Zone, unicode.IsControl) || !utf8.ValidString(m.Zone) {
		return bad("zone %q is not a name of at most %d printable characters", m.Zone, maxZone)
	}
	if m.WeekLimit < 1 {
		return bad("the week limit is %d, not at least 1", m.WeekLimit)
	}
	lead, rows := layoutRows(m.Year, m.Month)
	switch {
	case m.SessionsBefore < 0 || m.SessionsBefore > maxOutside || m.SessionsAfter < 0 || m.SessionsAfter > maxOutside:
		return bad("sessions before (%d) and after (%d) the month are not 0 to %d", m.SessionsBefore, m.SessionsAfter, maxOutside)
	case lead == 0 && m.SessionsBefore != 0:
		return bad("%s %d starts on a Monday, so no day before it can hold sessions", m.Month, m.Year)
	case rows*7 == lead+n && m.SessionsAfter != 0:
		return bad("%s %d ends on a Sunday, so no day after it can hold sessions", m.Month, m.Year)
	}
	for i, d := range m.Days {
		switch {
		case d.Sessions < 0 || d.Sessions > maxSessions:
			return bad("day %d has %d sessions, not 0 to %d", i+1, d.Sessions, maxSessions)
		case d.MaxNeedle < 0 || math.IsNaN(d.MaxNeedle) || math.IsInf(d.MaxNeedle, 0):
			return bad("day %d has a needle of %v mm", i+1, d.MaxNeedle)
		case d.Check > CheckIrritated:
			return bad("day %d has check-in %d, not one of the Check constants", i+1, d.Check)
		}
	}
	return nil
}

// The most sessions a day and on the days outside the month, and the longest
// zone: the picture has room for "×99" in a square, "999/5" at the end of a row
// and a zone of 40 characters in the header.
const (
	maxSessions = 99
	maxOutside  = 999
	maxZone     = 40 // the longest IANA names have 30, and 40 fit beside the title
)

// daysIn is the number of days in the month.
func daysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// layoutRows returns how many of the first row's days fall in the previous
// month (the 1st's weekday counted from Monday) and how many rows the month
// spans.
func layoutRows(year int, month time.Month) (lead, rows int) {
	lead = (int(time.Date(year, month, 1, 0, 0, 0, 0, time.UTC).Weekday()) + 6) % 7
	return lead, (lead + daysIn(year, month) + 6) / 7
}

// weekTotals returns each row's sessions, SessionsBefore and SessionsAfter
// included. m must be valid.
func weekTotals(m Month) []int {
	lead, rows := layoutRows(m.Year, m.Month)
	totals := make([]int, rows)
	totals[0] = m.SessionsBefore
	totals[rows-1] += m.SessionsAfter
	for i, d := range m.Days {
		totals[(lead+i)/7] += d.Sessions
	}
	return totals
}
