package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/schedule"
)

// reminderRecord is a reminder as stored.
type reminderRecord struct {
	Hour    int    `json:"h"`
	Minute  int    `json:"m"`
	Days    uint8  `json:"d"`
	Chat    string `json:"c"`
	Created int64  `json:"t,omitempty"` // unix ms; tells a reminder from an older one with the same id
}

var reminderIDPattern = regexp.MustCompile(`^r[0-9]{1,9}$`)

// Member is a reminder's name in its platform's due index: "OWNER|rID". A snoozed reminder has
// a second entry, "OWNER|rID|snooze", that fires once.
func Member(owner, id string) string { return owner + "|" + id }

// SnoozeMember names the one-off entry of a snoozed reminder.
func SnoozeMember(owner, id string) string { return Member(owner, id) + "|snooze" }

// ParseMember splits a due-index member into owner, reminder id and whether it is a snooze.
func ParseMember(m string) (owner, id string, snooze bool, ok bool) {
	parts := strings.Split(m, "|")
	if len(parts) < 2 || len(parts) > 3 || !ValidOwner(parts[0]) || !reminderIDPattern.MatchString(parts[1]) {
		return "", "", false, false
	}
	if len(parts) == 3 {
		if parts[2] != "snooze" {
			return "", "", false, false
		}
		snooze = true
	}
	return parts[0], parts[1], snooze, true
}

// allowScript counts one write against the owner's rate limit. KEYS: writes. ARGV: max, window ms.
var allowScript = redis.NewScript(allowLua + `
if not allow(KEYS[1], ARGV[1], ARGV[2]) then return redis.error_reply('NB_RATE') end
return 1
`)

// allow counts one write for owner, failing with ErrRateLimited over the limit.
func (s *Store) allow(ctx context.Context, k keys) error {
	_, err := write(ctx, s, func() (int64, error) {
		return allowScript.Run(ctx, s.rdb, []string{k.writes}, s.limits.Writes, s.limits.Window.Milliseconds()).Int64()
	})
	return err
}

// allocReminderScript hands out the next reminder id, under the cap and the rate limit; a
// repeated platform event gets the id it got the first time. KEYS: profile, reminders, writes,
// idem, idemTime. ARGV: max reminders, max writes, window ms, event key, now ms, idem TTL ms.
var allocReminderScript = redis.NewScript(allowLua + `
local key = ''
if ARGV[4] ~= '' then
  key = 'rem:' .. ARGV[4]
  local id = redis.call('HGET', KEYS[4], key)
  if id then return id end
end
if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[1]) then return redis.error_reply('NB_FULL') end
if not allow(KEYS[3], ARGV[2], ARGV[3]) then return redis.error_reply('NB_RATE') end
local id = 'r' .. redis.call('HINCRBY', KEYS[1], 'rseq', 1)
if key ~= '' then
  redis.call('HSET', KEYS[4], key, id)
  redis.call('ZADD', KEYS[5], ARGV[5], key)
end
return id
`)

// storeReminderScript stores a reminder unless the cap was reached meanwhile (two /remind set
// at once). KEYS: reminders. ARGV: id, json, max reminders.
var storeReminderScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then
  return redis.error_reply('NB_FULL')
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`)

// AddReminder stores a reminder and puts it in the due index; see commands.Reminders. A
// non-empty key (the platform event) makes a repeat store the same reminder again, not a
// second one.
//
// The due entry is written before the reminder itself: if the bot stops in between, the
// dispatcher finds an entry without a reminder and drops it, whereas the other order could
// leave a reminder that never fires.
func (s *Store) AddReminder(ctx context.Context, owner string, r commands.Reminder, next time.Time, key string) (commands.Reminder, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return commands.Reminder{}, err
	}
	now := s.now()
	r.Created = time.UnixMilli(now.UnixMilli())
	js, err := json.Marshal(reminderRecord{Hour: r.Clock.Hour, Minute: r.Clock.Minute, Days: uint8(r.Days), Chat: r.Chat, Created: now.UnixMilli()})
	if err != nil {
		return commands.Reminder{}, fmt.Errorf("store: add reminder: %w", err)
	}
	id, err := write(ctx, s, func() (string, error) {
		return allocReminderScript.Run(ctx, s.rdb, []string{k.profile, k.reminders, k.writes, k.idem, k.idemTime},
			s.limits.Reminders, s.limits.Writes, s.limits.Window.Milliseconds(), key, now.UnixMilli(), s.limits.Idempotent.Milliseconds()).Text()
	})
	if err != nil {
		return commands.Reminder{}, scriptError("add reminder", err)
	}
	platform := platformOf(owner)
	if _, err := write(ctx, s, func() (int64, error) {
		return s.rdb.ZAdd(ctx, DueKey(platform), redis.Z{Score: float64(next.UnixMilli()), Member: Member(owner, id)}).Result()
	}); err != nil {
		return commands.Reminder{}, fmt.Errorf("store: add reminder: %w", unavailable(err))
	}
	if _, err := write(ctx, s, func() (int64, error) {
		return storeReminderScript.Run(ctx, s.rdb, []string{k.reminders}, id, js, s.limits.Reminders).Int64()
	}); err != nil {
		if errors.Is(scriptError("", err), commands.ErrFull) {
			s.unschedule(ctx, owner, []string{id})
		}
		return commands.Reminder{}, scriptError("add reminder", err)
	}
	r.ID = id
	return r, nil
}

// ListReminders returns the owner's reminders in the order they were set.
func (s *Store) ListReminders(ctx context.Context, owner string) ([]commands.Reminder, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return nil, err
	}
	m, err := s.rdb.HGetAll(ctx, k.reminders).Result()
	if err != nil {
		return nil, fmt.Errorf("store: list reminders: %w", unavailable(err))
	}
	out := make([]commands.Reminder, 0, len(m))
	for id, js := range m {
		r, err := decodeReminder(id, js)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return reminderNumber(out[i].ID) < reminderNumber(out[j].ID) })
	return out, nil
}

// Reminder returns one reminder; ok is false when it does not exist (any more).
func (s *Store) Reminder(ctx context.Context, owner, id string) (r commands.Reminder, ok bool, err error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return commands.Reminder{}, false, err
	}
	if !reminderIDPattern.MatchString(id) {
		return commands.Reminder{}, false, nil
	}
	js, err := s.rdb.HGet(ctx, k.reminders, id).Result()
	if errors.Is(err, redis.Nil) {
		return commands.Reminder{}, false, nil
	}
	if err != nil {
		return commands.Reminder{}, false, fmt.Errorf("store: reminder: %w", unavailable(err))
	}
	r, err = decodeReminder(id, js)
	return r, err == nil, err
}

func reminderNumber(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "r"))
	return n
}

func decodeReminder(id, js string) (commands.Reminder, error) {
	var rec reminderRecord
	if err := json.Unmarshal([]byte(js), &rec); err != nil {
		return commands.Reminder{}, fmt.Errorf("store: reminder %s is not valid JSON: %w", id, err)
	}
	r := commands.Reminder{
		ID: id, Clock: schedule.Clock{Hour: rec.Hour, Minute: rec.Minute}, Days: schedule.Weekdays(rec.Days), Chat: rec.Chat,
	}
	if rec.Created != 0 {
		r.Created = time.UnixMilli(rec.Created)
	}
	return r, nil
}

// RemoveReminder removes one reminder, or all when id is "", and their due entries; see
// commands.Reminders. The reminder goes first: a due entry left behind by a crash is dropped
// by the dispatcher when it fires.
func (s *Store) RemoveReminder(ctx context.Context, owner, id string) (int, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return 0, err
	}
	var ids []string
	if id == "" {
		if ids, err = s.rdb.HKeys(ctx, k.reminders).Result(); err != nil {
			return 0, fmt.Errorf("store: remove reminder: %w", unavailable(err))
		}
	} else if reminderIDPattern.MatchString(id) {
		ids = []string{id}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	if err := s.allow(ctx, k); err != nil {
		return 0, scriptError("remove reminder", err)
	}
	n, err := write(ctx, s, func() (int64, error) { return s.rdb.HDel(ctx, k.reminders, ids...).Result() })
	if err != nil {
		return 0, fmt.Errorf("store: remove reminder: %w", unavailable(err))
	}
	if err := s.unschedule(ctx, owner, ids); err != nil {
		return int(n), err
	}
	return int(n), nil
}

// unschedule removes reminders (and their snoozes) from the due index and drops their leases,
// so an acknowledgement in flight cannot put them back.
func (s *Store) unschedule(ctx context.Context, owner string, ids []string) error {
	var members []string
	for _, id := range ids {
		members = append(members, Member(owner, id), SnoozeMember(owner, id))
	}
	platform := platformOf(owner)
	_, err := write(ctx, s, func() ([]redis.Cmder, error) {
		return s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.ZRem(ctx, DueKey(platform), toAny(members)...)
			p.HDel(ctx, LeaseKey(platform), members...)
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("store: unschedule: %w", unavailable(err))
	}
	return nil
}

// reschedule puts due entries at new times and drops their leases, so that a dispatcher round
// in flight settles around the user's change instead of over it. Entries that are gone stay
// gone (XX).
func (s *Store) reschedule(ctx context.Context, platform string, at map[string]time.Time) error {
	if len(at) == 0 {
		return nil
	}
	zs := make([]redis.Z, 0, len(at))
	members := make([]string, 0, len(at))
	for m, t := range at {
		zs = append(zs, redis.Z{Score: float64(t.UnixMilli()), Member: m})
		members = append(members, m)
	}
	_, err := write(ctx, s, func() ([]redis.Cmder, error) {
		return s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.ZAddXX(ctx, DueKey(platform), zs...)
			p.HDel(ctx, LeaseKey(platform), members...)
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("store: reschedule: %w", unavailable(err))
	}
	return nil
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// Zone returns the owner's time zone, "" when unset; see commands.Profiles.
func (s *Store) Zone(ctx context.Context, owner string) (string, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return "", err
	}
	tz, err := s.rdb.HGet(ctx, k.profile, "tz").Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: zone: %w", unavailable(err))
	}
	return tz, nil
}

// setZoneScript stores the zone under the rate limit. KEYS: profile, writes. ARGV: zone,
// max writes, window ms.
var setZoneScript = redis.NewScript(allowLua + `
if not allow(KEYS[2], ARGV[2], ARGV[3]) then return redis.error_reply('NB_RATE') end
redis.call('HSET', KEYS[1], 'tz', ARGV[1])
return 1
`)

// SetZone stores the owner's time zone and moves their reminders to times computed in it; see
// commands.Profiles.
func (s *Store) SetZone(ctx context.Context, owner, zone string, next map[string]time.Time) error {
	k, err := ownerKeys(owner)
	if err != nil {
		return err
	}
	if _, err := schedule.LoadZone(zone); err != nil {
		return fmt.Errorf("store: set zone: %w", err)
	}
	if _, err := write(ctx, s, func() (int64, error) {
		return setZoneScript.Run(ctx, s.rdb, []string{k.profile, k.writes}, zone, s.limits.Writes, s.limits.Window.Milliseconds()).Int64()
	}); err != nil {
		return scriptError("set zone", err)
	}
	at := make(map[string]time.Time, len(next))
	for id, t := range next {
		if reminderIDPattern.MatchString(id) {
			at[Member(owner, id)] = t
		}
	}
	return s.reschedule(ctx, platformOf(owner), at)
}

// Snooze makes a reminder fire once more at at, or cancels a pending snooze when at is zero;
// see commands.Reminders. It reports commands.ErrGone for a reminder that no longer exists.
func (s *Store) Snooze(ctx context.Context, owner, id string, at time.Time) error {
	k, err := ownerKeys(owner)
	if err != nil || !reminderIDPattern.MatchString(id) {
		return fmt.Errorf("store: snooze: invalid reminder %q of %q", id, owner)
	}
	m, platform := SnoozeMember(owner, id), platformOf(owner)
	if at.IsZero() {
		_, err := write(ctx, s, func() ([]redis.Cmder, error) {
			return s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.ZRem(ctx, DueKey(platform), m)
				p.HDel(ctx, LeaseKey(platform), m)
				return nil
			})
		})
		if err != nil {
			return fmt.Errorf("store: snooze: %w", unavailable(err))
		}
		return nil
	}
	exists, err := s.rdb.HExists(ctx, k.reminders, id).Result()
	if err != nil {
		return fmt.Errorf("store: snooze: %w", unavailable(err))
	}
	if !exists {
		return fmt.Errorf("store: snooze %s: %w", id, commands.ErrGone)
	}
	if err := s.allow(ctx, k); err != nil {
		return scriptError("snooze", err)
	}
	// A snooze entry being sent right now loses its lease, so that round cannot remove the
	// new one when it settles.
	_, err = write(ctx, s, func() ([]redis.Cmder, error) {
		return s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.ZAdd(ctx, DueKey(platform), redis.Z{Score: float64(at.UnixMilli()), Member: m})
			p.HDel(ctx, LeaseKey(platform), m)
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("store: snooze: %w", unavailable(err))
	}
	return nil
}

// Forget deletes everything kept about owner: their keys and their due-index entries.
func (s *Store) Forget(ctx context.Context, owner string) error {
	k, err := ownerKeys(owner)
	if err != nil {
		return err
	}
	ids, err := s.rdb.HKeys(ctx, k.reminders).Result()
	if err != nil {
		return fmt.Errorf("store: forget: %w", unavailable(err))
	}
	if len(ids) > 0 {
		if err := s.unschedule(ctx, owner, ids); err != nil {
			return err
		}
	}
	if _, err := write(ctx, s, func() (int64, error) { return s.rdb.Del(ctx, k.all()...).Result() }); err != nil {
		return fmt.Errorf("store: forget: %w", unavailable(err))
	}
	return nil
}
