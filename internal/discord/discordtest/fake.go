// Package discordtest is a fake Discord on loopback for tests: the discord package's own tests
// and the tests that run the Discord front end beside others. It serves the REST endpoints
// discordgo calls and a gateway that speaks HELLO, IDENTIFY/RESUME, READY/RESUMED, heartbeats
// and dispatches; it records every request, and, when told to, enforces the bot-wide limit
// (429 with retry_after) and the window in which an interaction must be answered.
package discordtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// APIPrefix is the REST prefix discordgo v0.29 speaks (API version 9).
const APIPrefix = "/api/v9"

// WaitLimit bounds every wait of the fake; it is a guard against hangs, never a pause.
const WaitLimit = 5 * time.Second

// Options are the ids the fake answers with.
type Options struct {
	Token string // the bot token it accepts
	App   string // the application's (and the bot user's) id
	Guild string // the guild commands are registered in
	DM    string // the direct message channel it opens, and puts every message it takes in
}

// Call is one REST request the fake received.
type Call struct {
	At           time.Time
	Status       int    // what the fake answered
	ID           string // the id of the message the fake answered with, if it made one
	Method, Path string // Path without the /api/v9 prefix
	Query        string
	Header       http.Header
	Body         []byte
	JSON         map[string]any    // the JSON object body, or a multipart body's payload_json
	List         []any             // a JSON array body
	Files        map[string]string // multipart files by file name
}

// Failure is a canned error response; "{auth}" in Body is replaced by the request's
// Authorization header, as a careless proxy might echo it.
type Failure struct {
	Status int
	Body   string
	Header map[string]string
}

// Fake is a Discord on loopback: the REST endpoints discordgo calls and a gateway that
// speaks HELLO, IDENTIFY/RESUME, READY/RESUMED, heartbeats and dispatches.
type Fake struct {
	opts    Options
	srv     *httptest.Server
	calls   chan Call
	pending []Call // received but not yet taken by WaitCall; the test goroutine's alone

	mu       sync.Mutex
	all      []Call
	failures map[string]Failure // "METHOD /path" → response
	times    map[string]int     // how many more times a failure is answered; absent: always
	commands []byte             // what GET .../commands returns
	dials    int
	onDial   func(n int) // called as connection n (from 1) opens, before HELLO
	live     map[*Conn]bool
	// The bot-wide limit, when rate > 0: GCRA on the fake's clock, letting a burst of
	// tolerance requests through (Discord documents 50 a second, not how it counts them).
	rate      float64
	tolerance int
	tat       time.Time
	refused   int // requests answered 429 for the bot-wide limit
	late      int // interaction callbacks refused for coming after Window
	msgSeq    int64
	windows   map[string]time.Time // when each interaction was dispatched, by id, for Window

	seq    atomic.Int64
	Shards atomic.Int64   // the shard count GET /gateway/bot recommends; 0 is 1
	Ready  map[string]any // the READY payload
	// Window, when set, is how long after its dispatch an interaction may be answered: later,
	// the callback is refused with 404 Unknown interaction (10062), as Discord refuses one
	// after its 3 seconds. Set it before the first dispatch.
	Window   time.Duration
	Identify chan map[string]any
	Resume   chan map[string]any
	Conns    chan *Conn
}

// New starts a fake Discord for the bot with opts.Token, closed when the test ends. ready is
// the READY event's payload (its resume_gateway_url is set to the fake's gateway).
func New(t testing.TB, opts Options, ready map[string]any) *Fake {
	t.Helper()
	f := &Fake{
		opts:     opts,
		windows:  map[string]time.Time{},
		calls:    make(chan Call, 256),
		failures: map[string]Failure{},
		times:    map[string]int{},
		live:     map[*Conn]bool{},
		msgSeq:   1261000000000000000,
		Identify: make(chan map[string]any, 8),
		Resume:   make(chan map[string]any, 8),
		Conns:    make(chan *Conn, 64),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/gateway-ws/", f.serveGateway)
	mux.HandleFunc(APIPrefix+"/", f.serveREST)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	f.Ready = ready
	f.Ready["resume_gateway_url"] = f.WSURL()
	return f
}

// URL is the fake's base URL, the front end's APIURL.
func (f *Fake) URL() string { return f.srv.URL }

// SetCommands sets what GET .../commands returns, as if registered before.
func (f *Fake) SetCommands(b []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.commands = b
}

// WSURL is the fake's gateway URL.
func (f *Fake) WSURL() string {
	return "ws://" + strings.TrimPrefix(f.srv.URL, "http://") + "/gateway-ws"
}

// SetOnDial sets the hook called as each gateway connection opens.
func (f *Fake) SetOnDial(fn func(n int)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onDial = fn
}

// Fail makes the fake answer method+path with fl from now on.
func (f *Fake) Fail(method, path string, fl Failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures[method+" "+path] = fl
}

// FailTimes makes the fake answer method+path with fl the next n times; 0 ends a failure.
func (f *Fake) FailTimes(method, path string, fl Failure, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n <= 0 {
		delete(f.failures, method+" "+path)
		delete(f.times, method+" "+path)
		return
	}
	f.failures[method+" "+path] = fl
	f.times[method+" "+path] = n
}

// Limit makes the fake enforce a bot-wide limit of rate requests a second on every route but
// the interaction endpoints, as Discord does, answering 429 with retry_after and global true.
func (f *Fake) Limit(rate float64, tolerance int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rate, f.tolerance = rate, tolerance
}

// Refusals returns how many requests the bot-wide limit refused.
func (f *Fake) Refusals() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refused
}

// tooLate reports whether c is an interaction's callback after Window; f.mu is held.
func (f *Fake) tooLate(c Call) bool {
	rest, ok := strings.CutPrefix(c.Path, "/interactions/")
	if f.Window <= 0 || !ok || c.Method != "POST" || !strings.HasSuffix(rest, "/callback") {
		return false
	}
	id, _, _ := strings.Cut(rest, "/")
	at, known := f.windows[id]
	return known && c.At.Sub(at) > f.Window
}

// Late returns how many interaction callbacks came after Window and were refused.
func (f *Fake) Late() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.late
}

// overLimit applies the bot-wide limit to a request made at now: 0 when it may go, else how
// long to wait. f.mu is held.
func (f *Fake) overLimit(path string, now time.Time) time.Duration {
	if f.rate <= 0 || strings.HasPrefix(path, "/interactions/") || strings.HasPrefix(path, "/webhooks/") {
		return 0
	}
	interval := time.Duration(float64(time.Second) / f.rate)
	tat := f.tat
	if tat.Before(now) {
		tat = now
	}
	if wait := tat.Sub(now) - time.Duration(f.tolerance)*interval; wait > 0 {
		f.refused++
		return wait
	}
	f.tat = tat.Add(interval)
	return 0
}

// SentTo returns the messages the fake accepted for channel, in order.
func (f *Fake) SentTo(channel string) []Call {
	var out []Call
	for _, c := range f.Recorded() {
		if c.Method == "POST" && c.Path == "/channels/"+channel+"/messages" && c.Status == 200 {
			out = append(out, c)
		}
	}
	return out
}

// Broadcast dispatches an event on every open gateway connection, as Discord sends a shard's
// events to every session identified on it; it returns how many there were.
func (f *Fake) Broadcast(t testing.TB, event string, d any) int {
	t.Helper()
	f.mu.Lock()
	conns := make([]*Conn, 0, len(f.live))
	for c := range f.live {
		conns = append(conns, c)
	}
	f.mu.Unlock()
	for _, c := range conns {
		c.Dispatch(t, event, d)
	}
	return len(conns)
}

// Open returns how many gateway connections are open now.
func (f *Fake) Open() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.live)
}

// Recorded returns every REST Call so far.
func (f *Fake) Recorded() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.all...)
}

// WaitCall returns the first Call not yet taken with the method whose path contains part.
func (f *Fake) WaitCall(t testing.TB, method, part string) Call {
	t.Helper()
	match := func(c Call) bool { return c.Method == method && strings.Contains(c.Path, part) }
	for i, c := range f.pending {
		if match(c) {
			f.pending = append(f.pending[:i], f.pending[i+1:]...)
			return c
		}
	}
	deadline := time.After(WaitLimit)
	for {
		select {
		case c := <-f.calls:
			if match(c) {
				return c
			}
			f.pending = append(f.pending, c)
		case <-deadline:
			t.Fatalf("timed out waiting for %s %s; calls so far: %v", method, part, paths(f.Recorded()))
		}
	}
}

func paths(cs []Call) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Method+" "+c.Path)
	}
	return out
}

func (f *Fake) serveREST(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c := Call{At: time.Now(), Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, APIPrefix), Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body}
	f.parse(&c, r.Header.Get("Content-Type"))
	f.mu.Lock()
	key := c.Method + " " + c.Path
	fl, failing := f.failures[key]
	if n, counted := f.times[key]; failing && counted {
		if n <= 1 {
			delete(f.failures, key)
			delete(f.times, key)
		} else {
			f.times[key] = n - 1
		}
	}
	if !failing && f.tooLate(c) {
		failing, fl = true, Failure{Status: 404, Body: `{"message": "Unknown interaction", "code": 10062}`}
		f.late++
	}
	wait := time.Duration(0)
	if !failing {
		wait = f.overLimit(c.Path, c.At)
	}
	c.Status = 200
	switch {
	case failing:
		c.Status = fl.Status
	case wait > 0:
		c.Status = http.StatusTooManyRequests
	}
	f.msgSeq++
	id := fmt.Sprint(f.msgSeq)
	c.ID = id
	f.all = append(f.all, c)
	f.mu.Unlock()
	f.calls <- c

	if wait > 0 {
		secs := wait.Seconds()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", fmt.Sprint(int(secs)+1))
		w.Header().Set("X-RateLimit-Global", "true")
		w.Header().Set("X-RateLimit-Scope", "global")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprintf(w, `{"message": "You are being rate limited.", "retry_after": %.3f, "global": true}`, secs)
		return
	}
	if failing {
		for k, v := range fl.Header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(fl.Status)
		io.WriteString(w, strings.ReplaceAll(fl.Body, "{auth}", r.Header.Get("Authorization")))
		return
	}
	if r.Header.Get("Authorization") != "Bot "+f.opts.Token && !strings.HasPrefix(c.Path, "/webhooks/") && !strings.HasPrefix(c.Path, "/interactions/") {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"message": "401: Unauthorized", "code": 0}`)
		return
	}
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	message := map[string]any{"id": id, "channel_id": f.opts.DM, "content": c.JSON["content"], "flags": c.JSON["flags"]}
	switch p := c.Path; {
	case r.Method == "GET" && p == "/gateway":
		reply(200, map[string]any{"url": f.WSURL()})
	case r.Method == "GET" && p == "/gateway/bot":
		reply(200, map[string]any{"url": f.WSURL(), "shards": max(f.Shards.Load(), 1), "session_start_limit": map[string]any{"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1}})
	case r.Method == "GET" && p == "/users/@me":
		reply(200, map[string]any{"id": f.opts.App, "username": "needlebot", "bot": true})
	case strings.HasSuffix(p, "/commands") && r.Method == "GET":
		f.mu.Lock()
		cmds := f.commands
		f.mu.Unlock()
		if cmds == nil {
			cmds = []byte("[]")
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(cmds)
	case strings.HasSuffix(p, "/commands") && r.Method == "PUT":
		stored := registered(c.List, p, f.opts.App, f.opts.Guild)
		b, _ := json.Marshal(stored)
		f.mu.Lock()
		f.commands = b
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	case strings.HasPrefix(p, "/interactions/") && strings.HasSuffix(p, "/callback") && r.Method == "POST":
		w.WriteHeader(http.StatusNoContent)
	case strings.HasPrefix(p, "/webhooks/") && r.Method == "DELETE":
		w.WriteHeader(http.StatusNoContent)
	case strings.HasPrefix(p, "/webhooks/") && (r.Method == "PATCH" || r.Method == "POST"):
		reply(200, message)
	case p == "/users/@me/channels" && r.Method == "POST":
		reply(200, map[string]any{"id": f.opts.DM, "type": 1, "recipients": []any{map[string]any{"id": c.JSON["recipient_id"]}}})
	case strings.HasPrefix(p, "/channels/") && strings.HasSuffix(p, "/messages") && r.Method == "POST":
		reply(200, message)
	default:
		reply(404, map[string]any{"message": "404: Not Found", "code": 0})
	}
}

// parse decodes a JSON body or a multipart one with payload_json and files.
func (f *Fake) parse(c *Call, contentType string) {
	mt, params, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "application/json":
		if len(c.Body) > 0 && c.Body[0] == '[' {
			json.Unmarshal(c.Body, &c.List)
		} else {
			json.Unmarshal(c.Body, &c.JSON)
		}
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(c.Body), params["boundary"])
		c.Files = map[string]string{}
		for {
			part, err := mr.NextPart()
			if err != nil {
				return
			}
			b, _ := io.ReadAll(part)
			if part.FormName() == "payload_json" {
				json.Unmarshal(b, &c.JSON)
			} else {
				c.Files[part.FileName()] = string(b)
			}
		}
	}
}

// registered turns a bulk overwrite body into what Discord stores and returns: ids, versions
// and defaults added, false and null fields left out.
func registered(list []any, path, app, guild string) []any {
	out := make([]any, 0, len(list))
	for i, v := range list {
		cmd := prune(v).(map[string]any)
		cmd["id"] = fmt.Sprintf("12500000000000002%02d", i)
		cmd["application_id"] = app
		cmd["version"] = "1262000000000000001"
		// Discord's defaults for what a command did not say; what it said is kept.
		for k, def := range map[string]any{"default_member_permissions": nil, "contexts": nil, "integration_types": []any{0}} {
			if _, set := cmd[k]; !set {
				cmd[k] = def
			}
		}
		cmd["nsfw"] = false
		cmd["dm_permission"] = true
		if strings.Contains(path, "/guilds/") {
			cmd["guild_id"] = guild
			delete(cmd, "dm_permission")
		}
		out = append(out, cmd)
	}
	return out
}

func prune(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if x == nil || x == false {
				continue
			}
			if l, ok := x.([]any); ok && len(l) == 0 {
				continue
			}
			out[k] = prune(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = prune(x)
		}
		return out
	}
	return v
}

// Conn is one gateway connection on the fake's side.
type Conn struct {
	f    *Fake
	ws   *websocket.Conn
	mu   sync.Mutex    // one writer at a time
	Beat chan struct{} // closed at the first heartbeat, which discordgo sends once connected
	once sync.Once
	Gone chan struct{} // closed when the client closed the connection or it dropped
}

func (c *Conn) write(v any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ws.WriteJSON(v)
}

// Dispatch sends an event (op 0) with the next sequence number.
func (c *Conn) Dispatch(t testing.TB, event string, d any) {
	t.Helper()
	if in, ok := d.(map[string]any); ok && event == "INTERACTION_CREATE" {
		if id, ok := in["id"].(string); ok {
			c.f.mu.Lock()
			c.f.windows[id] = time.Now()
			c.f.mu.Unlock()
		}
	}
	if err := c.write(map[string]any{"op": 0, "s": c.f.seq.Add(1), "t": event, "d": d}); err != nil {
		t.Fatalf("dispatch %s: %v", event, err)
	}
}

// Drop cuts the connection without a close frame, as a network failure would.
func (c *Conn) Drop() { c.ws.UnderlyingConn().Close() }

func (f *Fake) serveGateway(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.dials++
	n, onDial := f.dials, f.onDial
	f.mu.Unlock()
	if onDial != nil {
		onDial(n)
	}
	up := websocket.Upgrader{}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	c := &Conn{f: f, ws: ws, Beat: make(chan struct{}), Gone: make(chan struct{})}
	defer close(c.Gone)
	if c.write(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 41250}}) != nil {
		return
	}
	var first struct {
		Op int            `json:"op"`
		D  map[string]any `json:"d"`
	}
	if ws.ReadJSON(&first) != nil {
		return
	}
	switch first.Op {
	case 2:
		f.Identify <- first.D
		c.write(map[string]any{"op": 0, "s": f.seq.Add(1), "t": "READY", "d": f.Ready})
	case 6:
		f.Resume <- first.D
		c.write(map[string]any{"op": 0, "s": f.seq.Add(1), "t": "RESUMED", "d": map[string]any{"_trace": []string{"gateway-prd-us-east1-b-0w1n"}}})
	default:
		return
	}
	f.mu.Lock()
	f.live[c] = true
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.live, c)
		f.mu.Unlock()
	}()
	f.Conns <- c
	for {
		var fr struct {
			Op int `json:"op"`
		}
		if ws.ReadJSON(&fr) != nil {
			return
		}
		if fr.Op == 1 {
			c.write(map[string]any{"op": 11})
			c.once.Do(func() { close(c.Beat) })
		}
	}
}
