// Package metrics exposes what the bot does as Prometheus series. It implements the observers
// that commands and remind declare, so neither of them imports Prometheus. Labels hold only
// fixed vocabularies (command names, platforms, outcomes), never personal data or message text.
package metrics

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"
)

// Metrics holds the series.
type Metrics struct {
	commands    *prometheus.CounterVec
	answers     *prometheus.CounterVec
	sessions    *prometheus.CounterVec
	due         *prometheus.CounterVec
	reminders   *prometheus.CounterVec
	sendSeconds *prometheus.HistogramVec
	redisErrors prometheus.Counter
	limited     *prometheus.CounterVec
}

// New registers the series, and the Go runtime and process collectors, on reg.
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "needlebot_commands_total", Help: "Requests handled, by command, platform and outcome (ok, rejected, unavailable, error).",
		}, []string{"command", "platform", "outcome"}),
		answers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "needlebot_kb_answers_total", Help: "Messages the knowledge base read, by verdict: answered, not-covered, off-topic, safety, chat, diary or unsure.",
		}, []string{"result"}),
		sessions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "needlebot_sessions_logged_total", Help: "Sessions logged, by platform.",
		}, []string{"platform"}),
		due: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "needlebot_reminders_due_total", Help: "Reminders claimed because they came due, by platform.",
		}, []string{"platform"}),
		reminders: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "needlebot_reminders_total", Help: "Reminders by outcome: sent, late, skipped, done_already, dropped, failed, disabled, released.",
		}, []string{"platform", "outcome"}),
		sendSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "needlebot_reminder_send_seconds", Help: "How long a reminder send to the platform took.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2, 12),
		}, []string{"platform"}),
		redisErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "needlebot_redis_errors_total", Help: "Redis commands that failed (not counting 'not found').",
		}),
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "needlebot_platform_rate_limited_total", Help: "429 answers from a platform, by platform.",
		}, []string{"platform"}),
	}
	reg.MustRegister(m.commands, m.answers, m.sessions, m.due, m.reminders, m.sendSeconds, m.redisErrors, m.limited,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Series that exist from the start read as 0 rather than missing, so rates and alerts work
	// before the first event.
	for _, v := range Verdicts {
		m.answers.WithLabelValues(v)
	}
	for _, p := range []string{"tg", "dc", "console"} {
		m.sessions.WithLabelValues(p)
		m.due.WithLabelValues(p)
		m.sendSeconds.WithLabelValues(p)
		m.limited.WithLabelValues(p)
		for _, o := range Outcomes {
			m.reminders.WithLabelValues(p, o)
		}
	}
	return m
}

// Outcomes are the outcomes of a claimed reminder (see remind.Observer).
var Outcomes = []string{"sent", "late", "skipped", "done_already", "dropped", "failed", "disabled", "released"}

// Handled counts one handled request (commands.Observer).
func (m *Metrics) Handled(command, platform, outcome string, _ time.Duration) {
	m.commands.WithLabelValues(command, platform, outcome).Inc()
}

// Verdicts are how the knowledge base reads a message (kb.Verdict's names).
var Verdicts = []string{"answered", "not-covered", "off-topic", "safety", "chat", "diary", "unsure"}

// Understood counts a message the knowledge base read (commands.Observer).
func (m *Metrics) Understood(verdict string) {
	m.answers.WithLabelValues(verdict).Inc()
}

// Logged counts a stored session (commands.Observer).
func (m *Metrics) Logged(platform string) { m.sessions.WithLabelValues(platform).Inc() }

// Reminder counts a claimed reminder and its outcome (remind.Observer).
func (m *Metrics) Reminder(platform, outcome string) {
	m.due.WithLabelValues(platform).Inc()
	m.reminders.WithLabelValues(platform, outcome).Inc()
}

// Sent records a send's duration (remind.Observer).
func (m *Metrics) Sent(platform string, d time.Duration) {
	m.sendSeconds.WithLabelValues(platform).Observe(d.Seconds())
}

// Transport counts the platform's 429 answers on every request the front end makes through
// it (polling, replies and reminders alike), then passes the response on untouched.
func (m *Metrics) Transport(platform string, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return countingTransport{base: base, limited: m.limited.WithLabelValues(platform)}
}

type countingTransport struct {
	base    http.RoundTripper
	limited prometheus.Counter
}

func (t countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		t.limited.Inc()
	}
	return resp, err
}

// RedisHook counts failed Redis commands; add it to the store's client.
func (m *Metrics) RedisHook() redis.Hook { return redisHook{m} }

type redisHook struct{ m *Metrics }

func (h redisHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h redisHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if !setup(cmd) {
			h.count(err)
		}
		return err
	}
}

func (h redisHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		for _, c := range cmds {
			if !setup(c) && c.Err() != nil {
				h.count(c.Err())
				break
			}
		}
		return err
	}
}

// setup reports a command a new connection sends to set itself up; a server may refuse the
// optional ones (CLIENT SETINFO) without anything being wrong.
func setup(c redis.Cmder) bool {
	switch c.Name() {
	case "hello", "client", "auth", "select":
		return true
	}
	return false
}

// count counts an error, except "not found" and NOSCRIPT, which go-redis answers itself by
// loading the script.
func (h redisHook) count(err error) {
	if err != nil && !errors.Is(err, redis.Nil) && !strings.HasPrefix(err.Error(), "NOSCRIPT") {
		h.m.redisErrors.Inc()
	}
}
