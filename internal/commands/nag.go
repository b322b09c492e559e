package commands

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/schedule"
	"github.com/needlebot/needlebot/internal/text"
)

// A nagging reminder comes again after its interval while nothing answers it, at most
// domain.MaxNags times a night and never past the owner's midnight (the dispatcher sees to
// that). "/remind set 21:30 nag 20m" sets one; "/remind nag 1 30m" or "/remind nag 1 off"
// changes one.

// defaultNag is the interval "nag" alone means.
const defaultNag = 20 * time.Minute

// splitNag takes "nag [interval]" out of a reminder's words: the rest, the interval, and
// whether it was given at all. Discord gives the interval as its own option.
func splitNag(words []string, option string) ([]string, time.Duration, bool, error) {
	if option != "" {
		if n := len(words); n > 0 && words[n-1] == option {
			words = words[:n-1] // the option's value, appended to the words after the others
		}
		d, err := parseNag(option)
		return words, d, true, err
	}
	for i, w := range words {
		if !strings.EqualFold(w, "nag") {
			continue
		}
		rest := append(append([]string(nil), words[:i]...), words[i+1:]...)
		if i+1 < len(words) {
			if d, err := parseNag(words[i+1]); err == nil || looksLikeInterval(words[i+1]) {
				return append(append([]string(nil), words[:i]...), words[i+2:]...), d, true, err
			}
		}
		return rest, defaultNag, true, nil
	}
	return words, 0, false, nil
}

// looksLikeInterval reports a word meant as an interval, even a wrong one ("5m", "3h").
func looksLikeInterval(w string) bool {
	return w != "" && w[0] >= '0' && w[0] <= '9' || strings.EqualFold(w, "off")
}

// parseNag reads an interval: "20m", "20min", "20 minutes" as one word, "1h", "90m", or "off".
func parseNag(s string) (time.Duration, error) {
	w := strings.ToLower(strings.TrimSpace(s))
	if w == "off" || w == "no" {
		return 0, nil
	}
	unit := time.Minute
	num := strings.TrimRightFunc(w, func(r rune) bool { return r < '0' || r > '9' })
	switch strings.TrimSpace(strings.TrimPrefix(w, num)) {
	case "m", "min", "mins", "minute", "minutes", "":
	case "h", "hr", "hrs", "hour", "hours":
		unit = time.Hour
	default:
		num = ""
	}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 || n > 1000 {
		return 0, domain.Errorf("%q isn't an interval I know. Say how long between repeats, from %d min to %d h, e.g. nag 20m.", text.Clip(s, 20), int(domain.MinNag.Minutes()), int(domain.MaxNag.Hours()))
	}
	d := time.Duration(n) * unit
	if d < domain.MinNag || d > domain.MaxNag {
		return 0, domain.Errorf("Repeats can be %d min to %d h apart; %s is outside that.", int(domain.MinNag.Minutes()), int(domain.MaxNag.Hours()), nagText(d))
	}
	return d, nil
}

// nagText says an interval the way people do: "20 min", "1 h", "1 h 30 min".
func nagText(d time.Duration) string {
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case h == 0:
		return fmt.Sprintf("%d min", m)
	case m == 0:
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}

// nagNote says how a reminder nags, for the replies that describe it.
func nagNote(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return fmt.Sprintf(" If nothing answers it, it comes again every %s, up to %d more times, until midnight.", nagText(d), domain.MaxNags)
}

// remindNag changes how reminder number n nags: "/remind nag 1 30m", "/remind nag 1 off".
func (b *Bot) remindNag(ctx context.Context, req *Request, words []string) (domain.Reply, error) {
	const usage = "Tell me which reminder and how often, e.g. /remind nag 1 20m, or /remind nag 1 off."
	if len(words) == 0 || len(words) > 2 {
		return domain.Reply{Private: true}, domain.Errorf(usage)
	}
	n, err := strconv.Atoi(strings.TrimPrefix(words[0], "#"))
	if err != nil || n < 1 {
		return domain.Reply{Private: true}, domain.Errorf(usage)
	}
	every := defaultNag
	if len(words) == 2 {
		if every, err = parseNag(words[1]); err != nil {
			return domain.Reply{Private: true}, err
		}
	}
	owner, loc, _, err := b.whose(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	list, err := b.nightly(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	if n > len(list) {
		return domain.Reply{Private: true}, domain.Errorf("You have no reminder #%d. See them with /remind list.", n)
	}
	return b.setNag(ctx, owner, list[n-1], every, loc)
}

// setNag changes how a reminder nags, keeping its time.
func (b *Bot) setNag(ctx context.Context, owner domain.Owner, r domain.Reminder, every time.Duration, loc *time.Location) (domain.Reply, error) {
	if r.Nag == every {
		if every == 0 {
			return domain.Reply{Text: fmt.Sprintf("Your reminder at %s comes once a night already.", r.Clock), Private: true}, nil
		}
		return domain.Reply{Text: fmt.Sprintf("Your reminder at %s repeats every %s already.", r.Clock, nagText(every)), Private: true}, nil
	}
	r.Nag = every
	now := b.now()
	switch err := b.store.UpdateReminder(ctx, owner, r, schedule.Next(r.Clock, r.Days, loc, now)); {
	case errors.Is(err, domain.ErrGone):
		return domain.Reply{Text: "That reminder no longer exists. Set one with /remind set.", Private: true}, nil
	case errors.Is(err, domain.ErrRateLimited):
		return domain.Reply{Private: true}, busy(err, "changed")
	case err != nil:
		return domain.Reply{Private: true}, err
	}
	if every == 0 {
		return domain.Reply{Title: "Reminder changed", Text: fmt.Sprintf("Your reminder at %s comes once a night now, without repeats.", r.Clock), Private: true}, nil
	}
	return domain.Reply{Title: "Reminder changed", Text: fmt.Sprintf("Your reminder at %s is set.%s", r.Clock, nagNote(every)), Private: true}, nil
}
