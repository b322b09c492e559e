package remind_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/kb"
	"github.com/needlebot/needlebot/internal/redistest"
	"github.com/needlebot/needlebot/internal/store"
)

// TestExactlyOnceOnRedisCluster: two dispatchers sharing a three-master Redis Cluster deliver
// 500 reminders due at once, each exactly once, and schedule every one for the next day. The
// owners' keys spread over the masters; the due index is one slot.
func TestExactlyOnceOnRedisCluster(t *testing.T) {
	cl := redistest.StartCluster(t, 3)
	tctx, stop := context.WithTimeout(context.Background(), 20*time.Second)
	defer stop()
	st := store.New(cl.Client(), store.WithLimits(store.Limits{Sessions: 1000, Reminders: 5, Writes: 1 << 30, Window: time.Minute, Idempotent: time.Hour}))
	bot := commands.New(commands.Config{KB: kb.Default(), Store: st, ButtonKey: []byte("0123456789abcdef0123456789abcdef")})
	e := &env{st: st, bot: bot}
	owners := e.seed(t, 500, t0)
	rec := newRecorder(len(owners))
	runCtx, cancel := context.WithCancel(tctx)
	var wg sync.WaitGroup
	for range 2 {
		d := e.dispatcher(fixedClock{t0.Add(time.Second)}, rec, nil, nil)
		wg.Go(func() { d.Run(runCtx) })
	}
	select {
	case <-rec.reached:
	case <-tctx.Done():
		t.Errorf("only %d of %d delivered", len(rec.counts()), len(owners))
	}
	cancel()
	wg.Wait()
	got := rec.counts()
	for _, o := range owners {
		if got[o] != 1 {
			t.Errorf("%s received %d reminders, want exactly 1", o, got[o])
		}
	}
	e.assertAllScheduled(t, owners)
}
