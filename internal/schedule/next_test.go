package schedule

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestTransitionPremises pins the 2026 clock changes that the hand-computed
// expectations below rely on, so that a tz data update that moves one fails
// here with a clear message instead of as a puzzling Next failure.
func TestTransitionPremises(t *testing.T) {
	tests := []struct {
		zone            string
		at              time.Time // first instant of the new offset
		before, atAfter time.Duration
	}{
		{"Europe/Berlin", utc(2026, 3, 29, 1, 0), time.Hour, 2 * time.Hour},
		{"Europe/Berlin", utc(2026, 10, 25, 1, 0), 2 * time.Hour, time.Hour},
		{"America/New_York", utc(2026, 3, 8, 7, 0), -5 * time.Hour, -4 * time.Hour},
		{"America/New_York", utc(2026, 11, 1, 6, 0), -4 * time.Hour, -5 * time.Hour},
		{"Australia/Lord_Howe", utc(2026, 4, 4, 15, 0), 11 * time.Hour, 10*time.Hour + 30*time.Minute},
		{"Australia/Lord_Howe", utc(2026, 10, 3, 15, 30), 10*time.Hour + 30*time.Minute, 11 * time.Hour},
		{"Pacific/Chatham", utc(2026, 4, 4, 14, 0), 13*time.Hour + 45*time.Minute, 12*time.Hour + 45*time.Minute},
		{"Pacific/Chatham", utc(2026, 9, 26, 14, 0), 12*time.Hour + 45*time.Minute, 13*time.Hour + 45*time.Minute},
		{"America/Santiago", utc(2026, 4, 5, 3, 0), -3 * time.Hour, -4 * time.Hour},
		{"America/Santiago", utc(2026, 9, 6, 4, 0), -4 * time.Hour, -3 * time.Hour},
		{"Pacific/Apia", utc(2011, 12, 30, 10, 0), -10 * time.Hour, 14 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.zone, tt.at.Format(time.DateOnly)), func(t *testing.T) {
			loc := mustLocation(t, tt.zone)
			if got := offsetAt(tt.at.Add(-time.Second), loc); got != tt.before {
				t.Errorf("offset just before %v = %v, want %v", tt.at, got, tt.before)
			}
			if got := offsetAt(tt.at, loc); got != tt.atAfter {
				t.Errorf("offset at %v = %v, want %v", tt.at, got, tt.atAfter)
			}
			start, _ := tt.at.In(loc).ZoneBounds()
			if !start.Equal(tt.at) {
				t.Errorf("zone period containing %v starts at %v, want a transition exactly there", tt.at, start)
			}
		})
	}
	t.Run("Asia/Kolkata has no 2026 transition", func(t *testing.T) {
		loc := mustLocation(t, "Asia/Kolkata")
		start, end := utc(2026, 6, 1, 0, 0).In(loc).ZoneBounds()
		if start.After(utc(2026, 1, 1, 0, 0)) || (!end.IsZero() && end.Before(utc(2027, 1, 1, 0, 0))) {
			t.Errorf("Kolkata zone period is [%v, %v), want it to span 2026", start, end)
		}
		if got, want := offsetAt(utc(2026, 6, 1, 0, 0), loc), 5*time.Hour+30*time.Minute; got != want {
			t.Errorf("Kolkata offset = %v, want %v", got, want)
		}
	})
}

func offsetAt(t time.Time, loc *time.Location) time.Duration {
	_, off := t.In(loc).Zone()
	return time.Duration(off) * time.Second
}

type nextCase struct {
	name  string
	c     Clock
	days  Weekdays
	after time.Time
	want  time.Time
}

// nextCases holds, per zone, expectations converted by hand from the
// offsets pinned in TestTransitionPremises; each comment gives the local
// reading.
var nextCases = map[string][]nextCase{
	"Europe/Berlin": { // CET +01, CEST +02
		{"ordinary day", Clock{21, 30}, Daily, utc(2026, 6, 10, 12, 0), utc(2026, 6, 10, 19, 30)},                        // 21:30 CEST
		{"day before spring forward", Clock{21, 30}, Daily, utc(2026, 3, 28, 10, 0), utc(2026, 3, 28, 20, 30)},           // 21:30 CET
		{"spring forward day", Clock{21, 30}, Daily, utc(2026, 3, 29, 10, 0), utc(2026, 3, 29, 19, 30)},                  // 21:30 CEST
		{"day after spring forward", Clock{21, 30}, Daily, utc(2026, 3, 29, 20, 0), utc(2026, 3, 30, 19, 30)},            // 21:30 CEST
		{"gap 02:30 fires at 03:00 CEST", Clock{2, 30}, Daily, utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 1, 0)},          // 03:00 CEST
		{"gap first minute 02:00", Clock{2, 0}, Daily, utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 1, 0)},                  // 03:00 CEST
		{"gap last minute 02:59", Clock{2, 59}, Daily, utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 1, 0)},                  // 03:00 CEST
		{"03:00 just after the gap", Clock{3, 0}, Daily, utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 1, 0)},                // 03:00 CEST
		{"01:59 just before the gap", Clock{1, 59}, Daily, utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 0, 59)},             // 01:59 CET
		{"after the gap firing", Clock{2, 30}, Daily, utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 30)},                   // 02:30 CEST
		{"day before fall back", Clock{21, 30}, Daily, utc(2026, 10, 24, 10, 0), utc(2026, 10, 24, 19, 30)},              // 21:30 CEST
		{"day after fall back", Clock{21, 30}, Daily, utc(2026, 10, 25, 21, 0), utc(2026, 10, 26, 20, 30)},               // 21:30 CET
		{"ambiguous 02:30 first occurrence", Clock{2, 30}, Daily, utc(2026, 10, 24, 22, 0), utc(2026, 10, 25, 0, 30)},    // 02:30 CEST
		{"after ambiguous firing skips repeat", Clock{2, 30}, Daily, utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)}, // 02:30 CET next day
		{"inside repeated hour skips repeat", Clock{2, 30}, Daily, utc(2026, 10, 25, 1, 15), utc(2026, 10, 26, 1, 30)},   // 02:30 CET next day
		{"mon,wed,fri across week end", Clock{21, 30}, monWedFri, utc(2026, 6, 12, 20, 0), utc(2026, 6, 15, 19, 30)},     // Fri 22:00 -> Mon 21:30 CEST
		{"after equal to firing", Clock{21, 30}, Daily, utc(2026, 6, 10, 19, 30), utc(2026, 6, 11, 19, 30)},
		{"one nanosecond before firing", Clock{21, 30}, Daily, utc(2026, 6, 10, 19, 30).Add(-1), utc(2026, 6, 10, 19, 30)},
		{"one nanosecond after firing", Clock{21, 30}, Daily, utc(2026, 6, 10, 19, 30).Add(1), utc(2026, 6, 11, 19, 30)},
		{"midnight", Clock{0, 0}, Daily, utc(2026, 6, 10, 12, 0), utc(2026, 6, 10, 22, 0)}, // 00:00 CEST Jun 11
		{"23:59", Clock{23, 59}, Daily, utc(2026, 6, 10, 12, 0), utc(2026, 6, 10, 21, 59)},
	},
	"America/New_York": { // EST -05, EDT -04
		{"ordinary day", Clock{21, 30}, Daily, utc(2026, 7, 1, 12, 0), utc(2026, 7, 2, 1, 30)},                     // 21:30 EDT
		{"day before spring forward", Clock{21, 30}, Daily, utc(2026, 3, 7, 12, 0), utc(2026, 3, 8, 2, 30)},        // 21:30 EST
		{"day after spring forward", Clock{21, 30}, Daily, utc(2026, 3, 9, 12, 0), utc(2026, 3, 10, 1, 30)},        // 21:30 EDT
		{"gap 02:30 fires at 03:00 EDT", Clock{2, 30}, Daily, utc(2026, 3, 8, 5, 0), utc(2026, 3, 8, 7, 0)},        // 03:00 EDT
		{"after the gap firing", Clock{2, 30}, Daily, utc(2026, 3, 8, 7, 0), utc(2026, 3, 9, 6, 30)},               // 02:30 EDT
		{"day before fall back", Clock{21, 30}, Daily, utc(2026, 10, 31, 12, 0), utc(2026, 11, 1, 1, 30)},          // 21:30 EDT
		{"day after fall back", Clock{21, 30}, Daily, utc(2026, 11, 2, 12, 0), utc(2026, 11, 3, 2, 30)},            // 21:30 EST
		{"ambiguous 01:30 first occurrence", Clock{1, 30}, Daily, utc(2026, 11, 1, 4, 0), utc(2026, 11, 1, 5, 30)}, // 01:30 EDT
		{"after ambiguous firing skips repeat", Clock{1, 30}, Daily, utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)},
		{"inside repeated hour skips repeat", Clock{1, 30}, Daily, utc(2026, 11, 1, 6, 10), utc(2026, 11, 2, 6, 30)},
		{"mon,wed,fri across week end", Clock{21, 30}, monWedFri, utc(2026, 7, 4, 12, 0), utc(2026, 7, 7, 1, 30)}, // Sat -> Mon 21:30 EDT (Tue in UTC)
		{"after equal to firing", Clock{21, 30}, Daily, utc(2026, 7, 2, 1, 30), utc(2026, 7, 3, 1, 30)},
		{"midnight", Clock{0, 0}, Daily, utc(2026, 7, 1, 12, 0), utc(2026, 7, 2, 4, 0)},
		{"23:59", Clock{23, 59}, Daily, utc(2026, 7, 1, 12, 0), utc(2026, 7, 2, 3, 59)},
	},
	"Australia/Lord_Howe": { // +1030 standard, +11 summer: a 30-minute shift
		{"ordinary day", Clock{21, 30}, Daily, utc(2026, 6, 10, 0, 0), utc(2026, 6, 10, 11, 0)},                    // 21:30 +1030
		{"day before fall back", Clock{21, 30}, Daily, utc(2026, 4, 4, 0, 0), utc(2026, 4, 4, 10, 30)},             // 21:30 +11
		{"day after fall back", Clock{21, 30}, Daily, utc(2026, 4, 6, 0, 0), utc(2026, 4, 6, 11, 0)},               // 21:30 +1030
		{"ambiguous 01:45 first occurrence", Clock{1, 45}, Daily, utc(2026, 4, 4, 13, 0), utc(2026, 4, 4, 14, 45)}, // 01:45 +11
		{"after ambiguous firing skips repeat", Clock{1, 45}, Daily, utc(2026, 4, 4, 14, 45), utc(2026, 4, 5, 15, 15)},
		{"inside repeated half hour skips repeat", Clock{1, 45}, Daily, utc(2026, 4, 4, 15, 5), utc(2026, 4, 5, 15, 15)},
		{"ambiguous edge 01:30", Clock{1, 30}, Daily, utc(2026, 4, 4, 13, 0), utc(2026, 4, 4, 14, 30)},            // 01:30 +11
		{"02:00 after the repeat is unique", Clock{2, 0}, Daily, utc(2026, 4, 4, 13, 0), utc(2026, 4, 4, 15, 30)}, // 02:00 +1030
		{"day before spring forward", Clock{21, 30}, Daily, utc(2026, 10, 3, 0, 0), utc(2026, 10, 3, 11, 0)},      // 21:30 +1030
		{"day after spring forward", Clock{21, 30}, Daily, utc(2026, 10, 5, 0, 0), utc(2026, 10, 5, 10, 30)},      // 21:30 +11
		{"gap 02:15 fires at 02:30", Clock{2, 15}, Daily, utc(2026, 10, 3, 13, 0), utc(2026, 10, 3, 15, 30)},      // 02:30 +11
		{"gap first minute 02:00", Clock{2, 0}, Daily, utc(2026, 10, 3, 13, 0), utc(2026, 10, 3, 15, 30)},
		{"gap last minute 02:29", Clock{2, 29}, Daily, utc(2026, 10, 3, 13, 0), utc(2026, 10, 3, 15, 30)},
		{"02:30 just after the gap", Clock{2, 30}, Daily, utc(2026, 10, 3, 13, 0), utc(2026, 10, 3, 15, 30)},
		{"01:59 just before the gap", Clock{1, 59}, Daily, utc(2026, 10, 3, 13, 0), utc(2026, 10, 3, 15, 29)}, // 01:59 +1030
		{"after the gap firing", Clock{2, 15}, Daily, utc(2026, 10, 3, 15, 30), utc(2026, 10, 4, 15, 15)},     // 02:15 +11
		{"mon,wed,fri across week end", Clock{21, 30}, monWedFri, utc(2026, 6, 13, 0, 0), utc(2026, 6, 15, 11, 0)},
		{"after equal to firing", Clock{21, 30}, Daily, utc(2026, 6, 10, 11, 0), utc(2026, 6, 11, 11, 0)},
		{"midnight", Clock{0, 0}, Daily, utc(2026, 6, 10, 0, 0), utc(2026, 6, 10, 13, 30)},
		{"23:59", Clock{23, 59}, Daily, utc(2026, 6, 10, 0, 0), utc(2026, 6, 10, 13, 29)},
	},
	"Asia/Kolkata": { // +0530 all year
		{"ordinary day", Clock{21, 30}, Daily, utc(2026, 6, 10, 0, 0), utc(2026, 6, 10, 16, 0)},
		{"02:30 on Europe's spring forward date", Clock{2, 30}, Daily, utc(2026, 3, 28, 12, 0), utc(2026, 3, 28, 21, 0)},
		{"01:30 on America's fall back date", Clock{1, 30}, Daily, utc(2026, 10, 31, 12, 0), utc(2026, 10, 31, 20, 0)},
		{"mon,wed,fri across week end", Clock{21, 30}, monWedFri, utc(2026, 6, 13, 0, 0), utc(2026, 6, 15, 16, 0)},
		{"weekday is the local one", Clock{3, 0}, monOnly, utc(2026, 6, 13, 0, 0), utc(2026, 6, 14, 21, 30)}, // Mon 03:00 IST is Sun in UTC
		{"after equal to firing", Clock{21, 30}, Daily, utc(2026, 6, 10, 16, 0), utc(2026, 6, 11, 16, 0)},
		{"local date ahead of UTC", Clock{3, 0}, Daily, utc(2026, 6, 10, 0, 0), utc(2026, 6, 10, 21, 30)},
		{"midnight", Clock{0, 0}, Daily, utc(2026, 6, 10, 0, 0), utc(2026, 6, 10, 18, 30)},
		{"23:59", Clock{23, 59}, Daily, utc(2026, 6, 10, 0, 0), utc(2026, 6, 10, 18, 29)},
	},
	"Pacific/Chatham": { // +1245 standard, +1345 summer
		{"ordinary day", Clock{21, 30}, Daily, utc(2026, 6, 10, 0, 0), utc(2026, 6, 10, 8, 45)},                   // 21:30 +1245
		{"day before fall back", Clock{21, 30}, Daily, utc(2026, 4, 4, 0, 0), utc(2026, 4, 4, 7, 45)},             // 21:30 +1345
		{"day after fall back", Clock{21, 30}, Daily, utc(2026, 4, 6, 0, 0), utc(2026, 4, 6, 8, 45)},              // 21:30 +1245
		{"ambiguous 03:00 first occurrence", Clock{3, 0}, Daily, utc(2026, 4, 4, 11, 0), utc(2026, 4, 4, 13, 15)}, // 03:00 +1345
		{"after ambiguous firing skips repeat", Clock{3, 0}, Daily, utc(2026, 4, 4, 13, 15), utc(2026, 4, 5, 14, 15)},
		{"inside repeated hour skips repeat", Clock{3, 0}, Daily, utc(2026, 4, 4, 14, 5), utc(2026, 4, 5, 14, 15)},
		{"day before spring forward", Clock{21, 30}, Daily, utc(2026, 9, 26, 0, 0), utc(2026, 9, 26, 8, 45)}, // 21:30 +1245
		{"day after spring forward", Clock{21, 30}, Daily, utc(2026, 9, 28, 0, 0), utc(2026, 9, 28, 7, 45)},  // 21:30 +1345
		{"gap 03:00 fires at 03:45", Clock{3, 0}, Daily, utc(2026, 9, 26, 12, 0), utc(2026, 9, 26, 14, 0)},   // 03:45 +1345
		{"gap first minute 02:45", Clock{2, 45}, Daily, utc(2026, 9, 26, 12, 0), utc(2026, 9, 26, 14, 0)},
		{"03:45 just after the gap", Clock{3, 45}, Daily, utc(2026, 9, 26, 12, 0), utc(2026, 9, 26, 14, 0)},
		{"02:44 just before the gap", Clock{2, 44}, Daily, utc(2026, 9, 26, 12, 0), utc(2026, 9, 26, 13, 59)},
		{"after the gap firing", Clock{3, 0}, Daily, utc(2026, 9, 26, 14, 0), utc(2026, 9, 27, 13, 15)}, // 03:00 +1345
		{"mon,wed,fri across week end", Clock{21, 30}, monWedFri, utc(2026, 6, 13, 0, 0), utc(2026, 6, 15, 8, 45)},
		{"after equal to firing", Clock{21, 30}, Daily, utc(2026, 6, 10, 8, 45), utc(2026, 6, 11, 8, 45)},
		{"midnight", Clock{0, 0}, Daily, utc(2026, 6, 10, 0, 0), utc(2026, 6, 10, 11, 15)},
		{"23:59", Clock{23, 59}, Daily, utc(2026, 6, 10, 0, 0), utc(2026, 6, 10, 11, 14)},
	},
	"America/Santiago": { // -03 summer, -04 winter; changes at local midnight
		{"ambiguous 23:30 repeated before midnight", Clock{23, 30}, Daily, utc(2026, 4, 4, 12, 0), utc(2026, 4, 5, 2, 30)}, // Sat 23:30 -03
		{"after ambiguous firing skips repeat", Clock{23, 30}, Daily, utc(2026, 4, 5, 2, 30), utc(2026, 4, 6, 3, 30)},      // Sun 23:30 -04
		{"gap at midnight 00:30 fires at 01:00", Clock{0, 30}, Daily, utc(2026, 9, 5, 12, 0), utc(2026, 9, 6, 4, 0)},       // Sun 01:00 -03
		{"sunday-only midnight that does not exist", Clock{0, 0}, sunOnly, utc(2026, 9, 5, 12, 0), utc(2026, 9, 6, 4, 0)},
	},
	"Pacific/Apia": { // 30 December 2011 never happened: -10 until it, +14 after
		{"evening before the skipped day", Clock{21, 30}, Daily, utc(2011, 12, 30, 6, 0), utc(2011, 12, 30, 7, 30)}, // Dec 29 21:30 -10
		{"skipped day fires at the jump", Clock{21, 30}, Daily, utc(2011, 12, 30, 7, 30), utc(2011, 12, 30, 10, 0)}, // Dec 31 00:00 +14
		{"day after the skipped day", Clock{21, 30}, Daily, utc(2011, 12, 30, 10, 0), utc(2011, 12, 31, 7, 30)},     // Dec 31 21:30 +14
	},
	"UTC": {
		{"ordinary day", Clock{21, 30}, Daily, utc(2026, 6, 10, 12, 0), utc(2026, 6, 10, 21, 30)},
		{"zero days means daily", Clock{21, 30}, 0, utc(2026, 6, 10, 22, 0), utc(2026, 6, 11, 21, 30)},
		{"bit 7 alone means daily", Clock{21, 30}, 0x80, utc(2026, 6, 10, 22, 0), utc(2026, 6, 11, 21, 30)},
		{"bit 7 is ignored beside days", Clock{21, 30}, 0x80 | monOnly, utc(2026, 6, 10, 22, 0), utc(2026, 6, 15, 21, 30)},
		{"sunday only from a sunday after firing", Clock{9, 0}, sunOnly, utc(2026, 6, 14, 9, 0), utc(2026, 6, 21, 9, 0)},
		{"year end", Clock{0, 0}, Daily, utc(2026, 12, 31, 12, 0), utc(2027, 1, 1, 0, 0)},
		{"leap day", Clock{8, 0}, Daily, utc(2028, 2, 28, 9, 0), utc(2028, 2, 29, 8, 0)},
	},
}

func TestNext(t *testing.T) {
	for zone, cases := range nextCases {
		loc := mustLocation(t, zone)
		for _, tt := range cases {
			t.Run(zone+"/"+tt.name, func(t *testing.T) {
				got := Next(tt.c, tt.days, loc, tt.after)
				if !got.Equal(tt.want) {
					t.Errorf("Next(%v, %v, %s, %v) = %v, want %v (%v)",
						tt.c, tt.days, zone, tt.after.In(loc), got, tt.want.In(loc), tt.want)
				}
				if got.Location() != loc {
					t.Errorf("Next(...).Location() = %v, want %v", got.Location(), loc)
				}
			})
		}
	}
}

func TestNextNilLocationIsUTC(t *testing.T) {
	got := Next(Clock{21, 30}, Daily, nil, utc(2026, 6, 10, 12, 0))
	if want := utc(2026, 6, 10, 21, 30); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("Next with nil location = %v, want %v in UTC", got, want)
	}
}

// TestNextFallBackFiresOnce walks Next from before each fall-back through
// the next three days and expects one firing a day, the first occurrence on
// the fall-back date.
func TestNextFallBackFiresOnce(t *testing.T) {
	tests := []struct {
		zone     string
		c        Clock
		start    time.Time
		fallBack time.Time // local midnight of the fall-back date, in UTC
		want     []time.Time
	}{
		{"Europe/Berlin", Clock{2, 30}, utc(2026, 10, 24, 22, 0), utc(2026, 10, 24, 22, 0),
			[]time.Time{utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30), utc(2026, 10, 27, 1, 30)}},
		{"America/New_York", Clock{1, 30}, utc(2026, 11, 1, 4, 0), utc(2026, 11, 1, 4, 0),
			[]time.Time{utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30), utc(2026, 11, 3, 6, 30)}},
		{"Australia/Lord_Howe", Clock{1, 45}, utc(2026, 4, 4, 13, 0), utc(2026, 4, 4, 13, 0),
			[]time.Time{utc(2026, 4, 4, 14, 45), utc(2026, 4, 5, 15, 15), utc(2026, 4, 6, 15, 15)}},
		{"Pacific/Chatham", Clock{3, 0}, utc(2026, 4, 4, 11, 0), utc(2026, 4, 4, 10, 15),
			[]time.Time{utc(2026, 4, 4, 13, 15), utc(2026, 4, 5, 14, 15), utc(2026, 4, 6, 14, 15)}},
		{"America/Santiago", Clock{23, 30}, utc(2026, 4, 4, 12, 0), utc(2026, 4, 4, 3, 0),
			[]time.Time{utc(2026, 4, 5, 2, 30), utc(2026, 4, 6, 3, 30), utc(2026, 4, 7, 3, 30)}},
	}
	for _, tt := range tests {
		t.Run(tt.zone, func(t *testing.T) {
			loc := mustLocation(t, tt.zone)
			var got []time.Time
			at := tt.start
			for range 10 { // bounded, so a Next that stops advancing fails instead of hanging
				if at = Next(tt.c, Daily, loc, at); !at.Before(tt.start.Add(72 * time.Hour)) {
					break
				}
				got = append(got, at.UTC())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("firings from %v (-want +got):\n%s", tt.start, diff)
			}
			fy, fm, fd := tt.fallBack.In(loc).Date()
			onFallBackDate := 0
			for _, at := range got {
				if y, m, d := at.In(loc).Date(); y == fy && m == fm && d == fd {
					onFallBackDate++
				}
			}
			if onFallBackDate != 1 {
				t.Errorf("%d firings on the fall-back date %d-%02d-%02d, want 1", onFallBackDate, fy, fm, fd)
			}
		})
	}
}

// TestNextExtremesTerminate checks that instants at the edges of time.Time's
// range, where Unix seconds wrap, neither hang nor go backwards.
func TestNextExtremesTerminate(t *testing.T) {
	for _, zone := range []string{"UTC", "Europe/Berlin", "Pacific/Chatham", "America/Santiago"} {
		loc := mustLocation(t, zone)
		for _, after := range []time.Time{
			{},
			time.Unix(1<<63-1, 0),
			time.Unix(-1<<63, 0),
			time.Date(9999, 12, 31, 23, 59, 0, 0, time.UTC),
			time.Date(-4000, 1, 1, 0, 0, 0, 0, time.UTC),
		} {
			t.Run(fmt.Sprintf("%s/%d", zone, after.Unix()), func(t *testing.T) {
				if got := Next(Clock{0, 0}, Daily, loc, after); !got.IsZero() && !got.After(after) {
					t.Errorf("Next(00:00, daily, %s, %v) = %v, want zero or later", zone, after, got)
				}
			})
		}
	}
}

// propertyZones mixes whole-hour, half-hour, 45-minute and two-hour shifts,
// changes at midnight, zones without DST and a skipped day.
var propertyZones = []string{
	"UTC", "Europe/Berlin", "Europe/London", "America/New_York", "America/St_Johns",
	"America/Santiago", "America/Havana", "Australia/Lord_Howe", "Australia/Adelaide",
	"Asia/Kolkata", "Asia/Kathmandu", "Asia/Tehran", "Pacific/Chatham", "Pacific/Apia",
	"Africa/Casablanca", "Antarctica/Troll",
}

// TestNextProperties checks Next on random reminders, half of them placed
// next to a real clock change, against its contract; every tenth is also
// checked against bruteNext, an independent minute-by-minute model.
func TestNextProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(20260329, 1))
	n := 2000
	if testing.Short() {
		n = 200
	}
	gaps := 0
	for i := range n {
		loc := mustLocation(t, propertyZones[rng.IntN(len(propertyZones))])
		c, days, after := randomReminder(rng, loc)
		got := Next(c, days, loc, after)
		desc := fmt.Sprintf("case %d: Next(%v, %v, %v, %v) = %v", i, c, days, loc, after.In(loc), got)

		if !got.After(after) {
			t.Fatalf("%s, want a time after %v", desc, after)
		}
		if got.Location() != loc {
			t.Fatalf("%s, want it in %v", desc, loc)
		}
		if got.Second() != 0 || got.Nanosecond() != 0 {
			t.Fatalf("%s, want a whole minute", desc)
		}
		if !firesFor(c, days, loc, got) {
			t.Fatalf("%s, want a scheduled day's %v or the clock change that skips it", desc, c)
		}
		if got.Hour() != c.Hour || got.Minute() != c.Minute {
			gaps++
		}
		if i%10 == 0 {
			if want := bruteNext(c, days, loc, after); !got.Equal(want) {
				t.Fatalf("%s, want %v from the minute-by-minute model", desc, want)
			}
		}
	}
	if gaps < n/100 {
		t.Errorf("only %d of %d cases fell in a spring-forward gap, want at least %d so that gaps are tested", gaps, n, n/100)
	}
}

// randomReminder draws a reminder and a starting instant; half the time the
// instant is up to three days before a clock change in loc and the clock
// near the changed hour, since uniform draws almost never hit a gap.
func randomReminder(rng *rand.Rand, loc *time.Location) (Clock, Weekdays, time.Time) {
	days := Weekdays(rng.IntN(128))
	base := time.Date(2011, 6, 1, 0, 0, 0, 0, time.UTC)
	span := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC).Sub(base)
	after := base.Add(time.Duration(rng.Int64N(int64(span))))
	c := Clock{rng.IntN(24), rng.IntN(60)}
	if rng.IntN(2) == 0 {
		if _, end := after.In(loc).ZoneBounds(); !end.IsZero() {
			after = end.Add(-time.Duration(rng.Int64N(int64(72 * time.Hour))))
			// Count on the wall clock from where it stood at the change, so
			// that readings inside a gap can be drawn too.
			wall := wallSeconds(end.Add(-time.Second), loc) + 1 + int64(rng.IntN(180)-60)*60
			near := time.Unix(wall, 0).UTC()
			c = Clock{near.Hour(), near.Minute()}
		}
	}
	return c, days, after
}

// has is Weekdays.Has written out again, so the model does not trust it.
func has(days Weekdays, d time.Weekday) bool {
	if days&0x7f == 0 {
		return true
	}
	return days&(1<<d) != 0
}

// wallSeconds is the local wall-clock reading of u, in seconds since the
// epoch as if the reading were UTC.
func wallSeconds(u time.Time, loc *time.Location) int64 {
	_, off := u.In(loc).Zone()
	return u.Unix() + int64(off)
}

// firesFor reports whether at is a plausible firing: a scheduled day's c,
// or a clock change that jumps over a scheduled day's c.
func firesFor(c Clock, days Weekdays, loc *time.Location, at time.Time) bool {
	local := at.In(loc)
	if local.Hour() == c.Hour && local.Minute() == c.Minute {
		return has(days, local.Weekday())
	}
	before := wallSeconds(at.Add(-time.Second), loc) + 1 // where the clock would have gone
	now := wallSeconds(at, loc)
	for day := now/86400 - 1; day <= now/86400; day++ {
		wall := day*86400 + int64(c.Hour*3600+c.Minute*60)
		if before <= wall && wall < now && has(days, time.Weekday((day+4)%7)) { // 1970-01-01 was a Thursday
			return true
		}
	}
	return false
}

// bruteNext models Next independently: step minute by minute and fire the
// first time the wall clock reaches a scheduled day's c, tracking the
// highest reading so far so that a repeated hour does not fire twice.
func bruteNext(c Clock, days Weekdays, loc *time.Location, after time.Time) time.Time {
	u := after.Truncate(time.Minute).Add(-48 * time.Hour)
	highest := wallSeconds(u, loc)
	for ; u.Before(after.Add(9 * 24 * time.Hour)); u = u.Add(time.Minute) {
		now := wallSeconds(u, loc)
		if now <= highest {
			continue
		}
		for day := highest / 86400; day <= now/86400; day++ {
			wall := day*86400 + int64(c.Hour*3600+c.Minute*60)
			if highest < wall && wall <= now && has(days, time.Weekday((day+4)%7)) && u.After(after) {
				return u.In(loc)
			}
		}
		highest = now
	}
	return time.Time{}
}

func BenchmarkNext(b *testing.B) {
	loc := mustLocation(b, "Europe/Berlin")
	after := utc(2026, 6, 12, 20, 0)
	for b.Loop() {
		Next(Clock{21, 30}, monWedFri, loc, after)
	}
}

func TestSameDay(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	late := time.Date(2026, 11, 28, 22, 30, 0, 0, time.UTC) // 23:30 in Berlin, Saturday
	if !SameDay(late, late.Add(29*time.Minute), berlin) {
		t.Error("23:30 and 23:59 in Berlin are one day")
	}
	if SameDay(late, late.Add(31*time.Minute), berlin) {
		t.Error("23:30 and 00:01 in Berlin are two days")
	}
	if !SameDay(late, late.Add(31*time.Minute), time.UTC) {
		t.Error("22:30 and 23:01 UTC are one day")
	}
}
