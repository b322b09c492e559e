package store

import (
	"errors"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/redistest"
	"github.com/needlebot/needlebot/internal/remind"
	"github.com/needlebot/needlebot/internal/schedule"
)

func TestQueueLeases(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		due := t0
		for _, owner := range []domain.Owner{"tg:1", "tg:2", "tg:3"} {
			if _, err := s.AddReminder(ctx, owner, domain.Reminder{Clock: schedule.Clock{Hour: 21}, Days: schedule.Daily, To: addr(owner)}, due, ""); err != nil {
				t.Fatal(err)
			}
		}
		s.AddReminder(ctx, "tg:4", domain.Reminder{Clock: schedule.Clock{Hour: 22}, To: addr("tg:4")}, due.Add(time.Hour), "")
		now := due.Add(time.Second)
		lease := now.Add(time.Minute)

		a, err := s.Claim(ctx, "tg", "A", now, lease, 2)
		if err != nil || len(a) != 2 || !a[0].Due.Equal(due) {
			t.Fatalf("Claim A = %+v, %v", a, err)
		}
		b, _ := s.Claim(ctx, "tg", "B", now, lease, 10)
		if len(b) != 1 {
			t.Fatalf("Claim B got %d, want the 1 not leased (and not tg:4, due later)", len(b))
		}
		if c, _ := s.Claim(ctx, "tg", "C", now, lease, 10); len(c) != 0 {
			t.Fatalf("leased entries claimed again: %+v", c)
		}
		if at, ok, _ := s.NextDue(ctx, []domain.Platform{"tg"}); !ok || !at.Equal(lease) {
			t.Errorf("NextDue = %v, %v; want the lease end %v", at, ok, lease)
		}

		// Only the holder settles; a stranger's token changes nothing.
		next := due.Add(24 * time.Hour)
		if n, _ := s.Finish(ctx, "tg", "B", []remind.Settle{{Member: a[0].Member, Kind: remind.Done, At: next}}); n != 0 {
			t.Errorf("B settled A's claim")
		}
		if n, _ := s.Finish(ctx, "tg", "A", []remind.Settle{{Member: a[0].Member, Kind: remind.Done, At: next}}); n != 1 {
			t.Errorf("A could not settle its claim")
		}
		if sc := s.Client().ZScore(ctx, DueKey("tg"), a[0].Member).Val(); int64(sc) != next.UnixMilli() {
			t.Errorf("settled entry at %v, want %v", sc, next)
		}
		if s.Client().HExists(ctx, LeaseKey("tg"), a[0].Member).Val() {
			t.Error("lease left after settling")
		}

		// A retried claim keeps its original due time when it is claimed again.
		s.Finish(ctx, "tg", "A", []remind.Settle{{Member: a[1].Member, Kind: remind.Retry, At: now.Add(30 * time.Second)}})
		again, _ := s.Claim(ctx, "tg", "D", now.Add(30*time.Second), now.Add(2*time.Minute), 10)
		if len(again) != 1 || again[0].Member != a[1].Member || !again[0].Due.Equal(due) {
			t.Errorf("retried claim = %+v, want %s due %v", again, a[1].Member, due)
		}
		// Released at shutdown: due again at once, at its original time.
		s.Finish(ctx, "tg", "D", []remind.Settle{{Member: again[0].Member, Kind: remind.Release}})
		if sc := s.Client().ZScore(ctx, DueKey("tg"), again[0].Member).Val(); int64(sc) != due.UnixMilli() {
			t.Errorf("released entry at %v, want its due time", sc)
		}

		// A lease that runs out (a crashed dispatcher) makes the entry claimable again, and the
		// late claimer is the only one who can settle it.
		late, _ := s.Claim(ctx, "tg", "E", lease.Add(time.Second), lease.Add(2*time.Minute), 10)
		found := false
		for _, c := range late {
			found = found || c.Member == b[0].Member
		}
		if !found {
			t.Fatalf("expired lease not claimable: %+v", late)
		}
		if n, _ := s.Finish(ctx, "tg", "B", []remind.Settle{{Member: b[0].Member, Kind: remind.Done, At: next}}); n != 0 {
			t.Error("the crashed holder settled after its lease was taken over")
		}
		// Extend moves only the token's own leases.
		s.Extend(ctx, "tg", "E", []string{b[0].Member}, lease.Add(time.Hour))
		if sc := s.Client().ZScore(ctx, DueKey("tg"), b[0].Member).Val(); int64(sc) != lease.Add(time.Hour).UnixMilli() {
			t.Errorf("extended lease at %v", sc)
		}
		s.Extend(ctx, "tg", "nobody", []string{b[0].Member}, lease.Add(5*time.Hour))
		if sc := s.Client().ZScore(ctx, DueKey("tg"), b[0].Member).Val(); int64(sc) != lease.Add(time.Hour).UnixMilli() {
			t.Error("a stranger extended someone's lease")
		}
		// A reminder removed while claimed is not put back by the late settle.
		s.RemoveReminder(ctx, "tg:2", "")
		s.RemoveReminder(ctx, "tg:1", "")
		s.RemoveReminder(ctx, "tg:3", "")
		s.Finish(ctx, "tg", "E", []remind.Settle{{Member: b[0].Member, Kind: remind.Done, At: next}})
		if n := s.Client().ZCard(ctx, DueKey("tg")).Val(); n != 1 {
			t.Errorf("due index has %d entries, want only tg:4's", n)
		}
	})
}

func TestTargetsInOneRoundTrip(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		for i, owner := range []domain.Owner{"tg:1", "dc:2"} {
			s.AddReminder(ctx, owner, domain.Reminder{Clock: schedule.Clock{Hour: 21, Minute: i}, Days: schedule.Daily, To: addr(owner)}, t0, "")
		}
		s.SetZone(ctx, "tg:1", "Europe/Berlin", nil)
		s.AddSession(ctx, "tg:1", domain.Session{At: t0.Add(-time.Hour), NeedleMM: 0.25}, "", t0)
		s.AddSession(ctx, "tg:1", domain.Session{At: t0.Add(-10 * 24 * time.Hour), NeedleMM: 0.25}, "", t0)
		claims := []remind.Claim{{Member: "tg:1|r1", Due: t0}, {Member: "dc:2|r1", Due: t0}, {Member: "tg:9|r1", Due: t0}, {Member: "junk", Due: t0}}
		var hook redistest.RoundTrips
		s.Client().AddHook(&hook)
		got, err := s.Targets(ctx, "tg", claims, t0.Add(-8*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if hook.N() != 1 {
			t.Errorf("Targets took %d round trips, want 1", hook.N())
		}
		if !got[0].Exists || got[0].Zone != "Europe/Berlin" || got[0].Reminder.To != addr("tg:1") || len(got[0].Recent) != 1 {
			t.Errorf("target 0 = %+v", got[0])
		}
		if !got[1].Exists || got[1].Zone != "" || got[1].Reminder.Clock.Minute != 1 {
			t.Errorf("target 1 = %+v", got[1])
		}
		if got[2].Exists || got[3].Exists || got[3].Owner != "" {
			t.Errorf("missing and junk targets = %+v, %+v", got[2], got[3])
		}
	})
}

func TestUserChangesDuringARoundSurvive(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		if _, err := s.AddReminder(ctx, "tg:1", domain.Reminder{Clock: schedule.Clock{Hour: 21}, Days: schedule.Daily, To: addr("tg:1")}, t0, ""); err != nil {
			t.Fatal(err)
		}
		s.Snooze(ctx, "tg:1", "r1", t0)
		claims, _ := s.Claim(ctx, "tg", "A", t0.Add(time.Second), t0.Add(time.Minute), 10)
		if len(claims) != 2 {
			t.Fatalf("claimed %d, want the reminder and its snooze", len(claims))
		}
		// While the round sends, the user snoozes again and moves to another zone.
		again := t0.Add(30 * time.Minute)
		if err := s.Snooze(ctx, "tg:1", "r1", again); err != nil {
			t.Fatal(err)
		}
		newZone := t0.Add(5 * time.Hour)
		if err := s.SetZone(ctx, "tg:1", "Asia/Kolkata", map[string]time.Time{"r1": newZone}); err != nil {
			t.Fatal(err)
		}
		// The round settles as it planned before the changes: it must not undo them.
		s.Finish(ctx, "tg", "A", []remind.Settle{
			{Member: SnoozeMember("tg:1", "r1"), Kind: remind.Done},
			{Member: Member("tg:1", "r1"), Kind: remind.Done, At: t0.Add(24 * time.Hour)},
		})
		if sc, err := s.Client().ZScore(ctx, DueKey("tg"), SnoozeMember("tg:1", "r1")).Result(); err != nil || int64(sc) != again.UnixMilli() {
			t.Errorf("the new snooze is at %v (%v), want %v", time.UnixMilli(int64(sc)), err, again)
		}
		if sc := s.Client().ZScore(ctx, DueKey("tg"), Member("tg:1", "r1")).Val(); int64(sc) != newZone.UnixMilli() {
			t.Errorf("the reminder is at %v, want the new zone's %v", time.UnixMilli(int64(sc)), newZone)
		}
	})
}

func TestEachPlatformHasItsOwnQueue(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		s.AddReminder(ctx, "tg:1", domain.Reminder{Clock: schedule.Clock{Hour: 21}, To: addr("tg:1")}, t0, "")
		s.AddReminder(ctx, "dc:2", domain.Reminder{Clock: schedule.Clock{Hour: 21}, To: addr("dc:2")}, t0, "")
		tg, _ := s.Claim(ctx, "tg", "A", t0, t0.Add(time.Minute), 10)
		if len(tg) != 1 || tg[0].Member != "tg:1|r1" {
			t.Errorf("tg claim = %+v", tg)
		}
		if at, ok, _ := s.NextDue(ctx, []domain.Platform{"tg", "dc"}); !ok || !at.Equal(t0) {
			t.Errorf("NextDue(tg, dc) = %v %v, want the Discord reminder's %v", at, ok, t0)
		}
		if _, err := s.Claim(ctx, "../x", "A", t0, t0, 1); err == nil {
			t.Error("claimed from an invented platform")
		}
	})
}

func TestSnoozeAGoneReminder(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		if err := s.Snooze(ctx, "tg:1", "r1", t0); !errors.Is(err, domain.ErrGone) {
			t.Errorf("Snooze of a missing reminder = %v, want ErrGone", err)
		}
		if n := s.Client().ZCard(ctx, DueKey("tg")).Val(); n != 0 {
			t.Errorf("snoozing nothing left %d due entries", n)
		}
	})
}

// addr is where a test owner named like its identity ("tg:5") gets its reminders.
func addr(owner domain.Owner) domain.Address {
	id, _ := domain.ParseIdentity(string(owner))
	return domain.DirectTo(id)
}
