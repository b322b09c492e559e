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

// Owner resolves an identity to its owner; see domain.Accounts.
func (s *Store) Owner(ctx context.Context, id domain.Identity) (domain.Owner, error) {
	if !id.Valid() {
		return "", fmt.Errorf("store: invalid identity %q", id)
	}
	o, err := s.rdb.Get(ctx, identityKey(id)).Result()
	if errors.Is(err, redis.Nil) {
		return domain.Owner(id.String()), nil
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
	Owner   string `json:"o"`
	From    string `json:"f"`
	Zone    string `json:"z,omitempty"`
	Expires int64  `json:"e"`
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
		if ok {
			return c, nil
		}
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
	n, err := write(ctx, s, func() (int64, error) {
		n, err := s.rdb.Incr(ctx, k.attempts).Result()
		if err == nil && n == 1 {
			err = s.rdb.PExpire(ctx, k.attempts, linkTTL).Err()
		}
		return n, err
	})
	if err != nil {
		return domain.LinkCode{}, fmt.Errorf("store: link code: %w", unavailable(err))
	}
	if n > linkAttempts {
		return domain.LinkCode{}, fmt.Errorf("store: link code: %w", domain.ErrRateLimited)
	}
	c, ok, err := s.linkCode(ctx, code)
	if err != nil {
		return domain.LinkCode{}, err
	}
	if !ok {
		return domain.LinkCode{}, fmt.Errorf("store: link code: %w", domain.ErrLinkCode)
	}
	return c, nil
}

func (s *Store) linkCode(ctx context.Context, code string) (domain.LinkCode, bool, error) {
	code, ok := NormalizeCode(code)
	if !ok {
		return domain.LinkCode{}, false, nil
	}
	js, err := s.rdb.Get(ctx, codeKey(code)).Result()
	if errors.Is(err, redis.Nil) {
		return domain.LinkCode{}, false, nil
	}
	if err != nil {
		return domain.LinkCode{}, false, fmt.Errorf("store: link code: %w", unavailable(err))
	}
	var r linkRecord
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		return domain.LinkCode{}, false, fmt.Errorf("store: link code: %w", err)
	}
	from, _ := domain.ParseIdentity(r.From)
	c := domain.LinkCode{Code: code, Owner: domain.Owner(r.Owner), From: from, Zone: r.Zone, Expires: time.UnixMilli(r.Expires)}
	if !s.now().Before(c.Expires) {
		return domain.LinkCode{}, false, nil
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

// Link joins by to the code's person; see domain.Accounts.
//
// The steps, each safe to repeat: (1) the link is written to the journal (nb:merges) for both
// owners that move; (2) the code is used up and remembered for replays; (3) every identity is
// mapped to the person; (4) each moving owner's sessions and reminders are copied in under
// idempotency keys ("merge:OWNER:ID"), so a copy repeated after a crash is not a second copy;
// (5) the moved owner's keys are deleted and its journal entry removed.
func (s *Store) Link(ctx context.Context, code string, by domain.Identity, zone string) (domain.Owner, error) {
	byOwner, err := s.Owner(ctx, by)
	if err != nil {
		return "", err
	}
	c, ok, err := s.linkCode(ctx, code)
	if err != nil {
		return "", err
	}
	if !ok {
		// A replay of a link that went through: the code is used up, and by is in its person.
		if norm, valid := NormalizeCode(code); valid {
			if bk, err := ownerKeys(byOwner); err == nil && s.rdb.HExists(ctx, bk.profile, "lc:"+norm).Val() {
				return byOwner, s.ResumeLinks(ctx)
			}
		}
		return "", fmt.Errorf("store: link: %w", domain.ErrLinkCode)
	}
	if byOwner == c.Owner {
		return byOwner, nil // linked already
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
	for _, o := range []domain.Owner{c.Owner, byOwner} {
		if zone != "" {
			break
		}
		if zone, err = s.Zone(ctx, o); err != nil {
			return "", err
		}
	}
	for _, m := range moving {
		js, _ := json.Marshal(map[string]string{"into": string(into), "zone": zone})
		if _, err := write(ctx, s, func() (int64, error) { return s.rdb.HSet(ctx, mergesKey, string(m), js).Result() }); err != nil {
			return "", fmt.Errorf("store: link: %w", unavailable(err))
		}
	}
	k, err := ownerKeys(into)
	if err != nil {
		return "", err
	}
	// The person remembers the code it was joined with, so that a replay finds it.
	if _, err := write(ctx, s, func() ([]redis.Cmder, error) {
		return s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.HSet(ctx, k.profile, "lc:"+c.Code, 1)
			p.Del(ctx, codeKey(c.Code))
			return nil
		})
	}); err != nil {
		return "", fmt.Errorf("store: link: %w", unavailable(err))
	}
	all := append(slices.Clone(theirs), ours...)
	if _, err := write(ctx, s, func() ([]redis.Cmder, error) {
		return s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, id := range all {
				p.Set(ctx, identityKey(id), string(into), 0)
				p.SAdd(ctx, k.idents, id.String())
			}
			return nil
		})
	}); err != nil {
		return "", fmt.Errorf("store: link: %w", unavailable(err))
	}
	if err := s.step("mapped"); err != nil {
		return "", err
	}
	for _, m := range moving {
		if err := s.resume(ctx, m); err != nil {
			return "", err
		}
	}
	return into, nil
}

func newID() string {
	b := make([]byte, 9)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ResumeLinks finishes links a crash interrupted; see domain.Accounts.
func (s *Store) ResumeLinks(ctx context.Context) error {
	froms, err := s.rdb.HKeys(ctx, mergesKey).Result()
	if err != nil {
		return fmt.Errorf("store: resume links: %w", unavailable(err))
	}
	for _, f := range froms {
		if err := s.resume(ctx, domain.Owner(f)); err != nil {
			return err
		}
	}
	return nil
}

// resume moves the owner from's data into the person its journal entry names, if it has one
// that is not finished, or into which it was just linked (a replay).
func (s *Store) resume(ctx context.Context, from domain.Owner) error {
	js, err := s.rdb.HGet(ctx, mergesKey, string(from)).Result()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: link: %w", unavailable(err))
	}
	var j struct{ Into, Zone string }
	if err := json.Unmarshal([]byte(js), &j); err != nil {
		return fmt.Errorf("store: link journal of %s: %w", from, err)
	}
	if err := s.move(ctx, from, domain.Owner(j.Into), j.Zone); err != nil {
		return err
	}
	if _, err := write(ctx, s, func() (int64, error) { return s.rdb.HDel(ctx, mergesKey, string(from)).Result() }); err != nil {
		return fmt.Errorf("store: link: %w", unavailable(err))
	}
	return nil
}

// move copies from's sessions, counters (through the sessions' own) and reminders into into,
// sets into's zone, then deletes from's keys.
func (s *Store) move(ctx context.Context, from, into domain.Owner, zone string) error {
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
		if _, err := s.addSession(ctx, into, rec, "merge:"+string(from)+":"+id, time.UnixMilli(0), "merge", time.Time{}, time.Time{}); err != nil {
			return err
		}
		if err := s.step("session"); err != nil {
			return err
		}
	}
	if zone != "" {
		if _, err := write(ctx, s, func() (int64, error) { return s.rdb.HSet(ctx, ik.profile, "tz", zone).Result() }); err != nil {
			return fmt.Errorf("store: link: %w", unavailable(err))
		}
	}
	loc := time.UTC
	if zone != "" {
		if l, err := schedule.LoadZone(zone); err == nil {
			loc = l
		}
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
		_, err := s.AddReminder(ctx, into, r, next, "merge:"+string(from)+":"+r.ID)
		if err != nil && !errors.Is(err, domain.ErrDuplicate) && !errors.Is(err, domain.ErrFull) {
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
	if _, err := write(ctx, s, func() (int64, error) { return s.rdb.Del(ctx, fk.all()...).Result() }); err != nil {
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
	loc := time.UTC
	if l, err := schedule.LoadZone(zone); zone != "" && err == nil {
		loc = l
	}
	for _, r := range rems {
		if r.To.Platform == id.Platform {
			continue
		}
		r.To = domain.DirectTo(id)
		if err := s.UpdateReminder(ctx, owner, r, schedule.Next(r.Clock, r.Days, loc, s.now())); err != nil && !errors.Is(err, domain.ErrGone) {
			return false, err
		}
	}
	if _, err := write(ctx, s, func() ([]redis.Cmder, error) {
		return s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, o := range others {
				p.Del(ctx, identityKey(o))
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
	keys := k.all()
	for _, id := range ids {
		keys = append(keys, identityKey(id))
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
