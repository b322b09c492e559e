package commands

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/kb"
	"github.com/needlebot/needlebot/internal/schedule"
	"github.com/needlebot/needlebot/internal/text"
)

const zoneButtonsFor = time.Hour // how long the "did you mean" zone buttons work

func (b *Bot) addRoutine() {
	b.add(Command{
		Name: "timezone", Summary: "Show or set your time zone, e.g. /timezone Europe/Berlin", Usage: "[Area/City]", Private: true,
		Options: []Option{{Name: "zone", Summary: "An IANA time zone, e.g. Europe/Berlin", MaxLength: 64, Autocomplete: true}},
	}, b.timezone)
	b.add(Command{
		Name: "remind", Summary: "Nightly reminders: set, list or turn off", Usage: "set <time> [days] [nag 20m] | list | off [number] | nag <number> <20m|off> | where [app]", Private: true,
		Subs: []Sub{
			{Name: "set", Summary: "Remind me at a time, e.g. 21:30 or 9pm", Options: []Option{
				{Name: "time", Summary: "Local time, e.g. 21:30 or 9pm", Required: true, MaxLength: 20},
				{Name: "days", Summary: "daily (default), weekdays, weekends or e.g. mon,wed,fri", MaxLength: 60},
				{Name: "nag", Summary: "Come again until answered, every 10m to 2h, e.g. 20m", MaxLength: 10},
			}},
			{Name: "nag", Summary: "Make a reminder come again until answered, e.g. 1 20m, or 1 off", Options: []Option{
				{Name: "number", Summary: "The reminder's number from /remind list", Type: Integer, Min: 1, Max: 1e6, Required: true},
				{Name: "every", Summary: "How long between repeats, 10m to 2h, or off", MaxLength: 10},
			}},
			{Name: "list", Summary: "Show your reminders"},
			{Name: "off", Summary: "Turn one reminder off, or all of them", Options: []Option{
				{Name: "number", Summary: "The reminder's number from /remind list; all when empty", Type: Integer, Min: 1, Max: 1e6},
			}},
			{Name: "where", Summary: "Where reminders arrive, once your accounts are linked", Options: []Option{
				{Name: "app", Summary: "telegram or discord", MaxLength: 10},
			}},
		},
	}, b.remind)
}

// Complete suggests values for an option as the user types it, for platforms that ask (Discord
// autocomplete): time zones for /timezone, and the products the diary knows for /log's serum,
// those whose name or a spelling of it begins with what was typed first.
func (b *Bot) Complete(_ context.Context, command, option, partial string) []string {
	switch {
	case command == "timezone" && option == "zone":
		return schedule.Complete(partial, 25)
	case command == "log" && option == "serum":
		return completeProduct(b.kb.Products(), partial, 25)
	}
	return nil
}

// completeProduct lists product names for a partial serum: those it begins (by name or by a
// way of writing it), then those it appears in, at most n.
func completeProduct(products []domain.Product, partial string, n int) []string {
	p := text.Fold(strings.TrimSpace(partial))
	var first, then []string
	for _, pr := range products {
		words := append([]string{pr.Name}, pr.Synonyms...)
		switch {
		case slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(text.Fold(w), p) }):
			first = append(first, pr.Name)
		case slices.ContainsFunc(words, func(w string) bool { return strings.Contains(text.Fold(w), p) }):
			then = append(then, pr.Name)
		}
	}
	out := append(first, then...)
	return out[:min(len(out), n)]
}

func (b *Bot) timezone(ctx context.Context, req *Request) (domain.Reply, error) {
	name := strings.TrimSpace(req.Text)
	if name == "" {
		_, loc, set, err := b.whose(ctx, req)
		if err != nil {
			return domain.Reply{Private: true}, readError(err)
		}
		if !set {
			return domain.Reply{Text: "You haven't set a time zone, so I use UTC. Set yours with /timezone Area/City, for example /timezone Europe/Berlin or /timezone America/New_York.", Private: true}, nil
		}
		return domain.Reply{Text: fmt.Sprintf("Your time zone is %s (it's %s there now). Change it with /timezone Area/City.", loc, b.now().In(loc).Format("15:04")), Private: true}, nil
	}
	return b.setZone(ctx, req, name)
}

func (b *Bot) setZone(ctx context.Context, req *Request, name string) (domain.Reply, error) {
	owner, err := b.ownerOf(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	loc, err := schedule.LoadZone(name)
	if city, ok := schedule.CityZone(name); err != nil && ok {
		loc, err = schedule.LoadZone(city) // "paris": the one zone named after the city
	}
	var ze *schedule.ZoneError
	if errors.As(err, &ze) {
		r := domain.Reply{Text: ze.Error(), Private: true}
		var row []domain.Button
		for _, s := range ze.Suggestions {
			row = append(row, domain.Button{Label: s, Data: b.sign.sign(owner, "tz", s, b.now().Add(zoneButtonsFor))})
		}
		if len(row) > 0 {
			r.Buttons = [][]domain.Button{row}
		}
		return r, nil
	}
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	reminders, err := b.store.ListReminders(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	now := b.now()
	next := make(map[string]time.Time, len(reminders))
	for _, r := range reminders {
		next[r.ID] = schedule.Next(r.Clock, r.Days, loc, now)
	}
	if err := b.store.SetZone(ctx, owner, loc.String(), next); err != nil {
		if errors.Is(err, domain.ErrRateLimited) {
			return domain.Reply{Private: true}, busy(err, "changed")
		}
		return domain.Reply{Private: true}, err
	}
	msg := fmt.Sprintf("Time zone set to %s (it's %s there now).", loc, now.In(loc).Format("15:04"))
	if n := len(onlyNightly(reminders)); n > 0 {
		msg += fmt.Sprintf(" Your %d reminder%s now follow%s it.", n, text.Plural(n), map[bool]string{true: "s", false: ""}[n == 1])
	}
	return domain.Reply{Text: msg, Private: true}, nil
}

const remindUsage = `Reminders:
/remind set 21:30 - every night at 21:30
/remind set 9pm weekdays - or on chosen days (daily, weekdays, weekends, mon,wed,fri)
/remind set 21:30 nag 20m - and again every 20 min until you answer (at most 3 times, never past midnight)
/remind list - your reminders
/remind nag 1 off - stop number 1 coming again (or /remind nag 1 30m)
/remind off - turn them all off (/remind off 2 turns off number 2)
/remind where discord - where they arrive, once you have linked your accounts (/link)`

func (b *Bot) remind(ctx context.Context, req *Request) (domain.Reply, error) {
	if len(req.Args) == 0 {
		return domain.Reply{Text: remindUsage, Private: true}, nil
	}
	switch strings.ToLower(req.Args[0]) {
	case "set":
		return b.remindSet(ctx, req, req.Args[1:])
	case "list":
		return b.remindList(ctx, req)
	case "off", "stop", "delete":
		return b.remindOff(ctx, req, req.Args[1:])
	case "where":
		return b.remindWhere(ctx, req, req.Args[1:])
	case "nag":
		return b.remindNag(ctx, req, req.Args[1:])
	}
	return domain.Reply{Private: true}, domain.Errorf("I don't know /remind %s.\n\n%s", text.Clip(req.Args[0], 20), remindUsage)
}

// splitClockDays reads "<time> [days]", where the time may be several words ("9:30 pm"): the
// longest leading run of words that is a time wins.
func splitClockDays(words []string) (schedule.Clock, schedule.Weekdays, error) {
	if len(words) == 0 {
		return schedule.Clock{}, 0, domain.Errorf("What time should I remind you? For example /remind set 21:30 or /remind set 9pm weekdays.")
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
			return schedule.Clock{}, 0, &domain.Error{Msg: err.Error(), Err: err}
		}
		return c, days, nil
	}
	return schedule.Clock{}, 0, &domain.Error{Msg: firstErr.Error(), Err: firstErr}
}

// reminderAt returns the reminder at clock, and its number as /remind list shows it.
func reminderAt(list []domain.Reminder, clock schedule.Clock) (domain.Reminder, int, bool) {
	for i, r := range list {
		if r.Clock == clock {
			return r, i + 1, true
		}
	}
	return domain.Reminder{}, 0, false
}

// destination is where a new reminder goes: where all the owner's reminders go already (so
// that /remind where holds), or else to the chat with the account that sets it.
func destination(req *Request, list []domain.Reminder) domain.Address {
	if len(list) > 0 && !slices.ContainsFunc(list, func(r domain.Reminder) bool { return r.To != list[0].To }) {
		return list[0].To
	}
	return domain.DirectTo(req.Identity())
}

// arrivals names the apps reminders arrive on: "Telegram", or "Telegram and Discord".
func arrivals(list []domain.Reminder) string {
	var names []string
	for _, r := range list {
		if n := r.To.Platform.Name(); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return strings.Join(names, " and ")
}

func (b *Bot) remindSet(ctx context.Context, req *Request, words []string) (domain.Reply, error) {
	words, nag, nagGiven, err := splitNag(words, req.Options["nag"])
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	clock, days, err := splitClockDays(words)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	owner, loc, set, err := b.whose(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	list, err := b.nightly(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	if r, n, ok := reminderAt(list, clock); ok {
		if nagGiven && r.Nag != nag {
			return b.setNag(ctx, owner, r, nag, loc) // "/remind set 21:30 nag 20m" for the one at 21:30
		}
		text := fmt.Sprintf("You already have a reminder at %s (#%d, %s), so I changed nothing.", clock, n, r.Days)
		if r.Days != days {
			text += fmt.Sprintf(" To change its days, turn it off with /remind off %d and set it again.", n)
		}
		return domain.Reply{Title: "Already set", Text: text, Private: true}, nil
	}
	if len(list) == 1 {
		// One reminder already: most people setting another time mean to move it.
		r, exp := list[0], b.now().Add(zoneButtonsFor)
		choice := fmt.Sprintf("%02d%02d_%d_%d", clock.Hour, clock.Minute, days, int(nag.Minutes()))
		return domain.Reply{
			Title:   "Move your reminder?",
			Text:    fmt.Sprintf("You have a reminder at %s, %s. Move it to %s, %s, or keep it and add a second one?", r.Clock, r.Days, clock, days),
			Private: true,
			Buttons: [][]domain.Button{{
				{Label: "Move it to " + clock.String(), Data: b.sign.sign(owner, "rmove", stamp(r.ID, r.Created)+"_"+choice, exp)},
				{Label: "Add a second", Data: b.sign.sign(owner, "radd", choice, exp)},
			}},
		}, nil
	}
	return b.addReminder(ctx, req, owner, loc, set, list, domain.Reminder{Clock: clock, Days: days, Nag: nag})
}

// addReminder sets a new reminder (its clock, days and nag) and says when it comes first.
func (b *Bot) addReminder(ctx context.Context, req *Request, owner domain.Owner, loc *time.Location, set bool, list []domain.Reminder, want domain.Reminder) (domain.Reply, error) {
	now := b.now()
	clock, days := want.Clock, want.Days
	next := schedule.Next(clock, days, loc, now)
	want.To = destination(req, list)
	r, err := b.store.AddReminder(ctx, owner, want, next, req.ID)
	switch {
	case errors.Is(err, domain.ErrDuplicate):
		return domain.Reply{Title: "Already set", Text: fmt.Sprintf("You already have a reminder at %s, so I changed nothing.", clock), Private: true}, nil
	case errors.Is(err, domain.ErrFull):
		return domain.Reply{Private: true}, &domain.Error{Msg: "You already have as many reminders as I keep. See them with /remind list and turn one off with /remind off <number>.", Err: err}
	case errors.Is(err, domain.ErrRateLimited):
		return domain.Reply{Private: true}, busy(err, "saved")
	case err != nil:
		return domain.Reply{Private: true}, err
	}
	text := fmt.Sprintf("I'll remind you at %s, %s. Next one: %s.%s", clock, days, when(next, loc, now), nagNote(r.Nag))
	reply := domain.Reply{Title: "Reminder set", Text: text, Private: true}
	if !set {
		b.askZone(&reply, owner, "Which time zone are you in? The reminder follows it; until you tell me, I use UTC.")
	}
	if r.To.Platform != req.Platform {
		reply.Text += fmt.Sprintf("\n\nIt will arrive on %s, like your other reminders (/remind where changes that).", r.To.Platform.Name())
	}
	return reply, nil
}

// moveReminder moves a reminder to a new time, from the "Move it" button.
func (b *Bot) moveReminder(ctx context.Context, req *Request, arg string) (domain.Reply, error) {
	ref, choice, _ := strings.Cut(arg, "_")
	id, created, ok := unstamp(ref)
	clock, days, nag, ok2 := parseChoice(choice)
	if !ok || !ok2 {
		return domain.Reply{}, errStaleButton
	}
	owner, err := b.ownerOf(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	r, exists, err := b.store.Reminder(ctx, owner, id)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	if !exists || !r.Created.Equal(created) {
		return domain.Reply{Text: "That reminder no longer exists, so there's nothing to move. Set one with /remind set.", Private: true}, nil
	}
	loc, _, err := b.location(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	now := b.now()
	if r.Clock == clock && r.Days == days && r.Nag == nag {
		return domain.Reply{Text: fmt.Sprintf("Your reminder is at %s, %s already. Next one: %s.", clock, days, when(schedule.Next(clock, days, loc, now), loc, now)), Private: true}, nil
	}
	r.Clock, r.Days, r.Nag = clock, days, nag
	next := schedule.Next(clock, days, loc, now)
	switch err := b.store.UpdateReminder(ctx, owner, r, next); {
	case errors.Is(err, domain.ErrGone):
		return domain.Reply{Text: "That reminder no longer exists, so there's nothing to move. Set one with /remind set.", Private: true}, nil
	case errors.Is(err, domain.ErrDuplicate):
		return domain.Reply{Text: fmt.Sprintf("You already have a reminder at %s, so I changed nothing.", clock), Private: true}, nil
	case errors.Is(err, domain.ErrRateLimited):
		return domain.Reply{Private: true}, busy(err, "changed")
	case err != nil:
		return domain.Reply{Private: true}, err
	}
	return domain.Reply{Title: "Reminder moved", Text: fmt.Sprintf("I'll remind you at %s, %s. Next one: %s.%s", clock, days, when(next, loc, now), nagNote(nag)), Private: true}, nil
}

// secondReminder adds a reminder from the "Add a second" button.
func (b *Bot) secondReminder(ctx context.Context, req *Request, arg string) (domain.Reply, error) {
	clock, days, nag, ok := parseChoice(arg)
	if !ok {
		return domain.Reply{}, errStaleButton
	}
	owner, loc, set, err := b.whose(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	list, err := b.nightly(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	return b.addReminder(ctx, req, owner, loc, set, list, domain.Reminder{Clock: clock, Days: days, Nag: nag})
}

// reminderLine is how /remind list and /settings show reminder number n: "#1 at 21:30,
// daily; next Sat 28 Nov, 21:30".
func reminderLine(n int, r domain.Reminder, loc *time.Location, now time.Time) string {
	line := fmt.Sprintf("#%d at %s, %s; next %s", n, r.Clock, r.Days, when(schedule.Next(r.Clock, r.Days, loc, now), loc, now))
	if r.Nag > 0 {
		line += fmt.Sprintf("; again every %s until answered", nagText(r.Nag))
	}
	return line
}

// parseChoice reads "HHMM_DAYS_NAG" (nag in minutes; "HHMM_DAYS" from older buttons) from a
// reminder button.
func parseChoice(s string) (schedule.Clock, schedule.Weekdays, time.Duration, bool) {
	hm, d, ok := strings.Cut(s, "_")
	d, g, _ := strings.Cut(d, "_")
	days, err := strconv.Atoi(d)
	if !ok || len(hm) != 4 || err != nil || days < 0 || days > 127 {
		return schedule.Clock{}, 0, 0, false
	}
	nag := 0
	if g != "" {
		if nag, err = strconv.Atoi(g); err != nil || nag < 0 || nag > int(domain.MaxNag.Minutes()) {
			return schedule.Clock{}, 0, 0, false
		}
	}
	h, err1 := strconv.Atoi(hm[:2])
	m, err2 := strconv.Atoi(hm[2:])
	if err1 != nil || err2 != nil || h > 23 || m > 59 {
		return schedule.Clock{}, 0, 0, false
	}
	return schedule.Clock{Hour: h, Minute: m}, schedule.Weekdays(days), time.Duration(nag) * time.Minute, true
}

func (b *Bot) remindList(ctx context.Context, req *Request) (domain.Reply, error) {
	owner, loc, set, err := b.whose(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, readError(err)
	}
	list, err := b.nightly(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, readError(err)
	}
	if len(list) == 0 {
		return domain.Reply{Text: "You have no reminders. Set one with /remind set 21:30.", Private: true}, nil
	}
	var sb strings.Builder
	now := b.now()
	for i, r := range list {
		sb.WriteString(reminderLine(i+1, r, loc, now) + "\n")
	}
	if where := arrivals(list); where != req.Platform.Name() {
		fmt.Fprintf(&sb, "They arrive on %s.\n", where)
	}
	sb.WriteString(zoneNote(loc, set))
	sb.WriteString("\nTurn one off with /remind off <number>.")
	return domain.Reply{Title: "Your reminders", Text: sb.String(), Private: true}, nil
}

func (b *Bot) remindOff(ctx context.Context, req *Request, words []string) (domain.Reply, error) {
	n := 0
	if len(words) > 0 {
		v, err := strconv.Atoi(strings.TrimPrefix(words[0], "#"))
		if err != nil || v < 1 {
			return domain.Reply{Private: true}, domain.Errorf("Tell me the reminder's number from /remind list, e.g. /remind off 2, or just /remind off for all of them.")
		}
		n = v
	}
	owner, err := b.ownerOf(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	list, err := b.nightly(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	id := ""
	switch {
	case n > len(list):
		return domain.Reply{Text: fmt.Sprintf("You have no reminder #%d. See yours with /remind list.", n), Private: true}, nil
	case n > 0:
		id = list[n-1].ID
	case len(list) == 0:
		return domain.Reply{Text: "You had no reminders to turn off.", Private: true}, nil
	}
	removed, err := b.store.RemoveReminder(ctx, owner, id)
	switch {
	case errors.Is(err, domain.ErrRateLimited):
		return domain.Reply{Private: true}, busy(err, "changed")
	case err != nil:
		return domain.Reply{Private: true}, err
	case removed == 0:
		return domain.Reply{Text: "That reminder was already off.", Private: true}, nil
	case n > 0:
		text := fmt.Sprintf("Reminder #%d (%s) is off.", n, list[n-1].Clock)
		if len(list) > n {
			text += " The ones after it move up a number: /remind list shows them."
		}
		return domain.Reply{Text: text, Private: true}, nil
	case removed == 1:
		return domain.Reply{Text: "Your reminder is off.", Private: true}, nil
	}
	if removed == 2 {
		return domain.Reply{Text: "Both your reminders are off.", Private: true}, nil
	}
	return domain.Reply{Text: fmt.Sprintf("All %d of your reminders are off.", removed), Private: true}, nil
}

// reminderButton handles the buttons under a reminder: Done logs tonight's session as /log
// would, Snooze fires it again later, Skip lets tonight go. The button names the reminder by id
// and creation time, so one made for a reminder since removed does nothing.
func (b *Bot) reminderButton(ctx context.Context, req *Request, verb, arg string) (domain.Reply, error) {
	owner, err := b.ownerOf(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	now := b.now()
	arg, choice, _ := strings.Cut(arg, "_")
	id, created, ok := unstamp(arg)
	if !ok || choice != "" && verb != "snooze" {
		return domain.Reply{}, errStaleButton
	}
	r, exists, err := b.store.Reminder(ctx, owner, id)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	current := exists && r.Created.Equal(created)
	loc, set, err := b.location(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	switch verb {
	case "snooze":
		if !current {
			return domain.Reply{Text: "That reminder no longer exists, so there's nothing to snooze.", Private: true}, nil
		}
		return b.snoozeButton(ctx, owner, r, arg, choice, loc, now)
	case "skip":
		if current {
			if err := b.store.Snooze(ctx, owner, id, time.Time{}); err != nil {
				return domain.Reply{Private: true}, err
			}
		}
		return domain.Reply{Text: "Skipped tonight. Your skin gets a rest; see you next time.", Private: true}, nil
	}
	// Done: the session happened now, whatever became of the reminder.
	if current {
		if err := b.store.Snooze(ctx, owner, id, time.Time{}); err != nil {
			return domain.Reply{Private: true}, err
		}
	}
	s, err := b.diary.ParseLog("", now.In(loc))
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	usual, err := b.usualNeedle(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	s.NeedleMM = usual.mm
	// Pressing Done twice on the same reminder logs one session.
	reply, err := b.logSession(ctx, logKey{event: req.ID, key: "button:" + req.Button, readAt: now}, req.Platform, owner, s, loc, set)
	if err == nil && usual.mm > 0 && reply.Title == "Logged" {
		reply.Text += fmt.Sprintf("\n\nI logged %s. Wrong? Undo it, or fix it with /edit.", usual.said)
	}
	return reply, err
}

// needle is the needle the Done button logs, and how a reply names it.
type needle struct {
	mm   float64 // 0 when nothing is known
	said string  // "your 0.5 mm roller", "your usual 0.25 mm needle"
}

// usualNeedle is the needle a reminder names and its Done button logs: the roller the owner
// started with /roller, or else the length they have logged most.
func (b *Bot) usualNeedle(ctx context.Context, owner domain.Owner) (needle, error) {
	if b.store == nil {
		return needle{}, nil
	}
	r, ok, err := b.store.Roller(ctx, owner)
	if err != nil {
		return needle{}, err
	}
	if ok && r.MM > 0 {
		return needle{mm: r.MM, said: "your " + text.FormatMM(r.MM) + " mm roller"}, nil
	}
	usage, err := b.store.Usage(ctx, owner)
	if err != nil {
		return needle{}, err
	}
	if mm, n := top(usage, domain.UsageNeedle); n > 0 {
		if v, err := strconv.ParseFloat(mm, 64); err == nil && v > 0 {
			return needle{mm: v, said: "your usual " + text.FormatMM(v) + " mm needle"}, nil
		}
	}
	return needle{}, nil
}

// ReminderButtons are the buttons under a reminder: Done, Snooze and Skip tonight, signed for
// its owner, naming the reminder by id and creation time, and valid for a day.
func (b *Bot) ReminderButtons(owner domain.Owner, r domain.Reminder, now time.Time) [][]domain.Button {
	exp, arg := now.Add(24*time.Hour), stamp(r.ID, r.Created)
	return [][]domain.Button{{
		{Label: "Done", Data: b.sign.sign(owner, "done", arg, exp)},
		{Label: "Snooze…", Data: b.sign.sign(owner, "snooze", arg, exp)},
		{Label: "Skip tonight", Data: b.sign.sign(owner, "skip", arg, exp)},
	}}
}

// ReminderReply writes a reminder. It reports false when none should be sent: the owner has
// already logged a session that local day. When another session would take the last seven days
// past the guidance's limit, the reminder says it is a rest night instead.
func (b *Bot) ReminderReply(ctx context.Context, n domain.Nudge, now time.Time) (domain.Reply, bool) {
	loc := n.Zone
	if loc == nil {
		loc = time.UTC
	}
	switch n.Reminder.Kind {
	case domain.KindSummary:
		return b.summaryReply(ctx, n, loc, now)
	case domain.KindCheckin:
		return b.checkinReply(ctx, n, loc, now)
	}
	d := n.Due.In(loc)
	if _, ok := domain.OnBreak(n.Breaks, d, loc); ok {
		return domain.Reply{}, false // the owner is taking a break: nothing comes until it ends
	}
	dayStart := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	dayEnd := dayStart.AddDate(0, 0, 1)
	week := 0
	for _, t := range n.Recent {
		if !t.Before(dayStart) && t.Before(dayEnd) {
			return domain.Reply{}, false
		}
		if t.After(now.Add(-7*24*time.Hour)) && !t.After(now) {
			week++
		}
	}
	f := b.kb.Facts()
	home := text.FormatMM(f.HomeMM) + " mm"
	vars := map[string]string{"count": strconv.Itoa(week), "max": strconv.Itoa(f.PerWeek), "needle": "a " + home + " roller"}
	// The reminder names the needle its Done button logs, and the home size when that differs.
	if usual, err := b.usualNeedle(ctx, n.Owner); err == nil && usual.mm > 0 {
		vars["needle"] = usual.said
		if usual.mm != f.HomeMM {
			vars["needle"] += " (the guidance's size for home use is " + home + ")"
		}
	}
	r := domain.Reply{Title: "Reminder", Text: b.kb.Note(kb.NoteReminder, vars), Private: true, Buttons: b.ReminderButtons(n.Owner, n.Reminder, now)}
	if week >= f.PerWeek {
		r.Title = "Rest night"
		r.Text = b.kb.Note(kb.NoteRestNight, vars)
		exp, arg := now.Add(24*time.Hour), stamp(n.Reminder.ID, n.Reminder.Created)
		r.Buttons = [][]domain.Button{{
			{Label: "Rolled anyway", Data: b.sign.sign(n.Owner, "done", arg, exp)},
			{Label: "Resting tonight", Data: b.sign.sign(n.Owner, "skip", arg, exp)},
		}}
	}
	switch {
	case n.Repeat > 0 && r.Title == "Reminder":
		r.Title = "Still to do tonight?"
		r.Text = fmt.Sprintf("Tonight's session is still open. (Reminder %d of %d: pressing a button or logging a session stops them.)", n.Repeat+1, domain.MaxNags+1)
	case n.Repeat > 0:
		return domain.Reply{}, false // a rest night is said once, not nagged about
	case n.Late:
		r.Text += fmt.Sprintf("\n\n(This is late: it was due at %s, while I was offline.)", d.Format("15:04"))
	}
	return r, true
}
