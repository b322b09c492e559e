package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/kb"
	"github.com/needlebot/needlebot/internal/telegram/telegramtest"
)

// The test bot's token; its secret half must never show up in logs or errors.
const (
	testToken  = "123456:TOKEN-s3cr3t_value"
	tokenKey   = "TOKEN-s3cr3t_value"
	testBotID  = 999
	testBotTag = "needle_test_bot"
)

// ev is the event id of the test bot's update id.
func ev(id int) string { return eventID(botTag(testBotID), id) }

// testNow is the fake clock's time; button presses carry it.
var testNow = time.Date(2026, 11, 28, 21, 30, 0, 0, time.UTC)

// waitFor bounds every wait in the tests; it is a guard against hangs, never a pause.
const waitFor = telegramtest.WaitFor

// The fake Bot API is telegramtest's, under the names these tests use.
type (
	fakeAPI    = telegramtest.Fake
	apiCall    = telegramtest.Call
	apiError   = telegramtest.APIError
	fakeLimits = telegramtest.Limits
)

// newFakeAPI is a fake Bot API for the test bot.
func newFakeAPI(t testing.TB) *fakeAPI {
	f := telegramtest.New(t, testToken)
	f.BotID, f.Username, f.Date = testBotID, testBotTag, testNow
	return f
}

// fakeState is State in memory, recording every call; hooks let tests fail or "crash" it.
type fakeState struct {
	mu        sync.Mutex
	offset    int
	seen      map[string]bool
	calls     []string
	markErr   error // MarkSeen fails with it, marking nothing
	claims    map[string]string
	bots      map[string]string
	t         testing.TB
	setOffset func(int) error // when set, SetTelegramOffset calls it instead of saving
	wake      chan struct{}
}

func newFakeState() *fakeState {
	return &fakeState{seen: map[string]bool{}, wake: make(chan struct{})}
}

func (s *fakeState) record(call string) {
	s.calls = append(s.calls, call)
	close(s.wake)
	s.wake = make(chan struct{})
}

func (s *fakeState) RegisterBot(_ context.Context, bot, name string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.record("RegisterBot " + bot + " " + name)
	if s.bots == nil {
		s.bots = map[string]string{}
	}
	s.bots[bot] = name
	var out []string
	for b, n := range s.bots {
		out = append(out, b+" "+n)
	}
	slices.Sort(out)
	return out, nil
}

func (s *fakeState) InheritedOffset(context.Context, string) (int, error) { return 0, nil }

func (s *fakeState) TelegramOffset(_ context.Context, bot string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checkBot(bot)
	s.record("TelegramOffset")
	return s.offset, nil
}

func (s *fakeState) SetTelegramOffset(_ context.Context, bot string, offset int) error {
	s.mu.Lock()
	hook := s.setOffset
	s.checkBot(bot)
	s.mu.Unlock()
	if hook != nil {
		return hook(offset)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset = offset
	s.record("SetTelegramOffset " + strconv.Itoa(offset))
	return nil
}

func (s *fakeState) ClaimEvent(_ context.Context, bot, event, token string, lease time.Duration) (bool, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checkBot(bot)
	s.record("Claim " + event)
	if s.seen[event] {
		return false, true, nil
	}
	if s.claims == nil {
		s.claims = map[string]string{}
	}
	if _, held := s.claims[event]; held || lease <= 0 {
		return false, false, nil
	}
	s.claims[event] = token
	return true, false, nil
}

func (s *fakeState) ReleaseEvent(_ context.Context, bot, event, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checkBot(bot)
	s.record("Release " + event)
	if s.claims[event] == token {
		delete(s.claims, event)
	}
	return nil
}

func (s *fakeState) MarkSeen(_ context.Context, bot, event string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checkBot(bot)
	s.record("MarkSeen " + event)
	if s.markErr != nil {
		return s.markErr
	}
	s.seen[event] = true
	delete(s.claims, event)
	return nil
}

// checkBot fails the test when the front end names a bot other than the fake API's; s.mu is held.
func (s *fakeState) checkBot(bot string) {
	if bot != "tg:"+strconv.Itoa(testBotID) && s.t != nil {
		s.t.Errorf("State called for bot %q, want tg:%d", bot, testBotID)
	}
}

// expireClaims ends every claim, as their leases running out do after a crash.
func (s *fakeState) expireClaims() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.claims = nil
}

// hook sets what SetTelegramOffset does instead of saving; nil restores saving.
func (s *fakeState) hook(f func(int) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setOffset = f
}

// failMarks makes MarkSeen fail with err; nil restores it.
func (s *fakeState) failMarks(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.markErr = err
}

// log returns the calls made so far.
func (s *fakeState) log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// writes counts the calls that change the state.
func (s *fakeState) writes() int {
	n := 0
	for _, c := range s.log() {
		if strings.HasPrefix(c, "MarkSeen") || strings.HasPrefix(c, "SetTelegramOffset") || strings.HasPrefix(c, "Claim") || strings.HasPrefix(c, "Release") {
			n++
		}
	}
	return n
}

// waitOffset waits until the saved offset is at least n: every update before n is handled.
func (s *fakeState) waitOffset(t testing.TB, n int) {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		s.mu.Lock()
		got, wake := s.offset, s.wake
		s.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-wake:
		case <-deadline:
			t.Fatalf("offset %d not saved within %s (have %d)", n, waitFor, got)
		}
	}
}

// spyBot records every request before passing it on.
type spyBot struct {
	Responder
	mu   sync.Mutex
	reqs []commands.Request
}

func (s *spyBot) Respond(ctx context.Context, req *commands.Request) domain.Reply {
	s.mu.Lock()
	s.reqs = append(s.reqs, *req)
	s.mu.Unlock()
	return s.Responder.Respond(ctx, req)
}

func (s *spyBot) requests() []commands.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reqs)
}

// stubBot answers every request with what its function returns.
type stubBot func(req *commands.Request) domain.Reply

func (f stubBot) Respond(_ context.Context, req *commands.Request) domain.Reply { return f(req) }

func (stubBot) Commands() []commands.Command {
	return []commands.Command{{Name: "diary", Summary: "Your diary"}, {Name: "export", Summary: "Your data as CSV"}}
}

// realBot is the bot as cmd/bot builds it without a store.
func realBot() Responder { return commands.New(commands.Config{KB: kb.Default()}) }

// syncBuffer is a log destination the test may read while the bot writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// harness is a front end wired to a fake Bot API, a fake State, a spy on the bot and a
// captured log. Its waits fire at once and are recorded, unless a test replaces after.
type harness struct {
	t     testing.TB
	api   *fakeAPI
	state *fakeState
	bot   *spyBot
	logs  *syncBuffer
	cfg   Config

	mu    sync.Mutex
	waits []time.Duration
	stall bool // waits never end (until the caller's context does)
}

// stallWaits makes every wait from now on last until its context ends, or lets them end at once
// again.
func (h *harness) stallWaits(on bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stall = on
}

func newHarness(t testing.TB, bot Responder, opts ...func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, api: newFakeAPI(t), state: newFakeState(), bot: &spyBot{Responder: bot}, logs: &syncBuffer{}}
	h.state.t = t
	h.cfg = Config{
		Token:       testToken,
		APIURL:      h.api.URL(),
		PollTimeout: time.Second,
		Log:         slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:         func() time.Time { return testNow },
		after: func(d time.Duration) <-chan time.Time {
			h.mu.Lock()
			h.waits = append(h.waits, d)
			stall := h.stall
			h.mu.Unlock()
			if stall {
				return nil
			}
			c := make(chan time.Time, 1)
			c <- testNow
			return c
		},
	}
	for _, o := range opts {
		o(&h.cfg)
	}
	return h
}

// front builds the front end without running it.
func (h *harness) front() *Telegram {
	h.t.Helper()
	tg, err := New(h.cfg, h.bot, h.state)
	if err != nil {
		h.t.Fatalf("New: %v", err)
	}
	return tg
}

// running is a front end whose Run is in progress.
type running struct {
	*Telegram
	cancel context.CancelFunc // ends Run's context, as SIGTERM would
	done   chan error
	once   sync.Once
	err    error
}

// stop cancels Run and returns what it returned.
func (r *running) stop(t testing.TB) error {
	t.Helper()
	r.once.Do(func() {
		r.cancel()
		select {
		case r.err = <-r.done:
		case <-time.After(waitFor):
			t.Errorf("Run did not return within %s of being cancelled", waitFor)
		}
	})
	return r.err
}

// start runs a new front end until it is stopped or the test ends.
func (h *harness) start() *running {
	h.t.Helper()
	return h.launch(h.front())
}

// launch runs tg until it is stopped or the test ends.
func (h *harness) launch(tg *Telegram) *running {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{Telegram: tg, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- r.Run(ctx) }()
	h.t.Cleanup(func() {
		if err := r.stop(h.t); err != nil {
			h.t.Errorf("Run: %v", err)
		}
	})
	return r
}

// run starts a polling front end and waits until it polls.
func (h *harness) run() *running {
	h.t.Helper()
	r := h.start()
	h.api.Next("getUpdates")
	return r
}

// exchange pushes updates, waits until the last is handled, and returns the calls they caused.
func (h *harness) exchange(updates ...string) []apiCall {
	h.t.Helper()
	mark := h.api.Mark()
	h.api.Push(updates...)
	var last struct {
		UpdateID int `json:"update_id"`
	}
	json.Unmarshal([]byte(updates[len(updates)-1]), &last)
	h.state.waitOffset(h.t, last.UpdateID+1)
	return h.api.Since(mark)
}

// recordedWaits returns the waits the front end asked for.
func (h *harness) recordedWaits() []time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.waits)
}

// Update builders, shaped like Telegram's JSON.

const (
	userID    = 42
	groupID   = -1001234567890
	otherUser = 43
	msgDate   = 1795901400 // testNow
)

type update map[string]any

func (u update) String() string {
	b, err := json.Marshal(u)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func privateText(id int, text string) string {
	return update{"update_id": id, "message": message(id, userID, "private", text)}.String()
}

func groupText(id int, text string) string {
	return update{"update_id": id, "message": message(id, groupID, "supergroup", text)}.String()
}

func message(id int, chat int64, chatType, text string) map[string]any {
	return map[string]any{
		"message_id": id * 10,
		"date":       msgDate,
		"chat":       map[string]any{"id": chat, "type": chatType},
		"from":       map[string]any{"id": userID, "is_bot": false, "first_name": "Ana"},
		"text":       text,
	}
}

func press(id int, chat int64, chatType string, messageID int, data string) string {
	return update{"update_id": id, "callback_query": map[string]any{
		"id":            "cb" + strconv.Itoa(id),
		"from":          map[string]any{"id": userID, "is_bot": false, "first_name": "Ana"},
		"chat_instance": "-5",
		"data":          data,
		"message": map[string]any{
			"message_id": messageID,
			"date":       msgDate,
			"chat":       map[string]any{"id": chat, "type": chatType},
			"from":       map[string]any{"id": testBotID, "is_bot": true, "first_name": "Needle", "username": testBotTag},
			"text":       "Topics",
		},
	}}.String()
}
