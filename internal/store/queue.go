package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/remind"
)

var _ remind.Queue = (*Store)(nil)

// claimScript leases up to n due entries: each is pushed to the lease's end in the due index,
// so a crashed dispatcher's entries come due again by themselves, and remembered in the lease
// hash with the token and the time it was first due (kept across re-claims, so lateness is
// measured from the real due time). KEYS: due, leases. ARGV: now ms, until ms, n, token.
var claimScript = redis.NewScript(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, ARGV[3])
local out = {}
for i = 1, #due, 2 do
  local m, orig = due[i], due[i+1]
  local prev = redis.call('HGET', KEYS[2], m)
  if prev then
    local p = string.find(prev, '|', 1, true)
    if p then orig = string.sub(prev, p + 1) end
  end
  redis.call('ZADD', KEYS[1], ARGV[2], m)
  redis.call('HSET', KEYS[2], m, ARGV[4] .. '|' .. orig)
  out[#out + 1] = m
  out[#out + 1] = orig
end
return out
`)

// finishScript settles claims still held by the token: "done" sets the next fire time (or
// removes a one-off when it is empty), "retry" brings it back at a later time keeping its
// original due time, "release" makes it due again at once. A done claim of a nagging reminder
// may schedule its next repeat (its own entry, with the count and thread in the nag hash), in
// the same step, so a repeat is scheduled exactly once; a repeat that ends without one lets its
// state go. A claim whose lease is gone (the reminder was removed or answered, or another
// dispatcher took it over after the lease ran out) is left alone. KEYS: due, leases, nags.
// ARGV: token, then member, time ms, kind, repeat member, repeat time ms, repeat state for each
// claim ("" for no repeat).
var finishScript = redis.NewScript(`
local tok = ARGV[1] .. '|'
local n = 0
for i = 2, #ARGV, 6 do
  local m, t, kind = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local am, at, astate = ARGV[i + 3], ARGV[i + 4], ARGV[i + 5]
  local lease = redis.call('HGET', KEYS[2], m)
  if lease and string.sub(lease, 1, #tok) == tok then
    local orig = string.sub(lease, #tok + 1)
    if kind == 'done' then
      redis.call('HDEL', KEYS[2], m)
      if t == '' then redis.call('ZREM', KEYS[1], m) else redis.call('ZADD', KEYS[1], t, m) end
      if string.sub(m, -4) == '|nag' then redis.call('HDEL', KEYS[3], m) end
      if am ~= '' then
        redis.call('ZADD', KEYS[1], at, am)
        redis.call('HDEL', KEYS[2], am)
        redis.call('HSET', KEYS[3], am, astate)
      end
    elseif kind == 'retry' then
      redis.call('HSET', KEYS[2], m, 'retry|' .. orig)
      redis.call('ZADD', KEYS[1], t, m)
    else
      redis.call('HDEL', KEYS[2], m)
      redis.call('ZADD', KEYS[1], orig, m)
    end
    n = n + 1
  end
end
return n
`)

// extendScript pushes the leases still held by the token to until. KEYS: due, leases.
// ARGV: token, until ms, members...
var extendScript = redis.NewScript(`
local tok = ARGV[1] .. '|'
local n = 0
for i = 3, #ARGV do
  local lease = redis.call('HGET', KEYS[2], ARGV[i])
  if lease and string.sub(lease, 1, #tok) == tok then
    redis.call('ZADD', KEYS[1], 'XX', ARGV[2], ARGV[i])
    n = n + 1
  end
end
return n
`)

// validPlatform guards the due-index keys, which are built from the platform name.
func validPlatform(p domain.Platform) error {
	switch p {
	case "tg", "dc", "console":
		return nil
	}
	return fmt.Errorf("store: unknown platform %q", p)
}

// Claim leases up to n of the platform's reminders due at now; see remind.Queue. It looks
// first, with a read: a dispatcher polling an index with nothing due writes nothing, so an idle
// one costs the embedded store no journal record (an entry that comes due in between is
// claimed by the next poll).
func (s *Store) Claim(ctx context.Context, platform domain.Platform, token string, now, until time.Time, n int) ([]remind.Claim, error) {
	if err := validPlatform(platform); err != nil {
		return nil, err
	}
	due, err := s.rdb.ZCount(ctx, DueKey(platform), "-inf", strconv.FormatInt(now.UnixMilli(), 10)).Result()
	if err != nil {
		return nil, fmt.Errorf("store: claim: %w", unavailable(err))
	}
	if due == 0 {
		return nil, nil
	}
	s.gate.RLock()
	res, err := claimScript.Run(ctx, s.rdb, []string{DueKey(platform), LeaseKey(platform)}, now.UnixMilli(), until.UnixMilli(), n, token).StringSlice()
	s.gate.RUnlock()
	if err == nil && len(res) > 0 {
		err = s.committed(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("store: claim: %w", unavailable(err))
	}
	out := make([]remind.Claim, 0, len(res)/2)
	for i := 0; i+1 < len(res); i += 2 {
		ms, _ := strconv.ParseFloat(res[i+1], 64)
		out = append(out, remind.Claim{Member: res[i], Due: time.UnixMilli(int64(ms))})
	}
	return out, nil
}

// Finish settles claims; see remind.Queue.
func (s *Store) Finish(ctx context.Context, platform domain.Platform, token string, done []remind.Settle) (int, error) {
	if err := validPlatform(platform); err != nil {
		return 0, err
	}
	if len(done) == 0 {
		return 0, nil
	}
	args := make([]any, 0, 1+6*len(done))
	args = append(args, token)
	for _, d := range done {
		t := ""
		if !d.At.IsZero() {
			t = strconv.FormatInt(d.At.UnixMilli(), 10)
		}
		args = append(args, d.Member, t, string(d.Kind))
		owner, id, _, ok := ParseMember(d.Member)
		if d.Again == nil || !ok || d.Kind != remind.Done || d.Again.Count < 1 || d.Again.Count > domain.MaxNags {
			args = append(args, "", "", "")
			continue
		}
		args = append(args, NagMember(owner, id), d.Again.At.UnixMilli(), strconv.Itoa(d.Again.Count)+"|"+safeThread(d.Again.Thread))
	}
	n, err := write(ctx, s, func() (int64, error) {
		return finishScript.Run(ctx, s.rdb, []string{DueKey(platform), LeaseKey(platform), NagKey(platform)}, args...).Int64()
	})
	if err != nil {
		return 0, fmt.Errorf("store: finish: %w", unavailable(err))
	}
	return int(n), nil
}

// Extend keeps leases held; see remind.Queue.
func (s *Store) Extend(ctx context.Context, platform domain.Platform, token string, members []string, until time.Time) error {
	if err := validPlatform(platform); err != nil {
		return err
	}
	if len(members) == 0 {
		return nil
	}
	args := make([]any, 0, 2+len(members))
	args = append(args, token, until.UnixMilli())
	for _, m := range members {
		args = append(args, m)
	}
	if _, err := write(ctx, s, func() (int64, error) {
		return extendScript.Run(ctx, s.rdb, []string{DueKey(platform), LeaseKey(platform)}, args...).Int64()
	}); err != nil {
		return fmt.Errorf("store: extend: %w", unavailable(err))
	}
	return nil
}

// NextDue returns when the earliest entry of the platforms' due indexes comes due; see
// remind.Queue.
func (s *Store) NextDue(ctx context.Context, platforms []domain.Platform) (time.Time, bool, error) {
	cmds := make([]*redis.ZSliceCmd, 0, len(platforms))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, pl := range platforms {
			if validPlatform(pl) == nil {
				cmds = append(cmds, p.ZRangeWithScores(ctx, DueKey(pl), 0, 0))
			}
		}
		return nil
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: next due: %w", unavailable(err))
	}
	var first time.Time
	for _, c := range cmds {
		if zs := c.Val(); len(zs) > 0 {
			if t := time.UnixMilli(int64(zs[0].Score)); first.IsZero() || t.Before(first) {
				first = t
			}
		}
	}
	return first, !first.IsZero(), nil
}

// Targets looks up, in one round trip, what the dispatcher needs for each claim of one
// platform: the reminder, the owner's time zone and breaks, a repeat's count and thread, and
// when they rolled since since; see remind.Queue.
func (s *Store) Targets(ctx context.Context, platform domain.Platform, claims []remind.Claim, since time.Time) ([]remind.Target, error) {
	if err := validPlatform(platform); err != nil {
		return nil, err
	}
	out := make([]remind.Target, len(claims))
	type cmds struct {
		rem, nag *redis.StringCmd
		profile  *redis.MapStringStringCmd
		recent   *redis.ZSliceCmd
	}
	pending := make([]*cmds, len(claims))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, c := range claims {
			owner, id, kind, ok := ParseMember(c.Member)
			out[i] = remind.Target{Claim: c, Owner: owner, ID: id, Snooze: kind == entrySnooze}
			if !ok {
				continue
			}
			k, _ := ownerKeys(owner)
			pending[i] = &cmds{
				rem:     p.HGet(ctx, k.reminders, id),
				profile: p.HGetAll(ctx, k.profile),
				recent:  p.ZRangeByScoreWithScores(ctx, k.byTime, &redis.ZRangeBy{Min: strconv.FormatInt(since.UnixMilli(), 10), Max: "+inf"}),
			}
			if kind == entryNag {
				pending[i].nag = p.HGet(ctx, NagKey(platform), c.Member)
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("store: targets: %w", unavailable(err))
	}
	for i, c := range pending {
		if c == nil {
			continue
		}
		js, err := c.rem.Result()
		if errors.Is(err, redis.Nil) {
			continue // removed: the dispatcher drops the entry
		}
		if err != nil {
			return nil, fmt.Errorf("store: targets: %w", unavailable(err))
		}
		r, err := decodeReminder(out[i].ID, js)
		if err != nil {
			return nil, err
		}
		out[i].Exists, out[i].Reminder = true, r
		profile := c.profile.Val()
		out[i].Zone, out[i].Breaks = profile["tz"], breaksOf(profile)
		if c.nag != nil {
			// A repeat whose count is lost is taken as the last, so that it never nags on.
			out[i].Repeat = domain.MaxNags
			if count, thread, ok := strings.Cut(c.nag.Val(), "|"); ok {
				if n, err := strconv.Atoi(count); err == nil && n >= 1 && n <= domain.MaxNags {
					out[i].Repeat = n
				}
				out[i].Thread = thread
			}
		}
		for _, z := range c.recent.Val() {
			out[i].Recent = append(out[i].Recent, time.UnixMilli(int64(z.Score)))
		}
	}
	return out, nil
}

// DisableReminders turns off the owner's reminders delivered to an address that can no longer
// receive them (the user blocked the bot); see remind.Queue.
func (s *Store) DisableReminders(ctx context.Context, owner domain.Owner, to domain.Address) error {
	_, err := s.removeReminders(ctx, owner, func(r domain.Reminder) bool {
		return r.To == to || r.To.Platform == "" && r.To.Chat == to.Chat // "": see Migrate
	})
	return err
}

// safeThread keeps a platform's message name only when it is short and plain, so that what a
// platform returns can never grow or break the nag hash.
func safeThread(s string) string {
	if len(s) > 64 || strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_' || r == ':')
	}) {
		return ""
	}
	return s
}
