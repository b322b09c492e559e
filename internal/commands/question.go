package commands

import (
	"context"
	"strings"
	"time"
	"unicode"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/text"
)

// A reply that asks yes or no ("Delete everything?", "Log another one?") sets Reply.Asks to
// the data of the two buttons that answer it; one that asks for the time zone sets Asks.Zone.
// The bot keeps that question for the person until their next message: a typed "yes" or "no"
// then presses the button, a city's name sets the zone, and any other message, or a press of
// any button, lets the question go, so that a "yes" typed later about something else can
// never answer it, and "Christmas" said in passing is not a time zone.

// questionFor is the longest a question waits for a typed answer; its buttons may live longer.
const questionFor = 10 * time.Minute

// answerHint ends a reply that a typed yes or no answers.
const answerHint = "\n\nPress a button, or answer yes or no."

// yesWords and noWords are the answers a message may open with; "ok" and "fine" are not
// among them, as they often only acknowledge.
var (
	yesWords = map[string]bool{"yes": true, "y": true, "yeah": true, "yea": true, "yep": true, "yup": true, "sure": true, "confirm": true, "confirmed": true, "correct": true}
	noWords  = map[string]bool{"no": true, "n": true, "nope": true, "nah": true, "cancel": true, "stop": true, "dont": true}
)

// yesOrNo reads a message as the answer to a yes-or-no question: "yes", "Yes!", "yes please",
// "no, it's the same one". It opens with a yes or no word and is short (six words at most); a longer message
// or one with a number in it ("no swelling, rolled 0.25 tonight") says more than yes or no.
func yesOrNo(s string) (yes, ok bool) {
	if len(s) > 80 {
		return false, false
	}
	words := strings.FieldsFunc(text.Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' })
	if len(words) == 0 || len(words) > 6 {
		return false, false
	}
	for _, w := range words {
		if strings.ContainsFunc(w, unicode.IsDigit) {
			return false, false
		}
	}
	first := strings.ReplaceAll(words[0], "'", "")
	switch {
	case yesWords[first]:
		return true, true
	case noWords[first]:
		return false, true
	}
	return false, false
}

// typedAnswer turns a typed yes or no into the press of the button it answers, when the person's
// last reply asked one. It takes the open question off in any case: this message answers it
// or moves on. Without a store, or when it cannot be read, the message is read as it is.
//
// It returns ctx, marked when the message answers a question about the time zone.
func (b *Bot) typedAnswer(ctx context.Context, req *Request) context.Context {
	if b.store == nil || req.Command != "" && req.Command != buttonCommand && !b.router.Has(req.Command) {
		return ctx // no diary; or an unknown command, which changes nothing
	}
	owner, err := b.ownerOf(ctx, req)
	if err != nil {
		return ctx
	}
	q, ok, err := b.store.TakeQuestion(ctx, owner)
	if err != nil || !ok || req.Command != "" {
		return ctx // a command or a press moves on from the question
	}
	if q.To.Platform != req.Platform || q.To.Chat != req.ChatID && !req.Private {
		return ctx // asked elsewhere: a private reply asked for in a group is answered in private
	}
	if q.Zone {
		return context.WithValue(ctx, zoneAskedKey{}, true)
	}
	yes, ok := yesOrNo(req.Text)
	if !ok || q.Yes == "" || q.No == "" {
		return ctx
	}
	req.Command, req.Button, req.Text = buttonCommand, q.No, ""
	if yes {
		req.Button = q.Yes
	}
	return ctx
}

type zoneAskedKey struct{}

// zoneAsked reports whether the message answers the question which time zone the user is in.
func zoneAsked(ctx context.Context) bool { v, _ := ctx.Value(zoneAskedKey{}).(bool); return v }

// keepQuestion keeps the question a reply asks, for typedAnswer to find.
func (b *Bot) keepQuestion(ctx context.Context, req *Request, reply domain.Reply) {
	if b.store == nil || reply.Asks == nil {
		return
	}
	owner, err := b.ownerOf(ctx, req)
	if err != nil {
		return
	}
	q := *reply.Asks
	q.To = domain.Address{Platform: req.Platform, Chat: req.ChatID}
	if err := b.store.Ask(ctx, owner, q, questionFor); err != nil {
		b.log.Warn("a typed yes or no will not answer this reply's question", "err", err)
	}
}
