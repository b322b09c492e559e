package remind_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/redistest"
	"github.com/needlebot/needlebot/internal/remind"
	"github.com/needlebot/needlebot/internal/store"
)

type nopNotifier struct{}

func (nopNotifier) Notify(context.Context, remind.Notice) error { return nil }

// BenchmarkDispatch100k claims, composes, "sends" (a no-op notifier) and acknowledges 100,000
// due reminders against a real redis-server, one dispatcher, and reports reminders per second
// and Redis round trips per reminder. Run it by hand:
//
//	go test ./internal/remind -run '^$' -bench Dispatch100k -benchtime 1x -count 5
func BenchmarkDispatch100k(b *testing.B) {
	const n = 100_000
	e := newEnv(b)
	var hook redistest.RoundTrips
	e.st.Client().AddHook(&hook)
	var total time.Duration
	var trips int64
	for b.Loop() {
		b.StopTimer()
		e.st.Client().FlushAll(context.Background())
		e.seed(b, n, t0)
		hook.Reset()
		d := e.dispatcher(fixedClock{t0.Add(time.Second)}, nopNotifier{}, nil, func(c *remind.Config) {
			c.Batch, c.Workers = 1000, 32
		})
		b.StartTimer()
		start := time.Now()
		done := 0
		for {
			k, err := d.Round(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if k == 0 {
				break
			}
			done += k
		}
		total += time.Since(start)
		trips += hook.N()
		if done != n {
			b.Fatalf("dispatched %d, want %d", done, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "reminders/s")
	b.ReportMetric(float64(trips)/float64(n*b.N), "roundtrips/reminder")
}

// TestMemoryPerScheduledUser reports how much Redis memory one user with a daily reminder and
// a time zone costs, from INFO used_memory before and after 100,000 of them. It only logs: run
// it by hand with -v -run MemoryPerScheduledUser.
func TestMemoryPerScheduledUser(t *testing.T) {
	if testing.Short() || !testing.Verbose() {
		t.Skip("a measurement, not a check: run with -v -run MemoryPerScheduledUser")
	}
	e := newEnv(t)
	const n = 100_000
	before, _ := strconv.Atoi(e.srv.Info("used_memory"))
	pipe := e.st.Client().Pipeline()
	for i := range n {
		owner := domain.Owner("tg:" + strconv.Itoa(100000000+i))
		pipe.HSet(context.Background(), "nb:{"+string(owner)+"}:r", "r1", `{"h":21,"m":30,"d":127,"c":"`+string(owner)[3:]+`"}`)
		pipe.HSet(context.Background(), "nb:{"+string(owner)+"}:p", "rseq", 1, "tz", "Europe/Berlin")
		pipe.ZAdd(context.Background(), store.DueKey("tg"), redis.Z{Score: float64(t0.UnixMilli()), Member: store.Member(owner, "r1")})
		if i%5000 == 4999 {
			pipe.Exec(context.Background())
		}
	}
	pipe.Exec(context.Background())
	after, _ := strconv.Atoi(e.srv.Info("used_memory"))
	t.Logf("used_memory %d -> %d bytes: %.0f bytes per scheduled user (reminder hash, profile hash, due-index entry)", before, after, float64(after-before)/n)
}

// addr is where a test owner named like its identity ("tg:5") gets its reminders.
func addr(owner domain.Owner) domain.Address {
	id, _ := domain.ParseIdentity(string(owner))
	return domain.DirectTo(id)
}

// BenchmarkDispatch100kTwoInstances is BenchmarkDispatch100k with two dispatchers sharing the
// queue, as two instances do.
func BenchmarkDispatch100kTwoInstances(b *testing.B) {
	const n = 100_000
	e := newEnv(b)
	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		e.st.Client().FlushAll(context.Background())
		e.seed(b, n, t0)
		b.StartTimer()
		start := time.Now()
		var done atomic.Int64
		var wg sync.WaitGroup
		for range 2 {
			d := e.dispatcher(fixedClock{t0.Add(time.Second)}, nopNotifier{}, nil, func(c *remind.Config) {
				c.Batch, c.Workers = 1000, 32
			})
			wg.Go(func() {
				for {
					k, err := d.Round(context.Background())
					if err != nil {
						b.Error(err)
						return
					}
					if k == 0 {
						return
					}
					done.Add(int64(k))
				}
			})
		}
		wg.Wait()
		total += time.Since(start)
		if got := done.Load(); got != n {
			b.Fatalf("dispatched %d, want %d", got, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "reminders/s")
}
