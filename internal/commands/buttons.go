package commands

import (
	"context"
	"strings"
)

// buttonCommand routes button presses; no typed command can have this name, because typed
// command names start with a letter.
const buttonCommand = "#button"

// buttonVerbs are the actions a button can carry, as the part of Button.Data before ":".
var buttonVerbs = map[string]struct{}{
	"needle": {},
}

func (b *Bot) button(_ context.Context, req *Request) (Reply, error) {
	verb, arg, _ := strings.Cut(req.Button, ":")
	switch verb {
	case "needle":
		if e, ok := b.kb.Topic(arg); ok {
			return answer(e), nil
		}
	}
	return Reply{}, Errorf("That button no longer works. Send /help to start again.")
}
