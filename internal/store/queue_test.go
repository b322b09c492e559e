package store

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/diary"
	"github.com/needlebot/needlebot/internal/remind"
	"github.com/needlebot/needlebot/internal/schedule"
)

func TestQueueLeases(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		due := t0
		for _, owner := range []string{"tg:1", "tg:2", "tg:3"} {
			if _, err := s.AddReminder(ctx, owner, commands.Reminder{Clock: schedule.Clock{Hour: 21}, Days: schedule.Daily, Chat: owner[3:]}, due); err != nil {
				t.Fatal(err)
			}
		}
		s.AddReminder(ctx, "tg:4", commands.Reminder{Clock: schedule.Clock{Hour: 22}}, due.Add(time.Hour))
		now := due.Add(time.Second)
		lease := now.Add(time.Minute)

		a, err := s.Claim(ctx, "A", now, lease, 2)
		if err != nil || len(a) != 2 || !a[0].Due.Equal(due) {
			t.Fatalf("Claim A = %+v, %v", a, err)
		}
		b, _ := s.Claim(ctx, "B", now, lease, 10)
		if len(b) != 1 {
			t.Fatalf("Claim B got %d, want the 1 not leased (and not tg:4, due later)", len(b))
		}
		if c, _ := s.Claim(ctx, "C", now, lease, 10); len(c) != 0 {
			t.Fatalf("leased entries claimed again: %+v", c)
		}
		if at, ok, _ := s.NextDue(ctx); !ok || !at.Equal(lease) {
			t.Errorf("NextDue = %v, %v; want the lease end %v", at, ok, lease)
		}

		// Only the holder settles; a stranger's token changes nothing.
		next := due.Add(24 * time.Hour)
		if n, _ := s.Finish(ctx, "B", []remind.Settle{{Member: a[0].Member, Kind: remind.Done, At: next}}); n != 0 {
			t.Errorf("B settled A's claim")
		}
		if n, _ := s.Finish(ctx, "A", []remind.Settle{{Member: a[0].Member, Kind: remind.Done, At: next}}); n != 1 {
			t.Errorf("A could not settle its claim")
		}
		if sc := s.Client().ZScore(ctx, DueKey, a[0].Member).Val(); int64(sc) != next.UnixMilli() {
			t.Errorf("settled entry at %v, want %v", sc, next)
		}
		if s.Client().HExists(ctx, LeaseKey, a[0].Member).Val() {
			t.Error("lease left after settling")
		}

		// A retried claim keeps its original due time when it is claimed again.
		s.Finish(ctx, "A", []remind.Settle{{Member: a[1].Member, Kind: remind.Retry, At: now.Add(30 * time.Second)}})
		again, _ := s.Claim(ctx, "D", now.Add(30*time.Second), now.Add(2*time.Minute), 10)
		if len(again) != 1 || again[0].Member != a[1].Member || !again[0].Due.Equal(due) {
			t.Errorf("retried claim = %+v, want %s due %v", again, a[1].Member, due)
		}
		// Released at shutdown: due again at once, at its original time.
		s.Finish(ctx, "D", []remind.Settle{{Member: again[0].Member, Kind: remind.Release}})
		if sc := s.Client().ZScore(ctx, DueKey, again[0].Member).Val(); int64(sc) != due.UnixMilli() {
			t.Errorf("released entry at %v, want its due time", sc)
		}

		// A lease that runs out (a crashed dispatcher) makes the entry claimable again, and the
		// late claimer is the only one who can settle it.
		late, _ := s.Claim(ctx, "E", lease.Add(time.Second), lease.Add(2*time.Minute), 10)
		found := false
		for _, c := range late {
			found = found || c.Member == b[0].Member
		}
		if !found {
			t.Fatalf("expired lease not claimable: %+v", late)
		}
		if n, _ := s.Finish(ctx, "B", []remind.Settle{{Member: b[0].Member, Kind: remind.Done, At: next}}); n != 0 {
			t.Error("the crashed holder settled after its lease was taken over")
		}
		// Extend moves only the token's own leases.
		s.Extend(ctx, "E", []string{b[0].Member}, lease.Add(time.Hour))
		if sc := s.Client().ZScore(ctx, DueKey, b[0].Member).Val(); int64(sc) != lease.Add(time.Hour).UnixMilli() {
			t.Errorf("extended lease at %v", sc)
		}
		s.Extend(ctx, "nobody", []string{b[0].Member}, lease.Add(5*time.Hour))
		if sc := s.Client().ZScore(ctx, DueKey, b[0].Member).Val(); int64(sc) != lease.Add(time.Hour).UnixMilli() {
			t.Error("a stranger extended someone's lease")
		}
		// A reminder removed while claimed is not put back by the late settle.
		s.RemoveReminder(ctx, "tg:2", "")
		s.RemoveReminder(ctx, "tg:1", "")
		s.RemoveReminder(ctx, "tg:3", "")
		s.Finish(ctx, "E", []remind.Settle{{Member: b[0].Member, Kind: remind.Done, At: next}})
		if n := s.Client().ZCard(ctx, DueKey).Val(); n != 1 {
			t.Errorf("due index has %d entries, want only tg:4's", n)
		}
	})
}

func TestTargetsInOneRoundTrip(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		for i, owner := range []string{"tg:1", "dc:2"} {
			s.AddReminder(ctx, owner, commands.Reminder{Clock: schedule.Clock{Hour: 21, Minute: i}, Days: schedule.Daily, Chat: owner[3:]}, t0)
		}
		s.SetZone(ctx, "tg:1", "Europe/Berlin", nil)
		s.AddSession(ctx, "tg:1", diary.Session{At: t0.Add(-time.Hour), NeedleMM: 0.25}, "", t0)
		s.AddSession(ctx, "tg:1", diary.Session{At: t0.Add(-10 * 24 * time.Hour), NeedleMM: 0.25}, "", t0)
		claims := []remind.Claim{{Member: "tg:1|r1", Due: t0}, {Member: "dc:2|r1", Due: t0}, {Member: "tg:9|r1", Due: t0}, {Member: "junk", Due: t0}}
		var hook countHook
		s.Client().AddHook(&hook)
		got, err := s.Targets(ctx, claims, t0.Add(-8*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if hook.n != 1 {
			t.Errorf("Targets took %d round trips, want 1", hook.n)
		}
		if !got[0].Exists || got[0].Zone != "Europe/Berlin" || got[0].Reminder.Chat != "1" || len(got[0].Recent) != 1 {
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

// countHook counts round trips: one per command, one per pipeline, leaving out the commands a
// new connection sends to set itself up.
type countHook struct{ n int }

var handshake = map[string]bool{"hello": true, "client": true, "auth": true, "select": true}

func (c *countHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *countHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if !handshake[cmd.Name()] {
			c.n++
		}
		return next(ctx, cmd)
	}
}
func (c *countHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			if !handshake[cmd.Name()] {
				c.n++
				break
			}
		}
		return next(ctx, cmds)
	}
}
