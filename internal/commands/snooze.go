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
	"github.com/needlebot/needlebot/internal/schedule"
)

// The Snooze button under a reminder asks for how long: a few choices, and "later tonight"
// while the evening has room for it. Each choice is a button of its own, naming the reminder
// as the reminder's buttons do, with the choice after "_": "30" minutes, or "t2230" for a
// clock time.

// laterTonight is the clock time "later tonight" means, offered until half an hour before.
var laterTonight = [2]int{22, 30}

// snoozeChoices returns the buttons that snooze the reminder named by arg (see stamp), with
// Done and Skip beside them, so the reminder can still be answered from the question.
func (b *Bot) snoozeChoices(owner domain.Owner, arg string, loc *time.Location, now time.Time) [][]domain.Button {
	exp := now.Add(24 * time.Hour)
	mins := []int{15, 30, 60, int(b.snooze.Minutes())}
	slices.Sort(mins)
	mins = slices.Compact(mins)
	var row []domain.Button
	for _, m := range mins {
		label := fmt.Sprintf("%d min", m)
		if m%60 == 0 {
			label = fmt.Sprintf("%d h", m/60)
		}
		row = append(row, domain.Button{Label: label, Data: b.sign.sign(owner, "snooze", arg+"_"+strconv.Itoa(m), exp)})
	}
	local := now.In(loc)
	later := time.Date(local.Year(), local.Month(), local.Day(), laterTonight[0], laterTonight[1], 0, 0, loc)
	if later.Sub(now) >= 30*time.Minute {
		row = append(row, domain.Button{Label: "Later tonight (" + later.Format("15:04") + ")", Data: b.sign.sign(owner, "snooze", arg+"_t"+later.Format("1504"), exp)})
	}
	return [][]domain.Button{row, {
		{Label: "Done", Data: b.sign.sign(owner, "done", arg, exp)},
		{Label: "Skip tonight", Data: b.sign.sign(owner, "skip", arg, exp)},
	}}
}

// snoozeUntil reads a snooze choice: minutes from now, or a clock time today.
func snoozeUntil(choice string, loc *time.Location, now time.Time) (time.Time, bool) {
	if hhmm, ok := strings.CutPrefix(choice, "t"); ok {
		t, err := time.ParseInLocation("1504", hhmm, loc)
		if err != nil || len(hhmm) != 4 {
			return time.Time{}, false
		}
		local := now.In(loc)
		return time.Date(local.Year(), local.Month(), local.Day(), t.Hour(), t.Minute(), 0, 0, loc), true
	}
	m, err := strconv.Atoi(choice)
	if err != nil || m < 1 || m > 24*60 {
		return time.Time{}, false
	}
	return now.Add(time.Duration(m) * time.Minute), true
}

// snooze handles the Snooze button: without a choice it asks for one; with one it snoozes the
// reminder and says until when, and says so when that is after the owner's midnight.
func (b *Bot) snoozeButton(ctx context.Context, owner domain.Owner, r domain.Reminder, arg, choice string, loc *time.Location, now time.Time) (domain.Reply, error) {
	gone := domain.Reply{Text: "That reminder no longer exists, so there's nothing to snooze.", Private: true}
	if choice == "" {
		return domain.Reply{Title: "Snooze until when?", Text: "Pick when I should remind you again.", Private: true, Buttons: b.snoozeChoices(owner, arg, loc, now)}, nil
	}
	at, ok := snoozeUntil(choice, loc, now)
	switch {
	case !ok:
		return domain.Reply{}, errStaleButton
	case !at.After(now):
		return domain.Reply{Text: fmt.Sprintf("It's past %s already, so I didn't snooze it. Pick another time:", at.In(loc).Format("15:04")), Private: true, Buttons: b.snoozeChoices(owner, arg, loc, now)}, nil
	}
	err := b.store.Snooze(ctx, owner, r.ID, at)
	switch {
	case errors.Is(err, domain.ErrGone):
		return gone, nil
	case errors.Is(err, domain.ErrRateLimited):
		return domain.Reply{Private: true}, busy(err, "")
	case err != nil:
		return domain.Reply{Private: true}, err
	}
	text := fmt.Sprintf("Snoozed: I'll remind you again at %s.", at.In(loc).Format("15:04"))
	if !schedule.SameDay(at, now, loc) {
		text = fmt.Sprintf("Snoozed past midnight: I'll remind you again at %s tomorrow (%s).", at.In(loc).Format("15:04"), at.In(loc).Format("Mon 2 Jan"))
	}
	return domain.Reply{Text: text, Private: true}, nil
}
