package telegram

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/kb"
	"github.com/needlebot/needlebot/internal/redistest"
	"github.com/needlebot/needlebot/internal/remind"
	"github.com/needlebot/needlebot/internal/store"
)

// storeBot is the bot as cmd/bot builds it with a store, on a real redis-server.
func storeBot(t *testing.T) (*commands.Bot, *store.Store) {
	t.Helper()
	st := store.New(redistest.Start(t).Client(), store.WithClock(func() time.Time { return testNow }))
	bot := commands.New(commands.Config{KB: kb.Default(), Store: st, ButtonKey: []byte("test button key"), Now: func() time.Time { return testNow }})
	return bot, st
}

// buttonData returns the callback_data of the button labelled label in a sent message.
func buttonData(t *testing.T, c apiCall, label string) string {
	t.Helper()
	data, ok := c.ButtonData(label)
	if !ok {
		t.Fatalf("no %q button in %s", label, c.Params.Get("reply_markup"))
	}
	return data
}

func TestDiaryWithStore(t *testing.T) {
	bot, st := storeBot(t)
	h := newHarness(t, bot)
	h.run()
	ctx := context.Background()

	logged := sent(t, h.exchange(privateText(1, "/log 0.25 peptide serum cheeks")), "sendMessage")
	wantContains(t, logged.Params.Get("text"), "<b>Logged</b>", "0.25 mm")
	undo := buttonData(t, logged, "Undo")
	if len(undo) > maxCallbackData || !strings.HasPrefix(undo, "undo:") {
		t.Errorf("undo button data %q", undo)
	}

	t.Run("session report in plain words", func(t *testing.T) {
		c := sent(t, h.exchange(privateText(2, "rolled 0.25 last night with my peptide serum")), "sendMessage")
		wantContains(t, visible(c.Params.Get("text")), "Logged")
	})

	t.Run("private from a group", func(t *testing.T) {
		calls := h.exchange(groupText(3, "/history@needle_test_bot"))
		if len(calls) != 2 || calls[0].Params.Get("chat_id") != "42" || calls[1].Params.Get("text") != msgSentPrivately {
			t.Fatalf("calls = %v", calls)
		}
		wantContains(t, visible(calls[0].Params.Get("text")), "Your last 2 sessions")
	})

	t.Run("export", func(t *testing.T) {
		c := sent(t, h.exchange(privateText(4, "/export")), "sendDocument")
		if !strings.HasSuffix(c.FileName, ".csv") || strings.Count(string(c.File), "\n") != 3 || !strings.Contains(string(c.File), "0.25") {
			t.Errorf("export %q:\n%s", c.FileName, c.File)
		}
	})

	t.Run("undo button", func(t *testing.T) {
		calls := h.exchange(press(5, userID, "private", 10, undo))
		if len(calls) != 2 || calls[0].Method != "editMessageText" || calls[1].Method != "answerCallbackQuery" {
			t.Fatalf("calls = %v", names(calls))
		}
		wantContains(t, visible(calls[0].Params.Get("text")), "Removed")
		if list, _ := st.ListSessions(ctx, "tg:42", 0); len(list) != 1 {
			t.Errorf("%d sessions after undo, want 1", len(list))
		}
	})

	t.Run("someone else's undo button in a group", func(t *testing.T) {
		other := press(6, groupID, "supergroup", 11, undo)
		other = strings.Replace(other, `"id":42`, `"id":`+strconv.Itoa(otherUser), 1)
		c := sent(t, h.exchange(other), "answerCallbackQuery")
		if c.Params.Get("show_alert") != "true" || !strings.Contains(c.Params.Get("text"), "isn't yours") {
			t.Errorf("answer = %v", c.Params)
		}
	})

	t.Run("reminder", func(t *testing.T) {
		c := sent(t, h.exchange(privateText(7, "/remind set 21:30")), "sendMessage")
		wantContains(t, visible(c.Params.Get("text")), "21:30")
	})
}

// TestRedeliveryWithStore: the update was handled but neither marked nor acknowledged; after
// the restart the store recognises the request ID and logs nothing twice.
func TestRedeliveryWithStore(t *testing.T) {
	bot, st := storeBot(t)
	h := newHarness(t, bot)
	h.state.failMarks(errors.New("redis: connection reset"))
	r := h.run()
	crashed := make(chan struct{})
	h.state.hook(func(int) error { r.cancel(); close(crashed); return errors.New("killed") })
	h.api.Push(privateText(1, "/log 0.25 peptides"))
	<-crashed
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	h.state.hook(nil)
	h.state.failMarks(nil)
	h.state.expireClaims() // the dead instance's claim lasts its lease
	mark := h.api.Mark()
	h.start()
	h.state.waitOffset(t, 2)
	c := sent(t, only(h.api.Since(mark), "sendMessage"), "sendMessage")
	wantContains(t, c.Params.Get("text"), "<b>Already logged</b>")
	if list, err := st.ListSessions(context.Background(), "tg:42", 0); err != nil || len(list) != 1 {
		t.Errorf("%d sessions (%v), want 1", len(list), err)
	}
}

// TestStoreAsState runs the front end on the real store's Seen, MarkSeen and offset.
func TestStoreAsState(t *testing.T) {
	bot, st := storeBot(t)
	h := newHarness(t, bot)
	tg, err := New(h.cfg, h.bot, st)
	if err != nil {
		t.Fatal(err)
	}
	r := h.launch(tg)
	h.api.Next("getUpdates")
	h.api.Push(privateText(1, "/needle size"))
	for h.api.Next("getUpdates").Params.Get("offset") != "2" { // the update is acknowledged
	}
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if seen, err := st.Seen(ctx, "tg:999", ev(1)); !seen || err != nil {
		t.Errorf("Seen = %v, %v", seen, err)
	}
	// A restart asks for the saved offset straight away.
	tg, err = New(h.cfg, h.bot, st)
	if err != nil {
		t.Fatal(err)
	}
	h.launch(tg)
	if got := h.api.Next("getUpdates").Params.Get("offset"); got != "2" {
		t.Errorf("after a restart the first getUpdates has offset %q, want 2", got)
	}
}

// stillClock is the dispatcher's clock, stopped at one instant; its waits end at once.
type stillClock struct{ now time.Time }

func (c stillClock) Now() time.Time { return c.now }

func (c stillClock) After(time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

// TestReminderThroughTelegram: a reminder set on Telegram is delivered by the dispatcher through
// Notify, and its Done button works.
func TestReminderThroughTelegram(t *testing.T) {
	bot, st := storeBot(t)
	h := newHarness(t, bot)
	tg := h.run()
	wantContains(t, visible(sent(t, h.exchange(privateText(1, "/remind set 21:45")), "sendMessage").Params.Get("text")), "21:45")

	dispatch := func(at time.Time) (int, error) {
		d := remind.New(remind.Config{Queue: st, Composer: bot, Notifiers: map[domain.Platform]remind.Notifier{domain.Telegram: tg}, Clock: stillClock{at}})
		return d.Round(context.Background())
	}
	due := testNow.Add(15 * time.Minute)
	mark := h.api.Mark()
	if n, err := dispatch(due); n != 1 || err != nil {
		t.Fatalf("Round = %d, %v; want one reminder", n, err)
	}
	c := sent(t, h.api.Since(mark), "sendMessage")
	if c.Params.Get("chat_id") != "42" || !strings.HasPrefix(c.Params.Get("text"), "<b>Reminder</b>") {
		t.Errorf("reminder = %v", c.Params)
	}
	done := buttonData(t, c, "Done")
	buttonData(t, c, "Skip tonight")

	calls := h.exchange(press(2, userID, "private", 5001, done))
	if got := names(calls); len(got) != 2 || got[0] != "editMessageText" || got[1] != "answerCallbackQuery" {
		t.Fatalf("pressing Done: calls %v", got)
	}
	if list, err := st.ListSessions(context.Background(), "tg:42", 0); err != nil || len(list) != 1 {
		t.Errorf("%d sessions after Done (%v), want 1", len(list), err)
	}

	// The next night Telegram rate-limits the first send; the dispatcher waits as told and
	// sends it again.
	h.api.Fail("sendMessage", apiError{Code: 429, Desc: "Too Many Requests: retry after 9", RetryAfter: 9})
	mark = h.api.Mark()
	if n, err := dispatch(due.Add(24 * time.Hour)); n != 1 || err != nil {
		t.Fatalf("Round = %d, %v", n, err)
	}
	if got := names(h.api.Since(mark)); !cmp.Equal(got, []string{"sendMessage", "sendMessage"}) {
		t.Errorf("calls = %v, want a rate-limited send and its retry", got)
	}
}
