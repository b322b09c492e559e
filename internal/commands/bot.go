// Package commands is needlebot's core: it turns a Request from any front end into a Reply.
// It knows the commands, the knowledge base and the rules of the guidance; it knows nothing
// of Telegram, Discord or Redis.
package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/needlebot/needlebot/internal/diary"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/kb"
)

// Limits on what users send.
const (
	maxQuestionRunes = 500 // a question longer than this is not a question any more
)

// Config is what a Bot needs.
type Config struct {
	KB        *kb.KB
	Store     domain.Store     // the users' data; without it the diary and reminder commands are not offered
	ButtonKey []byte           // signs buttons that change data; every instance must share it
	Now       func() time.Time // the clock; time.Now when nil
	Log       *slog.Logger     // where handled requests are logged; discarded when nil
	Snooze    time.Duration    // one more snooze the Snooze button offers, beside 15 min, 30 min, 1 h and later tonight
	Observer  Observer         // told what happens, for metrics; optional
}

// Observer is told about what the bot does, for metrics. Its arguments are fixed vocabularies:
// command names, platforms and outcomes, never what users wrote.
type Observer interface {
	// Handled is called once per request with its command ("text" for plain messages,
	// "unknown" for unknown commands, "button:VERB" for buttons) and outcome: ok, rejected,
	// unavailable or error.
	Handled(command, platform, outcome string, d time.Duration)
	// Understood is called for each message the knowledge base reads, with its verdict:
	// answered, not-covered, off-topic, safety, chat, diary or unsure (kb.Verdict's names).
	Understood(verdict string)
	// Logged is called for each session stored.
	Logged(platform string)
}

type nopObserver struct{}

func (nopObserver) Handled(string, string, string, time.Duration) {}
func (nopObserver) Understood(string)                             {}
func (nopObserver) Logged(string)                                 {}

// Bot answers requests. It is safe for concurrent use.
type Bot struct {
	kb       *kb.KB
	diary    *diary.Reader
	store    domain.Store
	sign     signer
	now      func() time.Time
	log      *slog.Logger
	snooze   time.Duration
	obs      Observer
	router   *Router
	commands []Command
}

// New builds a Bot with every command registered.
func New(cfg Config) *Bot {
	b := &Bot{kb: cfg.KB, store: cfg.Store, sign: newSigner(cfg.ButtonKey), now: cfg.Now, log: cfg.Log, snooze: cfg.Snooze}
	b.diary = diary.New(cfg.KB.Products())
	if b.now == nil {
		b.now = time.Now
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.snooze <= 0 {
		b.snooze = 30 * time.Minute
	}
	b.obs = cfg.Observer
	if b.obs == nil {
		b.obs = nopObserver{}
	}
	b.router = NewRouter(HandlerFunc(b.unknown))
	b.router.Use(recoverPanics)
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
	if b.store != nil {
		b.addDiary()
		b.addRoutine()
		b.addPause()
		b.addMonth()
		b.addScheduled()
		b.addRoller()
		b.addLinking()
		b.addSettings()
		b.router.HandleText(HandlerFunc(b.diaryText))
	}
	b.router.HandleFunc(buttonCommand, b.button)
	return b
}

// ownerOf resolves the platform identity of a request to the owner of the data, through the
// store's one resolver, once per request. Without a store (the knowledge base alone) the owner
// is the identity itself: it only signs buttons then.
func (b *Bot) ownerOf(ctx context.Context, req *Request) (domain.Owner, error) {
	known, _ := ctx.Value(ownerKey{}).(*domain.Owner)
	if known != nil && *known != "" {
		return *known, nil
	}
	id := req.Identity()
	if !id.Valid() {
		return "", fmt.Errorf("commands: invalid identity %q", id)
	}
	o := id.Unlinked()
	if b.store != nil {
		var err error
		if o, err = b.store.Owner(ctx, id); err != nil {
			return "", err
		}
	}
	if known != nil {
		*known = o
	}
	return o, nil
}

// ownerKey holds, in a request's context, the owner once resolved.
type ownerKey struct{}

// add registers a command's description and its handler together, so they cannot drift apart.
func (b *Bot) add(c Command, h func(context.Context, *Request) (domain.Reply, error)) {
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
func (b *Bot) Respond(ctx context.Context, req *Request) domain.Reply {
	start := time.Now()
	if req.Button != "" {
		req.Command = buttonCommand
	} else if name, ok := b.bareCommand(req); ok {
		req.Command, req.Args, req.Text = name, nil, "" // "stats" typed without the slash
	}
	ctx = context.WithValue(ctx, ownerKey{}, new(domain.Owner))
	var reply domain.Reply
	err := b.badOption(req) // before the handler: a refused request changes nothing
	if err != nil {
		reply.Private = true
	} else {
		ctx = b.typedAnswer(ctx, req) // "yes" to the last reply's question presses its button
		reply, err = b.router.Serve(ctx, req)
	}
	if err == nil {
		b.keepQuestion(ctx, req, reply)
	}
	reply.Asks = nil
	outcome := "ok"
	var ue *domain.Error
	switch {
	case err == nil:
	case unavailable(err):
		outcome = "unavailable"
		msg := msgUnavailable
		if errors.As(err, &ue) {
			msg = ue.Msg // a read that failed says so in its own words
		}
		reply = domain.Reply{Text: msg, Private: reply.Private}
	case errors.As(err, &ue):
		outcome = "rejected"
		reply = domain.Reply{Text: ue.Msg, Private: reply.Private}
	default:
		outcome = "error"
		reply = domain.Reply{Text: msgInternal, Private: reply.Private}
	}
	level := slog.LevelInfo
	name, took := b.commandName(req), time.Since(start)
	b.obs.Handled(name, string(req.Platform), outcome, took)
	attrs := []any{"command", name, "platform", req.Platform, "outcome", outcome, "duration", took}
	if outcome == "error" || outcome == "unavailable" {
		level = slog.LevelError
		attrs = append(attrs, "err", err)
	}
	b.log.Log(ctx, level, "handled", attrs...)
	return reply
}

// recoverPanics turns a panic in a handler into an error, so one bad request is answered with
// an apology and logged, on every front end, instead of ending the process.
func recoverPanics(next Handler) Handler {
	return HandlerFunc(func(ctx context.Context, req *Request) (rep domain.Reply, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("commands: panic: %v\n%s", p, debug.Stack())
			}
		}()
		return next.Serve(ctx, req)
	})
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

// badOption checks the named options of a request (Discord's) against the command's
// description: a number option must hold a number within its bounds. Discord's clients
// enforce this, but a request is checked as it arrives, not as it should have been sent.
func (b *Bot) badOption(req *Request) error {
	if len(req.Options) == 0 || req.Command == "" {
		return nil
	}
	c, ok := b.Command(req.Command)
	if !ok {
		return nil
	}
	opts := c.Options
	if len(req.Args) > 0 {
		for _, sub := range c.Subs {
			if sub.Name == req.Args[0] {
				opts = sub.Options
			}
		}
	}
	for _, o := range opts {
		v, given := req.Options[o.Name]
		if !given || v == "" || (o.Type != Number && o.Type != Integer) {
			continue
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) || (o.Type == Integer && n != math.Trunc(n)) {
			return domain.Errorf("The %s option takes a number (%s). Nothing was changed.", o.Name, o.Summary)
		}
		if o.Max > o.Min && (n < o.Min || n > o.Max) {
			return domain.Errorf("The %s option takes a number from %s to %s. Nothing was changed.", o.Name, strconv.FormatFloat(o.Min, 'f', -1, 64), strconv.FormatFloat(o.Max, 'f', -1, 64))
		}
	}
	return nil
}

// bareWords are the commands a plain message of just their name means ("stats", "Help?"):
// those that show something, or ask before they change anything, or undo the last change.
var bareWords = map[string]bool{"start": true, "help": true, "history": true, "stats": true, "undo": true, "export": true, "timezone": true}

// bareCommand reads a plain message that is only a command's name, without the slash.
func (b *Bot) bareCommand(req *Request) (string, bool) {
	if req.Command != "" {
		return "", false
	}
	w := strings.ToLower(strings.Trim(strings.TrimSpace(req.Text), "?!.,:; "))
	if !bareWords[w] || !b.router.Has(w) {
		return "", false
	}
	return w, true
}
