package store

import (
	"context"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/redistest"
	"github.com/needlebot/needlebot/internal/remind"
	"github.com/needlebot/needlebot/internal/schedule"
)

// TestOnRedisCluster runs what a user does, and the dispatcher's queue, against a real
// three-master Redis Cluster: every script and pipeline must keep to its slots, or Redis
// answers CROSSSLOT.
func TestOnRedisCluster(t *testing.T) {
	cl := redistest.StartCluster(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	clk := &clock{t: t0}
	s := New(cl.Client(), WithClock(clk.now))
	const owner, other = domain.Owner("tg:111"), domain.Owner("tg:5001")
	week := t0.Add(-7 * 24 * time.Hour)

	t.Run("sessions", func(t *testing.T) {
		a, err := s.AddSession(ctx, owner, sess(t0.Add(-48*time.Hour), 0.25, "peptides"), "tg:u:1", week)
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.AddSession(ctx, owner, sess(t0.Add(-time.Hour), 0.5), "tg:u:2", week)
		if err != nil {
			t.Fatal(err)
		}
		if d, err := s.AddSession(ctx, owner, sess(t0.Add(-time.Hour), 0.5), "tg:u:2", week); err != nil || !d.Duplicate {
			t.Errorf("the same message again = %+v, %v; want a duplicate", d, err)
		}
		if list, err := s.ListSessions(ctx, owner, 0); err != nil || len(list) != 2 {
			t.Fatalf("ListSessions = %+v, %v; want the 2 logged", list, err)
		}
		if got, err := s.SessionsBetween(ctx, owner, t0.Add(-2*time.Hour), t0); err != nil || len(got) != 1 || got[0].ID != b.ID {
			t.Errorf("SessionsBetween = %+v, %v; want session %d", got, err, b.ID)
		}
		e, ok, err := s.EditSession(ctx, owner, a.ID, domain.Session{At: t0.Add(-50 * time.Hour), NeedleMM: 1, Products: []string{"retinol"}})
		if !ok || err != nil || e.NeedleMM != 1 {
			t.Fatalf("EditSession = %+v, %v, %v", e, ok, err)
		}
		if usage, _ := s.Usage(ctx, owner); usage["p:retinol"] != 1 || usage["p:peptides"] != 0 {
			t.Errorf("usage after the edit = %v", usage)
		}
		if _, ok, err := s.RemoveSession(ctx, owner, b.ID, b.Logged, "tg:u:3"); !ok || err != nil {
			t.Fatalf("RemoveSession = %v, %v", ok, err)
		}
		if list, _ := s.ListSessions(ctx, owner, 0); len(list) != 1 || list[0].ID != a.ID {
			t.Errorf("after undo the diary lists %+v, want only session %d", list, a.ID)
		}
	})

	t.Run("reminders, breaks, questions", func(t *testing.T) {
		r, err := s.AddReminder(ctx, owner, domain.Reminder{Clock: schedule.Clock{Hour: 21}, Days: schedule.Daily, To: addr(owner)}, t0, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Snooze(ctx, owner, r.ID, t0.Add(10*time.Minute)); err != nil {
			t.Fatal(err)
		}
		r.Clock = schedule.Clock{Hour: 22}
		if err := s.UpdateReminder(ctx, owner, r, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, ok, _ := s.Reminder(ctx, owner, r.ID); !ok || got.Clock.Hour != 22 {
			t.Errorf("Reminder after update = %+v, %v", got, ok)
		}
		if sc := s.Client().ZScore(ctx, DueKey("tg"), Member(owner, r.ID)).Val(); int64(sc) != t0.Add(time.Hour).UnixMilli() {
			t.Errorf("due at %v, want the updated time", time.UnixMilli(int64(sc)))
		}
		if n, err := s.RemoveReminder(ctx, owner, r.ID); n != 1 || err != nil {
			t.Errorf("RemoveReminder = %d, %v", n, err)
		}
		if n := s.Client().ZCard(ctx, DueKey("tg")).Val(); n != 0 {
			t.Errorf("%d due entries left after the only reminder (and its snooze) went", n)
		}

		if err := s.SetBreak(ctx, owner, domain.Break{From: "2026-12-01", To: "2026-12-07"}); err != nil {
			t.Fatal(err)
		}
		if bs, err := s.Breaks(ctx, owner); err != nil || len(bs) != 1 || bs[0].To != "2026-12-07" {
			t.Errorf("Breaks = %+v, %v", bs, err)
		}

		q := domain.Question{To: addr(owner), Yes: "forget:yes:x", No: "forget:no:x"}
		if err := s.Ask(ctx, owner, q, time.Minute); err != nil {
			t.Fatal(err)
		}
		if got, ok, err := s.TakeQuestion(ctx, owner); err != nil || !ok || got != q {
			t.Errorf("TakeQuestion = %+v, %v, %v", got, ok, err)
		}
		if _, ok, _ := s.TakeQuestion(ctx, owner); ok {
			t.Error("the question was taken twice")
		}
	})

	t.Run("queue", func(t *testing.T) {
		// Owners spread over the slots, so the due index's members name owners on every master.
		owners := []domain.Owner{"tg:1", "tg:2", "tg:3", "tg:4", "tg:5", "tg:6"}
		for _, o := range owners {
			r := domain.Reminder{Clock: schedule.Clock{Hour: 21}, Days: schedule.Daily, To: addr(o), Nag: domain.MinNag}
			if _, err := s.AddReminder(ctx, o, r, t0, ""); err != nil {
				t.Fatal(err)
			}
		}
		s.SetZone(ctx, "tg:1", "Europe/Berlin", nil)
		s.AddSession(ctx, "tg:1", sess(t0.Add(-time.Hour), 0.25), "", t0)
		now := t0.Add(time.Second)
		a, err := s.Claim(ctx, "tg", "A", now, now.Add(time.Minute), 4)
		if err != nil || len(a) != 4 {
			t.Fatalf("Claim A = %+v, %v", a, err)
		}
		b, err := s.Claim(ctx, "tg", "B", now, now.Add(time.Minute), 10)
		if err != nil || len(b) != 2 {
			t.Fatalf("Claim B = %+v, %v; want the 2 not leased", b, err)
		}
		targets, err := s.Targets(ctx, "tg", append(a, b...), t0.Add(-8*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range targets {
			if !tg.Exists || tg.Reminder.To != addr(tg.Owner) {
				t.Errorf("target %+v", tg)
			}
			if tg.Owner == "tg:1" && (tg.Zone != "Europe/Berlin" || len(tg.Recent) != 1) {
				t.Errorf("tg:1's target lacks its zone or session: %+v", tg)
			}
		}
		next := t0.Add(24 * time.Hour)
		again := &remind.Again{At: now.Add(domain.MinNag), Count: 1, Thread: "m1"}
		settles := []remind.Settle{{Member: a[0].Member, Kind: remind.Done, At: next, Again: again}}
		for _, c := range a[1:] {
			settles = append(settles, remind.Settle{Member: c.Member, Kind: remind.Done, At: next})
		}
		if n, err := s.Finish(ctx, "tg", "A", settles); err != nil || n != 4 {
			t.Fatalf("Finish A = %d, %v", n, err)
		}
		if n, _ := s.Finish(ctx, "tg", "A", []remind.Settle{{Member: b[0].Member, Kind: remind.Done, At: next}}); n != 0 {
			t.Error("A settled B's claim")
		}
		if err := s.Extend(ctx, "tg", "B", []string{b[0].Member, b[1].Member}, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if c, _ := s.Claim(ctx, "tg", "C", now.Add(2*time.Minute), now.Add(3*time.Minute), 10); len(c) != 0 {
			t.Errorf("extended leases claimed by another: %+v", c)
		}
		// The nag repeat comes due by itself, after its interval, with its count and thread.
		owner0, id0, _, _ := ParseMember(a[0].Member)
		rep, err := s.Claim(ctx, "tg", "D", again.At, again.At.Add(time.Minute), 10)
		if err != nil || len(rep) != 1 || rep[0].Member != NagMember(owner0, id0) {
			t.Fatalf("Claim at the repeat = %+v, %v; want %s's repeat", rep, err, owner0)
		}
		rt, err := s.Targets(ctx, "tg", rep, t0)
		if err != nil || len(rt) != 1 || rt[0].Repeat != 1 || rt[0].Thread != "m1" || !rt[0].Exists {
			t.Fatalf("repeat target = %+v, %v", rt, err)
		}
		if n, err := s.Finish(ctx, "tg", "D", []remind.Settle{{Member: rep[0].Member, Kind: remind.Done}}); err != nil || n != 1 {
			t.Fatalf("Finish D = %d, %v", n, err)
		}
		if n, err := s.Finish(ctx, "tg", "B", []remind.Settle{{Member: b[0].Member, Kind: remind.Done, At: next}, {Member: b[1].Member, Kind: remind.Release}}); err != nil || n != 2 {
			t.Fatalf("Finish B = %d, %v", n, err)
		}
		if n := s.Client().ZCard(ctx, DueKey("tg")).Val(); n != int64(len(owners)) {
			t.Errorf("%d due entries, want one per reminder", n)
		}
		if n := s.Client().HLen(ctx, LeaseKey("tg")).Val(); n != 0 {
			t.Errorf("%d leases left after every claim was settled", n)
		}
		if n := s.Client().HLen(ctx, NagKey("tg")).Val(); n != 0 {
			t.Errorf("%d nag states left after the repeat was settled", n)
		}
	})

	t.Run("link and forget", func(t *testing.T) {
		tg, dc := domain.Identity{Platform: domain.Telegram, User: "111"}, domain.Identity{Platform: domain.Discord, User: "222"}
		if _, err := s.AddSession(ctx, domain.Owner(dc.String()), sess(t0.Add(-72*time.Hour), 0.25), "", t0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddReminder(ctx, owner, domain.Reminder{Clock: schedule.Clock{Hour: 7}, Days: schedule.Daily, To: addr(owner)}, t0, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddSession(ctx, other, sess(t0.Add(-time.Hour), 0.25), "", t0); err != nil {
			t.Fatal(err)
		}
		c := newCodeFor(t, s, tg)
		p, err := s.Link(ctx, c.Code, dc, "")
		if err != nil {
			t.Fatal(err)
		}
		if list, _ := s.ListSessions(ctx, p, 0); len(list) != 2 {
			t.Errorf("the linked person has %d sessions, want both platforms' 2", len(list))
		}
		if o, _ := s.Owner(ctx, dc); o != p {
			t.Errorf("Discord is %s after linking, want %s", o, p)
		}
		if cl.Mentions(ctx, "222") == "" {
			t.Fatal("nothing on the cluster mentions the linked Discord user before /forget")
		}
		if err := s.Forget(ctx, p); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"111", "222"} {
			if m := cl.Mentions(ctx, name); m != "" {
				t.Errorf("after /forget: %s", m)
			}
		}
		if list, _ := s.ListSessions(ctx, other, 0); len(list) != 1 {
			t.Errorf("/forget touched another user: %d sessions left", len(list))
		}
	})
}
