package lease

import (
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/redistest"
)

// TestOnRedisCluster: on a three-master Redis Cluster two holders of one key take turns: only
// one acquires, extending keeps it past its period, and releasing hands it to the other. Leases
// of other owners, in other slots, are independent.
func TestOnRedisCluster(t *testing.T) {
	cl := redistest.StartCluster(t, 3)
	ctx := testCtx(t)
	rdb := cl.Client()
	key := Key("tg:123456", "poller")
	a, b := New(rdb, key, period, WithToken("a")), New(rdb, key, period, WithToken("b"))

	if held, _, err := a.TryAcquire(ctx); err != nil || !held {
		t.Fatalf("a: TryAcquire = %v, %v", held, err)
	}
	if held, left, err := b.TryAcquire(ctx); err != nil || held || left <= 0 || left > period {
		t.Fatalf("b: TryAcquire while a holds = %v, %v, %v", held, left, err)
	}
	// a extends past two periods: b never gets it.
	for end := time.Now().Add(2 * period); time.Now().Before(end); {
		if ok, err := a.Extend(ctx); err != nil || !ok {
			t.Fatalf("a: Extend = %v, %v", ok, err)
		}
		time.Sleep(period / 4)
		if held, _, _ := b.TryAcquire(ctx); held {
			t.Fatal("b acquired a lease a kept extended")
		}
	}
	if v := rdb.Get(ctx, key).Val(); v != "a" {
		t.Errorf("the lease holds %q, want a", v)
	}
	// b cannot extend or release a's lease.
	if ok, _ := b.Extend(ctx); ok {
		t.Error("b extended a's lease")
	}
	if err := b.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if held, _, _ := b.TryAcquire(ctx); held {
		t.Error("b's release freed a's lease")
	}
	// a releases: b takes it at once, and a can no longer extend it.
	if err := a.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if held, _, err := b.TryAcquire(ctx); err != nil || !held {
		t.Fatalf("b: TryAcquire after a released = %v, %v", held, err)
	}
	if ok, _ := a.Extend(ctx); ok {
		t.Error("a extended the lease b holds now")
	}
	// Hold and its keeper run on the cluster too: a stand-by takes over once b releases.
	standby := hold(ctx, a)
	select {
	case <-standby:
		t.Fatal("a's Hold returned while b holds the lease")
	case <-time.After(period / 2):
	}
	b.Release(ctx)
	h := held(t, standby)
	if h == nil {
		t.Fatal("a's Hold returned nothing")
	}
	h.Release(ctx)

	// Other owners' leases live in other slots and do not interfere.
	for _, owner := range []string{"tg:1", "dc:2", "dc:3", "tg:4"} {
		if ok, _, err := New(rdb, Key(owner, "poller"), period).TryAcquire(ctx); err != nil || !ok {
			t.Errorf("%s: TryAcquire = %v, %v", owner, ok, err)
		}
	}
}
