package commands

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/needlebot/needlebot/internal/diary"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/text"
)

// /delete and /edit act on the numbers /history shows, which are the sessions' ids: they stay
// the same while other sessions come and go.

func (b *Bot) addEntries() {
	b.add(Command{
		Name: "delete", Summary: "Delete a session by its number from /history, e.g. /delete 7", Usage: "<number>", Private: true,
		Options: []Option{{Name: "number", Summary: "The session's number from /history", Type: Integer, Required: true, Min: 1, Max: 1e9}},
	}, b.deleteEntry)
	b.add(Command{
		Name: "edit", Summary: "Fix a session, e.g. /edit 7 0.5 peptides", Usage: "<number> [needle mm] [serum] [area] [day]", Private: true,
		Options: []Option{
			{Name: "number", Summary: "The session's number from /history", Type: Integer, Required: true, Min: 1, Max: 1e9},
			{Name: "change", Summary: "What to change: needle, serum, area or day, e.g. 0.5 peptides", Required: true, MaxLength: 200},
		},
	}, b.editEntry)
}

// entryNumber reads the session number a command starts with.
func entryNumber(args []string, usage string) (int64, error) {
	if len(args) == 0 {
		return 0, domain.Errorf("Which session? Give its number from /history, e.g. %s.", usage)
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(args[0], "#"), 10, 64)
	if err != nil || n < 1 {
		return 0, domain.Errorf("%q isn't a session number. Give the number /history shows, e.g. %s.", text.Clip(args[0], 20), usage)
	}
	return n, nil
}

func (b *Bot) deleteEntry(ctx context.Context, req *Request) (domain.Reply, error) {
	id, err := entryNumber(req.Args, "/delete 7")
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	owner, loc, _, err := b.whose(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	e, ok, err := b.store.RemoveSession(ctx, owner, id, time.Time{}, req.ID)
	switch {
	case errors.Is(err, domain.ErrRateLimited):
		return domain.Reply{Private: true}, busy(err, "removed")
	case err != nil:
		return domain.Reply{Private: true}, err
	case !ok:
		return domain.Reply{Text: fmt.Sprintf("There's no session #%d in your diary. /history shows their numbers.", id), Private: true}, nil
	}
	return domain.Reply{Title: "Deleted", Text: fmt.Sprintf("#%d %s", e.ID, describe(e.Session, loc, b.now())), Private: true}, nil
}

func (b *Bot) editEntry(ctx context.Context, req *Request) (domain.Reply, error) {
	const usage = "/edit 7 0.5 peptides"
	id, err := entryNumber(req.Args, usage)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	change := strings.TrimSpace(strings.Join(req.Args[1:], " "))
	if v := req.Options["change"]; v != "" {
		change = v
	}
	owner, loc, set, err := b.whose(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	e, ok, err := b.store.Session(ctx, owner, id)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	if !ok {
		return domain.Reply{Text: fmt.Sprintf("There's no session #%d in your diary. /history shows their numbers.", id), Private: true}, nil
	}
	if change == "" {
		return domain.Reply{Private: true}, domain.Errorf("What should I change in #%d? For example %s sets the needle and the serum, /edit %d yesterday the day.", id, strings.Replace(usage, "7", strconv.FormatInt(id, 10), 1), id)
	}
	now := b.now()
	c, err := b.diary.ParseLog(change, now.In(loc))
	var ie *diary.InputError
	if errors.As(err, &ie) {
		return domain.Reply{Private: true}, &domain.Error{Msg: ie.Message}
	}
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	s := e.Session
	changed := false
	if c.NeedleMM > 0 {
		s.NeedleMM, changed = c.NeedleMM, true
	}
	if len(c.Products) > 0 {
		s.Products, changed = c.Products, true
	}
	if len(c.Areas) > 0 {
		s.Areas, changed = c.Areas, true
	}
	if !c.At.Equal(now) && !c.At.Equal(now.In(loc)) {
		// A day or time was named: "yesterday", "at 22:00".
		s.At, changed = c.At, true
		s.Floating = !set
	}
	if c.Note != "" {
		s.Note, changed = c.Note, true
	}
	if !changed {
		return domain.Reply{Private: true}, domain.Errorf("I didn't find anything to change in that. Name a needle size, a serum, an area or a day, e.g. %s.", usage)
	}
	after, ok, err := b.store.EditSession(ctx, owner, id, s)
	switch {
	case errors.Is(err, domain.ErrRateLimited):
		return domain.Reply{Private: true}, busy(err, "changed")
	case err != nil:
		return domain.Reply{Private: true}, err
	case !ok:
		return domain.Reply{Text: fmt.Sprintf("Session #%d was removed meanwhile, so nothing was changed.", id), Private: true}, nil
	}
	text := fmt.Sprintf("#%d was %s\nnow %s", id, describe(e.Session, loc, now), describe(after.Session, loc, now))
	for _, note := range b.feedback(after.Session, 0) {
		text += "\n\n" + note
	}
	return domain.Reply{Title: "Changed", Text: text, Private: true}, nil
}
