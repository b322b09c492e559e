package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// What the front ends keep about the platforms is kept per bot: two bots (two Telegram tokens,
// say) sharing one Redis have update ids of their own, so each has its own offset and its own
// marks of the events it handled. A bot is named "tg:BOTID" (Telegram's id of the bot, from
// getMe) or "dc:APPLICATIONID"; its keys start "nb:BOT:".
//
//	nb:bots                    hash    bot ("tg:123456789") -> its name ("@needle_bot")         none
//	nb:tg:BOTID:offset         string  the next Telegram update id to fetch                     none
//	nb:tg:BOTID:ev:EVENT       string  "1": the event was handled; "c:TOKEN": claimed by one    48 h; a claim its lease
//	                                   delivery, which is handling it
const (
	botsKey      = "nb:bots"
	oldOffsetKey = "nb:tg:offset" // before keys carried the bot: see InheritedOffset
	eventTTL     = 48 * time.Hour
)

// botPattern is a bot's name: platform and the platform's numeric id of the bot.
var botPattern = regexp.MustCompile(`^[a-z]{1,8}:[0-9]{1,20}$`)

// Platform event ids look like "tg:u:k3x9a-123456": platform, kind and an id, unique per bot.
var eventPattern = regexp.MustCompile(`^[a-z]{1,8}:[a-z]{1,8}:[A-Za-z0-9_-]{1,64}$`)

func botKeys(bot string) (string, error) {
	if !botPattern.MatchString(bot) {
		return "", fmt.Errorf("store: invalid bot %q", bot)
	}
	return "nb:" + bot + ":", nil
}

func eventKey(bot, event string) (string, error) {
	p, err := botKeys(bot)
	if err != nil {
		return "", err
	}
	if !eventPattern.MatchString(event) {
		return "", fmt.Errorf("store: invalid event id %q", event)
	}
	return p + "ev:" + event, nil
}

// RegisterBot records that this Redis holds data for bot (named name, e.g. "@needle_bot"). It
// returns every bot the Redis holds data for, this one included, as "tg:123456789
// @needle_bot", sorted. It is safe to run twice and on several instances at once.
//
// What an older version kept without the bot's id is not moved here: the Telegram offset
// (nb:tg:offset) may be another bot's, so the poller takes it with InheritedOffset and checks it
// against Telegram first; the marks of handled events (nb:ev:EVENT) are left to expire in their
// 48 hours, as the event ids now carry the bot and no new mark can be mistaken for them.
func (s *Store) RegisterBot(ctx context.Context, bot, name string) ([]string, error) {
	if _, err := botKeys(bot); err != nil {
		return nil, err
	}
	if _, err := write(ctx, s, func() (int64, error) { return s.rdb.HSet(ctx, botsKey, bot, name).Result() }); err != nil {
		return nil, fmt.Errorf("store: register bot: %w", unavailable(err))
	}
	return s.Bots(ctx)
}

// InheritedOffset takes the Telegram offset an older version saved without the bot's id, once:
// GETDEL hands it to exactly one caller, however many instances start together. It returns 0
// when there is none (or it is not a number). The offset may be another bot's, if two bots
// shared this Redis then, so the caller must check it against the updates Telegram holds.
func (s *Store) InheritedOffset(ctx context.Context, bot string) (int, error) {
	if _, err := botKeys(bot); err != nil {
		return 0, err
	}
	old, err := write(ctx, s, func() (string, error) { return s.rdb.GetDel(ctx, oldOffsetKey).Result() })
	switch {
	case errors.Is(err, redis.Nil):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("store: inherited offset: %w", unavailable(err))
	}
	n, err := strconv.Atoi(old)
	if err != nil || n < 0 {
		return 0, nil
	}
	return n, nil
}

// Bots returns every bot this Redis holds data for, as RegisterBot does, without registering.
func (s *Store) Bots(ctx context.Context) ([]string, error) {
	all, err := s.rdb.HGetAll(ctx, botsKey).Result()
	if err != nil {
		return nil, fmt.Errorf("store: bots: %w", unavailable(err))
	}
	out := make([]string, 0, len(all))
	for b, n := range all {
		out = append(out, b+" "+n)
	}
	sort.Strings(out)
	return out, nil
}

// eventClaimScript claims an event for one delivery: it sets the mark to "c:TOKEN" for the lease
// unless the event is marked. It returns "ok", "done" (handled) or "busy" (claimed by another).
var eventClaimScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v == false then
  redis.call('SET', KEYS[1], 'c:' .. ARGV[1], 'PX', ARGV[2])
  return 'ok'
end
if v == '1' then return 'done' end
return 'busy'
`)

// eventReleaseScript drops a claim, if it is still the caller's.
var eventReleaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == 'c:' .. ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// ClaimEvent claims a platform event of bot for handling, under token, for lease: claimed is true
// when the caller is to handle it; otherwise done tells whether it was handled (MarkSeen) or is
// being handled by another claim. A claim ends with MarkSeen, with ReleaseEvent, or when its lease
// runs out (the claimant crashed).
func (s *Store) ClaimEvent(ctx context.Context, bot, event, token string, lease time.Duration) (claimed, done bool, err error) {
	key, err := eventKey(bot, event)
	if err != nil {
		return false, false, err
	}
	if lease < time.Millisecond {
		return false, false, errors.New("store: claim: lease under a millisecond")
	}
	got, err := write(ctx, s, func() (string, error) {
		return eventClaimScript.Run(ctx, s.rdb, []string{key}, token, lease.Milliseconds()).Text()
	})
	if err != nil {
		return false, false, fmt.Errorf("store: claim: %w", unavailable(err))
	}
	return got == "ok", got == "done", nil
}

// ReleaseEvent drops token's claim on an event of bot, so that the event is handled when it comes
// again.
func (s *Store) ReleaseEvent(ctx context.Context, bot, event, token string) error {
	key, err := eventKey(bot, event)
	if err != nil {
		return err
	}
	if _, err := write(ctx, s, func() (int64, error) { return eventReleaseScript.Run(ctx, s.rdb, []string{key}, token).Int64() }); err != nil {
		return fmt.Errorf("store: release: %w", unavailable(err))
	}
	return nil
}

// Seen reports whether MarkSeen was called for an event of bot in the last 48 hours.
func (s *Store) Seen(ctx context.Context, bot, event string) (bool, error) {
	key, err := eventKey(bot, event)
	if err != nil {
		return false, err
	}
	v, err := s.rdb.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: seen: %w", unavailable(err))
	}
	return v == "1", nil
}

// MarkSeen records that an event of bot was handled, ending any claim on it.
func (s *Store) MarkSeen(ctx context.Context, bot, event string) error {
	key, err := eventKey(bot, event)
	if err != nil {
		return err
	}
	if _, err := write(ctx, s, func() (string, error) { return s.rdb.Set(ctx, key, "1", eventTTL).Result() }); err != nil {
		return fmt.Errorf("store: mark seen: %w", unavailable(err))
	}
	return nil
}

// TelegramOffset returns the next update id the Telegram bot should fetch, 0 when none was
// saved.
func (s *Store) TelegramOffset(ctx context.Context, bot string) (int, error) {
	p, err := botKeys(bot)
	if err != nil {
		return 0, err
	}
	n, err := s.rdb.Get(ctx, p+"offset").Int()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: telegram offset: %w", unavailable(err))
	}
	return n, nil
}

// SetTelegramOffset saves the next update id the Telegram bot should fetch.
func (s *Store) SetTelegramOffset(ctx context.Context, bot string, offset int) error {
	p, err := botKeys(bot)
	if err != nil {
		return err
	}
	if _, err := write(ctx, s, func() (string, error) { return s.rdb.Set(ctx, p+"offset", offset, 0).Result() }); err != nil {
		return fmt.Errorf("store: set telegram offset: %w", unavailable(err))
	}
	return nil
}
