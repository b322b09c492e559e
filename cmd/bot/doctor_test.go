package main

import (
	"context"
	"strings"
	"testing"

	"github.com/needlebot/needlebot/internal/redistest"
	"github.com/redis/go-redis/v9"
)

func TestDoctorCommand(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client()
	ctx := context.Background()
	e := env{"REDIS_URL": srv.URL()}
	if r := runBot(t, e, "", "doctor"); r.err != nil || !strings.Contains(r.stdout, "store ok") {
		t.Fatalf("an empty store: %v\n%s%s", r.err, r.stdout, r.stderr)
	}
	rdb.HSet(ctx, "nb:{tg:5}:s", "1", "{broken")
	rdb.ZAdd(ctx, "nb:{tg:5}:t", redisZ(1, "1"))
	r := runBot(t, e, "", "doctor")
	if exitCode(r.err) != 1 || !strings.Contains(r.stdout, `nb:{tg:5}:s "1": a session entry that does not decode`) || !strings.Contains(r.stdout, "--fix repairs") {
		t.Fatalf("a damaged store: exit %d\n%s", exitCode(r.err), r.stdout)
	}
	if r := runBot(t, e, "", "doctor", "--fix"); r.err != nil || !strings.Contains(r.stdout, "all fixed") {
		t.Fatalf("--fix: %v\n%s", r.err, r.stdout)
	}
	if r := runBot(t, e, "", "doctor"); r.err != nil || !strings.Contains(r.stdout, "store ok") {
		t.Errorf("after --fix: %v\n%s", r.err, r.stdout)
	}
	// On the embedded store too (an empty data directory).
	if r := runBot(t, env{}, "", "doctor"); r.err != nil || !strings.Contains(r.stdout, "store ok") {
		t.Errorf("embedded: %v\n%s%s", r.err, r.stdout, r.stderr)
	}
	if r := runBot(t, e, "", "doctor", "--frobnicate"); exitCode(r.err) != 2 {
		t.Errorf("a bad flag: exit %d", exitCode(r.err))
	}
}

func redisZ(score float64, member string) redis.Z { return redis.Z{Score: score, Member: member} }
