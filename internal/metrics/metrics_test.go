package metrics

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"
)

func TestTransportCounts429s(t *testing.T) {
	m := New(prometheus.NewRegistry())
	status := http.StatusTooManyRequests
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) }))
	defer srv.Close()
	c := &http.Client{Transport: m.Transport("tg", nil)}
	for _, s := range []int{429, 429, 200, 500} {
		status = s
		resp, err := c.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != s {
			t.Errorf("the transport changed the response: %d, want %d", resp.StatusCode, s)
		}
	}
	if got := testutil.ToFloat64(m.limited.WithLabelValues("tg")); got != 2 {
		t.Errorf("counted %v 429s, want 2", got)
	}
	if got := testutil.ToFloat64(m.limited.WithLabelValues("dc")); got != 0 {
		t.Errorf("another platform counted %v", got)
	}
}

func TestRedisHookCountsFailuresOnly(t *testing.T) {
	m := New(prometheus.NewRegistry())
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	rdb.AddHook(m.RedisHook())
	ctx := context.Background()
	rdb.Set(ctx, "k", "v", 0)
	rdb.Get(ctx, "missing")                            // redis.Nil: not a failure
	rdb.Do(ctx, "NOSUCHCOMMAND")                       // a failure
	rdb.Pipelined(ctx, func(p redis.Pipeliner) error { // one failed pipeline
		p.Set(ctx, "a", "b", 0)
		p.Do(ctx, "NOSUCHCOMMAND")
		return nil
	})
	if got := testutil.ToFloat64(m.redisErrors); got != 2 {
		t.Errorf("counted %v Redis errors, want 2", got)
	}
	addr := mr.Addr()
	mr.Close()
	down := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	down.AddHook(m.RedisHook())
	down.Get(ctx, "k")
	if got := testutil.ToFloat64(m.redisErrors); got != 3 {
		t.Errorf("a refused connection was not counted: %v", got)
	}
}

func TestSeriesExistFromTheStart(t *testing.T) {
	reg := prometheus.NewRegistry()
	New(reg)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range families {
		names = append(names, f.GetName())
	}
	all := strings.Join(names, " ")
	for _, want := range []string{"needlebot_kb_answers_total", "needlebot_sessions_logged_total", "needlebot_reminders_due_total",
		"needlebot_reminders_total", "needlebot_reminder_send_seconds", "needlebot_redis_errors_total", "needlebot_platform_rate_limited_total"} {
		if !strings.Contains(all, want) {
			t.Errorf("%s is missing before any event", want)
		}
	}
}
