package remind_test

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/kb"
	"github.com/needlebot/needlebot/internal/remind"
	"github.com/needlebot/needlebot/internal/schedule"
)

// These tests measure time, so they run in a synctest bubble: time.Now and timers are a fake
// clock that jumps ahead whenever every goroutine is waiting. The due index is an in-memory
// Queue here (a real network connection would not let the fake clock advance); the Redis
// queue itself is tested in internal/store and with real Redis in dispatcher_test.go.

// memQueue is the due index in memory, with the store's lease semantics.
type memQueue struct {
	mu     sync.Mutex
	score  map[string]time.Time
	leases map[string]string // member -> token
	due    map[string]time.Time
}

func newMemQueue(members []string, due time.Time) *memQueue {
	q := &memQueue{score: map[string]time.Time{}, leases: map[string]string{}, due: map[string]time.Time{}}
	for _, m := range members {
		q.score[m] = due
	}
	return q
}

func (q *memQueue) Claim(_ context.Context, _ domain.Platform, token string, now, until time.Time, n int) ([]remind.Claim, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var ms []string
	for m, s := range q.score {
		if !s.After(now) {
			ms = append(ms, m)
		}
	}
	sort.Strings(ms)
	var out []remind.Claim
	for _, m := range ms[:min(n, len(ms))] {
		if _, ok := q.due[m]; !ok {
			q.due[m] = q.score[m]
		}
		q.score[m], q.leases[m] = until, token
		out = append(out, remind.Claim{Member: m, Due: q.due[m]})
	}
	return out, nil
}

func (q *memQueue) Finish(_ context.Context, _ domain.Platform, token string, s []remind.Settle) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, x := range s {
		if q.leases[x.Member] != token {
			continue
		}
		n++
		delete(q.leases, x.Member)
		switch {
		case x.Kind == remind.Release:
			q.score[x.Member] = q.due[x.Member]
			delete(q.due, x.Member)
		case x.Kind == remind.Retry:
			q.score[x.Member] = x.At
		case x.At.IsZero():
			delete(q.score, x.Member)
			delete(q.due, x.Member)
		default:
			q.score[x.Member] = x.At
			delete(q.due, x.Member)
		}
	}
	return n, nil
}

func (q *memQueue) Extend(_ context.Context, _ domain.Platform, token string, members []string, until time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, m := range members {
		if q.leases[m] == token {
			q.score[m] = until
		}
	}
	return nil
}

func (q *memQueue) NextDue(context.Context, []domain.Platform) (time.Time, bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var first time.Time
	for _, s := range q.score {
		if first.IsZero() || s.Before(first) {
			first = s
		}
	}
	return first, !first.IsZero(), nil
}

func (q *memQueue) Targets(_ context.Context, _ domain.Platform, claims []remind.Claim, _ time.Time) ([]remind.Target, error) {
	out := make([]remind.Target, len(claims))
	for i, c := range claims {
		o, id, _ := strings.Cut(c.Member, "|")
		owner := domain.Owner(o)
		out[i] = remind.Target{Claim: c, Owner: owner, ID: id, Exists: true,
			Reminder: domain.Reminder{ID: id, Clock: schedule.Clock{Hour: 21}, Days: schedule.Daily, To: addr(owner)}}
	}
	return out, nil
}

func (q *memQueue) DisableReminders(context.Context, domain.Owner, domain.Address) error { return nil }

// timed records when each send happened, on the bubble's clock.
type timed struct {
	mu   sync.Mutex
	at   []time.Time
	fail func(call int) error
	sent chan time.Time // when set, receives each send's time
}

func (n *timed) Notify(_ context.Context, x remind.Notice) error {
	n.mu.Lock()
	call := len(n.at) + 1
	now := time.Now()
	n.at = append(n.at, now)
	n.mu.Unlock()
	if n.sent != nil {
		n.sent <- now
	}
	if n.fail != nil {
		return n.fail(call)
	}
	return nil
}

func bot() *commands.Bot {
	return commands.New(commands.Config{KB: kb.Default(), ButtonKey: []byte("0123456789abcdef0123456789abcdef")})
}

func TestRetryAfterIsHonoured(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newMemQueue([]string{"tg:1|r1"}, time.Now())
		n := &timed{fail: func(call int) error {
			if call == 1 {
				return &remind.RetryAfterError{After: 5 * time.Second}
			}
			return nil
		}}
		d := remind.New(remind.Config{Queue: q, Composer: bot(), Notifiers: map[domain.Platform]remind.Notifier{domain.Telegram: n}})
		if _, err := d.Round(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(n.at) != 2 {
			t.Fatalf("%d sends, want the 429 and one retry", len(n.at))
		}
		if gap := n.at[1].Sub(n.at[0]); gap < 5*time.Second {
			t.Errorf("retried %v after a retry_after of 5s", gap)
		}
	})
}

func TestRetryAfterHoldsEveryone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newMemQueue([]string{"tg:1|r1", "tg:2|r1", "tg:3|r1"}, time.Now())
		start := time.Now()
		n := &timed{fail: func(call int) error {
			if call == 1 {
				return &remind.RetryAfterError{After: 10 * time.Second}
			}
			return nil
		}}
		d := remind.New(remind.Config{Queue: q, Composer: bot(), Workers: 1,
			Notifiers: map[domain.Platform]remind.Notifier{domain.Telegram: n}})
		d.Round(context.Background())
		if len(n.at) != 4 {
			t.Fatalf("%d sends, want 4", len(n.at))
		}
		for i, at := range n.at[1:] {
			if at.Sub(start) < 10*time.Second {
				t.Errorf("send %d went out %v after a 10s retry_after", i+2, at.Sub(start))
			}
		}
	})
}

func TestGlobalRateWithinTenPercent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n, rate = 300, 30.0
		var members []string
		for i := range n {
			members = append(members, "tg:"+strconv.Itoa(1000+i)+"|r1")
		}
		q := newMemQueue(members, time.Now())
		rec := &timed{}
		d := remind.New(remind.Config{Queue: q, Composer: bot(), Batch: n, Workers: 16,
			Notifiers: map[domain.Platform]remind.Notifier{domain.Telegram: rec},
			Rates:     map[domain.Platform]remind.Rate{domain.Telegram: {Global: rate, PerChat: 1}}})
		// A round claims what it can send in two seconds, so the others can share the rest.
		for round := 0; round < n; round++ {
			claimed, err := d.Round(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if claimed == 0 {
				break
			}
			if claimed > 2*int(rate) {
				t.Fatalf("one round claimed %d at %.0f/s", claimed, rate)
			}
		}
		if len(rec.at) != n {
			t.Fatalf("%d sends, want %d", len(rec.at), n)
		}
		sort.Slice(rec.at, func(i, j int) bool { return rec.at[i].Before(rec.at[j]) })
		elapsed := rec.at[n-1].Sub(rec.at[0])
		got := float64(n-1) / elapsed.Seconds()
		t.Logf("%d sends in %v: %.2f/s against a limit of %.0f/s", n, elapsed, got, rate)
		if got > rate*1.1 || got < rate*0.9 {
			t.Errorf("rate %.2f/s, want within 10%% of %.0f/s", got, rate)
		}
		// And no one-second window holds more than the limit.
		for i := range rec.at {
			j := i
			for j < n && rec.at[j].Sub(rec.at[i]) < time.Second {
				j++
			}
			if j-i > int(rate) {
				t.Fatalf("%d sends within one second from %v", j-i, rec.at[i])
			}
		}
	})
}

func TestPerChatRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// One chat receiving three reminders (say, three owners reminded in one group).
		q := newMemQueue([]string{"tg:7|r1", "tg:7|r2", "tg:7|r3"}, time.Now())
		rec := &timed{}
		d := remind.New(remind.Config{Queue: q, Composer: bot(), Notifiers: map[domain.Platform]remind.Notifier{domain.Telegram: rec}})
		d.Round(context.Background())
		if len(rec.at) != 3 {
			t.Fatalf("%d sends", len(rec.at))
		}
		sort.Slice(rec.at, func(i, j int) bool { return rec.at[i].Before(rec.at[j]) })
		for i := 1; i < 3; i++ {
			if gap := rec.at[i].Sub(rec.at[i-1]); gap < time.Second {
				t.Errorf("two sends to one chat %v apart, want at least 1s", gap)
			}
		}
	})
}

func TestPollingWakesAtTheNextDueTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		q := newMemQueue([]string{"tg:1|r1"}, start.Add(7*time.Second+300*time.Millisecond))
		rec := &timed{sent: make(chan time.Time, 1)}
		ctx, cancel := context.WithCancel(context.Background())
		d := remind.New(remind.Config{Queue: q, Composer: bot(), MaxPoll: time.Minute,
			Notifiers: map[domain.Platform]remind.Notifier{domain.Telegram: rec}})
		done := make(chan struct{})
		go func() { d.Run(ctx); close(done) }()
		// Waiting here blocks every goroutine in the bubble, so its clock jumps to the
		// dispatcher's next timer.
		sentAt := <-rec.sent
		if got := sentAt.Sub(start); got != 7*time.Second+300*time.Millisecond {
			t.Errorf("sent %v after start, want exactly when it was due (7.3s)", got)
		}
		cancel()
		<-done
	})
}

func TestShutdownReleasesWhatItCannotSend(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var members []string
		for i := range 50 {
			members = append(members, "tg:"+strconv.Itoa(i)+"|r1")
		}
		q := newMemQueue(members, time.Now())
		ctx, cancel := context.WithCancel(context.Background())
		rec := &timed{fail: func(call int) error {
			if call == 10 {
				cancel() // SIGTERM arrives mid-batch
			}
			return nil
		}}
		d := remind.New(remind.Config{Queue: q, Composer: bot(), Workers: 1, Batch: 50,
			Notifiers: map[domain.Platform]remind.Notifier{domain.Telegram: rec},
			Rates:     map[domain.Platform]remind.Rate{}})
		start := time.Now()
		if err := d.Run(ctx); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took > 10*time.Second {
			t.Errorf("shutdown took %v", took)
		}
		q.mu.Lock()
		defer q.mu.Unlock()
		if len(q.leases) != 0 {
			t.Errorf("%d claims still leased after shutdown", len(q.leases))
		}
		pending := 0
		for _, s := range q.score {
			if !s.After(start) {
				pending++ // released: due now, for whoever runs next
			}
		}
		if len(rec.at)+pending != 50 {
			t.Errorf("%d sent + %d released, want all 50 accounted for", len(rec.at), pending)
		}
	})
}

type sharedRate float64

func (r sharedRate) Rate() float64 { return float64(r) }

// A platform whose notifier paces itself under a shared limit is not paced again here: claims
// are sized by the shared rate, and a retry_after holds back only the reminder refused.
func TestSharedRateIsNotPacedTwice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var members []string
		for i := range 100 {
			members = append(members, "tg:"+strconv.Itoa(1000+i)+"|r1")
		}
		start := time.Now()
		q := newMemQueue(members, start)
		rec := &timed{fail: func(call int) error {
			if call == 1 {
				return &remind.RetryAfterError{After: 30 * time.Second}
			}
			return nil
		}}
		d := remind.New(remind.Config{Queue: q, Composer: bot(), Workers: 4,
			Notifiers: map[domain.Platform]remind.Notifier{domain.Telegram: rec},
			Rates:     map[domain.Platform]remind.Rate{domain.Telegram: {Global: 1, PerChat: 1}}, // ignored: shared
			Shared:    map[domain.Platform]remind.SharedRate{domain.Telegram: sharedRate(30)}})
		claimed, err := d.Round(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if claimed != 60 {
			t.Errorf("claimed %d, want two seconds at the shared 30/s", claimed)
		}
		if len(rec.at) != claimed {
			t.Errorf("%d sends for %d claims", len(rec.at), claimed)
		}
		for i, at := range rec.at {
			if at.Sub(start) > time.Second {
				t.Fatalf("send %d waited %v: paced here again, or held by another's retry_after", i+1, at.Sub(start))
			}
		}
	})
}
