package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	_ "image/png" // the fake reads the photos the bot sends
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/kb"
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
const waitFor = 5 * time.Second

// apiCall is one request the bot made to the fake Bot API, as the server parsed it.
type apiCall struct {
	Method   string
	Params   url.Values
	File     []byte // sendDocument's document, sendPhoto's photo
	FileName string
	Instance string        // the X-Instance header: which front end of a test sent it
	Refused  bool          // answered 429 by the limits (enforce) or 409 (a newer getUpdates came)
	At       time.Duration // when it came, from the fake's start
}

// Telegram's limits as the fake enforces them (see enforce): a send comes too soon when it is
// more than half its spacing ahead of the even schedule (GCRA with that tolerance) in its chat,
// or more than twenty spacings ahead of the bot's: Telegram lets short bursts through, and the
// tolerance absorbs the jitter between a paced send and its arrival on a busy machine. A bot
// that paces its sends at the limits never meets them; one that sends faster soon does.
type fakeLimits struct {
	Global  float64 // sends a second, overall
	PerChat float64 // sends a second, to one chat
}

// gcra is one limit's theoretical arrival time.
type gcra struct{ tat time.Time }

// take reports whether an event at now conforms to spacing T with tolerance tau, and if not,
// how long until it would; a conforming event moves the schedule on.
func (g *gcra) take(now time.Time, T, tau time.Duration) (bool, time.Duration) {
	if early := g.tat.Sub(now); early > tau {
		return false, early - tau
	}
	g.tat = later(g.tat, now).Add(T)
	return true, 0
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// apiError is a failure the fake Bot API is told to answer with.
type apiError struct {
	Code       int
	Desc       string
	RetryAfter int
}

// fakeAPI is a Bot API on loopback. It parses requests as tgbotapi sends them (form-encoded,
// or multipart for uploads), records every call, and long-polls getUpdates like Telegram:
// a call waits until an update at or after its offset is queued or its timeout passes, and an
// offset confirms, and so drops, the updates before it.
type fakeAPI struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	calls    []apiCall
	cursor   map[string]int // per method, the first call next has not returned yet
	updates  []queuedUpdate
	failures map[string][]apiError
	msgID    int
	wake     chan struct{} // closed and replaced whenever anything above changes

	botID    int64  // the bot getMe describes; testBotID unless a test sets it before Run
	username string // and its username; testBotTag unless set

	start     time.Time
	limits    *fakeLimits // enforced when set
	global    gcra
	chats     map[string]*gcra
	refused   int           // sends answered 429 by the limits
	conflicts int           // getUpdates answered 409 because a newer one came
	poll      chan struct{} // closed to end the getUpdates in progress with a 409
}

// enforce makes the fake refuse sends that break limits with 429 and retry_after, as Telegram
// does.
func (f *fakeAPI) enforce(l fakeLimits) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limits = &l
}

// counts returns how many sends the limits refused and how many getUpdates a newer one
// terminated with 409.
func (f *fakeAPI) counts() (refused, conflicts int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refused, f.conflicts
}

// limit applies the limits to a send to chat; f.mu is held. It returns the retry_after of a
// refusal, or 0.
func (f *fakeAPI) limit(chat string, now time.Time) int {
	if f.limits == nil {
		return 0
	}
	T := time.Duration(float64(time.Second) / f.limits.Global)
	ct := time.Duration(float64(time.Second) / f.limits.PerChat)
	c := f.chats[chat]
	if c == nil {
		c = &gcra{}
		f.chats[chat] = c
	}
	// Both must allow it, and a refusal moves neither schedule.
	if early := c.tat.Sub(now); early > ct/2 {
		return retrySeconds(early - ct/2)
	}
	if ok, wait := f.global.take(now, T, 20*T); !ok {
		return retrySeconds(wait)
	}
	c.take(now, ct, ct/2)
	return 0
}

// photo reports whether b is an image Telegram would take as a photo: one it can decode, at
// most 10 MB, its width and height together at most 10,000 pixels, neither over 20 times the
// other.
func photo(b []byte) bool {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	return err == nil && len(b) <= 10<<20 && cfg.Width+cfg.Height <= 10000 && cfg.Width > 0 && cfg.Height > 0 &&
		cfg.Width <= 20*cfg.Height && cfg.Height <= 20*cfg.Width
}

// retrySeconds is retry_after as Telegram gives it: whole seconds, at least one.
func retrySeconds(d time.Duration) int { return max(1, int((d+time.Second-1)/time.Second)) }

type queuedUpdate struct {
	id  int
	raw json.RawMessage
}

func newFakeAPI(t testing.TB) *fakeAPI {
	f := &fakeAPI{t: t, cursor: map[string]int{}, failures: map[string][]apiError{}, msgID: 5000, wake: make(chan struct{}), botID: testBotID, username: testBotTag,
		start: time.Now(), chats: map[string]*gcra{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// changed wakes every waiter; f.mu must be held.
func (f *fakeAPI) changed() {
	close(f.wake)
	f.wake = make(chan struct{})
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	token, method, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	if !ok || token != testToken {
		writeAPI(w, http.StatusUnauthorized, map[string]any{"ok": false, "error_code": 401, "description": "Unauthorized"})
		return
	}
	c := apiCall{Method: method}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			f.t.Errorf("%s: bad multipart body: %v", method, err)
			return
		}
		fhs := r.MultipartForm.File["document"]
		if method == "sendPhoto" {
			fhs = r.MultipartForm.File["photo"]
		}
		if len(fhs) == 1 {
			c.FileName = fhs[0].Filename
			file, err := fhs[0].Open()
			if err != nil {
				f.t.Errorf("%s: open document: %v", method, err)
				return
			}
			c.File, _ = io.ReadAll(file)
			file.Close()
		}
	} else if err := r.ParseForm(); err != nil {
		f.t.Errorf("%s: bad form body: %v", method, err)
		return
	}
	c.Params = r.PostForm
	c.Instance = r.Header.Get("X-Instance")
	f.mu.Lock()
	now := time.Now()
	c.At = now.Sub(f.start)
	var fail *apiError
	if q := f.failures[method]; len(q) > 0 {
		fail, f.failures[method] = &q[0], q[1:]
	}
	switch method {
	case "sendMessage", "sendDocument", "sendPhoto", "editMessageText":
		if method == "sendPhoto" && fail == nil && !photo(c.File) {
			// Telegram takes a photo only if it is an image it can read, of sane dimensions.
			fail = &apiError{Code: 400, Desc: "Bad Request: IMAGE_PROCESS_FAILED"}
		}
		if after := f.limit(c.Params.Get("chat_id"), now); fail == nil && after > 0 {
			f.refused++
			fail = &apiError{Code: 429, Desc: "Too Many Requests: retry after " + strconv.Itoa(after), RetryAfter: after}
		}
	}
	c.Refused = fail != nil && (fail.Code == 429 || fail.Code == 409)
	f.calls = append(f.calls, c)
	f.msgID++
	id := f.msgID
	f.changed()
	f.mu.Unlock()

	if fail != nil {
		body := map[string]any{"ok": false, "error_code": fail.Code, "description": fail.Desc}
		if fail.RetryAfter > 0 {
			body["parameters"] = map[string]any{"retry_after": fail.RetryAfter}
		}
		writeAPI(w, fail.Code, body)
		return
	}
	switch method {
	case "getMe":
		writeResult(w, map[string]any{"id": f.botID, "is_bot": true, "first_name": "Needle", "username": f.username})
	case "getUpdates":
		f.longPoll(w, r, c.Params)
	case "sendMessage", "sendDocument", "sendPhoto", "editMessageText":
		chat, _ := strconv.ParseInt(c.Params.Get("chat_id"), 10, 64)
		writeResult(w, map[string]any{"message_id": id, "date": testNow.Unix(), "chat": map[string]any{"id": chat, "type": "private"}, "text": c.Params.Get("text")})
	default:
		writeResult(w, true)
	}
}

// longPoll answers getUpdates as Telegram does: the updates from offset on (those before it
// are confirmed, and forgotten), at most limit (default 100) of them, waiting up to timeout
// seconds for one. A getUpdates that comes while another is waiting ends that one with 409.
func (f *fakeAPI) longPoll(w http.ResponseWriter, r *http.Request, p url.Values) {
	offset, _ := strconv.Atoi(p.Get("offset"))
	timeout, _ := strconv.Atoi(p.Get("timeout"))
	limit, err := strconv.Atoi(p.Get("limit"))
	if err != nil || limit < 1 || limit > 100 {
		limit = 100
	}
	expired := time.After(time.Duration(timeout) * time.Second)
	mine := make(chan struct{})
	f.mu.Lock()
	if f.poll != nil {
		close(f.poll)
	}
	f.poll = mine
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		if f.poll == mine {
			f.poll = nil
		}
		f.mu.Unlock()
	}()
	for {
		f.mu.Lock()
		if offset > 0 {
			f.updates = slices.DeleteFunc(f.updates, func(u queuedUpdate) bool { return u.id < offset })
		}
		batch := []json.RawMessage{}
		for _, u := range f.updates[:min(limit, len(f.updates))] {
			batch = append(batch, u.raw)
		}
		wake := f.wake
		f.mu.Unlock()
		if len(batch) > 0 || timeout == 0 {
			writeResult(w, batch)
			return
		}
		select {
		case <-wake:
		case <-mine:
			f.mu.Lock()
			f.conflicts++
			f.mu.Unlock()
			writeAPI(w, http.StatusConflict, map[string]any{"ok": false, "error_code": 409,
				"description": "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"})
			return
		case <-expired:
			writeResult(w, batch)
			return
		case <-r.Context().Done():
			return
		}
	}
}

func writeResult(w http.ResponseWriter, result any) {
	writeAPI(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

func writeAPI(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// push queues updates for getUpdates.
func (f *fakeAPI) push(raws ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, raw := range raws {
		var u struct {
			UpdateID int `json:"update_id"`
		}
		if err := json.Unmarshal([]byte(raw), &u); err != nil {
			f.t.Fatalf("push: %v", err)
		}
		f.updates = append(f.updates, queuedUpdate{id: u.UpdateID, raw: json.RawMessage(raw)})
	}
	f.changed()
}

// fail makes the next calls of method fail, one error each.
func (f *fakeAPI) fail(method string, errs ...apiError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures[method] = append(f.failures[method], errs...)
}

// next waits for the next call of method that next has not returned yet.
func (f *fakeAPI) next(method string) apiCall {
	f.t.Helper()
	deadline := time.After(waitFor)
	for {
		f.mu.Lock()
		for i := f.cursor[method]; i < len(f.calls); i++ {
			if f.calls[i].Method == method {
				f.cursor[method] = i + 1
				c := f.calls[i]
				f.mu.Unlock()
				return c
			}
		}
		f.cursor[method] = len(f.calls)
		wake := f.wake
		f.mu.Unlock()
		select {
		case <-wake:
		case <-deadline:
			f.t.Fatalf("no %s call within %s; calls: %v", method, waitFor, f.methods(0))
		}
	}
}

// mark returns how many calls were made so far, for since.
// lastID is the message id the fake gave last.
func (f *fakeAPI) lastID() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.msgID
}

func (f *fakeAPI) mark() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// since returns the calls after mark, leaving out getUpdates and getMe.
func (f *fakeAPI) since(mark int) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls[mark:] {
		if c.Method != "getUpdates" && c.Method != "getMe" {
			out = append(out, c)
		}
	}
	return out
}

// count returns how many calls of method were made.
func (f *fakeAPI) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c.Method == method {
			n++
		}
	}
	return n
}

// methods lists the methods called after mark, for failure messages.
func (f *fakeAPI) methods(mark int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls[mark:] {
		out = append(out, c.Method)
	}
	return out
}

// reset forgets every call, for the fuzz target, which makes many.
func (f *fakeAPI) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls, f.cursor = nil, map[string]int{}
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
		APIURL:      h.api.srv.URL,
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
	h.api.next("getUpdates")
	return r
}

// exchange pushes updates, waits until the last is handled, and returns the calls they caused.
func (h *harness) exchange(updates ...string) []apiCall {
	h.t.Helper()
	mark := h.api.mark()
	h.api.push(updates...)
	var last struct {
		UpdateID int `json:"update_id"`
	}
	json.Unmarshal([]byte(updates[len(updates)-1]), &last)
	h.state.waitOffset(h.t, last.UpdateID+1)
	return h.api.since(mark)
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
