package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/discord/discordtest"
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
	apiPrefix   = discordtest.APIPrefix
	waitLimit   = discordtest.WaitLimit
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

// The fake Discord is discordtest's, under the names these tests use.
type (
	fakeDiscord = discordtest.Fake
	call        = discordtest.Call
	failure     = discordtest.Failure
	gatewayConn = discordtest.Conn
)

// newFake is a fake Discord for the test bot, its READY testdata/ready.json.
func newFake(t *testing.T) *fakeDiscord {
	t.Helper()
	return discordtest.New(t, discordtest.Options{Token: testToken, App: testApp, Guild: testGuild, DM: testDM}, payload(t, "ready.json"))
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
	return Config{Token: testToken, GuildID: testGuild, APIURL: f.URL(), Log: logs.logger(), Now: fixedNow}
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
	conn := recv(t, f.Conns, "a gateway connection")
	recv(t, conn.Beat, "the first heartbeat")
	reg := logs.waitFor(t, "discord: commands up to date", "discord: commands registered")
	return &running{d: d, logs: logs, conn: conn, registration: reg, stop: stop}
}
