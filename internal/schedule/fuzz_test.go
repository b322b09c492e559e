package schedule

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// maxMessage bounds an error sentence: 64 quoted bytes escape to at most 256
// plus the sentence around them.
const maxMessage = 400

// checkMessage fails unless msg is something a chat can show as it is.
func checkMessage(t *testing.T, input, msg string) {
	t.Helper()
	if msg == "" || !utf8.ValidString(msg) || strings.ContainsAny(msg, "\r\n\x00") || len(msg) > maxMessage {
		t.Fatalf("input %q: error message %q is not one printable sentence of at most %d bytes", input, msg, maxMessage)
	}
}

func FuzzParseClock(f *testing.F) {
	for _, s := range []string{
		"21:30", "9pm", "9 pm", "9:30 pm", "9:30PM", "21.30", "21h30", "2130", "0930", "noon", "midnight",
		"9:05 a.m.", "25:00", "9:60", "13pm", "0pm", "", "٩pm", "21:30:00", "-1:00", "21:30; DROP TABLE",
		"12am", "９：３０ｐｍ", "9\u00a0pm", "\xff", strings.Repeat("9", 100),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseClock(s)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("ParseClock(%q) error %T, want *InputError", s, err)
			}
			checkMessage(t, s, ie.Msg)
			return
		}
		if c.Hour < 0 || c.Hour > 23 || c.Minute < 0 || c.Minute > 59 {
			t.Fatalf("ParseClock(%q) = %#v, out of range", s, c)
		}
		if back, err := ParseClock(c.String()); err != nil || back != c {
			t.Fatalf("ParseClock(%q) = %v, but ParseClock(%q) = %v, %v", s, c, c.String(), back, err)
		}
	})
}

func FuzzParseDays(f *testing.F) {
	for _, s := range []string{
		"", "daily", "every day", "everyday", "all", "weekdays", "weekends", "weekend", "mon,wed,fri",
		"mon wed fri", "Mon, Wed and Fri", "monday", "tues", "thurs", "mon-fri", "fri-mon", "mon-",
		"-", "funday", "mon--fri", "sun to sat", "ＭＯＮ", "\xff", strings.Repeat("mon ", 40),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseDays(s)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("ParseDays(%q) error %T, want *InputError", s, err)
			}
			checkMessage(t, s, ie.Msg)
			return
		}
		if w == 0 || w&^Daily != 0 {
			t.Fatalf("ParseDays(%q) = %#x, want a non-empty set of seven bits", s, uint8(w))
		}
		if back, err := ParseDays(w.String()); err != nil || back != w {
			t.Fatalf("ParseDays(%q) = %#x, but ParseDays(%q) = %#x, %v", s, uint8(w), w.String(), uint8(back), err)
		}
	})
}

func FuzzLoadZone(f *testing.F) {
	for _, s := range []string{
		"Europe/Berlin", "europe/berlin", "berlin", "new york", "NYC", "Kolkatta", "UTC", "Z", "Local",
		"../etc/passwd", "/etc/passwd", "Europe/Berlin\x00", "", "ist", "são paulo", strings.Repeat("a", 100),
	} {
		f.Add(s)
	}
	zones := Zones()
	f.Fuzz(func(t *testing.T, s string) {
		loc, err := LoadZone(s)
		if err != nil {
			var ze *ZoneError
			if !errors.As(err, &ze) {
				t.Fatalf("LoadZone(%q) error %T, want *ZoneError", s, err)
			}
			checkMessage(t, s, ze.Error())
			if len(ze.Suggestions) > 3 {
				t.Fatalf("LoadZone(%q) made %d suggestions, want at most 3", s, len(ze.Suggestions))
			}
			for _, name := range ze.Suggestions {
				if !slices.Contains(zones, name) {
					t.Fatalf("LoadZone(%q) suggests %q, which is not in Zones()", s, name)
				}
			}
			return
		}
		if !slices.Contains(zones, loc.String()) {
			t.Fatalf("LoadZone(%q) = %v, which is not in Zones()", s, loc)
		}
	})
}
