package store

import (
	"strings"
	"testing"

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
