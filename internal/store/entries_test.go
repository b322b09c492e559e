package store

import (
	"errors"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/schedule"
	"github.com/redis/go-redis/v9"
)

func TestEditAndNights(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		const owner = "tg:7"
		a, _ := s.AddSession(ctx, owner, sess(t0, 0.25, "peptides"), "tg:u:1", t0)
		// A second session in the same night is refused and leaves nothing.
		from, to := t0.Add(-16*time.Hour), t0.Add(8*time.Hour)
		if _, err := s.AddSessionAlone(ctx, owner, sess(t0.Add(time.Hour), 0.5), "tg:u:2", t0, from, to); !errors.Is(err, domain.ErrSameNight) {
			t.Errorf("second of the night: %v, want ErrSameNight", err)
		}
		if list, _ := s.ListSessions(ctx, owner, 0); len(list) != 1 {
			t.Errorf("%d sessions after a refused one", len(list))
		}
		// The repeat of the first one's key is still a duplicate, not a question.
		if d, err := s.AddSessionAlone(ctx, owner, sess(t0, 0.25), "tg:u:1", t0, from, to); err != nil || !d.Duplicate {
			t.Errorf("repeat = %+v, %v", d, err)
		}
		if b, err := s.AddSessionAlone(ctx, owner, sess(t0.Add(24*time.Hour), 0.5), "tg:u:3", t0, from.Add(24*time.Hour), to.Add(24*time.Hour)); err != nil || b.ID != 2 {
			t.Errorf("next night = %+v, %v", b, err)
		}
		if got, _ := s.SessionsBetween(ctx, owner, from, to); len(got) != 1 || got[0].ID != a.ID {
			t.Errorf("sessions of the night = %+v", got)
		}
		// Edit keeps the id and when it was logged, and moves the usage counters.
		e, ok, err := s.EditSession(ctx, owner, a.ID, domain.Session{At: t0.Add(-time.Hour), NeedleMM: 0.5, Products: []string{"retinol"}})
		if !ok || err != nil || e.ID != a.ID || !e.Logged.Equal(a.Logged) || e.NeedleMM != 0.5 {
			t.Fatalf("edit = %+v, %v, %v", e, ok, err)
		}
		usage, _ := s.Usage(ctx, owner)
		if usage["p:peptides"] != 0 || usage["p:retinol"] != 1 || usage["mm:0.5"] != 2 || usage["mm:0.25"] != 0 {
			t.Errorf("usage after edit = %v", usage)
		}
		if times, _ := s.SessionTimes(ctx, owner); !times[0].Equal(t0.Add(-time.Hour)) {
			t.Errorf("times after edit = %v", times)
		}
		if _, ok, _ := s.EditSession(ctx, owner, 99, sess(t0, 1)); ok {
			t.Error("edited a session that does not exist")
		}
	})
}

// A session whose time came from words before the zone was known keeps its wall-clock time
// when the zone is set: "22:00" in UTC becomes 22:00 in Berlin.
func TestFloatingSessionsFollowTheZone(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		const owner = "tg:8"
		at := time.Date(2026, 11, 27, 22, 0, 0, 0, time.UTC)
		s.AddSession(ctx, owner, domain.Session{At: at, NeedleMM: 0.25, Floating: true}, "", t0)
		s.AddSession(ctx, owner, domain.Session{At: t0, NeedleMM: 0.25}, "", t0) // an instant: stays
		if err := s.SetZone(ctx, owner, "Europe/Berlin", nil); err != nil {
			t.Fatal(err)
		}
		berlin, _ := time.LoadLocation("Europe/Berlin")
		list, _ := s.ListSessions(ctx, owner, 0)
		if len(list) != 2 || !list[0].At.Equal(t0) || !list[1].At.Equal(time.Date(2026, 11, 27, 22, 0, 0, 0, berlin)) || list[1].Floating {
			t.Fatalf("after the zone: %+v", list)
		}
		// Only once: a second zone change moves nothing.
		s.SetZone(ctx, owner, "America/New_York", nil)
		if again, _ := s.ListSessions(ctx, owner, 0); !again[1].At.Equal(list[1].At) {
			t.Errorf("a second zone moved the session to %v", again[1].At)
		}
	})
}

func TestUpdateReminderAndMigrate(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		const owner = "p:1"
		tg := domain.Address{Platform: domain.Telegram, Chat: "1"}
		dc := domain.Address{Platform: domain.Discord, Chat: "2"}
		r, _ := s.AddReminder(ctx, owner, domain.Reminder{Clock: schedule.Clock{Hour: 21}, Days: schedule.Daily, To: tg}, t0, "")
		s.AddReminder(ctx, owner, domain.Reminder{Clock: schedule.Clock{Hour: 7}, Days: schedule.Daily, To: tg}, t0, "")
		s.Snooze(ctx, owner, r.ID, t0.Add(time.Hour))
		r.To, r.Clock = dc, schedule.Clock{Hour: 22}
		if err := s.UpdateReminder(ctx, owner, r, t0.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n := s.Client().ZCard(ctx, DueKey(domain.Telegram)).Val(); n != 1 {
			t.Errorf("Telegram's index holds %d, want the other reminder's 1 (no snooze)", n)
		}
		if sc := s.Client().ZScore(ctx, DueKey(domain.Discord), Member(owner, r.ID)).Val(); int64(sc) != t0.Add(2*time.Hour).UnixMilli() {
			t.Errorf("moved reminder due at %v", sc)
		}
		r.Clock = schedule.Clock{Hour: 7}
		if err := s.UpdateReminder(ctx, owner, r, t0); !errors.Is(err, domain.ErrDuplicate) {
			t.Errorf("moving onto another's time: %v, want ErrDuplicate", err)
		}
		r.ID = "r9"
		if err := s.UpdateReminder(ctx, owner, r, t0); !errors.Is(err, domain.ErrGone) {
			t.Errorf("moving a reminder that is gone: %v", err)
		}
		// Blocked on Telegram: only the reminders that go there are turned off.
		if err := s.DisableReminders(ctx, owner, tg); err != nil {
			t.Fatal(err)
		}
		if list, _ := s.ListReminders(ctx, owner); len(list) != 1 || list[0].To != dc {
			t.Errorf("after Telegram refused: %+v", list)
		}
		// A reminder written before reminders carried their platform gets its due index's.
		s.Client().HSet(ctx, "nb:{tg:9}:r", "r1", `{"h":21,"m":0,"d":127,"c":"9"}`)
		s.Client().ZAdd(ctx, DueKey(domain.Telegram), redisZ(t0, Member("tg:9", "r1")))
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if old, ok, _ := s.Reminder(ctx, "tg:9", "r1"); !ok || old.To != (domain.Address{Platform: domain.Telegram, Chat: "9"}) {
			t.Errorf("migrated reminder = %+v", old)
		}
	})
}

func redisZ(at time.Time, member string) redis.Z {
	return redis.Z{Score: float64(at.UnixMilli()), Member: member}
}
