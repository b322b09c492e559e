package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/schedule"
)

// record is a session as stored: short field names keep 10,000 of them small.
type record struct {
	At       int64    `json:"at"`           // unix ms
	NeedleMM float64  `json:"mm,omitempty"` // 0 when not given
	Products []string `json:"p,omitempty"`
	Areas    []string `json:"a,omitempty"`
	Note     string   `json:"n,omitempty"`
	Logged   int64    `json:"l"`            // unix ms
	Usage    []string `json:"u,omitempty"`  // the usage counters this session added, undone on removal
	Floating bool     `json:"f,omitempty"`  // a wall-clock time read before the owner set a zone; see domain.Session
	Skin     string   `json:"sk,omitempty"` // the aftercare check-in's answer
}

func newRecord(s domain.Session, logged time.Time) record {
	return record{
		At: s.At.UnixMilli(), NeedleMM: s.NeedleMM, Products: s.Products, Areas: s.Areas, Note: s.Note,
		Logged: logged.UnixMilli(), Usage: domain.UsageOf(s), Floating: s.Floating, Skin: s.Skin,
	}
}

func (r record) entry(id int64) domain.Entry {
	return domain.Entry{
		ID: id,
		Session: domain.Session{
			At: time.UnixMilli(r.At), NeedleMM: r.NeedleMM, Products: r.Products, Areas: r.Areas, Note: r.Note, Floating: r.Floating,
			Skin: r.Skin,
		},
		Logged: time.UnixMilli(r.Logged),
	}
}

// allowLua is the rate limit every write script starts with: a counter per owner and window.
const allowLua = `
local function allow(key, max, window)
  local w = redis.call('INCR', key)
  if w == 1 then redis.call('PEXPIRE', key, window) end
  return w <= tonumber(max)
end
`

// addSessionScript stores a session, unless its idempotency key was seen, and counts recent
// sessions. It returns the id, when it was logged, whether it was a repeat, and the count.
// In "merge" mode (moving a linked account's sessions in) there is no rate limit or cap, and
// the session keeps the time it was logged; in "alone" mode a session in [from, to) makes it
// fail with NB_NIGHT. KEYS: profile, sessions, byTime, byOrder, usage, idem, idemTime, writes,
// floating. ARGV: key, now ms, json, at ms, since ms, max sessions, max writes, window ms, idem
// TTL ms, mode, floating ("1" or ""), from ms, to ms, usage fields...
var addSessionScript = redis.NewScript(allowLua + movedLua + `
if ARGV[10] ~= 'merge' then
  local m = moved(KEYS[1])
  if m then return m end
end
if ARGV[1] ~= '' then
  local id = redis.call('HGET', KEYS[6], ARGV[1])
  if id then
    local logged = 0
    local js = redis.call('HGET', KEYS[2], id)
    if js then logged = cjson.decode(js).l end
    return {tonumber(id), logged, 1, redis.call('ZCOUNT', KEYS[3], ARGV[5], '+inf')}
  end
end
if ARGV[10] ~= 'merge' then
  if ARGV[10] == 'alone' and #redis.call('ZRANGEBYSCORE', KEYS[3], ARGV[12], '(' .. ARGV[13], 'LIMIT', 0, 1) > 0 then
    return redis.error_reply('NB_NIGHT')
  end
  if not allow(KEYS[8], ARGV[7], ARGV[8]) then return redis.error_reply('NB_RATE') end
  if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[6]) then return redis.error_reply('NB_FULL') end
end
local id = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSET', KEYS[2], id, ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[4], id)
redis.call('ZADD', KEYS[4], id, id)
if ARGV[11] == '1' then redis.call('SADD', KEYS[9], id) end
for i = 14, #ARGV do redis.call('HINCRBY', KEYS[5], ARGV[i], 1) end
if ARGV[1] ~= '' then
  redis.call('HSET', KEYS[6], ARGV[1], id)
  redis.call('ZADD', KEYS[7], ARGV[2], ARGV[1])
end
` + pruneLua(6, 7, 2, 9) + `
return {id, cjson.decode(ARGV[3]).l, 0, redis.call('ZCOUNT', KEYS[3], ARGV[5], '+inf')}
`)

// movedLua refuses a write to an owner that a link moved into a person, naming the person, so
// that a write resolved just before the link goes there instead (see movedTo).
const movedLua = `
local function moved(profile)
  local into = redis.call('HGET', profile, 'moved')
  if into then return redis.error_reply('NB_MOVED ' .. into) end
  return nil
end
`

// movedTo reads the person out of a write refused by movedLua.
func movedTo(err error) (domain.Owner, bool) {
	if err == nil {
		return "", false
	}
	_, rest, ok := strings.Cut(err.Error(), "NB_MOVED ")
	into, _, _ := strings.Cut(rest, " ")
	return domain.Owner(into), ok && domain.Owner(into).Valid()
}

// pruneLua forgets idempotency keys older than their TTL, a hundred at a time. idem and
// idemTime say which KEYS hold them, now and ttl which ARGV hold the time and the TTL.
func pruneLua(idem, idemTime, now, ttl int) string {
	return fmt.Sprintf(`
local old = redis.call('ZRANGEBYSCORE', KEYS[%[2]d], '-inf', tonumber(ARGV[%[3]d]) - tonumber(ARGV[%[4]d]), 'LIMIT', 0, 100)
if #old > 0 then
  redis.call('HDEL', KEYS[%[1]d], unpack(old))
  redis.call('ZREM', KEYS[%[2]d], unpack(old))
end
`, idem, idemTime, now, ttl)
}

// AddSession stores a session; see domain.Sessions.
func (s *Store) AddSession(ctx context.Context, owner domain.Owner, sess domain.Session, key string, since time.Time) (domain.Added, error) {
	return s.addSession(ctx, owner, newRecord(sess, s.now()), key, since, "add", time.Time{}, time.Time{})
}

// AddSessionAlone stores a session unless another one happened in [from, to); see
// domain.Sessions.
func (s *Store) AddSessionAlone(ctx context.Context, owner domain.Owner, sess domain.Session, key string, since, from, to time.Time) (domain.Added, error) {
	return s.addSession(ctx, owner, newRecord(sess, s.now()), key, since, "alone", from, to)
}

func (s *Store) addSession(ctx context.Context, owner domain.Owner, rec record, key string, since time.Time, mode string, from, to time.Time) (domain.Added, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return domain.Added{}, err
	}
	js, err := json.Marshal(rec)
	if err != nil {
		return domain.Added{}, fmt.Errorf("store: add session: %w", err)
	}
	floating := ""
	if rec.Floating {
		floating = "1"
	}
	args := []any{key, s.now().UnixMilli(), js, rec.At, since.UnixMilli(), s.limits.Sessions, s.limits.Writes,
		s.limits.Window.Milliseconds(), s.limits.Idempotent.Milliseconds(), mode, floating, from.UnixMilli(), to.UnixMilli()}
	for _, f := range rec.Usage {
		args = append(args, f)
	}
	v, err := write(ctx, s, func() ([]int64, error) {
		return addSessionScript.Run(ctx, s.rdb, []string{k.profile, k.sessions, k.byTime, k.byOrder, k.usage, k.idem, k.idemTime, k.writes, k.floating}, args...).Int64Slice()
	})
	if into, ok := movedTo(err); ok {
		return s.addSession(ctx, into, rec, key, since, mode, from, to) // linked a moment ago
	}
	if err != nil {
		return domain.Added{}, scriptError("add session", err)
	}
	return domain.Added{ID: v[0], Logged: time.UnixMilli(v[1]), Duplicate: v[2] == 1, Recent: int(v[3])}, nil
}

// removeSessionScript removes one session (id "0": the last logged) and its usage counts. A
// logged time, when given, must match the session's; a repeated key returns what the first
// call removed. KEYS: sessions, byTime, byOrder, usage, writes, idem, idemTime, floating.
// ARGV: id, max writes, window ms, key, now ms, logged ms or ”, idem TTL ms.
var removeSessionScript = redis.NewScript(allowLua + `
local key = ''
if ARGV[4] ~= '' then
  key = 'rm:' .. ARGV[4]
  local done = redis.call('HGET', KEYS[6], key)
  if done then
    local bar = string.find(done, '|', 1, true)
    return {string.sub(done, 1, bar - 1), string.sub(done, bar + 1)}
  end
end
local id = ARGV[1]
if id == '0' then
  local last = redis.call('ZREVRANGE', KEYS[3], 0, 0)
  if #last == 0 then return false end
  id = last[1]
end
local js = redis.call('HGET', KEYS[1], id)
if not js then return false end
local rec = cjson.decode(js)
if ARGV[6] ~= '' and tonumber(rec.l) ~= tonumber(ARGV[6]) then return false end
if not allow(KEYS[5], ARGV[2], ARGV[3]) then return redis.error_reply('NB_RATE') end
redis.call('HDEL', KEYS[1], id)
redis.call('ZREM', KEYS[2], id)
redis.call('ZREM', KEYS[3], id)
redis.call('SREM', KEYS[8], id)
if rec.u then
  for _, f in ipairs(rec.u) do
    if redis.call('HINCRBY', KEYS[4], f, -1) <= 0 then redis.call('HDEL', KEYS[4], f) end
  end
end
if key ~= '' then
  redis.call('HSET', KEYS[6], key, id .. '|' .. js)
  redis.call('ZADD', KEYS[7], ARGV[5], key)
end
` + pruneLua(6, 7, 5, 7) + `
return {id, js}
`)

// RemoveSession removes a session; see domain.Sessions.
func (s *Store) RemoveSession(ctx context.Context, owner domain.Owner, id int64, logged time.Time, key string) (domain.Entry, bool, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return domain.Entry{}, false, err
	}
	if id < 0 {
		return domain.Entry{}, false, nil
	}
	loggedArg := ""
	if !logged.IsZero() {
		loggedArg = strconv.FormatInt(logged.UnixMilli(), 10)
	}
	v, err := write(ctx, s, func() ([]string, error) {
		return removeSessionScript.Run(ctx, s.rdb, []string{k.sessions, k.byTime, k.byOrder, k.usage, k.writes, k.idem, k.idemTime, k.floating},
			id, s.limits.Writes, s.limits.Window.Milliseconds(), key, s.now().UnixMilli(), loggedArg, s.limits.Idempotent.Milliseconds()).StringSlice()
	})
	if errors.Is(err, redis.Nil) {
		return domain.Entry{}, false, nil
	}
	if err != nil {
		return domain.Entry{}, false, scriptError("remove session", err)
	}
	gotID, _ := strconv.ParseInt(v[0], 10, 64)
	e, err := decodeEntry(gotID, v[1])
	if err != nil {
		return domain.Entry{}, false, err
	}
	return e, true, nil
}

func decodeEntry(id int64, js string) (domain.Entry, error) {
	var r record
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		return domain.Entry{}, fmt.Errorf("store: session %d is not valid JSON: %w", id, err)
	}
	return r.entry(id), nil
}

// ListSessions returns sessions newest first; see domain.Sessions.
func (s *Store) ListSessions(ctx context.Context, owner domain.Owner, limit int) ([]domain.Entry, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return nil, err
	}
	ids, err := s.rdb.ZRevRange(ctx, k.byTime, 0, int64(limit)-1).Result()
	if err != nil {
		return nil, fmt.Errorf("store: list sessions: %w", unavailable(err))
	}
	return s.entries(ctx, k, ids)
}

// SessionTimes returns when each session happened, oldest first; see domain.Stats.
func (s *Store) SessionTimes(ctx context.Context, owner domain.Owner) ([]time.Time, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return nil, err
	}
	zs, err := s.rdb.ZRangeWithScores(ctx, k.byTime, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("store: session times: %w", unavailable(err))
	}
	out := make([]time.Time, len(zs))
	for i, z := range zs {
		out[i] = time.UnixMilli(int64(z.Score))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out, nil
}

// Usage returns the usage counters; see domain.Stats.
func (s *Store) Usage(ctx context.Context, owner domain.Owner) (map[string]int, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return nil, err
	}
	m, err := s.rdb.HGetAll(ctx, k.usage).Result()
	if err != nil {
		return nil, fmt.Errorf("store: usage: %w", unavailable(err))
	}
	out := make(map[string]int, len(m))
	for f, v := range m {
		n, _ := strconv.Atoi(v)
		out[f] = n
	}
	return out, nil
}

// holdScript keeps a session that waits for the user's button (a reaction reported with it,
// a vague day, two needle sizes) under its platform event, among the idempotency keys, so it
// is pruned with them and a repeated event holds nothing new.
// KEYS: idem, idemTime, writes. ARGV: key, json, now ms, max writes, window ms, idem TTL ms.
var holdScript = redis.NewScript(allowLua + `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
if not allow(KEYS[3], ARGV[4], ARGV[5]) then return redis.error_reply('NB_RATE') end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
` + pruneLua(1, 2, 3, 6) + `
return 1
`)

// holdPrefix marks a held session among the idempotency keys.
const holdPrefix = "hold:"

// HoldSession keeps a session until the user says to log it; see domain.Sessions.
func (s *Store) HoldSession(ctx context.Context, owner domain.Owner, sess domain.Session, key string) error {
	k, err := ownerKeys(owner)
	if err != nil {
		return err
	}
	if key == "" {
		return errors.New("store: hold session: no key")
	}
	rec := newRecord(sess, time.UnixMilli(0))
	js, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("store: hold session: %w", err)
	}
	_, err = write(ctx, s, func() (int64, error) {
		return holdScript.Run(ctx, s.rdb, []string{k.idem, k.idemTime, k.writes}, holdPrefix+key, js, s.now().UnixMilli(),
			s.limits.Writes, s.limits.Window.Milliseconds(), s.limits.Idempotent.Milliseconds()).Int64()
	})
	return scriptError("hold session", err)
}

// HeldSession returns the session held under key; see domain.Sessions.
func (s *Store) HeldSession(ctx context.Context, owner domain.Owner, key string) (domain.Session, bool, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return domain.Session{}, false, err
	}
	js, err := s.rdb.HGet(ctx, k.idem, holdPrefix+key).Result()
	if errors.Is(err, redis.Nil) {
		return domain.Session{}, false, nil
	}
	if err != nil {
		return domain.Session{}, false, fmt.Errorf("store: held session: %w", unavailable(err))
	}
	var r record
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		return domain.Session{}, false, fmt.Errorf("store: held session %q is not valid JSON: %w", key, err)
	}
	return r.entry(0).Session, true, nil
}

// editSessionScript replaces one session, keeping when it was logged, and moves its usage
// counters and its place in time. KEYS: sessions, byTime, usage, writes, floating. ARGV: id,
// json, at ms, floating, max writes, window ms.
var editSessionScript = redis.NewScript(allowLua + `
local old = redis.call('HGET', KEYS[1], ARGV[1])
if not old then return false end
if not allow(KEYS[4], ARGV[5], ARGV[6]) then return redis.error_reply('NB_RATE') end
local o = cjson.decode(old)
if o.u then
  for _, f in ipairs(o.u) do
    if redis.call('HINCRBY', KEYS[3], f, -1) <= 0 then redis.call('HDEL', KEYS[3], f) end
  end
end
local n = cjson.decode(ARGV[2])
if n.u then
  for _, f in ipairs(n.u) do redis.call('HINCRBY', KEYS[3], f, 1) end
end
local js = ARGV[2]
redis.call('HSET', KEYS[1], ARGV[1], js)
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
if ARGV[4] == '1' then redis.call('SADD', KEYS[5], ARGV[1]) else redis.call('SREM', KEYS[5], ARGV[1]) end
return js
`)

// EditSession replaces a session; see domain.Sessions.
func (s *Store) EditSession(ctx context.Context, owner domain.Owner, id int64, sess domain.Session) (domain.Entry, bool, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return domain.Entry{}, false, err
	}
	if id <= 0 {
		return domain.Entry{}, false, nil
	}
	old, ok, err := s.Session(ctx, owner, id)
	if err != nil || !ok {
		return domain.Entry{}, false, err
	}
	rec := newRecord(sess, old.Logged)
	js, err := json.Marshal(rec)
	if err != nil {
		return domain.Entry{}, false, fmt.Errorf("store: edit session: %w", err)
	}
	floating := ""
	if rec.Floating {
		floating = "1"
	}
	out, err := write(ctx, s, func() (string, error) {
		return editSessionScript.Run(ctx, s.rdb, []string{k.sessions, k.byTime, k.usage, k.writes, k.floating},
			id, js, rec.At, floating, s.limits.Writes, s.limits.Window.Milliseconds()).Text()
	})
	if errors.Is(err, redis.Nil) {
		return domain.Entry{}, false, nil
	}
	if err != nil {
		return domain.Entry{}, false, scriptError("edit session", err)
	}
	e, err := decodeEntry(id, out)
	return e, err == nil, err
}

// Session returns one session; see domain.Sessions.
func (s *Store) Session(ctx context.Context, owner domain.Owner, id int64) (domain.Entry, bool, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return domain.Entry{}, false, err
	}
	js, err := s.rdb.HGet(ctx, k.sessions, strconv.FormatInt(id, 10)).Result()
	if errors.Is(err, redis.Nil) {
		return domain.Entry{}, false, nil
	}
	if err != nil {
		return domain.Entry{}, false, fmt.Errorf("store: session: %w", unavailable(err))
	}
	e, err := decodeEntry(id, js)
	return e, err == nil, err
}

// SessionsBetween returns the sessions in [from, to), oldest first; see domain.Sessions.
func (s *Store) SessionsBetween(ctx context.Context, owner domain.Owner, from, to time.Time) ([]domain.Entry, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return nil, err
	}
	ids, err := s.rdb.ZRangeByScore(ctx, k.byTime, &redis.ZRangeBy{
		Min: strconv.FormatInt(from.UnixMilli(), 10), Max: "(" + strconv.FormatInt(to.UnixMilli(), 10),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("store: sessions between: %w", unavailable(err))
	}
	return s.entries(ctx, k, ids)
}

// entries loads sessions by id, in the order given, skipping any removed meanwhile. Entries
// that do not decode are left out and named in a *domain.DamagedError returned with the rest.
func (s *Store) entries(ctx context.Context, k keys, ids []string) ([]domain.Entry, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	vals, err := s.rdb.HMGet(ctx, k.sessions, ids...).Result()
	if err != nil {
		return nil, fmt.Errorf("store: sessions: %w", unavailable(err))
	}
	out := make([]domain.Entry, 0, len(ids))
	var damaged *domain.DamagedError
	for i, v := range vals {
		js, ok := v.(string)
		if !ok {
			continue // removed between the two reads
		}
		id, _ := strconv.ParseInt(ids[i], 10, 64)
		e, err := decodeEntry(id, js)
		if err != nil {
			if damaged == nil {
				damaged = &domain.DamagedError{Key: k.sessions}
			}
			damaged.IDs = append(damaged.IDs, ids[i])
			continue
		}
		out = append(out, e)
	}
	if damaged != nil {
		return out, damaged // the readable ones, and which were not
	}
	return out, nil
}

// anchorLua defines anchor(sessions, byTime, floating, from), for the scripts that move
// floating sessions to their time in the owner's new zone: ARGV from from on is id, at ms, json
// for each (anchorArgs). A session deleted meanwhile is only taken off the floating set.
const anchorLua = `
local function anchor(sessions, byTime, floating, from)
  for i = from, #ARGV, 3 do
    if redis.call('HEXISTS', sessions, ARGV[i]) == 1 then
      redis.call('HSET', sessions, ARGV[i], ARGV[i + 2])
      redis.call('ZADD', byTime, ARGV[i + 1], ARGV[i])
    end
    redis.call('SREM', floating, ARGV[i])
  end
end
`

// anchorScript anchors floating sessions. KEYS: sessions, byTime, floating. ARGV: anchorArgs.
var anchorScript = redis.NewScript(anchorLua + `
anchor(KEYS[1], KEYS[2], KEYS[3], 1)
return 1
`)

// anchorFloating gives the owner's floating sessions their time in zone: a session read as
// "22:00" before the zone was known happened at 22:00 there.
func (s *Store) anchorFloating(ctx context.Context, k keys, zone string) error {
	args, err := s.anchorArgs(ctx, k, zone)
	if err != nil || len(args) == 0 {
		return err
	}
	if _, err := write(ctx, s, func() (int64, error) {
		return anchorScript.Run(ctx, s.rdb, []string{k.sessions, k.byTime, k.floating}, args...).Int64()
	}); err != nil {
		return fmt.Errorf("store: set zone: %w", unavailable(err))
	}
	return nil
}

// anchorArgs reads the owner's floating sessions and returns anchorScript's ARGV for them
// in zone: id, at ms, json for each.
func (s *Store) anchorArgs(ctx context.Context, k keys, zone string) ([]any, error) {
	loc, err := schedule.LoadZone(zone)
	if err != nil {
		return nil, fmt.Errorf("store: set zone: %w", err)
	}
	ids, err := s.rdb.SMembers(ctx, k.floating).Result()
	if err != nil {
		return nil, fmt.Errorf("store: set zone: %w", unavailable(err))
	}
	list, err := s.entries(ctx, k, ids)
	var damaged *domain.DamagedError
	if err != nil && !errors.As(err, &damaged) {
		return nil, err // an unreadable floating session stays where it is: bot doctor reports it
	}
	var args []any
	for _, e := range list {
		w := e.At.UTC()
		e.At = time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc)
		e.Floating = false
		rec := newRecord(e.Session, e.Logged)
		js, err := json.Marshal(rec)
		if err != nil {
			return nil, fmt.Errorf("store: set zone: %w", err)
		}
		args = append(args, e.ID, rec.At, js)
	}
	return args, nil
}
