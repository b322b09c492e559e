package remind_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/kb"
	"github.com/needlebot/needlebot/internal/redistest"
	"github.com/needlebot/needlebot/internal/remind"
	"github.com/needlebot/needlebot/internal/schedule"
	"github.com/needlebot/needlebot/internal/store"
)

// All reminders in these tests are due at t0: 21:00 UTC on a Saturday.
var t0 = time.Date(2026, 11, 28, 21, 0, 0, 0, time.UTC)

var ctx = context.Background()

// fixedClock is stopped time: After never fires, so a dispatcher with nothing due waits until
// its context is cancelled. Tests move it by making a new one.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time                       { return c.t }
func (c fixedClock) After(time.Duration) <-chan time.Time { return nil }

// instantClock is stopped time whose short waits (backoffs, retries, the shutdown drain) end
// at once, while long ones (lease renewal, polling) never do.
type instantClock struct{ t time.Time }

func (c instantClock) Now() time.Time { return c.t }
func (c instantClock) After(d time.Duration) <-chan time.Time {
	if d >= 10*time.Second {
		return nil
	}
	ch := make(chan time.Time, 1)
	ch <- c.t
	return ch
}

// recorder is a Notifier that counts what each owner received.
type recorder struct {
	mu        sync.Mutex
	got       map[string]int
	notices   []remind.Notice
	calls     int // Notify calls, failed ones included
	delivered int
	want      int
	reached   chan struct{} // closed when delivered reaches want
	hook      func(call int) error
}

func newRecorder(want int) *recorder {
	return &recorder{got: map[string]int{}, want: want, reached: make(chan struct{})}
}

func (r *recorder) Notify(_ context.Context, n remind.Notice) error {
	r.mu.Lock()
	r.calls++
	call, hook := r.calls, r.hook
	r.mu.Unlock()
	if hook != nil {
		if err := hook(call); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got[n.To.String()]++
	r.notices = append(r.notices, n)
	r.delivered++
	if r.delivered == r.want {
		close(r.reached)
	}
	return nil
}

func (r *recorder) counts() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.got))
	for k, v := range r.got {
		out[k] = v
	}
	return out
}

// env is a real Redis, the store and a bot that writes the reminders.
type env struct {
	srv *redistest.Server
	st  *store.Store
	bot *commands.Bot
}

func newEnv(t testing.TB, opts ...redistest.Option) *env {
	t.Helper()
	srv := redistest.Start(t, opts...)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), MaxRetries: 3, DialTimeout: time.Second, PoolSize: 64})
	t.Cleanup(func() { rdb.Close() })
	st := store.New(rdb, store.WithLimits(store.Limits{Sessions: 1000, Reminders: 5, Writes: 1 << 30, Window: time.Minute, Idempotent: time.Hour}))
	bot := commands.New(commands.Config{KB: kb.Default(), Store: st, ButtonKey: []byte("0123456789abcdef0123456789abcdef")})
	return &env{srv: srv, st: st, bot: bot}
}

// seed sets one daily 21:00 reminder for each of n users, all due at due.
func (e *env) seed(t testing.TB, n int, due time.Time) []string {
	t.Helper()
	owners := make([]string, n)
	pipe := e.st.Client().Pipeline()
	for i := range n {
		owner := domain.Owner(fmt.Sprintf("tg:%d", 1000+i))
		owners[i] = string(owner)
		pipe.HSet(ctx, "nb:{"+string(owner)+"}:r", "r1", fmt.Sprintf(`{"h":21,"m":0,"d":127,"c":"%d"}`, 1000+i))
		pipe.HSet(ctx, "nb:{"+string(owner)+"}:p", "rseq", 1)
		pipe.ZAdd(ctx, store.DueKey("tg"), redis.Z{Score: float64(due.UnixMilli()), Member: store.Member(owner, "r1")})
		if i%1000 == 999 {
			if _, err := pipe.Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	return owners
}

func (e *env) dispatcher(clock remind.Clock, n remind.Notifier, q remind.Queue, tweak func(*remind.Config)) *remind.Dispatcher {
	if q == nil {
		q = e.st
	}
	cfg := remind.Config{
		Queue: q, Composer: e.bot, Notifiers: map[domain.Platform]remind.Notifier{domain.Telegram: n},
		Rates: map[domain.Platform]remind.Rate{}, Clock: clock, Batch: 100, Workers: 8,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	return remind.New(cfg)
}

// assertAllScheduled checks that every owner's reminder is back in the due index for the
// next day and no lease is left.
func (e *env) assertAllScheduled(t *testing.T, owners []string) {
	t.Helper()
	next := t0.Add(24 * time.Hour).UnixMilli()
	for _, o := range owners {
		sc, err := e.st.Client().ZScore(ctx, store.DueKey("tg"), store.Member(domain.Owner(o), "r1")).Result()
		if err != nil || int64(sc) != next {
			t.Fatalf("%s due at %v (%v), want the next day", o, time.UnixMilli(int64(sc)).UTC(), err)
		}
	}
	if n := e.st.Client().HLen(ctx, store.LeaseKey("tg")).Val(); n != 0 {
		t.Errorf("%d leases left", n)
	}
}

func TestExactlyOnceAcrossInstances(t *testing.T) {
	for _, instances := range []int{2, 5} {
		t.Run(fmt.Sprintf("%d instances", instances), func(t *testing.T) {
			e := newEnv(t)
			owners := e.seed(t, 2000, t0)
			rec := newRecorder(len(owners))
			runCtx, cancel := context.WithCancel(ctx)
			var wg sync.WaitGroup
			for range instances {
				d := e.dispatcher(fixedClock{t0.Add(time.Second)}, rec, nil, nil)
				wg.Go(func() { d.Run(runCtx) })
			}
			select {
			case <-rec.reached:
			case <-time.After(60 * time.Second):
				t.Fatalf("only %d of %d delivered", len(rec.counts()), len(owners))
			}
			cancel()
			wg.Wait()
			got := rec.counts()
			for _, o := range owners {
				if got[o] != 1 {
					t.Errorf("%s received %d reminders, want exactly 1", o, got[o])
				}
			}
			e.assertAllScheduled(t, owners)
		})
	}
}

// deadQueue is a dispatcher's view of the queue after its process died: nothing it does
// reaches Redis any more.
type deadQueue struct{ remind.Queue }

func (deadQueue) Finish(context.Context, domain.Platform, string, []remind.Settle) (int, error) {
	return 0, errors.New("process died")
}
func (deadQueue) Extend(context.Context, domain.Platform, string, []string, time.Time) error {
	return errors.New("process died")
}

func TestKilledMidBatchLosesNothing(t *testing.T) {
	e := newEnv(t)
	owners := e.seed(t, 500, t0)
	// Instance A claims a batch, sends part of it, and dies before settling anything.
	const beforeDeath = 40
	hung := make(chan struct{})
	recA := newRecorder(beforeDeath)
	recA.hook = func(n int) error {
		if n > beforeDeath {
			<-hung
			return errors.New("dead")
		}
		return nil
	}
	aCtx, killA := context.WithCancel(ctx)
	a := e.dispatcher(instantClock{t0.Add(time.Second)}, recA, deadQueue{e.st}, nil)
	aDone := make(chan struct{})
	go func() { a.Round(aCtx); close(aDone) }()
	<-recA.reached
	killA()
	close(hung)
	<-aDone

	// Instance B starts after A's leases ran out and delivers everything A did not settle.
	recB := newRecorder(len(owners))
	b := e.dispatcher(fixedClock{t0.Add(2 * time.Minute)}, recB, nil, nil)
	bCtx, stopB := context.WithCancel(ctx)
	bDone := make(chan struct{})
	go func() { b.Run(bCtx); close(bDone) }()
	<-recB.reached
	stopB()
	<-bDone

	a1, b1 := recA.counts(), recB.counts()
	dups := 0
	for _, o := range owners {
		if b1[o] != 1 {
			t.Errorf("%s got %d from B, want 1", o, b1[o])
		}
		dups += a1[o]
	}
	if dups != beforeDeath {
		t.Errorf("%d duplicates, want exactly the %d A sent before dying", dups, beforeDeath)
	}
	e.assertAllScheduled(t, owners)
}

// TestChildDispatcher is not a test on its own: TestSIGKILLedProcessLosesNothing runs the test
// binary again as a child that dispatches until it is killed.
func TestChildDispatcher(t *testing.T) {
	addr := os.Getenv("NEEDLEBOT_CHILD_REDIS")
	if addr == "" {
		t.Skip("only runs as the child of TestSIGKILLedProcessLosesNothing")
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	st := store.New(rdb)
	bot := commands.New(commands.Config{KB: kb.Default(), Store: st, ButtonKey: []byte("0123456789abcdef0123456789abcdef")})
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	notifier := notifyFunc(func(_ context.Context, n remind.Notice) error {
		mu.Lock()
		fmt.Fprintln(out, "sent", n.To.String())
		out.Flush()
		mu.Unlock()
		return nil
	})
	d := remind.New(remind.Config{Queue: st, Composer: bot, Notifiers: map[domain.Platform]remind.Notifier{domain.Telegram: notifier},
		Rates: map[domain.Platform]remind.Rate{}, Clock: fixedClock{t0.Add(time.Second)}, Batch: 100, Workers: 4})
	d.Run(ctx) // until killed
}

type notifyFunc func(context.Context, remind.Notice) error

func (f notifyFunc) Notify(ctx context.Context, n remind.Notice) error { return f(ctx, n) }

func TestSIGKILLedProcessLosesNothing(t *testing.T) {
	e := newEnv(t)
	owners := e.seed(t, 1000, t0)
	child := exec.Command(os.Args[0], "-test.run=^TestChildDispatcher$", "-test.count=1")
	child.Env = append(os.Environ(), "NEEDLEBOT_CHILD_REDIS="+e.srv.Addr())
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	fromChild := map[string]int{}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if owner, ok := strings.CutPrefix(sc.Text(), "sent "); ok {
			fromChild[owner]++
			if len(fromChild) == 350 {
				child.Process.Signal(syscall.SIGKILL) // mid-dispatch, without any warning
				break
			}
		}
	}
	for sc.Scan() { // what the child printed before the kill landed; the pipe ends with it
		if owner, ok := strings.CutPrefix(sc.Text(), "sent "); ok {
			fromChild[owner]++
		}
	}
	child.Wait()

	settled := int(e.st.Client().ZCount(ctx, store.DueKey("tg"), fmt.Sprint(t0.Add(24*time.Hour).UnixMilli()), "+inf").Val())
	rec := newRecorder(len(owners) - settled)
	d := e.dispatcher(fixedClock{t0.Add(5 * time.Minute)}, rec, nil, nil)
	dCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { d.Run(dCtx); close(done) }()
	if rec.want > 0 {
		<-rec.reached
	}
	stop()
	<-done
	got := rec.counts()
	dups := 0
	for _, o := range owners {
		total := fromChild[o] + got[o]
		if total == 0 {
			t.Errorf("%s never received its reminder", o)
		}
		if total > 1 {
			dups++
		}
	}
	inFlight := len(fromChild) - settled
	t.Logf("child sent %d, settled %d before SIGKILL; the next dispatcher sent %d, %d of them repeats", len(fromChild), settled, len(got), dups)
	if dups > inFlight {
		t.Errorf("%d reminders repeated, more than the %d the child had sent but not settled", dups, inFlight)
	}
	e.assertAllScheduled(t, owners)
}

func TestRedisRestartDuringDispatch(t *testing.T) {
	e := newEnv(t, redistest.AppendOnly)
	owners := e.seed(t, 2000, t0)
	rec := newRecorder(len(owners))
	var once sync.Once
	rec.hook = func(call int) error {
		if call == 700 {
			once.Do(func() { e.srv.Kill(); e.srv.Start() }) // a crash and restart mid-round
		}
		return nil
	}
	d := e.dispatcher(instantClock{t0.Add(time.Second)}, rec, nil, func(c *remind.Config) { c.Log = slog.New(slog.DiscardHandler) })
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { d.Run(runCtx); close(done) }()
	select {
	case <-rec.reached:
	case <-time.After(60 * time.Second):
		t.Fatalf("only %d of %d delivered", len(rec.counts()), len(owners))
	}
	// Keep dispatching until the queue settles: a round cut by the restart is redone when its
	// leases expire, which the fixed clock never reaches, so move time past them.
	cancel()
	<-done
	d2 := e.dispatcher(fixedClock{t0.Add(10 * time.Minute)}, rec, nil, nil)
	for {
		n, err := d2.Round(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	got := rec.counts()
	for _, o := range owners {
		if got[o] == 0 {
			t.Errorf("%s lost its reminder in the restart", o)
		}
	}
	e.assertAllScheduled(t, owners)
}

func TestWhatIsSent(t *testing.T) {
	e := newEnv(t)
	now := t0.Add(30 * time.Second)
	add := func(owner domain.Owner, due time.Time) {
		if _, err := e.st.AddReminder(ctx, owner, domain.Reminder{Clock: schedule.Clock{Hour: 21}, Days: schedule.Daily, To: addr(owner)}, due, ""); err != nil {
			t.Fatal(err)
		}
	}
	add("tg:1", t0)                      // on time
	add("tg:2", t0.Add(-90*time.Minute)) // missed by 90 min: sent, marked late
	add("tg:3", t0.Add(-3*time.Hour))    // missed by 3 h: skipped
	add("tg:4", t0)                      // already rolled today
	add("tg:5", t0)                      // five sessions this week: rest night
	add("tg:6", t0)                      // reminder turned off meanwhile
	e.st.AddSession(ctx, "tg:4", domain.Session{At: t0.Add(-2 * time.Hour), NeedleMM: 0.25}, "", t0)
	for i := range 5 {
		e.st.AddSession(ctx, "tg:5", domain.Session{At: t0.Add(-time.Duration(i+1) * 24 * time.Hour), NeedleMM: 0.25}, "", t0)
	}
	e.st.Client().HDel(ctx, "nb:{tg:6}:r", "r1") // as if removed by a crash between its two writes
	e.st.Snooze(ctx, "tg:1", "r1", now.Add(-time.Second))

	rec := newRecorder(-1)
	d := e.dispatcher(fixedClock{now}, rec, nil, nil)
	if _, err := d.Round(ctx); err != nil {
		t.Fatal(err)
	}
	by := map[string][]domain.Reply{}
	for _, n := range rec.notices {
		by[n.To.String()] = append(by[n.To.String()], n.Reply)
	}
	if r := by["tg:1"]; len(r) != 2 || r[0].Title != "Reminder" || !strings.Contains(r[0].Text, "0.25 mm roller") || !strings.Contains(r[0].Text, "0 of up to 5") {
		t.Errorf("tg:1 (reminder and snooze) got %+v", r)
	}
	if len(by["tg:1"]) > 0 {
		var labels []string
		for _, b := range by["tg:1"][0].Buttons[0] {
			labels = append(labels, b.Label)
		}
		if strings.Join(labels, ",") != "Done,Snooze…,Skip tonight" {
			t.Errorf("buttons %v", labels)
		}
	}
	if r := by["tg:2"]; len(r) != 1 || !strings.Contains(r[0].Text, "This is late: it was due at 19:30") {
		t.Errorf("tg:2 (late) got %+v", r)
	}
	if r := by["tg:5"]; len(r) != 1 || r[0].Title != "Rest night" || !strings.Contains(r[0].Text, "5 sessions in the last 7 days") {
		t.Errorf("tg:5 (rest night) got %+v", r)
	}
	for _, o := range []string{"tg:3", "tg:4", "tg:6"} {
		if len(by[o]) != 0 {
			t.Errorf("%s should get nothing, got %+v", o, by[o])
		}
	}
	// Everyone still set is scheduled for tomorrow, the skipped one included; the snooze and
	// the removed reminder's entry are gone.
	due, _ := e.st.Client().ZRangeWithScores(ctx, store.DueKey("tg"), 0, -1).Result()
	if len(due) != 5 {
		t.Fatalf("due index = %+v, want 5 entries", due)
	}
	for _, z := range due {
		if int64(z.Score) != t0.Add(24*time.Hour).UnixMilli() {
			t.Errorf("%v due at %v", z.Member, time.UnixMilli(int64(z.Score)).UTC())
		}
	}
}

func TestPermanentFailureTurnsRemindersOff(t *testing.T) {
	e := newEnv(t)
	e.seed(t, 3, t0)
	rec := newRecorder(-1)
	rec.hook = func(int) error { return remind.Permanent(errors.New("Forbidden: bot was blocked by the user")) }
	d := e.dispatcher(fixedClock{t0.Add(time.Second)}, rec, nil, nil)
	if _, err := d.Round(ctx); err != nil {
		t.Fatal(err)
	}
	if n := e.st.Client().ZCard(ctx, store.DueKey("tg")).Val(); n != 0 {
		t.Errorf("%d entries left in the due index; blocked users' reminders must be off", n)
	}
	if rs, _ := e.st.ListReminders(ctx, "tg:1000"); len(rs) != 0 {
		t.Errorf("reminders still set: %+v", rs)
	}
}

func TestTransientFailuresAreRetried(t *testing.T) {
	e := newEnv(t)
	owners := e.seed(t, 10, t0)
	rec := newRecorder(len(owners))
	fails := map[int]bool{1: true, 2: true, 5: true} // the 1st, 2nd and 5th calls fail
	rec.hook = func(call int) error {
		if fails[call] {
			return errors.New("502 Bad Gateway")
		}
		return nil
	}
	d := e.dispatcher(instantClock{t0.Add(time.Second)}, rec, nil, func(c *remind.Config) { c.Workers = 1 })
	if _, err := d.Round(ctx); err != nil {
		t.Fatal(err)
	}
	for o, n := range rec.counts() {
		if n != 1 {
			t.Errorf("%s got %d", o, n)
		}
	}
	if len(rec.counts()) != len(owners) {
		t.Errorf("%d of %d delivered", len(rec.counts()), len(owners))
	}
	e.assertAllScheduled(t, owners)
	// A platform that keeps failing: the reminder is put back for later, not dropped.
	rec2 := newRecorder(-1)
	rec2.hook = func(int) error { return errors.New("connection reset") }
	e.seed(t, 1, t0)
	e.st.Client().ZAdd(ctx, store.DueKey("tg"), redis.Z{Score: float64(t0.UnixMilli()), Member: store.Member("tg:1000", "r1")})
	if _, err := e.dispatcher(instantClock{t0.Add(time.Second)}, rec2, nil, nil).Round(ctx); err != nil {
		t.Fatal(err)
	}
	if len(rec2.counts()) != 0 {
		t.Fatal("a failing send was counted as delivered")
	}
	sc := e.st.Client().ZScore(ctx, store.DueKey("tg"), store.Member("tg:1000", "r1")).Val()
	if want := t0.Add(time.Second + time.Minute).UnixMilli(); int64(sc) != want {
		t.Errorf("failing reminder due at %v, want a minute later", time.UnixMilli(int64(sc)).UTC())
	}
}

func TestClaimsOnlyPlatformsItDelivers(t *testing.T) {
	e := newEnv(t)
	e.seed(t, 3, t0)
	if _, err := e.st.AddReminder(ctx, "dc:555", domain.Reminder{Clock: schedule.Clock{Hour: 21}, Days: schedule.Daily, To: addr("dc:555")}, t0, ""); err != nil {
		t.Fatal(err)
	}
	rec := newRecorder(-1)
	d := e.dispatcher(fixedClock{t0.Add(time.Second)}, rec, nil, nil) // Telegram only
	if n, err := d.Round(ctx); err != nil || n != 3 {
		t.Fatalf("Round = %d, %v; want the 3 Telegram reminders", n, err)
	}
	sc := e.st.Client().ZScore(ctx, store.DueKey("dc"), store.Member("dc:555", "r1")).Val()
	if int64(sc) != t0.UnixMilli() || e.st.Client().HLen(ctx, store.LeaseKey("dc")).Val() != 0 {
		t.Errorf("a Telegram-only dispatcher touched the Discord reminder (due at %v)", time.UnixMilli(int64(sc)).UTC())
	}
}

// A second instance runs beside a real child process that is SIGKILLed mid-dispatch: they share
// the minute's reminders while both live; the survivor sends what the child had claimed as soon
// as the child's 15-second leases run out, well within 30 s of the minute; every reminder
// arrives, and only the child's sends in flight can repeat.
func TestSIGKILLWithASecondInstanceRunning(t *testing.T) {
	e := newEnv(t)
	owners := e.seed(t, 1000, t0)
	child := exec.Command(os.Args[0], "-test.run=^TestChildDispatcher$", "-test.count=1")
	child.Env = append(os.Environ(), "NEEDLEBOT_CHILD_REDIS="+e.srv.Addr())
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	// B dispatches at the child's moment (t0+1s), round after round, while the child lives.
	// Should B be so quick that the child sends few, the child is killed once B is well on.
	rec := newRecorder(600)
	go func() {
		<-rec.reached
		child.Process.Signal(syscall.SIGKILL)
	}()
	alive := make(chan struct{})
	started := make(chan struct{}) // the child's first send: from then on both dispatch
	bDone := make(chan struct{})
	go func() {
		defer close(bDone)
		select {
		case <-started:
		case <-alive:
			return
		}
		b := e.dispatcher(fixedClock{t0.Add(time.Second)}, rec, nil, nil)
		for {
			select {
			case <-alive:
				return
			default:
			}
			if _, err := b.Round(ctx); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	fromChild := map[string]int{}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if owner, ok := strings.CutPrefix(sc.Text(), "sent "); ok {
			fromChild[owner]++
			if len(fromChild) == 1 {
				close(started)
			}
			if len(fromChild) == 300 {
				child.Process.Signal(syscall.SIGKILL)
				break
			}
		}
	}
	for sc.Scan() {
		if owner, ok := strings.CutPrefix(sc.Text(), "sent "); ok {
			fromChild[owner]++
		}
	}
	child.Wait()
	close(alive)
	<-bDone
	shared := len(rec.counts())
	// 20 s after the minute the child's leases (15 s from t0+1s) have run out: B sends the rest.
	b := e.dispatcher(fixedClock{t0.Add(20 * time.Second)}, rec, nil, nil)
	for {
		n, err := b.Round(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	got := rec.counts()
	dups := 0
	for _, o := range owners {
		switch total := fromChild[o] + got[o]; {
		case total == 0:
			t.Errorf("%s never received its reminder", o)
		case total > 1:
			dups++
		}
	}
	t.Logf("the child sent %d before SIGKILL while B sent %d beside it; B sent the rest by t0+20s; %d repeats", len(fromChild), shared, dups)
	if shared == 0 {
		t.Error("B sent nothing while the child lived: it did not share the minute")
	}
	if dups > 4 { // the child's workers: its sends in flight at the kill
		t.Errorf("%d reminders repeated, more than the child's sends in flight", dups)
	}
	e.assertAllScheduled(t, owners)
}
