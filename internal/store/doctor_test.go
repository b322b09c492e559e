package store

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/schedule"
)

func TestDoctor(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		const owner = "tg:31"
		s.AddSession(ctx, owner, sess(t0, 0.25), "", t0)
		s.AddSession(ctx, owner, sess(t0.Add(-24*60*60*1e9), 0.5), "", t0)
		r, _ := s.AddReminder(ctx, owner, domain.Reminder{Clock: schedule.Clock{Hour: 21}, Days: schedule.Daily, To: addr(owner)}, t0, "")
		if found, err := s.Doctor(ctx, false); err != nil || len(found) != 0 {
			t.Fatalf("a healthy store: %v, %v", found, err)
		}
		rdb := s.Client()
		rdb.HSet(ctx, "nb:{tg:31}:s", "2", "\x00garbage")                         // a session that does not decode
		rdb.ZAdd(ctx, "nb:{tg:31}:t", redisZ(t0, "9"))                            // an index entry without a session
		rdb.ZRem(ctx, DueKey(domain.Telegram), Member(owner, r.ID))               // a reminder that never fires
		rdb.ZAdd(ctx, DueKey(domain.Telegram), redisZ(t0, Member("tg:32", "r4"))) // a due entry without a reminder
		rdb.ZAdd(ctx, DueKey(domain.Telegram), redisZ(t0, "not|a|member|at all"))
		rdb.HSet(ctx, "nb:{tg:33}:r", "r1", "[1,2")
		rdb.Set(ctx, "nb:whatever", "x", 0)
		rdb.Set(ctx, "other-app:key", "x", 0) // not ours: not scanned
		found, err := s.Doctor(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		var text []string
		for _, f := range found {
			if f.Fixed != "" {
				t.Errorf("fixed without --fix: %v", f)
			}
			text = append(text, f.String())
		}
		all := strings.Join(text, "\n")
		for _, want := range []string{
			`nb:{tg:31}:s "2": a session entry that does not decode`,
			`nb:{tg:31}:t "9": an index entry for a session that does not exist`,
			`nb:{tg:31}:r "r1": a reminder that is in no due index`,
			`nb:{due:tg}:q "tg:32|r4": a due entry that names no reminder`,
			`nb:{due:tg}:q "not|a|member|at all": a due entry of a shape the bot never writes`,
			`nb:{tg:33}:r "r1": a reminder entry that does not decode`,
			`nb:whatever: a key of a shape the bot never writes`,
		} {
			if !strings.Contains(all, want) {
				t.Errorf("doctor missed %q; found:\n%s", want, all)
			}
		}
		if len(found) != 7 {
			t.Errorf("%d findings, want 7:\n%s", len(found), all)
		}
		// --fix repairs all but the unknown key, and keeps what it could not read.
		fixed, err := s.Doctor(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		unfixed := 0
		for _, f := range fixed {
			if f.Fixed == "" {
				unfixed++
			}
		}
		if unfixed != 1 {
			t.Errorf("%d left unfixed, want only the unknown key: %v", unfixed, fixed)
		}
		if again, _ := s.Doctor(ctx, false); len(again) != 1 || again[0].Key != "nb:whatever" {
			t.Errorf("after --fix: %v", again)
		}
		if v := rdb.HGet(ctx, "nb:{tg:31}:bad", "nb:{tg:31}:s|2").Val(); v != "\x00garbage" {
			t.Errorf("the unreadable session was not kept aside: %q", v)
		}
		if list, err := s.ListSessions(ctx, owner, 0); err != nil || len(list) != 1 {
			t.Errorf("sessions after --fix: %v, %v", list, err)
		}
		if _, err := rdb.ZScore(ctx, DueKey(domain.Telegram), Member(owner, r.ID)).Result(); err != nil {
			t.Errorf("the reminder was not scheduled again: %v", err)
		}
	})
}

// beforeHook runs do once, just before the first command (or pipeline) that names key.
type beforeHook struct {
	key  string
	once *sync.Once
	do   func()
}

func (h beforeHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h beforeHook) maybe(cmds []redis.Cmder) {
	for _, c := range cmds {
		if slices.Contains(cmdArgs(c), h.key) {
			h.once.Do(h.do)
			return
		}
	}
}

func (h beforeHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.maybe([]redis.Cmder{cmd}); return next(ctx, cmd) }
}

func (h beforeHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { h.maybe(cmds); return next(ctx, cmds) }
}

// TestDoctorFixLeavesARewrittenEntry: an entry found unreadable that the bot rewrites before
// --fix moves it stays where it is, with its new value; nothing is moved to the bad hash.
func TestDoctorFixLeavesARewrittenEntry(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		const owner = "tg:41"
		s.AddSession(ctx, owner, sess(t0, 0.25), "", t0)
		rdb := s.Client()
		good := rdb.HGet(ctx, "nb:{tg:41}:s", "1").Val()
		rdb.HSet(ctx, "nb:{tg:41}:s", "1", "\x00garbage")
		rdb.AddHook(beforeHook{key: "nb:{tg:41}:bad", once: new(sync.Once), do: func() {
			rdb.HSet(ctx, "nb:{tg:41}:s", "1", good) // the bot rewrites it meanwhile
		}})
		found, err := s.Doctor(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range found {
			if f.Fixed != "" {
				t.Errorf("fixed %v, which had changed", f)
			}
		}
		if v := rdb.HGet(ctx, "nb:{tg:41}:s", "1").Val(); v != good {
			t.Errorf("the rewritten session is %q, want it kept", v)
		}
		if n := rdb.HLen(ctx, "nb:{tg:41}:bad").Val(); n != 0 {
			t.Errorf("the bad hash holds %d entries", n)
		}
		if list, _ := s.ListSessions(ctx, owner, 0); len(list) != 1 {
			t.Errorf("sessions: %v", list)
		}
	})
}
