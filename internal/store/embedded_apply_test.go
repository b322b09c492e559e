package store

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/needlebot/needlebot/internal/domain"
)

// nthWrite matches the nth write command (from 1) whose arguments name key.
func nthWrite(n int32, key string) func([]string) bool {
	var seen atomic.Int32
	return func(a []string) bool {
		if len(a) == 0 || readOnly[strings.ToLower(a[0])] || !strings.Contains(strings.Join(a[1:], "\x00"), key) {
			return false
		}
		return seen.Add(1) == n
	}
}

// TestEmbeddedFailedApplyIsNotReplayed fails a journalled write in memory (not with a Redis
// reply), half applied or not at all: the caller hears it failed, the store then refuses
// writes and reads, and after a restart the write is not there while every earlier one is.
func TestEmbeddedFailedApplyIsNotReplayed(t *testing.T) {
	for _, lost := range []bool{false, true} {
		t.Run(fmt.Sprintf("applied=%v", lost), func(t *testing.T) {
			dir := t.TempDir()
			e, err := OpenEmbedded(dir, nil, WithLimits(roomy))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.AddSession(ctx, "tg:1", sess(t0, 0.25), "tg:u:1", t0); err != nil {
				t.Fatal(err)
			}
			k, _ := ownerKeys("tg:1")
			injectFault(e.Store, lost, 1, nthWrite(1, k.sessions))
			if _, err := e.AddSession(ctx, "tg:1", sess(t0, 0.5), "tg:u:2", t0); err == nil {
				t.Fatal("a write that failed in memory was reported saved")
			}
			if _, err := e.AddSession(ctx, "tg:2", sess(t0, 0.25), "tg:u:3", t0); err == nil {
				t.Error("took a write after one failed half applied")
			}
			if _, err := e.ListSessions(ctx, "tg:1", 0); err == nil {
				t.Error("answered a read after a write failed half applied")
			}
			crash(e)

			e, err = OpenEmbedded(dir, nil, WithLimits(roomy))
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			list, err := e.ListSessions(ctx, "tg:1", 0)
			if err != nil || len(list) != 1 || list[0].NeedleMM != 0.25 {
				t.Fatalf("after the restart: %+v, %v; want only the first session", list, err)
			}
			if usage, _ := e.Usage(ctx, "tg:1"); usage["mm:0.5"] != 0 {
				t.Errorf("usage %v counts the failed write", usage)
			}
			if _, err := e.AddSession(ctx, "tg:1", sess(t0, 0.5), "tg:u:2", t0); err != nil {
				t.Errorf("after the restart the write fails: %v", err)
			}
		})
	}
}

// TestEmbeddedFailedApplyInABatch fails one write of many in flight at once: after a restart
// exactly the acknowledged writes are there, none of the batch cut with the failed one.
func TestEmbeddedFailedApplyInABatch(t *testing.T) {
	dir := t.TempDir()
	e, err := OpenEmbedded(dir, nil, WithLimits(roomy))
	if err != nil {
		t.Fatal(err)
	}
	k, _ := ownerKeys("tg:3")
	injectFault(e.Store, true, 1, nthWrite(5, k.sessions))
	const writers = 8
	acked := make([]int, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := 0; ; i++ {
				if _, err := e.AddSession(ctx, domain.Owner(fmt.Sprintf("tg:%d", w)), sess(t0, 0.25), fmt.Sprintf("tg:u:%dx%d", w, i), t0); err != nil {
					return
				}
				acked[w]++
			}
		})
	}
	wg.Wait()
	crash(e)
	e, err = OpenEmbedded(dir, nil, WithLimits(roomy))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for w := range writers {
		list, err := e.ListSessions(ctx, domain.Owner(fmt.Sprintf("tg:%d", w)), 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != acked[w] {
			t.Errorf("writer %d: %d sessions after the restart, %d acknowledged", w, len(list), acked[w])
		}
	}
}
