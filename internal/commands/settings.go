package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
)

// /settings shows what is set for the user in one place, with buttons for what can be
// changed there and then; /privacy says what is kept and how to delete it.

func (b *Bot) addSettings() {
	b.add(Command{Name: "settings", Summary: "Your time zone, reminders and linked accounts", Private: true}, b.settings)
	b.add(Command{Name: "privacy", Summary: "What I keep about you, and how to delete it"}, b.privacy)
}

func (b *Bot) settings(ctx context.Context, req *Request) (domain.Reply, error) {
	owner, loc, set, err := b.whose(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, readError(err)
	}
	all, err := b.store.ListReminders(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, readError(err)
	}
	list := onlyNightly(all)
	ids, err := b.store.Identities(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, readError(err)
	}
	now := b.now()
	var sb strings.Builder
	if set {
		fmt.Fprintf(&sb, "Time zone: %s (it's %s there now). Change it with /timezone Area/City.\n", loc, now.In(loc).Format("15:04"))
	} else {
		sb.WriteString("Time zone: not set, so I use UTC. Set it with /timezone, or press one below.\n")
	}
	if len(list) == 0 {
		sb.WriteString("Reminders: none. Set one with /remind set 21:30.\n")
	} else {
		fmt.Fprintf(&sb, "Reminders, arriving on %s:\n", arrivals(list))
		for i, r := range list {
			sb.WriteString("  " + reminderLine(i+1, r, loc, now) + "\n")
		}
		sb.WriteString("Change them with /remind set, /remind nag, /remind off <number> or /remind where.\n")
	}
	for _, k := range []struct{ kind, on, off string }{
		{domain.KindSummary, "Weekly summary: every %s at %s. /summary off stops it.\n", "Weekly summary: off. /summary on sends your week every Sunday at 19:00.\n"},
		{domain.KindCheckin, "Morning check-in: at %[2]s after a night with a session. /checkin off stops it.\n", "Morning check-in: off. /checkin on asks how your skin is the morning after.\n"},
	} {
		if r, ok := ofKind(all, k.kind); ok {
			fmt.Fprintf(&sb, k.on, dayName(r.Days), r.Clock)
		} else {
			sb.WriteString(k.off)
		}
	}
	if r, ok, err := b.store.Roller(ctx, owner); err != nil {
		return domain.Reply{Private: true}, readError(err)
	} else if ok {
		fmt.Fprintf(&sb, "Roller: %s since %s. /roller new when you change it.\n", rollerName(r), r.Since.In(loc).Format("Mon 2 Jan"))
	}
	breaks, err := b.store.Breaks(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, readError(err)
	}
	if cur, ok := domain.OnBreak(breaks, now, loc); ok {
		last, _ := time.ParseInLocation(domain.DateLayout, cur.To, loc)
		fmt.Fprintf(&sb, "Break: until %s, so no reminders come and your streak waits. /resume ends it.\n", last.Format("Mon 2 Jan"))
	} else {
		sb.WriteString("Break: none. /pause 5d (or until sunday) holds reminders and keeps your streak.\n")
	}
	if len(ids) > 1 {
		var apps []string
		for _, id := range ids {
			apps = append(apps, id.Platform.Name())
		}
		fmt.Fprintf(&sb, "Linked accounts: %s share one diary. /unlink splits them.\n", strings.Join(apps, " and "))
	} else {
		sb.WriteString("Linked accounts: none. /link joins your Telegram and Discord accounts into one diary.\n")
	}
	sb.WriteString("Your data: /export saves it, /forget deletes it, /privacy says what I keep.")
	reply := domain.Reply{Title: "Your settings", Text: sb.String(), Private: true}
	if !set {
		b.askZone(&reply, owner, "Which time zone are you in?")
	}
	return reply, nil
}

func (b *Bot) privacy(context.Context, *Request) (domain.Reply, error) {
	text := `I keep only what the bot needs to work for you:
- the sessions you log (when, needle size, serums, areas, your note), and how often you used each needle and serum;
- your time zone, your reminders (their times, days and the chat they go to), and which of your Telegram and Discord accounts you linked;
- for two days, the ids of the messages I handled, so that one sent twice is not logged twice.

I don't keep your questions or other messages, your name or your contacts, and nothing is shared with anyone. The operator running this bot can read the data store.

/export gives you everything in your diary as a file. /forget deletes everything about you at once (all linked accounts too), after you confirm; there is no copy kept.`
	if b.store == nil {
		text = "This bot keeps nothing about you: it only answers questions from the guidance, and doesn't store your messages."
	}
	return domain.Reply{Title: "Privacy", Text: text, Private: true}, nil
}
