package commands

import (
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
)

func TestBreakKeepsAStreakButNeverMakesOne(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 21, 0, 0, 0, loc) }
	now := day(12, 3) // a Thursday
	// Three weeks with sessions, then two weeks away, then one session this week.
	var times []time.Time
	for _, d := range []int{2, 4, 9, 11, 16} { // the weeks of 2, 9 and 16 November
		times = append(times, day(11, d))
	}
	thisWeek := append(append([]time.Time(nil), times...), day(12, 1))
	holiday := []domain.Break{{From: "2026-11-21", To: "2026-11-29"}} // the weeks of 16 (its end) and 23 November
	for _, tc := range []struct {
		name   string
		times  []time.Time
		breaks []domain.Break
		want   int
	}{
		{"a gap breaks the streak", thisWeek, nil, 1},
		{"a break inside it keeps it", thisWeek, holiday, 4},
		{"the break is not counted", thisWeek, []domain.Break{{From: "2026-11-23", To: "2026-11-29"}}, 4},
		{"a break longer than the streak invents none", []time.Time{day(12, 1)}, []domain.Break{{From: "2026-09-01", To: "2026-11-29"}}, 1},
		{"a break alone is no streak", nil, []domain.Break{{From: "2026-11-23", To: "2026-12-03"}}, 0},
		{"a break this week waits for the run before it", times, []domain.Break{{From: "2026-11-23", To: "2026-12-06"}}, 3},
		{"a week over the limit still ends it", append(thisWeek, day(11, 3), day(11, 5), day(11, 6), day(11, 7)), holiday, 3},
	} {
		if got := computeStats(tc.times, tc.breaks, now, loc, 5).streak; got != tc.want {
			t.Errorf("%s: streak %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestParseBreak(t *testing.T) {
	today := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC) // a Thursday
	for in, want := range map[string]string{
		"5d": "2026-12-03..2026-12-07", "5 days": "2026-12-03..2026-12-07", "a week": "2026-12-03..2026-12-09",
		"2w": "2026-12-03..2026-12-16", "for 3 days": "2026-12-03..2026-12-05", "until sunday": "2026-12-03..2026-12-06",
		"till Thu": "2026-12-03..2026-12-10", "until 2026-12-24": "2026-12-03..2026-12-24", "until the 24th": "2026-12-03..2026-12-24",
		"until 2nd": "2026-12-03..2027-01-02", "until 5 jan": "2026-12-03..2027-01-05", "until january 5": "2026-12-03..2027-01-05",
		"until tomorrow": "2026-12-03..2026-12-04", "1d": "2026-12-03..2026-12-03",
	} {
		b, err := parseBreak(in, today)
		if got := b.From + ".." + b.To; err != nil || got != want {
			t.Errorf("parseBreak(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "soon", "0d", "until 2026-11-01", "200 days", "until the 31st of february", "until 2026-02-30", "5d; DROP TABLE", "until \x00", "until 🌴"} {
		if b, err := parseBreak(bad, today); err == nil {
			t.Errorf("parseBreak(%q) = %+v, want an error", bad, b)
		}
	}
}

func FuzzParseBreak(f *testing.F) {
	for _, s := range []string{"5d", "until sunday", "until the 24th", "2w", "until 2026-12-24"} {
		f.Add(s)
	}
	today := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		b, err := parseBreak(s, today)
		if err != nil {
			return
		}
		from, _ := time.Parse(domain.DateLayout, b.From)
		to, err := time.Parse(domain.DateLayout, b.To)
		if err != nil || to.Before(from) || to.Sub(from) > maxBreakDays*24*time.Hour || b.From != "2026-12-03" {
			t.Errorf("parseBreak(%q) = %+v", s, b)
		}
	})
}
