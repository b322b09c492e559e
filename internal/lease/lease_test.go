package lease

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/redistest"
)

// period is the lease period of these tests: short, so that they run in real time on a real
// Redis, whose clock expires the keys.
const period = 300 * time.Millisecond

// guard bounds every wait of a test: a guard against hangs, never a pause.
const guard = 10 * time.Second

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	t.Cleanup(cancel)
	return ctx
}

// servers are the Redis kinds a lease must work on: a real redis-server, and the in-process
// miniredis cmd/bot uses beside the embedded store (with its clock expiring keys).
func servers(t *testing.T) map[string]func(t *testing.T) *redis.Client {
	return map[string]func(t *testing.T) *redis.Client{
		"redis-server": func(t *testing.T) *redis.Client { return redistest.Start(t).Client() },
		"miniredis": func(t *testing.T) *redis.Client {
			mr := miniredis.NewMiniRedis()
			mr.ClockTTL(true)
			t.Cleanup(mr.Close)
			c := redis.NewClient(&redis.Options{Dialer: func(context.Context, string, string) (net.Conn, error) { return mr.Dial() }})
			t.Cleanup(func() { c.Close() })
			return c
		},
	}
}

// held waits for Hold to return, failing the test after guard.
func held(t *testing.T, ch <-chan *Held) *Held {
	t.Helper()
	select {
	case h := <-ch:
		return h
	case <-time.After(guard):
		t.Fatal("Hold did not return")
		return nil
	}
}

func hold(ctx context.Context, l *Lease) <-chan *Held {
	ch := make(chan *Held, 1)
	go func() {
		h, _ := l.Hold(ctx)
		ch <- h
	}()
	return ch
}

// TestOneHolderAtATime: a stand-by waits while the holder lives, extending the lease well past
// its period, takes over within a third of a period when the holder releases, and the released holder cannot
// extend or release the new holder's lease.
func TestOneHolderAtATime(t *testing.T) {
	for name, server := range servers(t) {
		t.Run(name, func(t *testing.T) {
			ctx := testCtx(t)
			rdb := server(t)
			key := Key("tg:1", "poller")
			a, b := New(rdb, key, period, WithToken("a")), New(rdb, key, period, WithToken("b"))
			ha := held(t, hold(ctx, a))
			gotB := hold(ctx, b)
			select {
			case <-gotB:
				t.Fatal("two holders at once")
			case <-time.After(3 * period): // the holder extends it over three periods
			}
			if v := rdb.Get(ctx, key).Val(); v != "a" {
				t.Fatalf("lease value %q, want the holder's token", v)
			}
			released := time.Now()
			if err := ha.Release(ctx); err != nil {
				t.Fatal(err)
			}
			hb := held(t, gotB)
			if took := time.Since(released); took > period/3+period/6 {
				t.Errorf("the stand-by took %s to take a released lease, want within a third of a period", took)
			}
			defer hb.Release(ctx)
			if ok, err := a.Extend(ctx); ok || err != nil {
				t.Errorf("the old holder extended the new one's lease: %v, %v", ok, err)
			}
			if err := a.Release(ctx); err != nil || rdb.Get(ctx, key).Val() != "b" {
				t.Errorf("the old holder's release removed the new one's lease (%v)", err)
			}
			select {
			case <-hb.Lost():
				t.Errorf("the new holder lost its lease: %v", hb.Err())
			case <-time.After(period):
			}
		})
	}
}

// TestDeadHolderHandsOver: a holder that dies (its connection to Redis gone, nothing released)
// knows it lost the lease before the stand-by takes it, and the stand-by takes it within one
// period of the holder's last extension.
func TestDeadHolderHandsOver(t *testing.T) {
	for name, server := range servers(t) {
		t.Run(name, func(t *testing.T) {
			ctx := testCtx(t)
			rdb := server(t)
			key := Key("tg:1", "poller")
			dying := redis.NewClient(rdb.Options()) // the holder's own connection, cut at its death
			defer dying.Close()
			a := New(dying, key, period, WithToken("a"))
			ha := held(t, hold(ctx, a))
			defer ha.Release(ctx)
			gotB := hold(ctx, New(rdb, key, period, WithToken("b")))

			dying.Close() // the holder dies: it can extend nothing, and releases nothing
			died := time.Now()
			var lostAt time.Time
			select {
			case <-ha.Lost():
				lostAt = time.Now()
			case <-time.After(guard):
				t.Fatal("the dead holder never learnt it lost the lease")
			}
			hb := held(t, gotB)
			tookOver := time.Now()
			defer hb.Release(ctx)
			if tookOver.Before(lostAt) {
				t.Errorf("the stand-by took over %s before the holder stopped", lostAt.Sub(tookOver))
			}
			if took := tookOver.Sub(died); took > period+period/2 {
				t.Errorf("takeover %s after the holder died, want within one period (%s) and a little", took, period)
			}
			if v := rdb.Get(ctx, key).Val(); v != "b" {
				t.Errorf("lease value %q, want the new holder's", v)
			}
		})
	}
}

// TestTakenLeaseIsLostAtOnce: when Redis says another holds the lease (it was taken while this
// holder could not reach Redis, say), the holder learns it at its next extension, within a
// third of a period, and releasing then leaves the other's lease alone.
func TestTakenLeaseIsLostAtOnce(t *testing.T) {
	ctx := testCtx(t)
	rdb := redistest.Start(t).Client()
	key := Key("dc:7", "shard:0")
	ha := held(t, hold(ctx, New(rdb, key, period, WithToken("a"))))
	rdb.Set(ctx, key, "intruder", period)
	taken := time.Now()
	select {
	case <-ha.Lost():
		if took := time.Since(taken); took > period/2 {
			t.Errorf("lost %s after the lease was taken, want within a third of a period", took)
		}
	case <-time.After(guard):
		t.Fatal("the holder did not notice its lease was taken")
	}
	if err := ha.Release(ctx); err != nil || rdb.Get(ctx, key).Val() != "intruder" {
		t.Errorf("release after the loss: %v, value %q", err, rdb.Get(ctx, key).Val())
	}
}

// TestHoldEndsWithItsContext: a stand-by whose context ends returns at once, holding nothing.
func TestHoldEndsWithItsContext(t *testing.T) {
	rdb := redistest.Start(t).Client()
	ctx := testCtx(t)
	key := Key("tg:1", "poller")
	ha := held(t, hold(ctx, New(rdb, key, time.Minute, WithToken("a"))))
	defer ha.Release(ctx)
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { _, err := New(rdb, key, time.Minute, WithToken("b")).Hold(sctx); done <- err }()
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Hold returned no error for a cancelled context")
		}
	case <-time.After(guard):
		t.Fatal("a cancelled stand-by did not return")
	}
	if v := rdb.Get(ctx, key).Val(); v != "a" {
		t.Errorf("lease value %q", v)
	}
}

func TestKey(t *testing.T) {
	if got := Key("tg:123", "poller"); got != "nb:lease:{tg:123}:poller" {
		t.Errorf("Key = %q", got)
	}
	if l := New(nil, "k", time.Second); l.Token() == New(nil, "k", time.Second).Token() {
		t.Error("two holders with one token")
	}
}
