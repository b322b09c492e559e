package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/schedule"
)

// reminderRecord is a reminder as stored.
type reminderRecord struct {
	Hour     int    `json:"h"`
	Minute   int    `json:"m"`
	Days     uint8  `json:"d"`
	Chat     string `json:"c"`
	Platform string `json:"pl,omitempty"` // where Chat is; "" in records written before linking, see Migrate
	Created  int64  `json:"t,omitempty"`  // unix ms; tells a reminder from an older one with the same id
	Nag      int64  `json:"g,omitempty"`  // seconds between repeats; 0 for none
	Kind     string `json:"k,omitempty"`  // "" for a nightly reminder; see domain.Reminder
}

func newReminderRecord(r domain.Reminder) reminderRecord {
	return reminderRecord{Hour: r.Clock.Hour, Minute: r.Clock.Minute, Days: uint8(r.Days), Chat: r.To.Chat, Platform: string(r.To.Platform), Created: r.Created.UnixMilli(), Nag: int64(r.Nag / time.Second), Kind: r.Kind}
}

var reminderIDPattern = regexp.MustCompile(`^r[0-9]{1,9}$`)

// Member is a reminder's name in its platform's due index: "OWNER|rID". A snoozed reminder has
// a second entry, "OWNER|rID|snooze", that fires once; a nagging one that nobody answered has
// "OWNER|rID|nag" for its next repeat, with the count and the message it follows in NagKey.
func Member(owner domain.Owner, id string) string { return string(owner) + "|" + id }

// SnoozeMember names the one-off entry of a snoozed reminder.
func SnoozeMember(owner domain.Owner, id string) string { return Member(owner, id) + "|snooze" }

// NagMember names the entry of a nagging reminder's next repeat.
func NagMember(owner domain.Owner, id string) string { return Member(owner, id) + "|nag" }

// The kinds of one-off due entries, as ParseMember returns them.
const (
	entrySnooze = "snooze"
	entryNag    = "nag"
)

// ParseMember splits a due-index member into owner, reminder id and the kind of one-off entry
// it is: "" for the reminder itself, "snooze" or "nag".
func ParseMember(m string) (owner domain.Owner, id, kind string, ok bool) {
	parts := strings.Split(m, "|")
	if len(parts) < 2 || len(parts) > 3 || !domain.Owner(parts[0]).Valid() || !reminderIDPattern.MatchString(parts[1]) {
		return "", "", "", false
	}
	if len(parts) == 3 {
		if parts[2] != entrySnooze && parts[2] != entryNag {
			return "", "", "", false
		}
		kind = parts[2]
	}
	return domain.Owner(parts[0]), parts[1], kind, true
}

// oneOffs are the one-off entries a reminder may have beside its own.
func oneOffs(owner domain.Owner, id string) []string {
	return []string{SnoozeMember(owner, id), NagMember(owner, id)}
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
// repeated platform event gets the id it got the first time, marked "=r3". KEYS: profile,
// reminders, writes, idem, idemTime. ARGV: max reminders, max writes, window ms, event key,
// now ms, idem TTL ms.
var allocReminderScript = redis.NewScript(allowLua + movedLua + `
local m = moved(KEYS[1])
if m then return m end
local key = ''
if ARGV[4] ~= '' then
  key = 'rem:' .. ARGV[4]
  local id = redis.call('HGET', KEYS[4], key)
  if id then return '=' .. id end
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
// at once) or another nightly reminder has the same time, or another of a kind that is kept
// once (the weekly summary, the check-in) exists (NB_DUP). With ARGV[4] = 'update' the
// reminder must exist already (NB_GONE). KEYS: reminders. ARGV: id, json, max nightly
// reminders, mode.
var storeReminderScript = redis.NewScript(`
local new = cjson.decode(ARGV[2])
local exists = redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1
if ARGV[4] == 'update' and not exists then return redis.error_reply('NB_GONE') end
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if all[i] ~= ARGV[1] then
    local r = cjson.decode(all[i + 1])
    local kind, newKind = r.k or '', new.k or ''
    if kind == newKind and (newKind ~= '' or r.h == new.h and r.m == new.m) then return redis.error_reply('NB_DUP') end
  end
end
local nightly = 0
for i = 2, #all, 2 do
  if (cjson.decode(all[i]).k or '') == '' then nightly = nightly + 1 end
end
if not exists and (new.k or '') == '' and nightly >= tonumber(ARGV[3]) then
  return redis.error_reply('NB_FULL')
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`)

// AddReminder stores a reminder and puts it in the due index of the platform it is delivered
// on; see domain.Reminders. A non-empty key (the platform event) makes a repeat store the same
// reminder again, not a second one.
//
// The due entry is written before the reminder itself: if the bot stops in between, the
// dispatcher finds an entry without a reminder and drops it, whereas the other order could
// leave a reminder that never fires.
func (s *Store) AddReminder(ctx context.Context, owner domain.Owner, r domain.Reminder, next time.Time, key string) (domain.Reminder, error) {
	return s.addReminder(ctx, owner, r, next, key, s.limits.Reminders)
}

// extraKinds are the reminders kept beside the nightly ones, one of each, outside their cap.
var extraKinds = []string{domain.KindSummary, domain.KindCheckin}

// addReminder adds a reminder under a cap: the owner's limit, or more when a link merges two
// sets of reminders.
func (s *Store) addReminder(ctx context.Context, owner domain.Owner, r domain.Reminder, next time.Time, key string, most int) (domain.Reminder, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return domain.Reminder{}, err
	}
	if !r.To.Valid() {
		return domain.Reminder{}, fmt.Errorf("store: add reminder: invalid address %q", r.To)
	}
	now := s.now()
	r.Created = time.UnixMilli(now.UnixMilli())
	js, err := json.Marshal(newReminderRecord(r))
	if err != nil {
		return domain.Reminder{}, fmt.Errorf("store: add reminder: %w", err)
	}
	id, err := write(ctx, s, func() (string, error) {
		return allocReminderScript.Run(ctx, s.rdb, []string{k.profile, k.reminders, k.writes, k.idem, k.idemTime},
			most+len(extraKinds), s.limits.Writes, s.limits.Window.Milliseconds(), key, now.UnixMilli(), s.limits.Idempotent.Milliseconds()).Text()
	})
	if into, ok := movedTo(err); ok {
		return s.addReminder(ctx, into, r, next, key, most) // linked a moment ago
	}
	if err != nil {
		return domain.Reminder{}, scriptError("add reminder", err)
	}
	if repeat, ok := strings.CutPrefix(id, "="); ok {
		// A repeated event: the reminder it set, unless a crash stopped it before it was stored.
		id = repeat
		if existing, ok, err := s.Reminder(ctx, owner, id); err != nil {
			return domain.Reminder{}, err
		} else if ok {
			return existing, nil
		}
	}
	// From here on a failure is undone before it is reported: the due entry (which a ZADD
	// that failed may still have written) goes, and so does the reminder when the store was
	// refused for a reason that does not prove it was not written (a lost reply). Should the
	// undo fail too, the dispatcher drops the due entry at its first claim, as it finds no
	// reminder: nothing is left that the user can see or receive.
	undo := func(stored bool) {
		ctx, cancel := undoContext(ctx)
		defer cancel()
		if stored {
			if _, err := write(ctx, s, func() (int64, error) {
				return delIfScript.Run(ctx, s.rdb, []string{k.reminders}, id, js).Int64()
			}); err != nil {
				return // keep the due entry of a reminder that may exist, so it still fires
			}
		}
		s.unschedule(ctx, owner, []domain.Reminder{{ID: id, To: r.To}})
	}
	if _, err := write(ctx, s, func() (int64, error) {
		return s.rdb.ZAdd(ctx, DueKey(r.To.Platform), redis.Z{Score: float64(next.UnixMilli()), Member: Member(owner, id)}).Result()
	}); err != nil {
		undo(false)
		return domain.Reminder{}, fmt.Errorf("store: add reminder: %w", unavailable(err))
	}
	if _, err := write(ctx, s, func() (int64, error) {
		return storeReminderScript.Run(ctx, s.rdb, []string{k.reminders}, id, js, most, "add").Int64()
	}); err != nil {
		err = scriptError("add reminder", err)
		undo(!errors.Is(err, domain.ErrFull) && !errors.Is(err, domain.ErrDuplicate))
		return domain.Reminder{}, err
	}
	r.ID = id
	return r, nil
}

// delIfScript deletes a hash field only if it still holds the value given: what a write that
// failed may have stored, never what another one stored since. KEYS: hash. ARGV: field, value.
var delIfScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
return redis.call('HDEL', KEYS[1], ARGV[1])
`)

// undoContext is the context for undoing a write that failed half way: bounded by
// undoTimeout, and not cancelled with the request's, since the failure may be that.
func undoContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), undoTimeout)
}

const undoTimeout = 2 * time.Second

// UpdateReminder changes a reminder's time, days and address; see domain.Reminders.
func (s *Store) UpdateReminder(ctx context.Context, owner domain.Owner, r domain.Reminder, next time.Time) error {
	return s.updateReminder(ctx, owner, r, next, true)
}

// updateReminder changes a reminder, under the owner's rate limit when limited (not when a
// link or unlink moves reminders). The new due entry is written first, then the reminder,
// then the old platform's entry is removed: a failure at any step leaves the reminder in a
// due index, and a retry finishes the move. A pending snooze or repeat is dropped.
func (s *Store) updateReminder(ctx context.Context, owner domain.Owner, r domain.Reminder, next time.Time, limited bool) error {
	k, err := ownerKeys(owner)
	if err != nil {
		return err
	}
	if !r.To.Valid() || !reminderIDPattern.MatchString(r.ID) {
		return fmt.Errorf("store: update reminder: invalid reminder %q to %q", r.ID, r.To)
	}
	all, err := s.ListReminders(ctx, owner)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(all, func(o domain.Reminder) bool { return o.ID == r.ID })
	if i < 0 {
		return fmt.Errorf("store: update reminder %s: %w", r.ID, domain.ErrGone)
	}
	old := all[i]
	if slices.ContainsFunc(all, func(o domain.Reminder) bool {
		return o.ID != r.ID && o.Kind == r.Kind && (r.Kind != "" || o.Clock == r.Clock)
	}) {
		return fmt.Errorf("store: update reminder %s: %w", r.ID, domain.ErrDuplicate)
	}
	if limited {
		if err := s.allow(ctx, k); err != nil {
			return scriptError("update reminder", err)
		}
	}
	r.Created = old.Created
	js, err := json.Marshal(newReminderRecord(r))
	if err != nil {
		return fmt.Errorf("store: update reminder: %w", err)
	}
	m, once := Member(owner, r.ID), oneOffs(owner, r.ID)
	if _, err := write(ctx, s, func() ([]redis.Cmder, error) {
		return s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.ZAdd(ctx, DueKey(r.To.Platform), redis.Z{Score: float64(next.UnixMilli()), Member: m})
			p.ZRem(ctx, DueKey(r.To.Platform), toAny(once)...)
			p.HDel(ctx, LeaseKey(r.To.Platform), append(once, m)...)
			p.HDel(ctx, NagKey(r.To.Platform), once...)
			return nil
		})
	}); err != nil {
		return fmt.Errorf("store: update reminder: %w", unavailable(err))
	}
	if _, err := write(ctx, s, func() (int64, error) {
		return storeReminderScript.Run(ctx, s.rdb, []string{k.reminders}, r.ID, js, s.limits.Reminders, "update").Int64()
	}); err != nil {
		return scriptError("update reminder", err) // a retry finishes the move
	}
	if old.To.Platform != r.To.Platform && validPlatform(old.To.Platform) == nil {
		return s.unschedule(ctx, owner, []domain.Reminder{old})
	}
	return nil
}

// ListReminders returns the owner's reminders in the order they were set.
func (s *Store) ListReminders(ctx context.Context, owner domain.Owner) ([]domain.Reminder, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return nil, err
	}
	m, err := s.rdb.HGetAll(ctx, k.reminders).Result()
	if err != nil {
		return nil, fmt.Errorf("store: list reminders: %w", unavailable(err))
	}
	out := make([]domain.Reminder, 0, len(m))
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
func (s *Store) Reminder(ctx context.Context, owner domain.Owner, id string) (r domain.Reminder, ok bool, err error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return domain.Reminder{}, false, err
	}
	if !reminderIDPattern.MatchString(id) {
		return domain.Reminder{}, false, nil
	}
	js, err := s.rdb.HGet(ctx, k.reminders, id).Result()
	if errors.Is(err, redis.Nil) {
		return domain.Reminder{}, false, nil
	}
	if err != nil {
		return domain.Reminder{}, false, fmt.Errorf("store: reminder: %w", unavailable(err))
	}
	r, err = decodeReminder(id, js)
	return r, err == nil, err
}

func reminderNumber(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "r"))
	return n
}

func decodeReminder(id, js string) (domain.Reminder, error) {
	var rec reminderRecord
	if err := json.Unmarshal([]byte(js), &rec); err != nil {
		return domain.Reminder{}, fmt.Errorf("store: reminder %s is not valid JSON: %w", id, err)
	}
	r := domain.Reminder{
		ID: id, Clock: schedule.Clock{Hour: rec.Hour, Minute: rec.Minute}, Days: schedule.Weekdays(rec.Days),
		To:   domain.Address{Platform: domain.Platform(rec.Platform), Chat: rec.Chat},
		Nag:  time.Duration(rec.Nag) * time.Second,
		Kind: rec.Kind,
	}
	if rec.Created != 0 {
		r.Created = time.UnixMilli(rec.Created)
	}
	return r, nil
}

// RemoveReminder removes one reminder, or all nightly ones when id is "", and their due entries; see
// domain.Reminders. The reminder goes first: a due entry left behind by a crash is dropped by
// the dispatcher when it fires.
func (s *Store) RemoveReminder(ctx context.Context, owner domain.Owner, id string) (int, error) {
	return s.removeReminders(ctx, owner, func(r domain.Reminder) bool { return id == "" && r.Kind == "" || r.ID == id })
}

// removeReminders removes the owner's reminders that match.
func (s *Store) removeReminders(ctx context.Context, owner domain.Owner, match func(domain.Reminder) bool) (int, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return 0, err
	}
	all, err := s.ListReminders(ctx, owner)
	if err != nil {
		return 0, err
	}
	var gone []domain.Reminder
	var ids []string
	for _, r := range all {
		if match(r) {
			gone, ids = append(gone, r), append(ids, r.ID)
		}
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
	if err := s.unschedule(ctx, owner, gone); err != nil {
		return int(n), err
	}
	return int(n), nil
}

// unschedule removes reminders (and their snoozes and repeats) from the due index of their platform and
// drops their leases, so an acknowledgement in flight cannot put them back.
func (s *Store) unschedule(ctx context.Context, owner domain.Owner, rs []domain.Reminder) error {
	byPlatform := map[domain.Platform][]string{}
	for _, r := range rs {
		byPlatform[r.To.Platform] = append(byPlatform[r.To.Platform], append(oneOffs(owner, r.ID), Member(owner, r.ID))...)
	}
	for platform, members := range byPlatform {
		if validPlatform(platform) != nil {
			continue
		}
		_, err := write(ctx, s, func() ([]redis.Cmder, error) {
			return s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.ZRem(ctx, DueKey(platform), toAny(members)...)
				p.HDel(ctx, LeaseKey(platform), members...)
				p.HDel(ctx, NagKey(platform), members...)
				return nil
			})
		})
		if err != nil {
			return fmt.Errorf("store: unschedule: %w", unavailable(err))
		}
	}
	return nil
}

// reschedule puts the owner's reminders at the times when gives (those it gives one for),
// each in the due index of its platform, and drops their leases, so that a dispatcher round in
// flight settles around the change instead of over it. Entries that are gone stay gone (XX).
func (s *Store) reschedule(ctx context.Context, owner domain.Owner, rems []domain.Reminder, when func(domain.Reminder) (time.Time, bool)) error {
	type due struct {
		zs      []redis.Z
		members []string
	}
	byPlatform := map[domain.Platform]*due{}
	for _, r := range rems {
		t, ok := when(r)
		if !ok {
			continue
		}
		d := byPlatform[r.To.Platform]
		if d == nil {
			d = &due{}
			byPlatform[r.To.Platform] = d
		}
		m := Member(owner, r.ID)
		d.zs = append(d.zs, redis.Z{Score: float64(t.UnixMilli()), Member: m})
		d.members = append(d.members, m)
	}
	for platform, d := range byPlatform {
		_, err := write(ctx, s, func() ([]redis.Cmder, error) {
			return s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.ZAddXX(ctx, DueKey(platform), d.zs...)
				p.HDel(ctx, LeaseKey(platform), d.members...)
				return nil
			})
		})
		if err != nil {
			return fmt.Errorf("store: reschedule: %w", unavailable(err))
		}
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

// Zone returns the owner's time zone, "" when unset; see domain.Profiles.
func (s *Store) Zone(ctx context.Context, owner domain.Owner) (string, error) {
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

// setZoneScript stores the zone and moves the owner's floating sessions to their time in it,
// in one step. KEYS: profile, sessions, byTime, floating. ARGV: zone, then anchorArgs.
var setZoneScript = redis.NewScript(anchorLua + `
redis.call('HSET', KEYS[1], 'tz', ARGV[1])
anchor(KEYS[2], KEYS[3], KEYS[4], 2)
return 1
`)

// SetZone stores the owner's time zone and moves their reminders to times computed in it; see
// domain.Profiles.
//
// The due entries are in other hash slots than the owner's keys, so the change takes two
// writes: the reminders are moved first, and then the zone is set, with the floating sessions
// anchored in it, in one script. Should that last step fail, the due entries go back to the
// times they had, read before, so that a /timezone the user is told failed changes nothing
// they can see.
func (s *Store) SetZone(ctx context.Context, owner domain.Owner, zone string, next map[string]time.Time) error {
	k, err := ownerKeys(owner)
	if err != nil {
		return err
	}
	if _, err := schedule.LoadZone(zone); err != nil {
		return fmt.Errorf("store: set zone: %w", err)
	}
	if err := s.allow(ctx, k); err != nil {
		return scriptError("set zone", err)
	}
	before, err := s.Zone(ctx, owner)
	if err != nil {
		return err
	}
	anchor, err := s.anchorArgs(ctx, k, zone)
	if err != nil {
		return err
	}
	rs, err := s.ListReminders(ctx, owner)
	if err != nil {
		return err
	}
	was, err := s.dueScores(ctx, owner, rs)
	if err != nil {
		return err
	}
	restore := func() {
		ctx, cancel := undoContext(ctx)
		defer cancel()
		s.reschedule(ctx, owner, rs, func(r domain.Reminder) (time.Time, bool) {
			t, ok := was[r.ID]
			return t, ok
		})
	}
	if err := s.reschedule(ctx, owner, rs, func(r domain.Reminder) (time.Time, bool) {
		t, ok := next[r.ID]
		return t, ok
	}); err != nil {
		restore()
		return err
	}
	if _, err := write(ctx, s, func() (int64, error) {
		return setZoneScript.Run(ctx, s.rdb, []string{k.profile, k.sessions, k.byTime, k.floating}, append([]any{zone}, anchor...)...).Int64()
	}); err != nil {
		// A lost reply: the script may have run. The zone read back tells; when it cannot
		// be read the reminders go back, as the likelier case is that Redis is away.
		rctx, cancel := undoContext(ctx)
		now, rerr := s.Zone(rctx, owner)
		cancel()
		if rerr == nil && now == zone && before != zone {
			return nil // it was saved
		}
		restore()
		return scriptError("set zone", err)
	}
	return nil
}

// dueScores reads when each of the reminders is due, by their platform's due index; those in
// none are left out.
func (s *Store) dueScores(ctx context.Context, owner domain.Owner, rs []domain.Reminder) (map[string]time.Time, error) {
	byPlatform := map[domain.Platform][]domain.Reminder{}
	for _, r := range rs {
		if validPlatform(r.To.Platform) == nil {
			byPlatform[r.To.Platform] = append(byPlatform[r.To.Platform], r)
		}
	}
	out := map[string]time.Time{}
	for platform, list := range byPlatform {
		members := make([]string, len(list))
		for i, r := range list {
			members[i] = Member(owner, r.ID)
		}
		scores, err := s.rdb.ZMScore(ctx, DueKey(platform), members...).Result()
		if err != nil {
			return nil, fmt.Errorf("store: set zone: %w", unavailable(err))
		}
		for i, sc := range scores {
			if sc != 0 { // ZMSCORE's nil, for a member not in the index
				out[list[i].ID] = time.UnixMilli(int64(sc))
			}
		}
	}
	return out, nil
}

// Snooze makes a reminder fire once more at at, or cancels a pending snooze when at is zero;
// see domain.Reminders. Either way a pending repeat of a nagging reminder is cancelled: the
// reminder was answered. It reports domain.ErrGone for a reminder that no longer exists.
func (s *Store) Snooze(ctx context.Context, owner domain.Owner, id string, at time.Time) error {
	k, err := ownerKeys(owner)
	if err != nil || !reminderIDPattern.MatchString(id) {
		return fmt.Errorf("store: snooze: invalid reminder %q of %q", id, owner)
	}
	r, exists, err := s.Reminder(ctx, owner, id)
	if err != nil {
		return fmt.Errorf("store: snooze: %w", err)
	}
	m, nag, platform := SnoozeMember(owner, id), NagMember(owner, id), r.To.Platform
	if !exists || validPlatform(platform) != nil {
		if at.IsZero() {
			return nil // nothing is pending for a reminder that is gone
		}
		return fmt.Errorf("store: snooze %s: %w", id, domain.ErrGone)
	}
	if at.IsZero() {
		_, err := write(ctx, s, func() ([]redis.Cmder, error) {
			return s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.ZRem(ctx, DueKey(platform), m, nag)
				p.HDel(ctx, LeaseKey(platform), m, nag)
				p.HDel(ctx, NagKey(platform), nag)
				return nil
			})
		})
		if err != nil {
			return fmt.Errorf("store: snooze: %w", unavailable(err))
		}
		return nil
	}
	if err := s.allow(ctx, k); err != nil {
		return scriptError("snooze", err)
	}
	// A snooze entry being sent right now loses its lease, so that round cannot remove the
	// new one when it settles.
	_, err = write(ctx, s, func() ([]redis.Cmder, error) {
		return s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.ZAdd(ctx, DueKey(platform), redis.Z{Score: float64(at.UnixMilli()), Member: m})
			p.ZRem(ctx, DueKey(platform), nag)
			p.HDel(ctx, LeaseKey(platform), m, nag)
			p.HDel(ctx, NagKey(platform), nag)
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("store: snooze: %w", unavailable(err))
	}
	return nil
}

// migratedKey marks the migration done, so later starts skip it.
const migratedKey = "nb:migrated:reminder-platform"

// Migrate brings data written by older versions up to date: reminders stored before they
// carried their platform get the platform of the due index that holds them. It reads the due
// indexes in pipelined batches, runs once per Redis (a marker key says it ran) and is safe to
// run from several instances at once.
func (s *Store) Migrate(ctx context.Context) error {
	if n, err := s.rdb.Exists(ctx, migratedKey).Result(); err != nil {
		return fmt.Errorf("store: migrate: %w", unavailable(err))
	} else if n == 1 {
		return nil
	}
	const batch = 1000
	for _, p := range domain.Platforms {
		for start := int64(0); ; start += batch {
			members, err := s.rdb.ZRange(ctx, DueKey(p), start, start+batch-1).Result()
			if err != nil {
				return fmt.Errorf("store: migrate: %w", unavailable(err))
			}
			if err := s.migrateBatch(ctx, p, members); err != nil {
				return err
			}
			if len(members) < batch {
				break
			}
		}
	}
	if _, err := write(ctx, s, func() (string, error) { return s.rdb.Set(ctx, migratedKey, "1", 0).Result() }); err != nil {
		return fmt.Errorf("store: migrate: %w", unavailable(err))
	}
	return nil
}

func (s *Store) migrateBatch(ctx context.Context, p domain.Platform, members []string) error {
	type found struct {
		k   keys
		id  string
		cmd *redis.StringCmd
	}
	var all []found
	if _, err := s.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for _, m := range members {
			owner, id, kind, ok := ParseMember(m)
			if !ok || kind != "" {
				continue
			}
			k, _ := ownerKeys(owner)
			all = append(all, found{k, id, pipe.HGet(ctx, k.reminders, id)})
		}
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("store: migrate: %w", unavailable(err))
	}
	for _, f := range all {
		js, err := f.cmd.Result()
		if err != nil {
			continue // gone meanwhile
		}
		var rec reminderRecord
		if json.Unmarshal([]byte(js), &rec) != nil || rec.Platform != "" {
			continue
		}
		rec.Platform = string(p)
		out, _ := json.Marshal(rec)
		if _, err := write(ctx, s, func() (int64, error) { return s.rdb.HSet(ctx, f.k.reminders, f.id, out).Result() }); err != nil {
			return fmt.Errorf("store: migrate: %w", unavailable(err))
		}
	}
	return nil
}
