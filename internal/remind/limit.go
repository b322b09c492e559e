package remind

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/needlebot/needlebot/internal/clock"
)

// Clock is the time the dispatcher runs on; tests substitute a fake one.
type Clock = clock.Clock

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
// (about one a second). Each send is given the first time that keeps both spacings and any
// platform pause, and both are moved on from that time, so neither limit is ever exceeded however
// the sends interleave. It runs on the dispatcher's clock, so tests can use a fake one.
type limiter struct {
	clock   Clock
	gap     time.Duration // between any two sends; 0 for no limit
	chatGap time.Duration // between two sends to one chat; 0 for no limit

	mu     sync.Mutex
	next   time.Time            // the earliest time of the next send
	chats  map[string]time.Time // the earliest time of the next send to each chat
	paused time.Time            // the platform asked for nothing before this (retry_after)
	swept  time.Time
}

func newLimiter(clock Clock, global, perChat float64) *limiter {
	l := &limiter{clock: clock, chats: map[string]time.Time{}}
	// Round the gaps up: 1s/30 truncated would fit a 31st send into a second.
	if global > 0 {
		l.gap = time.Duration(math.Ceil(float64(time.Second) / global))
	}
	if perChat > 0 {
		l.chatGap = time.Duration(math.Ceil(float64(time.Second) / perChat))
	}
	return l
}

// wait blocks until a message to chat may be sent, or ctx is done.
func (l *limiter) wait(ctx context.Context, chat string) error {
	now := l.clock.Now()
	l.mu.Lock()
	at := now
	for _, t := range []time.Time{l.paused, l.next, l.chats[chat]} {
		if t.After(at) {
			at = t
		}
	}
	if l.gap > 0 {
		l.next = at.Add(l.gap)
	}
	if l.chatGap > 0 {
		l.chats[chat] = at.Add(l.chatGap)
		l.sweep(now)
	}
	l.mu.Unlock()
	return wait(ctx, l.clock, at.Sub(now))
}

// pause holds every send until until: a 429's retry_after applies to the whole bot.
func (l *limiter) pause(until time.Time) {
	l.mu.Lock()
	if until.After(l.paused) {
		l.paused = until
	}
	l.mu.Unlock()
}

// sweep forgets chats whose spacing has long passed, so the map does not grow with every user
// ever reminded.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for k, t := range l.chats {
		if now.Sub(t) > time.Minute {
			delete(l.chats, k)
		}
	}
}
