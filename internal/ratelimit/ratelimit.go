// Package ratelimit holds one platform bot's send limits in Redis, so that every instance
// sharing the Redis, and every kind of send (replies and reminders), stays under them together:
// Telegram's 30 messages a second per bot, one a second per chat and 20 a minute per group.
//
// The limits are GCRA (the generic cell rate algorithm) from github.com/go-redis/redis_rate,
// by the go-redis maintainers: each limit is one key holding its theoretical arrival time, and
// each check is one Lua call that runs on Redis's clock, so instances need no clock sync and no
// limit is ever counted twice. Sends are spaced evenly (a burst of one): with N instances the
// bot still sends at most Global a second, however they interleave.
//
// A platform's refusal (Telegram's 429 with retry_after) is recorded in Redis too (Pause): that
// chat waits on every instance; a second refusal while the first pause runs pauses every send,
// as Telegram's bot-wide flood limit does.
//
// Keys, all with the bot as hash tag, so that they share one Redis Cluster slot:
//
//	nb:rl:{BOT}:all           string  GCRA state of the bot-wide limit            about 1/Global
//	nb:rl:{BOT}:c:CHAT        string  GCRA state of one chat's limit              about 1/PerChat
//	nb:rl:{BOT}:g:CHAT        string  GCRA state of one group's per-minute limit  about 60/Group s
//	nb:rl:{BOT}:pause         string  "1": every send waits (a bot-wide 429)      retry_after
//	nb:rl:{BOT}:pause:CHAT    string  "1": sends to the chat wait (a 429)         retry_after
//	nb:rl:{BOT}:429           string  refusals within the current pause           retry_after
//
// redis_rate puts "rate:" before every key it names; the client handed to it takes that off
// again, so that every key of the bot's is under "nb:" (one ACL key pattern, one SCAN).
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/clock"
)

// Clock is the time waits run on: the real one unless a test gives another. The limits
// themselves run on Redis's clock.
type Clock = clock.Clock

// Config is one bot's limits.
type Config struct {
	// Bot names whose limits these are, "tg:BOTID": every instance of the bot must use the
	// same name, and another bot (another token) another.
	Bot string
	// Global is sends a second across every instance; 0 for none. Telegram: 30.
	Global float64
	// PerChat is sends a second to one chat; 0 for none. Telegram: 1.
	PerChat float64
	// GroupPerMinute is sends a minute to one group chat, on top of PerChat; 0 for none.
	// Telegram: 20. IsGroup tells a group from a private chat.
	GroupPerMinute float64
	IsGroup        func(chat string) bool
	// Clock is what waits run on [the real clock].
	Clock Clock
	// Cooldown is how long, after Redis failed, Wait fails at once instead of asking it again
	// (each failing call can take seconds of retries) [2s].
	Cooldown time.Duration
}

// Limiter paces one bot's sends. It is safe for concurrent use. Two Limiters with the same Bot
// on one Redis (two instances) share every limit.
type Limiter struct {
	cfg     Config
	rl      *redis_rate.Limiter
	rdb     redis.UniversalClient
	global  redis_rate.Limit
	chat    redis_rate.Limit
	group   redis_rate.Limit
	prefix  string        // "nb:rl:{BOT}:"
	turn    chan struct{} // one caller of this instance at a time asks for the bot-wide limit
	clock   Clock
	mu      sync.Mutex
	ready   map[string]time.Time // per chat, when this instance last heard its next send may go
	swept   time.Time
	downTil time.Time // Redis failed: fail fast until then
}

// ErrUnavailable says that Redis could not be asked; the send is not paced.
var ErrUnavailable = errors.New("ratelimit: redis unavailable")

// New returns the limiter of cfg.Bot on rdb.
func New(rdb redis.UniversalClient, cfg Config) (*Limiter, error) {
	if cfg.Bot == "" || strings.ContainsAny(cfg.Bot, "{}") {
		return nil, fmt.Errorf("ratelimit: bot name %q: want something like tg:123456", cfg.Bot)
	}
	for _, r := range []float64{cfg.Global, cfg.PerChat, cfg.GroupPerMinute} {
		if r < 0 || math.IsNaN(r) || math.IsInf(r, 0) {
			return nil, fmt.Errorf("ratelimit: %v is not a rate", r)
		}
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Cooldown <= 0 {
		cfg.Cooldown = 2 * time.Second
	}
	if cfg.IsGroup == nil {
		cfg.IsGroup = func(string) bool { return false }
	}
	return &Limiter{
		cfg: cfg, rdb: rdb, rl: redis_rate.NewLimiter(unprefixed{rdb}),
		global: perSecond(cfg.Global), chat: perSecond(cfg.PerChat), group: perSecond(cfg.GroupPerMinute / 60),
		prefix: "nb:rl:{" + cfg.Bot + "}:", turn: make(chan struct{}, 1), clock: cfg.Clock, ready: map[string]time.Time{},
	}, nil
}

// perSecond is a limit of r events a second, spaced evenly (a burst of one); zero for none.
// redis_rate counts whole events a period, so the period is an hour: any rate to 1/3600 s.
func perSecond(r float64) redis_rate.Limit {
	if r <= 0 {
		return redis_rate.Limit{}
	}
	return redis_rate.Limit{Rate: max(1, int(math.Round(r*3600))), Period: time.Hour, Burst: 1}
}

// Rate returns the bot-wide limit, sends a second across every instance (0: none).
func (l *Limiter) Rate() float64 { return l.cfg.Global }

// Bot returns whose limits these are.
func (l *Limiter) Bot() string { return l.cfg.Bot }

// Wait blocks until a message may be sent to chat: no pause is running for the chat or the
// bot, and the bot-wide, the chat's and (for a group) the group's limits all allow it. Each
// call that returns nil counts as one send. It returns ctx's error when ctx ends first, and an
// error wrapping ErrUnavailable when Redis cannot be reached: the caller may then send unpaced
// rather than not at all.
func (l *Limiter) Wait(ctx context.Context, chat string) error {
	if err := l.available(); err != nil {
		return err
	}
	for {
		// Pauses a refusal left, on any instance.
		d, err := l.paused(ctx, chat)
		if err != nil {
			return l.fail(ctx, err)
		}
		if d > 0 {
			if err := l.sleep(ctx, d); err != nil {
				return err
			}
			continue
		}
		// The chat's own limit, as far as this instance knows, so that a bot-wide slot is not
		// spent on a send the chat's limit would refuse.
		if d := l.readyIn(chat); d > 0 {
			if err := l.sleep(ctx, d); err != nil {
				return err
			}
		}
		if err := l.takeGlobal(ctx); err != nil {
			return err
		}
		wait, err := l.takeChat(ctx, chat)
		if err != nil {
			return l.fail(ctx, err)
		}
		if wait <= 0 {
			return nil
		}
		// The chat's limit refused (another instance sent to it): the bot-wide slot is spent,
		// which only slows the bot a little; wait for the chat and go again.
		l.setReady(chat, wait)
	}
}

// takeGlobal waits for the bot-wide limit. One caller of this instance asks at a time, in
// turn, so that waiting callers do not all ask Redis each time a slot comes free.
func (l *Limiter) takeGlobal(ctx context.Context) error {
	if l.global.IsZero() {
		return nil
	}
	select {
	case l.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-l.turn }()
	for {
		res, err := l.rl.Allow(ctx, l.prefix+"all", l.global)
		if err != nil {
			return l.fail(ctx, err)
		}
		if res.Allowed > 0 {
			return nil
		}
		if err := l.sleep(ctx, res.RetryAfter); err != nil {
			return err
		}
	}
}

// takeChat asks the chat's limits; it returns how long to wait when they refuse.
func (l *Limiter) takeChat(ctx context.Context, chat string) (time.Duration, error) {
	group := l.cfg.IsGroup(chat) && !l.group.IsZero()
	for _, c := range []struct {
		on    bool
		key   string
		limit redis_rate.Limit
	}{
		{!l.chat.IsZero(), "c:" + chat, l.chat},
		{group, "g:" + chat, l.group},
	} {
		if !c.on {
			continue
		}
		res, err := l.rl.Allow(ctx, l.prefix+c.key, c.limit)
		if err != nil {
			return 0, err
		}
		if res.Allowed == 0 {
			return max(res.RetryAfter, time.Millisecond), nil
		}
		// The next send to this chat may go once this limit lets one more through: ResetAfter
		// less the burst beyond the first, which is none.
		l.setReady(chat, res.ResetAfter)
	}
	return 0, nil
}

// pauseScript records a platform's refusal for chat: the chat waits for d; a second refusal
// while the first one's pause runs is the bot-wide limit, and every send waits for d.
// KEYS: the chat's pause, the bot's pause, the refusal count. ARGV: d in ms.
var pauseScript = redis.NewScript(`
local d = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < d then redis.call('SET', KEYS[1], '1', 'PX', d) end
local n = redis.call('INCR', KEYS[3])
if n == 1 then redis.call('PEXPIRE', KEYS[3], d) end
if n >= 2 and redis.call('PTTL', KEYS[2]) < d then redis.call('SET', KEYS[2], '1', 'PX', d) end
return n
`)

// Pause records that the platform refused a send to chat and asked to wait d (Telegram's
// retry_after): sends to chat wait d on every instance, and a second refusal while a pause
// runs makes every send of the bot wait d. Chat "" pauses every send.
func (l *Limiter) Pause(ctx context.Context, chat string, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	ms := max(d.Milliseconds(), 1)
	var err error
	if chat == "" {
		err = l.rdb.Set(ctx, l.prefix+"pause", "1", time.Duration(ms)*time.Millisecond).Err()
	} else {
		err = pauseScript.Run(ctx, l.rdb, []string{l.prefix + "pause:" + chat, l.prefix + "pause", l.prefix + "429"}, ms).Err()
	}
	if err != nil {
		return l.fail(ctx, err)
	}
	l.setReady(chat, d)
	return nil
}

// paused returns how long sends to chat must wait for a pause, asking for both pauses in one
// round trip.
func (l *Limiter) paused(ctx context.Context, chat string) (time.Duration, error) {
	var all, one *redis.DurationCmd
	_, err := l.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		all = p.PTTL(ctx, l.prefix+"pause")
		one = p.PTTL(ctx, l.prefix+"pause:"+chat)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return max(all.Val(), one.Val(), 0), nil
}

// readyIn returns how long until chat's next send may go, as this instance last heard.
func (l *Limiter) readyIn(chat string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ready[chat].Sub(l.clock.Now())
}

// ReadyIn reports how long, as far as this instance knows, until a send to chat may go: a hint
// for scheduling (a caller with other work can do it first), never a promise; Wait decides.
func (l *Limiter) ReadyIn(chat string) time.Duration { return max(l.readyIn(chat), 0) }

// setReady notes that chat's next send may go in d, unless a later time is known.
func (l *Limiter) setReady(chat string, d time.Duration) {
	now := l.clock.Now()
	at := now.Add(d)
	l.mu.Lock()
	defer l.mu.Unlock()
	if at.After(l.ready[chat]) {
		l.ready[chat] = at
	}
	if now.Sub(l.swept) > time.Minute { // forget chats long ready, so the map does not grow
		l.swept = now
		for k, t := range l.ready {
			if now.After(t) {
				delete(l.ready, k)
			}
		}
	}
}

// available fails fast while Redis is known to be down.
func (l *Limiter) available() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.clock.Now().Before(l.downTil) {
		return fmt.Errorf("%w (it failed less than %s ago)", ErrUnavailable, l.cfg.Cooldown)
	}
	return nil
}

// fail turns a Redis error into ctx's error, if ctx ended, or ErrUnavailable, and starts the
// cooldown.
func (l *Limiter) fail(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	l.mu.Lock()
	l.downTil = l.clock.Now().Add(l.cfg.Cooldown)
	l.mu.Unlock()
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

func (l *Limiter) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-l.clock.After(d):
		return nil
	}
}

// unprefixed is the client redis_rate is given: it takes off the "rate:" redis_rate puts before
// every key, so that the keys are the ones this package names.
type unprefixed struct{ redis.UniversalClient }

const ratePrefix = "rate:"

func trim(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = strings.TrimPrefix(k, ratePrefix)
	}
	return out
}

func (u unprefixed) Eval(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd {
	return u.UniversalClient.Eval(ctx, script, trim(keys), args...)
}

func (u unprefixed) EvalSha(ctx context.Context, sha string, keys []string, args ...any) *redis.Cmd {
	return u.UniversalClient.EvalSha(ctx, sha, trim(keys), args...)
}

func (u unprefixed) EvalRO(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd {
	return u.UniversalClient.EvalRO(ctx, script, trim(keys), args...)
}

func (u unprefixed) EvalShaRO(ctx context.Context, sha string, keys []string, args ...any) *redis.Cmd {
	return u.UniversalClient.EvalShaRO(ctx, sha, trim(keys), args...)
}

func (u unprefixed) Del(ctx context.Context, keys ...string) *redis.IntCmd {
	return u.UniversalClient.Del(ctx, trim(keys)...)
}
