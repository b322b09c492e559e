package schedule

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// days builds a set from weekdays, independently of ParseDays.
func days(ds ...time.Weekday) Weekdays {
	var w Weekdays
	for _, d := range ds {
		w |= 1 << d
	}
	return w
}

func TestParseDays(t *testing.T) {
	const (
		sun, mon, tue, wed, thu, fri, sat = time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday
	)
	all := days(sun, mon, tue, wed, thu, fri, sat)
	tests := []struct {
		in   string
		want Weekdays
	}{
		{"", all},
		{"daily", all},
		{"Daily", all},
		{"every day", all},
		{"Every  Day", all},
		{"everyday", all},
		{"all", all},
		{"weekdays", days(mon, tue, wed, thu, fri)},
		{"weekday", days(mon, tue, wed, thu, fri)},
		{"every weekday", days(mon, tue, wed, thu, fri)},
		{"weekends", days(sat, sun)},
		{"on weekends", days(sat, sun)},
		{"weekend", days(sat, sun)},
		{"mon,wed,fri", days(mon, wed, fri)},
		{"mon wed fri", days(mon, wed, fri)},
		{"Mon, Wed and Fri", days(mon, wed, fri)},
		{"mon/wed/fri", days(mon, wed, fri)},
		{"mon & wed", days(mon, wed)},
		{"MON;WED", days(mon, wed)},
		{"monday", days(mon)},
		{"Tuesday", days(tue)},
		{"mondays and fridays", days(mon, fri)},
		{"every monday", days(mon)},
		{"tue", days(tue)},
		{"tues", days(tue)},
		{"weds", days(wed)},
		{"thu", days(thu)},
		{"thur", days(thu)},
		{"thurs", days(thu)},
		{"sa su", days(sat, sun)},
		{"mon-fri", days(mon, tue, wed, thu, fri)},
		{"fri-mon", days(fri, sat, sun, mon)},
		{"sat - sun", days(sat, sun)},
		{"sun-sun", days(sun)},
		{"Monday through Friday", days(mon, tue, wed, thu, fri)},
		{"mon to wed", days(mon, tue, wed)},
		{"wed–fri", days(wed, thu, fri)}, // en dash
		{"weekends, wed", days(sat, sun, wed)},
		{"mon-wed, fri", days(mon, tue, wed, fri)},
		{"\u00a0mon,\u00a0wed\u00a0", days(mon, wed)},
		{"ＭＯＮ，ＷＥＤ", days(mon, wed)}, // fullwidth
		{"Mon, Wed, Fri", days(mon, wed, fri)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDays(tt.in)
			if err != nil {
				t.Fatalf("ParseDays(%q) error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseDays(%q) = %v (%#x), want %v (%#x)", tt.in, got, uint8(got), tt.want, uint8(tt.want))
			}
		})
	}
}

func TestParseDaysErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string // the whole message, since users read it as it is
	}{
		{"funday", `"funday" isn't a day I understand. Try daily, weekdays or mon,wed,fri.`},
		{"mon,funday", `"funday" isn't a day I understand. Try daily, weekdays or mon,wed,fri.`},
		{"lundi", `"lundi" isn't a day I understand. Try daily, weekdays or mon,wed,fri.`},
		{"tomorrow", `"tomorrow" isn't a day I understand. Try daily, weekdays or mon,wed,fri.`},
		{"day", `"day" isn't a day I understand. Try daily, weekdays or mon,wed,fri.`},
		{"every other day", `"other" isn't a day I understand. Try daily, weekdays or mon,wed,fri.`},
		{"mon fri sat yesterday", `"yesterday" isn't a day I understand. Try daily, weekdays or mon,wed,fri.`},
		{"monday2", `"monday2" isn't a day I understand. Try daily, weekdays or mon,wed,fri.`},
		{"mon..fri", `"mon..fri" isn't a day I understand. Try daily, weekdays or mon,wed,fri.`},
		{"1", `"1" isn't a day I understand. Try daily, weekdays or mon,wed,fri.`},
		{"-1", `"-" isn't a day I understand. Try daily, weekdays or mon,wed,fri.`},
		{"7", `"7" isn't a day I understand. Try daily, weekdays or mon,wed,fri.`},
		{"-fri", `"-" isn't a day I understand. Try daily, weekdays or mon,wed,fri.`},
		{"weekdays-sat", `"-" isn't a day I understand. Try daily, weekdays or mon,wed,fri.`},
		{"mon-", `"mon-" needs a last day after "-". Try mon-fri.`},
		{"mo to", `"mo to" needs a last day after "to". Try mon-fri.`},
		{"mon-xyz", `"xyz" isn't a day I understand. Try mon-fri.`},
		{"mon--fri", `"-" isn't a day I understand. Try mon-fri.`},
		{"mon-fri; DROP TABLE days", `"drop" isn't a day I understand. Try daily, weekdays or mon,wed,fri.`},
		{"<b>mon</b>", `"<b>mon<" isn't a day I understand. Try daily, weekdays or mon,wed,fri.`},
		{",", `"," doesn't name any day. Try daily, weekdays or mon,wed,fri.`},
		{"and", `"and" doesn't name any day. Try daily, weekdays or mon,wed,fri.`},
		{"every", `"every" doesn't name any day. Try daily, weekdays or mon,wed,fri.`},
		{"mon\x00", `"mon\x00" isn't a day I understand. Try daily, weekdays or mon,wed,fri.`},
		{"\xff", `"�" isn't a day I understand. Try daily, weekdays or mon,wed,fri.`},
		{strings.Repeat("mon ", 33), `That's too long to be a list of days. Try daily, weekdays or mon,wed,fri.`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDays(tt.in)
			if err == nil {
				t.Fatalf("ParseDays(%q) = %v, want an error", tt.in, got)
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("ParseDays(%q) error %T, want *InputError", tt.in, err)
			}
			if ie.Msg != tt.want {
				t.Errorf("ParseDays(%q) error:\n got %s\nwant %s", tt.in, ie.Msg, tt.want)
			}
			if got != 0 {
				t.Errorf("ParseDays(%q) = %#x with an error, want 0", tt.in, uint8(got))
			}
		})
	}
}

func TestWeekdaysString(t *testing.T) {
	tests := []struct {
		w    Weekdays
		want string
	}{
		{Daily, "daily"},
		{0, "daily"},
		{0x80, "daily"},
		{days(time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday), "weekdays"},
		{days(time.Saturday, time.Sunday), "weekends"},
		{days(time.Monday, time.Wednesday, time.Friday), "Mon, Wed, Fri"},
		{days(time.Sunday), "Sun"},
		{days(time.Sunday, time.Monday), "Mon, Sun"},
		{0x80 | days(time.Monday), "Mon"},
		{days(time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday), "Mon, Tue, Wed, Thu, Fri, Sat"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.w.String(); got != tt.want {
				t.Errorf("Weekdays(%#x).String() = %q, want %q", uint8(tt.w), got, tt.want)
			}
		})
	}
}

func TestWeekdaysHas(t *testing.T) {
	tests := []struct {
		name string
		w    Weekdays
		d    time.Weekday
		want bool
	}{
		{"member", days(time.Monday, time.Friday), time.Friday, true},
		{"non-member", days(time.Monday, time.Friday), time.Sunday, false},
		{"sunday is bit 0", 1, time.Sunday, true},
		{"saturday is bit 6", 1 << 6, time.Saturday, true},
		{"zero value is every day", 0, time.Wednesday, true},
		{"bit 7 alone is every day", 0x80, time.Wednesday, true},
		{"weekday 7 is never in", Daily, time.Weekday(7), false},
		{"negative weekday is never in", Daily, time.Weekday(-1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.w.Has(tt.d); got != tt.want {
				t.Errorf("Weekdays(%#x).Has(%d) = %v, want %v", uint8(tt.w), tt.d, got, tt.want)
			}
		})
	}
}

// TestWeekdaysRoundTrip parses the String of every non-empty set.
func TestWeekdaysRoundTrip(t *testing.T) {
	for w := Weekdays(1); w <= Daily; w++ {
		got, err := ParseDays(w.String())
		if err != nil || got != w {
			t.Fatalf("ParseDays(%q) = %#x, %v; want %#x", w.String(), uint8(got), err, uint8(w))
		}
	}
}
