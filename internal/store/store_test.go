package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/redistest"
	"github.com/needlebot/needlebot/internal/schedule"
)

var t0 = time.Date(2026, 11, 28, 21, 0, 0, 0, time.UTC)

// backend opens a Store on one kind of Redis for one test.
type backend struct {
	name string
	open func(t *testing.T, opts ...Option) *Store
}

// backends returns miniredis and, when redis-server is installed (always in CI), a real Redis
// started for the test: every store test runs against both.
func backends(t *testing.T) []backend {
	bs := []backend{{"miniredis", func(t *testing.T, opts ...Option) *Store {
		mr := miniredis.RunT(t)
		rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
		t.Cleanup(func() { rdb.Close() })
		return New(rdb, opts...)
	}}}
	if redistest.Binary() != "" || os.Getenv("CI") == "true" {
		bs = append(bs, backend{"redis", func(t *testing.T, opts ...Option) *Store {
			srv := redistest.Start(t)
			return New(srv.Client(), opts...)
		}})
	} else {
		t.Log("redis-server not installed: running against miniredis only")
	}
	return bs
}

func each(t *testing.T, f func(t *testing.T, open func(t *testing.T, opts ...Option) *Store)) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) { f(t, b.open) })
	}
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func sess(at time.Time, mm float64, products ...string) domain.Session {
	return domain.Session{At: at, NeedleMM: mm, Products: products}
}

var ctx = context.Background()

func TestSessions(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		clk := &clock{t: t0}
		s := open(t, WithClock(clk.now))
		const owner = "tg:1001"
		week := t0.Add(-7 * 24 * time.Hour)

		a1, err := s.AddSession(ctx, owner, sess(t0.Add(-48*time.Hour), 0.25, "peptides"), "tg:u:1", week)
		if err != nil {
			t.Fatal(err)
		}
		a2, err := s.AddSession(ctx, owner, domain.Session{At: t0, NeedleMM: 0.5, Products: []string{"hyaluronic acid", "peptides"}, Areas: []string{"cheeks"}, Note: "felt <b>great</b>"}, "tg:u:2", week)
		if err != nil {
			t.Fatal(err)
		}
		if a1.ID != 1 || a2.ID != 2 || a2.Recent != 2 || a2.Duplicate {
			t.Fatalf("adds = %+v, %+v; want ids 1, 2 and 2 recent", a1, a2)
		}
		// The same platform event again stores nothing.
		dup, err := s.AddSession(ctx, owner, sess(t0, 0.25), "tg:u:2", week)
		if err != nil || !dup.Duplicate || dup.ID != 2 || dup.Recent != 2 {
			t.Fatalf("duplicate add = %+v, %v; want duplicate of 2", dup, err)
		}
		// A backdated session sorts by when it happened, not when it was logged.
		if _, err := s.AddSession(ctx, owner, sess(t0.Add(-30*24*time.Hour), 1), "", week); err != nil {
			t.Fatal(err)
		}
		list, err := s.ListSessions(ctx, owner, 0)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, e := range list {
			ids = append(ids, e.ID)
		}
		if diff := cmp.Diff([]int64{2, 1, 3}, ids); diff != "" {
			t.Errorf("ListSessions order (-want +got):\n%s", diff)
		}
		if got := list[0]; got.Note != "felt <b>great</b>" || !got.At.Equal(t0) || got.NeedleMM != 0.5 || !got.Logged.Equal(t0) {
			t.Errorf("stored session came back as %+v", got)
		}
		if top, _ := s.ListSessions(ctx, owner, 1); len(top) != 1 || top[0].ID != 2 {
			t.Errorf("ListSessions(1) = %+v", top)
		}
		usage, _ := s.Usage(ctx, owner)
		if diff := cmp.Diff(map[string]int{"mm:0.25": 1, "mm:0.5": 1, "mm:1": 1, "p:peptides": 2, "p:hyaluronic acid": 1}, usage); diff != "" {
			t.Errorf("Usage (-want +got):\n%s", diff)
		}
		times, _ := s.SessionTimes(ctx, owner)
		if len(times) != 3 || !times[0].Equal(t0.Add(-30*24*time.Hour)) || !times[2].Equal(t0) {
			t.Errorf("SessionTimes = %v", times)
		}

		// Undo takes the last one logged (id 3, although it happened first), then by id.
		e, ok, err := s.RemoveSession(ctx, owner, 0, time.Time{}, "")
		if err != nil || !ok || e.ID != 3 {
			t.Fatalf("RemoveSession(last) = %+v, %v, %v; want id 3", e, ok, err)
		}
		if e, ok, _ := s.RemoveSession(ctx, owner, 2, time.Time{}, ""); !ok || e.ID != 2 || e.Areas[0] != "cheeks" {
			t.Fatalf("RemoveSession(2) = %+v, %v", e, ok)
		}
		if _, ok, _ := s.RemoveSession(ctx, owner, 2, time.Time{}, ""); ok {
			t.Error("removed session 2 twice")
		}
		usage, _ = s.Usage(ctx, owner)
		if diff := cmp.Diff(map[string]int{"mm:0.25": 1, "p:peptides": 1}, usage); diff != "" {
			t.Errorf("Usage after removals (-want +got):\n%s", diff)
		}
		if _, ok, _ := s.RemoveSession(ctx, "tg:empty", 0, time.Time{}, ""); ok {
			t.Error("removed from an empty diary")
		}
	})
}

func TestLimits(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t, WithLimits(Limits{Sessions: 3, Reminders: 2, Writes: 4, Window: time.Minute, Idempotent: time.Hour}))
		const owner = "dc:42"
		for i := range 3 {
			if _, err := s.AddSession(ctx, owner, sess(t0, 0.25), "", t0); err != nil {
				t.Fatalf("add %d: %v", i, err)
			}
		}
		if _, err := s.AddSession(ctx, owner, sess(t0, 0.25), "", t0); !errors.Is(err, domain.ErrFull) {
			t.Errorf("4th session: %v, want ErrFull", err)
		}
		// The rate limit counts every write, including the refused one above.
		if _, err := s.AddSession(ctx, owner, sess(t0, 0.25), "", t0); !errors.Is(err, domain.ErrRateLimited) {
			t.Errorf("5th write: %v, want ErrRateLimited", err)
		}
		if n, _ := s.ListSessions(ctx, owner, 0); len(n) != 3 {
			t.Errorf("%d sessions stored, want 3: a refused write must change nothing", len(n))
		}
		other := domain.Owner("dc:43")
		for i := range 2 {
			if _, err := s.AddReminder(ctx, other, domain.Reminder{Clock: schedule.Clock{Hour: 20 + i}, Days: schedule.Daily, To: addr(other)}, t0, ""); err != nil {
				t.Fatalf("reminder %d: %v", i, err)
			}
		}
		if _, err := s.AddReminder(ctx, other, domain.Reminder{Clock: schedule.Clock{Hour: 22}, To: addr(other)}, t0, ""); !errors.Is(err, domain.ErrFull) {
			t.Errorf("3rd reminder: %v, want ErrFull", err)
		}
		// A second reminder at a time that has one is refused, whatever its days, and leaves
		// nothing behind: not in the reminders, not in the due index.
		third := domain.Owner("dc:44")
		s.AddReminder(ctx, third, domain.Reminder{Clock: schedule.Clock{Hour: 20}, Days: schedule.Daily, To: addr(third)}, t0, "")
		if _, err := s.AddReminder(ctx, third, domain.Reminder{Clock: schedule.Clock{Hour: 20}, Days: schedule.Weekdays(0b0011111), To: addr(third)}, t0, ""); !errors.Is(err, domain.ErrDuplicate) {
			t.Errorf("same-time reminder: %v, want ErrDuplicate", err)
		}
		if list, _ := s.ListReminders(ctx, third); len(list) != 1 {
			t.Errorf("%d reminders after a refused one, want 1", len(list))
		}
		if n := s.Client().ZCard(ctx, DueKey(domain.Discord)).Val(); n != 3 {
			t.Errorf("due index holds %d entries, want 3", n)
		}
	})
}

func TestRateLimitWindowPasses(t *testing.T) {
	// miniredis moves TTLs only when told to: a fake clock for Redis's own expiry.
	mr := miniredis.RunT(t)
	s := New(redis.NewClient(&redis.Options{Addr: mr.Addr()}), WithLimits(Limits{Sessions: 100, Reminders: 5, Writes: 2, Window: time.Minute, Idempotent: time.Hour}))
	for range 2 {
		if _, err := s.AddSession(ctx, "tg:7", sess(t0, 0.25), "", t0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddSession(ctx, "tg:7", sess(t0, 0.25), "", t0); !errors.Is(err, domain.ErrRateLimited) {
		t.Fatalf("3rd write: %v, want ErrRateLimited", err)
	}
	mr.FastForward(59 * time.Second)
	if _, err := s.AddSession(ctx, "tg:7", sess(t0, 0.25), "", t0); !errors.Is(err, domain.ErrRateLimited) {
		t.Fatalf("write within the window: %v, want ErrRateLimited", err)
	}
	mr.FastForward(time.Second)
	if _, err := s.AddSession(ctx, "tg:7", sess(t0, 0.25), "", t0); err != nil {
		t.Fatalf("write after the window: %v", err)
	}
}

func TestRemindersAndZone(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		const owner = "tg:5"
		r1, err := s.AddReminder(ctx, owner, domain.Reminder{Clock: schedule.Clock{Hour: 21, Minute: 30}, Days: schedule.Daily, To: addr(owner)}, t0, "")
		if err != nil {
			t.Fatal(err)
		}
		r2, _ := s.AddReminder(ctx, owner, domain.Reminder{Clock: schedule.Clock{Hour: 9}, Days: 0b0111110, To: addr(owner)}, t0.Add(time.Hour), "")
		if r1.ID != "r1" || r2.ID != "r2" {
			t.Fatalf("ids %q, %q", r1.ID, r2.ID)
		}
		list, _ := s.ListReminders(ctx, owner)
		if diff := cmp.Diff([]domain.Reminder{r1, r2}, list); diff != "" {
			t.Errorf("ListReminders (-want +got):\n%s", diff)
		}
		due, _ := s.Client().ZRangeWithScores(ctx, DueKey("tg"), 0, -1).Result()
		if len(due) != 2 || due[0].Member != "tg:5|r1" || int64(due[0].Score) != t0.UnixMilli() {
			t.Errorf("due index = %v", due)
		}
		if r, ok, _ := s.Reminder(ctx, owner, "r2"); !ok || r.Clock.Hour != 9 {
			t.Errorf("Reminder(r2) = %+v, %v", r, ok)
		}

		if tz, _ := s.Zone(ctx, owner); tz != "" {
			t.Errorf("zone before setting = %q", tz)
		}
		later := t0.Add(5 * time.Hour)
		if err := s.SetZone(ctx, owner, "Europe/Berlin", map[string]time.Time{"r1": later}); err != nil {
			t.Fatal(err)
		}
		if tz, _ := s.Zone(ctx, owner); tz != "Europe/Berlin" {
			t.Errorf("zone = %q", tz)
		}
		if sc := s.Client().ZScore(ctx, DueKey("tg"), "tg:5|r1").Val(); int64(sc) != later.UnixMilli() {
			t.Errorf("r1 not rescheduled: %v", sc)
		}
		if err := s.SetZone(ctx, owner, "Mars/Olympus", nil); err == nil {
			t.Error("stored an unknown zone")
		}

		if n, _ := s.RemoveReminder(ctx, owner, "r1"); n != 1 {
			t.Errorf("removed %d, want 1", n)
		}
		if n, _ := s.RemoveReminder(ctx, owner, "r9"); n != 0 {
			t.Errorf("removed %d of a missing reminder", n)
		}
		if n, _ := s.RemoveReminder(ctx, owner, ""); n != 1 {
			t.Errorf("removed %d with off, want 1", n)
		}
		if n := s.Client().ZCard(ctx, DueKey("tg")).Val(); n != 0 {
			t.Errorf("due index keeps %d entries after all reminders were removed", n)
		}
	})
}

func TestForgetLeavesNothing(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		for _, owner := range []domain.Owner{"tg:77", "tg:78"} {
			s.AddSession(ctx, owner, sess(t0, 0.25, "peptides"), "tg:u:"+string(owner)[3:], t0)
			s.AddReminder(ctx, owner, domain.Reminder{Clock: schedule.Clock{Hour: 21}, To: addr(owner)}, t0, "")
			s.SetZone(ctx, owner, "Asia/Kolkata", nil)
		}
		s.Client().HSet(ctx, LeaseKey("tg"), "tg:77|r1", "token|1")
		s.Client().ZAdd(ctx, DueKey("tg"), redis.Z{Score: 1, Member: "tg:77|r1|snooze"})
		if err := s.Forget(ctx, "tg:77"); err != nil {
			t.Fatal(err)
		}
		var left []string
		iter := s.Client().Scan(ctx, 0, "*", 100).Iterator()
		for iter.Next(ctx) {
			key := iter.Val()
			if strings.Contains(key, "tg:77") {
				left = append(left, key)
			}
			for _, kind := range []string{"zset", "hash"} {
				if s.Client().Type(ctx, key).Val() != kind {
					continue
				}
				var members []string
				if kind == "zset" {
					members = s.Client().ZRange(ctx, key, 0, -1).Val()
				} else {
					members = s.Client().HKeys(ctx, key).Val()
				}
				for _, m := range members {
					if strings.Contains(m, "tg:77") {
						left = append(left, key+" "+m)
					}
				}
			}
		}
		if len(left) > 0 {
			t.Errorf("after Forget these still mention tg:77: %v", left)
		}
		if list, _ := s.ListSessions(ctx, "tg:78", 0); len(list) != 1 {
			t.Errorf("Forget touched another user: %d sessions left", len(list))
		}
	})
}

func TestOwnerValidation(t *testing.T) {
	s := New(redis.NewClient(&redis.Options{Addr: miniredis.RunT(t).Addr()}))
	for _, owner := range []domain.Owner{"", "tg:1}:p", "tg:1 2", "tg:../../x", "tg:1\n", domain.Owner("tg:" + strings.Repeat("9", 80)), "tg:*", "{x}"} {
		if _, err := s.AddSession(ctx, owner, sess(t0, 0.25), "", t0); err == nil {
			t.Errorf("AddSession accepted owner %q", owner)
		}
		if err := s.Forget(ctx, owner); err == nil {
			t.Errorf("Forget accepted owner %q", owner)
		}
	}
	for _, ev := range []string{"", "tg:u:", "tg:u:1*", "nb:{due}:q", "tg:u:1 2"} {
		if _, err := s.Seen(ctx, "tg:1", ev); err == nil {
			t.Errorf("Seen accepted %q", ev)
		}
	}
	if owner, id, kind, ok := ParseMember("tg:5|r12|snooze"); !ok || owner != "tg:5" || id != "r12" || kind != "snooze" {
		t.Errorf("ParseMember = %q %q %v %v", owner, id, kind, ok)
	}
	if _, _, kind, ok := ParseMember("tg:5|r12|nag"); !ok || kind != "nag" {
		t.Errorf("ParseMember(nag) = %q %v", kind, ok)
	}
	for _, m := range []string{"tg:5", "tg:5|x1", "tg:5|r1|later", "b d|r1", "{x}|r1", "tg:5|r1|snooze|x"} {
		if _, _, _, ok := ParseMember(m); ok {
			t.Errorf("ParseMember accepted %q", m)
		}
	}
}

func TestEventsOffsetAndSecret(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		if seen, _ := s.Seen(ctx, "tg:1", "tg:u:10"); seen {
			t.Error("unseen event seen")
		}
		s.MarkSeen(ctx, "tg:1", "tg:u:10")
		if seen, _ := s.Seen(ctx, "tg:1", "tg:u:10"); !seen {
			t.Error("marked event not seen")
		}
		if ttl := s.Client().TTL(ctx, "nb:tg:1:ev:tg:u:10").Val(); ttl <= 0 || ttl > eventTTL {
			t.Errorf("event mark TTL %v, want at most %v", ttl, eventTTL)
		}
		if off, _ := s.TelegramOffset(ctx, "tg:1"); off != 0 {
			t.Errorf("offset %d before saving", off)
		}
		s.SetTelegramOffset(ctx, "tg:1", 12345)
		if off, _ := s.TelegramOffset(ctx, "tg:1"); off != 12345 {
			t.Errorf("offset %d", off)
		}
		a, err := s.Secret(ctx)
		b, _ := s.Secret(ctx)
		if err != nil || len(a) != 32 || string(a) != string(b) {
			t.Errorf("Secret not stable: %x %x %v", a, b, err)
		}
	})
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		url     string
		addrs   []string
		master  string
		cluster bool
		wantErr bool
	}{
		{url: "redis://localhost:6379/2", addrs: []string{"localhost:6379"}},
		{url: "rediss://user:secret@redis.example:6380", addrs: []string{"redis.example:6380"}},
		{url: "redis://s1:26379?master_name=mymaster&addr=s2:26379", addrs: []string{"s1:26379", "s2:26379"}, master: "mymaster"},
		{url: "redis://n1:6379?addr=n2:6379&addr=n3:6379", addrs: []string{"n1:6379", "n2:6379", "n3:6379"}, cluster: true},
		{url: "redis://n1:6379?cluster=true", addrs: []string{"n1:6379"}, cluster: true},
		{url: "http://localhost", wantErr: true},
		{url: "localhost:6379", wantErr: true},
		{url: "", wantErr: true},
		{url: "redis://h:6379?bogus_option=1", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			o, err := ParseURL(tt.url)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseURL(%q) accepted", tt.url)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.addrs, o.Addrs); diff != "" || o.MasterName != tt.master || o.IsClusterMode != tt.cluster {
				t.Errorf("ParseURL(%q) = addrs %v master %q cluster %v", tt.url, o.Addrs, o.MasterName, o.IsClusterMode)
			}
		})
	}
	_, err := ParseURL("redis://user:hunter2@h:6379?bogus=1")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error leaks the password: %v", err)
	}
}

func TestUnavailable(t *testing.T) {
	mr := miniredis.RunT(t)
	s := New(redis.NewClient(&redis.Options{Addr: mr.Addr(), MaxRetries: -1, DialTimeout: 200 * time.Millisecond}))
	mr.Close()
	_, err := s.AddSession(ctx, "tg:1", sess(t0, 0.25), "", t0)
	var u interface{ Unavailable() bool }
	if !errors.As(err, &u) || !u.Unavailable() {
		t.Errorf("AddSession with Redis down: %v, want an Unavailable error", err)
	}
	if errors.Is(err, domain.ErrRateLimited) || errors.Is(err, domain.ErrFull) {
		t.Errorf("down Redis reported as a limit: %v", err)
	}
}

func TestEmbeddedSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	e, err := OpenEmbedded(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 25 {
		if _, err := e.AddSession(ctx, "console:local", sess(t0.Add(time.Duration(i)*time.Hour), 0.25, "peptides"), fmt.Sprintf("console:m:%d", i), t0); err != nil {
			t.Fatal(err)
		}
	}
	e.AddReminder(ctx, "console:local", domain.Reminder{Clock: schedule.Clock{Hour: 21}, To: addr("console:local")}, t0, "")
	e.MarkSeen(ctx, "tg:1", "tg:u:5")
	// Every acknowledged write is on disk already, before any clean shutdown.
	data, err := os.ReadFile(journalPath(dir, 1))
	if err != nil || !strings.Contains(string(data), `console:local}:r`) {
		t.Fatalf("journal after writes lacks the reminder (err %v)", err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e2, err := OpenEmbedded(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	list, _ := e2.ListSessions(ctx, "console:local", 0)
	if len(list) != 25 || !list[0].At.Equal(t0.Add(24*time.Hour)) {
		t.Errorf("after restart: %d sessions, newest %v", len(list), list[0].At)
	}
	if r, _ := e2.ListReminders(ctx, "console:local"); len(r) != 1 {
		t.Errorf("after restart: %d reminders", len(r))
	}
	if seen, _ := e2.Seen(ctx, "tg:1", "tg:u:5"); !seen {
		t.Error("after restart: event mark lost")
	}
	if ttl := e2.Client().TTL(ctx, "nb:tg:1:ev:tg:u:5").Val(); ttl <= 0 {
		t.Errorf("after restart: event mark lost its TTL (%v)", ttl)
	}
	// The idempotency keys survive too: a redelivered event is still a duplicate.
	if a, _ := e2.AddSession(ctx, "console:local", sess(t0, 0.25), "console:m:3", t0); !a.Duplicate {
		t.Error("after restart: idempotency key forgotten")
	}
}

func TestEmbeddedCorruptSnapshot(t *testing.T) {
	for name, content := range map[string]string{
		"not json":      "{{{",
		"wrong version": `{"version":99,"keys":[]}`,
		"unknown type":  `{"version":1,"keys":[{"key":"k","type":"stream"}]}`,
		"nameless key":  `{"version":1,"keys":[{"type":"string"}]}`,
		"truncated":     `{"version":1,"keys":[{"key":"nb:{tg:1}:p","type":"hash","hash":{"tz":"UT`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, SnapshotName), []byte(content), 0o600)
			e, err := OpenEmbedded(dir, nil)
			if err == nil {
				e.Close()
				t.Fatal("started on a corrupt snapshot")
			}
			if !strings.Contains(err.Error(), "corrupt") || !strings.Contains(err.Error(), SnapshotName) {
				t.Errorf("error %q does not say which file is corrupt", err)
			}
			if got, _ := os.ReadFile(filepath.Join(dir, SnapshotName)); string(got) != content {
				t.Error("the corrupt snapshot was overwritten")
			}
		})
	}
}

func TestEmbeddedConcurrentWritesAllDurable(t *testing.T) {
	dir := t.TempDir()
	e, err := OpenEmbedded(dir, nil, WithLimits(Limits{Sessions: 1000, Reminders: 5, Writes: 1000, Window: time.Minute, Idempotent: time.Hour}))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 20 {
				if _, err := e.AddSession(ctx, domain.Owner(fmt.Sprintf("tg:%d", w)), sess(t0, 0.25), "", t0); err != nil {
					t.Errorf("writer %d add %d: %v", w, i, err)
				}
			}
		})
	}
	wg.Wait()
	// Read the file as a crash would leave it: no Close.
	mr := miniredis.NewMiniRedis()
	if _, err := load(mr, filepath.Join(dir, SnapshotName)); err != nil {
		t.Fatal(err)
	}
	for w := range 8 {
		if n, _ := mr.SortedSet(fmt.Sprintf("nb:{tg:%d}:t", w)); len(n) != 20 {
			t.Errorf("writer %d: %d sessions on disk, want 20", w, len(n))
		}
	}
	e.Close()
}

func TestRedisRestartKeepsAcknowledgedWrites(t *testing.T) {
	srv := redistest.Start(t, redistest.AppendOnly)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), MaxRetries: 2, DialTimeout: 500 * time.Millisecond})
	defer rdb.Close()
	s := New(rdb, WithLimits(Limits{Sessions: 1000, Reminders: 5, Writes: 1000, Window: time.Minute, Idempotent: time.Hour}))
	acked := 0
	for i := range 50 {
		if i == 25 {
			srv.Kill()
			// While Redis is down writes fail as unavailable, and are not acknowledged.
			_, err := s.AddSession(ctx, "tg:9", sess(t0, 0.25), fmt.Sprintf("tg:u:%d", i), t0)
			var u interface{ Unavailable() bool }
			if !errors.As(err, &u) {
				t.Fatalf("write with Redis down: %v", err)
			}
			srv.Start()
		}
		if _, err := s.AddSession(ctx, "tg:9", sess(t0, 0.25), fmt.Sprintf("tg:u:%d", i), t0); err != nil {
			t.Fatalf("write %d after restart: %v", i, err)
		}
		acked++
	}
	srv.Restart()
	list, err := s.ListSessions(ctx, "tg:9", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != acked {
		t.Errorf("%d sessions after restarts, want all %d acknowledged", len(list), acked)
	}
}

func TestRepeatedEventsWriteOnce(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		const owner = "tg:3"
		for i := range 3 {
			s.AddSession(ctx, owner, sess(t0.Add(time.Duration(i)*time.Minute), 0.25), "", t0)
		}
		// A platform redelivers "/undo" (the first reply failed): one session goes, not two.
		first, ok, err := s.RemoveSession(ctx, owner, 0, time.Time{}, "tg:u:77")
		if err != nil || !ok || first.ID != 3 {
			t.Fatalf("first undo = %+v %v %v", first, ok, err)
		}
		again, ok, err := s.RemoveSession(ctx, owner, 0, time.Time{}, "tg:u:77")
		if err != nil || !ok || again.ID != 3 {
			t.Errorf("repeated undo = %+v %v %v, want the same answer", again, ok, err)
		}
		if list, _ := s.ListSessions(ctx, owner, 0); len(list) != 2 {
			t.Errorf("%d sessions after a repeated undo, want 2", len(list))
		}
		// And "/remind set": one reminder.
		r1, _ := s.AddReminder(ctx, owner, domain.Reminder{Clock: schedule.Clock{Hour: 22}, To: addr(owner)}, t0, "tg:u:78")
		r2, _ := s.AddReminder(ctx, owner, domain.Reminder{Clock: schedule.Clock{Hour: 22}, To: addr(owner)}, t0, "tg:u:78")
		if rs, _ := s.ListReminders(ctx, owner); len(rs) != 1 || r1.ID != r2.ID {
			t.Errorf("repeated /remind set made %d reminders (%s, %s), want 1", len(rs), r1.ID, r2.ID)
		}
	})
}

func TestOldUndoCannotRemoveANewerSession(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		clk := &clock{t: t0}
		s := open(t, WithClock(clk.now))
		old, _ := s.AddSession(ctx, "tg:4", sess(t0, 0.25), "", t0)
		s.Forget(ctx, "tg:4")
		clk.mu.Lock()
		clk.t = t0.Add(time.Hour)
		clk.mu.Unlock()
		fresh, _ := s.AddSession(ctx, "tg:4", sess(t0, 0.5), "", t0)
		if fresh.ID != old.ID {
			t.Fatalf("ids %d and %d: the test needs the id reused", old.ID, fresh.ID)
		}
		if _, ok, _ := s.RemoveSession(ctx, "tg:4", old.ID, old.Logged, ""); ok {
			t.Error("the old session's Undo removed the new session")
		}
		if _, ok, _ := s.RemoveSession(ctx, "tg:4", fresh.ID, fresh.Logged, ""); !ok {
			t.Error("the new session's own Undo did not remove it")
		}
	})
}

func TestEmbeddedDirectoryIsLocked(t *testing.T) {
	dir := t.TempDir()
	e, err := OpenEmbedded(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if e2, err := OpenEmbedded(dir, nil); err == nil || !strings.Contains(err.Error(), "in use by another needlebot") {
		if e2 != nil {
			e2.Close()
		}
		t.Fatalf("a second store opened the same directory: %v", err)
	}
	e.Close()
	e3, err := OpenEmbedded(dir, nil)
	if err != nil {
		t.Fatalf("after the first closed: %v", err)
	}
	e3.Close()
}

func TestHeldSessions(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		clk := &clock{t: t0}
		s := open(t, WithClock(clk.now))
		const owner = "tg:1002"
		held := domain.Session{At: t0.Add(-time.Hour), NeedleMM: 0.5, Products: []string{"peptides", "Ordinary serum"}, Areas: []string{"cheeks"}, Note: "swollen"}
		if err := s.HoldSession(ctx, owner, held, "tg:u:5"); err != nil {
			t.Fatal(err)
		}
		// The same event again holds nothing new: the first session stays.
		if err := s.HoldSession(ctx, owner, sess(t0, 1), "tg:u:5"); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.HeldSession(ctx, owner, "tg:u:5")
		if err != nil || !ok {
			t.Fatalf("HeldSession = %v, %v", ok, err)
		}
		if diff := cmp.Diff(held, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
			t.Errorf("held session mismatch (-want +got):\n%s", diff)
		}
		if list, _ := s.ListSessions(ctx, owner, 0); len(list) != 0 {
			t.Errorf("holding logged %d sessions", len(list))
		}
		if _, ok, _ := s.HeldSession(ctx, owner, "tg:u:6"); ok {
			t.Error("HeldSession found a session never held")
		}
		if _, ok, _ := s.HeldSession(ctx, "tg:1003", "tg:u:5"); ok {
			t.Error("another owner sees the held session")
		}
		// Two days on, the next write prunes it with the other event keys.
		clk.t = t0.Add(49 * time.Hour)
		if _, err := s.AddSession(ctx, owner, sess(clk.t, 0.25), "tg:u:7", t0); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.HeldSession(ctx, owner, "tg:u:5"); ok {
			t.Error("a session held two days ago is still there")
		}
		if err := s.HoldSession(ctx, owner, held, "tg:u:8"); err != nil {
			t.Fatal(err)
		}
		if err := s.Forget(ctx, owner); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.HeldSession(ctx, owner, "tg:u:8"); ok {
			t.Error("Forget left a held session")
		}
	})
}
