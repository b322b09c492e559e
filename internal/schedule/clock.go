package schedule

import (
	"fmt"
	"strings"

	"github.com/needlebot/needlebot/internal/text"
)

// maxClockInput bounds the text ParseClock looks at, since no way of writing
// a time of day needs more and chat input is untrusted.
const maxClockInput = 64

// Clock is a local time of day (Hour 0-23, Minute 0-59).
type Clock struct{ Hour, Minute int }

// String formats c as zero-padded 24-hour "21:30", which ParseClock reads
// back and which sorts and reads the same in every locale.
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute) }

// meridiems are the am/pm spellings ParseClock accepts, longest first so that
// "a.m." is not read as "m." after a stray "a".
var meridiems = []struct {
	suffix string
	pm     bool
}{
	{"a.m.", false}, {"p.m.", true}, {"a.m", false}, {"p.m", true}, {"am", false}, {"pm", true},
}

// ParseClock reads a time of day as people type it in chat: "21:30", "9pm",
// "9 pm", "9:30 pm", "9:30PM", "9:05 a.m.", "21.30", "21h30", "21h", "2130",
// "0930", "930pm", "21:30:00", "noon" and "midnight", in any letter case,
// with surrounding or non-breaking spaces, fullwidth characters or digits of
// any script. A bare hour such as "9" is rejected because it could be
// morning or evening. Errors are *InputError.
func ParseClock(s string) (Clock, error) {
	if len(s) > maxClockInput {
		return Clock{}, &InputError{Msg: "That's too long to be a time. Try 21:30 or 9pm."}
	}
	n := text.Simplify(s)
	switch n {
	case "":
		return Clock{}, &InputError{Msg: "Please tell me a time, like 21:30 or 9pm."}
	case "noon", "midday":
		return Clock{12, 0}, nil
	case "midnight":
		return Clock{0, 0}, nil
	}

	body, hasMeridiem, pm := n, false, false
	for _, m := range meridiems {
		if rest, ok := strings.CutSuffix(n, m.suffix); ok {
			body, hasMeridiem, pm = strings.TrimSuffix(rest, " "), true, m.pm
			break
		}
	}

	hour, minute, ok := splitClock(body)
	switch {
	case !ok:
		return Clock{}, inputErrorf("%s isn't a time I understand. Try 21:30 or 9pm.", s)
	case minute < 0 && !hasMeridiem:
		return Clock{}, inputErrorf("%s needs minutes or am/pm. Try 21:00 or 9pm.", s)
	case minute > 59:
		return Clock{}, inputErrorf("%s isn't a time I understand: the minutes must be 00 to 59. Try 21:30 or 9pm.", s)
	case hasMeridiem && (hour < 1 || hour > 12):
		return Clock{}, inputErrorf("%s isn't a time I understand: with am or pm the hour must be 1 to 12. Try 9pm or 21:00.", s)
	case hour > 23:
		return Clock{}, inputErrorf("%s isn't a time I understand: the hour must be 0 to 23. Try 21:30 or 9pm.", s)
	}
	minute = max(minute, 0)
	if hasMeridiem {
		hour %= 12
		if pm {
			hour += 12
		}
	}
	return Clock{hour, minute}, nil
}

// splitClock splits folded text without its am/pm into hour and minute
// numbers, leaving range checks to the caller so it can say what is wrong.
// A bare hour ("9") returns minute -1.
func splitClock(s string) (hour, minute int, ok bool) {
	i := 0
	for i < len(s) && i < 5 && isDigit(s[i]) {
		i++
	}
	digits, rest := s[:i], s[i:]
	switch {
	case len(digits) == 0 || len(digits) > 4:
		return 0, 0, false
	case rest == "" && len(digits) <= 2:
		return atoi(digits), -1, true
	case rest == "": // "930", "2130", "0930"
		return atoi(digits[:len(digits)-2]), atoi(digits[len(digits)-2:]), true
	case len(digits) > 2:
		return 0, 0, false
	case rest == "h": // "21h", French style
		return atoi(digits), 0, true
	}
	sep, mins := rest[0], rest[1:]
	if sep == ':' {
		mins = strings.TrimSuffix(mins, ":00") // seconds are accepted only when they say nothing
	}
	if (sep != ':' && sep != '.' && sep != 'h') || len(mins) != 2 || !isDigit(mins[0]) || !isDigit(mins[1]) {
		return 0, 0, false
	}
	return atoi(digits), atoi(mins), true
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// atoi converts at most four ASCII digits, which cannot overflow.
func atoi(s string) int {
	n := 0
	for i := range len(s) {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
