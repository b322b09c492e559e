package discord

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/needlebot/needlebot/internal/lease"
)

// TestAutoShardsAsDiscordRecommends: with AutoShards and Discord recommending two shards, Run
// asks GET /gateway/bot and opens two gateway sessions, identified as [0 2] and [1 2], each
// under a lease of its own that this instance holds.
func TestAutoShardsAsDiscordRecommends(t *testing.T) {
	t.Parallel()
	fl := newFleet(t)
	fl.f.Shards.Store(2)
	var mu sync.Mutex
	keys := map[int]string{}
	auto := func(c *Config) {
		c.Shards = AutoShards
		inner := c.Lease
		c.Lease = func(n int) *lease.Lease {
			l := inner(n)
			mu.Lock()
			keys[n] = l.Key()
			mu.Unlock()
			return l
		}
	}
	a := fl.memberWith("a", ShardLeasePeriod, true, auto)
	seen := map[string]int{}
	for range 2 {
		id := recv(t, fl.f.Identify, "IDENTIFY")
		seen[fmt.Sprint(id["shard"])]++
		recv(t, recv(t, fl.f.Conns, "a gateway connection").Beat, "a heartbeat")
	}
	if seen["[0 2]"] != 1 || seen["[1 2]"] != 1 {
		t.Fatalf("identified shards %v, want [0 2] and [1 2] once each", seen)
	}
	asked := 0
	for _, c := range fl.f.Recorded() {
		if c.Method == "GET" && c.Path == "/gateway/bot" {
			asked++
		}
	}
	if asked != 1 {
		t.Errorf("GET /gateway/bot asked %d times, want once", asked)
	}
	if n := countHeld(a); n != 2 {
		t.Errorf("holding %d shards, want 2", n)
	}
	mu.Lock()
	k0, k1 := keys[0], keys[1]
	n := len(keys)
	mu.Unlock()
	if n != 2 || k0 == k1 {
		t.Fatalf("leases %v, want one for each of shards 0 and 1", keys)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	for _, k := range []string{k0, k1} {
		if holder, err := fl.rdb.Get(ctx, k).Result(); err != nil || holder != "a" {
			t.Errorf("lease %s held by %q (%v), want a", k, holder, err)
		}
	}
}

// TestAutoShardsFallBackToOne: when GET /gateway/bot fails, Run logs why and runs one shard;
// before Run has asked, the front end is not ready.
func TestAutoShardsFallBackToOne(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.Fail("GET", "/gateway/bot", failure{Status: 500, Body: `{"message": "500: Internal Server Error", "code": 0}`})
	logs := newLogSink()
	cfg := config(f, logs)
	cfg.Shards = AutoShards
	d, err := New(cfg, echoBot())
	if err != nil {
		t.Fatal(err)
	}
	if d.Ready() || d.Holding() {
		t.Errorf("before Run: ready %v, holding %v; want neither", d.Ready(), d.Holding())
	}
	launch(t, f, d, logs)
	id := recv(t, f.Identify, "IDENTIFY")
	if sh, ok := id["shard"]; ok {
		t.Errorf("identified as shard %v, want one unsharded session", sh)
	}
	if n := len(d.shardList()); n != 1 {
		t.Errorf("%d shards, want 1", n)
	}
	if !d.Ready() {
		t.Error("not ready with its one shard connected")
	}
	if out := logs.String(); !strings.Contains(out, "recommended shard count is unknown; running 1 shard") || !strings.Contains(out, "500") {
		t.Errorf("the fallback is not logged with its reason:\n%s", out)
	}
}

// TestShardsOutOfRange: New refuses a negative shard count other than AutoShards, and more
// than it runs.
func TestShardsOutOfRange(t *testing.T) {
	for _, n := range []int{-2, maxShards + 1} {
		if _, err := New(Config{Token: testToken, Shards: n}, echoBot()); err == nil || !strings.Contains(err.Error(), "shards") {
			t.Errorf("Shards %d: error %v, want one about the shard count", n, err)
		}
	}
}
