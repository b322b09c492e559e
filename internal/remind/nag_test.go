package remind_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/kb"
	"github.com/needlebot/needlebot/internal/remind"
	"github.com/needlebot/needlebot/internal/schedule"
	"github.com/needlebot/needlebot/internal/store"
)

// threads is a Notifier that names each message it sends ("m1", "m2", ...) and remembers the
// message each notice followed, as a front end that threads repeats would.
type threads struct {
	mu      sync.Mutex
	n       int
	notices []remind.Notice
	names   []string
}

func (r *threads) Notify(ctx context.Context, n remind.Notice) error {
	_, err := r.NotifyThread(ctx, n)
	return err
}

func (r *threads) NotifyThread(_ context.Context, n remind.Notice) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	r.notices = append(r.notices, n)
	name := fmt.Sprintf("m%d", r.n)
	r.names = append(r.names, name)
	return name, nil
}

// to returns what chat received, in order.
func (r *threads) to(chat string) []remind.Notice {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []remind.Notice
	for _, n := range r.notices {
		if n.To.Chat == chat {
			out = append(out, n)
		}
	}
	return out
}

// nagEnv is env with a bot whose clock the test moves, so that the reminders' buttons can be
// pressed at the time they are sent.
type nagEnv struct {
	*env
	now atomic.Pointer[time.Time]
	seq int
}

func newNagEnv(t *testing.T) *nagEnv {
	e := &nagEnv{env: newEnv(t)}
	e.at(t0.Add(-time.Hour)) // reminders set now come first at t0
	e.bot = commands.New(commands.Config{KB: kb.Default(), Store: e.st, ButtonKey: []byte("0123456789abcdef0123456789abcdef"),
		Now: func() time.Time { return *e.now.Load() }})
	return e
}

func (e *nagEnv) at(t time.Time) { e.now.Store(&t) }

// round runs one dispatcher round at t.
func (e *nagEnv) round(t *testing.T, at time.Time, n remind.Notifier) {
	t.Helper()
	e.at(at)
	if _, err := e.dispatcher(fixedClock{at}, n, nil, nil).Round(ctx); err != nil {
		t.Fatal(err)
	}
}

// remind sets a reminder for user, nagging every nag.
func (e *nagEnv) remind(t *testing.T, user string, clock schedule.Clock, nag time.Duration, loc *time.Location) {
	t.Helper()
	owner := domain.Owner("tg:" + user)
	next := schedule.Next(clock, schedule.Daily, loc, *e.now.Load())
	if _, err := e.st.AddReminder(ctx, owner, domain.Reminder{Clock: clock, Days: schedule.Daily, To: domain.Address{Platform: domain.Telegram, Chat: user}, Nag: nag}, next, ""); err != nil {
		t.Fatal(err)
	}
}

// press presses the labelled button of a reminder, as user.
func (e *nagEnv) press(t *testing.T, user string, r domain.Reply, label string) domain.Reply {
	t.Helper()
	for _, row := range r.Buttons {
		for _, b := range row {
			if b.Label == label {
				e.seq++
				return e.bot.Respond(ctx, &commands.Request{ID: fmt.Sprintf("tg:u:%d", e.seq), Platform: domain.Telegram,
					UserID: user, ChatID: user, Private: true, Button: b.Data, Time: *e.now.Load()})
			}
		}
	}
	t.Fatalf("no button %q in %+v", label, r.Buttons)
	return domain.Reply{}
}

func TestNagComesAtMostThreeTimesFollowingTheFirst(t *testing.T) {
	e := newNagEnv(t)
	e.remind(t, "1", schedule.Clock{Hour: 21}, 20*time.Minute, time.UTC)
	rec := &threads{}
	for m := 0; m <= 100; m += 10 {
		e.round(t, t0.Add(time.Duration(m)*time.Minute), rec)
	}
	got := rec.to("1")
	if len(got) != 1+domain.MaxNags {
		t.Fatalf("%d reminders between 21:00 and 22:40, want the first and %d repeats", len(got), domain.MaxNags)
	}
	for i, n := range got[1:] {
		if n.Thread != "m1" {
			t.Errorf("repeat %d follows %q, want the first reminder m1", i+1, n.Thread)
		}
		if !strings.Contains(n.Reply.Text, fmt.Sprintf("Reminder %d of 4", i+2)) {
			t.Errorf("repeat %d says %q", i+1, n.Reply.Text)
		}
	}
	if got[0].Thread != "" {
		t.Errorf("the first reminder follows %q", got[0].Thread)
	}
	// Tomorrow's reminder is scheduled, and no repeat is left.
	if sc, err := e.st.Client().ZScore(ctx, store.DueKey("tg"), store.Member("tg:1", "r1")).Result(); err != nil || int64(sc) != t0.Add(24*time.Hour).UnixMilli() {
		t.Errorf("next reminder at %v (%v)", time.UnixMilli(int64(sc)).UTC(), err)
	}
	if n := e.st.Client().HLen(ctx, store.NagKey("tg")).Val(); n != 0 {
		t.Errorf("%d repeat states left", n)
	}
}

func TestNagStopsWhenAnswered(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer func(t *testing.T, e *nagEnv, first domain.Reply)
	}{
		{"done", func(t *testing.T, e *nagEnv, first domain.Reply) { e.press(t, "1", first, "Done") }},
		{"skip", func(t *testing.T, e *nagEnv, first domain.Reply) { e.press(t, "1", first, "Skip tonight") }},
		{"snooze", func(t *testing.T, e *nagEnv, first domain.Reply) {
			e.press(t, "1", e.press(t, "1", first, "Snooze…"), "1 h") // the snooze comes instead, once
		}},
		{"session logged", func(t *testing.T, e *nagEnv, _ domain.Reply) {
			if _, err := e.st.AddSession(ctx, "tg:1", domain.Session{At: *e.now.Load(), NeedleMM: 0.25}, "", *e.now.Load()); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newNagEnv(t)
			e.remind(t, "1", schedule.Clock{Hour: 21}, 20*time.Minute, time.UTC)
			rec := &threads{}
			e.round(t, t0, rec)
			e.round(t, t0.Add(20*time.Minute), rec) // the first repeat
			got := rec.to("1")
			if len(got) != 2 {
				t.Fatalf("%d reminders by 21:20, want 2", len(got))
			}
			e.at(t0.Add(25 * time.Minute))
			tc.answer(t, e, got[1].Reply) // a button of any of them settles all
			for m := 30; m <= 120; m += 10 {
				e.round(t, t0.Add(time.Duration(m)*time.Minute), rec)
			}
			got = rec.to("1")
			want := 2
			if tc.name == "snooze" {
				want = 3 // the snooze at 22:25
			}
			if len(got) != want {
				t.Errorf("%d reminders after it was answered by %s, want %d", len(got), tc.name, want)
			}
			for _, n := range got[2:] {
				if strings.Contains(n.Reply.Text, "Reminder ") {
					t.Errorf("a repeat came after %s: %q", tc.name, n.Reply.Text)
				}
			}
		})
	}
}

func TestNagStopsAtLocalMidnight(t *testing.T) {
	e := newNagEnv(t)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	e.st.SetZone(ctx, "tg:1", "Europe/Berlin", nil)
	e.remind(t, "1", schedule.Clock{Hour: 23, Minute: 20}, 20*time.Minute, berlin)
	first := time.Date(2026, 11, 28, 23, 20, 0, 0, berlin)
	rec := &threads{}
	for m := 0; m <= 120; m += 10 {
		e.round(t, first.Add(time.Duration(m)*time.Minute), rec)
	}
	if got := rec.to("1"); len(got) != 2 {
		t.Errorf("%d reminders from 23:20 with repeats every 20 min, want 2: 23:40 is the last before midnight", len(got))
	}
	// A repeat claimed after midnight (the bot was down) is dropped, not sent.
	e.at(t0)
	e.remind(t, "2", schedule.Clock{Hour: 23, Minute: 30}, 20*time.Minute, time.UTC)
	late := &threads{}
	e.round(t, time.Date(2026, 11, 28, 23, 30, 0, 0, time.UTC), late)
	e.round(t, time.Date(2026, 11, 29, 0, 5, 0, 0, time.UTC), late) // the 23:50 repeat, claimed at 00:05
	if got := late.to("2"); len(got) != 1 {
		t.Errorf("%d reminders, want only the first: a repeat after midnight is dropped", len(got))
	}
}

// Two dispatchers at once, one of them dying mid-round without settling: every repeat is
// scheduled once, and nobody gets more than the first and three repeats beyond the sends in
// flight at the crash.
func TestNagNeverDoubledAcrossInstances(t *testing.T) {
	e := newNagEnv(t)
	const users = 300
	for i := range users {
		e.remind(t, fmt.Sprint(2000+i), schedule.Clock{Hour: 21}, 20*time.Minute, time.UTC)
	}
	rec := &threads{}
	// At 21:20 a dispatcher claims every repeat, sends 50 and dies without settling.
	e.round(t, t0, rec)
	dying := &dyingNotifier{threads: rec, after: 50, dead: make(chan struct{})}
	dctx, kill := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		e.dispatcher(instantClock{t0.Add(20 * time.Minute)}, dying, deadQueue{e.st}, nil).Round(dctx)
		close(done)
	}()
	<-dying.dead
	kill()
	<-done
	// Two instances go on after the dead one's leases ran out.
	for m := 22; m <= 100; m += 2 {
		at := t0.Add(time.Duration(m) * time.Minute)
		e.at(at)
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() { e.dispatcher(fixedClock{at}, rec, nil, nil).Round(ctx) })
		}
		wg.Wait()
	}
	extra := 0
	for i := range users {
		n := len(rec.to(fmt.Sprint(2000 + i)))
		if n < 1+domain.MaxNags {
			t.Errorf("user %d got %d reminders, want %d", i, n, 1+domain.MaxNags)
		}
		extra += n - (1 + domain.MaxNags)
	}
	if extra > 50 {
		t.Errorf("%d repeats sent twice, more than the 50 in flight at the crash", extra)
	}
}

// dyingNotifier sends after notices, then hangs as a killed process would.
type dyingNotifier struct {
	*threads
	after int
	sent  atomic.Int32
	once  sync.Once
	dead  chan struct{}
}

func (d *dyingNotifier) NotifyThread(ctx context.Context, n remind.Notice) (string, error) {
	if d.dead == nil {
		panic("dead channel")
	}
	if int(d.sent.Add(1)) > d.after {
		d.once.Do(func() { close(d.dead) })
		<-ctx.Done()
		return "", ctx.Err()
	}
	return d.threads.NotifyThread(ctx, n)
}

func (d *dyingNotifier) Notify(ctx context.Context, n remind.Notice) error {
	_, err := d.NotifyThread(ctx, n)
	return err
}

// A paused user gets nothing on the break's days, and the next reminder after it at the same
// local time, though the clocks changed during the break.
func TestBreakHoldsRemindersAcrossDST(t *testing.T) {
	e := newNagEnv(t)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2027, 3, 25, 12, 0, 0, 0, berlin)
	e.at(start)
	e.st.SetZone(ctx, "tg:1", "Europe/Berlin", nil)
	e.remind(t, "1", schedule.Clock{Hour: 21}, 0, berlin)
	// Clocks go forward on Sunday 28 March 2027; the break is Friday to Sunday.
	if err := e.st.SetBreak(ctx, "tg:1", domain.Break{From: "2027-03-26", To: "2027-03-28"}); err != nil {
		t.Fatal(err)
	}
	rec := &threads{}
	for day := 25; day <= 29; day++ {
		e.round(t, time.Date(2027, 3, day, 21, 0, 30, 0, berlin), rec)
	}
	var days []string
	for _, n := range rec.to("1") {
		days = append(days, n.Reply.Title)
	}
	if got := rec.to("1"); len(got) != 2 {
		t.Fatalf("%d reminders from Thursday to Monday with Friday to Sunday off, want 2 (Thursday, Monday): %v", len(got), days)
	}
	sc, _ := e.st.Client().ZScore(ctx, store.DueKey("tg"), store.Member("tg:1", "r1")).Result()
	if next, want := time.UnixMilli(int64(sc)), time.Date(2027, 3, 30, 21, 0, 0, 0, berlin); !next.Equal(want) {
		t.Errorf("next reminder at %v, want %v (21:00 CEST)", next.In(berlin), want)
	}
}

// With the platform's limit, a dispatcher claims only what it can send in a couple of
// seconds: a second instance finds the rest at once, and the reminders of one that died are
// sent within one lease, with only its sends in flight repeated.
func TestInstancesShareTheMinuteAndTakeOverWithinALease(t *testing.T) {
	e := newNagEnv(t)
	owners := e.seed(t, 150, t0)
	rates := func(c *remind.Config) {
		c.Rates = map[domain.Platform]remind.Rate{domain.Telegram: {Global: 30, PerChat: 1}}
	}
	// A claims its share, sends 20 and dies, settling nothing more.
	dying := &dyingNotifier{threads: &threads{}, after: 20, dead: make(chan struct{})}
	aCtx, killA := context.WithCancel(ctx)
	aDone := make(chan struct{})
	go func() {
		e.dispatcher(instantClock{t0}, dying, deadQueue{e.st}, rates).Round(aCtx)
		close(aDone)
	}()
	<-dying.dead
	// B, at the same moment, is not held up by A's claims: it sends everything else.
	b := &threads{}
	bd := e.dispatcher(instantClock{t0.Add(time.Second)}, b, nil, rates)
	for {
		n, err := bd.Round(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	heldByA := 150 - len(b.notices)
	if heldByA > 60 {
		t.Errorf("A held %d reminders out of B's reach, more than two seconds of sends", heldByA)
	}
	killA()
	<-aDone
	// One lease later (15 s), B sends what A claimed and never settled.
	after := e.dispatcher(instantClock{t0.Add(17 * time.Second)}, b, nil, rates)
	for {
		n, err := after.Round(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	got := map[string]int{}
	for _, n := range append(b.notices, dying.threads.notices...) {
		got[n.To.String()]++
	}
	dups := 0
	for _, o := range owners {
		switch got[o] {
		case 0:
			t.Errorf("%s never got its reminder", o)
		case 1:
		default:
			dups++
		}
	}
	if dups > 20 {
		t.Errorf("%d reminders sent twice, more than the 20 A had in flight", dups)
	}
	t.Logf("A claimed %d and sent 20 before dying; B sent %d at once and the rest after one lease; %d repeats", heldByA, 150-heldByA, dups)
}
