package telegram

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
)

// inbound is an update the bot should answer, with where and how to answer it.
type inbound struct {
	req      commands.Request
	chat     int64             // where the answer goes
	user     int64             // the user's private chat, for private replies from groups
	replyTo  int               // in groups, the message answered, so the answer is threaded under it
	callback string            // the callback query to answer, for a button press
	edit     tgbotapi.BaseEdit // the message that carried the pressed button
}

// eventID names an update of the bot tagged tag, for State and as Request.ID: "tg:u:" and
// tag, "-", the update id. Request.ID is the idempotency key of the writes an update makes in
// the user's data, which every bot shares, and each bot numbers its updates on its own, so the
// id carries the bot; a tag, not the bot's id, because buttons carry it within Telegram's 64
// bytes (see internal/commands). It holds no "_" or "~", which buttons use as separators.
func eventID(tag string, updateID int) string {
	return "tg:u:" + tag + "-" + strconv.Itoa(updateID)
}

// maxEventID is the longest eventID: a six-character tag and a ten-digit update id.
const maxEventID = len("tg:u:") + tagLen + len("-") + 10

// tagLen is the length of every bot tag.
const tagLen = 6

// botKey is the bot's name in State.
func botKey(id int64) string { return "tg:" + strconv.FormatInt(id, 10) }

// botTag is a short stable tag of a bot id: 30 bits of its FNV-1a hash in base 36, six
// characters. Two bots sharing a store have different tags but for a chance of one in 10^9,
// which register refuses to start with.
func botTag(id int64) string {
	h := fnv.New32a()
	h.Write([]byte(strconv.FormatInt(id, 10)))
	tag := strconv.FormatUint(uint64(h.Sum32()>>2), 36)
	return strings.Repeat("0", tagLen-len(tag)) + tag
}

// nonce returns a random string that tells one instance's claims from another's.
func nonce() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// token returns a token for one claim, unique to it.
func (t *Telegram) token() string { return t.nonce + "." + strconv.FormatUint(t.tokens.Add(1), 10) }

// errBusy says that another delivery of the update holds its claim: it is being handled.
var errBusy = errors.New("telegram: another delivery of the update is being handled")

// poll handles updates by long polling until ctx ends. With a lease (Config.Lease) it polls
// only while it holds the lease, standing by while another instance does, and stops polling
// the moment the lease is lost; without one it polls all along.
func (t *Telegram) poll(ctx context.Context) error {
	me := t.self.Load()
	if t.lease == nil {
		t.polling.Store(true)
		defer t.polling.Store(false)
		return t.pollSession(ctx, ctx, me)
	}
	for ctx.Err() == nil {
		t.log.Info("telegram: standing by for the poller lease", "lease", t.lease.Key())
		held, err := t.lease.Hold(ctx)
		if err != nil {
			return nil // ctx ended
		}
		t.log.Info("telegram: polling: this instance holds the poller lease", "lease", t.lease.Key())
		t.polling.Store(true)
		pctx, cancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-held.Lost():
				cancel()
			case <-pctx.Done():
			}
		}()
		err = t.pollSession(pctx, ctx, me)
		cancel()
		t.polling.Store(false)
		select {
		case <-held.Lost():
			t.log.Warn("telegram: stopped polling: the poller lease was lost", "lease", t.lease.Key(), "err", held.Err())
		default:
		}
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), callTimeout)
		if err := held.Release(rctx); err != nil {
			t.log.Warn("telegram: release the poller lease; it runs out by itself", "err", err)
		}
		rcancel()
		if err != nil {
			return err
		}
	}
	return nil
}

// pollSession polls until ctx ends (run is Run's context; ctx ends earlier when the lease is
// lost). Updates are handled concurrently, each chat's in order (see handleInTurn), while
// getUpdates goes on, always from the first unfinished update (see window). When ctx ends it
// stops fetching and starting updates, lets those begun finish, and saves the offset.
func (t *Telegram) pollSession(ctx, run context.Context, me *self) error {
	var offset int
	err := t.retry(ctx, func(ctx context.Context) (err error) {
		if offset, err = t.state.TelegramOffset(ctx, me.key); err != nil {
			return fmt.Errorf("telegram: load offset: %w", err)
		}
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	if offset == 0 {
		offset = t.inherit(ctx, me)
	}
	w := newWindow(offset)
	var wg sync.WaitGroup
	saved := offset // the last offset saved, or tried
	save := func(ctx context.Context) {
		if low, ok := w.save(); ok && low != saved {
			saved = low
			if err := t.state.SetTelegramOffset(ctx, me.key, low); err != nil {
				t.log.Warn("telegram: save offset", "offset", low, "err", err)
			}
		}
	}
	defer func() {
		wg.Wait()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(run), callTimeout)
		save(sctx)
		cancel()
	}()
	var b backoff
	conflict := false // in a streak of 409s, which is logged once
	for ctx.Err() == nil {
		// The offset is saved before Telegram is told, by the next getUpdates, to forget the
		// updates before it.
		save(ctx)
		if ctx.Err() != nil {
			return nil
		}
		low, busy, changed := w.state()
		timeout := t.pollTimeout
		if busy { // updates in hand come back at once: look for new ones without waiting
			timeout = 0
		}
		batch, err := t.getUpdates(ctx, low, timeout)
		switch {
		case ctx.Err() != nil:
			return nil
		case apiCode(err) == http.StatusConflict:
			if !conflict {
				t.log.Error("telegram: conflict: another poller or a webhook is using this bot", "err", err, "advice", conflictAdvice(err, t.lease != nil))
			}
			conflict = true
		case err != nil && !retryable(err):
			return err
		case err != nil:
			t.log.Warn("telegram: get updates", "err", err)
		}
		if err != nil {
			t.wait(ctx, delay(err, &b))
			continue
		}
		conflict = false
		b = backoff{}
		for _, raw := range batch {
			u, err := decodeUpdate(raw)
			if u.UpdateID <= 0 || !w.add(u.UpdateID) {
				continue
			}
			if err != nil {
				t.log.Warn("telegram: skipped an update that could not be decoded", "update", u.UpdateID, "err", err)
				w.finish(u.UpdateID, true)
				continue
			}
			key := t.order(u)
			tr := t.turns.take(key) // taken here, in update order
			wg.Go(func() {
				defer tr.done()
				if tr.wait(ctx) != nil {
					return // shutting down: left for the next poller
				}
				if stored, ok := t.handleInTurn(ctx, u, me, key); ok {
					w.finish(u.UpdateID, stored)
				}
			})
		}
		if _, busy, _ := w.state(); !busy {
			continue // nothing in hand: the next getUpdates waits for news
		}
		// Updates are in hand. Ask again when the mark moves (the window slides, and the offset
		// is saved), or, while Telegram's answer had room for more, every repollEvery for
		// updates that came meanwhile.
		var repoll <-chan time.Time
		if len(batch) < pollLimit {
			repoll = t.tick(repollEvery)
		}
		select {
		case <-ctx.Done():
		case <-changed:
		case <-repoll:
		}
	}
	return nil
}

// How the poller asks Telegram while updates are in hand.
const (
	pollLimit   = 100                    // updates a getUpdates returns at most (Telegram's maximum)
	repollEvery = 250 * time.Millisecond // how often to look for new updates meanwhile
)

// conflictAdvice says how to resolve a 409 from getUpdates.
func conflictAdvice(err error, leased bool) string {
	if describes(err, "webhook") {
		return "a webhook is set for this bot, so polling gets nothing: set TELEGRAM_WEBHOOK_URL to use it, or call the Bot API's deleteWebhook method to poll instead"
	}
	if leased {
		return "another process is polling with this bot token outside the poller lease (an older version, or one on another Redis): stop it; instances on this Redis take turns by themselves"
	}
	return "another process is polling with this bot token and only one may: stop it, or run every instance in webhook mode"
}

// getUpdates asks for the updates from offset on, waiting up to timeout for one.
// Updates are returned raw so that one Telegram cannot decode does not hold up the rest.
// inheritWindow is how far past the first update Telegram still holds an inherited offset may
// be: the updates an older version handled after it last confirmed any, at most a few batches.
const inheritWindow = 10 * pollLimit

// inherit takes the offset an older version saved without the bot's id, when this bot has none
// of its own, and uses it only if it fits the updates Telegram holds for this bot: from the
// first of them to a few batches past it. Another bot's offset (two bots shared the Redis then)
// would make Telegram drop this bot's updates below it; with nothing pending there is nothing
// to skip. Either way polling from 0 gets every update Telegram has not seen confirmed.
func (t *Telegram) inherit(ctx context.Context, me *self) int {
	old, err := t.state.InheritedOffset(ctx, me.key)
	if err != nil || old == 0 {
		if err != nil {
			t.log.Warn("telegram: read the offset an older version saved; polling from Telegram's own position", "err", err)
		}
		return 0
	}
	batch, err := t.getUpdates(ctx, 0, 0) // offset 0 confirms nothing: a look, not a fetch
	if err != nil {
		t.log.Warn("telegram: check the offset an older version saved; polling from Telegram's own position", "offset", old, "err", err)
		return 0
	}
	first := 0
	for _, raw := range batch {
		if u, _ := decodeUpdate(raw); u.UpdateID > 0 && (first == 0 || u.UpdateID < first) {
			first = u.UpdateID
		}
	}
	switch {
	case first == 0:
		t.log.Info("telegram: no update is pending, so the offset an older version saved is not needed", "offset", old)
		return 0
	case old < first || old > first+inheritWindow:
		t.log.Warn("telegram: the offset an older version saved does not fit this bot's pending updates, so it is another bot's; polling from Telegram's own position",
			"offset", old, "first_pending", first)
		return 0
	}
	t.log.Info("telegram: took the offset an older version saved", "offset", old, "first_pending", first)
	return old
}

func (t *Telegram) getUpdates(ctx context.Context, offset int, timeout time.Duration) ([]json.RawMessage, error) {
	params := tgbotapi.Params{"timeout": strconv.Itoa(int(timeout / time.Second)), "allowed_updates": allowedUpdates, "limit": strconv.Itoa(pollLimit)}
	params.AddNonZero("offset", offset)
	raw, err := t.method(ctx, timeout+pollMargin, "getUpdates", params)
	if err != nil {
		return nil, fmt.Errorf("telegram: get updates: %w", err)
	}
	var batch []json.RawMessage
	if err := json.Unmarshal(raw, &batch); err != nil {
		return nil, fmt.Errorf("telegram: get updates: %w", err)
	}
	return batch, nil
}

// decodeUpdate decodes one update. When it fails, the update id is still returned if it can be
// read, so that the update can be skipped.
func decodeUpdate(raw []byte) (tgbotapi.Update, error) {
	var u tgbotapi.Update
	if err := json.Unmarshal(raw, &u); err != nil {
		var id struct {
			UpdateID int `json:"update_id"`
		}
		_ = json.Unmarshal(raw, &id)
		return tgbotapi.Update{UpdateID: id.UpdateID}, fmt.Errorf("telegram: decode update: %w", err)
	}
	return u, nil
}

// handle answers one update at most once per State. It claims the update first, so that of
// several deliveries of one update at once only one is answered: the others get errBusy. The
// bot is asked once; a send Telegram refuses (429) or cannot take just then (5xx, network) is
// sent again, after retry_after or a backoff, until ctx ends (see transmit). handle returns an
// error only when the update should be tried again: another delivery holds it, or Telegram
// could not be reached before ctx ended; the claim is then released, for the retry.
//
// When the store cannot be reached the bot is asked all the same: it answers what needs no
// store and says it cannot save the rest, at once, which is better than silence until the
// store is back. Nothing marks such an update, and the bot wrote nothing for it; stored is
// then false.
func (t *Telegram) handle(ctx context.Context, u tgbotapi.Update, me *self) (stored bool, err error) {
	in, ok := t.translate(u, me)
	if !ok {
		if in.callback != "" { // stop the button's spinner even for a press the bot ignores
			t.answer(ctx, in.callback, "", false)
		}
		return true, nil
	}
	ctx = withSendRetries(ctx)
	token := t.token()
	claimed, done, err := t.state.ClaimEvent(ctx, me.key, in.req.ID, token, claimLease)
	switch {
	case err != nil:
		t.log.Warn("telegram: store unreachable; answering the update unmarked", "update", u.UpdateID, "err", err)
		if err := t.deliver(ctx, in, t.respond(ctx, &in.req), me); err != nil {
			if retryable(err) {
				return false, err
			}
			t.log.Warn("telegram: reply not delivered", "update", u.UpdateID, "err", err)
		}
		return false, nil
	case done:
		t.log.Debug("telegram: update already handled", "update", u.UpdateID)
		return true, nil
	case !claimed:
		return true, errBusy
	}
	if err := t.deliver(ctx, in, t.respond(ctx, &in.req), me); err != nil {
		if retryable(err) {
			if err := t.state.ReleaseEvent(context.WithoutCancel(ctx), me.key, in.req.ID, token); err != nil {
				t.log.Warn("telegram: release update; it is handled again when its claim runs out", "update", u.UpdateID, "err", err)
			}
			return true, err
		}
		t.log.Warn("telegram: reply not delivered", "update", u.UpdateID, "err", err)
	}
	if err := t.state.MarkSeen(ctx, me.key, in.req.ID); err != nil {
		t.log.Warn("telegram: mark update handled", "update", u.UpdateID, "err", err)
	}
	return true, nil
}

// respond asks the bot, turning a panic into a logged apology: unrecovered, the update would
// come back after every restart and stop the bot for good.
func (t *Telegram) respond(ctx context.Context, req *commands.Request) (reply domain.Reply) {
	defer func() {
		if v := recover(); v != nil {
			t.log.Error("telegram: panic answering an update", "update", req.ID,
				"panic", t.secrets.Replace(fmt.Sprint(v)), "stack", t.secrets.Replace(string(debug.Stack())))
			reply = domain.Reply{Text: msgFailed}
		}
	}()
	return t.bot.Respond(ctx, req)
}

// translate turns an update into a request, reporting false for updates the bot does not
// answer. For an ignored button press in.callback is still set, so it can be answered.
func (t *Telegram) translate(u tgbotapi.Update, me *self) (inbound, bool) {
	switch {
	case u.Message != nil:
		return t.fromMessage(u.UpdateID, u.Message, me)
	case u.CallbackQuery != nil:
		return t.fromCallback(u.UpdateID, u.CallbackQuery, me)
	}
	return inbound{}, false
}

// fromMessage translates a text message. In a private chat every text goes to the bot; in a
// group only what is addressed to it (see addressed).
func (t *Telegram) fromMessage(id int, m *tgbotapi.Message, me *self) (inbound, bool) {
	if m.From == nil || m.From.IsBot || m.Chat == nil || m.Text == "" {
		return inbound{}, false
	}
	private := m.Chat.Type == "private"
	p := commands.Parse(m.Text)
	in := inbound{chat: m.Chat.ID, user: m.From.ID}
	if !private {
		if m.Chat.Type != "group" && m.Chat.Type != "supergroup" {
			return inbound{}, false
		}
		var ok bool
		if p, ok = t.addressed(p, m, me); !ok {
			return inbound{}, false
		}
		in.replyTo = m.MessageID
	}
	in.req = commands.Request{
		ID:       eventID(me.tag, id),
		Platform: domain.Telegram,
		UserID:   strconv.FormatInt(m.From.ID, 10),
		ChatID:   strconv.FormatInt(m.Chat.ID, 10),
		Private:  private,
		Command:  p.Command,
		Args:     p.Args,
		Text:     p.Text,
		Time:     time.Unix(int64(m.Date), 0),
	}
	return in, true
}

// addressed reports whether a group message is meant for this bot, and returns it without the
// mention. A command is, when it names this bot ("/needle@thisbot") or names none and is one of
// ours (a bare "/foo" may be for another bot in the group). Plain text is, when it mentions
// the bot or replies to one of its messages; other chatter is not the bot's business.
func (t *Telegram) addressed(p commands.Parsed, m *tgbotapi.Message, me *self) (commands.Parsed, bool) {
	if p.Command != "" {
		if p.Mention != "" {
			return p, p.Mention == me.name
		}
		return p, t.ours[p.Command]
	}
	mentioned := me.mention != nil && me.mention.MatchString(p.Text)
	replied := m.ReplyToMessage != nil && m.ReplyToMessage.From != nil && m.ReplyToMessage.From.ID == me.id
	if mentioned {
		p = commands.Parse(me.mention.ReplaceAllString(p.Text, ""))
	}
	return p, mentioned || replied
}

// fromCallback translates a button press.
func (t *Telegram) fromCallback(id int, q *tgbotapi.CallbackQuery, me *self) (inbound, bool) {
	in := inbound{callback: q.ID}
	if q.ID == "" || q.From == nil || q.From.IsBot || q.Data == "" {
		return in, false
	}
	in.user, in.chat = q.From.ID, q.From.ID
	private := false // unknown when the message is not given: keep personal replies private
	switch m := q.Message; {
	case m != nil && m.Chat != nil:
		in.chat, private = m.Chat.ID, m.Chat.Type == "private"
		in.edit = tgbotapi.BaseEdit{ChatID: m.Chat.ID, MessageID: m.MessageID}
	case q.InlineMessageID != "":
		in.edit = tgbotapi.BaseEdit{InlineMessageID: q.InlineMessageID}
	}
	in.req = commands.Request{
		ID:       eventID(me.tag, id),
		Platform: domain.Telegram,
		UserID:   strconv.FormatInt(q.From.ID, 10),
		ChatID:   strconv.FormatInt(in.chat, 10),
		Private:  private,
		Button:   q.Data,
		Time:     t.now(), // a callback query carries no date
	}
	return in, true
}
