package picture

import (
	"testing"
	"time"
)

func TestAlt(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    func() Month
		want string
	}{
		{"example", example, "November 2026: 11 sessions on 11 days, 1 week over five, 1 day with a needle over 0.25 mm, 4 break days, skin a bit red on 1 day and irritated on 1 (Europe/Paris)."},
		{"february", february, "February 2027: 8 sessions on 8 days, 1 week over three, 7 break days, skin a bit red on 1 day (America/Argentina/Buenos_Aires)."},
		{"busy", busy, "October 2026: 132 sessions on 19 days, 3 weeks over five, 11 days with a needle over 0.25 mm, 4 break days, skin a bit red on 8 days and irritated on 7 (Asia/Kolkata)."},
		{"empty", func() Month { return month(2026, time.November, "Europe/Paris", 0, 5) }, "November 2026: no sessions (Europe/Paris)."},
		{"one session", func() Month {
			m := month(2026, time.November, "UTC", 0, 5)
			m.Days[0].Sessions = 1
			return m
		}, "November 2026: 1 session on 1 day (UTC)."},
		{"two sessions on one day, no zone", func() Month {
			m := month(2026, time.November, "", 0, 5)
			m.Days[0].Sessions = 2
			m.Days[1].Break = true
			m.Days[2].Check = CheckIrritated
			m.Days[3].Check = CheckFine
			return m
		}, "November 2026: 2 sessions on 1 day, 1 break day, skin irritated on 1 day."},
		{"two weeks over a limit of twelve", func() Month {
			m := month(2026, time.November, "UTC", 0, 12)
			m.Days[1].Sessions, m.Days[8].Sessions = 13, 13
			m.Days[2].MaxNeedle, m.Days[3].MaxNeedle = 1, 0.3
			return m
		}, "November 2026: 26 sessions on 2 days, 2 weeks over 12, 2 days with a needle over 0.25 mm (UTC)."},
		{"invalid", func() Month { return Month{Month: 13, Days: []Day{{Sessions: -3}, {Sessions: 2}}} }, "%!Month(13) 0: 2 sessions on 1 day."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Alt(tc.m()); got != tc.want {
				t.Errorf("Alt:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}
