package commands

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/schedule"
	txt "github.com/needlebot/needlebot/internal/text"
)

// Two opt-in messages ride on the reminders' machinery (schedule, due index, leases, limits,
// never twice), as reminders of their own kind, one of each per person:
//   - the weekly summary (/summary on [day] [time]): the last seven days in one message, with
//     the month's picture;
//   - the aftercare check-in (/checkin on [time]): the morning after a logged session, "How is
//     your skin today?" with Fine / A bit red / Irritated; the answer is kept on the session,
//     and "Irritated" gets the safety reply. It asks about the night before only, once.

const (
	defaultCheckin = 9  // the check-in's local hour
	summaryHour    = 19 // the summary's default local time, on summaryDay
	summaryDay     = "sun"
	skinFor        = 48 * time.Hour // how long the check-in's buttons work
)

// onlyNightly keeps the nightly reminders of a list.
func onlyNightly(list []domain.Reminder) []domain.Reminder {
	return slices.DeleteFunc(slices.Clone(list), func(r domain.Reminder) bool { return r.Kind != "" })
}

// nightly returns the owner's nightly reminders, in /remind list's order.
func (b *Bot) nightly(ctx context.Context, owner domain.Owner) ([]domain.Reminder, error) {
	list, err := b.store.ListReminders(ctx, owner)
	return onlyNightly(list), err
}

// ofKind returns the reminder of a kind in list, if there is one.
func ofKind(list []domain.Reminder, kind string) (domain.Reminder, bool) {
	i := slices.IndexFunc(list, func(r domain.Reminder) bool { return r.Kind == kind })
	if i < 0 {
		return domain.Reminder{}, false
	}
	return list[i], true
}

func (b *Bot) addScheduled() {
	b.add(Command{
		Name: "summary", Summary: "Your week in one message, once a week", Usage: "on [day] [time] | off", Private: true,
		Subs: []Sub{
			{Name: "on", Summary: "Turn it on, e.g. sunday 19:00", Options: []Option{
				{Name: "day", Summary: "Which day, e.g. sunday (the default)", MaxLength: 12},
				{Name: "time", Summary: "Local time, e.g. 19:00 (the default)", MaxLength: 20},
			}},
			{Name: "off", Summary: "Turn it off"},
		},
	}, b.summary)
	b.add(Command{
		Name: "checkin", Summary: "The morning after a session, I ask how your skin is", Usage: "on [time] | off", Private: true,
		Subs: []Sub{
			{Name: "on", Summary: "Turn it on, e.g. 09:00 (the default)", Options: []Option{
				{Name: "time", Summary: "Local time in the morning, e.g. 08:30", MaxLength: 20},
			}},
			{Name: "off", Summary: "Turn it off"},
		},
	}, b.checkin)
}

func (b *Bot) summary(ctx context.Context, req *Request) (domain.Reply, error) {
	const usage = "The weekly summary: /summary on (Sundays at 19:00), /summary on friday 20:00, or /summary off."
	if len(req.Args) == 0 {
		return domain.Reply{Text: usage, Private: true}, nil
	}
	switch strings.ToLower(req.Args[0]) {
	case "off":
		return b.scheduledOff(ctx, req, domain.KindSummary, "The weekly summary is off.")
	case "on":
	default:
		return domain.Reply{Private: true}, domain.Errorf("I don't know /summary %s.\n\n%s", txt.Clip(req.Args[0], 20), usage)
	}
	day, clock := summaryDay, schedule.Clock{Hour: summaryHour}
	words := req.Args[1:]
	if len(words) > 0 {
		if _, err := schedule.ParseDays(words[0]); err == nil {
			day, words = words[0], words[1:]
		}
	}
	if len(words) > 0 {
		c, err := schedule.ParseClock(strings.Join(words, " "))
		if err != nil {
			return domain.Reply{Private: true}, &domain.Error{Msg: err.Error(), Err: err}
		}
		clock = c
	}
	days, err := schedule.ParseDays(day)
	if err != nil || !oneDay(days) {
		return domain.Reply{Private: true}, domain.Errorf("The summary comes on one day of the week, e.g. /summary on sunday 19:00.")
	}
	return b.scheduledOn(ctx, req, domain.Reminder{Kind: domain.KindSummary, Clock: clock, Days: days},
		fmt.Sprintf("The weekly summary is on: every %s at %s, your last seven days in one message, with the month's picture.", dayName(days), clock))
}

// dayName names the one day of days: "Sunday".
func dayName(days schedule.Weekdays) string {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if days.Has(d) {
			return d.String()
		}
	}
	return days.String()
}

// oneDay reports whether days holds exactly one weekday.
func oneDay(days schedule.Weekdays) bool { return days != 0 && days&(days-1) == 0 }

func (b *Bot) checkin(ctx context.Context, req *Request) (domain.Reply, error) {
	const usage = "The morning check-in: /checkin on (at 09:00), /checkin on 08:30, or /checkin off."
	if len(req.Args) == 0 {
		return domain.Reply{Text: usage, Private: true}, nil
	}
	switch strings.ToLower(req.Args[0]) {
	case "off":
		return b.scheduledOff(ctx, req, domain.KindCheckin, "The morning check-in is off.")
	case "on":
	default:
		return domain.Reply{Private: true}, domain.Errorf("I don't know /checkin %s.\n\n%s", txt.Clip(req.Args[0], 20), usage)
	}
	clock := schedule.Clock{Hour: defaultCheckin}
	if len(req.Args) > 1 {
		c, err := schedule.ParseClock(strings.Join(req.Args[1:], " "))
		if err != nil {
			return domain.Reply{Private: true}, &domain.Error{Msg: err.Error(), Err: err}
		}
		if c.Hour < nightTurn || c.Hour >= 15 {
			return domain.Reply{Private: true}, domain.Errorf("The check-in asks about the night before, so it comes in the morning: pick a time from %02d:00 to 14:59.", nightTurn)
		}
		clock = c
	}
	return b.scheduledOn(ctx, req, domain.Reminder{Kind: domain.KindCheckin, Clock: clock, Days: schedule.Daily},
		fmt.Sprintf("The morning check-in is on: at %s after a night you logged a session, I'll ask how your skin is.", clock))
}

// scheduledOn sets the owner's reminder of a kind, replacing the one they had.
func (b *Bot) scheduledOn(ctx context.Context, req *Request, want domain.Reminder, done string) (domain.Reply, error) {
	owner, loc, set, err := b.whose(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	now := b.now()
	next := schedule.Next(want.Clock, want.Days, loc, now)
	all, err := b.store.ListReminders(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	if cur, had := ofKind(all, want.Kind); had {
		cur.Clock, cur.Days = want.Clock, want.Days
		err = b.store.UpdateReminder(ctx, owner, cur, next)
	} else {
		want.To = destination(req, onlyNightly(all))
		_, err = b.store.AddReminder(ctx, owner, want, next, req.ID)
	}
	switch {
	case errors.Is(err, domain.ErrRateLimited):
		return domain.Reply{Private: true}, busy(err, "saved")
	case errors.Is(err, domain.ErrDuplicate):
		// Set at the same moment from another message: it is on.
	case err != nil:
		return domain.Reply{Private: true}, err
	}
	reply := domain.Reply{Title: "Turned on", Text: done + " Next: " + when(next, loc, now) + ".", Private: true}
	if !set {
		b.askZone(&reply, owner, "Which time zone are you in? Until you tell me, I use UTC.")
	}
	return reply, nil
}

// scheduledOff removes the owner's reminder of a kind.
func (b *Bot) scheduledOff(ctx context.Context, req *Request, kind, done string) (domain.Reply, error) {
	owner, err := b.ownerOf(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	all, err := b.store.ListReminders(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	cur, had := ofKind(all, kind)
	if !had {
		return domain.Reply{Text: "It was off already.", Private: true}, nil
	}
	if _, err := b.store.RemoveReminder(ctx, owner, cur.ID); errors.Is(err, domain.ErrRateLimited) {
		return domain.Reply{Private: true}, busy(err, "changed")
	} else if err != nil {
		return domain.Reply{Private: true}, err
	}
	return domain.Reply{Text: done, Private: true}, nil
}

// summaryReply writes the weekly summary: the last seven days against the guidance, the
// needles and serums, the streak, and the month's picture.
func (b *Bot) summaryReply(ctx context.Context, n domain.Nudge, loc *time.Location, now time.Time) (domain.Reply, bool) {
	from := now.Add(-7 * 24 * time.Hour)
	week, err := b.store.SessionsBetween(ctx, n.Owner, from, now.Add(time.Second))
	if err != nil {
		b.log.Warn("summary: diary unreadable; this week's is skipped rather than sent wrong", "err", err)
		return domain.Reply{}, false
	}
	times, err := b.store.SessionTimes(ctx, n.Owner)
	if err != nil {
		return domain.Reply{}, false
	}
	f := b.kb.Facts()
	st := computeStats(times, n.Breaks, now, loc, f.PerWeek)
	needles, serums := map[string]int{}, map[string]int{}
	big := 0
	for _, e := range week {
		if e.NeedleMM > 0 {
			needles[txt.FormatMM(e.NeedleMM)+" mm"]++
			if e.NeedleMM > f.HomeMM {
				big++
			}
		}
		for _, p := range e.Products {
			serums[p]++
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "Your last seven days: %d session%s, against up to %d a week.\n", len(week), txt.Plural(len(week)), f.PerWeek)
	if len(week) > f.PerWeek {
		fmt.Fprintf(&sb, "That's more than the guidance's %d: give your skin a rest night or two.\n", f.PerWeek)
	}
	if s := counted(needles); s != "" {
		sb.WriteString("Needles: " + s + "\n")
	}
	if big > 0 {
		fmt.Fprintf(&sb, "%d with a needle over the %s mm the guidance suggests for home use.\n", big, txt.FormatMM(f.HomeMM))
	}
	if s := counted(serums); s != "" {
		sb.WriteString("Serums: " + s + "\n")
	}
	if st.streak > 0 {
		fmt.Fprintf(&sb, "Streak: %d week%s in a row within the guidance.\n", st.streak, txt.Plural(st.streak))
	}
	reply := domain.Reply{Title: "Your week", Text: strings.TrimSpace(sb.String()), Private: true}
	local := now.In(loc)
	if file, err := b.monthPicture(ctx, n.Owner, loc, true, local.Year(), local.Month(), n.Breaks); err == nil {
		reply.File = file
	}
	return reply, true
}

// counted lists counts, most first: "0.25 mm ×3, 0.5 mm ×1".
func counted(m map[string]int) string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.SortFunc(names, func(a, b string) int {
		if m[a] != m[b] {
			return m[b] - m[a]
		}
		return strings.Compare(a, b)
	})
	for i, k := range names {
		names[i] = fmt.Sprintf("%s ×%d", k, m[k])
	}
	return strings.Join(names, ", ")
}

// checkinReply asks about the skin the morning after a session: the last session of the
// night that ended this morning, when it has no answer yet. Nothing else is asked about.
func (b *Bot) checkinReply(ctx context.Context, n domain.Nudge, loc *time.Location, now time.Time) (domain.Reply, bool) {
	from, to := night(n.Due.Add(-24*time.Hour), loc)
	list, err := b.store.SessionsBetween(ctx, n.Owner, from, to)
	if err != nil || len(list) == 0 {
		return domain.Reply{}, false
	}
	e := list[len(list)-1]
	if e.Skin != "" {
		return domain.Reply{}, false
	}
	exp := now.Add(skinFor)
	arg := sessionStamp(e.ID, e.Logged)
	return domain.Reply{
		Title:   "How is your skin today?",
		Text:    fmt.Sprintf("After last night's session (%s).", describe(e.Session, loc, now)),
		Private: true,
		Buttons: [][]domain.Button{{
			{Label: "Fine", Data: b.sign.sign(n.Owner, "skin", arg+"_f", exp)},
			{Label: "A bit red", Data: b.sign.sign(n.Owner, "skin", arg+"_r", exp)},
			{Label: "Irritated", Data: b.sign.sign(n.Owner, "skin", arg+"_i", exp)},
		}},
	}, true
}

// skinButton keeps the check-in's answer on the session; "Irritated" gets the safety reply.
func (b *Bot) skinButton(ctx context.Context, req *Request, arg string) (domain.Reply, error) {
	ref, choice, _ := strings.Cut(arg, "_")
	id, logged, ok := unstampSession(ref)
	skin := map[string]string{"f": domain.SkinFine, "r": domain.SkinRed, "i": domain.SkinIrritated}[choice]
	if !ok || skin == "" {
		return domain.Reply{}, errStaleButton
	}
	owner, err := b.ownerOf(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	e, found, err := b.stampedSession(ctx, owner, id, logged)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	if !found {
		return domain.Reply{Text: "That session is no longer in your diary, so I kept nothing.", Private: true}, nil
	}
	s := e.Session
	s.Skin = skin
	switch _, _, err := b.store.EditSession(ctx, owner, id, s); {
	case errors.Is(err, domain.ErrRateLimited):
		return domain.Reply{Private: true}, busy(err, "saved")
	case err != nil:
		return domain.Reply{Private: true}, err
	}
	switch skin {
	case domain.SkinIrritated:
		return b.safety(), nil
	case domain.SkinRed:
		return domain.Reply{Text: "Noted on your session: a bit red. If it lasts, burns, swells or bleeds, stop rolling and see a doctor.", Private: true}, nil
	}
	return domain.Reply{Text: "Good to hear. Noted on your session.", Private: true}, nil
}
