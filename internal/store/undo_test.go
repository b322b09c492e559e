package store

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	realclock "github.com/needlebot/needlebot/internal/clock"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/remind"
	"github.com/needlebot/needlebot/internal/schedule"
)

// errInjected is the failure faultHook injects: not a Redis reply, so the store takes it for
// Redis being unreachable.
var errInjected = errors.New("injected: connection reset")

// faultHook fails the commands match picks, one call (a command, or a pipeline holding one)
// at a time while times is above zero. With lost set the command runs first and only its
// reply is lost, as when a connection drops after Redis applied it.
type faultHook struct {
	match func(args []string) bool
	times *atomic.Int32
	lost  bool
}

func injectFault(s *Store, lost bool, times int32, match func(args []string) bool) *atomic.Int32 {
	n := new(atomic.Int32)
	n.Store(times)
	s.rdb.AddHook(faultHook{match: match, times: n, lost: lost})
	return n
}

func cmdArgs(c redis.Cmder) []string {
	out := make([]string, len(c.Args()))
	for i, a := range c.Args() {
		out[i] = argString(a)
	}
	return out
}

func (h faultHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h faultHook) fires(cmds []redis.Cmder) bool {
	for _, c := range cmds {
		if h.match(cmdArgs(c)) {
			return h.times.Add(-1) >= 0
		}
	}
	return false
}

func (h faultHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if h.lost {
			// Only a command that ran loses its reply (not an EVALSHA answered NOSCRIPT).
			if err := next(ctx, cmd); err != nil && !errors.Is(err, redis.Nil) || !h.fires([]redis.Cmder{cmd}) {
				return err
			}
		} else if !h.fires([]redis.Cmder{cmd}) {
			return next(ctx, cmd)
		}
		cmd.SetErr(errInjected)
		return errInjected
	}
}

func (h faultHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if h.lost {
			if err := next(ctx, cmds); err != nil || !h.fires(cmds) {
				return err
			}
		} else if !h.fires(cmds) {
			return next(ctx, cmds)
		}
		for _, c := range cmds {
			c.SetErr(errInjected)
		}
		return errInjected
	}
}

// isScript matches a script, sent as EVALSHA or as EVAL.
func isScript(sc *redis.Script) func([]string) bool {
	return func(a []string) bool {
		if len(a) < 2 {
			return false
		}
		switch strings.ToLower(a[0]) {
		case "evalsha":
			return a[1] == sc.Hash()
		case "eval":
			sum := sha1.Sum([]byte(a[1]))
			return hex.EncodeToString(sum[:]) == sc.Hash()
		}
		return false
	}
}

// isCmd matches a command by name and first key.
func isCmd(name, key string) func([]string) bool {
	return func(a []string) bool { return len(a) > 1 && strings.EqualFold(a[0], name) && a[1] == key }
}

// recorder is a Notifier that keeps what it was asked to send.
type recorder struct {
	mu   sync.Mutex
	sent []remind.Notice
}

func (r *recorder) Notify(_ context.Context, n remind.Notice) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, n)
	return nil
}

type replyAll struct{}

func (replyAll) ReminderReply(context.Context, domain.Nudge, time.Time) (domain.Reply, bool) {
	return domain.Reply{Text: "time"}, true
}

var _ realclock.Clock = realclock.Real{}

// TestAddReminderFailureLeavesNothing fails each write of /remind set after the due entry's,
// with the reply lost (the write happened) or refused (it did not), and with the undo failing
// as well: the user, told it failed, finds no reminder, none is ever sent, and the due entry
// is gone, at once or at its first claim.
func TestAddReminderFailureLeavesNothing(t *testing.T) {
	const owner = "tg:7"
	due := DueKey("tg")
	unschedule := isCmd("zrem", due)
	cases := []struct {
		name       string
		lost       bool
		fail       func([]string) bool
		undoFails  bool
		dueLeftFor bool // the due entry may stay until the dispatcher drops it
	}{
		{"zadd reply lost", true, isCmd("zadd", due), false, false},
		{"zadd refused", false, isCmd("zadd", due), false, false},
		{"store reply lost", true, isScript(storeReminderScript), false, false},
		{"store refused", false, isScript(storeReminderScript), false, false},
		{"store refused, undo fails", false, isScript(storeReminderScript), true, true},
		{"zadd reply lost, undo fails", true, isCmd("zadd", due), true, true},
	}
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				s := open(t, WithLimits(roomy))
				injectFault(s, c.lost, 1, c.fail)
				if c.undoFails {
					injectFault(s, false, 1, unschedule)
				}
				next := time.Now().Add(-time.Second)
				r := domain.Reminder{Clock: schedule.Clock{Hour: 21}, Days: schedule.Daily, To: addr(owner)}
				if _, err := s.AddReminder(ctx, owner, r, next, "tg:u:55"); !domain.IsUnavailable(err) {
					t.Fatalf("AddReminder = %v, want it unavailable", err)
				}
				if list, err := s.ListReminders(ctx, owner); err != nil || len(list) != 0 {
					t.Fatalf("ListReminders = %v, %v; want none", list, err)
				}
				left := s.Client().ZRange(ctx, due, 0, -1).Val()
				if len(left) != 0 && !c.dueLeftFor {
					t.Fatalf("due index holds %v after the failed add", left)
				}
				rec := &recorder{}
				d := remind.New(remind.Config{Queue: s, Composer: replyAll{}, Clock: realclock.Real{},
					Notifiers: map[domain.Platform]remind.Notifier{domain.Telegram: rec}})
				if _, err := d.Round(ctx); err != nil {
					t.Fatal(err)
				}
				if len(rec.sent) != 0 {
					t.Errorf("sent %v for a reminder the user was told was not saved", rec.sent)
				}
				if left := s.Client().ZRange(ctx, due, 0, -1).Val(); len(left) != 0 {
					t.Errorf("due index holds %v after a round", left)
				}
				// A retry of the same event saves it.
				if _, err := s.AddReminder(ctx, owner, r, next, "tg:u:55"); err != nil {
					t.Fatal(err)
				}
				if list, _ := s.ListReminders(ctx, owner); len(list) != 1 {
					t.Errorf("after the retry: %v", list)
				}
			})
		}
	})
}

// hasArg matches a command holding arg, as a script's key for one.
func hasArg(name, arg string) func([]string) bool {
	return func(a []string) bool {
		if len(a) == 0 || !strings.HasPrefix(strings.ToLower(a[0]), name) {
			return false
		}
		for _, x := range a[1:] {
			if x == arg {
				return true
			}
		}
		return false
	}
}

// TestSetZoneFailureChangesNothing fails each write of /timezone: a failure the user hears of
// leaves the zone, the floating sessions and the reminders' due times as they were; a lost
// reply of the last step, which did happen, is reported as saved.
func TestSetZoneFailureChangesNothing(t *testing.T) {
	const owner = "tg:9"
	k, _ := ownerKeys(owner)
	floatAt := time.Date(2026, 11, 27, 22, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		lost  bool
		fail  func([]string) bool
		saved bool
	}{
		{"reschedule reply lost", true, isCmd("zadd", DueKey("tg")), false},
		{"reschedule refused", false, isCmd("zadd", DueKey("tg")), false},
		{"zone and anchoring refused", false, hasArg("eval", k.floating), false},
		{"zone and anchoring reply lost", true, hasArg("eval", k.floating), true},
	}
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				s := open(t, WithLimits(roomy))
				if _, err := s.AddSession(ctx, owner, domain.Session{At: floatAt, NeedleMM: 0.25, Floating: true}, "", t0); err != nil {
					t.Fatal(err)
				}
				if _, err := s.AddReminder(ctx, owner, domain.Reminder{Clock: schedule.Clock{Hour: 21}, Days: schedule.Daily, To: addr(owner)}, t0, ""); err != nil {
					t.Fatal(err)
				}
				injectFault(s, c.lost, 1, c.fail)
				later := t0.Add(5 * time.Hour)
				err := s.SetZone(ctx, owner, "Europe/Berlin", map[string]time.Time{"r1": later})
				zone, _ := s.Zone(ctx, owner)
				list, _ := s.ListSessions(ctx, owner, 0)
				score := int64(s.Client().ZScore(ctx, DueKey("tg"), Member(owner, "r1")).Val())
				if c.saved {
					berlin, _ := time.LoadLocation("Europe/Berlin")
					if err != nil || zone != "Europe/Berlin" || len(list) != 1 || list[0].Floating || !list[0].At.Equal(time.Date(2026, 11, 27, 22, 0, 0, 0, berlin)) || score != later.UnixMilli() {
						t.Fatalf("SetZone = %v; zone %q, sessions %+v, r1 due at %d; want all of it saved", err, zone, list, score)
					}
					return
				}
				if !domain.IsUnavailable(err) {
					t.Fatalf("SetZone = %v, want it unavailable", err)
				}
				if zone != "" {
					t.Errorf("zone = %q after a failed /timezone", zone)
				}
				if len(list) != 1 || !list[0].Floating || !list[0].At.Equal(floatAt) {
					t.Errorf("sessions = %+v after a failed /timezone", list)
				}
				if score != t0.UnixMilli() {
					t.Errorf("r1 due at %v after a failed /timezone, want %v", time.UnixMilli(score), t0)
				}
			})
		}
	})
}
