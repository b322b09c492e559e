package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
)

// sent returns the only call in calls, which must be of method, and its text.
func sent(t *testing.T, calls []apiCall, method string) apiCall {
	t.Helper()
	if len(calls) != 1 || calls[0].Method != method {
		t.Fatalf("want one %s, got %v", method, names(calls))
	}
	return calls[0]
}

// only returns the calls of method.
func only(calls []apiCall, method string) []apiCall {
	var out []apiCall
	for _, c := range calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

func names(calls []apiCall) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Method)
	}
	return out
}

// visible is what a user sees of an HTML text: tags gone, entities decoded.
func visible(s string) string {
	s = strings.NewReplacer("<b>", "", "</b>", "").Replace(s)
	return html.UnescapeString(s)
}

func wantContains(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("text lacks %q:\n%s", w, got)
		}
	}
}

// TestConversation runs the real bot behind the front end, one exchange at a time.
func TestConversation(t *testing.T) {
	h := newHarness(t, realBot())
	h.run()
	botMessage := message(1, userID, "private", "Does it hurt?")
	botMessage["from"] = map[string]any{"id": testBotID, "is_bot": true, "first_name": "Needle"}
	replyToBot := message(12, groupID, "supergroup", "and does it hurt?")
	replyToBot["reply_to_message"] = botMessage
	fromBot := message(13, userID, "private", "/start")
	fromBot["from"] = map[string]any{"id": 77, "is_bot": true, "first_name": "Other"}

	for i, tt := range []struct {
		name    string
		update  string
		chat    int64
		replyTo int
		want    []string // in the reply's visible text; no reply expected when nil
	}{
		{name: "start", update: privateText(1, "/start"), chat: userID, want: []string{"I'm needlebot", "/needle size"}},
		{name: "needle size", update: privateText(2, "/needle size"), chat: userID, want: []string{"0.25 mm", "Source"}},
		{name: "plain question", update: privateText(3, "can I roll every day?"), chat: userID, want: []string{"How often to roll", "five times a week"}},
		{name: "group command for this bot", update: groupText(4, "/needle@needle_test_bot size"), chat: groupID, replyTo: 40, want: []string{"0.25 mm"}},
		{name: "group command with capitals", update: groupText(5, "/Needle@Needle_Test_Bot size"), chat: groupID, replyTo: 50, want: []string{"0.25 mm"}},
		{name: "group command for another bot", update: groupText(6, "/needle@otherbot size")},
		{name: "group bare command of ours", update: groupText(7, "/needle pain"), chat: groupID, replyTo: 70, want: []string{"Does it hurt?"}},
		{name: "group bare command not ours", update: groupText(8, "/weather")},
		{name: "group unknown command for this bot", update: groupText(9, "/weather@needle_test_bot"), chat: groupID, replyTo: 90, want: []string{"I don't know the command /weather"}},
		{name: "group chatter", update: groupText(10, "good morning everyone, does it hurt?")},
		{name: "group mention", update: groupText(11, "@Needle_Test_Bot does it hurt?"), chat: groupID, replyTo: 110, want: []string{"Does it hurt?"}},
		{name: "group reply to the bot", update: update{"update_id": 12, "message": replyToBot}.String(), chat: groupID, replyTo: 120, want: []string{"Does it hurt?"}},
		{name: "message from a bot", update: update{"update_id": 13, "message": fromBot}.String()},
		{name: "edited message", update: update{"update_id": 14, "edited_message": message(14, userID, "private", "/start")}.String()},
		{name: "channel post", update: update{"update_id": 15, "channel_post": message(15, -100777, "channel", "/start")}.String()},
		{name: "empty text", update: privateText(16, "")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			calls := h.exchange(tt.update)
			if tt.want == nil {
				if len(calls) != 0 {
					t.Fatalf("update %d should be ignored, got %v", i+1, names(calls))
				}
				return
			}
			c := sent(t, calls, "sendMessage")
			if got, want := c.Params.Get("chat_id"), strconv.FormatInt(tt.chat, 10); got != want {
				t.Errorf("chat_id = %s, want %s", got, want)
			}
			if got, want := c.Params.Get("reply_to_message_id"), strconv.Itoa(tt.replyTo); tt.replyTo != 0 && got != want {
				t.Errorf("reply_to_message_id = %s, want %s", got, want)
			}
			if tt.replyTo == 0 && c.Params.Has("reply_to_message_id") {
				t.Errorf("a private reply is threaded under %s", c.Params.Get("reply_to_message_id"))
			}
			if got := c.Params.Get("parse_mode"); got != "HTML" {
				t.Errorf("parse_mode = %q, want HTML", got)
			}
			wantContains(t, visible(c.Params.Get("text")), tt.want...)
		})
	}
	// Every update was acknowledged, the ignored ones included, and only answered ones marked.
	if got := h.state.log(); !contains(got, "SetTelegramOffset 17") || contains(got, "MarkSeen "+ev(6)) || !contains(got, "MarkSeen "+ev(1)) {
		t.Errorf("state calls: %v", got)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestTopicButtons(t *testing.T) {
	h := newHarness(t, realBot())
	h.run()

	c := sent(t, h.exchange(privateText(1, "/needle")), "sendMessage")
	var kb struct {
		InlineKeyboard [][]struct {
			Text         string `json:"text"`
			CallbackData string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(c.Params.Get("reply_markup")), &kb); err != nil {
		t.Fatalf("reply_markup %q: %v", c.Params.Get("reply_markup"), err)
	}
	var size string
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			if b.Text == "size" {
				size = b.CallbackData
			}
		}
	}
	if size != "needle:size" || len(kb.InlineKeyboard) < 2 {
		t.Fatalf("no size button in %s", c.Params.Get("reply_markup"))
	}

	for _, tt := range []struct {
		name, data string
		want       string
	}{
		{"topic", size, "0.25 mm"},
		{"unknown topic", "needle:tattoo", "That button no longer works"},
		{"forged", "undo:7:zzzz:AAAAAAAAAAAA", "That button no longer works"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			id := h.api.Mark() + 100
			calls := h.exchange(press(id, userID, "private", 77, tt.data))
			if got := names(calls); !cmp.Equal(got, []string{"editMessageText", "answerCallbackQuery"}) {
				t.Fatalf("calls = %v, want an edit and an answer", got)
			}
			edit, ans := calls[0].Params, calls[1].Params
			if edit.Get("chat_id") != "42" || edit.Get("message_id") != "77" {
				t.Errorf("edited chat %s message %s, want 42 and 77", edit.Get("chat_id"), edit.Get("message_id"))
			}
			wantContains(t, visible(edit.Get("text")), tt.want)
			if got, want := ans.Get("callback_query_id"), "cb"+strconv.Itoa(id); got != want {
				t.Errorf("answered %q, want %q", got, want)
			}
		})
	}
}

func TestRequestFields(t *testing.T) {
	h := newHarness(t, realBot())
	h.run()
	h.exchange(privateText(7, "/needle  size  now"), groupText(8, "@needle_test_bot does it hurt?"), press(9, groupID, "supergroup", 5, "needle:size"))
	want := []commands.Request{
		{ID: ev(7), Platform: "tg", UserID: "42", ChatID: "42", Private: true, Command: "needle", Args: []string{"size", "now"}, Text: "size  now", Time: time.Unix(msgDate, 0)},
		{ID: ev(8), Platform: "tg", UserID: "42", ChatID: strconv.Itoa(groupID), Text: "does it hurt?", Time: time.Unix(msgDate, 0)},
		{ID: ev(9), Platform: "tg", UserID: "42", ChatID: strconv.Itoa(groupID), Button: "needle:size", Time: testNow},
	}
	// Updates of different chats are handled at once, so only each chat's are in order.
	got := h.bot.requests()
	slices.SortStableFunc(got, func(a, b commands.Request) int { return strings.Compare(a.ID, b.ID) })
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestTestdataPayloads(t *testing.T) {
	tg := newHarness(t, realBot()).front()
	me := newSelf(tgbotapi.User{ID: testBotID, IsBot: true, UserName: testBotTag})
	for _, tt := range []struct {
		file string
		ok   bool
		want inbound
	}{
		{"private_message.json", true, inbound{chat: 42, user: 42, req: commands.Request{
			ID: ev(730518201), Platform: "tg", UserID: "42", ChatID: "42", Private: true,
			Command: "needle", Args: []string{"size"}, Text: "size", Time: time.Unix(1764365400, 0)}}},
		{"group_command.json", true, inbound{chat: -1001234567890, user: 42, replyTo: 5521, req: commands.Request{
			ID: ev(730518202), Platform: "tg", UserID: "42", ChatID: "-1001234567890",
			Command: "needle", Args: []string{"frequency"}, Text: "frequency", Time: time.Unix(1764365460, 0)}}},
		{"callback_query.json", true, inbound{chat: 42, user: 42, callback: "4382bfdwdsb323b2d9", req: commands.Request{
			ID: ev(730518203), Platform: "tg", UserID: "42", ChatID: "42", Private: true,
			Button: "needle:size", Time: testNow}}},
		{"sticker.json", false, inbound{}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			u, err := decodeUpdate(raw)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := tg.translate(u, me)
			if ok != tt.ok {
				t.Fatalf("translate ok = %v, want %v", ok, tt.ok)
			}
			if tt.file == "callback_query.json" {
				tt.want.edit.ChatID, tt.want.edit.MessageID = 42, 1184
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(inbound{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("translate (-want +got):\n%s", diff)
			}
		})
	}
}

// stubReplies answers by command, for rendering tests.
func stubReplies(req *commands.Request) domain.Reply {
	switch req.Command {
	case "long":
		var paras []string
		for i := range 30 {
			paras = append(paras, strings.TrimSpace(fmt.Sprintf("Paragraph %d. ", i)+strings.Repeat("Roll gently, then apply serum. ", 12)))
		}
		return domain.Reply{Title: "Long", Text: strings.Join(paras, "\n\n")}
	case "html":
		return domain.Reply{Title: "<b>", Text: "Serum _x_ & <i>co</i> *bold* [link](x)"}
	case "diary":
		return domain.Reply{Title: "Your diary", Text: "3 sessions this month.", Private: true}
	case "export":
		return domain.Reply{Text: req.Text, File: &domain.File{Name: "needlebot.csv", Type: "text/csv", Data: []byte("date,mm\n2026-11-27,0.25\n")}}
	case "buttons":
		return domain.Reply{Text: "Pick one", Buttons: [][]domain.Button{
			{{Label: "Done", Data: "done:1"}, {Label: "Snooze", Data: "snooze:1"}},
			{{Label: "Too long", Data: strings.Repeat("x", 65)}, {Label: "Skip", Data: "skip:1"}},
		}}
	}
	if req.Button == "mine" {
		return domain.Reply{Text: "That button isn't yours, or no longer works. Nothing was changed.", Private: true}
	}
	return domain.Reply{Text: "ok"}
}

func TestRendering(t *testing.T) {
	h := newHarness(t, stubBot(stubReplies))
	h.run()

	t.Run("long reply split on paragraphs", func(t *testing.T) {
		calls := h.exchange(privateText(1, "/long"))
		if len(calls) < 3 {
			t.Fatalf("a 12,000-character reply came in %d messages", len(calls))
		}
		var joined []string
		for i, c := range calls {
			text := c.Params.Get("text")
			if n := length(visible(text)); n > maxMessage {
				t.Errorf("message %d has %d characters", i, n)
			}
			if !strings.HasPrefix(visible(text), "Paragraph ") && i > 0 {
				t.Errorf("message %d does not start with a paragraph: %.40q", i, text)
			}
			if !strings.HasSuffix(text, "serum.") {
				t.Errorf("message %d does not end with a paragraph: %q", i, text[len(text)-40:])
			}
			joined = append(joined, visible(text))
		}
		if !strings.HasPrefix(calls[0].Params.Get("text"), "<b>Long</b>\n") {
			t.Errorf("the first message lacks the bold title: %.40q", calls[0].Params.Get("text"))
		}
		want := stubReplies(&commands.Request{Command: "long"})
		if got := strings.Join(joined, "\n\n"); got != want.Title+"\n"+want.Text {
			t.Errorf("the pieces do not add up to the reply: %s", cmp.Diff(want.Title+"\n"+want.Text, got))
		}
	})

	t.Run("HTML escaped", func(t *testing.T) {
		c := sent(t, h.exchange(privateText(2, "/html")), "sendMessage")
		want := "<b>&lt;b&gt;</b>\nSerum _x_ &amp; &lt;i&gt;co&lt;/i&gt; *bold* [link](x)"
		if got := c.Params.Get("text"); got != want {
			t.Errorf("text = %q, want %q", got, want)
		}
	})

	t.Run("private reply from a group", func(t *testing.T) {
		calls := h.exchange(groupText(3, "/diary"))
		if got := names(calls); len(got) != 2 {
			t.Fatalf("calls = %v, want the private reply and a note in the group", got)
		}
		if p := calls[0].Params; p.Get("chat_id") != "42" || !strings.Contains(p.Get("text"), "3 sessions") {
			t.Errorf("private reply went to %s: %q", p.Get("chat_id"), p.Get("text"))
		}
		if p := calls[1].Params; p.Get("chat_id") != strconv.Itoa(groupID) || p.Get("text") != msgSentPrivately || p.Get("reply_to_message_id") != "30" {
			t.Errorf("group note = %v", p)
		}
	})

	t.Run("private reply to a user who never started the bot", func(t *testing.T) {
		h.api.Fail("sendMessage", apiError{Code: 403, Desc: "Forbidden: bot can't initiate conversation with a user"})
		calls := h.exchange(groupText(4, "/diary@needle_test_bot"))
		if len(calls) != 2 {
			t.Fatalf("calls = %v", names(calls))
		}
		if p := calls[1].Params; p.Get("chat_id") != strconv.Itoa(groupID) || !strings.Contains(p.Get("text"), "open a chat with @needle_test_bot, press Start") {
			t.Errorf("group note = %v", p)
		}
	})

	t.Run("private refusal of a button pressed in a group", func(t *testing.T) {
		calls := h.exchange(press(5, groupID, "supergroup", 9, "mine"))
		c := sent(t, calls, "answerCallbackQuery")
		if c.Params.Get("show_alert") != "true" || !strings.Contains(c.Params.Get("text"), "isn't yours") {
			t.Errorf("answer = %v, want the refusal as an alert", c.Params)
		}
	})

	t.Run("file with caption", func(t *testing.T) {
		c := sent(t, h.exchange(privateText(6, "/export Your <export>")), "sendDocument")
		if string(c.File) != "date,mm\n2026-11-27,0.25\n" || c.FileName != "needlebot.csv" {
			t.Errorf("document %q = %q", c.FileName, c.File)
		}
		if got := c.Params.Get("caption"); got != "Your &lt;export&gt;" || c.Params.Get("parse_mode") != "HTML" || c.Params.Get("chat_id") != "42" {
			t.Errorf("caption %q, params %v", got, c.Params)
		}
	})

	t.Run("file with a long text", func(t *testing.T) {
		calls := h.exchange(privateText(7, "/export "+strings.Repeat("word ", 300)))
		if got := names(calls); !cmp.Equal(got, []string{"sendMessage", "sendDocument"}) {
			t.Fatalf("calls = %v, want the text, then the document", got)
		}
		if calls[1].Params.Has("caption") || len(calls[1].File) == 0 {
			t.Errorf("document params %v", calls[1].Params)
		}
	})

	t.Run("buttons, one too long", func(t *testing.T) {
		c := sent(t, h.exchange(privateText(8, "/buttons")), "sendMessage")
		want := `{"inline_keyboard":[[{"text":"Done","callback_data":"done:1"},{"text":"Snooze","callback_data":"snooze:1"}],[{"text":"Skip","callback_data":"skip:1"}]]}`
		if got := c.Params.Get("reply_markup"); got != want {
			t.Errorf("reply_markup = %s, want %s", got, want)
		}
		wantContains(t, h.logs.String(), "button left out", "data_bytes=65")
	})
}

func TestRetryAfterHonoured(t *testing.T) {
	gate := make(chan time.Time)
	waits := make(chan time.Duration, 1)
	h := newHarness(t, realBot(), func(c *Config) {
		c.after = func(d time.Duration) <-chan time.Time { waits <- d; return gate }
	})
	h.api.Fail("getUpdates", apiError{Code: 429, Desc: "Too Many Requests: retry after 7", RetryAfter: 7})
	h.start()
	h.api.Next("getUpdates")
	select {
	case d := <-waits:
		if d != 7*time.Second {
			t.Errorf("waited %s, want 7s", d)
		}
	case <-time.After(waitFor):
		t.Fatal("no wait after a 429")
	}
	if n := h.api.Count("getUpdates"); n != 1 {
		t.Fatalf("%d getUpdates before the wait was over, want 1", n)
	}
	gate <- testNow
	h.api.Next("getUpdates")
	wantContains(t, h.logs.String(), "retry after 7")
}

func TestConflictLoggedOncePerStreak(t *testing.T) {
	h := newHarness(t, realBot())
	conflict := apiError{Code: 409, Desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
	h.api.Fail("getUpdates", conflict, conflict, conflict)
	h.start()
	for range 4 {
		h.api.Next("getUpdates")
	}
	if n := strings.Count(h.logs.String(), "telegram: conflict"); n != 1 {
		t.Errorf("a streak of three 409s logged %d times, want once:\n%s", n, h.logs)
	}
	wantContains(t, h.logs.String(), "only one may")
	// A success ends the streak; the next conflict, about a webhook this time, is logged again.
	h.api.Fail("getUpdates", apiError{Code: 409, Desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"})
	h.exchange(privateText(1, "/start"))
	h.api.Next("getUpdates")
	h.api.Next("getUpdates")
	if n := strings.Count(h.logs.String(), "telegram: conflict"); n != 2 {
		t.Errorf("two streaks logged %d times, want twice:\n%s", n, h.logs)
	}
	wantContains(t, h.logs.String(), "set TELEGRAM_WEBHOOK_URL")
}

// crash makes the front end die when it saves the offset of the next update it handles:
// the update was answered (and marked, unless MarkSeen fails) but never acknowledged.
func crash(t *testing.T, h *harness, r *running) {
	t.Helper()
	crashed := make(chan struct{})
	h.state.hook(func(int) error {
		r.cancel()
		close(crashed)
		return errors.New("killed")
	})
	h.api.Push(privateText(1, "/needle size"))
	select {
	case <-crashed:
	case <-time.After(waitFor):
		t.Fatal("the update was not handled")
	}
	if err := r.stop(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
	h.state.hook(nil)
	if n := h.api.Count("getUpdates"); n != 1 {
		t.Fatalf("%d getUpdates: the update was acknowledged to Telegram", n)
	}
}

func TestCrashBetweenHandlingAndAcknowledging(t *testing.T) {
	t.Run("marked: the redelivered update is skipped", func(t *testing.T) {
		h := newHarness(t, realBot())
		crash(t, h, h.run())
		h.start() // the restart; Telegram sends update 1 again
		h.state.waitOffset(t, 2)
		if got := len(h.bot.requests()); got != 1 {
			t.Errorf("Respond called %d times, want once", got)
		}
		if got := h.api.Count("sendMessage"); got != 1 {
			t.Errorf("%d replies sent, want one", got)
		}
	})
	t.Run("not marked: handled again under the same request ID", func(t *testing.T) {
		h := newHarness(t, realBot())
		h.state.failMarks(errors.New("redis: connection refused"))
		crash(t, h, h.run())
		h.state.failMarks(nil)
		h.state.expireClaims() // the dead instance's claim lasts its lease
		h.start()
		h.state.waitOffset(t, 2)
		var ids []string
		for _, r := range h.bot.requests() {
			ids = append(ids, r.ID)
		}
		// The store applies writes carrying the same ID once; that is the guard here.
		if want := []string{ev(1), ev(1)}; !cmp.Equal(ids, want) {
			t.Errorf("request IDs = %v, want %v", ids, want)
		}
		wantContains(t, h.logs.String(), "mark update handled", "connection refused")
	})
}

func TestSendFailures(t *testing.T) {
	t.Run("transient: only the send is retried", func(t *testing.T) {
		h := newHarness(t, realBot())
		h.run()
		h.api.Fail("sendMessage", apiError{Code: 502, Desc: "Bad Gateway"})
		calls := h.exchange(privateText(1, "/start"))
		if got := names(calls); !cmp.Equal(got, []string{"sendMessage", "sendMessage"}) {
			t.Errorf("calls = %v, want a failed send and a retried one", got)
		}
		if got := h.bot.requests(); len(got) != 1 {
			t.Errorf("requests = %v, want the bot asked once", got)
		}
		if w := h.recordedWaits(); len(w) != 1 || w[0] < backoffMin/2 || w[0] > backoffMin {
			t.Errorf("waits = %v, want one first backoff step", w)
		}
	})
	t.Run("permanent: logged and skipped", func(t *testing.T) {
		h := newHarness(t, realBot())
		h.run()
		h.api.Fail("sendMessage", apiError{Code: 400, Desc: "Bad Request: can't parse entities"})
		calls := h.exchange(privateText(1, "/start"), privateText(2, "/start"))
		if got := names(calls); !cmp.Equal(got, []string{"sendMessage", "sendMessage"}) {
			t.Errorf("calls = %v, want one send per update", got)
		}
		wantContains(t, h.logs.String(), "reply not delivered", "can't parse entities")
		if !contains(h.state.log(), "MarkSeen "+ev(1)) {
			t.Errorf("the update was not marked handled: %v", h.state.log())
		}
	})
	t.Run("store down: the update waits", func(t *testing.T) {
		h := newHarness(t, realBot())
		h.run()
		calls := 0
		h.state.hook(func(offset int) error {
			calls++
			if calls == 1 {
				return errors.New("redis: i/o timeout")
			}
			h.state.mu.Lock()
			defer h.state.mu.Unlock()
			h.state.offset = offset
			h.state.record("SetTelegramOffset " + strconv.Itoa(offset))
			return nil
		})
		h.exchange(privateText(1, "/start"), privateText(2, "/start"))
		wantContains(t, h.logs.String(), "save offset", "i/o timeout")
		if got := len(h.bot.requests()); got != 2 {
			t.Errorf("Respond called %d times, want 2", got)
		}
	})
}

func TestPanicIsContained(t *testing.T) {
	h := newHarness(t, stubBot(func(req *commands.Request) domain.Reply {
		if req.Text == "boom" {
			panic("handler bug near " + testToken)
		}
		return domain.Reply{Text: "fine"}
	}))
	h.run()
	calls := h.exchange(privateText(1, "boom"), privateText(2, "after"))
	if len(calls) != 2 || calls[0].Params.Get("text") != msgFailed || calls[1].Params.Get("text") != "fine" {
		t.Errorf("calls = %v", calls)
	}
	logs := h.logs.String()
	wantContains(t, logs, "panic answering an update", "handler bug near <redacted>")
	if strings.Contains(logs, tokenKey) {
		t.Errorf("the token is in the logs:\n%s", logs)
	}
}

func TestTokenNeverLeaks(t *testing.T) {
	dead := httptest.NewServer(nil)
	dead.Close()
	h := newHarness(t, realBot(), func(c *Config) { c.APIURL = dead.URL })
	stopped := make(chan struct{})
	n := 0
	h.cfg.after = func(time.Duration) <-chan time.Time {
		if n++; n == 3 { // three failed getMe calls are enough; wait for the cancel
			close(stopped)
			return nil
		}
		c := make(chan time.Time, 1)
		c <- testNow
		return c
	}
	r := h.start()
	<-stopped
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	err := r.Notify(context.Background(), remindNotice("42", "hello"))
	if err == nil {
		t.Fatal("Notify to a dead API succeeded")
	}
	logs := h.logs.String()
	for name, s := range map[string]string{"logs": logs, "Notify error": err.Error()} {
		if strings.Contains(s, tokenKey) {
			t.Errorf("the token is in the %s:\n%s", name, s)
		}
		if !strings.Contains(s, "/bot<redacted>/") {
			t.Errorf("the %s lack the redacted URL (was the failing path taken?):\n%s", name, s)
		}
	}
	if !errors.Is(r.Notify(canceled(), remindNotice("42", "hello")), context.Canceled) {
		t.Error("a redacted error no longer unwraps to context.Canceled")
	}

	t.Run("rejected token", func(t *testing.T) {
		h := newHarness(t, realBot(), func(c *Config) { c.Token = "123456:WRONG-" + tokenKey })
		tg := h.front()
		err := tg.Run(context.Background())
		if err == nil || !strings.Contains(err.Error(), "TELEGRAM_TOKEN was refused by Telegram (401 Unauthorized): check the token @BotFather gave you") {
			t.Fatalf("Run with a rejected token = %v, want what to check", err)
		}
		if strings.Contains(err.Error(), tokenKey) || strings.Contains(h.logs.String(), tokenKey) {
			t.Errorf("the token leaked: %v\n%s", err, h.logs)
		}
	})

	t.Run("printing the config", func(t *testing.T) {
		cfg := Config{Token: testToken, WebhookURL: "https://bot.example/hook", WebhookSecret: "hush-hush"}
		var logs syncBuffer
		slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "cfg", cfg)
		slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "cfg", cfg, "tg", h.front())
		for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprint(h.front()), logs.String()} {
			if strings.Contains(s, tokenKey) || strings.Contains(s, "hush-hush") {
				t.Errorf("a secret is printed: %s", s)
			}
		}
	})
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}
