// Package telegramtest is a fake Telegram Bot API on loopback for tests: the telegram
// package's own tests and the tests that run the Telegram front end beside others. It parses
// requests as tgbotapi sends them, records every call, long-polls getUpdates like Telegram
// (409 for a getUpdates while another waits), and, when told to, refuses sends that break
// Telegram's limits with 429 and retry_after.
package telegramtest

import (
	"bytes"
	"encoding/json"
	"image"
	_ "image/png" // the fake reads the photos the bot sends
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// WaitFor bounds every wait of the fake; it is a guard against hangs, never a pause.
const WaitFor = 5 * time.Second

// Call is one request the bot made to the fake Bot API, as the server parsed it.
type Call struct {
	Method   string
	Params   url.Values
	File     []byte // sendDocument's document, sendPhoto's photo
	FileName string
	Instance string        // the X-Instance header: which front end of a test sent it
	Refused  bool          // answered 429 by the limits (Enforce) or 409 (a newer getUpdates came)
	At       time.Duration // when it came, from the fake's start
}

// ButtonData returns the callback_data of the button labelled label in the message this call
// sent, and whether it has one.
func (c Call) ButtonData(label string) (string, bool) {
	var kb struct {
		InlineKeyboard [][]struct {
			Text         string `json:"text"`
			CallbackData string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	json.Unmarshal([]byte(c.Params.Get("reply_markup")), &kb)
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			if b.Text == label {
				return b.CallbackData, true
			}
		}
	}
	return "", false
}

// Telegram's limits as the fake enforces them (see Enforce): a send comes too soon when it is
// more than half its spacing ahead of the even schedule (GCRA with that tolerance) in its chat,
// or more than twenty spacings ahead of the bot's: Telegram lets short bursts through, and the
// tolerance absorbs the jitter between a paced send and its arrival on a busy machine. A bot
// that paces its sends at the limits never meets them; one that sends faster soon does.
type Limits struct {
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

// APIError is a failure the fake Bot API is told to answer with.
type APIError struct {
	Code       int
	Desc       string
	RetryAfter int
}

// Fake is a Bot API on loopback. It parses requests as tgbotapi sends them (form-encoded,
// or multipart for uploads), records every call, and long-polls getUpdates like Telegram:
// a call waits until an update at or after its offset is queued or its timeout passes, and an
// offset confirms, and so drops, the updates before it.
type Fake struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	calls    []Call
	cursor   map[string]int // per method, the first call next has not returned yet
	updates  []queuedUpdate
	failures map[string][]APIError
	msgID    int
	wake     chan struct{} // closed and replaced whenever anything above changes

	token string // the only token the fake accepts

	// BotID and Username are the bot getMe describes; a test may set them before the front
	// end runs.
	BotID    int64
	Username string
	// Date is the date of every message the fake says it sent.
	Date time.Time

	start       time.Time
	limits      *Limits // enforced when set
	global      gcra
	chats       map[string]*gcra
	redelivered int           // updates Redeliver queued that a getUpdates returned
	refused     int           // sends answered 429 by the limits
	conflicts   int           // getUpdates answered 409 because a newer one came
	poll        chan struct{} // closed to end the getUpdates in progress with a 409
}

// Enforce makes the fake refuse sends that break limits with 429 and retry_after, as Telegram
// does.
func (f *Fake) Enforce(l Limits) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limits = &l
}

// Counts returns how many sends the limits refused and how many getUpdates a newer one
// terminated with 409.
func (f *Fake) Counts() (refused, conflicts int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refused, f.conflicts
}

// limit applies the limits to a send to chat; f.mu is held. It returns the retry_after of a
// refusal, or 0.
func (f *Fake) limit(chat string, now time.Time) int {
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
	id    int
	raw   json.RawMessage
	again bool // redelivered: kept, whatever the offset, until a getUpdates returns it
}

// New starts a fake Bot API for the bot with token, closed when the test ends. The bot it
// describes is 999 @needle_test_bot until the test sets BotID and Username.
func New(t testing.TB, token string) *Fake {
	f := &Fake{t: t, token: token, cursor: map[string]int{}, failures: map[string][]APIError{}, msgID: 5000, wake: make(chan struct{}),
		BotID: 999, Username: "needle_test_bot", Date: time.Date(2026, 11, 28, 21, 30, 0, 0, time.UTC),
		start: time.Now(), chats: map[string]*gcra{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// changed wakes every waiter; f.mu must be held.
func (f *Fake) changed() {
	close(f.wake)
	f.wake = make(chan struct{})
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	token, method, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	if !ok || token != f.token {
		writeAPI(w, http.StatusUnauthorized, map[string]any{"ok": false, "error_code": 401, "description": "Unauthorized"})
		return
	}
	c := Call{Method: method}
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
	var fail *APIError
	if q := f.failures[method]; len(q) > 0 {
		fail, f.failures[method] = &q[0], q[1:]
	}
	switch method {
	case "sendMessage", "sendDocument", "sendPhoto", "editMessageText":
		if method == "sendPhoto" && fail == nil && !photo(c.File) {
			// Telegram takes a photo only if it is an image it can read, of sane dimensions.
			fail = &APIError{Code: 400, Desc: "Bad Request: IMAGE_PROCESS_FAILED"}
		}
		if after := f.limit(c.Params.Get("chat_id"), now); fail == nil && after > 0 {
			f.refused++
			fail = &APIError{Code: 429, Desc: "Too Many Requests: retry after " + strconv.Itoa(after), RetryAfter: after}
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
		writeResult(w, map[string]any{"id": f.BotID, "is_bot": true, "first_name": "Needle", "username": f.Username})
	case "getUpdates":
		f.longPoll(w, r, c.Params)
	case "sendMessage", "sendDocument", "sendPhoto", "editMessageText":
		chat, _ := strconv.ParseInt(c.Params.Get("chat_id"), 10, 64)
		writeResult(w, map[string]any{"message_id": id, "date": f.Date.Unix(), "chat": map[string]any{"id": chat, "type": "private"}, "text": c.Params.Get("text")})
	default:
		writeResult(w, true)
	}
}

// longPoll answers getUpdates as Telegram does: the updates from offset on (those before it
// are confirmed, and forgotten), at most limit (default 100) of them, waiting up to timeout
// seconds for one. A getUpdates that comes while another is waiting ends that one with 409.
func (f *Fake) longPoll(w http.ResponseWriter, r *http.Request, p url.Values) {
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
			f.updates = slices.DeleteFunc(f.updates, func(u queuedUpdate) bool { return u.id < offset && !u.again })
		}
		batch := []json.RawMessage{}
		for i := range f.updates[:min(limit, len(f.updates))] {
			batch = append(batch, f.updates[i].raw)
			if f.updates[i].again {
				f.updates[i].again = false
				f.redelivered++
			}
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

// Push queues updates for getUpdates.
func (f *Fake) Push(raws ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, raw := range raws {
		f.updates = append(f.updates, queuedUpdate{id: updateID(f.t, raw), raw: json.RawMessage(raw)})
	}
	f.changed()
}

// Fail makes the next calls of method fail, one error each.
func (f *Fake) Fail(method string, errs ...APIError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures[method] = append(f.failures[method], errs...)
}

// Next waits for the next call of method that Next has not returned yet.
func (f *Fake) Next(method string) Call {
	f.t.Helper()
	deadline := time.After(WaitFor)
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
			f.t.Fatalf("no %s call within %s; calls: %v", method, WaitFor, f.Methods(0))
		}
	}
}

// LastID is the message id the fake gave last.
func (f *Fake) LastID() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.msgID
}

// Mark returns how many calls were made so far, for Since.
func (f *Fake) Mark() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// Since returns the calls after mark, leaving out getUpdates and getMe.
func (f *Fake) Since(mark int) []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Call
	for _, c := range f.calls[mark:] {
		if c.Method != "getUpdates" && c.Method != "getMe" {
			out = append(out, c)
		}
	}
	return out
}

// Count returns how many calls of method were made.
func (f *Fake) Count(method string) int {
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

// Methods lists the methods called after mark, for failure messages.
func (f *Fake) Methods(mark int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls[mark:] {
		out = append(out, c.Method)
	}
	return out
}

// Reset forgets every call, for the fuzz target, which makes many.
func (f *Fake) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls, f.cursor = nil, map[string]int{}
}

// Started is when the fake started: every Call's At is from then.
func (f *Fake) Started() time.Time { return f.start }

// URL is the fake's base URL, the front end's APIURL.
func (f *Fake) URL() string { return f.srv.URL }

// Calls returns every call so far, and a channel closed at the next change, for tests that
// wait on their own condition.
func (f *Fake) Calls() ([]Call, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls), f.wake
}

// Redeliver queues updates for getUpdates again although the bot has confirmed them, as
// Telegram does when the confirmation did not reach it: each is returned by the next
// getUpdates whatever its offset, once.
func (f *Fake) Redeliver(raws ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, raw := range raws {
		f.updates = append(f.updates, queuedUpdate{id: updateID(f.t, raw), raw: json.RawMessage(raw), again: true})
	}
	f.changed()
}

// Redelivered returns how many updates queued by Redeliver a getUpdates has returned.
func (f *Fake) Redelivered() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.redelivered
}

func updateID(t testing.TB, raw string) int {
	var u struct {
		UpdateID int `json:"update_id"`
	}
	if err := json.Unmarshal([]byte(raw), &u); err != nil {
		t.Fatalf("update %s: %v", raw, err)
	}
	return u.UpdateID
}

// Text is an update with a message from user, sent at date, in their private chat with the bot.
func (f *Fake) Text(updateID int, user int64, date time.Time, text string) string {
	return marshal(f.t, map[string]any{"update_id": updateID, "message": map[string]any{
		"message_id": updateID * 10,
		"date":       date.Unix(),
		"chat":       map[string]any{"id": user, "type": "private"},
		"from":       map[string]any{"id": user, "is_bot": false, "first_name": "Ana"},
		"text":       text,
	}})
}

// Press is an update with user pressing the button with data under the bot's message
// messageID in their private chat.
func (f *Fake) Press(updateID int, user int64, messageID int, data string) string {
	return marshal(f.t, map[string]any{"update_id": updateID, "callback_query": map[string]any{
		"id":            "cb" + strconv.Itoa(updateID),
		"from":          map[string]any{"id": user, "is_bot": false, "first_name": "Ana"},
		"chat_instance": "-5",
		"data":          data,
		"message": map[string]any{
			"message_id": messageID,
			"date":       f.Date.Unix(),
			"chat":       map[string]any{"id": user, "type": "private"},
			"from":       map[string]any{"id": f.BotID, "is_bot": true, "first_name": "Needle", "username": f.Username},
			"text":       "…",
		},
	}})
}

func marshal(t testing.TB, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
