package commands

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/needlebot/needlebot/internal/diary"
	"github.com/needlebot/needlebot/internal/kb"
	"github.com/needlebot/needlebot/internal/schedule"
)

const zoneButtonsFor = time.Hour // how long the "did you mean" zone buttons work

func (b *Bot) addRoutine() {
	b.add(Command{
		Name: "timezone", Summary: "Show or set your time zone, e.g. /timezone Europe/Berlin", Usage: "[Area/City]", Private: true,
		Options: []Option{{Name: "zone", Summary: "An IANA time zone, e.g. Europe/Berlin", MaxLength: 64, Autocomplete: true}},
	}, b.timezone)
	b.add(Command{
		Name: "remind", Summary: "Nightly reminders: set, list or turn off", Usage: "set <time> [days] | list | off [number]", Private: true,
		Subs: []Sub{
			{Name: "set", Summary: "Remind me at a time, e.g. 21:30 or 9pm", Options: []Option{
				{Name: "time", Summary: "Local time, e.g. 21:30 or 9pm", Required: true, MaxLength: 20},
				{Name: "days", Summary: "daily (default), weekdays, weekends or e.g. mon,wed,fri", MaxLength: 60},
			}},
			{Name: "list", Summary: "Show your reminders"},
			{Name: "off", Summary: "Turn one reminder off, or all of them", Options: []Option{
				{Name: "number", Summary: "The reminder's number from /remind list; all when empty", Type: Integer, Min: 1, Max: 1e6},
			}},
		},
	}, b.remind)
}

// Complete suggests values for an option as the user types it, for platforms that ask (Discord
// autocomplete); only /timezone's zone has suggestions.
func (b *Bot) Complete(_ context.Context, command, option, partial string) []string {
	if command == "timezone" && option == "zone" {
		return schedule.Complete(partial, 25)
	}
	return nil
}

func (b *Bot) timezone(ctx context.Context, req *Request) (Reply, error) {
	name := strings.TrimSpace(req.Text)
	if name == "" {
		owner := b.ownerOf(req)
		loc, set, err := b.location(ctx, owner)
		if err != nil {
			return Reply{Private: true}, readError(err)
		}
		if !set {
			return Reply{Text: "You haven't set a time zone, so I use UTC. Set yours with /timezone Area/City, for example /timezone Europe/Berlin or /timezone America/New_York.", Private: true}, nil
		}
		return Reply{Text: fmt.Sprintf("Your time zone is %s (it's %s there now). Change it with /timezone Area/City.", loc, b.now().In(loc).Format("15:04")), Private: true}, nil
	}
	return b.setZone(ctx, req, name)
}

func (b *Bot) setZone(ctx context.Context, req *Request, name string) (Reply, error) {
	loc, err := schedule.LoadZone(name)
	var ze *schedule.ZoneError
	if errors.As(err, &ze) {
		r := Reply{Text: ze.Error(), Private: true}
		var row []Button
		for _, s := range ze.Suggestions {
			row = append(row, Button{Label: s, Data: b.sign.sign(b.ownerOf(req), "tz", s, b.now().Add(zoneButtonsFor))})
		}
		if len(row) > 0 {
			r.Buttons = [][]Button{row}
		}
		return r, nil
	}
	if err != nil {
		return Reply{Private: true}, err
	}
	owner := b.ownerOf(req)
	reminders, err := b.store.ListReminders(ctx, owner)
	if err != nil {
		return Reply{Private: true}, err
	}
	now := b.now()
	next := make(map[string]time.Time, len(reminders))
	for _, r := range reminders {
		next[r.ID] = schedule.Next(r.Clock, r.Days, loc, now)
	}
	if err := b.store.SetZone(ctx, owner, loc.String(), next); err != nil {
		if errors.Is(err, ErrRateLimited) {
			return Reply{Private: true}, &Error{Msg: "That's a lot of changes at once; please wait a minute and try again. Nothing was changed.", Err: err}
		}
		return Reply{Private: true}, err
	}
	text := fmt.Sprintf("Time zone set to %s (it's %s there now).", loc, now.In(loc).Format("15:04"))
	if n := len(reminders); n > 0 {
		text += fmt.Sprintf(" Your %d reminder%s now follow%s it.", n, plural(n), map[bool]string{true: "s", false: ""}[n == 1])
	}
	return Reply{Text: text, Private: true}, nil
}

const remindUsage = `Reminders:
/remind set 21:30 - every night at 21:30
/remind set 9pm weekdays - or on chosen days (daily, weekdays, weekends, mon,wed,fri)
/remind list - your reminders
/remind off - turn them all off (/remind off 2 turns off number 2)`

func (b *Bot) remind(ctx context.Context, req *Request) (Reply, error) {
	if len(req.Args) == 0 {
		return Reply{Text: remindUsage, Private: true}, nil
	}
	switch strings.ToLower(req.Args[0]) {
	case "set":
		return b.remindSet(ctx, req, req.Args[1:])
	case "list":
		return b.remindList(ctx, req)
	case "off", "stop", "delete":
		return b.remindOff(ctx, req, req.Args[1:])
	}
	return Reply{Private: true}, Errorf("I don't know /remind %s.\n\n%s", clip(req.Args[0], 20), remindUsage)
}

// splitClockDays reads "<time> [days]", where the time may be several words ("9:30 pm"): the
// longest leading run of words that is a time wins.
func splitClockDays(words []string) (schedule.Clock, schedule.Weekdays, error) {
	if len(words) == 0 {
		return schedule.Clock{}, 0, Errorf("What time should I remind you? For example /remind set 21:30 or /remind set 9pm weekdays.")
	}
	var firstErr error
	for n := min(len(words), 3); n >= 1; n-- {
		c, err := schedule.ParseClock(strings.Join(words[:n], " "))
		if err != nil {
			if n == 1 {
				firstErr = err
			}
			continue
		}
		days, err := schedule.ParseDays(strings.Join(words[n:], " "))
		if err != nil {
			return schedule.Clock{}, 0, &Error{Msg: err.Error(), Err: err}
		}
		return c, days, nil
	}
	return schedule.Clock{}, 0, &Error{Msg: firstErr.Error(), Err: firstErr}
}

func (b *Bot) remindSet(ctx context.Context, req *Request, words []string) (Reply, error) {
	clock, days, err := splitClockDays(words)
	if err != nil {
		return Reply{Private: true}, err
	}
	owner := b.ownerOf(req)
	loc, set, err := b.location(ctx, owner)
	if err != nil {
		return Reply{Private: true}, err
	}
	now := b.now()
	next := schedule.Next(clock, days, loc, now)
	r, err := b.store.AddReminder(ctx, owner, Reminder{Clock: clock, Days: days, Chat: req.UserID}, next, req.ID)
	switch {
	case errors.Is(err, ErrFull):
		return Reply{Private: true}, &Error{Msg: "You already have as many reminders as I keep. See them with /remind list and turn one off with /remind off <number>.", Err: err}
	case errors.Is(err, ErrRateLimited):
		return Reply{Private: true}, &Error{Msg: "That's a lot of changes at once; please wait a minute and try again. Nothing was saved.", Err: err}
	case err != nil:
		return Reply{Private: true}, err
	}
	text := fmt.Sprintf("I'll remind you at %s, %s. Next one: %s.", clock, days, when(next, loc, now))
	if !set {
		text += "\n\nI'm using UTC because you haven't set a time zone: set yours with /timezone, e.g. /timezone Europe/Berlin, and the reminder will follow it."
	}
	return Reply{Title: fmt.Sprintf("Reminder #%s set", strings.TrimPrefix(r.ID, "r")), Text: text, Private: true}, nil
}

func (b *Bot) remindList(ctx context.Context, req *Request) (Reply, error) {
	owner := b.ownerOf(req)
	loc, set, err := b.location(ctx, owner)
	if err != nil {
		return Reply{Private: true}, readError(err)
	}
	list, err := b.store.ListReminders(ctx, owner)
	if err != nil {
		return Reply{Private: true}, readError(err)
	}
	if len(list) == 0 {
		return Reply{Text: "You have no reminders. Set one with /remind set 21:30.", Private: true}, nil
	}
	var sb strings.Builder
	now := b.now()
	for _, r := range list {
		fmt.Fprintf(&sb, "#%s at %s, %s; next %s\n", strings.TrimPrefix(r.ID, "r"), r.Clock, r.Days, when(schedule.Next(r.Clock, r.Days, loc, now), loc, now))
	}
	sb.WriteString(zoneNote(loc, set))
	sb.WriteString("\nTurn one off with /remind off <number>.")
	return Reply{Title: "Your reminders", Text: sb.String(), Private: true}, nil
}

func (b *Bot) remindOff(ctx context.Context, req *Request, words []string) (Reply, error) {
	id := ""
	if len(words) > 0 {
		n, err := strconv.Atoi(strings.TrimPrefix(words[0], "#"))
		if err != nil || n < 1 {
			return Reply{Private: true}, Errorf("Tell me the reminder's number from /remind list, e.g. /remind off 2, or just /remind off for all of them.")
		}
		id = "r" + strconv.Itoa(n)
	}
	n, err := b.store.RemoveReminder(ctx, b.ownerOf(req), id)
	if err != nil {
		return Reply{Private: true}, err
	}
	switch {
	case n == 0 && id != "":
		return Reply{Text: fmt.Sprintf("You have no reminder #%s. See yours with /remind list.", strings.TrimPrefix(id, "r")), Private: true}, nil
	case n == 0:
		return Reply{Text: "You had no reminders to turn off.", Private: true}, nil
	case id != "":
		return Reply{Text: fmt.Sprintf("Reminder #%s is off.", strings.TrimPrefix(id, "r")), Private: true}, nil
	}
	return Reply{Text: fmt.Sprintf("All %d of your reminders are off.", n), Private: true}, nil
}

// reminderButton handles the buttons under a reminder: Done logs tonight's session as /log
// would, Snooze fires it again later, Skip lets tonight go. The button names the reminder by id
// and creation time, so one made for a reminder since removed does nothing.
func (b *Bot) reminderButton(ctx context.Context, req *Request, verb, arg string) (Reply, error) {
	owner := b.ownerOf(req)
	now := b.now()
	id, created, ok := unstamp(arg)
	if !ok {
		return Reply{}, errStaleButton
	}
	r, exists, err := b.store.Reminder(ctx, owner, id)
	if err != nil {
		return Reply{Private: true}, err
	}
	current := exists && r.Created.Equal(created)
	loc, _, err := b.location(ctx, owner)
	if err != nil {
		return Reply{Private: true}, err
	}
	switch verb {
	case "snooze":
		if !current {
			return Reply{Text: "That reminder no longer exists, so there's nothing to snooze.", Private: true}, nil
		}
		at := now.Add(b.snooze)
		err := b.store.Snooze(ctx, owner, id, at)
		switch {
		case errors.Is(err, ErrGone):
			return Reply{Text: "That reminder no longer exists, so there's nothing to snooze.", Private: true}, nil
		case errors.Is(err, ErrRateLimited):
			return Reply{Private: true}, &Error{Msg: "That's a lot of changes at once; please wait a minute and try again.", Err: err}
		case err != nil:
			return Reply{Private: true}, err
		}
		return Reply{Text: fmt.Sprintf("Snoozed: I'll remind you again at %s.", at.In(loc).Format("15:04")), Private: true}, nil
	case "skip":
		if current {
			if err := b.store.Snooze(ctx, owner, id, time.Time{}); err != nil {
				return Reply{Private: true}, err
			}
		}
		return Reply{Text: "Skipped tonight. Your skin gets a rest; see you next time.", Private: true}, nil
	}
	// Done: the session happened now, whatever became of the reminder.
	if current {
		if err := b.store.Snooze(ctx, owner, id, time.Time{}); err != nil {
			return Reply{Private: true}, err
		}
	}
	s, err := diary.ParseLog("", now.In(loc))
	if err != nil {
		return Reply{Private: true}, err
	}
	// Pressing Done twice on the same reminder logs one session.
	return b.logSession(ctx, "button:"+req.Button, owner, s, loc)
}

// ReminderButtons are the buttons under a reminder: Done, Snooze and Skip tonight, signed for
// its owner, naming the reminder by id and creation time, and valid for a day.
func (b *Bot) ReminderButtons(owner string, r Reminder, now time.Time) [][]Button {
	exp, arg := now.Add(24*time.Hour), stamp(r.ID, r.Created)
	return [][]Button{{
		{Label: "Done", Data: b.sign.sign(owner, "done", arg, exp)},
		{Label: fmt.Sprintf("Snooze %d min", int(b.snooze.Minutes())), Data: b.sign.sign(owner, "snooze", arg, exp)},
		{Label: "Skip tonight", Data: b.sign.sign(owner, "skip", arg, exp)},
	}}
}

// Nudge is a reminder the dispatcher is about to send.
type Nudge struct {
	Owner    string
	Reminder Reminder
	Due      time.Time      // when it was due
	Late     bool           // sent after downtime
	Zone     *time.Location // the owner's time zone
	Recent   []time.Time    // when the owner rolled in the last eight days
}

// ReminderReply writes a reminder. It reports false when none should be sent: the owner has
// already logged a session that local day. When another session would take the last seven days
// past the guidance's limit, the reminder says it is a rest night instead.
func (b *Bot) ReminderReply(n Nudge, now time.Time) (Reply, bool) {
	loc := n.Zone
	if loc == nil {
		loc = time.UTC
	}
	d := n.Due.In(loc)
	dayStart := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	dayEnd := dayStart.AddDate(0, 0, 1)
	week := 0
	for _, t := range n.Recent {
		if !t.Before(dayStart) && t.Before(dayEnd) {
			return Reply{}, false
		}
		if t.After(now.Add(-7*24*time.Hour)) && !t.After(now) {
			week++
		}
	}
	f := b.kb.Facts()
	vars := map[string]string{"count": strconv.Itoa(week), "max": strconv.Itoa(f.PerWeek)}
	r := Reply{Title: "Reminder", Text: b.kb.Note(kb.NoteReminder, vars), Private: true, Buttons: b.ReminderButtons(n.Owner, n.Reminder, now)}
	if week >= f.PerWeek {
		r.Title = "Rest night"
		r.Text = b.kb.Note(kb.NoteRestNight, vars)
		exp, arg := now.Add(24*time.Hour), stamp(n.Reminder.ID, n.Reminder.Created)
		r.Buttons = [][]Button{{
			{Label: "Rolled anyway", Data: b.sign.sign(n.Owner, "done", arg, exp)},
			{Label: "Resting tonight", Data: b.sign.sign(n.Owner, "skip", arg, exp)},
		}}
	}
	if n.Late {
		r.Text += fmt.Sprintf("\n\n(This is late: it was due at %s, while I was offline.)", d.Format("15:04"))
	}
	return r, true
}
