package schedule

import (
	"errors"
	"strings"
	"testing"
)

func TestParseClock(t *testing.T) {
	tests := []struct {
		in   string
		want Clock
	}{
		{"21:30", Clock{21, 30}},
		{"9pm", Clock{21, 0}},
		{"9 pm", Clock{21, 0}},
		{"9:30 pm", Clock{21, 30}},
		{"9:30PM", Clock{21, 30}},
		{"9:05 a.m.", Clock{9, 5}},
		{"9:05 A.M.", Clock{9, 5}},
		{"9 p.m", Clock{21, 0}},
		{"21.30", Clock{21, 30}},
		{"21h30", Clock{21, 30}},
		{"21H30", Clock{21, 30}},
		{"21h", Clock{21, 0}},
		{"2130", Clock{21, 30}},
		{"0930", Clock{9, 30}},
		{"930", Clock{9, 30}},
		{"930pm", Clock{21, 30}},
		{"noon", Clock{12, 0}},
		{"Noon", Clock{12, 0}},
		{"midnight", Clock{0, 0}},
		{"12am", Clock{0, 0}},
		{"12:30am", Clock{0, 30}},
		{"12pm", Clock{12, 0}},
		{"12:45 PM", Clock{12, 45}},
		{"1am", Clock{1, 0}},
		{"00:00", Clock{0, 0}},
		{"0:05", Clock{0, 5}},
		{"23:59", Clock{23, 59}},
		{"21:30:00", Clock{21, 30}},
		{"  21:30  ", Clock{21, 30}},
		{"\t9:30\tpm\n", Clock{21, 30}},
		{"21:30\u00a0", Clock{21, 30}},       // NBSP, as phones paste it
		{"9\u00a0pm", Clock{21, 0}},          // NBSP between number and am/pm
		{"9\u202fpm", Clock{21, 0}},          // narrow NBSP, as macOS formats times
		{"\u200b21:30\ufeff", Clock{21, 30}}, // zero-width space and BOM
		{"٩pm", Clock{21, 0}},                // Arabic-Indic nine
		{"۹:۳۰ pm", Clock{21, 30}},           // Persian digits
		{"٢١:٣٠", Clock{21, 30}},
		{"９：３０ｐｍ", Clock{21, 30}}, // fullwidth
		{"２１：３０", Clock{21, 30}},
		{"\U0001D7D7pm", Clock{21, 0}}, // mathematical bold nine
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseClock(tt.in)
			if err != nil {
				t.Fatalf("ParseClock(%q) error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseClock(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseClockErrors(t *testing.T) {
	const (
		junk     = "isn't a time I understand. Try 21:30 or 9pm."
		hour     = "the hour must be 0 to 23"
		minutes  = "the minutes must be 00 to 59"
		meridiem = "with am or pm the hour must be 1 to 12"
		bare     = "needs minutes or am/pm"
		tooLong  = "That's too long to be a time. Try 21:30 or 9pm."
		empty    = "Please tell me a time, like 21:30 or 9pm."
	)
	tests := []struct {
		in      string
		wantMsg string // a part of the message that says what is wrong
	}{
		{"", empty},
		{"   ", empty},
		{"\u00a0\u200b", empty},
		{"25:00", hour},
		{"24:00", hour},
		{"99", bare},
		{"9:60", minutes},
		{"21:99", minutes},
		{"13pm", meridiem},
		{"0pm", meridiem},
		{"00:30am", meridiem},
		{"21:30 pm", meridiem},
		{"9", bare},
		{"21", bare},
		{"pm", junk},
		{"abc", junk},
		{"nine pm", junk},
		{"21:30; DROP TABLE reminders", junk},
		{"<script>alert(1)</script>", junk},
		{"@everyone 9pm", junk},
		{"-9:00", junk},
		{"-1pm", junk},
		{"+21:30", junk},
		{"21:3", junk},
		{"21:300", junk},
		{"21:30:15", junk},
		{"21:30:00:00", junk},
		{"12345", junk},
		{"123:45", junk},
		{"2130h", junk},
		{"9::30", junk},
		{"9 : 30", junk},
		{"21,30", junk},
		{"9pm tomorrow", junk},
		{"noonish", junk},
		{"1e3", junk},
		{"0x15:30", junk},
		{"½pm", junk},
		{"21:30\x00", junk},
		{"\xff\xfe", junk},
		{strings.Repeat("9", 65), tooLong},
		{strings.Repeat(" ", 100) + "21:30", tooLong},
		{strings.Repeat("٩", 40), tooLong}, // 80 bytes of digits
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseClock(tt.in)
			if err == nil {
				t.Fatalf("ParseClock(%q) = %v, want an error", tt.in, got)
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("ParseClock(%q) error %T, want *InputError", tt.in, err)
			}
			if !strings.Contains(ie.Msg, tt.wantMsg) {
				t.Errorf("ParseClock(%q) error %q, want it to contain %q", tt.in, ie.Msg, tt.wantMsg)
			}
			if got != (Clock{}) {
				t.Errorf("ParseClock(%q) = %v with an error, want the zero Clock", tt.in, got)
			}
		})
	}
}

// TestParseClockMessages pins whole sentences, since they are shown to
// users as they are.
func TestParseClockMessages(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"25:00", `"25:00" isn't a time I understand: the hour must be 0 to 23. Try 21:30 or 9pm.`},
		{"lunch", `"lunch" isn't a time I understand. Try 21:30 or 9pm.`},
		{"9", `"9" needs minutes or am/pm. Try 21:00 or 9pm.`},
		{"13pm", `"13pm" isn't a time I understand: with am or pm the hour must be 1 to 12. Try 9pm or 21:00.`},
		{"a\x00\"b", `"a\x00\"b" isn't a time I understand. Try 21:30 or 9pm.`},
		{"\xff", `"\xff" isn't a time I understand. Try 21:30 or 9pm.`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseClock(tt.in)
			if err == nil {
				t.Fatalf("ParseClock(%q) succeeded, want an error", tt.in)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("ParseClock(%q) error:\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestClockString(t *testing.T) {
	tests := []struct {
		c    Clock
		want string
	}{
		{Clock{21, 30}, "21:30"},
		{Clock{0, 0}, "00:00"},
		{Clock{9, 5}, "09:05"},
		{Clock{23, 59}, "23:59"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.c.String(); got != tt.want {
				t.Errorf("%#v.String() = %q, want %q", tt.c, got, tt.want)
			}
		})
	}
}

// TestClockRoundTrip parses the String of every valid Clock.
func TestClockRoundTrip(t *testing.T) {
	for h := range 24 {
		for m := range 60 {
			c := Clock{h, m}
			got, err := ParseClock(c.String())
			if err != nil || got != c {
				t.Fatalf("ParseClock(%q) = %v, %v; want %v", c.String(), got, err, c)
			}
		}
	}
}

func TestQuoteTruncates(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"short", "abc", `"abc"`},
		{"exactly 64 bytes", strings.Repeat("a", 64), `"` + strings.Repeat("a", 64) + `"`},
		{"65 bytes", strings.Repeat("a", 65), `"` + strings.Repeat("a", 64) + `…"`},
		{"never splits a rune", strings.Repeat("a", 63) + "é", `"` + strings.Repeat("a", 63) + `…"`},
		{"control characters escaped", "a\nb", `"a\nb"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := quote(tt.in); got != tt.want {
				t.Errorf("quote(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}
