package store

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/domain"
)

// With Redis gone, a write fails after one retry, not after go-redis's default of three: the
// user hears "can't save right now" at once. The server here accepts each connection and closes
// it, so every attempt is counted; go-redis's defaults make four.
func TestUnreachableRedisFailsFast(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			c.Close()
		}
	}()
	for _, tc := range []struct {
		url  string
		want int64
	}{
		{"redis://" + ln.Addr().String(), 1 + failFastRetries},
		{"redis://" + ln.Addr().String() + "?max_retries=3", 4}, // the URL's own setting wins
	} {
		o, err := ParseURL(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		rdb := redis.NewUniversalClient(o)
		s := New(rdb)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		conns.Store(0)
		err = s.SetZone(ctx, domain.Owner("tg:1"), "Europe/Berlin", nil)
		cancel()
		rdb.Close()
		if !domain.IsUnavailable(err) && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: SetZone = %v, want an unavailable store", tc.url, err)
		}
		if got := conns.Load(); got != tc.want {
			t.Errorf("%s: %d connection attempts for one write, want %d", tc.url, got, tc.want)
		}
	}
}
