package commands

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/needlebot/needlebot/internal/diary"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/text"
)

// A session that must not be logged until the user says so (one reported with a skin reaction,
// one on a day the message leaves vague, one with two needle sizes) is held in the store under
// the event that reported it, and logged from a button: "Log it", a day, or a size.

const heldFor = 24 * time.Hour // how long the buttons of a held session work

// heldButton is a button that logs the session held under key, with a choice applied: "" (as
// it is), "d20261130" (on that day) or "m25" (with a 0.25 mm needle).
func (b *Bot) heldButton(owner domain.Owner, key, choice, label string) domain.Button {
	arg := strings.ReplaceAll(key, ":", "~")
	if choice != "" {
		arg += "_" + choice
	}
	return domain.Button{Label: label, Data: b.sign.sign(owner, "held", arg, b.now().Add(heldFor))}
}

// hold keeps s under the request's event, for its buttons to log.
func (b *Bot) hold(ctx context.Context, req *Request, s domain.Session) error {
	if req.ID == "" {
		return errors.New("commands: hold session: the request has no event id")
	}
	owner, err := b.ownerOf(ctx, req)
	if err != nil {
		return err
	}
	return b.store.HoldSession(ctx, owner, s, req.ID)
}

// logHeld logs a held session, when its button is pressed.
func (b *Bot) logHeld(ctx context.Context, req *Request, arg string) (domain.Reply, error) {
	key, choice, _ := strings.Cut(arg, "_")
	key = strings.ReplaceAll(key, "~", ":")
	owner, loc, set, err := b.whose(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	if choice == "x" {
		return domain.Reply{Text: "OK: I didn't log it again.", Private: true}, nil
	}
	s, ok, err := b.store.HeldSession(ctx, owner, key)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	if !ok {
		return domain.Reply{Private: true}, domain.Errorf("I no longer have that session, so nothing was logged. Tell me about it again, or use /log.")
	}
	switch {
	case strings.HasPrefix(choice, "d"):
		day, err := time.ParseInLocation("20060102", choice[1:], loc)
		if err != nil {
			return domain.Reply{}, errStaleButton
		}
		evening := time.Date(day.Year(), day.Month(), day.Day(), diary.EveningHour, 0, 0, 0, loc)
		if y, m, d := s.At.In(loc).Date(); y == day.Year() && m == day.Month() && d == day.Day() && evening.After(s.At) {
			evening = s.At // the day the message was sent, before its evening: when it was sent
		}
		s.At = evening
	case strings.HasPrefix(choice, "m"):
		n, err := strconv.Atoi(choice[1:])
		if err != nil || n <= 0 {
			return domain.Reply{}, errStaleButton
		}
		s.NeedleMM = float64(n) / 100
	case choice != "":
		return domain.Reply{}, errStaleButton
	}
	// One message is one session, whichever of its buttons is pressed, however often.
	readAt := s.At // as it was read: an instant, or a time from words the store cannot tell
	if strings.HasPrefix(choice, "d") {
		readAt = time.Time{} // a day the user picked: a time on their wall clock
	}
	return b.logSession(ctx, logKey{event: req.ID, key: "held:" + key, again: true, readAt: readAt}, req.Platform, owner, s, loc, set)
}

// holdReply holds the session a message reported and asks the question back with a button
// for each answer.
func (b *Bot) holdReply(ctx context.Context, req *Request, d diary.Result, loc *time.Location) (domain.Reply, error) {
	owner, err := b.ownerOf(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	now := b.now()
	var row []domain.Button
	for _, day := range d.Days {
		row = append(row, b.heldButton(owner, req.ID, "d"+day.In(loc).Format("20060102"), dayLabel(day.In(loc), now.In(loc))))
	}
	for _, mm := range d.Sizes {
		row = append(row, b.heldButton(owner, req.ID, "m"+strconv.Itoa(int(math.Round(mm*100))), text.FormatMM(mm)+" mm"))
	}
	if err := b.hold(ctx, req, d.Session); err != nil {
		if errors.Is(err, domain.ErrRateLimited) {
			return domain.Reply{Private: true}, &domain.Error{Msg: "You're writing faster than I can keep up with. Nothing was saved; please wait a minute and try again.", Err: err}
		}
		return domain.Reply{Private: true}, err
	}
	return domain.Reply{Text: d.Reason, Private: true, Buttons: rows(row, 4)}, nil
}

// dayLabel names a day for a button: "Today", "Yesterday", or "Mon 30 Nov".
func dayLabel(day, now time.Time) string {
	y1, m1, d1 := day.Date()
	y2, m2, d2 := now.Date()
	switch today := time.Date(y2, m2, d2, 12, 0, 0, 0, time.UTC); time.Date(y1, m1, d1, 12, 0, 0, 0, time.UTC) {
	case today:
		return "Today"
	case today.AddDate(0, 0, -1):
		return "Yesterday"
	}
	return day.Format("Mon 2 Jan")
}

// rows lays buttons out n to a row.
func rows(buttons []domain.Button, n int) [][]domain.Button {
	var out [][]domain.Button
	for i := 0; i < len(buttons); i += n {
		out = append(out, buttons[i:min(i+n, len(buttons))])
	}
	return out
}

// safetyReply is the safety reply to a message that reports a skin reaction. A session the
// same message reports is not logged: it is held, and logged only if the user presses the
// button.
func (b *Bot) safetyReply(ctx context.Context, req *Request, d diary.Result, loc *time.Location) domain.Reply {
	reply := b.safety()
	if d.Kind != diary.Report || b.store == nil {
		return reply
	}
	owner, err := b.ownerOf(ctx, req)
	if err == nil {
		err = b.hold(ctx, req, d.Session)
	}
	if err != nil {
		// The safety reply matters more than the diary: it is sent, and the session is not held.
		b.log.Warn("safety reply: could not hold the session", "err", err)
		reply.Text += "\n\nI haven't logged the session you mentioned. Once you feel fine, you can log it with /log."
		return reply
	}
	reply.Text += fmt.Sprintf("\n\nI haven't logged the session you mentioned (%s). If you still want it in your diary, press Log it.", describe(d.Session, loc, b.now()))
	reply.Buttons = append(reply.Buttons, []domain.Button{b.heldButton(owner, req.ID, "", "Log it")})
	return reply
}
