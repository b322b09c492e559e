package telegram

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
)

// gateBot answers "re " and the text, but holds messages whose text is in gates until their
// gate is closed; started receives each message's text as the bot is asked.
type gateBot struct {
	gates   map[string]chan struct{}
	started chan string
}

func (b gateBot) Respond(ctx context.Context, req *commands.Request) domain.Reply {
	b.started <- req.Text
	if g, ok := b.gates[req.Text]; ok {
		select {
		case <-g:
		case <-ctx.Done():
		case <-time.After(waitFor):
		}
	}
	return domain.Reply{Text: "re " + req.Text}
}

func (gateBot) Commands() []commands.Command { return nil }

// next returns the text of the next message the bot is asked about.
func (b gateBot) next(t *testing.T) string {
	t.Helper()
	select {
	case s := <-b.started:
		return s
	case <-time.After(waitFor):
		t.Fatal("the bot was not asked")
		return ""
	}
}

// textIn is a private message from chat with its own user.
func textIn(id int, chat int64, text string) string {
	m := message(id, chat, "private", text)
	m["from"] = map[string]any{"id": chat, "is_bot": false, "first_name": "Ana"}
	return update{"update_id": id, "message": m}.String()
}

// TestSlowChatHoldsOnlyItself: while one chat's update is being handled, other chats'
// updates are handled, but the chat's own next update waits for it; the saved offset and every
// getUpdates stay at the unfinished update, so a crash then loses nothing; once it is done,
// the offset moves past everything handled.
func TestSlowChatHoldsOnlyItself(t *testing.T) {
	slow := make(chan struct{})
	bot := gateBot{gates: map[string]chan struct{}{"slow": slow}, started: make(chan string, 10)}
	h := newHarness(t, bot)
	h.run()
	h.api.Push(textIn(1, 1, "slow"), textIn(2, 1, "after slow"), textIn(3, 2, "other"), textIn(4, 3, "third"))
	asked := []string{bot.next(t), bot.next(t), bot.next(t)}
	slices.Sort(asked)
	if want := []string{"other", "slow", "third"}; !slices.Equal(asked, want) {
		t.Fatalf("asked %v while chat 1 is slow, want %v: chat 1's next waits, the others do not", asked, want)
	}
	// Both other chats are answered; the offset waits at update 1, and so do the polls.
	for range 2 {
		h.api.Next("sendMessage")
	}
	for range 2 {
		if got := h.api.Next("getUpdates").Params.Get("offset"); got != "" && got != "1" {
			t.Errorf("getUpdates from offset %s while update 1 is unfinished", got)
		}
	}
	if slices.ContainsFunc(h.state.log(), func(s string) bool { return s != "SetTelegramOffset 1" && len(s) > 17 && s[:17] == "SetTelegramOffset" }) {
		t.Errorf("an offset past the unfinished update was saved: %v", h.state.log())
	}
	close(slow)
	if got := bot.next(t); got != "after slow" {
		t.Errorf("then asked %q, want chat 1's next", got)
	}
	h.state.waitOffset(t, 5)
	var chat1 []string
	for _, c := range h.api.Since(0) {
		if c.Method == "sendMessage" && c.Params.Get("chat_id") == "1" {
			chat1 = append(chat1, c.Params.Get("text"))
		}
	}
	if want := []string{"re slow", "re after slow"}; !slices.Equal(chat1, want) {
		t.Errorf("chat 1 got %v, want %v", chat1, want)
	}
}

// TestShutdownDrains: SIGTERM while an update is being handled: polling stops at once, the
// update is finished and its offset saved before Run returns, and the update queued behind it
// in its chat is not begun (Telegram sends it again to the next poller).
func TestShutdownDrains(t *testing.T) {
	slow := make(chan struct{})
	bot := gateBot{gates: map[string]chan struct{}{"slow": slow}, started: make(chan string, 10)}
	h := newHarness(t, bot)
	r := h.run()
	h.api.Push(textIn(1, 1, "slow"), textIn(2, 1, "queued"))
	bot.next(t)
	polls := h.api.Count("getUpdates")
	r.cancel()
	close(slow)
	if err := r.stop(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := h.api.Count("getUpdates"); got > polls+1 { // one may have been on its way
		t.Errorf("%d getUpdates after the stop began", got-polls)
	}
	if got := only(h.api.Since(0), "sendMessage"); len(got) != 1 || got[0].Params.Get("text") != "re slow" {
		t.Errorf("replies %v, want only the update in hand finished", names(got))
	}
	// Saved before Run returned: the update in hand was waited for.
	if h.state.offset != 2 {
		t.Errorf("saved offset %d, want 2: the finished update acknowledged, the queued one not", h.state.offset)
	}
	select {
	case s := <-bot.started:
		t.Errorf("the bot was asked about %q after the stop", s)
	default:
	}
}

// TestRateLimitedReplyIsSentAgain: a 429 on a reply makes the front end wait retry_after and
// send that message again; the bot is asked once.
func TestRateLimitedReplyIsSentAgain(t *testing.T) {
	h := newHarness(t, realBot())
	h.run()
	h.api.Fail("sendMessage", apiError{Code: 429, Desc: "Too Many Requests: retry after 3", RetryAfter: 3})
	calls := h.exchange(privateText(1, "/needle size"))
	if got := names(calls); !slices.Equal(got, []string{"sendMessage", "sendMessage"}) {
		t.Errorf("calls %v, want the refused send and the same one again", got)
	}
	if len(calls) == 2 && calls[0].Params.Get("text") != calls[1].Params.Get("text") {
		t.Error("the second send is not the refused one")
	}
	if n := len(h.bot.requests()); n != 1 {
		t.Errorf("the bot was asked %d times, want once", n)
	}
	if w := h.recordedWaits(); !slices.Contains(w, 3*time.Second) {
		t.Errorf("waits %v, want retry_after's 3s", w)
	}
	if slices.Contains(h.state.log(), "Release "+ev(1)) {
		t.Error("the claim was released: the update would be handled again")
	}
}

// TestWebhookKeepsEachChatInOrder: webhook deliveries of one chat are handled one at a time,
// in the order they came; another chat's go on meanwhile.
func TestWebhookKeepsEachChatInOrder(t *testing.T) {
	slow := make(chan struct{})
	bot := gateBot{gates: map[string]chan struct{}{"slow": slow}, started: make(chan string, 10)}
	h := newHarness(t, bot, func(c *Config) {
		c.WebhookURL = "https://bot.example.com" + WebhookPath
		c.WebhookSecret = testSecret
	})
	tg := h.start()
	h.api.Next("setWebhook")
	codes := make(chan string, 3)
	deliver := func(body string) {
		go func() {
			codes <- strconv.Itoa(post(tg.Telegram, http.MethodPost, testSecret, []byte(body)).Code)
		}()
	}
	deliver(textIn(1, 1, "slow"))
	if got := bot.next(t); got != "slow" {
		t.Fatalf("asked %q", got)
	}
	deliver(textIn(2, 1, "after slow"))
	deliver(textIn(3, 2, "other"))
	if got := bot.next(t); got != "other" {
		t.Errorf("asked %q while chat 1 is busy, want the other chat's", got)
	}
	<-codes // the other chat's 200
	close(slow)
	if got := bot.next(t); got != "after slow" {
		t.Errorf("then asked %q", got)
	}
	for range 2 {
		if c := <-codes; c != "200" {
			t.Errorf("status %s", c)
		}
	}
	var chat1 []string
	for _, c := range h.api.Since(0) {
		if c.Method == "sendMessage" && c.Params.Get("chat_id") == "1" {
			chat1 = append(chat1, c.Params.Get("text"))
		}
	}
	if want := []string{"re slow", "re after slow"}; !slices.Equal(chat1, want) {
		t.Errorf("chat 1 got %v, want %v", chat1, want)
	}
}

// TestTurns: turns of one chat run one at a time in the order taken, even when one gives up
// waiting; other chats' do not wait.
func TestTurns(t *testing.T) {
	var s turns
	a1, a2, a3, b1 := s.take("a"), s.take("a"), s.take("a"), s.take("b")
	ctx := context.Background()
	if err := a1.wait(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b1.wait(ctx); err != nil {
		t.Fatal("another chat waited")
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if err := a2.wait(gone); err == nil {
		t.Fatal("a cancelled wait succeeded")
	}
	a2.done() // gave up; a3 must still wait for a1
	select {
	case <-a2.mine:
		t.Fatal("a turn that gave up let the next go while the one before it still runs")
	default:
	}
	a1.done()
	b1.done()
	if err := a3.wait(ctx); err != nil {
		t.Fatal(err)
	}
	a3.done()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.tail) != 0 {
		t.Errorf("tails left %v", s.tail)
	}
}
