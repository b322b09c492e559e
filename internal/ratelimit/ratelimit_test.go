package ratelimit

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/redistest"
)

// guard bounds every test: a guard against hangs, never a pause.
const guard = 10 * time.Second

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	t.Cleanup(cancel)
	return ctx
}

// fakeClock is the time of a miniredis and of the limiters on it: a wait moves both on by
// what it waits, at once, so that one caller's sends fall at exact, checkable times.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
	mr  *miniredis.Miniredis
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.mr.SetTime(c.now)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

// fakeRedis is a miniredis on the fake clock, its keys expiring by it.
func fakeRedis(t *testing.T) (*redis.Client, *fakeClock, *miniredis.Miniredis) {
	mr := miniredis.NewMiniRedis()
	t.Cleanup(mr.Close)
	clock := &fakeClock{now: time.Date(2026, 11, 28, 21, 0, 0, 0, time.UTC), mr: mr}
	mr.SetTime(clock.now)
	mr.ClockTTL(true)
	rdb := redis.NewClient(&redis.Options{Dialer: func(context.Context, string, string) (net.Conn, error) { return mr.Dial() }})
	t.Cleanup(func() { rdb.Close() })
	return rdb, clock, mr
}

func telegram(clock Clock) Config {
	return Config{Bot: "tg:1", Global: 30, PerChat: 1, GroupPerMinute: 20, IsGroup: func(c string) bool { return strings.HasPrefix(c, "-") }, Clock: clock}
}

func newLimiter(t *testing.T, rdb redis.UniversalClient, cfg Config) *Limiter {
	t.Helper()
	l, err := New(rdb, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// sends waits for each chat in turn and returns when each send was let go, from the start.
func sends(t *testing.T, ctx context.Context, l *Limiter, clock *fakeClock, chats ...string) []time.Duration {
	t.Helper()
	start := clock.Now()
	var at []time.Duration
	for _, c := range chats {
		if err := l.Wait(ctx, c); err != nil {
			t.Fatalf("Wait(%s): %v", c, err)
		}
		at = append(at, clock.Now().Sub(start))
	}
	return at
}

func ms(ds ...int) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = time.Duration(d) * time.Millisecond
	}
	return out
}

// near compares send times to within a millisecond (GCRA's arithmetic is in floating seconds).
func near(got, want []time.Duration) bool {
	return slices.EqualFunc(got, want, func(a, b time.Duration) bool { return (a - b).Abs() < time.Millisecond })
}

// TestLimits: sends to different chats go at the bot-wide rate, evenly spaced; one chat's at
// its own rate, without holding up the others' (the bot-wide slots are not spent on it); a
// group's at 20 a minute.
func TestLimits(t *testing.T) {
	ctx := testCtx(t)
	t.Run("bot-wide", func(t *testing.T) {
		rdb, clock, _ := fakeRedis(t)
		l := newLimiter(t, rdb, telegram(clock))
		chats := make([]string, 31)
		for i := range chats {
			chats[i] = string(rune('a' + i))
		}
		got := sends(t, ctx, l, clock, chats...)
		if last := got[30]; (last - time.Second).Abs() > time.Millisecond {
			t.Errorf("31 sends to 31 chats took %s, want 1s at 30 a second: %v", last, got)
		}
		for i := 1; i < len(got); i++ {
			if gap := got[i] - got[i-1]; gap < time.Second/30-time.Millisecond {
				t.Fatalf("sends %d and %d %s apart, under 1/30 s", i-1, i, gap)
			}
		}
	})
	t.Run("one chat", func(t *testing.T) {
		rdb, clock, _ := fakeRedis(t)
		l := newLimiter(t, rdb, telegram(clock))
		if got, want := sends(t, ctx, l, clock, "42", "42", "42"), ms(0, 1000, 2000); !near(got, want) {
			t.Errorf("three sends to one chat at %v, want %v", got, want)
		}
		// A chatty chat's next send waits for the chat; another chat's goes at once.
		if got, want := sends(t, ctx, l, clock, "42", "7"), ms(1000, 1000+34); !near(got, want) {
			t.Errorf("chatty chat then another at %v, want %v", got, want)
		}
	})
	t.Run("a chat's wait spends no bot-wide slot", func(t *testing.T) {
		rdb, clock, _ := fakeRedis(t)
		var trips redistest.RoundTrips
		rdb.AddHook(&trips)
		l := newLimiter(t, rdb, telegram(clock))
		sends(t, ctx, l, clock, "42")
		trips.Reset()
		sends(t, ctx, l, clock, "42")
		// The pauses (one pipeline), the bot-wide limit, the chat's: each asked once, after
		// waiting for the chat, rather than a bot-wide slot taken and wasted first.
		if n := trips.N(); n != 3 {
			t.Errorf("the second send to a chat took %d round trips, want 3", n)
		}
	})
	t.Run("group", func(t *testing.T) {
		rdb, clock, _ := fakeRedis(t)
		l := newLimiter(t, rdb, telegram(clock))
		if got, want := sends(t, ctx, l, clock, "-100", "-100", "-100"), ms(0, 3000, 6000); !near(got, want) {
			t.Errorf("three sends to a group at %v, want %v (20 a minute)", got, want)
		}
	})
	t.Run("fractional rates", func(t *testing.T) {
		rdb, clock, _ := fakeRedis(t)
		l := newLimiter(t, rdb, Config{Bot: "tg:1", Global: 2.5, PerChat: 0.5, Clock: clock})
		if got, want := sends(t, ctx, l, clock, "a", "b", "a"), ms(0, 400, 2000); !near(got, want) {
			t.Errorf("sends at %v, want %v", got, want)
		}
	})
}

// TestShared: two instances (two limiters, one Redis) share the bot's limits; another bot's
// limits are its own.
func TestShared(t *testing.T) {
	ctx := testCtx(t)
	rdb, clock, _ := fakeRedis(t)
	a, b := newLimiter(t, rdb, telegram(clock)), newLimiter(t, rdb, telegram(clock))
	other := telegram(clock)
	other.Bot = "tg:2"
	c := newLimiter(t, rdb, other)
	start := clock.Now()
	var at []time.Duration
	for i := range 10 {
		l := a
		if i%2 == 1 {
			l = b
		}
		if err := l.Wait(ctx, string(rune('a'+i))); err != nil {
			t.Fatal(err)
		}
		at = append(at, clock.Now().Sub(start))
	}
	if last := at[9]; (last - 9*time.Second/30).Abs() > time.Millisecond {
		t.Errorf("ten sends from two instances took %s, want 9/30 s: one limit between them (%v)", last, at)
	}
	// A chat one instance just sent to waits on the other.
	if got := sends(t, ctx, b, clock, "j"); got[0] < time.Second-10*time.Millisecond {
		t.Errorf("the other instance sent to the same chat %s later, want a second", got[0])
	}
	// The other bot is not held up by this one.
	if got := sends(t, ctx, c, clock, "a", "b"); !near(got, ms(0, 34)) {
		t.Errorf("another bot's sends at %v, want its own 30 a second", got)
	}
}

// TestPause: Telegram's 429 for one chat holds that chat, on every instance, for retry_after,
// and no other; a second 429 while the first pause runs holds every send.
func TestPause(t *testing.T) {
	ctx := testCtx(t)
	rdb, clock, _ := fakeRedis(t)
	a, b := newLimiter(t, rdb, telegram(clock)), newLimiter(t, rdb, telegram(clock))
	if err := a.Pause(ctx, "42", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := sends(t, ctx, b, clock, "7"); got[0] != 0 {
		t.Errorf("another chat waited %s for one chat's pause", got[0])
	}
	if got := sends(t, ctx, b, clock, "42"); (got[0] - 5*time.Second).Abs() > 10*time.Millisecond {
		t.Errorf("the paused chat's send went after %s on the other instance, want 5s", got[0])
	}
	// Two refusals within one pause: the bot-wide limit.
	a.Pause(ctx, "43", 4*time.Second)
	a.Pause(ctx, "44", 4*time.Second)
	if got := sends(t, ctx, b, clock, "45"); (got[0] - 4*time.Second).Abs() > 10*time.Millisecond {
		t.Errorf("after two refusals a third chat's send went after %s, want 4s", got[0])
	}
	// Chat "" pauses everything.
	a.Pause(ctx, "", 2*time.Second)
	if got := sends(t, ctx, b, clock, "46"); (got[0] - 2*time.Second).Abs() > 10*time.Millisecond {
		t.Errorf("after a bot-wide pause a send went after %s, want 2s", got[0])
	}
}

// TestKeys: every key is the bot's, under nb:rl:{BOT}: (redis_rate's "rate:" taken off), and
// expires soon after the sends.
func TestKeys(t *testing.T) {
	ctx := testCtx(t)
	rdb, clock, mr := fakeRedis(t)
	l := newLimiter(t, rdb, telegram(clock))
	sends(t, ctx, l, clock, "42", "-100")
	l.Pause(ctx, "42", time.Second)
	keys := mr.Keys()
	want := []string{"nb:rl:{tg:1}:429", "nb:rl:{tg:1}:all", "nb:rl:{tg:1}:c:-100", "nb:rl:{tg:1}:c:42", "nb:rl:{tg:1}:g:-100", "nb:rl:{tg:1}:pause:42"}
	if !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	for _, k := range keys {
		if ttl := mr.TTL(k); ttl <= 0 || ttl > time.Minute {
			t.Errorf("%s has TTL %s, want it to expire within a minute", k, ttl)
		}
	}
	clock.After(time.Minute)
	if keys := mr.Keys(); len(keys) != 0 {
		t.Errorf("a minute later keys remain: %v", keys)
	}
}

// TestRedisDown: with Redis gone, Wait says so at once (the caller sends unpaced rather than
// not at all), and asks Redis again only after the cooldown.
func TestRedisDown(t *testing.T) {
	ctx := testCtx(t)
	rdb, clock, mr := fakeRedis(t)
	l := newLimiter(t, rdb, telegram(clock))
	mr.SetError("LOADING Redis is loading the dataset in memory")
	if err := l.Wait(ctx, "42"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Wait with Redis failing = %v, want ErrUnavailable", err)
	}
	mr.SetError("")
	before := mr.CommandCount()
	if err := l.Wait(ctx, "42"); !errors.Is(err, ErrUnavailable) || mr.CommandCount() != before {
		t.Errorf("within the cooldown: %v, %d commands; want ErrUnavailable without asking", err, mr.CommandCount()-before)
	}
	clock.After(2 * time.Second)
	if err := l.Wait(ctx, "42"); err != nil {
		t.Errorf("after the cooldown: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := l.Wait(cctx, "42"); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait with a cancelled context = %v", err)
	}
}

// TestTwoInstancesOnRedis: on a real redis-server, in real time, eight senders on two
// instances stay under the bot-wide limit together: in no second do more than the limit go.
func TestTwoInstancesOnRedis(t *testing.T) {
	ctx := testCtx(t)
	rdb := redistest.Start(t).Client()
	const rate, n = 60, 90
	cfg := Config{Bot: "tg:1", Global: rate, PerChat: 1}
	a, b := newLimiter(t, rdb, cfg), newLimiter(t, rdb, cfg)
	var mu sync.Mutex
	var at []time.Time
	var wg sync.WaitGroup
	start := time.Now()
	for w := range 8 {
		l := a
		if w%2 == 1 {
			l = b
		}
		wg.Go(func() {
			for i := w; i < n; i += 8 {
				if err := l.Wait(ctx, string(rune('a'+i))); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				at = append(at, time.Now())
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	if min := time.Duration(n-1) * time.Second / rate; took < min-20*time.Millisecond {
		t.Errorf("%d sends took %s, under the %s the limit allows", n, took, min)
	}
	slices.SortFunc(at, time.Time.Compare)
	for i := range at {
		j := i
		for j < len(at) && at[j].Sub(at[i]) < time.Second {
			j++
		}
		if j-i > rate+2 { // a little slack: the times are taken after Redis answers
			t.Fatalf("%d sends in one second from %s, over %d", j-i, at[i].Sub(start), rate)
		}
	}
}
