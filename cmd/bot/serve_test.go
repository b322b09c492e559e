package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/redistest"
	"github.com/needlebot/needlebot/internal/store"
)

// TestMain lets a test run the real program in a child process (for signals).
func TestMain(m *testing.M) {
	if os.Getenv("NEEDLEBOT_RUN_MAIN") == "1" {
		os.Args = append(os.Args[:1], "run")
		main()
		return
	}
	os.Exit(m.Run())
}

// watched is an output that tests can wait on without sleeping.
type watched struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func newWatched() *watched { return &watched{changed: make(chan struct{}, 1)} }

func (w *watched) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	select {
	case w.changed <- struct{}{}:
	default:
	}
	return w.buf.Write(p)
}

func (w *watched) String() string { w.mu.Lock(); defer w.mu.Unlock(); return w.buf.String() }

// waitFor blocks until the output contains s; the timeout only bounds a broken test.
func (w *watched) waitFor(t *testing.T, s string) {
	t.Helper()
	limit := time.After(20 * time.Second)
	for !strings.Contains(w.String(), s) {
		select {
		case <-w.changed:
		case <-limit:
			t.Fatalf("output never contained %q:\n%s", s, w.String())
		}
	}
}

// bot is the program running in this process, talking on a console pipe.
type bot struct {
	in       *io.PipeWriter
	out, err *watched
	done     chan error
	cancel   context.CancelFunc
	addr     string
	once     sync.Once
}

// stop stops the program, as SIGTERM does, and waits for it to return.
func (b *bot) stop() {
	b.once.Do(func() {
		b.cancel()
		b.in.Close()
		<-b.done
	})
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func startBot(t *testing.T, e env, args ...string) *bot {
	t.Helper()
	if _, ok := e["BOT_DATA_DIR"]; !ok {
		e["BOT_DATA_DIR"] = t.TempDir()
	}
	if _, ok := e["HTTP_ADDR"]; !ok {
		e["HTTP_ADDR"] = freeAddr(t)
	}
	if _, ok := e["LOG_LEVEL"]; !ok {
		e["LOG_LEVEL"] = "info"
	}
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	b := &bot{in: pw, out: newWatched(), err: newWatched(), done: make(chan error, 1), cancel: cancel, addr: e["HTTP_ADDR"]}
	go func() { b.done <- run(ctx, append([]string{"run"}, args...), e.get, pr, b.out, b.err) }()
	t.Cleanup(b.stop)
	return b
}

func (b *bot) say(line string) { fmt.Fprintln(b.in, line) }

func (b *bot) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + b.addr + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestReadyzFollowsRedis(t *testing.T) {
	srv := redistest.Start(t)
	b := startBot(t, env{"REDIS_URL": srv.URL()})
	b.err.waitFor(t, "http: listening")
	if code, body := b.get(t, "/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("/healthz = %d %q", code, body)
	}
	if code, body := b.get(t, "/readyz"); code != 200 {
		t.Fatalf("/readyz with Redis up = %d %q", code, body)
	}
	srv.Stop()
	if code, body := b.get(t, "/readyz"); code != 503 || !strings.Contains(body, "store: unreachable") {
		t.Errorf("/readyz with Redis down = %d %q, want 503", code, body)
	}
	if code, _ := b.get(t, "/healthz"); code != 200 {
		t.Errorf("/healthz with Redis down = %d: the process is alive", code)
	}
	srv.Start()
	if code, body := b.get(t, "/readyz"); code != 200 {
		t.Errorf("/readyz after Redis came back = %d %q", code, body)
	}
	// The guidance keeps answering throughout.
	b.say("/needle size")
	b.out.waitFor(t, "0.25 mm")
}

func TestMetricsAfterAConversation(t *testing.T) {
	b := startBot(t, env{})
	b.err.waitFor(t, "http: listening")
	for _, line := range []string{"/needle size", "can I roll every day?", "what's the weather in Paris?", "rolled 0.25 tonight with peptide serum", "/neddle", "/history"} {
		b.say(line)
	}
	b.out.waitFor(t, "Your last session")
	code, body := b.get(t, "/metrics")
	if code != 200 {
		t.Fatalf("/metrics = %d", code)
	}
	for _, want := range []string{
		`needlebot_commands_total{command="needle",outcome="ok",platform="console"} 1`,
		`needlebot_commands_total{command="text",outcome="ok",platform="console"} 3`,
		`needlebot_commands_total{command="unknown",outcome="ok",platform="console"} 1`,
		`needlebot_commands_total{command="history",outcome="ok",platform="console"} 1`,
		`needlebot_kb_answers_total{result="answered"} 1`,
		`needlebot_kb_answers_total{result="off-topic"} 1`,
		`needlebot_sessions_logged_total{platform="console"} 1`,
		`needlebot_redis_errors_total 0`,
		"# TYPE needlebot_reminder_send_seconds histogram",
		"# TYPE needlebot_reminders_total counter",
		"# TYPE needlebot_platform_rate_limited_total counter",
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	for _, private := range []string{"peptide", "Paris", "neddle"} {
		if strings.Contains(body, private) {
			t.Errorf("/metrics holds what a user wrote: %q", private)
		}
	}
}

// fakeTelegram is a minimal Bot API for the program-level tests: it answers getMe, takes
// setMyCommands, holds getUpdates, and records sendMessage; hold makes sends wait.
type fakeTelegram struct {
	*httptest.Server
	mu       sync.Mutex
	getMe    int // status to answer getMe with
	sent     map[string]int
	received chan string   // chat id of every sendMessage, as it arrives
	hold     chan struct{} // when not nil, sendMessage waits for it to close
	paths    []string
	polling  int // getUpdates waiting now
	most     int // the most that ever waited at once
}

func newFakeTelegram(t *testing.T) *fakeTelegram {
	f := &fakeTelegram{getMe: 200, sent: map[string]int{}, received: make(chan string, 10000)}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeTelegram) serve(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	f.mu.Lock()
	f.paths = append(f.paths, r.URL.Path)
	status, hold := f.getMe, f.hold
	f.mu.Unlock()
	ok := func(result any) {
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
	}
	switch method {
	case "getMe":
		if status != 200 {
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(map[string]any{"ok": false, "error_code": status, "description": "Unauthorized"})
			return
		}
		ok(map[string]any{"id": 42, "is_bot": true, "first_name": "needlebot", "username": "needlebot"})
	case "getUpdates":
		f.mu.Lock()
		f.polling++
		f.most = max(f.most, f.polling)
		f.mu.Unlock()
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
		f.mu.Lock()
		f.polling--
		f.mu.Unlock()
		ok([]any{})
	case "sendMessage":
		chat := r.FormValue("chat_id")
		f.received <- chat
		if hold != nil {
			<-hold
		}
		f.mu.Lock()
		f.sent[chat]++
		f.mu.Unlock()
		id, _ := strconv.ParseInt(chat, 10, 64)
		ok(map[string]any{"message_id": 1, "date": time.Now().Unix(), "chat": map[string]any{"id": id, "type": "private"}})
	default:
		ok(true)
	}
}

func TestNoTokenInLogsOrErrors(t *testing.T) {
	f := newFakeTelegram(t)
	f.getMe = 401
	var out, errOut bytes.Buffer
	e := env{"TELEGRAM_TOKEN": goodTelegramToken, "TELEGRAM_API_URL": f.URL, "LOG_LEVEL": "debug", "HTTP_ADDR": freeAddr(t), "BOT_DATA_DIR": t.TempDir()}
	err := run(context.Background(), []string{"run"}, e.get, strings.NewReader(""), &out, &errOut)
	if err == nil {
		t.Fatal("the bot started with a token Telegram rejects")
	}
	secretPart := goodTelegramToken[strings.Index(goodTelegramToken, ":")+1:]
	for name, s := range map[string]string{"error": err.Error(), "logs": errOut.String(), "stdout": out.String()} {
		if strings.Contains(s, secretPart) || strings.Contains(s, goodTelegramToken) {
			t.Errorf("%s contains the token:\n%s", name, s)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.paths) == 0 || !strings.Contains(f.paths[0], goodTelegramToken) {
		t.Fatalf("the fake saw no request with the token (%v): the test proves nothing", f.paths)
	}
}

func TestStartFailsClearly(t *testing.T) {
	srv := redistest.Start(t)
	srv.Stop()
	r := runBot(t, env{"REDIS_URL": srv.URL()}, "")
	if r.err == nil || !strings.Contains(r.err.Error(), "connect to redis") {
		t.Errorf("start with Redis down: %v", r.err)
	}
	busy, _ := net.Listen("tcp", "127.0.0.1:0")
	defer busy.Close()
	r = runBot(t, env{"HTTP_ADDR": busy.Addr().String()}, "")
	if r.err == nil || !strings.Contains(r.err.Error(), "http:") {
		t.Errorf("start with a busy port: %v", r.err)
	}
}

// TestSIGTERMDuringDispatchLosesNothing runs the real program in a child process with
// reminders due, sends SIGTERM while sends are in flight, and checks that it exits in time and
// that every reminder was either delivered and rescheduled, or given back to be sent later.
func TestSIGTERMDuringDispatchLosesNothing(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client()
	f := newFakeTelegram(t)
	f.hold = make(chan struct{})
	const n = 200
	due := time.Now().Add(-time.Minute)
	for i := range n {
		owner := domain.Owner("tg:" + strconv.Itoa(5000+i))
		rdb.HSet(context.Background(), "nb:{"+string(owner)+"}:r", "r1", fmt.Sprintf(`{"h":%d,"m":%d,"d":127,"c":"%d"}`, due.Hour(), due.Minute(), 5000+i))
		rdb.ZAdd(context.Background(), store.DueKey("tg"), redis.Z{Score: float64(due.UnixMilli()), Member: store.Member(owner, "r1")})
	}
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), "NEEDLEBOT_RUN_MAIN=1", "REDIS_URL="+srv.URL(), "TELEGRAM_TOKEN="+goodTelegramToken,
		"TELEGRAM_API_URL="+f.URL, "TELEGRAM_RATE=1000", "TELEGRAM_CHAT_RATE=1000", "HTTP_ADDR=off", "LOG_LEVEL=info", "LOG_FORMAT=json")
	var logs watched
	logs.changed = make(chan struct{}, 1)
	child.Stderr = &logs
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until sends are in flight (held by the fake), then stop the program.
	for range 16 {
		<-f.received
	}
	start := time.Now()
	child.Process.Signal(syscall.SIGTERM)
	logs.waitFor(t, `"shutting down"`)
	close(f.hold) // the sends in flight may now finish, within the drain
	err := child.Wait()
	took := time.Since(start)
	if err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
	}
	if took > 10*time.Second {
		t.Errorf("took %v to stop, want well within 10 s", took)
	}
	f.mu.Lock()
	sent := f.sent
	f.mu.Unlock()
	settled, given := 0, 0
	now := time.Now()
	for i := range n {
		chat := strconv.Itoa(5000 + i)
		m := store.Member(domain.Owner("tg:"+chat), "r1")
		score, err := rdb.ZScore(context.Background(), store.DueKey("tg"), m).Result()
		if err != nil {
			t.Fatalf("%s is gone from the due index: lost", m)
		}
		at := time.UnixMilli(int64(score))
		switch {
		case at.After(now.Add(time.Hour)):
			settled++
			if sent[chat] == 0 {
				t.Errorf("%s was rescheduled but never delivered", m)
			}
		case !at.After(now):
			given++ // given back: due now, for the next instance
		default:
			t.Errorf("%s left leased until %v", m, at)
		}
	}
	if leases := rdb.HLen(context.Background(), store.LeaseKey("tg")).Val(); leases != 0 {
		t.Errorf("%d leases left after a clean shutdown", leases)
	}
	t.Logf("stopped in %v: %d delivered and rescheduled, %d given back, %d sends seen", took, settled, given, len(sent))
	if settled+given != n || settled < 16 {
		t.Errorf("settled %d + given back %d, want all %d with at least the 16 in flight delivered", settled, given, n)
	}
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	for sc.Scan() {
		if strings.Contains(sc.Text(), goodTelegramToken[10:]) {
			t.Errorf("log line holds the token: %s", sc.Text())
		}
	}
}

// TestTwoInstancesOnePoller: two instances of the program on one Redis, both polling Telegram:
// one polls, the other stands by, so Telegram never sees two getUpdates at once; when the
// poller stops, it gives the lease up and the other takes over.
func TestTwoInstancesOnePoller(t *testing.T) {
	srv := redistest.Start(t)
	f := newFakeTelegram(t)
	e := func() env {
		return env{"REDIS_URL": srv.URL(), "TELEGRAM_TOKEN": goodTelegramToken, "TELEGRAM_API_URL": f.URL, "BOT_DISPATCHER": "off"}
	}
	a, b := startBot(t, e()), startBot(t, e())
	const polls = "telegram: polling: this instance holds the poller lease"
	for _, x := range []*bot{a, b} {
		x.err.waitFor(t, "telegram: standing by for the poller lease")
	}
	var holder, stand *bot
	for holder == nil {
		select {
		case <-a.err.changed:
		case <-b.err.changed:
		case <-time.After(20 * time.Second):
			t.Fatalf("neither instance polls:\n%s\n%s", a.err, b.err)
		}
		switch {
		case strings.Contains(a.err.String(), polls):
			holder, stand = a, b
		case strings.Contains(b.err.String(), polls):
			holder, stand = b, a
		}
	}
	holder.stop()
	if !strings.Contains(holder.err.String(), "stopped") {
		t.Fatalf("the poller did not stop:\n%s", holder.err)
	}
	stand.err.waitFor(t, polls) // within a third of the lease period of the release
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.most != 1 {
		t.Errorf("%d getUpdates waited at once, want one: the instances fought over polling", f.most)
	}
	if strings.Contains(a.err.String()+b.err.String(), "conflict") {
		t.Error("an instance logged a conflict")
	}
}
