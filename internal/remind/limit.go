package remind

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Clock is the time the dispatcher runs on; tests substitute a fake one.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// wait blocks for d on clock, or until ctx is done.
func wait(ctx context.Context, clock Clock, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-clock.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// limiter spaces sends: overall (Telegram allows about 30 messages a second) and per chat
// (about one a second). It reserves on the dispatcher's clock, so tests can run it on a fake one.
type limiter struct {
	clock   Clock
	global  *rate.Limiter
	perChat rate.Limit

	mu     sync.Mutex
	chats  map[string]*chatLimit
	swept  time.Time
	paused time.Time // the platform asked us to send nothing before this (retry_after)
}

type chatLimit struct {
	l    *rate.Limiter
	used time.Time
}

func newLimiter(clock Clock, global, perChat float64) *limiter {
	l := &limiter{clock: clock, perChat: rate.Limit(perChat), chats: map[string]*chatLimit{}}
	if global > 0 {
		l.global = rate.NewLimiter(rate.Limit(global), 1)
	}
	return l
}

// wait blocks until a message to chat may be sent, or ctx is done.
func (l *limiter) wait(ctx context.Context, chat string) error {
	now := l.clock.Now()
	delay := time.Duration(0)
	if l.perChat > 0 {
		l.mu.Lock()
		c := l.chats[chat]
		if c == nil {
			c = &chatLimit{l: rate.NewLimiter(l.perChat, 1)}
			l.chats[chat] = c
		}
		c.used = now
		delay = c.l.ReserveN(now, 1).DelayFrom(now)
		l.sweep(now)
		l.mu.Unlock()
	}
	l.mu.Lock()
	if p := l.paused.Sub(now); p > delay {
		delay = p
	}
	l.mu.Unlock()
	if l.global != nil {
		// Reserve the overall slot after the chat's own: a chat waiting its turn must not hold
		// up everyone else's slots.
		at := now.Add(delay)
		delay += l.global.ReserveN(at, 1).DelayFrom(at)
	}
	return wait(ctx, l.clock, delay)
}

// pause holds every send until until: a 429's retry_after applies to the whole bot.
func (l *limiter) pause(until time.Time) {
	l.mu.Lock()
	if until.After(l.paused) {
		l.paused = until
	}
	l.mu.Unlock()
}

// sweep forgets chats idle for a minute, so the map does not grow with every user ever reminded.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for k, c := range l.chats {
		if now.Sub(c.used) > time.Minute {
			delete(l.chats, k)
		}
	}
}
