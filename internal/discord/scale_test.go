package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/lease"
	"github.com/needlebot/needlebot/internal/ratelimit"
	"github.com/needlebot/needlebot/internal/redistest"
	"github.com/needlebot/needlebot/internal/remind"
)

// echoBot answers every request with its id, so that a test can count the answers.
func echoBot() *scripted {
	return &scripted{
		cmds: []commands.Command{{Name: "ping", Summary: "Answers with the request's id"}},
		respond: func(_ context.Context, req *commands.Request) domain.Reply {
			return domain.Reply{Text: "re " + req.ID}
		},
		complete: func(string, string, string) []string { return nil },
	}
}

// tagged marks each REST request with the instance that made it.
type tagged struct {
	name string
	next http.RoundTripper
}

func (t tagged) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Test-Instance", t.name)
	return t.next.RoundTrip(r)
}

// tickClock is the real clock that tells the test each time a lease waits on it.
type tickClock struct{ waits chan time.Duration }

func (tickClock) Now() time.Time { return time.Now() }

func (c tickClock) After(d time.Duration) <-chan time.Time {
	select {
	case c.waits <- d:
	default:
	}
	return time.After(d)
}

// fleet is front ends of one bot sharing a real Redis and one fake Discord.
type fleet struct {
	t   *testing.T
	f   *fakeDiscord
	srv *redistest.Server
	rdb *redis.Client
	bot Responder
}

func newFleet(t *testing.T) *fleet {
	t.Helper()
	srv := redistest.Start(t)
	return &fleet{t: t, f: newFake(t), srv: srv, rdb: srv.Client(), bot: echoBot()}
}

// member is one instance of a fleet, running.
type member struct {
	name     string
	d        *Discord
	logs     *logSink
	leaseRDB *redis.Client // the instance's own connection for its leases
	waits    chan time.Duration
	cancel   context.CancelFunc
	done     chan error
}

// limiter is the bot-wide limit on the fleet's Redis, as cmd/bot makes it; bot names the limit.
func (fl *fleet) limiter(bot string) *ratelimit.Limiter {
	fl.t.Helper()
	lim, err := ratelimit.New(fl.rdb, ratelimit.Config{Bot: bot, Global: GlobalRate})
	if err != nil {
		fl.t.Fatal(err)
	}
	return lim
}

// member makes an instance holding shards under leases of the given period, sharing the bot's
// limit; run starts its Run.
func (fl *fleet) member(name string, period time.Duration, run bool) *member {
	return fl.memberWith(name, period, run, nil)
}

// memberWith is member with a change to the configuration.
func (fl *fleet) memberWith(name string, period time.Duration, run bool, change func(*Config)) *member {
	t := fl.t
	t.Helper()
	bot, err := BotName(testToken)
	if err != nil {
		t.Fatal(err)
	}
	m := &member{name: name, logs: newLogSink(), waits: make(chan time.Duration, 1024), done: make(chan error, 1)}
	m.leaseRDB = redis.NewClient(&redis.Options{Addr: fl.srv.Addr()})
	t.Cleanup(func() { m.leaseRDB.Close() })
	cfg := config(fl.f, m.logs)
	cfg.HTTPClient = &http.Client{Transport: tagged{name, http.DefaultTransport}, Timeout: 10 * time.Second}
	cfg.Limiter = fl.limiter(bot)
	cfg.Lease = func(shard int) *lease.Lease {
		return lease.New(m.leaseRDB, lease.Key(bot, "shard:"+strconv.Itoa(shard)), period,
			lease.WithToken(name), lease.WithClock(tickClock{m.waits}))
	}
	if change != nil {
		change(&cfg)
	}
	if m.d, err = New(cfg, fl.bot); err != nil {
		t.Fatal(err)
	}
	if !run {
		return m
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	go func() { m.done <- m.d.Run(ctx) }()
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { m.stop(t) }) })
	return m
}

// stop cancels the instance's Run and waits for it.
func (m *member) stop(t *testing.T) {
	t.Helper()
	m.cancel()
	select {
	case err := <-m.done:
		if err != nil {
			t.Errorf("%s: Run: %v", m.name, err)
		}
		m.done <- nil // for a second stop
	case <-time.After(waitLimit):
		t.Errorf("%s: Run did not return", m.name)
	}
}

// dm is a direct message to the bot with the given id.
func dm(t *testing.T, id string) map[string]any {
	t.Helper()
	m := payload(t, "message_create_dm.json")
	m["id"], m["content"] = id, "hello "+id
	return m
}

// answers counts the bot's replies in the test DM by the request they answer, and says which
// instance sent each.
func answers(f *fakeDiscord) (count map[string]int, by map[string]string) {
	count, by = map[string]int{}, map[string]string{}
	for _, c := range f.SentTo(testDM) {
		content, _ := c.JSON["content"].(string)
		id := strings.TrimPrefix(content, "re ")
		count[id]++
		by[id] = c.Header.Get("X-Test-Instance")
	}
	return count, by
}

// waitAnswer waits for the bot's reply to the direct message id, passing over other messages.
func waitAnswer(t *testing.T, f *fakeDiscord, id string) call {
	t.Helper()
	for {
		c := f.WaitCall(t, "POST", "/channels/"+testDM+"/messages")
		if c.JSON["content"] == "re dc:m:"+id {
			return c
		}
	}
}

// holderOf tells the instance that holds the gateway from the one that stands by.
func holderOf(t *testing.T, a, b *member) (holder, stand *member) {
	t.Helper()
	holder, stand = a, b
	if b.d.Holding() {
		holder, stand = b, a
	}
	if !holder.d.Holding() || stand.d.Holding() {
		t.Fatalf("%s holding %v, %s holding %v: want exactly one holder", a.name, a.d.Holding(), b.name, b.d.Holding())
	}
	return holder, stand
}

// TestOneGatewayAmongInstances: of two instances on one Redis, one opens the gateway and the
// other stands by through whole lease periods without opening it, so a direct message is
// answered once. The holder dies without giving the lease up; the stand-by opens the gateway
// within one lease period and answers from then on, once.
func TestOneGatewayAmongInstances(t *testing.T) {
	t.Parallel()
	const period = time.Second
	fl := newFleet(t)
	a, b := fl.member("a", period, true), fl.member("b", period, true)
	conn := recv(t, fl.f.Conns, "a gateway connection")
	recv(t, conn.Beat, "the first heartbeat")
	recv(t, fl.f.Identify, "IDENTIFY")
	holder, stand := holderOf(t, a, b)
	if !holder.d.Ready() || !stand.d.Ready() {
		t.Errorf("Ready: holder %v, stand-by %v; want both ready (a stand-by sends reminders and serves HTTP interactions)", holder.d.Ready(), stand.d.Ready())
	}

	// The stand-by asks for the lease every third of a period: after four refusals a whole
	// period has passed, in which the holder extended its lease, and nothing else connected.
	for i := range 4 {
		recv(t, stand.waits, fmt.Sprintf("the stand-by's wait %d", i+1))
	}
	if n := fl.f.Open(); n != 1 || stand.d.Holding() {
		t.Fatalf("%d gateway connections open, the stand-by holding %v; want the holder's alone", n, stand.d.Holding())
	}
	select {
	case id := <-fl.f.Identify:
		t.Fatalf("a second IDENTIFY while the holder lives: %v", id["shard"])
	default:
	}
	if n := fl.f.Broadcast(t, "MESSAGE_CREATE", dm(t, "1260002813990000101")); n != 1 {
		t.Fatalf("the message went to %d sessions, want 1", n)
	}
	waitAnswer(t, fl.f, "1260002813990000101")

	// A stand-by sends reminders.
	if err := stand.d.Notify(context.Background(), remind.Notice{To: domain.Address{Platform: domain.Discord, Chat: testUser}, Reply: domain.Reply{Text: "Time for your session."}}); err != nil {
		t.Fatalf("the stand-by's Notify: %v", err)
	}

	// The holder dies: its lease is neither extended nor given back, as after a SIGKILL, and
	// its gateway connection goes with it.
	holder.leaseRDB.Close()
	died := time.Now()
	holder.cancel()
	recv(t, fl.f.Identify, "the stand-by's IDENTIFY")
	took := time.Since(died)
	t.Logf("the stand-by identified %s after the holder died (lease period %s)", took.Round(time.Millisecond), period)
	conn = recv(t, fl.f.Conns, "the stand-by's gateway connection")
	recv(t, conn.Beat, "the stand-by's first heartbeat")
	// The lease runs out at most a period after the holder's last extension; the stand-by asks
	// just then, and connects.
	if took > period+period/2 {
		t.Errorf("the stand-by opened the gateway %s after the holder died, want within one lease period (%s) and its connecting", took, period)
	}
	if !stand.d.Holding() || !stand.d.Ready() {
		t.Errorf("the survivor: holding %v, ready %v; want both", stand.d.Holding(), stand.d.Ready())
	}
	holder.stop(t)
	if n := fl.f.Broadcast(t, "MESSAGE_CREATE", dm(t, "1260002813990000102")); n != 1 {
		t.Fatalf("the message went to %d sessions, want the survivor's alone", n)
	}
	waitAnswer(t, fl.f, "1260002813990000102")
	stand.stop(t)

	count, by := answers(fl.f)
	for _, id := range []string{"dc:m:1260002813990000101", "dc:m:1260002813990000102"} {
		if count[id] != 1 {
			t.Errorf("%s answered %d times, want once", id, count[id])
		}
	}
	if by["dc:m:1260002813990000102"] != stand.name {
		t.Errorf("the message after the failover was answered by %q, want the survivor %q", by["dc:m:1260002813990000102"], stand.name)
	}
}

// TestLostLeaseClosesTheGateway: a holder that can no longer reach Redis counts its lease lost
// before it runs out and closes the gateway at once, before the stand-by opens its own.
func TestLostLeaseClosesTheGateway(t *testing.T) {
	t.Parallel()
	const period = time.Second
	fl := newFleet(t)
	a, b := fl.member("a", period, true), fl.member("b", period, true)
	conn := recv(t, fl.f.Conns, "a gateway connection")
	recv(t, conn.Beat, "the first heartbeat")
	recv(t, fl.f.Identify, "IDENTIFY")
	holder, stand := holderOf(t, a, b)

	holder.leaseRDB.Close() // it runs on, but cannot extend its lease
	cut := time.Now()
	select {
	case <-conn.Gone:
	case <-fl.f.Identify:
		t.Fatal("the stand-by identified while the holder's gateway was still open")
	case <-time.After(waitLimit):
		t.Fatal("the holder kept its gateway open after losing its lease")
	}
	closed := time.Now()
	recv(t, fl.f.Identify, "the stand-by's IDENTIFY")
	t.Logf("cut off from Redis: the holder closed its gateway after %s, the stand-by identified %s later (lease period %s)",
		closed.Sub(cut).Round(time.Millisecond), time.Since(closed).Round(time.Millisecond), period)
	holder.logs.waitFor(t, "discord: gateway closed: the gateway lease was lost")
	conn = recv(t, fl.f.Conns, "the stand-by's gateway connection")
	recv(t, conn.Beat, "the stand-by's first heartbeat")
	if holder.d.Holding() || !stand.d.Holding() {
		t.Errorf("after the loss: old holder holding %v, stand-by holding %v", holder.d.Holding(), stand.d.Holding())
	}
	if n := fl.f.Broadcast(t, "MESSAGE_CREATE", dm(t, "1260002813990000103")); n != 1 {
		t.Fatalf("the message went to %d sessions, want 1", n)
	}
	waitAnswer(t, fl.f, "1260002813990000103")
	holder.stop(t)
	stand.stop(t)
	if count, _ := answers(fl.f); count["dc:m:1260002813990000103"] != 1 {
		t.Errorf("answered %d times, want once", count["dc:m:1260002813990000103"])
	}
}

// TestTwoGatewaysWithoutTheLeaseAnswerTwice shows the fake is right to find one answer above:
// two instances that both open the gateway both get every direct message and both answer.
func TestTwoGatewaysWithoutTheLeaseAnswerTwice(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	start(t, f, echoBot(), nil)
	start(t, f, echoBot(), nil)
	if n := f.Broadcast(t, "MESSAGE_CREATE", dm(t, "1260002813990000104")); n != 2 {
		t.Fatalf("the message went to %d sessions, want 2", n)
	}
	waitAnswer(t, f, "1260002813990000104")
	waitAnswer(t, f, "1260002813990000104")
}

// TestOneRequestLimitForEveryInstance: two instances send reminders at once, as fast as they
// can, against a fake enforcing Discord's 50 requests a second for the bot. Sharing the limit
// in Redis they stay under it together and every reminder arrives once; each with a limit of
// its own (50 a second apiece), Discord refuses requests.
func TestOneRequestLimitForEveryInstance(t *testing.T) {
	t.Parallel()
	const each = 20 // reminders an instance sends, at once: each opens the DM channel too
	for _, tt := range []struct {
		name   string
		shared bool
	}{{"shared", true}, {"one each", false}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fl := newFleet(t)
			fl.f.Limit(GlobalRate, 5)
			bot, _ := BotName(testToken)
			var ds []*Discord
			for i, name := range []string{"a", "b"} {
				logs := newLogSink()
				cfg := config(fl.f, logs)
				cfg.HTTPClient = &http.Client{Transport: tagged{name, http.DefaultTransport}, Timeout: 10 * time.Second}
				limit := bot
				if !tt.shared {
					limit = fmt.Sprintf("%s-%d", bot, i)
				}
				cfg.Limiter = fl.limiter(limit)
				d, err := New(cfg, fl.bot)
				if err != nil {
					t.Fatal(err)
				}
				ds = append(ds, d)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			// burst has every instance send each reminders at once; it returns how long they
			// took, how many requests they made and how many reminders Discord refused.
			burst := func() (took time.Duration, requests, refused int) {
				errs := make(chan error, 2*each)
				before := counted(fl.f)
				begun := time.Now()
				for _, d := range ds {
					for i := range each {
						go func() {
							errs <- d.Notify(ctx, remind.Notice{To: domain.Address{Platform: domain.Discord, Chat: testUser},
								Reply: domain.Reply{Text: fmt.Sprintf("reminder %d", i)}})
						}()
					}
				}
				for range 2 * each {
					select {
					case err := <-errs:
						var ra *remind.RetryAfterError
						if errors.As(err, &ra) {
							refused++
						} else if err != nil {
							t.Errorf("Notify: %v", err)
						}
					case <-ctx.Done():
						t.Fatal("the reminders were not all sent in 20 s")
					}
				}
				took, requests = time.Since(begun), counted(fl.f)-before
				t.Logf("%d reminders, %d requests: %s (%.0f reminders/s); %d refused", 2*each, requests, took.Round(time.Millisecond), float64(2*each)/took.Seconds(), refused)
				return took, requests, refused
			}
			if !tt.shared {
				if _, _, refused := burst(); fl.f.Refusals() == 0 || refused == 0 {
					t.Errorf("with a limit each, %d requests refused (%d reminders); want Discord to refuse some", fl.f.Refusals(), refused)
				}
				return
			}
			// The first reminders open the DM channels, the next ones do not need to.
			for _, round := range []string{"first", "next"} {
				took, requests, refused := burst()
				if fl.f.Refusals() != 0 || refused != 0 {
					t.Errorf("%s: %d requests refused (%d reminders); want none", round, fl.f.Refusals(), refused)
				}
				// The limit lets one request through each 1/50 s, on Redis's clock.
				if floor := time.Duration(requests-1) * time.Second / GlobalRate; took < floor-50*time.Millisecond {
					t.Errorf("%s: %d requests took %s, under the %s the limit allows", round, requests, took, floor)
				}
				if round == "next" && requests != 2*each {
					t.Errorf("the next reminders made %d requests, want one each (%d)", requests, 2*each)
				}
			}
			if sent := len(fl.f.SentTo(testDM)); sent != 4*each {
				t.Errorf("%d reminders delivered, want %d", sent, 4*each)
			}
		})
	}
}

// TestGlobal429PausesEveryInstance: when Discord answers one instance's request with the
// bot-wide 429, the other instance waits out retry_after too, instead of being refused in turn.
func TestGlobal429PausesEveryInstance(t *testing.T) {
	t.Parallel()
	fl := newFleet(t)
	messages := "/channels/" + testDM + "/messages"
	fl.f.FailTimes("POST", messages, failure{Status: 429,
		Body:   `{"message": "You are being rate limited.", "retry_after": 0.5, "global": true}`,
		Header: map[string]string{"Retry-After": "1", "X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"}}, 1)
	a, b := fl.member("a", time.Second, false), fl.member("b", time.Second, false)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	notice := remind.Notice{To: domain.Address{Platform: domain.Discord, Chat: testUser}, Reply: domain.Reply{Text: "Time for your session."}}
	err := a.d.Notify(ctx, notice)
	var ra *remind.RetryAfterError
	if !errors.As(err, &ra) || ra.After != 500*time.Millisecond {
		t.Fatalf("a's Notify = %v, want retry after 500ms", err)
	}
	refusedAt := fl.f.WaitCall(t, "POST", messages).At
	if err := b.d.Notify(ctx, notice); err != nil {
		t.Fatalf("b's Notify: %v", err)
	}
	open := fl.f.WaitCall(t, "POST", "/users/@me/channels") // a's
	open = fl.f.WaitCall(t, "POST", "/users/@me/channels")  // b's
	if open.Header.Get("X-Test-Instance") != "b" {
		t.Fatalf("the second DM opened by %q, want b", open.Header.Get("X-Test-Instance"))
	}
	if waited := open.At.Sub(refusedAt); waited < 450*time.Millisecond {
		t.Errorf("b sent %s after a was refused for 500ms by the bot-wide limit, want it to wait", waited)
	}
	if sent := fl.f.SentTo(testDM); len(sent) != 1 || sent[0].Header.Get("X-Test-Instance") != "b" {
		t.Errorf("%d reminders delivered, want b's one (a's is the dispatcher's to retry)", len(sent))
	}
}

// TestRefusedReplyIsSentAgainOnce: a reply Discord refuses with 429 is sent again after
// retry_after, and arrives once.
func TestRefusedReplyIsSentAgainOnce(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	r := start(t, f, echoBot(), nil)
	messages := "/channels/" + testDM + "/messages"
	f.FailTimes("POST", messages, failure{Status: 429,
		Body:   `{"message": "You are being rate limited.", "retry_after": 0.3, "global": false}`,
		Header: map[string]string{"Retry-After": "1", "X-RateLimit-Scope": "user"}}, 1)
	r.conn.Dispatch(t, "MESSAGE_CREATE", dm(t, "1260002813990000105"))
	refused := f.WaitCall(t, "POST", messages)
	again := f.WaitCall(t, "POST", messages)
	if refused.Status != 429 || again.Status != 200 {
		t.Fatalf("answered %d then %d, want 429 then 200", refused.Status, again.Status)
	}
	if d := again.At.Sub(refused.At); d < 300*time.Millisecond {
		t.Errorf("sent again %s after the 429, want after retry_after (300ms)", d)
	}
	r.stop()
	if count, _ := answers(f); count["dc:m:1260002813990000105"] != 1 || len(count) != 1 {
		t.Errorf("answers %v, want the one reply once", count)
	}
}

func TestBotName(t *testing.T) {
	for _, tc := range []struct{ token, want string }{
		{testToken, "dc:" + testApp},
		{"Bot " + testToken, "dc:" + testApp},
		{"MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789", "dc:123456789012345678"},
		{"bm90LWFuLWlk.GaBcDe.abc", ""}, // "not-an-id"
		{"", ""},
	} {
		got, err := BotName(tc.token)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("BotName(%.12q) = %q, %v; want %q", tc.token, got, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), tc.token) && tc.token != "" {
			t.Errorf("the error shows the token: %v", err)
		}
	}
}

// TestGatewayOpenTriedAgain: a gateway Discord cannot be reached for is tried again with
// backoff, not given up (only a refused token is), and Ready says false meanwhile.
func TestGatewayOpenTriedAgain(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.Fail("GET", "/gateway", failure{Status: 500, Body: `{"message": "500: Internal Server Error", "code": 0}`})
	logs := newLogSink()
	d, err := New(config(f, logs), echoBot())
	if err != nil {
		t.Fatal(err)
	}
	d.retryOpen = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() {
		cancel()
		if err := recv(t, done, "Run to return"); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	logs.waitFor(t, "discord: gateway not opened; trying again")
	logs.waitFor(t, "discord: gateway not opened; trying again") // it did try again
	if d.Ready() {
		t.Error("Ready() = true while the gateway cannot be opened")
	}
	f.FailTimes("GET", "/gateway", failure{Status: 500}, 0) // Discord is back
	conn := recv(t, f.Conns, "the gateway connection after the failures")
	recv(t, conn.Beat, "the first heartbeat")
	if !d.Ready() {
		t.Error("Ready() = false once connected")
	}
	r := &running{d: d, logs: logs, conn: conn}
	r.conn.Dispatch(t, "MESSAGE_CREATE", dm(t, "1260002813990000106"))
	waitAnswer(t, f, "1260002813990000106")
}

// TestShardsEachHeldOnce: with two shards and two instances, each shard's gateway is opened
// once, identified as that shard, and a shard whose holder shuts down moves to the other.
func TestShardsEachHeldOnce(t *testing.T) {
	t.Parallel()
	const period = time.Second
	fl := newFleet(t)
	two := func(c *Config) { c.Shards = 2 }
	a, b := fl.memberWith("a", period, true, two), fl.memberWith("b", period, true, two)
	seen := map[string]int{}
	for range 2 {
		id := recv(t, fl.f.Identify, "IDENTIFY")
		seen[fmt.Sprint(id["shard"])]++
		recv(t, recv(t, fl.f.Conns, "a gateway connection").Beat, "a heartbeat")
	}
	if seen["[0 2]"] != 1 || seen["[1 2]"] != 1 {
		t.Fatalf("identified shards %v, want [0 2] and [1 2] once each", seen)
	}
	for i := range 4 { // a whole period in which nothing else connects
		recv(t, b.waits, fmt.Sprintf("wait %d", i+1))
	}
	if n := fl.f.Open(); n != 2 {
		t.Fatalf("%d gateway connections, want one a shard", n)
	}
	holder, other := a, b
	if !a.d.Holding() {
		holder, other = b, a
	}
	moving := countHeld(holder) // nothing takes them while it lives
	stopped := time.Now()
	holder.stop(t) // gives its leases back
	for range moving {
		id := recv(t, fl.f.Identify, "the other instance taking a shard over")
		seen[fmt.Sprint(id["shard"])]++
		recv(t, recv(t, fl.f.Conns, "its gateway connection").Beat, "a heartbeat")
	}
	// A lease given back is taken within a third of a period (the stand-by's next ask), even
	// though closing a session takes discordgo a second.
	for _, c := range fl.f.Recorded() {
		if c.Method == "GET" && c.Path == "/gateway" && c.Header.Get("X-Test-Instance") == other.name && c.At.After(stopped) {
			took := c.At.Sub(stopped)
			t.Logf("the other instance opened a gateway %s after the holder began to stop", took.Round(time.Millisecond))
			if took > period/3+period/4 {
				t.Errorf("the other instance opened a gateway %s after the holder began to stop, want within a third of a period (%s)", took, period/3)
			}
			break
		}
	}
	if n := countHeld(other); n != 2 || !other.d.Ready() {
		t.Errorf("after the holder left the other holds %d shards (ready %v), want both", n, other.d.Ready())
	}
	if seen["[0 2]"]+seen["[1 2]"] != 2+moving {
		t.Errorf("identified %v, want each shard once more for each move", seen)
	}
}

// countHeld is how many shards m holds.
func countHeld(m *member) int {
	n := 0
	for _, sh := range m.d.shardList() {
		if sh.state.Load() == stateHolding {
			n++
		}
	}
	return n
}

// counted is how many requests the fake received on routes the bot-wide limit counts.
func counted(f *fakeDiscord) int {
	n := 0
	for _, c := range f.Recorded() {
		if !strings.HasPrefix(c.Path, "/interactions/") && !strings.HasPrefix(c.Path, "/webhooks/") {
			n++
		}
	}
	return n
}

// TestRemindersOpenTheDMOnce: the direct message channel is opened for a user's first
// reminder only, so each later one is one request under the limit; a channel Discord no longer
// knows is opened again at the next try.
func TestRemindersOpenTheDMOnce(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	d, err := New(config(f, newLogSink()), echoBot())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	notice := remind.Notice{To: domain.Address{Platform: domain.Discord, Chat: testUser}, Reply: domain.Reply{Text: "Time for your session."}}
	opens := func() int {
		n := 0
		for _, c := range f.Recorded() {
			if c.Method == "POST" && c.Path == "/users/@me/channels" {
				n++
			}
		}
		return n
	}
	for range 3 {
		if err := d.Notify(ctx, notice); err != nil {
			t.Fatal(err)
		}
	}
	if n, sent := opens(), len(f.SentTo(testDM)); n != 1 || sent != 3 {
		t.Errorf("three reminders opened the DM %d times and sent %d messages, want 1 and 3", n, sent)
	}
	f.FailTimes("POST", "/channels/"+testDM+"/messages", failure{Status: 404, Body: `{"message": "Unknown Channel", "code": 10003}`}, 1)
	if err := d.Notify(ctx, notice); err == nil || remind.IsPermanent(err) {
		t.Fatalf("Notify to a channel Discord no longer knows = %v, want an error worth retrying", err)
	}
	if err := d.Notify(ctx, notice); err != nil {
		t.Fatal(err)
	}
	if n := opens(); n != 2 {
		t.Errorf("the DM was opened %d times, want again after Unknown Channel", n)
	}
}
