package schedule

import (
	"testing"
	"time"
)

// mustLocation loads a zone straight from the tz database, bypassing
// LoadZone, so that Next's tests do not depend on the code under test.
func mustLocation(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("time.LoadLocation(%q): %v", name, err)
	}
	return loc
}

// utc builds an instant from its UTC reading; expected fire times in tests
// are written this way, converted by hand from the zone's known offset.
func utc(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, time.UTC)
}

// Day sets used across tests.
const (
	monWedFri = Weekdays(1<<time.Monday | 1<<time.Wednesday | 1<<time.Friday)
	monOnly   = Weekdays(1 << time.Monday)
	sunOnly   = Weekdays(1 << time.Sunday)
)
