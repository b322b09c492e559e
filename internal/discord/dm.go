package discord

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/bwmarrin/discordgo"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/remind"
)

var _ remind.ThreadNotifier = (*Discord)(nil)

// onMessage answers a direct message. Messages in servers are not for the bot: it reads no
// message content there and takes slash commands only.
func (d *Discord) onMessage(s *discordgo.Session, e *discordgo.MessageCreate) {
	if d.current(s) == nil {
		return // a session given up: its events are another instance's now
	}
	m := e.Message
	if m == nil || m.GuildID != "" || m.Author == nil || m.Author.Bot || m.Author.System ||
		(m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply) {
		return
	}
	p := commands.Parse(m.Content)
	req := &commands.Request{
		ID:       "dc:m:" + m.ID,
		Platform: domain.Discord,
		UserID:   m.Author.ID,
		ChatID:   m.ChannelID,
		Private:  true,
		Command:  p.Command,
		Args:     p.Args,
		Text:     p.Text,
		Time:     m.Timestamp,
	}
	if req.Time.IsZero() {
		req.Time = d.when(m.ID)
	}
	d.spawnInOrder(m.ChannelID, "direct message", func(ctx context.Context) {
		reply := d.bot.Respond(ctx, req)
		if err := d.send(m.ChannelID, reply, discordgo.WithContext(ctx)); err != nil {
			d.failed("direct message", err)
		}
	})
}

// send posts a reply to a channel, as one message or several when it is long.
func (d *Discord) send(channelID string, reply domain.Reply, opts ...discordgo.RequestOption) error {
	_, err := d.sendReply(channelID, reply, nil, opts...)
	return err
}

// sendReply posts a reply to a channel, the first message as a reply to ref when it is set,
// and returns the first message's id.
func (d *Discord) sendReply(channelID string, reply domain.Reply, ref *discordgo.MessageReference, opts ...discordgo.RequestOption) (string, error) {
	first := ""
	for i, m := range d.render(reply) {
		send := m.send()
		if i == 0 {
			send.Reference = ref
		}
		sent, err := d.s.ChannelMessageSendComplex(channelID, send, opts...)
		if err != nil {
			return first, err
		}
		if i == 0 && sent != nil {
			first = sent.ID
		}
	}
	return first, nil
}

// Notify delivers a reminder by direct message to the Discord user n.To.Chat, with its buttons.
// It returns a *remind.RetryAfterError when Discord rate-limits the send, an error marked
// remind.Permanent when the user cannot receive direct messages from the bot (error 50007) or
// does not exist (10013), and any other error for a failure worth retrying.
func (d *Discord) Notify(ctx context.Context, n remind.Notice) error {
	_, err := d.NotifyThread(ctx, n)
	return err
}

// NotifyThread delivers a reminder as Notify does, as a reply to the message n.Thread names
// when it is set (the repeats of a nagging reminder follow the first, so the conversation does
// not fill up), and returns the id of the message it sent, for the repeats to follow. It
// implements remind.ThreadNotifier. A first message since deleted does not stop the repeat:
// it is then sent as a message of its own.
func (d *Discord) NotifyThread(ctx context.Context, n remind.Notice) (string, error) {
	if _, err := strconv.ParseUint(n.To.Chat, 10, 64); err != nil {
		return "", remind.Permanent(fmt.Errorf("discord: notify: %q is not a Discord user id", n.To.Chat))
	}
	// The dispatcher decides when to retry, so a 429 comes back instead of blocking here.
	opts := []discordgo.RequestOption{discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false)}
	ch, err := d.dmChannel(n.To.Chat, opts...)
	if err != nil {
		return "", d.notifyError("open dm", err)
	}
	var ref *discordgo.MessageReference
	if snowflake(n.Thread) { // a name this front end did not give is not followed
		ref = &discordgo.MessageReference{MessageID: n.Thread, ChannelID: ch, FailIfNotExists: new(false)}
	}
	id, err := d.sendReply(ch, n.Reply, ref, opts...)
	if err != nil {
		var re *discordgo.RESTError
		if errors.As(err, &re) && re.Message != nil && re.Message.Code == discordgo.ErrCodeUnknownChannel {
			d.dms.forget(n.To.Chat) // opened again at the next try
		}
		return "", d.notifyError("dm", err)
	}
	return id, nil
}

// dmChannel returns the id of the direct message channel with the user, opening it the first
// time: a user's channel with the bot never changes, so each later reminder is one request.
func (d *Discord) dmChannel(user string, opts ...discordgo.RequestOption) (string, error) {
	if id, ok := d.dms.get(user); ok {
		return id, nil
	}
	ch, err := d.s.UserChannelCreate(user, opts...)
	if err != nil {
		return "", err
	}
	d.dms.put(user, ch.ID)
	return ch.ID, nil
}

// maxDMs is how many users' direct message channels an instance remembers.
const maxDMs = 100_000

// channels remembers direct message channels by user. When full it starts afresh: the
// channels are opened again, one request each.
type channels struct {
	mu sync.Mutex
	m  map[string]string
}

func (c *channels) get(user string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.m[user]
	return id, ok
}

func (c *channels) put(user, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxDMs {
		c.m = map[string]string{}
	}
	c.m[user] = id
}

func (c *channels) forget(user string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, user)
}

// notifyError sorts a failed delivery into what the dispatcher does next. A 429 reaches here
// as a *discordgo.RateLimitError because Notify turns discordgo's own retrying off.
func (d *Discord) notifyError(op string, err error) error {
	wrapped := d.fail(op, err)
	var limited *discordgo.RateLimitError
	if errors.As(err, &limited) && limited.RateLimit != nil && limited.TooManyRequests != nil {
		return &remind.RetryAfterError{After: limited.RetryAfter, Err: wrapped}
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil &&
		(re.Message.Code == discordgo.ErrCodeCannotSendMessagesToThisUser || re.Message.Code == discordgo.ErrCodeUnknownUser) {
		return remind.Permanent(wrapped)
	}
	return wrapped
}
