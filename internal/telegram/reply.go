package telegram

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/remind"
	"github.com/needlebot/needlebot/internal/text"
)

// Telegram's limits, in characters (UTF-16 code units) of text after HTML parsing, or bytes.
const (
	maxMessage      = 4096 // a message's text
	maxCaption      = 1024 // a document's caption
	maxAnswer       = 200  // a callback answer's text
	maxTitle        = 256  // ours: a title stays on the first piece of a split reply
	maxCallbackData = 64   // bytes of a button's callback_data
)

// What the front end itself says: about Telegram's ways, not about micro-needling.
const (
	msgSentPrivately = "I've sent you the details privately."
	msgStartFirst    = "I can't message you privately yet: open a chat with @%s, press Start, then ask again."
	msgFailed        = "Something went wrong, please try again."
)

// deliver renders the bot's reply to in. A reply to a button press replaces the message the
// button was on, and the press is always answered, so the button's spinner stops even when
// sending fails. A private reply asked for in a group goes to the user's private chat, or,
// for a button press, into the press's answer when it fits, which only the presser sees.
func (t *Telegram) deliver(ctx context.Context, in inbound, r domain.Reply, me *self) error {
	var note string
	var alert bool
	var err error
	switch {
	case r.Private && !in.req.Private && in.callback != "" && fitsAlert(r):
		note, alert = plain(r), true
	case r.Private && !in.req.Private:
		note, err = t.sendPrivately(ctx, in.user, r, me)
		if err == nil && in.callback == "" {
			_, err = t.send(ctx, in.chat, in.replyTo, domain.Reply{Text: note})
		}
	case in.callback != "":
		err = t.replace(ctx, in, r)
	default:
		_, err = t.send(ctx, in.chat, in.replyTo, r)
	}
	if in.callback != "" {
		if err != nil {
			note, alert = msgFailed, false
		}
		t.answer(ctx, in.callback, note, alert)
	}
	return err
}

// fitsAlert reports whether r can be shown whole in a callback answer: text only, short.
func fitsAlert(r domain.Reply) bool {
	return len(r.Buttons) == 0 && r.File == nil && length(plain(r)) <= maxAnswer
}

// plain is r's title and text as plain text, for where Telegram takes no markup.
func plain(r domain.Reply) string {
	return strings.ToValidUTF8(strings.TrimSpace(strings.TrimSpace(r.Title)+"\n"+strings.TrimSpace(r.Text)), "\uFFFD")
}

// sendPrivately sends r to the user's private chat and returns what to tell the group: that
// it was sent, or, when Telegram forbids it because the user never started the bot, how to
// start it.
func (t *Telegram) sendPrivately(ctx context.Context, user int64, r domain.Reply, me *self) (string, error) {
	_, err := t.send(ctx, user, 0, r)
	switch {
	case err == nil:
		return msgSentPrivately, nil
	case apiCode(err) == http.StatusForbidden:
		return fmt.Sprintf(msgStartFirst, me.username), nil
	}
	return "", err
}

// replace edits the message that carried the pressed button into r. What cannot be an edit
// (a file, a message Telegram no longer lets the bot edit) is sent as a new message instead.
func (t *Telegram) replace(ctx context.Context, in inbound, r domain.Reply) error {
	if r.File != nil || (in.edit.MessageID == 0 && in.edit.InlineMessageID == "") {
		_, err := t.send(ctx, in.chat, 0, r)
		return err
	}
	parts := layout(r, maxMessage)
	if len(parts) == 0 {
		return nil
	}
	markup := t.keyboard(r.Buttons)
	e := tgbotapi.EditMessageTextConfig{BaseEdit: in.edit, Text: parts[0], ParseMode: tgbotapi.ModeHTML, DisableWebPagePreview: true}
	if len(parts) == 1 {
		e.ReplyMarkup = markup
	}
	_, err := t.transmit(ctx, in.chat, callTimeout, e)
	switch {
	case err == nil, describes(err, "message is not modified"): // the same button pressed twice
	case apiCode(err) == http.StatusBadRequest:
		t.log.Info("telegram: message not editable, sending a new one", "err", err)
		_, err := t.send(ctx, in.chat, 0, r)
		return err
	default:
		return fmt.Errorf("telegram: edit message: %w", err)
	}
	_, err = t.sendTexts(ctx, in.chat, 0, parts[1:], markup)
	return err
}

// send sends r to chat as new messages, threaded under message replyTo when it is not 0, and
// returns the id of the last, which carries the buttons.
func (t *Telegram) send(ctx context.Context, chat int64, replyTo int, r domain.Reply) (int, error) {
	markup := t.keyboard(r.Buttons)
	if r.File != nil {
		return t.sendFile(ctx, chat, replyTo, r, markup)
	}
	return t.sendTexts(ctx, chat, replyTo, layout(r, maxMessage), markup)
}

// sendTexts sends HTML parts in order, with the buttons under the last, and returns the last's
// id.
func (t *Telegram) sendTexts(ctx context.Context, chat int64, replyTo int, parts []string, markup *tgbotapi.InlineKeyboardMarkup) (int, error) {
	last := 0
	for i, p := range parts {
		msg := tgbotapi.NewMessage(chat, p)
		msg.ParseMode = tgbotapi.ModeHTML
		msg.DisableWebPagePreview = true
		if i == 0 && replyTo != 0 {
			msg.ReplyToMessageID, msg.AllowSendingWithoutReply = replyTo, true
		}
		if i == len(parts)-1 && markup != nil {
			msg.ReplyMarkup = markup
		}
		id, err := t.transmit(ctx, chat, callTimeout, msg)
		if err != nil {
			return last, fmt.Errorf("telegram: send message: %w", err)
		}
		last = id
	}
	return last, nil
}

// sendFile sends r's file, an image as a photo (shown in the chat) and anything else as a
// document, with the text as its caption when it fits and as messages before it when it does
// not; it returns the file message's id.
func (t *Telegram) sendFile(ctx context.Context, chat int64, replyTo int, r domain.Reply, markup *tgbotapi.InlineKeyboardMarkup) (int, error) {
	caption := ""
	if parts := layout(r, maxCaption); len(parts) == 1 {
		caption = parts[0]
	} else if len(parts) > 1 {
		if _, err := t.sendTexts(ctx, chat, replyTo, layout(r, maxMessage), nil); err != nil {
			return 0, err
		}
		replyTo = 0
	}
	var base *tgbotapi.BaseFile
	var c tgbotapi.Chattable
	what := "document"
	data := tgbotapi.FileBytes{Name: r.File.Name, Bytes: r.File.Data}
	if r.File.IsImage() {
		photo := tgbotapi.NewPhoto(chat, data)
		photo.Caption, photo.ParseMode = caption, tgbotapi.ModeHTML
		base, c, what = &photo.BaseFile, photo, "photo"
	} else {
		doc := tgbotapi.NewDocument(chat, data)
		doc.Caption, doc.ParseMode = caption, tgbotapi.ModeHTML
		base, c = &doc.BaseFile, doc
	}
	if replyTo != 0 {
		base.ReplyToMessageID, base.AllowSendingWithoutReply = replyTo, true
	}
	if markup != nil {
		base.ReplyMarkup = markup
	}
	id, err := t.transmit(ctx, chat, uploadTimeout, c)
	if err != nil {
		return 0, fmt.Errorf("telegram: send %s: %w", what, err)
	}
	return id, nil
}

// transmit sends c, a message to chat (a new one or an edit), under the bot's limits: it waits
// for the Limiter first, and a 429 pauses the chat there (on every instance sharing it). While
// the update being answered allows it (withSendRetries), a send refused with 429 goes again
// once retry_after has passed, and one Telegram could not take (5xx, the network) after a
// backoff, until ctx ends: only the send is repeated, never the handling. Otherwise (Notify)
// the error is returned for the caller to retry.
func (t *Telegram) transmit(ctx context.Context, chat int64, timeout time.Duration, c tgbotapi.Chattable) (int, error) {
	key := strconv.FormatInt(chat, 10)
	var b backoff
	for {
		if t.limiter != nil {
			if err := t.limiter.Wait(ctx, key); err != nil {
				if ctx.Err() != nil {
					return 0, err
				}
				t.unpacedSend(err)
			}
		}
		id, err := t.requestMessage(ctx, timeout, c)
		if err == nil || !retryable(err) {
			return id, err
		}
		d := retryAfter(err)
		paused := false
		if d > 0 {
			t.log.Warn("telegram: Telegram refused a send (429); the chat waits, and then it is sent again", "retry_after", d)
			paused = t.limiter != nil && t.limiter.Pause(context.WithoutCancel(ctx), key, d) == nil
		}
		if !sendRetries(ctx) || ctx.Err() != nil {
			return 0, err
		}
		if d <= 0 {
			d = b.next()
		}
		if paused {
			continue // the limiter holds the send until the pause is over
		}
		if !t.wait(ctx, d) {
			return 0, err
		}
	}
}

// unpacedSend logs, once a minute at most, that sends go out unpaced.
func (t *Telegram) unpacedSend(err error) {
	now := time.Now().UnixNano()
	last := t.unpaced.Load()
	if now-last < int64(time.Minute) || !t.unpaced.CompareAndSwap(last, now) {
		return
	}
	t.log.Warn("telegram: the shared send limit cannot be asked; sending unpaced (429s are still honoured)", "err", err)
}

// sendRetriesKey marks a context whose sends are retried in place (see transmit).
type sendRetriesKey struct{}

func withSendRetries(ctx context.Context) context.Context {
	return context.WithValue(ctx, sendRetriesKey{}, true)
}

func sendRetries(ctx context.Context) bool { return ctx.Value(sendRetriesKey{}) != nil }

// answer answers a callback query, showing notice, if any, as a brief notice, or as an alert
// the user dismisses.
func (t *Telegram) answer(ctx context.Context, id, notice string, alert bool) {
	cb := tgbotapi.NewCallback(id, text.ClipUnits(notice, maxAnswer))
	cb.ShowAlert = alert && notice != ""
	if err := t.request(ctx, callTimeout, cb); err != nil {
		t.log.Warn("telegram: answer button press", "err", err)
	}
}

// keyboard turns buttons into an inline keyboard, or nil when there are none. A button
// Telegram would refuse (callback_data empty, over 64 bytes or not UTF-8) is logged and left
// out, rather than failing the whole message.
func (t *Telegram) keyboard(rows [][]domain.Button) *tgbotapi.InlineKeyboardMarkup {
	var kb [][]tgbotapi.InlineKeyboardButton
	for _, row := range rows {
		var out []tgbotapi.InlineKeyboardButton
		for _, b := range row {
			label := strings.TrimSpace(strings.ToValidUTF8(b.Label, "\uFFFD"))
			if label == "" || b.Data == "" || len(b.Data) > maxCallbackData || !utf8.ValidString(b.Data) {
				t.log.Warn("telegram: button left out: Telegram needs a label and 1-64 bytes of UTF-8 data",
					"label", label, "data_bytes", len(b.Data))
				continue
			}
			out = append(out, tgbotapi.NewInlineKeyboardButtonData(label, b.Data))
		}
		if len(out) > 0 {
			kb = append(kb, out)
		}
	}
	if len(kb) == 0 {
		return nil
	}
	return &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: kb}
}

// layout renders r as HTML pieces of at most limit characters once Telegram has parsed them:
// the title in bold at the top of the first piece, the text escaped and cut between
// paragraphs where it can. Cutting the plain text before escaping it means no cut ever falls
// inside a tag or an entity.
func layout(r domain.Reply, limit int) []string {
	title := text.ClipUnits(strings.Join(strings.Fields(strings.ToValidUTF8(r.Title, "\uFFFD")), " "), maxTitle)
	doc := strings.TrimSpace(strings.ToValidUTF8(r.Text, "\uFFFD"))
	if title != "" {
		doc = strings.TrimSpace(title + "\n" + doc)
	}
	parts := split(doc, limit)
	for i, p := range parts {
		if i == 0 && title != "" && strings.HasPrefix(p, title) {
			parts[i] = "<b>" + escape(title) + "</b>" + escape(p[len(title):])
			continue
		}
		parts[i] = escape(p)
	}
	return parts
}

// escape makes plain text safe in Telegram's HTML: only <, > and & are special there.
func escape(s string) string { return tgbotapi.EscapeText(tgbotapi.ModeHTML, s) }

// split cuts s into trimmed, non-empty pieces of at most limit characters, cutting between
// paragraphs where it can, then between lines, then between words, and inside a word only
// when it must.
func split(s string, limit int) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if length(s) <= limit {
		return []string{s}
	}
	for _, sep := range []string{"\n\n", "\n", " "} {
		if !strings.Contains(s, sep) {
			continue
		}
		var out []string
		var cur strings.Builder
		n := 0 // length(cur)
		for _, part := range strings.Split(s, sep) {
			for _, piece := range split(part, limit) {
				m := length(piece)
				switch {
				case n == 0:
				case n+len(sep)+m <= limit:
					cur.WriteString(sep)
					n += len(sep)
				default:
					out = append(out, cur.String())
					cur.Reset()
					n = 0
				}
				cur.WriteString(piece)
				n += m
			}
		}
		if n > 0 {
			out = append(out, cur.String())
		}
		return out
	}
	return splitRunes(s, limit)
}

// splitRunes cuts s, which has no spaces to cut at, every limit characters.
func splitRunes(s string, limit int) []string {
	var out []string
	start, n := 0, 0
	for i, r := range s {
		if n+units(r) > limit {
			out = appendPiece(out, s[start:i])
			start, n = i, 0
		}
		n += units(r)
	}
	return appendPiece(out, s[start:])
}

// appendPiece appends s unless it is blank, which Telegram would refuse to send.
func appendPiece(out []string, s string) []string {
	if strings.TrimSpace(s) == "" {
		return out
	}
	return append(out, s)
}

// length measures s as Telegram does, in UTF-16 code units.
func length(s string) int {
	n := 0
	for _, r := range s {
		n += units(r)
	}
	return n
}

// units is how many UTF-16 code units r takes; invalid UTF-8 counts as the one-unit U+FFFD
// it becomes.
func units(r rune) int { return max(utf16.RuneLen(r), 1) }

// Notify sends a reminder to the chat n.To.Chat, with its buttons. It implements remind.Notifier:
// a 429 becomes a *remind.RetryAfterError; a chat the bot can never write to (blocked,
// deactivated, not found) a remind.Permanent error; anything else, network trouble included,
// is returned as it is, for the dispatcher to retry.
func (t *Telegram) Notify(ctx context.Context, n remind.Notice) error {
	_, err := t.NotifyThread(ctx, n)
	return err
}

// NotifyThread sends a reminder as Notify does, as a reply to the message n.Thread names when
// it is set (a nagging reminder's repeats follow the first, so the chat does not fill up), and
// returns the sent message's id as the name for the repeats to follow. It implements
// remind.ThreadNotifier.
func (t *Telegram) NotifyThread(ctx context.Context, n remind.Notice) (string, error) {
	chat, err := strconv.ParseInt(n.To.Chat, 10, 64)
	if err != nil {
		return "", remind.Permanent(fmt.Errorf("telegram: notify: chat id %q: %w", n.To.Chat, err))
	}
	replyTo, _ := strconv.Atoi(n.Thread) // a name this front end did not give: not threaded
	id, err := t.send(ctx, chat, max(replyTo, 0), n.Reply)
	switch code := apiCode(err); {
	case err == nil:
		if id == 0 {
			return "", nil
		}
		return strconv.Itoa(id), nil
	case retryAfter(err) > 0:
		return "", &remind.RetryAfterError{After: retryAfter(err), Err: err}
	case code == http.StatusForbidden, code == http.StatusBadRequest && describes(err, "chat not found"):
		return "", remind.Permanent(err)
	}
	return "", err
}
