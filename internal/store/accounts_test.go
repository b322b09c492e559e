package store

import (
	"errors"
	"slices"
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
		// So do a roller and breaks set on the old owners.
		late := domain.Roller{MM: 1, Name: "late", Since: t0}
		if err := s.SetRoller(ctx, domain.Owner(tgAna.String()), late); err != nil {
			t.Errorf("late roller: %v", err)
		}
		if err := s.SetBreak(ctx, domain.Owner(dcAna.String()), domain.Break{From: "2026-11-27", To: "2026-11-28"}); err != nil {
			t.Errorf("late break: %v", err)
		}
		if err := s.RemoveBreak(ctx, domain.Owner(tgAna.String()), "2026-11-27"); err != nil {
			t.Errorf("late break removal: %v", err)
		}
		if err := s.SetBreak(ctx, domain.Owner(tgAna.String()), domain.Break{From: "2026-11-20", To: "2026-11-21"}); err != nil {
			t.Errorf("late break: %v", err)
		}
		profileOf(t, s, dcAna, &late, []domain.Break{{From: "2026-11-20", To: "2026-11-21"}})
		for _, old := range []string{tgAna.String(), dcAna.String()} {
			if m := s.Client().HGetAll(ctx, "nb:{"+old+"}:p").Val(); len(m) != 1 {
				t.Errorf("%s's profile after late writes = %v, want only moved", old, m)
			}
		}
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
	for _, at := range []string{"journal", "mapped", "session", "profile", "reminders"} {
		t.Run(at, func(t *testing.T) {
			each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
				s := open(t)
				seedTwo(t, s)
				seedProfiles(t, s, &tgRoller, &dcRoller)
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
				// Meanwhile Ana ends Telegram's October break on the person; when it was
				// merged before the crash, the rest of the link must not bring it back.
				want := bothBreaks
				if p, _ := s.Owner(ctx, tgAna); strings.HasPrefix(string(p), personPrefix) {
					if got, _ := s.Breaks(ctx, p); len(got) > 0 && got[0].From == "2026-10-01" {
						if err := s.RemoveBreak(ctx, p, "2026-10-01"); err != nil {
							t.Fatal(err)
						}
						want = bothBreaks[1:]
					}
				}
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
				profileOf(t, s, tgAna, &dcRoller, want)
				profileOf(t, s, dcAna, &dcRoller, want)
			})
		})
	}
}

func TestUnlinkAndForgetAPerson(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		seedTwo(t, s)
		seedProfiles(t, s, &tgRoller, &dcRoller)
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
		// The roller and breaks stay with the diary; Telegram has none.
		profileOf(t, s, dcAna, &dcRoller, bothBreaks)
		profileOf(t, s, tgAna, nil, nil)
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
		profileOf(t, s, tgAna, nil, nil)
		profileOf(t, s, dcAna, nil, nil)
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

// Ana's rollers and breaks: on Telegram an older roller, on Discord one started later; each
// has a break of its own and one from the same day, which ends later on Discord.
var (
	tgRoller = domain.Roller{MM: 0.25, Name: "old", Since: t0.Add(-10 * 24 * time.Hour)}
	dcRoller = domain.Roller{MM: 0.5, Name: "new", Since: t0.Add(-2 * 24 * time.Hour)}
	tgBreaks = []domain.Break{{From: "2026-10-01", To: "2026-10-03"}, {From: "2026-11-01", To: "2026-11-02"}}
	dcBreaks = []domain.Break{{From: "2026-11-01", To: "2026-11-05"}, {From: "2026-11-10", To: "2026-11-12"}}
	// bothBreaks is what a link keeps: every break, the later end of the one they share.
	bothBreaks = []domain.Break{{From: "2026-10-01", To: "2026-10-03"}, {From: "2026-11-01", To: "2026-11-05"}, {From: "2026-11-10", To: "2026-11-12"}}
)

// seedProfiles gives each of Ana's accounts the rollers and breaks above; a nil roller is none.
func seedProfiles(t *testing.T, s *Store, tg, dc *domain.Roller) {
	t.Helper()
	for _, a := range []struct {
		id     domain.Identity
		roller *domain.Roller
		breaks []domain.Break
	}{{tgAna, tg, tgBreaks}, {dcAna, dc, dcBreaks}} {
		o, _ := s.Owner(ctx, a.id)
		if a.roller != nil {
			if err := s.SetRoller(ctx, o, *a.roller); err != nil {
				t.Fatal(err)
			}
		}
		for _, b := range a.breaks {
			if err := s.SetBreak(ctx, o, b); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// profileOf checks the roller and breaks /stats shows id.
func profileOf(t *testing.T, s *Store, id domain.Identity, roller *domain.Roller, breaks []domain.Break) {
	t.Helper()
	o, err := s.Owner(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	r, ok, err := s.Roller(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if ok != (roller != nil) || ok && (r.MM != roller.MM || r.Name != roller.Name || !r.Since.Equal(roller.Since)) {
		t.Errorf("%s's roller = %+v (%v), want %+v", id, r, ok, roller)
	}
	got, err := s.Breaks(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, breaks) {
		t.Errorf("%s's breaks = %v, want %v", id, got, breaks)
	}
}

// A link keeps both accounts' breaks and the roller started last, whichever account has it,
// on both identities; one roller between them is kept wherever it was.
func TestLinkKeepsRollerAndBreaks(t *testing.T) {
	for _, c := range []struct {
		name           string
		tg, dc, want   *domain.Roller
		codeOn, linkOn domain.Identity
	}{
		{"newer on the linking side", &tgRoller, &dcRoller, &dcRoller, tgAna, dcAna},
		{"newer on the code's side", &tgRoller, &dcRoller, &dcRoller, dcAna, tgAna},
		{"only the code's side", &tgRoller, nil, &tgRoller, tgAna, dcAna},
		{"only the linking side", &tgRoller, nil, &tgRoller, dcAna, tgAna},
		{"none", nil, nil, nil, tgAna, dcAna},
	} {
		t.Run(c.name, func(t *testing.T) {
			each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
				s := open(t)
				seedTwo(t, s)
				seedProfiles(t, s, c.tg, c.dc)
				if _, err := s.Link(ctx, newCodeFor(t, s, c.codeOn).Code, c.linkOn, ""); err != nil {
					t.Fatal(err)
				}
				profileOf(t, s, tgAna, c.want, bothBreaks)
				profileOf(t, s, dcAna, c.want, bothBreaks)
				person(t, s, tgAna, 3, 2, 3)
			})
		})
	}
}

// Linking into a person that exists (relinking after an unlink) brings the new account's
// roller when it is newer, and its breaks.
func TestLinkIntoAPersonKeepsRollerAndBreaks(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		seedTwo(t, s)
		seedProfiles(t, s, &tgRoller, &dcRoller)
		p, err := s.Link(ctx, newCodeFor(t, s, tgAna).Code, dcAna, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Unlink(ctx, dcAna); err != nil {
			t.Fatal(err)
		}
		// Telegram starts afresh, with a roller started after the person's and a break.
		fresh := domain.Roller{MM: 1, Name: "fresh", Since: t0}
		tg := domain.Owner(tgAna.String())
		if err := s.SetRoller(ctx, tg, fresh); err != nil {
			t.Fatal(err)
		}
		if err := s.SetBreak(ctx, tg, domain.Break{From: "2026-11-20", To: "2026-11-21"}); err != nil {
			t.Fatal(err)
		}
		// And a session, whose id (1) a session the first link copied had too.
		if _, err := s.AddSession(ctx, tg, sess(t0.Add(-time.Hour), 0.5), "", t0); err != nil {
			t.Fatal(err)
		}
		if again, err := s.Link(ctx, newCodeFor(t, s, dcAna).Code, tgAna, ""); err != nil || again != p {
			t.Fatalf("relink = %s, %v; want the person %s", again, err, p)
		}
		want := append(slices.Clone(bothBreaks), domain.Break{From: "2026-11-20", To: "2026-11-21"})
		profileOf(t, s, tgAna, &fresh, want)
		profileOf(t, s, dcAna, &fresh, want)
		person(t, s, dcAna, 4, 2, 3)
	})
}

// Both accounts' breaks past the cap: the latest domain.MaxBreaks are kept.
func TestLinkKeepsTheLatestBreaks(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		l := DefaultLimits
		l.Writes = 1000
		s := open(t, WithLimits(l))
		var want []domain.Break
		day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range 100 {
			d := day.AddDate(0, 0, 3*i).Format(domain.DateLayout)
			b := domain.Break{From: d, To: d}
			id := []domain.Identity{tgAna, dcAna}[i%2]
			if err := s.SetBreak(ctx, domain.Owner(id.String()), b); err != nil {
				t.Fatal(err)
			}
			if i >= 100-domain.MaxBreaks {
				want = append(want, b)
			}
		}
		if _, err := s.Link(ctx, newCodeFor(t, s, tgAna).Code, dcAna, ""); err != nil {
			t.Fatal(err)
		}
		profileOf(t, s, tgAna, nil, want)
		profileOf(t, s, dcAna, nil, want)
	})
}
