package schedule

import (
	"strings"
	"time"

	"github.com/needlebot/needlebot/internal/text"
)

// maxDaysInput bounds the text ParseDays looks at; every day spelled out in
// full with separators fits well within it.
const maxDaysInput = 128

// Weekdays is a set of weekdays; bit i is time.Weekday(i). The zero value
// means every day, as an unset preference should; bit 7 is ignored.
type Weekdays uint8

// Daily is the set of all seven days.
const Daily Weekdays = 0x7f

const (
	workWeek Weekdays = 1<<time.Monday | 1<<time.Tuesday | 1<<time.Wednesday | 1<<time.Thursday | 1<<time.Friday
	weekend  Weekdays = 1<<time.Saturday | 1<<time.Sunday
)

// norm maps the zero value to Daily and drops bit 7, so every method agrees
// with Next on what a set means.
func (w Weekdays) norm() Weekdays {
	if w&Daily == 0 {
		return Daily
	}
	return w & Daily
}

// Has reports whether d is in w; days outside Sunday..Saturday never are.
func (w Weekdays) Has(d time.Weekday) bool {
	return d >= time.Sunday && d <= time.Saturday && w.norm()&(1<<d) != 0
}

// String returns "daily", "weekdays", "weekends", or the days as
// "Mon, Wed, Fri" in Monday-first order, all of which ParseDays reads back.
func (w Weekdays) String() string {
	switch w = w.norm(); w {
	case Daily:
		return "daily"
	case workWeek:
		return "weekdays"
	case weekend:
		return "weekends"
	}
	var names []string
	for i := range 7 {
		d := time.Weekday((i + 1) % 7) // Monday first, as people in most of the world count
		if w.Has(d) {
			names = append(names, d.String()[:3])
		}
	}
	return strings.Join(names, ", ")
}

// dayNames maps every accepted spelling to its weekday.
var dayNames = map[string]time.Weekday{}

func init() {
	for d, spellings := range [7][]string{
		{"su", "sun"},
		{"mo", "mon"},
		{"tu", "tue", "tues"},
		{"we", "wed", "weds"},
		{"th", "thu", "thur", "thurs"},
		{"fr", "fri"},
		{"sa", "sat"},
	} {
		full := strings.ToLower(time.Weekday(d).String())
		for _, s := range append(spellings, full, full+"s") {
			dayNames[s] = time.Weekday(d)
		}
	}
}

// dayGroups are the words that stand for several days at once.
var dayGroups = map[string]Weekdays{
	"daily": Daily, "everyday": Daily, "all": Daily,
	"weekdays": workWeek, "weekday": workWeek,
	"weekends": weekend, "weekend": weekend,
}

// fillers are words people put between days that carry no meaning here
// ("on mondays and fridays", "every weekday").
var fillers = map[string]bool{"and": true, "on": true, "every": true, "each": true}

// rangeWords join two days into an inclusive range ("mon-fri", "fri to mon").
var rangeWords = map[string]bool{"-": true, "to": true, "through": true, "thru": true, "till": true, "until": true}

// ParseDays reads a set of weekdays as people type it in chat. "" and
// "daily", "every day", "everyday", "all" mean every day; "weekdays" means
// Monday to Friday and "weekend(s)" Saturday and Sunday. Otherwise it takes a
// list of days, full or abbreviated ("tue", "tues", "thu", "thur", "thurs"),
// separated by commas, spaces, slashes, "&" or "and", and ranges such as
// "mon-fri" or "fri-mon", which wraps over the weekend. Errors are
// *InputError naming the first word it did not understand.
func ParseDays(s string) (Weekdays, error) {
	if len(s) > maxDaysInput {
		return 0, &InputError{Msg: "That's too long to be a list of days. Try daily, weekdays or mon,wed,fri."}
	}
	n := text.Simplify(s)
	if n == "" || n == "every day" || n == "each day" || n == "all days" {
		return Daily, nil
	}
	n = strings.NewReplacer(",", " ", ";", " ", "/", " ", "&", " ", "+", " ",
		"-", " - ", "–", " - ", "—", " - ").Replace(n)
	words := strings.Fields(n)

	var set Weekdays
	for i := 0; i < len(words); i++ {
		word := words[i]
		if fillers[word] {
			continue
		}
		if g, ok := dayGroups[word]; ok {
			set |= g
			continue
		}
		from, ok := dayNames[word]
		if !ok {
			return 0, inputErrorf("%s isn't a day I understand. Try daily, weekdays or mon,wed,fri.", word)
		}
		if i+1 < len(words) && rangeWords[words[i+1]] {
			if i+2 >= len(words) {
				return 0, inputErrorf("%s needs a last day after %q. Try mon-fri.", s, words[i+1])
			}
			to, ok := dayNames[words[i+2]]
			if !ok {
				return 0, inputErrorf("%s isn't a day I understand. Try mon-fri.", words[i+2])
			}
			for d := from; ; d = (d + 1) % 7 {
				set |= 1 << d
				if d == to {
					break
				}
			}
			i += 2
			continue
		}
		set |= 1 << from
	}
	if set == 0 {
		return 0, inputErrorf("%s doesn't name any day. Try daily, weekdays or mon,wed,fri.", s)
	}
	return set, nil
}
