package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/kb"
)

// Ids and secrets used across the tests; the ids match testdata/*.json.
const (
	testToken   = "MTI1MDAwMDAwMDAwMDAwMDAwMQ.GxYz12.fake-bot-token-never-logged"
	testApp     = "1250000000000000001"
	testGuild   = "1100000000000000001"
	testUser    = "800000000000000001"
	testDM      = "1200000000000000020"
	testChannel = "1100000000000000010"
	apiPrefix   = "/api/v9" // discordgo v0.29 speaks API version 9
	waitLimit   = 5 * time.Second
)

// recv waits for a value from ch, failing the test when none comes in time.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitLimit):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// payload reads testdata/name as a JSON object, so a test can change fields before sending it.
func payload(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// call is one REST request the fake received.
type call struct {
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

// failure is a canned error response; "{auth}" in Body is replaced by the request's
// Authorization header, as a careless proxy might echo it.
type failure struct {
	Status int
	Body   string
	Header map[string]string
}

// fakeDiscord is a Discord on loopback: the REST endpoints discordgo calls and a gateway that
// speaks HELLO, IDENTIFY/RESUME, READY/RESUMED, heartbeats and dispatches.
type fakeDiscord struct {
	srv     *httptest.Server
	calls   chan call
	pending []call // received but not yet taken by waitCall; the test goroutine's alone

	mu       sync.Mutex
	all      []call
	failures map[string]failure // "METHOD /path" → response
	times    map[string]int     // how many more times a failure is answered; absent: always
	commands []byte             // what GET .../commands returns
	dials    int
	onDial   func(n int) // called as connection n (from 1) opens, before HELLO
	live     map[*gatewayConn]bool
	// The bot-wide limit, when rate > 0: GCRA on the fake's clock, letting a burst of
	// tolerance requests through (Discord documents 50 a second, not how it counts them).
	rate      float64
	tolerance int
	tat       time.Time
	refused   int // requests answered 429 for the bot-wide limit
	msgSeq    int64

	seq      atomic.Int64
	shards   atomic.Int64   // the shard count GET /gateway/bot recommends; 0 is 1
	ready    map[string]any // testdata/ready.json
	identify chan map[string]any
	resume   chan map[string]any
	conns    chan *gatewayConn
}

func newFake(t *testing.T) *fakeDiscord {
	t.Helper()
	f := &fakeDiscord{
		calls:    make(chan call, 256),
		failures: map[string]failure{},
		times:    map[string]int{},
		live:     map[*gatewayConn]bool{},
		msgSeq:   1261000000000000000,
		identify: make(chan map[string]any, 8),
		resume:   make(chan map[string]any, 8),
		conns:    make(chan *gatewayConn, 64),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/gateway-ws/", f.serveGateway)
	mux.HandleFunc(apiPrefix+"/", f.serveREST)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	f.ready = payload(t, "ready.json")
	f.ready["resume_gateway_url"] = f.wsURL()
	return f
}

func (f *fakeDiscord) wsURL() string {
	return "ws://" + strings.TrimPrefix(f.srv.URL, "http://") + "/gateway-ws"
}

// setOnDial sets the hook called as each gateway connection opens.
func (f *fakeDiscord) setOnDial(fn func(n int)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onDial = fn
}

// fail makes the fake answer method+path with fl from now on.
func (f *fakeDiscord) fail(method, path string, fl failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures[method+" "+path] = fl
}

// failTimes makes the fake answer method+path with fl the next n times; 0 ends a failure.
func (f *fakeDiscord) failTimes(method, path string, fl failure, n int) {
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

// limit makes the fake enforce a bot-wide limit of rate requests a second on every route but
// the interaction endpoints, as Discord does, answering 429 with retry_after and global true.
func (f *fakeDiscord) limit(rate float64, tolerance int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rate, f.tolerance = rate, tolerance
}

// refusals returns how many requests the bot-wide limit refused.
func (f *fakeDiscord) refusals() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refused
}

// overLimit applies the bot-wide limit to a request made at now: 0 when it may go, else how
// long to wait. f.mu is held.
func (f *fakeDiscord) overLimit(path string, now time.Time) time.Duration {
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

// sentTo returns the messages the fake accepted for channel, in order.
func (f *fakeDiscord) sentTo(channel string) []call {
	var out []call
	for _, c := range f.recorded() {
		if c.Method == "POST" && c.Path == "/channels/"+channel+"/messages" && c.Status == 200 {
			out = append(out, c)
		}
	}
	return out
}

// broadcast dispatches an event on every open gateway connection, as Discord sends a shard's
// events to every session identified on it; it returns how many there were.
func (f *fakeDiscord) broadcast(t *testing.T, event string, d any) int {
	t.Helper()
	f.mu.Lock()
	conns := make([]*gatewayConn, 0, len(f.live))
	for c := range f.live {
		conns = append(conns, c)
	}
	f.mu.Unlock()
	for _, c := range conns {
		c.dispatch(t, event, d)
	}
	return len(conns)
}

// open returns how many gateway connections are open now.
func (f *fakeDiscord) open() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.live)
}

// recorded returns every REST call so far.
func (f *fakeDiscord) recorded() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.all...)
}

// waitCall returns the first call not yet taken with the method whose path contains part.
func (f *fakeDiscord) waitCall(t *testing.T, method, part string) call {
	t.Helper()
	match := func(c call) bool { return c.Method == method && strings.Contains(c.Path, part) }
	for i, c := range f.pending {
		if match(c) {
			f.pending = append(f.pending[:i], f.pending[i+1:]...)
			return c
		}
	}
	deadline := time.After(waitLimit)
	for {
		select {
		case c := <-f.calls:
			if match(c) {
				return c
			}
			f.pending = append(f.pending, c)
		case <-deadline:
			t.Fatalf("timed out waiting for %s %s; calls so far: %v", method, part, paths(f.recorded()))
		}
	}
}

func paths(cs []call) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Method+" "+c.Path)
	}
	return out
}

func (f *fakeDiscord) serveREST(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c := call{At: time.Now(), Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, apiPrefix), Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body}
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
	if r.Header.Get("Authorization") != "Bot "+testToken && !strings.HasPrefix(c.Path, "/webhooks/") && !strings.HasPrefix(c.Path, "/interactions/") {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"message": "401: Unauthorized", "code": 0}`)
		return
	}
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	message := map[string]any{"id": id, "channel_id": testDM, "content": c.JSON["content"], "flags": c.JSON["flags"]}
	switch p := c.Path; {
	case r.Method == "GET" && p == "/gateway":
		reply(200, map[string]any{"url": f.wsURL()})
	case r.Method == "GET" && p == "/gateway/bot":
		reply(200, map[string]any{"url": f.wsURL(), "shards": max(f.shards.Load(), 1), "session_start_limit": map[string]any{"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1}})
	case r.Method == "GET" && p == "/users/@me":
		reply(200, map[string]any{"id": testApp, "username": "needlebot", "bot": true})
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
		stored := registered(c.List, p)
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
		reply(200, map[string]any{"id": testDM, "type": 1, "recipients": []any{map[string]any{"id": c.JSON["recipient_id"]}}})
	case strings.HasPrefix(p, "/channels/") && strings.HasSuffix(p, "/messages") && r.Method == "POST":
		reply(200, message)
	default:
		reply(404, map[string]any{"message": "404: Not Found", "code": 0})
	}
}

// parse decodes a JSON body or a multipart one with payload_json and files.
func (f *fakeDiscord) parse(c *call, contentType string) {
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
func registered(list []any, path string) []any {
	out := make([]any, 0, len(list))
	for i, v := range list {
		cmd := prune(v).(map[string]any)
		cmd["id"] = fmt.Sprintf("12500000000000002%02d", i)
		cmd["application_id"] = testApp
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
			cmd["guild_id"] = testGuild
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

// gatewayConn is one gateway connection on the fake's side.
type gatewayConn struct {
	f    *fakeDiscord
	ws   *websocket.Conn
	mu   sync.Mutex    // one writer at a time
	beat chan struct{} // closed at the first heartbeat, which discordgo sends once connected
	once sync.Once
	gone chan struct{} // closed when the client closed the connection or it dropped
}

func (c *gatewayConn) write(v any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ws.WriteJSON(v)
}

// dispatch sends an event (op 0) with the next sequence number.
func (c *gatewayConn) dispatch(t *testing.T, event string, d any) {
	t.Helper()
	if err := c.write(map[string]any{"op": 0, "s": c.f.seq.Add(1), "t": event, "d": d}); err != nil {
		t.Fatalf("dispatch %s: %v", event, err)
	}
}

// drop cuts the connection without a close frame, as a network failure would.
func (c *gatewayConn) drop() { c.ws.UnderlyingConn().Close() }

func (f *fakeDiscord) serveGateway(w http.ResponseWriter, r *http.Request) {
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
	c := &gatewayConn{f: f, ws: ws, beat: make(chan struct{}), gone: make(chan struct{})}
	defer close(c.gone)
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
		f.identify <- first.D
		c.write(map[string]any{"op": 0, "s": f.seq.Add(1), "t": "READY", "d": f.ready})
	case 6:
		f.resume <- first.D
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
	f.conns <- c
	for {
		var fr struct {
			Op int `json:"op"`
		}
		if ws.ReadJSON(&fr) != nil {
			return
		}
		if fr.Op == 1 {
			c.write(map[string]any{"op": 11})
			c.once.Do(func() { close(c.beat) })
		}
	}
}

// logSink captures log records as text and announces each message on a channel.
type logSink struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	msgs chan string
}

func newLogSink() *logSink { return &logSink{msgs: make(chan string, 256)} }

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *logSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// logger returns a logger writing to the sink.
func (s *logSink) logger() *slog.Logger {
	return slog.New(&announce{Handler: slog.NewTextHandler(s, &slog.HandlerOptions{Level: slog.LevelDebug}), msgs: s.msgs})
}

// waitFor waits until a record with the message has been logged.
func (s *logSink) waitFor(t *testing.T, msg ...string) string {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		select {
		case m := <-s.msgs:
			for _, want := range msg {
				if m == want {
					return m
				}
			}
		case <-deadline:
			t.Fatalf("no log message %q; log:\n%s", msg, s.String())
		}
	}
}

type announce struct {
	slog.Handler
	msgs chan string
}

func (a *announce) Handle(ctx context.Context, r slog.Record) error {
	err := a.Handler.Handle(ctx, r)
	select {
	case a.msgs <- r.Message:
	default:
	}
	return err
}

func (a *announce) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &announce{Handler: a.Handler.WithAttrs(attrs), msgs: a.msgs}
}

func (a *announce) WithGroup(name string) slog.Handler {
	return &announce{Handler: a.Handler.WithGroup(name), msgs: a.msgs}
}

// sharedKB and realBot are built once: parsing the knowledge base takes seconds under the race
// detector, and both are safe for concurrent use.
var (
	sharedKB = sync.OnceValue(kb.Default)
	realBot  = sync.OnceValue(func() *commands.Bot { return commands.New(commands.Config{KB: sharedKB()}) })
)

var _ Responder = (*commands.Bot)(nil)

// newKBBot is the real bot over the built-in knowledge base, without a store.
func newKBBot() *commands.Bot { return realBot() }

// scripted is a Responder whose commands and answers a test defines.
type scripted struct {
	cmds     []commands.Command
	respond  func(ctx context.Context, req *commands.Request) domain.Reply
	complete func(command, option, partial string) []string
}

func (s *scripted) Commands() []commands.Command { return s.cmds }

func (s *scripted) Respond(ctx context.Context, req *commands.Request) domain.Reply {
	return s.respond(ctx, req)
}

func (s *scripted) Complete(_ context.Context, command, option, partial string) []string {
	return s.complete(command, option, partial)
}

// asked is one call of Complete.
type asked struct{ command, option, partial string }

// mixBot is the real bot plus the commands the tests need that it lacks (a slow export, a
// private history, a late answer, a time zone with autocomplete, stale buttons). It records
// every request, and holds the slow and late answers until the test opens their gate.
type mixBot struct {
	real *commands.Bot
	reqs chan commands.Request
	asks chan asked

	mu    sync.Mutex
	all   []commands.Request
	gates map[string]chan struct{}
}

func newMixBot() *mixBot {
	return &mixBot{real: newKBBot(), reqs: make(chan commands.Request, 64), asks: make(chan asked, 8), gates: map[string]chan struct{}{}}
}

// exportCSV is what the slow export attaches.
const exportCSV = "date,mm\n2024-07-08,0.25\n"

func (b *mixBot) Commands() []commands.Command {
	return append(b.real.Commands(),
		commands.Command{Name: "export", Summary: "Download your diary as a CSV file", Private: true, Slow: true},
		commands.Command{Name: "history", Summary: "Your last sessions", Private: true},
		commands.Command{Name: "late", Summary: "A question that takes a while", Options: []commands.Option{
			{Name: "question", Summary: "Your question", Required: true},
		}},
		commands.Command{Name: "long", Summary: "A reply longer than one Discord message"},
		commands.Command{Name: "timezone", Summary: "Set your time zone", Options: []commands.Option{
			{Name: "zone", Summary: "An IANA zone, e.g. Europe/Berlin", Required: true, Autocomplete: true},
		}},
	)
}

func (b *mixBot) gate(key string) chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	g, ok := b.gates[key]
	if !ok {
		g = make(chan struct{})
		b.gates[key] = g
	}
	return g
}

// open lets the answer waiting at the gate key go.
func (b *mixBot) open(key string) { close(b.gate(key)) }

// request waits for the request with the id, passing over others.
func (b *mixBot) request(t *testing.T, id string) commands.Request {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		select {
		case req := <-b.reqs:
			if req.ID == id {
				return req
			}
		case <-deadline:
			t.Fatalf("no request %s", id)
		}
	}
}

// seen returns every request so far.
func (b *mixBot) seen() []commands.Request {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]commands.Request(nil), b.all...)
}

func (b *mixBot) Respond(ctx context.Context, req *commands.Request) domain.Reply {
	b.mu.Lock()
	b.all = append(b.all, *req)
	b.mu.Unlock()
	b.reqs <- *req
	wait := func(key string) {
		select {
		case <-b.gate(key):
		case <-ctx.Done():
		}
	}
	switch {
	case req.Command == "export":
		wait("export")
		return domain.Reply{Text: "Your diary: 1 session.", Private: true, File: &domain.File{Name: "diary.csv", Type: "text/csv", Data: []byte(exportCSV)}}
	case req.Command == "history":
		return domain.Reply{Text: "2024-07-08 0.25 mm", Private: true}
	case req.Command == "late":
		wait(req.Text)
		return domain.Reply{Text: "A late answer.", Private: req.Text == "private"}
	case req.Command == "long":
		return domain.Reply{Text: strings.Repeat("A line of a long history.\n", 100)}
	case strings.HasPrefix(req.Button, "stale:"):
		return domain.Reply{Text: "That button no longer works.", Private: true}
	case strings.HasPrefix(req.Button, "slow:"):
		wait("slow-button")
		return domain.Reply{Text: "Updated late."}
	}
	return b.real.Respond(ctx, req)
}

func (b *mixBot) Complete(_ context.Context, command, option, partial string) []string {
	b.asks <- asked{command, option, partial}
	var zones []string
	for i := range 30 {
		zones = append(zones, fmt.Sprintf("Europe/Be%02d", i))
	}
	return zones
}

// running is a Discord front end whose Run is going against the fake.
type running struct {
	d            *Discord
	logs         *logSink
	conn         *gatewayConn
	registration string // the log message that ended command registration
	stop         func() // cancels Run and waits for it; the test's end does it too
}

// fixedNow is the tests' clock.
func fixedNow() time.Time { return time.Date(2024, 7, 8, 22, 45, 0, 0, time.UTC) }

// config is the tests' configuration against f, logging to logs.
func config(f *fakeDiscord, logs *logSink) Config {
	return Config{Token: testToken, GuildID: testGuild, APIURL: f.srv.URL, Log: logs.logger(), Now: fixedNow}
}

// start runs a front end against f until the test ends. It returns once the gateway session
// is up and the commands are registered.
func start(t *testing.T, f *fakeDiscord, bot Responder, change func(*Config)) *running {
	t.Helper()
	logs := newLogSink()
	cfg := config(f, logs)
	if change != nil {
		change(&cfg)
	}
	d, err := New(cfg, bot)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return launch(t, f, d, logs)
}

// launch runs d, made with logs, against f; see start.
func launch(t *testing.T, f *fakeDiscord, d *Discord, logs *logSink) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := recv(t, done, "Run to return"); err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	conn := recv(t, f.conns, "a gateway connection")
	recv(t, conn.beat, "the first heartbeat")
	reg := logs.waitFor(t, "discord: commands up to date", "discord: commands registered")
	return &running{d: d, logs: logs, conn: conn, registration: reg, stop: stop}
}
