package commands

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/kb"
	"github.com/needlebot/needlebot/internal/text"
)

const welcome = `Hi! I'm needlebot. I answer questions about rolling your skin at home with a micro-needling roller, using one expert's guidance (Kerry Benjamin, founder of StackedSkincare).

Try /needle size, or just ask in your own words: "can I roll every day?"
Keep a diary by telling me what you did: "rolled 0.25 tonight with peptide serum".
Get a nightly reminder with /remind set 21:30 (set your time zone first: /timezone Europe/Berlin).
Send /help to see everything I can do.

I'm a bot, not a doctor: this is general guidance, not medical advice. For anything about your own skin or health, please ask a dermatologist.`

// start welcomes the user. A start parameter (Telegram's t.me/bot?start=remind deep links
// arrive as "/start remind") opens that part of the bot instead: remind, timezone, settings,
// privacy, help, or a /needle topic.
func (b *Bot) start(ctx context.Context, req *Request) (domain.Reply, error) {
	if len(req.Args) > 0 {
		switch p := strings.ToLower(req.Args[0]); {
		case p == "remind" && b.store != nil:
			return domain.Reply{Text: remindUsage, Private: true}, nil
		case (p == "timezone" || p == "settings") && b.store != nil:
			return b.router.Serve(ctx, &Request{ID: req.ID, Platform: req.Platform, UserID: req.UserID, ChatID: req.ChatID, Private: req.Private, Command: p, Time: req.Time})
		case p == "privacy" || p == "help":
			return b.router.Serve(ctx, &Request{ID: req.ID, Platform: req.Platform, UserID: req.UserID, ChatID: req.ChatID, Private: req.Private, Command: p, Time: req.Time})
		default:
			if e, ok := b.kb.Topic(p); ok {
				return answer(e), nil
			}
		}
	}
	if b.store == nil {
		return domain.Reply{Text: welcomeNoDiary}, nil
	}
	return domain.Reply{Text: welcome}, nil
}

// welcomeNoDiary is /start for a bot without a store (bot ask, tests of the guidance alone).
var welcomeNoDiary = strings.Join(slices.DeleteFunc(strings.Split(welcome, "\n"), func(l string) bool {
	return strings.HasPrefix(l, "Keep a diary") || strings.HasPrefix(l, "Get a nightly")
}), "\n")

func (b *Bot) help(context.Context, *Request) (domain.Reply, error) {
	var sb strings.Builder
	sb.WriteString("Commands:\n")
	for _, c := range b.commands {
		sb.WriteString("/" + c.Name)
		if c.Usage != "" {
			sb.WriteString(" " + c.Usage)
		}
		sb.WriteString(" - " + c.Summary + "\n")
	}
	sb.WriteString("\nTopics for /needle: ")
	var names []string
	for _, t := range b.kb.Topics() {
		names = append(names, t.Command)
	}
	sb.WriteString(strings.Join(names, ", ") + ".\n")
	sb.WriteString("\nOr just type a question, like \"does it hurt?\"")
	if b.store != nil {
		sb.WriteString(", or tell me about a session to log it: \"rolled 0.25 tonight with peptide serum\".")
	}
	return domain.Reply{Title: "needlebot help", Text: sb.String()}, nil
}

// topicSubs turns the knowledge base's topics into /needle subcommands.
func (b *Bot) topicSubs() []Sub {
	var subs []Sub
	for _, t := range b.kb.Topics() {
		subs = append(subs, Sub{Name: t.Command, Summary: t.Title})
	}
	return subs
}

func (b *Bot) needle(_ context.Context, req *Request) (domain.Reply, error) {
	if len(req.Args) == 0 {
		return b.topicList(), nil
	}
	name := strings.Join(req.Args, " ")
	if e, ok := b.kb.Topic(name); ok {
		return answer(e), nil
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "I have no topic called %q.", text.Clip(name, 40))
	closest := b.kb.Closest(name, 3)
	if len(closest) > 0 {
		sb.WriteString(" Did you mean:")
		for _, e := range closest {
			fmt.Fprintf(&sb, "\n/needle %s - %s", e.Command, e.Title)
		}
	}
	sb.WriteString("\n\nSend /needle to see every topic.")
	return domain.Reply{Text: sb.String(), Buttons: topicButtons(closest)}, nil
}

func (b *Bot) topicList() domain.Reply {
	var sb strings.Builder
	sb.WriteString("Pick a topic, or ask in your own words:\n")
	for _, t := range b.kb.Topics() {
		fmt.Fprintf(&sb, "\n/needle %s - %s", t.Command, t.Title)
	}
	return domain.Reply{Title: "Topics", Text: sb.String(), Buttons: topicButtons(b.kb.Topics())}
}

// topicButtons lays out one button per topic, three to a row.
func topicButtons(topics []*kb.Entry) [][]domain.Button {
	var rows [][]domain.Button
	for i, t := range topics {
		if i%3 == 0 {
			rows = append(rows, nil)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], domain.Button{Label: t.Command, Data: "needle:" + t.Command})
	}
	return rows
}

func answer(e *kb.Entry) domain.Reply {
	return domain.Reply{Title: e.Title, Text: e.Answer()}
}

func (b *Bot) ask(_ context.Context, req *Request) (domain.Reply, error) {
	q := strings.TrimSpace(req.Text)
	if q == "" {
		return domain.Reply{Text: "Ask me anything about micro-needling at home, for example:\n/ask can I roll every day?"}, nil
	}
	return b.question(q)
}

// question answers a message from the knowledge base: with the answer, the safety reply, an
// honest decline or the reply to small talk.
func (b *Bot) question(q string) (domain.Reply, error) {
	if n := len([]rune(q)); n > maxQuestionRunes {
		return domain.Reply{}, domain.Errorf("That's a lot of text for me (%d characters). Please ask in a sentence or two, under %d characters.", n, maxQuestionRunes)
	}
	r := b.kb.Search(q)
	b.obs.Understood(r.Verdict.String())
	return b.reading(r), nil
}

// reading renders how the knowledge base read a message. A reaction anywhere in it gets the
// safety reply alone; a message that asks two things gets both parts in one reply.
func (b *Bot) reading(r kb.Result) domain.Reply {
	switch {
	case isSafety(r):
		return b.safety()
	case len(r.Parts) < 2:
		return b.part(r)
	}
	return b.also(b.part(r.Parts[0]), kb.Result{Parts: r.Parts[1:]})
}

// safety is the reply to a reported reaction, with nothing from the guidance beside it.
func (b *Bot) safety() domain.Reply {
	e := b.kb.Safety()
	return domain.Reply{Title: e.Title, Text: e.Answer(), Private: true}
}

// also adds a second reading to a reply, without the topics a decline would suggest: the
// reply already answers what the message was mostly about.
func (b *Bot) also(reply domain.Reply, r kb.Result) domain.Reply {
	parts := r.Parts
	if len(parts) == 0 {
		parts = []kb.Result{r}
	}
	for _, p := range parts {
		p.Suggestions = nil
		next := b.part(p)
		reply.Text += "\n\n" + next.Title + "\n" + next.Text
	}
	return reply
}

// part renders one reading without parts.
func (b *Bot) part(r kb.Result) domain.Reply {
	switch r.Verdict {
	case kb.Answered:
		return answer(r.Entry)
	case kb.Diary:
		if b.store == nil {
			break // a bot without a diary: the nudge says what it can do
		}
		return domain.Reply{Title: r.Entry.Title, Text: r.Entry.Answer()}
	case kb.Chat, kb.OffTopic:
		return domain.Reply{Title: r.Entry.Title, Text: r.Entry.Answer()}
	case kb.NotCovered:
		text := r.Entry.Answer()
		if len(r.Suggestions) > 0 {
			text += "\n\nThe closest topics I do have:"
			for _, e := range r.Suggestions {
				text += fmt.Sprintf("\n/needle %s - %s", e.Command, e.Title)
			}
		}
		return domain.Reply{Title: r.Entry.Title, Text: text, Buttons: topicButtons(r.Suggestions)}
	}
	text := nudgeNoDiary
	if b.store != nil {
		text = nudge
	}
	return domain.Reply{Text: text}
}

// text handles a plain message that is not a command.
func (b *Bot) text(_ context.Context, req *Request) (domain.Reply, error) {
	q := strings.TrimSpace(req.Text)
	if q == "" {
		return domain.Reply{Text: "Send me a question, or /help to see what I can do."}, nil
	}
	if reaction(q) {
		return domain.Reply{Text: reactionNoDiary}, nil
	}
	return b.question(q)
}

// reaction reports a message of emoji alone ("👍", "🙏❤️"): an answer to the last reply, not a
// question, so it gets a short friendly word rather than "I'm not sure what you mean".
func reaction(s string) bool {
	seen := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == utf8.RuneError:
			return false
		case unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r) && r > 0x2000:
			seen = true
		}
	}
	return seen
}

const (
	reactionReply   = "🙂 Anything else? Ask me about micro-needling, or tell me about a session to log it."
	reactionNoDiary = "🙂 Anything else? Ask me about micro-needling, like \"can I roll every day?\"."
)

func (b *Bot) unknown(_ context.Context, req *Request) (domain.Reply, error) {
	name := req.Command
	var names []string
	for _, c := range b.commands {
		names = append(names, c.Name)
	}
	msg := fmt.Sprintf("I don't know the command /%s.", text.Clip(name, 32))
	near := kb.Nearest(name, names, 2)
	// A command the name begins ("/stat" for /stats) is likelier than one as near by spelling.
	slices.SortStableFunc(near, func(a, b string) int {
		pa, pb := strings.HasPrefix(a, strings.ToLower(name)), strings.HasPrefix(b, strings.ToLower(name))
		switch {
		case pa && !pb:
			return -1
		case pb && !pa:
			return 1
		}
		return 0
	})
	if len(near) > 0 {
		msg += " Did you mean /" + strings.Join(near[:min(len(near), 3)], ", /") + "?"
	}
	return domain.Reply{Text: msg + "\nSend /help to see everything I can do."}, nil
}
