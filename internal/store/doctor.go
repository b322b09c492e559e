package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/schedule"
)

// Finding is one problem Doctor found.
type Finding struct {
	Key     string // the key
	Member  string // the field or member, when the problem is one of them
	Problem string // what is wrong, in a sentence
	Fixed   string // what --fix did about it; "" when nothing (it is not safe to, or fix was off)
}

func (f Finding) String() string {
	s := f.Key
	if f.Member != "" {
		s += " " + strconv.Quote(f.Member)
	}
	s += ": " + f.Problem
	if f.Fixed != "" {
		s += " (fixed: " + f.Fixed + ")"
	}
	return s
}

// badSuffix names the hash that unreadable entries are moved into by Doctor's fix: kept, not
// deleted, so nothing is lost that someone could still read by hand.
const badSuffix = "bad"

// knownKey is every key shape the bot writes (see doc.go); an owner's key names come from
// ownerKeys itself, so a key added there is known here too.
var knownKey = regexp.MustCompile(`^nb:(\{[A-Za-z0-9_.:-]{1,80}\}:(` + ownerSuffixes() + `)|\{due:(tg|dc|console)\}:(q|l|n)|lease:\{[a-z]+:[0-9]+\}:.+|rl:\{[a-z]+:[0-9]+\}:.+|id:[a-z]+:[A-Za-z0-9_.-]+|link:[A-Z0-9]+|merges|secret|migrated:[a-z-]+|bots|tg:.+|dc:.+|ev:.+)$`)

// ownerSuffixes is "p|s|t|...": the last part of each of an owner's key names, and the bad hash.
func ownerSuffixes() string {
	k, _ := ownerKeys("x")
	var out []string
	for _, key := range k.all() {
		out = append(out, strings.TrimPrefix(key, "nb:{x}:"))
	}
	return strings.Join(append(out, badSuffix), "|")
}

// ownerKey splits "nb:{OWNER}:x" into the owner and x.
var ownerKey = regexp.MustCompile(`^nb:\{([A-Za-z0-9_.:-]{1,80})\}:([a-z]+)$`)

// Doctor checks the whole store: session and reminder entries that do not decode, keys of a
// shape the bot never writes, session indexes that name sessions that are gone, due-index
// entries without a reminder, and reminders without a due entry. It reads with SCAN, never
// KEYS. With fix it repairs what is safe: an unreadable entry is moved to the owner's
// nb:{OWNER}:bad hash and out of the indexes, a stale index or due entry is removed, and a
// reminder without a due entry is scheduled at its next time; keys of unknown shape are only
// reported.
func (s *Store) Doctor(ctx context.Context, fix bool) ([]Finding, error) {
	var out []Finding
	iter := s.rdb.Scan(ctx, 0, "nb:*", 1000).Iterator()
	var owners, dues []string
	seen := map[string]bool{}
	for iter.Next(ctx) {
		k := iter.Val()
		if !knownKey.MatchString(k) {
			out = append(out, Finding{Key: k, Problem: "a key of a shape the bot never writes"})
			continue
		}
		if m := ownerKey.FindStringSubmatch(k); m != nil && !seen[m[1]] {
			seen[m[1]] = true
			owners = append(owners, m[1])
		}
		if strings.HasPrefix(k, "nb:{due:") && strings.HasSuffix(k, "}:q") {
			dues = append(dues, k)
		}
	}
	if err := iter.Err(); err != nil {
		return nil, fmt.Errorf("store: doctor: %w", unavailable(err))
	}
	for _, o := range owners {
		f, err := s.checkOwner(ctx, domain.Owner(o), fix)
		if err != nil {
			return out, err
		}
		out = append(out, f...)
	}
	for _, due := range dues {
		f, err := s.checkDue(ctx, due, fix)
		if err != nil {
			return out, err
		}
		out = append(out, f...)
	}
	return out, nil
}

// checkOwner checks one owner's sessions, their indexes and their reminders.
func (s *Store) checkOwner(ctx context.Context, owner domain.Owner, fix bool) ([]Finding, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return nil, nil // not an owner the bot could have made: reported as a key already
	}
	bad := "nb:{" + string(owner) + "}:" + badSuffix
	var out []Finding
	sessions, err := s.rdb.HGetAll(ctx, k.sessions).Result()
	if err != nil {
		return nil, fmt.Errorf("store: doctor: %w", unavailable(err))
	}
	for id, js := range sessions {
		var r record
		if _, err := strconv.ParseInt(id, 10, 64); err == nil && json.Unmarshal([]byte(js), &r) == nil {
			continue
		}
		f := Finding{Key: k.sessions, Member: id, Problem: "a session entry that does not decode"}
		if fix {
			moved, err := s.quarantine(ctx, k.sessions, bad, id, js, []string{k.byTime, k.byOrder}, []string{k.floating})
			if err != nil {
				return out, err
			}
			if moved {
				f.Fixed = "moved to " + bad
			}
		}
		out = append(out, f)
	}
	for _, index := range []string{k.byTime, k.byOrder} {
		ids, err := s.rdb.ZRange(ctx, index, 0, -1).Result()
		if err != nil {
			return nil, fmt.Errorf("store: doctor: %w", unavailable(err))
		}
		for _, id := range ids {
			if _, ok := sessions[id]; ok {
				continue
			}
			f := Finding{Key: index, Member: id, Problem: "an index entry for a session that does not exist"}
			if fix {
				if _, err := write(ctx, s, func() (int64, error) { return s.rdb.ZRem(ctx, index, id).Result() }); err != nil {
					return out, fmt.Errorf("store: doctor: %w", unavailable(err))
				}
				f.Fixed = "removed"
			}
			out = append(out, f)
		}
	}
	reminders, err := s.rdb.HGetAll(ctx, k.reminders).Result()
	if err != nil {
		return nil, fmt.Errorf("store: doctor: %w", unavailable(err))
	}
	zone, err := s.Zone(ctx, owner)
	if err != nil {
		return out, err
	}
	for id, js := range reminders {
		r, err := decodeReminder(id, js)
		if err != nil || !reminderIDPattern.MatchString(id) {
			f := Finding{Key: k.reminders, Member: id, Problem: "a reminder entry that does not decode"}
			if fix {
				moved, err := s.quarantine(ctx, k.reminders, bad, id, js, nil, nil)
				if err != nil {
					return out, err
				}
				if moved {
					f.Fixed = "moved to " + bad
				}
			}
			out = append(out, f)
			continue
		}
		if !r.To.Platform.Valid() {
			out = append(out, Finding{Key: k.reminders, Member: id, Problem: "a reminder without its platform (the start-up migration gives it one when it is in a due index)"})
			continue
		}
		_, err = s.rdb.ZScore(ctx, DueKey(r.To.Platform), Member(owner, id)).Result()
		if errors.Is(err, redis.Nil) {
			f := Finding{Key: k.reminders, Member: id, Problem: "a reminder that is in no due index, so it never fires"}
			if fix {
				next := schedule.Next(r.Clock, r.Days, zoneLocation(zone), s.now())
				if _, err := write(ctx, s, func() (int64, error) {
					return s.rdb.ZAdd(ctx, DueKey(r.To.Platform), redis.Z{Score: float64(next.UnixMilli()), Member: Member(owner, id)}).Result()
				}); err != nil {
					return out, fmt.Errorf("store: doctor: %w", unavailable(err))
				}
				f.Fixed = "scheduled at its next time"
			}
			out = append(out, f)
		} else if err != nil {
			return out, fmt.Errorf("store: doctor: %w", unavailable(err))
		}
	}
	return out, nil
}

// quarantineScript moves one entry of a hash to the owner's bad hash, only if it still holds
// the value Doctor found bad (the bot may have rewritten it since), and removes it from the
// sorted sets and sets named alongside. KEYS: from, bad, then the indexes. ARGV: field, value,
// then "z" or "s" for each index: a sorted set or a set.
var quarantineScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[2], KEYS[1] .. '|' .. ARGV[1], ARGV[2])
redis.call('HDEL', KEYS[1], ARGV[1])
for i = 3, #KEYS do
  if ARGV[i] == 'z' then redis.call('ZREM', KEYS[i], ARGV[1]) else redis.call('SREM', KEYS[i], ARGV[1]) end
end
return 1
`)

// quarantine moves one entry of a hash to the owner's bad hash, with its index entries
// (zsets, sets), if it is still the value found bad; moved is false when it changed meanwhile.
func (s *Store) quarantine(ctx context.Context, from, bad, field, value string, zsets, sets []string) (moved bool, err error) {
	keys := append([]string{from, bad}, zsets...)
	keys = append(keys, sets...)
	args := []any{field, value}
	for range zsets {
		args = append(args, "z")
	}
	for range sets {
		args = append(args, "s")
	}
	n, err := write(ctx, s, func() (int64, error) { return quarantineScript.Run(ctx, s.rdb, keys, args...).Int64() })
	if err != nil {
		return false, fmt.Errorf("store: doctor: %w", unavailable(err))
	}
	return n == 1, nil
}

// checkDue checks one platform's due index: every member must name a reminder that exists.
func (s *Store) checkDue(ctx context.Context, due string, fix bool) ([]Finding, error) {
	platform := domain.Platform(strings.TrimSuffix(strings.TrimPrefix(due, "nb:{due:"), "}:q"))
	members, err := s.rdb.ZRange(ctx, due, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("store: doctor: %w", unavailable(err))
	}
	var out []Finding
	for _, m := range members {
		owner, id, _, ok := ParseMember(m)
		problem := "a due entry that names no reminder"
		if ok {
			k, _ := ownerKeys(owner)
			js, err := s.rdb.HGet(ctx, k.reminders, id).Result()
			switch {
			case errors.Is(err, redis.Nil):
			case err != nil:
				return out, fmt.Errorf("store: doctor: %w", unavailable(err))
			default:
				r, derr := decodeReminder(id, js)
				if derr != nil || r.To.Platform == platform || r.To.Platform == "" {
					continue // exists (an unreadable one is reported with its owner)
				}
				problem = "a due entry in the index of a platform its reminder is not delivered on"
			}
		} else {
			problem = "a due entry of a shape the bot never writes"
		}
		f := Finding{Key: due, Member: m, Problem: problem}
		if fix {
			if _, err := write(ctx, s, func() ([]redis.Cmder, error) {
				return s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
					p.ZRem(ctx, due, m)
					p.HDel(ctx, LeaseKey(platform), m)
					return nil
				})
			}); err != nil {
				return out, fmt.Errorf("store: doctor: %w", unavailable(err))
			}
			f.Fixed = "removed"
		}
		out = append(out, f)
	}
	return out, nil
}
