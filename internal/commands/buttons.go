package commands

import (
	"context"
	"strings"

	"github.com/needlebot/needlebot/internal/domain"
)

// buttonCommand routes button presses; no typed command can have this name, because typed
// command names start with a letter.
const buttonCommand = "#button"

// buttonVerbs are the actions a button can carry, as the part of Button.Data before ":".
// Only "needle" is unsigned: it shows public guidance, so anyone may press it.
var buttonVerbs = map[string]struct{}{
	"needle": {}, "undo": {}, "forget": {}, "tz": {}, "done": {}, "snooze": {}, "skip": {}, "held": {},
	"rmove": {}, "radd": {}, "link": {}, "pause": {}, "skin": {}, "roller": {},
}

var errStaleButton = domain.Errorf("That button no longer works. Send /help to start again.")

func (b *Bot) button(ctx context.Context, req *Request) (domain.Reply, error) {
	if topic, ok := strings.CutPrefix(req.Button, "needle:"); ok {
		if e, ok := b.kb.Topic(topic); ok {
			return answer(e), nil
		}
		return domain.Reply{}, errStaleButton
	}
	if b.store == nil {
		return domain.Reply{}, errStaleButton
	}
	owner, err := b.ownerOf(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	verb, arg, ok, expired := b.sign.verify(owner, req.Button, b.now())
	if expired {
		return domain.Reply{Private: true}, domain.Errorf("That button has expired. Nothing was changed.")
	}
	if !ok {
		return domain.Reply{Private: true}, domain.Errorf("That button isn't yours, or no longer works. Nothing was changed.")
	}
	switch verb {
	case "undo":
		if id, logged, ok := unstampSession(arg); ok {
			return b.remove(ctx, req, id, logged)
		}
	case "forget":
		return b.forgetConfirmed(ctx, req, arg == "yes")
	case "tz":
		return b.setZone(ctx, req, arg)
	case "done", "snooze", "skip":
		return b.reminderButton(ctx, req, verb, arg)
	case "held":
		return b.logHeld(ctx, req, arg)
	case "rmove":
		return b.moveReminder(ctx, req, arg)
	case "radd":
		return b.secondReminder(ctx, req, arg)
	case "link":
		return b.linkButton(ctx, req, arg)
	case "pause":
		return b.pauseButton(ctx, req, arg)
	case "skin":
		return b.skinButton(ctx, req, arg)
	case "roller":
		return b.rollerButton(ctx, req, arg)
	}
	return domain.Reply{}, errStaleButton
}
