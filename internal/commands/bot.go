// Package commands is needlebot's core: it turns a Request from any front end into a Reply.
// It knows the commands, the knowledge base and the rules of the guidance; it knows nothing
// of Telegram, Discord or Redis.
package commands

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/needlebot/needlebot/internal/kb"
)

// Platforms, as they appear in Request.Platform and in user ids ("tg:12345").
const (
	Telegram = "tg"
	Discord  = "dc"
	Console  = "console"
)

// Limits on what users send.
const (
	maxQuestionRunes = 500 // a question longer than this is not a question any more
)

// Config is what a Bot needs.
type Config struct {
	KB  *kb.KB
	Now func() time.Time // the clock; time.Now when nil
	Log *slog.Logger     // where handled requests are logged; discarded when nil
}

// Bot answers requests. It is safe for concurrent use.
type Bot struct {
	kb       *kb.KB
	now      func() time.Time
	log      *slog.Logger
	router   *Router
	commands []Command
}

// New builds a Bot with every command registered.
func New(cfg Config) *Bot {
	b := &Bot{kb: cfg.KB, now: cfg.Now, log: cfg.Log}
	if b.now == nil {
		b.now = time.Now
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	b.router = NewRouter(HandlerFunc(b.unknown))
	b.router.HandleText(HandlerFunc(b.text))
	b.add(Command{Name: "start", Summary: "Welcome, and what I can do"}, b.start)
	b.add(Command{Name: "help", Summary: "List every command"}, b.help)
	b.add(Command{
		Name: "needle", Summary: "The guidance on one topic, e.g. /needle size", Usage: "<topic>",
		Subs: b.topicSubs(),
	}, b.needle)
	b.add(Command{
		Name: "ask", Summary: "Ask a question in your own words", Usage: "<question>",
		Options: []Option{{Name: "question", Summary: "Your question, e.g. can I roll every day?", Required: true, MaxLength: maxQuestionRunes}},
	}, b.ask)
	b.router.HandleFunc(buttonCommand, b.button)
	return b
}

// add registers a command's description and its handler together, so they cannot drift apart.
func (b *Bot) add(c Command, h func(context.Context, *Request) (Reply, error)) {
	b.commands = append(b.commands, c)
	b.router.HandleFunc(c.Name, h)
}

// Commands returns the description of every command, in /help order.
func (b *Bot) Commands() []Command {
	return append([]Command(nil), b.commands...)
}

// Command returns the description of the named command.
func (b *Bot) Command(name string) (Command, bool) {
	for _, c := range b.commands {
		if c.Name == name {
			return c, true
		}
	}
	return Command{}, false
}

// Respond answers a request. It never fails: errors become a friendly reply, and anything that
// is not the user's doing is logged here, once.
func (b *Bot) Respond(ctx context.Context, req *Request) Reply {
	start := time.Now()
	if req.Button != "" {
		req.Command = buttonCommand
	}
	reply, err := b.router.Serve(ctx, req)
	outcome := "ok"
	var ue *Error
	switch {
	case err == nil:
	case errors.As(err, &ue):
		outcome = "rejected"
		reply = Reply{Text: ue.Msg, Private: reply.Private}
	case unavailable(err):
		outcome = "unavailable"
		reply = Reply{Text: msgUnavailable, Private: reply.Private}
	default:
		outcome = "error"
		reply = Reply{Text: msgInternal, Private: reply.Private}
	}
	level := slog.LevelInfo
	attrs := []any{"command", b.commandName(req), "platform", req.Platform, "outcome", outcome, "duration", time.Since(start)}
	if outcome == "error" || outcome == "unavailable" {
		level = slog.LevelError
		attrs = append(attrs, "err", err)
	}
	b.log.Log(ctx, level, "handled", attrs...)
	return reply
}

// commandName names a request for logs and metrics without including what the user typed.
func (b *Bot) commandName(req *Request) string {
	switch {
	case req.Command == buttonCommand:
		verb, _, _ := strings.Cut(req.Button, ":")
		if _, ok := buttonVerbs[verb]; ok {
			return "button:" + verb
		}
		return "button:unknown"
	case req.Command == "":
		return "text"
	case !b.router.Has(req.Command):
		return "unknown"
	}
	return req.Command
}
