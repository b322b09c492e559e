package store

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/redistest"
)

// The embedded store's cost at 100 to 100,000 keys (issue 14), beside redis-server with
// appendfsync always and everysec. The keys are handled-event marks with a 48-hour TTL, what
// Telegram adds one of per update. Run with
//
//	go test ./internal/store -run '^$' -bench 'Embedded|RedisServer' -benchtime 2s
var benchSizes = []int{100, 1000, 10000, 100000}

var benchLimits = Limits{Sessions: 1 << 30, Reminders: 5, Writes: 1 << 30, Window: time.Minute, Idempotent: 48 * time.Hour}

// seedDir writes a data directory holding n keys, as a version-1 snapshot (which every
// version of the embedded store reads).
func seedDir(b *testing.B, n int) string {
	dir := b.TempDir()
	type key struct {
		Key    string `json:"key"`
		Type   string `json:"type"`
		TTLms  int64  `json:"ttl_ms"`
		String string `json:"string"`
	}
	keys := make([]key, n)
	for i := range keys {
		keys[i] = key{fmt.Sprintf("nb:ev:tg:u:%d", i), "string", (48 * time.Hour).Milliseconds(), "1"}
	}
	data, _ := json.Marshal(map[string]any{"version": 1, "saved": time.Now().UTC(), "keys": keys})
	if err := os.WriteFile(filepath.Join(dir, SnapshotName), data, 0o600); err != nil {
		b.Fatal(err)
	}
	return dir
}

// benchWrites logs sessions for 100 owners in turn: one write, as a user's report is.
func benchWrites(b *testing.B, s *Store) {
	i := 0
	for b.Loop() {
		owner := domain.Owner(fmt.Sprintf("tg:%d", i%100))
		if _, err := s.AddSession(ctx, owner, sess(t0, 0.25, "peptides"), "", t0); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkEmbeddedWrite(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			e, err := OpenEmbedded(seedDir(b, n), nil, WithLimits(benchLimits))
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			benchWrites(b, e.Store)
		})
	}
}

func BenchmarkEmbeddedStartStop(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			dir := seedDir(b, n)
			for b.Loop() {
				e, err := OpenEmbedded(dir, nil, WithLimits(benchLimits))
				if err != nil {
					b.Fatal(err)
				}
				if err := e.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func everysec(a *[]string) { *a = append(*a, "--appendonly", "yes", "--appendfsync", "everysec") }

func seedRedis(b *testing.B, srv *redistest.Server, n int) {
	rdb := srv.Client()
	p := rdb.Pipeline()
	for i := range n {
		p.Set(ctx, fmt.Sprintf("nb:ev:tg:u:%d", i), "1", 48*time.Hour)
		if i%1000 == 999 {
			if _, err := p.Exec(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	if _, err := p.Exec(ctx); err != nil && n%1000 != 0 {
		b.Fatal(err)
	}
}

var fsyncModes = []struct {
	name string
	opt  redistest.Option
}{{"always", redistest.AppendOnly}, {"everysec", everysec}}

func BenchmarkRedisServerWrite(b *testing.B) {
	for _, m := range fsyncModes {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("appendfsync=%s/keys=%d", m.name, n), func(b *testing.B) {
				srv := redistest.Start(b, m.opt)
				seedRedis(b, srv, n)
				benchWrites(b, New(srv.Client(), WithLimits(benchLimits)))
			})
		}
	}
}

func BenchmarkRedisServerStartStop(b *testing.B) {
	for _, m := range fsyncModes {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("appendfsync=%s/keys=%d", m.name, n), func(b *testing.B) {
				srv := redistest.Start(b, m.opt)
				seedRedis(b, srv, n)
				for b.Loop() {
					srv.Restart()
				}
			})
		}
	}
}

// BenchmarkEmbeddedStartReplay is a start that replays the longest journal Close leaves
// (just under closeCompactAt), then stops as a crash would.
func BenchmarkEmbeddedStartReplay(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			dir := seedDir(b, n)
			e, err := OpenEmbedded(dir, nil, WithLimits(benchLimits))
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; e.jr.size < closeCompactAt*9/10; i++ {
				if _, err := e.AddSession(ctx, domain.Owner(fmt.Sprintf("tg:%d", i%100)), sess(t0, 0.25, "peptides"), "", t0); err != nil {
					b.Fatal(err)
				}
			}
			crash(e)
			for b.Loop() {
				e, err := OpenEmbedded(dir, nil, WithLimits(benchLimits))
				if err != nil {
					b.Fatal(err)
				}
				crash(e)
			}
		})
	}
}

// BenchmarkEmbeddedStartAfterCrash is the slowest start issue 14 allows for: a snapshot of
// 100,000 keys and the longest journal a crash can leave (just under compactAt, past which a
// snapshot is taken), replayed, then a stop as a crash would. It must stay under a second.
func BenchmarkEmbeddedStartAfterCrash(b *testing.B) {
	const n = 100000
	dir := seedDir(b, n)
	// Filled with compaction off, so that the journal reaches just under compactAt.
	e, err := openEmbedded(dir, nil, embeddedConfig{compactAt: 1 << 40, closeCompactAt: 1 << 40}, WithLimits(benchLimits))
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; e.jr.size < compactAt-8<<10; i++ {
		if _, err := e.AddSession(ctx, domain.Owner(fmt.Sprintf("tg:%d", i%100)), sess(t0, 0.25, "peptides"), "", t0); err != nil {
			b.Fatal(err)
		}
	}
	size := e.jr.size
	crash(e)
	for b.Loop() {
		e, err := OpenEmbedded(dir, nil, WithLimits(benchLimits))
		if err != nil {
			b.Fatal(err)
		}
		crash(e)
	}
	b.ReportMetric(float64(size)/(1<<20), "journal-MiB")
}

// BenchmarkEmbeddedCapture is what a compaction holds writes up for at 100,000 keys: copying
// the data (the snapshot is then written in the background).
func BenchmarkEmbeddedCapture(b *testing.B) {
	e, err := OpenEmbedded(seedDir(b, 100000), nil, WithLimits(benchLimits))
	if err != nil {
		b.Fatal(err)
	}
	defer crash(e)
	for b.Loop() {
		e.capture()
	}
}
