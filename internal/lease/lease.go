// Package lease is one Redis lease mechanism for everything that must run once among several
// instances sharing a Redis: the Telegram poller, each Discord shard, each reminder claim.
//
// A lease is a key set with SET NX PX to a token unique to its holder. The holder extends it
// while it works, every third of the lease period, by a compare-and-set on the token (Lua), and
// releases it the same way, so that nobody ever extends or deletes a lease it does not hold. A
// holder that dies stops extending: its lease runs out within one period and a stand-by takes
// it. A holder learns that it lost the lease (Redis says another holds it, or it could not
// extend it before it ran out by its own clock) before anyone else can take it, and stops.
//
// Keys are "nb:lease:{OWNER}:NAME" (see Key), one key per lease, so every script touches one
// key and runs unchanged on Redis Cluster. The value is the token, which names the holder
// (host, process, random), so "GET nb:lease:{tg:123}:poller" tells an operator who holds it.
package lease

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/clock"
)

// Key names a lease of owner (a bot, "tg:123456", or an application, "dc:98765"):
// "nb:lease:{OWNER}:NAME". The owner is the hash tag, so an owner's leases and limits
// (internal/ratelimit) share a Redis Cluster slot.
func Key(owner, name string) string { return "nb:lease:{" + owner + "}:" + name }

// Clock is the time a lease runs on: the real one unless a test gives another.
type Clock = clock.Clock

// Lease is one named lease as seen by one would-be holder. It is safe for concurrent use, but
// one holder holds it once at a time: Hold again only after the last Held is released or lost.
type Lease struct {
	rdb    redis.Scripter
	key    string
	token  string
	period time.Duration
	clock  Clock
}

// Option configures a Lease.
type Option func(*Lease)

// WithClock sets the clock; the lease's expiry in Redis still runs on Redis's clock.
func WithClock(c Clock) Option { return func(l *Lease) { l.clock = c } }

// WithToken sets the holder's token instead of a random one (tests, or a stable name).
func WithToken(token string) Option { return func(l *Lease) { l.token = token } }

// New returns the lease key with the given period (at least 30 ms; leases are meant to be a few
// seconds), held, once acquired, under a token unique to this call.
func New(rdb redis.Scripter, key string, period time.Duration, opts ...Option) *Lease {
	l := &Lease{rdb: rdb, key: key, token: newToken(), period: max(period, 30*time.Millisecond), clock: clock.Real{}}
	for _, o := range opts {
		o(l)
	}
	return l
}

// newToken is "host:pid:random", unique to one holder and telling an operator where it runs.
func newToken() string {
	host, _ := os.Hostname()
	var b [6]byte
	rand.Read(b[:])
	return host + ":" + strconv.Itoa(os.Getpid()) + ":" + hex.EncodeToString(b[:])
}

// Key returns the lease's key.
func (l *Lease) Key() string { return l.key }

// Token returns this holder's token, the lease's value while it holds it.
func (l *Lease) Token() string { return l.token }

// Period returns how long the lease lasts unless extended.
func (l *Lease) Period() time.Duration { return l.period }

// acquireScript takes the lease if it is free, or renews it if the caller holds it already. It
// returns 0 when the caller holds it, else how many milliseconds the other holder's lease has
// left.
var acquireScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v == false or v == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 0
end
local left = redis.call('PTTL', KEYS[1])
if left < 1 then return tonumber(ARGV[2]) end
return left
`)

// extendScript renews the lease for another period if the caller still holds it: 1, else 0.
var extendScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`)

// releaseScript deletes the lease if the caller still holds it: 1, else 0.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// TryAcquire takes the lease if it is free (or already this holder's). When another holds it,
// held is false and left is how long that holder's lease has to run unless extended.
func (l *Lease) TryAcquire(ctx context.Context) (held bool, left time.Duration, err error) {
	ms, err := acquireScript.Run(ctx, l.rdb, []string{l.key}, l.token, l.period.Milliseconds()).Int64()
	if err != nil {
		return false, 0, fmt.Errorf("lease %s: acquire: %w", l.key, err)
	}
	return ms == 0, time.Duration(ms) * time.Millisecond, nil
}

// Extend renews the lease for another period; false means this holder no longer holds it
// (it ran out, or another holder has it now).
func (l *Lease) Extend(ctx context.Context) (bool, error) {
	n, err := extendScript.Run(ctx, l.rdb, []string{l.key}, l.token, l.period.Milliseconds()).Int64()
	if err != nil {
		return false, fmt.Errorf("lease %s: extend: %w", l.key, err)
	}
	return n == 1, nil
}

// Release gives the lease up if this holder still holds it; a lease another holder took is
// left alone.
func (l *Lease) Release(ctx context.Context) error {
	if err := releaseScript.Run(ctx, l.rdb, []string{l.key}, l.token).Err(); err != nil {
		return fmt.Errorf("lease %s: release: %w", l.key, err)
	}
	return nil
}

// Hold stands by until the lease is this holder's, then keeps it extended in the background
// until it is released or lost. It returns ctx's error if ctx ends first; Redis errors while
// standing by are retried. A stand-by asks every third of a period, and as the holder's lease
// would run out, so it takes over within one period of the holder's death and within a third
// of one of its release.
//
// The returned Held must be released, even after it was lost, to stop its keeper.
func (l *Lease) Hold(ctx context.Context) (*Held, error) {
	for {
		start := l.clock.Now()
		held, left, err := l.TryAcquire(ctx)
		if ctx.Err() != nil {
			if held { // taken just as the caller gave up: give it straight back
				l.Release(context.WithoutCancel(ctx))
			}
			return nil, ctx.Err()
		}
		if err == nil && held {
			return l.keep(start), nil
		}
		// Ask again every third of a period, so that a released lease is taken soon, or just
		// after the holder's lease would run out, if sooner, so that a dead holder's is taken
		// at once.
		wait := l.period / 3
		if err == nil {
			wait = min(left+5*time.Millisecond, wait)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-l.clock.After(wait):
		}
	}
}

// Held is a lease this holder holds, kept extended until Release, or until it is lost.
type Held struct {
	l      *Lease
	lost   chan struct{}
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
	mu     sync.Mutex
	reason error
}

// ErrLost says that a lease is held by another holder now, or could not be extended before it
// ran out.
var ErrLost = errors.New("lease lost")

// keep starts the keeper of a lease acquired by a call made at start.
func (l *Lease) keep(start time.Time) *Held {
	h := &Held{l: l, lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	go h.keeper(start.Add(l.period))
	return h
}

// keeper extends the lease every third of a period. valid is when the lease runs out by this
// holder's clock: a period after the start of the last call that set it, which is never after
// Redis's own deadline. The lease counts as lost a tenth of a period before that, so that the
// holder stops its work before another can take over.
func (h *Held) keeper(valid time.Time) {
	defer close(h.done)
	l := h.l
	margin := l.period / 10
	every := l.period / 3
	for {
		wait := every
		if d := valid.Add(-margin).Sub(l.clock.Now()); d < wait {
			wait = max(d, 0)
		}
		select {
		case <-h.stop:
			return
		case <-l.clock.After(wait):
		}
		if !l.clock.Now().Before(valid.Add(-margin)) {
			h.lose(fmt.Errorf("lease %s: not extended in time: %w", l.key, ErrLost))
			return
		}
		start := l.clock.Now()
		ctx, cancel := context.WithDeadline(context.Background(), valid.Add(-margin))
		ok, err := l.Extend(ctx)
		cancel()
		switch {
		case err == nil && ok:
			valid = start.Add(l.period)
			every = l.period / 3
		case err == nil:
			h.lose(fmt.Errorf("lease %s: held by another holder: %w", l.key, ErrLost))
			return
		default:
			every = max(l.period/10, time.Millisecond) // Redis unreachable: try again soon
		}
	}
}

func (h *Held) lose(reason error) {
	h.mu.Lock()
	h.reason = reason
	h.mu.Unlock()
	close(h.lost)
}

// Lost is closed the moment the lease is lost: stop the work it guards at once.
func (h *Held) Lost() <-chan struct{} { return h.lost }

// Err returns why the lease was lost, or nil while it is held.
func (h *Held) Err() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.reason
}

// Release stops extending the lease and gives it up if it is still this holder's, so that a
// stand-by takes over soon (within a third of a period). It is safe to call more than once,
// and after the lease was lost.
func (h *Held) Release(ctx context.Context) error {
	stopped := false
	h.once.Do(func() { close(h.stop); stopped = true })
	<-h.done
	if !stopped {
		return nil
	}
	select {
	case <-h.lost:
		return nil // another may hold it now; release would leave theirs alone anyway
	default:
	}
	return h.l.Release(ctx)
}
