package telegram

import (
	"fmt"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/kb"
	"github.com/needlebot/needlebot/internal/store"
)

// BenchmarkEmbedded3000Updates is the run of issue 14: 3,000 updates from 100 users (session
// reports on different nights and questions) through the real front end polling the fake Bot
// API, on the embedded store, every write journalled before its reply. One iteration is the
// whole run: go test ./internal/telegram -run '^$' -bench Embedded3000 -benchtime 1x
func BenchmarkEmbedded3000Updates(b *testing.B) {
	const users, updates = 100, 3000
	for range b.N {
		b.StopTimer()
		e, err := store.OpenEmbedded(b.TempDir(), nil)
		if err != nil {
			b.Fatal(err)
		}
		bot := commands.New(commands.Config{KB: kb.Default(), Store: e.Store, ButtonKey: []byte("bench button key, 32 bytes long!"), Now: func() time.Time { return testNow }})
		h := newHarness(b, bot)
		tg, err := New(h.cfg, bot, e.Store)
		if err != nil {
			b.Fatal(err)
		}
		r := h.launch(tg)
		h.api.Next("getUpdates")
		var ups []string
		for i := range updates {
			user, k := int64(5000+i%users), i/users
			text := fmt.Sprintf("rolled 0.25 %d days ago with peptide serum", k+1)
			if i%3 == 2 {
				text = "can I roll every day?"
			}
			m := message(i+1, user, "private", text)
			m["from"] = map[string]any{"id": user, "is_bot": false, "first_name": "Ana"}
			ups = append(ups, update{"update_id": i + 1, "message": m}.String())
		}
		b.StartTimer()
		start := time.Now()
		h.api.Push(ups...)
		for h.api.Count("sendMessage") < updates {
			time.Sleep(5 * time.Millisecond)
		}
		took := time.Since(start)
		b.StopTimer()
		b.ReportMetric(float64(updates)/took.Seconds(), "updates/s")
		r.stop(b)
		e.Close()
	}
}
