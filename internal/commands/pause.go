package commands

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/text"
)

// A break (/pause 5d, /pause until sunday, or "on holiday until sunday" in plain words, which
// asks first) stops reminders from today to its last day and keeps streaks: a week with no
// session but break days in it is passed over, neither counted nor breaking the run. /resume
// ends it early. Reminders come back by themselves after its last day: the dispatcher only
// holds back the ones due on break days.

// maxBreakDays is the longest break one /pause takes.
const maxBreakDays = 90

func (b *Bot) addPause() {
	b.add(Command{
		Name: "pause", Summary: "A break: no reminders, and your streak waits, e.g. /pause 5d", Usage: "<5d | 2w | until sunday | until 2026-12-24>", Private: true,
		Options: []Option{{Name: "for", Summary: "How long: 5d, 2w, until sunday, until 2026-12-24", Required: true, MaxLength: 40}},
	}, b.pause)
	b.add(Command{Name: "resume", Summary: "End your break now; reminders come again", Private: true}, b.resume)
}

const pauseUsage = "How long is your break? For example /pause 5d, /pause 2w, /pause until sunday or /pause until 2026-12-24."

var (
	spanPattern  = regexp.MustCompile(`^(?:for\s+)?(a|an|one|two|three|four|\d{1,3})\s*(d|day|days|w|wk|wks|week|weeks)$`)
	untilPattern = regexp.MustCompile(`^(?:until|till|til|to|through|thru)\s+(?:the\s+)?(.+)$`)
	numberWords  = map[string]int{"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4}
	dayOfMonth   = regexp.MustCompile(`^(\d{1,2})(?:st|nd|rd|th)?(?:\s+(?:of\s+)?([a-z]+))?$`)
	monthDay     = regexp.MustCompile(`^([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?$`)
)

// parseBreak reads how long a break is, from today (local): "5d", "5 days", "a week", "2w",
// "until sunday", "till the 24th", "until 24 dec", "until 2026-12-24". The break includes
// today and its last day.
func parseBreak(s string, today time.Time) (domain.Break, error) {
	w := strings.Join(strings.Fields(strings.Trim(text.Fold(s), " .!?")), " ")
	var last time.Time
	if m := spanPattern.FindStringSubmatch(w); m != nil {
		n, ok := numberWords[m[1]]
		if !ok {
			n, _ = strconv.Atoi(m[1])
		}
		if strings.HasPrefix(m[2], "w") {
			n *= 7
		}
		if n < 1 {
			return domain.Break{}, domain.Errorf("A break lasts a day at least. %s", pauseUsage)
		}
		last = today.AddDate(0, 0, min(n, maxBreakDays+1)-1)
	} else if m := untilPattern.FindStringSubmatch(w); m != nil {
		var ok bool
		if last, ok = untilDay(m[1], today); !ok {
			return domain.Break{}, domain.Errorf("I couldn't read %q as a day. %s", text.Clip(m[1], 30), pauseUsage)
		}
	} else {
		return domain.Break{}, domain.Errorf("%s", pauseUsage)
	}
	switch days := int(last.Sub(today).Hours()/24+0.5) + 1; {
	case last.Before(today):
		return domain.Break{}, domain.Errorf("That day has passed already. %s", pauseUsage)
	case days > maxBreakDays:
		return domain.Break{}, domain.Errorf("A break can be up to %d days; that would be %d. Take a shorter one, and another after it if you need.", maxBreakDays, days)
	}
	return domain.Break{From: today.Format(domain.DateLayout), To: last.Format(domain.DateLayout)}, nil
}

// untilDay reads the last day of a break: a weekday (the next one after today), "tomorrow",
// a date, or a day of the month (this month's, or next month's once it has passed).
func untilDay(s string, today time.Time) (time.Time, bool) {
	if t, err := time.ParseInLocation(domain.DateLayout, s, today.Location()); err == nil {
		return t, true
	}
	if s == "tomorrow" {
		return today.AddDate(0, 0, 1), true
	}
	for d := 1; d <= 7; d++ {
		if day := today.AddDate(0, 0, d); strings.HasPrefix(strings.ToLower(day.Weekday().String()), s) && len(s) >= 3 {
			return day, true
		}
	}
	var dom int
	month := time.Month(0)
	if m := dayOfMonth.FindStringSubmatch(s); m != nil {
		dom, _ = strconv.Atoi(m[1])
		if m[2] != "" {
			if month = monthOf(m[2]); month == 0 {
				return time.Time{}, false
			}
		}
	} else if m := monthDay.FindStringSubmatch(s); m != nil {
		dom, _ = strconv.Atoi(m[2])
		if month = monthOf(m[1]); month == 0 {
			return time.Time{}, false
		}
	} else {
		return time.Time{}, false
	}
	y, mo := today.Year(), today.Month()
	if month != 0 {
		mo = month
	}
	t := time.Date(y, mo, dom, 0, 0, 0, 0, today.Location())
	if t.Day() != dom {
		return time.Time{}, false // "the 31st" of a short month
	}
	if t.Before(today) {
		if month != 0 {
			t = t.AddDate(1, 0, 0)
		} else {
			t = t.AddDate(0, 1, 0)
		}
	}
	return t, t.Day() == dom
}

// monthOf reads a month's name or its first three letters.
func monthOf(s string) time.Month {
	for m := time.January; m <= time.December; m++ {
		name := strings.ToLower(m.String())
		if len(s) >= 3 && strings.HasPrefix(name, s) {
			return m
		}
	}
	return 0
}

// localToday is midnight today in loc.
func localToday(now time.Time, loc *time.Location) time.Time {
	l := now.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
}

func (b *Bot) pause(ctx context.Context, req *Request) (domain.Reply, error) {
	owner, loc, set, err := b.whose(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	arg := strings.TrimSpace(req.Text)
	if arg == "" {
		arg = req.Options["for"]
	}
	if arg == "" {
		return domain.Reply{Text: pauseUsage, Private: true}, nil
	}
	brk, err := parseBreak(arg, localToday(b.now(), loc))
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	return b.takeBreak(ctx, owner, brk, loc, set)
}

// takeBreak keeps a break that starts today; one already running is lengthened or shortened
// to end on the new last day.
func (b *Bot) takeBreak(ctx context.Context, owner domain.Owner, brk domain.Break, loc *time.Location, set bool) (domain.Reply, error) {
	breaks, err := b.store.Breaks(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	if cur, ok := domain.OnBreak(breaks, b.now(), loc); ok {
		brk.From = cur.From
	}
	switch err := b.store.SetBreak(ctx, owner, brk); {
	case errors.Is(err, domain.ErrRateLimited):
		return domain.Reply{Private: true}, busy(err, "saved")
	case err != nil:
		return domain.Reply{Private: true}, err
	}
	last, _ := time.ParseInLocation(domain.DateLayout, brk.To, loc)
	text := fmt.Sprintf("Enjoy your break: no reminders until %s, and your streak waits for you. They come again on %s by themselves; /resume ends the break sooner.",
		last.Format("Mon 2 Jan"), last.AddDate(0, 0, 1).Format("Mon 2 Jan"))
	if !set {
		text += "\n\nThe days are counted in UTC until you set your time zone with /timezone."
	}
	return domain.Reply{Title: "On a break", Text: text, Private: true}, nil
}

func (b *Bot) resume(ctx context.Context, req *Request) (domain.Reply, error) {
	owner, loc, _, err := b.whose(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	breaks, err := b.store.Breaks(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	now := b.now()
	cur, ok := domain.OnBreak(breaks, now, loc)
	if !ok {
		return domain.Reply{Text: "You're not on a break, so your reminders come as usual. /pause starts one.", Private: true}, nil
	}
	today := localToday(now, loc)
	if cur.From == today.Format(domain.DateLayout) {
		err = b.store.RemoveBreak(ctx, owner, cur.From)
	} else {
		cur.To = today.AddDate(0, 0, -1).Format(domain.DateLayout)
		err = b.store.SetBreak(ctx, owner, cur)
	}
	switch {
	case errors.Is(err, domain.ErrRateLimited):
		return domain.Reply{Private: true}, busy(err, "changed")
	case err != nil:
		return domain.Reply{Private: true}, err
	}
	return domain.Reply{Title: "Welcome back", Text: "Your break is over: reminders come again from tonight.", Private: true}, nil
}

// breakWords are the words that make a message about taking a break: "on holiday until
// sunday", "taking a break for a week", "pause my reminders for 5 days".
var breakWords = regexp.MustCompile(`\b(pause|break|holiday|holidays|vacation|vacay|away|travelling|traveling|trip|off)\b`)

// breakSpan finds how long a break a plain message asks for, at its end: "for 5 days", "for a
// week", "until sunday" ("4 nights a week" is how often, not how long).
var breakSpan = regexp.MustCompile(`\b(for\s+(?:a|an|one|two|three|four|\d{1,3})\s*(?:d|days?|w|wks?|weeks?)|(?:until|till|til|through|thru)\s+[a-z0-9 -]+?)\s*[.!]?$`)

// breakMessage reads a plain message that asks for a break, and asks back before taking it:
// plain words are easily meant otherwise.
func (b *Bot) breakMessage(ctx context.Context, req *Request, loc *time.Location) (domain.Reply, bool, error) {
	w := strings.Join(strings.Fields(text.Fold(req.Text)), " ")
	if len(w) > 120 || !breakWords.MatchString(w) {
		return domain.Reply{}, false, nil
	}
	m := breakSpan.FindStringSubmatch(w)
	if m == nil {
		return domain.Reply{}, false, nil
	}
	brk, err := parseBreak(m[1], localToday(b.now(), loc))
	if err != nil {
		return domain.Reply{}, false, nil
	}
	owner, err := b.ownerOf(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, true, err
	}
	last, _ := time.ParseInLocation(domain.DateLayout, brk.To, loc)
	exp := b.now().Add(questionFor)
	arg := strings.ReplaceAll(brk.From+"_"+brk.To, "-", "")
	yes := domain.Button{Label: "Yes, take a break", Data: b.sign.sign(owner, "pause", arg, exp)}
	no := domain.Button{Label: "No", Data: b.sign.sign(owner, "pause", "no", exp)}
	return domain.Reply{
		Title:   "Take a break?",
		Text:    fmt.Sprintf("Shall I hold your reminders until %s and keep your streak waiting meanwhile?%s", last.Format("Mon 2 Jan"), answerHint),
		Private: true, Buttons: [][]domain.Button{{yes, no}},
		Asks: &domain.Question{Yes: yes.Data, No: no.Data},
	}, true, nil
}

// pauseButton takes the break a plain message asked for, from its button.
func (b *Bot) pauseButton(ctx context.Context, req *Request, arg string) (domain.Reply, error) {
	if arg == "no" {
		return domain.Reply{Text: "OK, no break: your reminders come as usual.", Private: true}, nil
	}
	from, to, ok := strings.Cut(arg, "_")
	f, err1 := time.Parse("20060102", from)
	t, err2 := time.Parse("20060102", to)
	if !ok || err1 != nil || err2 != nil || t.Before(f) {
		return domain.Reply{}, errStaleButton
	}
	owner, loc, set, err := b.whose(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	brk := domain.Break{From: f.Format(domain.DateLayout), To: t.Format(domain.DateLayout)}
	today := localToday(b.now(), loc).Format(domain.DateLayout)
	if brk.To < today {
		return domain.Reply{Text: "That break is over already, so I changed nothing.", Private: true}, nil
	}
	brk.From = max(brk.From, today) // asked for yesterday, pressed today: it starts today
	return b.takeBreak(ctx, owner, brk, loc, set)
}
