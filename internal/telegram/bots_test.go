package telegram

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/kb"
	"github.com/needlebot/needlebot/internal/redistest"
	"github.com/needlebot/needlebot/internal/store"
)

// storeBotOn is storeBot on a given redis-server, which the test may stop. Its client has the
// options the bot runs with (store.ParseURL), retries and all.
func storeBotOn(t *testing.T, srv *redistest.Server) (*commands.Bot, *store.Store) {
	o, err := store.ParseURL("redis://" + srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewUniversalClient(o)
	t.Cleanup(func() { rdb.Close() })
	st := store.New(rdb, store.WithClock(func() time.Time { return testNow }))
	bot := commands.New(commands.Config{KB: kb.Default(), Store: st, ButtonKey: []byte("test button key"), Now: func() time.Time { return testNow }})
	return bot, st
}

// waitAcked waits until the poller asks for updates from offset on: all before it are handled.
func waitAcked(h *harness, offset int) {
	h.t.Helper()
	for h.api.Next("getUpdates").Params.Get("offset") != strconv.Itoa(offset) {
	}
}

func TestEventIDs(t *testing.T) {
	for _, id := range []int64{1, testBotID, 1234567890, 9999999999, math.MaxInt64} {
		tag := botTag(id)
		if len(tag) != tagLen || strings.ContainsAny(tag, "_~:") || tag != botTag(id) {
			t.Errorf("botTag(%d) = %q: want %d stable characters without _ ~ :", id, tag, tagLen)
		}
		if got := eventID(tag, 9999999999); len(got) != maxEventID {
			t.Errorf("eventID = %q, %d bytes; want the longest to be %d", got, len(got), maxEventID)
		}
	}
	if botTag(1111111111) == botTag(2222222222) {
		t.Error("two bots, one tag")
	}
	// internal/commands builds held-session buttons from the event id, and measures them with
	// the longest one; it must be at least this long.
	if maxEventID != len("tg:u:zzzzzz-9999999999") {
		t.Errorf("maxEventID = %d: update internal/commands' button length test", maxEventID)
	}
}

// TestTwoBotsShareRedis: issue 14, point 3. A second bot (another token) on the same Redis
// answers and logs its own updates, though their ids are the first bot's, and the start-up
// log says which bots the Redis holds data for.
func TestTwoBotsShareRedis(t *testing.T) {
	srv := redistest.Start(t)
	bot, st := storeBotOn(t, srv)
	ctx := context.Background()
	run := func(h *harness) {
		tg, err := New(h.cfg, h.bot, st)
		if err != nil {
			t.Fatal(err)
		}
		h.launch(tg)
	}

	a := newHarness(t, bot)
	run(a)
	a.api.Next("getUpdates")
	b := newHarness(t, bot)
	b.api.BotID, b.api.Username = 1234567890, "other_needle_bot"
	run(b)
	if got := b.api.Next("getUpdates").Params.Get("offset"); got != "" {
		t.Errorf("second bot: first offset %q, want none: the first bot's offset is not its own", got)
	}
	wantContains(t, b.logs.String(), "this Redis holds data for bots tg:1234567890 @other_needle_bot, tg:999 @needle_test_bot",
		"also holds another Telegram bot's data", "other=\"tg:999 @needle_test_bot\"")

	for i := 0; i < 10; i++ {
		id := 100 + i
		for _, h := range []*harness{a, b} {
			mark := h.api.Mark()
			days := i + 1
			if h == b {
				days += 10
			}
			h.api.Push(privateText(id, "/log 0.25 "+strconv.Itoa(days)+" days ago"))
			waitAcked(h, id+1)
			c := sent(t, only(h.api.Since(mark), "sendMessage"), "sendMessage")
			if !strings.Contains(c.Params.Get("text"), "<b>Logged</b>") {
				t.Fatalf("bot %d, update %d: %q, want it logged", h.api.BotID, id, c.Params.Get("text"))
			}
		}
	}
	if list, err := st.ListSessions(ctx, "tg:42", 0); err != nil || len(list) != 20 {
		t.Errorf("%d sessions (%v), want 20: ten through each bot", len(list), err)
	}
	for _, key := range []string{"nb:tg:999:offset", "nb:tg:1234567890:offset"} {
		if got := srv.Client().Get(ctx, key).Val(); got != "110" {
			t.Errorf("%s = %q, want 110", key, got)
		}
	}
}

// TestInheritedOffset: issue 14, point 3. The offset an older version saved without the bot's
// id is used only when it fits the updates Telegram holds for this bot: then the updates the old
// version handled are not answered again; another bot's offset, which would make Telegram drop
// this bot's updates below it, is not used.
func TestInheritedOffset(t *testing.T) {
	for _, tc := range []struct {
		name      string
		old       int
		pending   []int // update ids Telegram holds
		answered  []int // those the bot answers
		wantInLog string
	}{
		{"its own", 101, []int{100, 101, 102}, []int{101, 102}, "took the offset an older version saved"},
		{"another bot's, far ahead", 900000, []int{100, 101}, []int{100, 101}, "it is another bot's"},
		{"another bot's, behind", 7, []int{100}, []int{100}, "it is another bot's"},
		{"nothing pending", 900000, nil, nil, "no update is pending"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := redistest.Start(t)
			ctx := context.Background()
			srv.Client().Set(ctx, "nb:tg:offset", tc.old, 0) // left by an older version
			bot, st := storeBotOn(t, srv)
			h := newHarness(t, bot)
			for _, id := range tc.pending {
				h.api.Push(privateText(id, "/needle size"))
			}
			tg, err := New(h.cfg, h.bot, st)
			if err != nil {
				t.Fatal(err)
			}
			mark := h.api.Mark()
			h.launch(tg)
			h.api.Next("getUpdates") // the look at what is pending
			next := 200              // an update after the pending ones is answered too
			h.api.Push(privateText(next, "/needle size"))
			waitAcked(h, next+1)
			got := only(h.api.Since(mark), "sendMessage")
			if len(got) != len(tc.answered)+1 {
				t.Errorf("%d replies, want %d: to %v and %d", len(got), len(tc.answered)+1, tc.answered, next)
			}
			wantContains(t, h.logs.String(), tc.wantInLog)
			if n := srv.Client().Exists(ctx, "nb:tg:offset").Val(); n != 0 {
				t.Error("the old offset key is still there, for another bot to take")
			}
		})
	}
}

// TestPollingStoreDown: issue 14, point 6. With Redis gone, a message is answered at once with
// "I can't save right now", without waiting for Redis, and nothing answers it again later.
func TestPollingStoreDown(t *testing.T) {
	srv := redistest.Start(t)
	bot, st := storeBotOn(t, srv)
	h := newHarness(t, bot)
	tg, err := New(h.cfg, h.bot, st)
	if err != nil {
		t.Fatal(err)
	}
	h.launch(tg)
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(h.logs.String())
		}
	})
	h.api.Next("getUpdates")
	srv.Kill()

	mark := h.api.Mark()
	h.api.Push(privateText(1, "/log 0.25 peptides"))
	waitAcked(h, 2)
	c := sent(t, h.api.Since(mark), "sendMessage")
	wantContains(t, c.Params.Get("text"), "I can't save right now")
	if w := h.recordedWaits(); len(w) != 0 {
		t.Errorf("the front end waited %v before answering: the user heard nothing meanwhile", w)
	}
	wantContains(t, h.logs.String(), "store unreachable; answering the update unmarked")
	if strings.Contains(h.logs.String(), "save offset") {
		t.Error("the offset was saved to a store known to be down, holding up the next update")
	}

	srv.Start()
	mark = h.api.Mark()
	h.api.Push(privateText(2, "/needle size"))
	waitAcked(h, 3)
	if got := only(h.api.Since(mark), "sendMessage"); len(got) != 1 || strings.Contains(got[0].Params.Get("text"), "Logged") {
		t.Errorf("after Redis is back: %d messages, want only the answer to update 2", len(got))
	}
	if list, err := st.ListSessions(context.Background(), "tg:42", 0); err != nil || len(list) != 0 {
		t.Errorf("%d sessions (%v): the update answered 'can't save' was logged after all", len(list), err)
	}
}

// claimCounter is the store as State, counting claims, so that a test can hold the winner
// until every delivery has tried to claim.
type claimCounter struct {
	*store.Store
	mu     sync.Mutex
	claims int
	all    chan struct{} // closed at the want-th claim
	want   int
}

func (c *claimCounter) ClaimEvent(ctx context.Context, bot, event, token string, lease time.Duration) (bool, bool, error) {
	claimed, done, err := c.Store.ClaimEvent(ctx, bot, event, token, lease)
	c.mu.Lock()
	c.claims++
	if c.claims == c.want {
		close(c.all)
	}
	c.mu.Unlock()
	return claimed, done, err
}

// heldBot waits, in every Respond, until its gate is closed.
type heldBot struct {
	Responder
	gate <-chan struct{}
}

func (b heldBot) Respond(ctx context.Context, req *commands.Request) domain.Reply {
	select {
	case <-b.gate:
	case <-time.After(waitFor):
	}
	return b.Responder.Respond(ctx, req)
}

// TestWebhookDeliveriesAtOnce: issue 14, point 4. Ten simultaneous deliveries of one update
// send one reply and log one session; the others are told to come again (503), and then find
// it handled. A handling that fails releases its claim, so Telegram's retry is answered.
func TestWebhookDeliveriesAtOnce(t *testing.T) {
	srv := redistest.Start(t)
	bot, st := storeBotOn(t, srv)
	state := &claimCounter{Store: st, all: make(chan struct{}), want: 10}
	h := newHarness(t, heldBot{Responder: bot, gate: state.all}, func(c *Config) {
		c.WebhookURL = "https://bot.example.com" + WebhookPath
		c.WebhookSecret = testSecret
	})
	tg, err := New(h.cfg, h.bot, state)
	if err != nil {
		t.Fatal(err)
	}
	h.launch(tg)
	h.api.Next("setWebhook")

	update := []byte(privateText(77, "/log 0.25 peptides"))
	codes := make([]int, 10)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() { codes[i] = post(tg, http.MethodPost, testSecret, update).Code })
	}
	wg.Wait()
	ok, busy := 0, 0
	for _, c := range codes {
		switch c {
		case http.StatusOK:
			ok++
		case http.StatusServiceUnavailable:
			busy++
		}
	}
	if ok != 1 || busy != 9 {
		t.Errorf("codes %v: want one 200 and nine 503", codes)
	}
	if n := h.api.Count("sendMessage"); n != 1 {
		t.Errorf("%d replies to one update, want 1", n)
	}
	ctx := context.Background()
	if list, err := st.ListSessions(ctx, "tg:42", 0); err != nil || len(list) != 1 {
		t.Errorf("%d sessions (%v), want 1", len(list), err)
	}
	// Telegram comes again with the nine: they are handled already.
	if w := post(tg, http.MethodPost, testSecret, update); w.Code != http.StatusOK || h.api.Count("sendMessage") != 1 {
		t.Errorf("a later delivery: status %d, %d replies", w.Code, h.api.Count("sendMessage"))
	}

	// The reply cannot be sent before Telegram gives up on the delivery: 500, the claim is
	// released, and Telegram's retry is answered.
	h.api.Fail("sendMessage", apiError{Code: 502, Desc: "Bad Gateway"})
	h.stallWaits(true)
	retried := []byte(privateText(78, "/needle size"))
	gone, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	if w := postCtx(gone, tg, http.MethodPost, testSecret, retried); w.Code != http.StatusInternalServerError {
		t.Errorf("failed send: status %d, want 500", w.Code)
	}
	cancel()
	h.stallWaits(false)
	mark := h.api.Mark()
	if w := post(tg, http.MethodPost, testSecret, retried); w.Code != http.StatusOK || len(only(h.api.Since(mark), "sendMessage")) != 1 {
		t.Errorf("Telegram's retry: status %d, calls %v; want it answered", w.Code, names(h.api.Since(mark)))
	}

	// Redis is gone: the user is told at once that nothing can be saved, and Telegram is not
	// asked to come again with a reply that would arrive late.
	srv.Kill()
	mark = h.api.Mark()
	if w := post(tg, http.MethodPost, testSecret, []byte(privateText(79, "/log 0.25 peptides"))); w.Code != http.StatusOK {
		t.Errorf("store down: status %d, want 200", w.Code)
	}
	wantContains(t, sent(t, h.api.Since(mark), "sendMessage").Params.Get("text"), "I can't save right now")
}

// TestWebhookRefusesUpdateIDs: issue 14, point 4. An update id of 0 or below is refused with
// 400 before anything is called or written.
func TestWebhookRefusesUpdateIDs(t *testing.T) {
	h := webhookHarness(t)
	tg := h.start()
	h.api.Next("setWebhook")
	for _, id := range []int{0, -1, -730518201} {
		mark, n := h.api.Mark(), len(h.state.log())
		if w := post(tg.Telegram, http.MethodPost, testSecret, []byte(privateText(id, "/log 0.25 peptides"))); w.Code != http.StatusBadRequest {
			t.Errorf("update_id %d: status %d, want 400", id, w.Code)
		}
		if len(h.api.Since(mark)) != 0 || len(h.state.log()) != n || len(h.bot.requests()) != 0 {
			t.Errorf("update_id %d had effects: calls %v, state %v", id, names(h.api.Since(mark)), h.state.log()[n:])
		}
	}
}

// TestPollingWaitsForAClaim: after a crash, the dead instance's claim on an update holds until
// its lease runs out; the poller neither answers the update meanwhile nor skips it.
func TestPollingWaitsForAClaim(t *testing.T) {
	waits := make(chan chan time.Time)
	h := newHarness(t, realBot(), func(c *Config) {
		c.after = func(time.Duration) <-chan time.Time {
			ch := make(chan time.Time, 1)
			waits <- ch
			return ch
		}
	})
	h.state.claims = map[string]string{ev(1): "dead instance"}
	h.run()
	h.api.Push(privateText(1, "/needle size"))
	var wait chan time.Time
	select {
	case wait = <-waits:
	case <-time.After(waitFor):
		t.Fatal("the poller did not back off from a claimed update")
	}
	if n := h.api.Count("sendMessage"); n != 0 {
		t.Errorf("%d replies to an update another instance holds", n)
	}
	wantContains(t, h.logs.String(), "update will be retried", "another delivery of the update is being handled")
	h.state.expireClaims()
	wait <- testNow
	h.state.waitOffset(t, 2)
	if n := h.api.Count("sendMessage"); n != 1 {
		t.Errorf("%d replies once the claim ran out, want 1", n)
	}
}
