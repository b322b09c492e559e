package commands

import (
	"testing"
	"time"
)

func TestNight(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	santiago, _ := time.LoadLocation("America/Santiago")
	at := func(loc *time.Location, y int, m time.Month, d, h, mi int) time.Time {
		return time.Date(y, m, d, h, mi, 0, 0, loc)
	}
	for _, tc := range []struct {
		name string
		t    time.Time
		from time.Time // the night's start on the wall clock; it ends at 05:00 the next day
	}{
		{"evening", at(berlin, 2026, 11, 28, 22, 15), at(berlin, 2026, 11, 28, 5, 0)},
		{"after midnight", at(berlin, 2026, 11, 29, 1, 15), at(berlin, 2026, 11, 28, 5, 0)},
		{"at the turn", at(berlin, 2026, 11, 29, 5, 0), at(berlin, 2026, 11, 29, 5, 0)},
		{"spring change, after the turn", at(berlin, 2026, 3, 29, 5, 30), at(berlin, 2026, 3, 29, 5, 0)},
		{"spring change, before the turn", at(berlin, 2026, 3, 29, 4, 30), at(berlin, 2026, 3, 28, 5, 0)},
		{"autumn change, the repeated hour", at(berlin, 2026, 10, 25, 2, 30), at(berlin, 2026, 10, 24, 5, 0)},
		{"autumn change, after it", at(berlin, 2026, 10, 25, 4, 30), at(berlin, 2026, 10, 24, 5, 0)},
		{"Santiago's change at midnight", at(santiago, 2026, 9, 6, 5, 30), at(santiago, 2026, 9, 6, 5, 0)},
	} {
		from, to := night(tc.t, tc.t.Location())
		want := tc.from
		wantTo := time.Date(want.Year(), want.Month(), want.Day()+1, nightTurn, 0, 0, 0, want.Location())
		if !from.Equal(want) || !to.Equal(wantTo) || tc.t.Before(from) || !tc.t.Before(to) {
			t.Errorf("%s: night(%v) = [%v, %v), want [%v, %v)", tc.name, tc.t, from, to, want, wantTo)
		}
	}
}
