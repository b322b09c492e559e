package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/picture"
)

// /month [YYYY-MM] (and /stats, for this month) sends a calendar picture of the diary: a
// square a day shaded by sessions, break days, needles over the home size, weeks over the
// limit and the morning-after check-ins, in the owner's time zone, with its alt text.

func (b *Bot) addMonth() {
	b.add(Command{
		Name: "month", Summary: "A picture of your month, e.g. /month 2026-11", Usage: "[YYYY-MM]", Private: true,
		Options: []Option{{Name: "month", Summary: "Which month, e.g. 2026-11; this month when empty", MaxLength: 7}},
	}, b.month)
}

func (b *Bot) month(ctx context.Context, req *Request) (domain.Reply, error) {
	owner, loc, set, err := b.whose(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, readError(err)
	}
	now := b.now().In(loc)
	year, mon := now.Year(), now.Month()
	if arg := strings.TrimSpace(req.Text); arg != "" {
		t, err := time.Parse("2006-01", arg)
		if err != nil || len(arg) != 7 {
			return domain.Reply{Private: true}, domain.Errorf("Which month? Write it as year and month, e.g. /month 2026-11.")
		}
		if t.Year() < 2000 || t.After(time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)) {
			return domain.Reply{Private: true}, domain.Errorf("I can only show a month from 2000 up to this one.")
		}
		year, mon = t.Year(), t.Month()
	}
	breaks, err := b.store.Breaks(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, readError(err)
	}
	file, err := b.monthPicture(ctx, owner, loc, set, year, mon, breaks)
	if err != nil {
		return domain.Reply{Private: true}, readError(err)
	}
	text := file.Alt
	if !set {
		text += "\n" + strings.TrimSpace(zoneNote(loc, set))
	}
	return domain.Reply{Title: fmt.Sprintf("%s %d", mon, year), Text: text, Private: true, File: file}, nil
}

// monthPicture draws one month of the owner's diary, with their breaks.
func (b *Bot) monthPicture(ctx context.Context, owner domain.Owner, loc *time.Location, set bool, year int, mon time.Month, breaks []domain.Break) (*domain.File, error) {
	first := time.Date(year, mon, 1, 0, 0, 0, 0, loc)
	next := first.AddDate(0, 1, 0)
	// The picture's rows are whole weeks, Monday to Sunday: their counts take in the days of
	// the months around it.
	rowStart := first.AddDate(0, 0, -((int(first.Weekday()) + 6) % 7))
	last := next.AddDate(0, 0, -1)
	rowEnd := last.AddDate(0, 0, 7-(int(last.Weekday())+6)%7)
	entries, err := b.store.SessionsBetween(ctx, owner, rowStart, rowEnd)
	if err != nil {
		return nil, err
	}
	m := picture.Month{Year: year, Month: mon, WeekLimit: b.kb.Facts().PerWeek, Days: make([]picture.Day, next.AddDate(0, 0, -1).Day())}
	if set {
		m.Zone = loc.String()
	} else {
		m.Zone = "UTC"
	}
	now := b.now().In(loc)
	if now.Year() == year && now.Month() == mon {
		m.Today = now.Day()
	}
	for _, e := range entries {
		at := e.At.In(loc)
		switch {
		case at.Before(first):
			m.SessionsBefore++
			continue
		case !at.Before(next):
			m.SessionsAfter++
			continue
		}
		d := &m.Days[at.Day()-1]
		d.Sessions = min(d.Sessions+1, 99)
		d.MaxNeedle = max(d.MaxNeedle, e.NeedleMM)
		// The check-in the morning after is shown on the session's day.
		switch e.Skin {
		case domain.SkinIrritated:
			d.Check = picture.CheckIrritated
		case domain.SkinRed:
			if d.Check != picture.CheckIrritated {
				d.Check = picture.CheckRed
			}
		case domain.SkinFine:
			if d.Check == picture.CheckNone {
				d.Check = picture.CheckFine
			}
		}
	}
	for i := range m.Days {
		day := first.AddDate(0, 0, i)
		if _, ok := domain.OnBreak(breaks, day.Add(12*time.Hour), loc); ok {
			m.Days[i].Break = true
		}
	}
	png, err := picture.Render(m)
	if err != nil {
		return nil, fmt.Errorf("commands: month picture: %w", err)
	}
	return &domain.File{Name: fmt.Sprintf("%04d-%02d.png", year, int(mon)), Type: "image/png", Data: png, Alt: picture.Alt(m)}, nil
}
