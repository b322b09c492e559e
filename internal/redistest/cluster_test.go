package redistest

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestCluster: three masters serve every slot, and keys in different slots land on
// different masters.
func TestCluster(t *testing.T) {
	c := StartCluster(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rdb := c.Client()
	for i := range 30 {
		if err := rdb.Set(ctx, fmt.Sprintf("k%d", i), "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.Keys(ctx); n != 30 {
		t.Fatalf("%d keys on the masters, want 30", n)
	}
	for _, s := range c.Servers {
		if s.Info("db0") == "" {
			t.Errorf("master %s holds no key", s.Addr())
		}
	}
	if m := c.Mentions(ctx, "k7"); m == "" {
		t.Error("Mentions does not find k7")
	}
	if m := c.Mentions(ctx, "nothing"); m != "" {
		t.Errorf("Mentions finds %q", m)
	}
}
