package telegram

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/needlebot/needlebot/internal/lease"
	"github.com/needlebot/needlebot/internal/redistest"
)

// issueBurst is the burst of issue 11: 200 users send three messages each and 20 users five
// questions back to back, 700 in all, as they come in at 21:00: every user's first message
// (each tenth followed by a chatty user's five), then everyone's second, then third.
func issueBurst() [][2]int64 {
	var msgs [][2]int64
	for u := int64(0); u < 200; u++ {
		msgs = append(msgs, [2]int64{1000 + u, 0})
		if u%10 == 0 {
			for k := range int64(5) {
				msgs = append(msgs, [2]int64{1 + u/10, k})
			}
		}
	}
	for k := int64(1); k < 3; k++ {
		for u := int64(0); u < 200; u++ {
			msgs = append(msgs, [2]int64{1000 + u, k})
		}
	}
	return msgs
}

// BenchmarkIntake answers the issue's 700-message burst through the fake Bot API, which
// enforces Telegram's limits (30 sends a second per bot, one a second per chat, 429 with
// retry_after), on a real redis-server holding the store, the limits and the lease. The floor
// is 700/30 = 23.3 s. One iteration is the whole burst:
//
//	go test ./internal/telegram -run '^$' -bench Intake -benchtime 1x
//
// Variants: one-at-a-time (every update in one sequence, as before issue 11, but with the new
// limiter and send-only retries), polling (one instance, each chat in order, 16 workers),
// polling-2 and -3 (two or three instances, one polling under the lease, the others standing
// by), webhook-2 and -3 (behind a load balancer, Telegram posting 40 at a time), and unlimited
// (polling, the fake and the limiter at 1000 a second: the intake's own speed).
func BenchmarkIntake(b *testing.B) {
	redistest.Require(b)
	telegramLimits := fakeLimits{Global: 30, PerChat: 1}
	for _, v := range []struct {
		name       string
		limits     fakeLimits
		instances  int
		webhook    bool
		oneAtATime bool
	}{
		{name: "one-at-a-time", limits: telegramLimits, instances: 1, oneAtATime: true},
		{name: "polling", limits: telegramLimits, instances: 1},
		{name: "polling-2", limits: telegramLimits, instances: 2},
		{name: "webhook-2", limits: telegramLimits, instances: 2, webhook: true},
		{name: "polling-3", limits: telegramLimits, instances: 3},
		{name: "webhook-3", limits: telegramLimits, instances: 3, webhook: true},
		{name: "unlimited", limits: fakeLimits{Global: 1000, PerChat: 1000}, instances: 1},
	} {
		b.Run(v.name, func(b *testing.B) {
			for range b.N {
				intakeRun(b, v.limits, v.instances, v.webhook, v.oneAtATime)
			}
		})
	}
}

func intakeRun(b *testing.B, limits fakeLimits, instances int, webhook, oneAtATime bool) {
	b.StopTimer()
	f := newFleet(b)
	f.enforce(limits)
	f.patience = 5 * time.Minute
	// Behind a load balancer a chat's deliveries may reach two instances at once: each keeps
	// the order of what reaches it, not the other's.
	f.unordered = webhook
	var trips redistest.RoundTrips
	f.rdb.AddHook(&trips)
	var fronts []*running
	for i := range instances {
		fronts = append(fronts, f.instance(string(rune('a'+i)), func(c *Config) {
			if oneAtATime {
				c.order = func(tgbotapi.Update) string { return "all" }
			}
			if webhook {
				c.WebhookURL, c.WebhookSecret = "https://bot.example"+WebhookPath, testSecret
			} else {
				c.Lease = lease.New(f.rdb, lease.Key("tg:123456", "poller"), PollerLeasePeriod)
			}
		}))
	}
	if webhook {
		for range instances {
			f.h.api.Next("setWebhook")
		}
	} else {
		f.h.api.Next("getUpdates")
	}
	msgs := issueBurst()
	trips.Reset()
	b.StartTimer()
	start := time.Now()
	if webhook {
		postAll(b, fronts, msgs)
	} else {
		f.burst(1, msgs)
	}
	sent := f.replies(len(msgs))
	took := time.Since(start)
	b.StopTimer()
	// Every message was sent at the start: a reply's latency is from then.
	base := start.Sub(f.h.api.Started())
	var lat []time.Duration
	for _, c := range sent {
		lat = append(lat, c.At-base)
	}
	slices.Sort(lat)
	refused, conflicts := f.h.api.Counts()
	b.ReportMetric(float64(len(msgs))/took.Seconds(), "replies/s")
	b.ReportMetric(took.Seconds(), "s/burst")
	b.ReportMetric(float64(refused), "429s")
	b.ReportMetric(float64(conflicts), "409s")
	b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "p99-ms")
	b.ReportMetric(float64(trips.N())/float64(len(msgs)), "redis-rt/update")
	f.checkAnswered(sent, msgs)
	for _, r := range fronts {
		r.stop(b)
	}
}

// postAll delivers msgs by webhook as Telegram does, 40 connections at once, spread over the
// instances in turn as a load balancer would; a delivery answered other than 200 comes again.
func postAll(b *testing.B, fronts []*running, msgs [][2]int64) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			for i := range next {
				chat, k := msgs[i][0], msgs[i][1]
				body := []byte(textIn(i+1, chat, fmt.Sprintf("m %d %d", chat, k)))
				for try := 0; ; try++ {
					ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
					code := postCtx(ctx, fronts[(i+try)%len(fronts)].Telegram, http.MethodPost, testSecret, body).Code
					cancel()
					if code == http.StatusOK {
						break
					}
					if try > 10 {
						b.Errorf("update %d: status %d after %d tries", i+1, code, try)
						break
					}
				}
			}
		})
	}
	for i := range msgs {
		next <- i
	}
	close(next)
	wg.Wait()
}
