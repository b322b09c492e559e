package store

import (
	"context"
	"encoding/json"
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
	Hour   int    `json:"h"`
	Minute int    `json:"m"`
	Days   uint8  `json:"d"`
	Chat   string `json:"c"`
}

var reminderIDPattern = regexp.MustCompile(`^r[0-9]{1,9}$`)

// Member is a reminder's name in the due index: "OWNER|rID". A snoozed reminder has a second
// entry, "OWNER|rID|snooze", that fires once.
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

// allocReminderScript checks the cap and the rate limit and hands out the next reminder id.
// KEYS: profile, reminders, writes. ARGV: max reminders, max writes, window ms.
var allocReminderScript = redis.NewScript(allowLua + `
if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[1]) then return redis.error_reply('NB_FULL') end
if not allow(KEYS[3], ARGV[2], ARGV[3]) then return redis.error_reply('NB_RATE') end
return 'r' .. redis.call('HINCRBY', KEYS[1], 'rseq', 1)
`)

// AddReminder stores a reminder and puts it in the due index; see commands.Reminders.
//
// The due entry is written before the reminder itself: if the bot stops in between, the
// dispatcher finds an entry without a reminder and drops it, whereas the other order could
// leave a reminder that never fires.
func (s *Store) AddReminder(ctx context.Context, owner string, r commands.Reminder, next time.Time) (commands.Reminder, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return commands.Reminder{}, err
	}
	js, err := json.Marshal(reminderRecord{Hour: r.Clock.Hour, Minute: r.Clock.Minute, Days: uint8(r.Days), Chat: r.Chat})
	if err != nil {
		return commands.Reminder{}, fmt.Errorf("store: add reminder: %w", err)
	}
	id, err := write(ctx, s, func() (string, error) {
		return allocReminderScript.Run(ctx, s.rdb, []string{k.profile, k.reminders, k.writes},
			s.limits.Reminders, s.limits.Writes, s.limits.Window.Milliseconds()).Text()
	})
	if err != nil {
		return commands.Reminder{}, scriptError("add reminder", err)
	}
	if _, err := write(ctx, s, func() (int64, error) {
		return s.rdb.ZAdd(ctx, DueKey, redis.Z{Score: float64(next.UnixMilli()), Member: Member(owner, id)}).Result()
	}); err != nil {
		return commands.Reminder{}, fmt.Errorf("store: add reminder: %w", unavailable(err))
	}
	if _, err := write(ctx, s, func() (int64, error) { return s.rdb.HSet(ctx, k.reminders, id, js).Result() }); err != nil {
		return commands.Reminder{}, fmt.Errorf("store: add reminder: %w", unavailable(err))
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
	js, err := s.rdb.HGet(ctx, k.reminders, id).Result()
	if err == redis.Nil {
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
	return commands.Reminder{
		ID: id, Clock: schedule.Clock{Hour: rec.Hour, Minute: rec.Minute}, Days: schedule.Weekdays(rec.Days), Chat: rec.Chat,
	}, nil
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
	_, err := write(ctx, s, func() ([]redis.Cmder, error) {
		return s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.ZRem(ctx, DueKey, toAny(members)...)
			p.HDel(ctx, LeaseKey, members...)
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("store: unschedule: %w", unavailable(err))
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
	if err == redis.Nil {
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

// SetZone stores the owner's time zone and moves their reminders; see commands.Profiles.
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
	if len(next) == 0 {
		return nil
	}
	zs := make([]redis.Z, 0, len(next))
	for id, t := range next {
		if reminderIDPattern.MatchString(id) {
			zs = append(zs, redis.Z{Score: float64(t.UnixMilli()), Member: Member(owner, id)})
		}
	}
	// XX: a reminder being fired right now keeps its entry; the dispatcher reschedules it in
	// the new zone when it acknowledges.
	if _, err := write(ctx, s, func() (int64, error) { return s.rdb.ZAddXX(ctx, DueKey, zs...).Result() }); err != nil {
		return fmt.Errorf("store: set zone: %w", unavailable(err))
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

// Snooze makes a reminder fire once more at at, or cancels a pending snooze when at is zero;
// see commands.Reminders.
func (s *Store) Snooze(ctx context.Context, owner, id string, at time.Time) error {
	if !ValidOwner(owner) || !reminderIDPattern.MatchString(id) {
		return fmt.Errorf("store: snooze: invalid reminder %q of %q", id, owner)
	}
	m := SnoozeMember(owner, id)
	_, err := write(ctx, s, func() (int64, error) {
		if at.IsZero() {
			return s.rdb.ZRem(ctx, DueKey, m).Result()
		}
		return s.rdb.ZAdd(ctx, DueKey, redis.Z{Score: float64(at.UnixMilli()), Member: m}).Result()
	})
	if err != nil {
		return fmt.Errorf("store: snooze: %w", unavailable(err))
	}
	return nil
}
