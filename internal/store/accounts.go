package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/schedule"
)

// Accounts. An identity that was never linked owns its data under an owner named like itself
// ("tg:12345"). Linking moves both accounts' data into a fresh owner ("p:<random>") that both
// identities map to (nb:id:IDENTITY), so an identity's own default owner is only ever used by
// that identity: unlinking or forgetting a person sends each identity back to its default,
// which is empty.

const (
	linkTTL       = 10 * time.Minute // how long a link code works
	linkAttempts  = 5                // codes an account may try per linkTTL
	mergesKey     = "nb:merges"      // links under way: from owner -> JSON {into}
	codeAlphabet  = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	codeLength    = 6
	personPrefix  = "p:"
	identityKeyNS = "nb:id:"
)

func identityKey(id domain.Identity) string { return identityKeyNS + id.String() }
func codeKey(code string) string            { return "nb:link:" + code }

// defaultProfile is the profile of the owner an identity has before any link; after a link it
// holds only the moved mark.
func defaultProfile(id domain.Identity) string { return "nb:{" + id.String() + "}:p" }

// Owner resolves an identity to its owner; see domain.Accounts.
func (s *Store) Owner(ctx context.Context, id domain.Identity) (domain.Owner, error) {
	if !id.Valid() {
		return "", fmt.Errorf("store: invalid identity %q", id)
	}
	o, err := s.rdb.Get(ctx, identityKey(id)).Result()
	if errors.Is(err, redis.Nil) {
		return id.Unlinked(), nil
	}
	if err != nil {
		return "", fmt.Errorf("store: owner: %w", unavailable(err))
	}
	return domain.Owner(o), nil
}

// Identities returns the accounts linked into owner, by platform; see domain.Accounts. An
// owner that was never linked has none listed.
func (s *Store) Identities(ctx context.Context, owner domain.Owner) ([]domain.Identity, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return nil, err
	}
	members, err := s.rdb.SMembers(ctx, k.idents).Result()
	if err != nil {
		return nil, fmt.Errorf("store: identities: %w", unavailable(err))
	}
	var out []domain.Identity
	for _, m := range members {
		if id, ok := domain.ParseIdentity(m); ok {
			out = append(out, id)
		}
	}
	slices.SortFunc(out, func(a, b domain.Identity) int { return strings.Compare(a.String(), b.String()) })
	return out, nil
}

// linkRecord is a link code as stored.
type linkRecord struct {
	Owner   string   `json:"o"`
	From    string   `json:"f"`
	Zone    string   `json:"z,omitempty"`
	Expires int64    `json:"e"`
	Into    string   `json:"into,omitempty"` // set by claimCodeScript when the code is used
	Ids     []string `json:"ids,omitempty"`  // and the identities it joins
}

// linkCode is a stored code with the identities a claim joined.
type linkCode struct {
	domain.LinkCode
	Ids []string
}

// NewLinkCode stores a fresh one-time code; see domain.Accounts.
func (s *Store) NewLinkCode(ctx context.Context, c domain.LinkCode) (domain.LinkCode, error) {
	k, err := ownerKeys(c.Owner)
	if err != nil {
		return domain.LinkCode{}, err
	}
	if !c.From.Valid() {
		return domain.LinkCode{}, fmt.Errorf("store: link code: invalid identity %q", c.From)
	}
	if err := s.allow(ctx, k); err != nil {
		return domain.LinkCode{}, scriptError("link code", err)
	}
	js, err := json.Marshal(linkRecord{Owner: string(c.Owner), From: c.From.String(), Zone: c.Zone, Expires: c.Expires.UnixMilli()})
	if err != nil {
		return domain.LinkCode{}, fmt.Errorf("store: link code: %w", err)
	}
	ttl := max(c.Expires.Sub(s.now()), time.Second)
	for range 5 {
		c.Code = newCode()
		ok, err := write(ctx, s, func() (bool, error) { return s.rdb.SetNX(ctx, codeKey(c.Code), js, ttl).Result() })
		if err != nil {
			return domain.LinkCode{}, fmt.Errorf("store: link code: %w", unavailable(err))
		}
		if !ok {
			continue
		}
		// The owner's profile names its one valid code: a newer code, and /forget, revoke it.
		if _, err := write(ctx, s, func() (int64, error) { return s.rdb.HSet(ctx, k.profile, "code", c.Code, "lc:"+c.Code, 1).Result() }); err != nil {
			return domain.LinkCode{}, fmt.Errorf("store: link code: %w", unavailable(err))
		}
		return c, nil
	}
	return domain.LinkCode{}, errors.New("store: link code: no free code")
}

// newCode makes a code of letters and digits with at least one of each, so that it cannot be
// a word someone types.
func newCode() string {
	for {
		b := make([]byte, codeLength)
		rand.Read(b)
		for i := range b {
			b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
		}
		if c := string(b); strings.ContainsAny(c, "23456789") && strings.ContainsAny(c, codeAlphabet[:24]) {
			return c
		}
	}
}

// NormalizeCode reads a link code as a user may type it ("k7q f2d", "K7Q-F2D"); ok is false
// for anything that cannot be one.
func NormalizeCode(s string) (string, bool) {
	s = strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s)))
	if len(s) != codeLength {
		return "", false
	}
	for _, r := range s {
		if !strings.ContainsRune(codeAlphabet, r) {
			return "", false
		}
	}
	return s, true
}

// PeekLinkCode returns a code's details, counting the attempt; see domain.Accounts.
func (s *Store) PeekLinkCode(ctx context.Context, code string, by domain.Identity) (domain.LinkCode, error) {
	if !by.Valid() {
		return domain.LinkCode{}, fmt.Errorf("store: invalid identity %q", by)
	}
	owner, err := s.Owner(ctx, by)
	if err != nil {
		return domain.LinkCode{}, err
	}
	k, err := ownerKeys(owner)
	if err != nil {
		return domain.LinkCode{}, err
	}
	if _, err := write(ctx, s, func() (int64, error) {
		return allowScript.Run(ctx, s.rdb, []string{k.attempts}, linkAttempts, linkTTL.Milliseconds()).Int64()
	}); err != nil {
		return domain.LinkCode{}, scriptError("link code", err)
	}
	c, ok, err := s.linkCode(ctx, code)
	if err != nil {
		return domain.LinkCode{}, err
	}
	if !ok || c.Into != "" {
		return domain.LinkCode{}, fmt.Errorf("store: link code: %w", domain.ErrLinkCode)
	}
	return c.LinkCode, nil
}

func (s *Store) linkCode(ctx context.Context, code string) (linkCode, bool, error) {
	code, ok := NormalizeCode(code)
	if !ok {
		return linkCode{}, false, nil
	}
	js, err := s.rdb.Get(ctx, codeKey(code)).Result()
	if errors.Is(err, redis.Nil) {
		return linkCode{}, false, nil
	}
	if err != nil {
		return linkCode{}, false, fmt.Errorf("store: link code: %w", unavailable(err))
	}
	var r linkRecord
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		return linkCode{}, false, fmt.Errorf("store: link code: %w", err)
	}
	from, _ := domain.ParseIdentity(r.From)
	c := linkCode{LinkCode: domain.LinkCode{Code: code, Owner: domain.Owner(r.Owner), From: from, Zone: r.Zone, Expires: time.UnixMilli(r.Expires), Into: domain.Owner(r.Into)}, Ids: r.Ids}
	if c.Into == "" && !s.now().Before(c.Expires) {
		return linkCode{}, false, nil
	}
	return c, true, nil
}

// members returns the identities of owner, or just fallback when it was never linked.
func (s *Store) members(ctx context.Context, owner domain.Owner, fallback domain.Identity) ([]domain.Identity, error) {
	ids, err := s.Identities(ctx, owner)
	if err != nil || len(ids) > 0 {
		return ids, err
	}
	return []domain.Identity{fallback}, nil
}

// claimCodeScript claims a link code for one person, once: the first call stores the person it
// is given in the code and keeps the code a day for replays; every later call gets that same
// person back. KEYS: the code. ARGV: person, now ms, replay TTL ms, identities (JSON).
var claimCodeScript = redis.NewScript(`
local js = redis.call('GET', KEYS[1])
if not js then return false end
local c = cjson.decode(js)
if c.into then return c.into end
if tonumber(c.e) <= tonumber(ARGV[2]) then return false end
c.into = ARGV[1]
c.ids = cjson.decode(ARGV[4])
redis.call('SET', KEYS[1], cjson.encode(c), 'PX', ARGV[3])
return ARGV[1]
`)

// linkJournal is a link under way, kept in nb:merges under each owner that moves.
type linkJournal struct {
	Into   string   `json:"into"`
	Zone   string   `json:"zone,omitempty"`
	Code   string   `json:"code"`
	Idents []string `json:"ids"`
}

// Link joins by to the code's person; see domain.Accounts.
//
// The steps, each safe to repeat and to run twice at once: (1) the code is claimed for one
// person, atomically, so that two redemptions at once join the same person; (2) the link is
// written to the journal (nb:merges) under each owner that moves, with every identity; then,
// per moving owner, (3) the owner is marked moved, so a write that resolved it just before
// goes to the person instead; (4) every identity is mapped to the person; (5) its sessions, its
// roller and breaks, and its reminders are copied in under idempotency keys of this link
// ("merge:CODE:OWNER:ID", "merge:CODE:OWNER:profile"), so a copy repeated after a crash is
// not a second copy, while an account unlinked and linked again within the keys' two days is
// still copied; (6) its keys are deleted and its journal entry removed.
func (s *Store) Link(ctx context.Context, code string, by domain.Identity, zone string) (domain.Owner, error) {
	norm, valid := NormalizeCode(code)
	if !valid {
		return "", fmt.Errorf("store: link: %w", domain.ErrLinkCode)
	}
	byOwner, err := s.Owner(ctx, by)
	if err != nil {
		return "", err
	}
	c, ok, err := s.linkCode(ctx, norm)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("store: link: %w", domain.ErrLinkCode)
	}
	if c.Into != "" {
		// Claimed already: a replay, or a second redemption at the same moment (whose first
		// does the work).
		if byOwner != c.Into && !slices.Contains(c.Ids, by.String()) {
			return "", fmt.Errorf("store: link: %w", domain.ErrLinkCode)
		}
		return c.Into, s.resumeInto(ctx, c.Into)
	}
	if byOwner == c.Owner {
		return byOwner, nil // linked already
	}
	if current, err := s.profileField(ctx, c.Owner, "code"); err != nil {
		return "", err
	} else if current != norm {
		return "", fmt.Errorf("store: link: revoked: %w", domain.ErrLinkCode)
	}
	theirs, err := s.members(ctx, c.Owner, c.From)
	if err != nil {
		return "", err
	}
	ours, err := s.members(ctx, byOwner, by)
	if err != nil {
		return "", err
	}
	for _, a := range theirs {
		for _, b := range ours {
			if a.Platform == b.Platform {
				return "", fmt.Errorf("store: link: %w", domain.ErrLinked)
			}
		}
	}
	// The person: the code's owner when it is one already, a fresh one otherwise.
	into, moving := c.Owner, []domain.Owner{byOwner}
	if !strings.HasPrefix(string(c.Owner), personPrefix) {
		into = domain.Owner(personPrefix + newID())
		moving = append(moving, c.Owner)
	}
	var idents []string
	for _, id := range append(slices.Clone(theirs), ours...) {
		idents = append(idents, id.String())
	}
	idsJSON, _ := json.Marshal(idents)
	claimed, err := write(ctx, s, func() (string, error) {
		return claimCodeScript.Run(ctx, s.rdb, []string{codeKey(norm)}, string(into), s.now().UnixMilli(), replayTTL.Milliseconds(), idsJSON).Text()
	})
	if errors.Is(err, redis.Nil) {
		return "", fmt.Errorf("store: link: %w", domain.ErrLinkCode)
	}
	if err != nil {
		return "", fmt.Errorf("store: link: %w", unavailable(err))
	}
	if domain.Owner(claimed) != into {
		return s.Link(ctx, code, by, zone) // someone else claimed it a moment ago: join theirs
	}
	for _, o := range []domain.Owner{c.Owner, byOwner} {
		if zone != "" {
			break
		}
		if zone, err = s.Zone(ctx, o); err != nil {
			return "", err
		}
	}
	js, _ := json.Marshal(linkJournal{Into: string(into), Zone: zone, Code: norm, Idents: idents})
	for _, m := range moving {
		if _, err := write(ctx, s, func() (int64, error) { return s.rdb.HSet(ctx, mergesKey, string(m), js).Result() }); err != nil {
			return "", fmt.Errorf("store: link: %w", unavailable(err))
		}
	}
	if err := s.step("journal"); err != nil {
		return "", err
	}
	if err := s.resumeInto(ctx, into); err != nil {
		return "", err
	}
	// An existing person that took the other account's zone: its own reminders follow it.
	return into, s.rescheduleAll(ctx, into)
}

// replayTTL is how long a used code remembers the person it joined, for redeliveries.
const replayTTL = 24 * time.Hour

// profileField reads one field of an owner's profile, "" when it is not set.
func (s *Store) profileField(ctx context.Context, owner domain.Owner, field string) (string, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return "", err
	}
	v, err := s.rdb.HGet(ctx, k.profile, field).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: profile: %w", unavailable(err))
	}
	return v, nil
}

func newID() string {
	b := make([]byte, 9)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ResumeLinks finishes links a crash interrupted; see domain.Accounts. A link that cannot be
// finished now is left in the journal for the next try, and the others are still finished; the
// first error is returned.
func (s *Store) ResumeLinks(ctx context.Context) error {
	all, err := s.rdb.HGetAll(ctx, mergesKey).Result()
	if err != nil {
		return fmt.Errorf("store: resume links: %w", unavailable(err))
	}
	var first error
	for from, js := range all {
		if err := s.resume(ctx, domain.Owner(from), js); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// resumeInto finishes every journaled move into the person.
func (s *Store) resumeInto(ctx context.Context, into domain.Owner) error {
	all, err := s.rdb.HGetAll(ctx, mergesKey).Result()
	if err != nil {
		return fmt.Errorf("store: link: %w", unavailable(err))
	}
	for from, js := range all {
		var j linkJournal
		if json.Unmarshal([]byte(js), &j) != nil || j.Into != string(into) {
			continue
		}
		if err := s.resume(ctx, domain.Owner(from), js); err != nil {
			return err
		}
	}
	return nil
}

// resume finishes one journaled move: it marks the owner moved, maps every identity to the
// person, moves the data, and removes the journal entry.
func (s *Store) resume(ctx context.Context, from domain.Owner, js string) error {
	var j linkJournal
	if err := json.Unmarshal([]byte(js), &j); err != nil {
		return fmt.Errorf("store: link journal of %s: %w", from, err)
	}
	into := domain.Owner(j.Into)
	fk, err := ownerKeys(from)
	if err != nil {
		return err
	}
	ik, err := ownerKeys(into)
	if err != nil {
		return err
	}
	if _, err := write(ctx, s, func() ([]redis.Cmder, error) {
		return s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.HSet(ctx, fk.profile, movedField, string(into))
			p.HSet(ctx, ik.profile, "lc:"+j.Code, 1)
			for _, id := range j.Idents {
				p.Set(ctx, identityKeyNS+id, string(into), 0)
				p.SAdd(ctx, ik.idents, id)
			}
			return nil
		})
	}); err != nil {
		return fmt.Errorf("store: link: %w", unavailable(err))
	}
	if err := s.step("mapped"); err != nil {
		return err
	}
	if err := s.move(ctx, from, into, j.Zone, j.Code); err != nil {
		return err
	}
	if _, err := write(ctx, s, func() (int64, error) { return s.rdb.HDel(ctx, mergesKey, string(from)).Result() }); err != nil {
		return fmt.Errorf("store: link: %w", unavailable(err))
	}
	return nil
}

// mergeProfileScript merges a moving owner's roller and breaks into the person's profile,
// once: an idempotency key ("merge:CODE:OWNER:profile") makes a replay after a crash change nothing,
// even when the person changed their roller or breaks meanwhile. The roller is set only when
// the person's is still the one the caller read (else it returns -1, to be read again); a break
// both have from the same day keeps the later end (both ranges); the latest breaks are kept
// up to the cap. KEYS: profile, idem, idemTime. ARGV: key, now ms, roller read ("" for none),
// roller to set ("" to keep the person's), max breaks, then FROM, TO of each break.
var mergeProfileScript = redis.NewScript(movedLua + capBreaksLua + `
local m = moved(KEYS[1])
if m then return m end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
if ARGV[4] ~= '' then
  if (redis.call('HGET', KEYS[1], 'roller') or '') ~= ARGV[3] then return -1 end
  redis.call('HSET', KEYS[1], 'roller', ARGV[4])
end
for i = 6, #ARGV - 1, 2 do
  local f = 'brk:' .. ARGV[i]
  local to = redis.call('HGET', KEYS[1], f)
  if not to or to < ARGV[i + 1] then redis.call('HSET', KEYS[1], f, ARGV[i + 1]) end
end
capBreaks(KEYS[1], ARGV[5])
redis.call('HSET', KEYS[2], ARGV[1], 'profile')
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
return 1
`)

// mergeProfile brings from's roller and breaks into into: the breaks of both (the latest
// domain.MaxBreaks), and the roller started last, or the only one there is. from is marked
// moved already, so a roller or break set on it now goes to into instead, and what is read
// here is final.
func (s *Store) mergeProfile(ctx context.Context, from, into domain.Owner, key string) error {
	fk, err := ownerKeys(from)
	if err != nil {
		return err
	}
	profile, err := s.rdb.HGetAll(ctx, fk.profile).Result()
	if err != nil {
		return fmt.Errorf("store: link: %w", unavailable(err))
	}
	var breaks []any
	for _, b := range breaksOf(profile) {
		breaks = append(breaks, b.From, b.To)
	}
	theirs := profile[rollerField]
	for range 10 {
		ik, err := ownerKeys(into)
		if err != nil {
			return err
		}
		ours, err := s.rdb.HGet(ctx, ik.profile, rollerField).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return fmt.Errorf("store: link: %w", unavailable(err))
		}
		set := ""
		if newerRoller(theirs, ours) {
			set = theirs
		}
		args := append([]any{key, s.now().UnixMilli(), ours, set, domain.MaxBreaks}, breaks...)
		n, err := write(ctx, s, func() (int64, error) {
			return mergeProfileScript.Run(ctx, s.rdb, []string{ik.profile, ik.idem, ik.idemTime}, args...).Int64()
		})
		if moved, ok := movedTo(err); ok {
			into = moved // the person was linked on meanwhile
			continue
		}
		if err != nil {
			return fmt.Errorf("store: link: %w", unavailable(err))
		}
		if n >= 0 {
			return nil
		}
	}
	return errors.New("store: link: the roller keeps changing")
}

// newerRoller reports whether the roller theirs (as stored) replaces ours in a merge: it
// does when it is readable and ours is not, or was started later. Two started at the same
// moment are ordered by their JSON, so that the result does not depend on which account
// moves first.
func newerRoller(theirs, ours string) bool {
	var t, o domain.Roller
	if theirs == "" || json.Unmarshal([]byte(theirs), &t) != nil {
		return false
	}
	if ours == "" || json.Unmarshal([]byte(ours), &o) != nil {
		return true
	}
	if !t.Since.Equal(o.Since) {
		return t.Since.After(o.Since)
	}
	return theirs > ours
}

// movedField, in a profile, names the person an owner was moved into; writes to it go there.
const movedField = "moved"

// rescheduleAll puts every reminder of owner at its next time in owner's zone.
func (s *Store) rescheduleAll(ctx context.Context, owner domain.Owner) error {
	zone, err := s.Zone(ctx, owner)
	if err != nil {
		return err
	}
	loc := zoneLocation(zone)
	rems, err := s.ListReminders(ctx, owner)
	if err != nil {
		return err
	}
	return s.reschedule(ctx, owner, rems, func(r domain.Reminder) (time.Time, bool) {
		return schedule.Next(r.Clock, r.Days, loc, s.now()), true
	})
}

// move copies from's sessions, counters (through the sessions' own), roller, breaks and
// reminders into into, sets into's zone, then deletes from's keys.
//
// The profile, field by field: tz becomes the link's zone; seq and rseq are into's own, moved
// on by each session and reminder copied in (from's ids are not kept, and its counters go with
// its keys); the roller is the one started last (mergeProfile); the breaks are both sets, the
// latest domain.MaxBreaks kept; lc:CODE is the code of this link, set on into when the
// identities are mapped, and from's own (and its one valid code) go with its keys; moved is
// the mark left on from.
func (s *Store) move(ctx context.Context, from, into domain.Owner, zone, code string) error {
	merge := "merge:" + code + ":" + string(from) + ":" // this link's idempotency keys
	fk, err := ownerKeys(from)
	if err != nil {
		return err
	}
	ik, err := ownerKeys(into)
	if err != nil {
		return err
	}
	sessions, err := s.rdb.HGetAll(ctx, fk.sessions).Result()
	if err != nil {
		return fmt.Errorf("store: link: %w", unavailable(err))
	}
	ids := make([]string, 0, len(sessions))
	for id := range sessions {
		if id != "seq" {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b string) int { x, _ := strconv.Atoi(a); y, _ := strconv.Atoi(b); return x - y })
	for _, id := range ids {
		var rec record
		if err := json.Unmarshal([]byte(sessions[id]), &rec); err != nil {
			continue // a corrupt entry is not worth a link failing for
		}
		if _, err := s.addSession(ctx, into, rec, merge+id, time.UnixMilli(0), "merge", time.Time{}, time.Time{}); err != nil {
			return err
		}
		if err := s.step("session"); err != nil {
			return err
		}
	}
	if err := s.mergeProfile(ctx, from, into, merge+"profile"); err != nil {
		return err
	}
	if err := s.step("profile"); err != nil {
		return err
	}
	if zone != "" {
		if _, err := write(ctx, s, func() (int64, error) { return s.rdb.HSet(ctx, ik.profile, "tz", zone).Result() }); err != nil {
			return fmt.Errorf("store: link: %w", unavailable(err))
		}
	}
	loc := zoneLocation(zone)
	if zone != "" {
		if err := s.anchorFloating(ctx, ik, zone); err != nil {
			return err
		}
	}
	rems, err := s.ListReminders(ctx, from)
	if err != nil {
		return err
	}
	for _, r := range rems {
		next := schedule.Next(r.Clock, r.Days, loc, s.now())
		// Both accounts' reminders are kept, past the cap if need be; one at a time the
		// other already has is the same reminder.
		_, err := s.addReminder(ctx, into, r, next, merge+r.ID, 1<<20)
		if err != nil && !errors.Is(err, domain.ErrDuplicate) {
			return err
		}
	}
	if err := s.step("reminders"); err != nil {
		return err
	}
	if err := s.unschedule(ctx, from, rems); err != nil {
		return err
	}
	// The moved owner's usage counters are not copied: each copied session added its own.
	// Its profile keeps only the mark that sends late writes to the person.
	if _, err := write(ctx, s, func() ([]redis.Cmder, error) {
		return s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Del(ctx, fk.all()...)
			p.HSet(ctx, fk.profile, movedField, string(into))
			return nil
		})
	}); err != nil {
		return fmt.Errorf("store: link: %w", unavailable(err))
	}
	return nil
}

// Unlink makes id a person of its own again; see domain.Accounts. The diary stays with the
// person, which id keeps: every other identity goes back to its own, empty default, and
// reminders that went to them come to id instead.
func (s *Store) Unlink(ctx context.Context, id domain.Identity) (bool, error) {
	owner, err := s.Owner(ctx, id)
	if err != nil {
		return false, err
	}
	k, err := ownerKeys(owner)
	if err != nil {
		return false, err
	}
	ids, err := s.Identities(ctx, owner)
	if err != nil {
		return false, err
	}
	var others []domain.Identity
	for _, o := range ids {
		if o != id {
			others = append(others, o)
		}
	}
	if len(others) == 0 {
		return false, nil
	}
	if err := s.allow(ctx, k); err != nil {
		return false, scriptError("unlink", err)
	}
	rems, err := s.ListReminders(ctx, owner)
	if err != nil {
		return false, err
	}
	zone, err := s.Zone(ctx, owner)
	if err != nil {
		return false, err
	}
	loc := zoneLocation(zone)
	for _, r := range rems {
		if r.To.Platform == id.Platform {
			continue
		}
		r.To = domain.DirectTo(id)
		if err := s.updateReminder(ctx, owner, r, schedule.Next(r.Clock, r.Days, loc, s.now()), false); err != nil && !errors.Is(err, domain.ErrGone) {
			return false, err
		}
	}
	if _, err := write(ctx, s, func() ([]redis.Cmder, error) {
		return s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, o := range others {
				p.Del(ctx, identityKey(o), defaultProfile(o))
				p.SRem(ctx, k.idents, o.String())
			}
			return nil
		})
	}); err != nil {
		return false, fmt.Errorf("store: unlink: %w", unavailable(err))
	}
	return true, nil
}

// Forget deletes everything kept about owner: their keys, their due-index entries and the
// mapping of every identity linked into them.
func (s *Store) Forget(ctx context.Context, owner domain.Owner) error {
	k, err := ownerKeys(owner)
	if err != nil {
		return err
	}
	rems, err := s.ListReminders(ctx, owner)
	if err != nil {
		return fmt.Errorf("store: forget: %w", err)
	}
	if err := s.unschedule(ctx, owner, rems); err != nil {
		return err
	}
	ids, err := s.Identities(ctx, owner)
	if err != nil {
		return err
	}
	fields, err := s.rdb.HKeys(ctx, k.profile).Result()
	if err != nil {
		return fmt.Errorf("store: forget: %w", unavailable(err))
	}
	keys := k.all()
	for _, f := range fields {
		if code, ok := strings.CutPrefix(f, "lc:"); ok {
			keys = append(keys, codeKey(code)) // an unused code would link into a forgotten person
		}
	}
	for _, id := range ids {
		keys = append(keys, identityKey(id), defaultProfile(id))
	}
	if _, err := write(ctx, s, func() (int64, error) {
		var n int64
		for _, key := range keys { // one by one: on a cluster the keys are in different slots
			m, err := s.rdb.Del(ctx, key).Result()
			if err != nil {
				return n, err
			}
			n += m
		}
		return n, nil
	}); err != nil {
		return fmt.Errorf("store: forget: %w", unavailable(err))
	}
	return nil
}

// zoneLocation is the location of a stored zone name; UTC for none, or for a name this build
// no longer knows.
func zoneLocation(zone string) *time.Location {
	if zone == "" {
		return time.UTC
	}
	if l, err := schedule.LoadZone(zone); err == nil {
		return l
	}
	return time.UTC
}
