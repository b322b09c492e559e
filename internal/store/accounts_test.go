package store

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/schedule"
)

var (
	tgAna = domain.Identity{Platform: domain.Telegram, User: "111"}
	dcAna = domain.Identity{Platform: domain.Discord, User: "222"}
)

// seedTwo gives Ana a diary on each platform: two sessions and a reminder on Telegram, one
// session and a reminder on Discord.
func seedTwo(t *testing.T, s *Store) {
	t.Helper()
	tg, dc := domain.Owner(tgAna.String()), domain.Owner(dcAna.String())
	for i, o := range []domain.Owner{tg, tg, dc} {
		if _, err := s.AddSession(ctx, o, sess(t0.Add(-time.Duration(i+1)*24*time.Hour), 0.25, "peptides"), "", t0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddReminder(ctx, tg, domain.Reminder{Clock: schedule.Clock{Hour: 21}, Days: schedule.Daily, To: domain.DirectTo(tgAna)}, t0, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddReminder(ctx, dc, domain.Reminder{Clock: schedule.Clock{Hour: 7}, Days: schedule.Daily, To: domain.DirectTo(dcAna)}, t0, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.SetZone(ctx, tg, "Europe/Berlin", nil); err != nil {
		t.Fatal(err)
	}
}

func newCodeFor(t *testing.T, s *Store, id domain.Identity) domain.LinkCode {
	t.Helper()
	o, _ := s.Owner(ctx, id)
	c, err := s.NewLinkCode(ctx, domain.LinkCode{Owner: o, From: id, Expires: s.now().Add(10 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// person checks what a linked person holds.
func person(t *testing.T, s *Store, id domain.Identity, sessions, reminders int, usagePeptides int) domain.Owner {
	t.Helper()
	o, err := s.Owner(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	list, _ := s.ListSessions(ctx, o, 0)
	rems, _ := s.ListReminders(ctx, o)
	usage, _ := s.Usage(ctx, o)
	if len(list) != sessions || len(rems) != reminders || usage["p:peptides"] != usagePeptides {
		t.Errorf("%s's person %s: %d sessions, %d reminders, peptides used %d; want %d, %d, %d",
			id, o, len(list), len(rems), usage["p:peptides"], sessions, reminders, usagePeptides)
	}
	return o
}

func TestLinkMergesOnce(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		seedTwo(t, s)
		c := newCodeFor(t, s, tgAna)
		if len(c.Code) != 6 {
			t.Fatalf("code %q", c.Code)
		}
		p, err := s.Link(ctx, strings.ToLower(c.Code), dcAna, "")
		if err != nil {
			t.Fatal(err)
		}
		if o := person(t, s, tgAna, 3, 2, 3); o != p {
			t.Errorf("Telegram resolves to %s, Discord's link to %s", o, p)
		}
		if o := person(t, s, dcAna, 3, 2, 3); o != p {
			t.Errorf("Discord resolves to %s, want %s", o, p)
		}
		if tz, _ := s.Zone(ctx, p); tz != "Europe/Berlin" {
			t.Errorf("zone %q, want the code's Europe/Berlin", tz)
		}
		ids, _ := s.Identities(ctx, p)
		if len(ids) != 2 {
			t.Errorf("identities %v", ids)
		}
		// Each reminder still goes where it went, from its platform's due index.
		for _, pl := range []domain.Platform{domain.Telegram, domain.Discord} {
			if n := s.Client().ZCard(ctx, DueKey(pl)).Val(); n != 1 {
				t.Errorf("%s due index holds %d, want 1", pl, n)
			}
		}
		// The old owners are gone but for the mark that sends a late write to the person.
		for _, old := range []string{tgAna.String(), dcAna.String()} {
			if keys := s.Client().Keys(ctx, "nb:{"+old+"}:*").Val(); len(keys) != 1 || keys[0] != "nb:{"+old+"}:p" {
				t.Errorf("%s keeps %v", old, keys)
			}
			if m := s.Client().HGetAll(ctx, "nb:{"+old+"}:p").Val(); len(m) != 1 || m["moved"] != string(p) {
				t.Errorf("%s's profile = %v, want only moved=%s", old, m, p)
			}
		}
		// A write that resolved the old owner just before the link lands in the person.
		if a, err := s.AddSession(ctx, domain.Owner(tgAna.String()), sess(t0, 0.25), "late", t0); err != nil || a.ID != 4 {
			t.Errorf("late write = %+v, %v", a, err)
		}
		person(t, s, dcAna, 4, 2, 3)
		if _, err := s.AddReminder(ctx, domain.Owner(dcAna.String()), domain.Reminder{Clock: schedule.Clock{Hour: 9}, To: domain.DirectTo(dcAna)}, t0, ""); err != nil {
			t.Errorf("late reminder: %v", err)
		}
		person(t, s, dcAna, 4, 3, 3)
		// A replay of the same link changes nothing; the code is used up for anyone else.
		if again, err := s.Link(ctx, c.Code, dcAna, ""); err != nil || again != p {
			t.Errorf("replayed link = %s, %v; want %s", again, err, p)
		}
		person(t, s, dcAna, 4, 3, 3)
		if _, err := s.Link(ctx, c.Code, domain.Identity{Platform: domain.Discord, User: "999"}, ""); !errors.Is(err, domain.ErrLinkCode) {
			t.Errorf("used code for someone else: %v, want ErrLinkCode", err)
		}
	})
}

func TestLinkCodes(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		clk := &clock{t: t0}
		s := open(t, WithClock(clk.now))
		c := newCodeFor(t, s, tgAna)
		if got, err := s.PeekLinkCode(ctx, c.Code, dcAna); err != nil || got.From != tgAna {
			t.Errorf("peek = %+v, %v", got, err)
		}
		// Wrong codes count as attempts; five in ten minutes, then none, even the right one.
		for _, bad := range []string{"AAAAA2", "'; DEL", "", "AAA2"} {
			if _, err := s.PeekLinkCode(ctx, bad, dcAna); !errors.Is(err, domain.ErrLinkCode) {
				t.Errorf("peek %q: %v, want ErrLinkCode", bad, err)
			}
		}
		if _, err := s.PeekLinkCode(ctx, c.Code, dcAna); !errors.Is(err, domain.ErrRateLimited) {
			t.Errorf("6th attempt: %v, want ErrRateLimited", err)
		}
		// A code expires after ten minutes.
		other := domain.Identity{Platform: domain.Discord, User: "333"}
		clk.set(t0.Add(11 * time.Minute))
		if _, err := s.PeekLinkCode(ctx, c.Code, other); !errors.Is(err, domain.ErrLinkCode) {
			t.Errorf("expired code: %v, want ErrLinkCode", err)
		}
		if _, err := s.Link(ctx, c.Code, other, ""); !errors.Is(err, domain.ErrLinkCode) {
			t.Errorf("link with an expired code: %v", err)
		}
	})
}

func TestLinkRefusesASecondAccountOnAPlatform(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		seedTwo(t, s)
		if _, err := s.Link(ctx, newCodeFor(t, s, tgAna).Code, dcAna, ""); err != nil {
			t.Fatal(err)
		}
		dcBob := domain.Identity{Platform: domain.Discord, User: "444"}
		if _, err := s.Link(ctx, newCodeFor(t, s, tgAna).Code, dcBob, ""); !errors.Is(err, domain.ErrLinked) {
			t.Errorf("a second Discord account: %v, want ErrLinked", err)
		}
		person(t, s, tgAna, 3, 2, 3)
	})
}

// A crash at any step of a link is finished by ResumeLinks (at start-up) or by the replayed
// link, and nothing is copied twice.
func TestLinkCrashIsResumed(t *testing.T) {
	for _, at := range []string{"journal", "mapped", "session", "reminders"} {
		t.Run(at, func(t *testing.T) {
			each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
				s := open(t)
				seedTwo(t, s)
				crash := errors.New("killed")
				n := 0
				s.fault = func(step string) error {
					if step == at {
						if n++; n == 2 || at != "session" {
							return crash
						}
					}
					return nil
				}
				c := newCodeFor(t, s, tgAna)
				if _, err := s.Link(ctx, c.Code, dcAna, ""); !errors.Is(err, crash) {
					t.Fatalf("link: %v, want the crash", err)
				}
				s.fault = nil
				if err := s.ResumeLinks(ctx); err != nil {
					t.Fatal(err)
				}
				if err := s.ResumeLinks(ctx); err != nil {
					t.Fatal(err)
				}
				if _, err := s.Link(ctx, c.Code, dcAna, ""); err != nil {
					t.Errorf("replayed link after the crash: %v", err)
				}
				p := person(t, s, tgAna, 3, 2, 3)
				person(t, s, dcAna, 3, 2, 3)
				if n := s.Client().HLen(ctx, mergesKey).Val(); n != 0 {
					t.Errorf("%d links left in the journal", n)
				}
				if tz, _ := s.Zone(ctx, p); tz != "Europe/Berlin" {
					t.Errorf("zone %q", tz)
				}
			})
		})
	}
}

func TestUnlinkAndForgetAPerson(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		seedTwo(t, s)
		p, err := s.Link(ctx, newCodeFor(t, s, tgAna).Code, dcAna, "")
		if err != nil {
			t.Fatal(err)
		}
		// Discord asks: the diary stays with Discord, and Telegram's reminder comes there.
		if ok, err := s.Unlink(ctx, dcAna); !ok || err != nil {
			t.Fatalf("unlink = %v, %v", ok, err)
		}
		if o := person(t, s, dcAna, 3, 2, 3); o != p {
			t.Errorf("Discord's diary moved to %s", o)
		}
		person(t, s, tgAna, 0, 0, 0)
		rems, _ := s.ListReminders(ctx, p)
		for _, r := range rems {
			if r.To != domain.DirectTo(dcAna) {
				t.Errorf("reminder %s still goes to %s", r.ID, r.To)
			}
		}
		if n := s.Client().ZCard(ctx, DueKey(domain.Telegram)).Val(); n != 0 {
			t.Errorf("Telegram's due index holds %d after unlink, want 0", n)
		}
		if ok, _ := s.Unlink(ctx, dcAna); ok {
			t.Error("unlinked twice")
		}
		// Link again, then forget the person: every identity starts afresh, nothing is left.
		if p, err = s.Link(ctx, newCodeFor(t, s, dcAna).Code, tgAna, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.Forget(ctx, p); err != nil {
			t.Fatal(err)
		}
		person(t, s, tgAna, 0, 0, 0)
		person(t, s, dcAna, 0, 0, 0)
		for _, k := range s.Client().Keys(ctx, "*").Val() {
			if k == secretKey {
				continue
			}
			t.Errorf("key %q left after /forget", k)
		}
	})
}

func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// Two redemptions of one code at once (a double tap, two instances) join one person.
func TestLinkTwiceAtOnce(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		for range 10 {
			s := open(t)
			s.Client().FlushAll(ctx)
			seedTwo(t, s)
			c := newCodeFor(t, s, tgAna)
			got := make(chan domain.Owner, 2)
			for range 2 {
				go func() {
					p, err := s.Link(ctx, c.Code, dcAna, "")
					if err != nil {
						t.Errorf("link: %v", err)
					}
					got <- p
				}()
			}
			a, b := <-got, <-got
			if a != b {
				t.Fatalf("two redemptions made two persons: %s and %s", a, b)
			}
			person(t, s, tgAna, 3, 2, 3)
			person(t, s, dcAna, 3, 2, 3)
		}
	})
}

// /forget revokes a code not used yet, and a newer code revokes an older one.
func TestCodesAreRevoked(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		seedTwo(t, s)
		old := newCodeFor(t, s, tgAna)
		newer := newCodeFor(t, s, tgAna)
		if _, err := s.Link(ctx, old.Code, dcAna, ""); !errors.Is(err, domain.ErrLinkCode) {
			t.Errorf("an older code linked: %v", err)
		}
		if err := s.Forget(ctx, domain.Owner(tgAna.String())); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Link(ctx, newer.Code, dcAna, ""); !errors.Is(err, domain.ErrLinkCode) {
			t.Errorf("a code from before /forget linked: %v", err)
		}
		person(t, s, dcAna, 1, 1, 1)
	})
}
