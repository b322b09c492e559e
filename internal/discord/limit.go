package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// GlobalRate is Discord's bot-wide limit: requests a second, across every instance of the bot
// and every route but the interaction endpoints. discordgo keeps each route's own limits (its
// buckets, in this process); this one is shared in Redis (Config.Limiter).
const GlobalRate = 50

// Limiter paces REST requests under the bot-wide limit; *ratelimit.Limiter is one.
type Limiter interface {
	// Wait blocks until a request may be sent, or fails: with ctx's error, or when the limit
	// cannot be asked (the request then goes unpaced). chat is always "": Discord has no
	// per-chat limit beside its routes'.
	Wait(ctx context.Context, chat string) error
	// Pause makes every request of the bot, on every instance, wait d (a global 429).
	Pause(ctx context.Context, chat string, d time.Duration) error
}

// exempt matches the REST paths Discord does not count against the bot-wide limit: the
// interaction endpoints (the response callback, and the original response and follow-ups
// under the interaction's webhook), "not bound to the bot's Global Rate Limit".
var exempt = regexp.MustCompile(`^/api/v[0-9]+/(interactions|webhooks)/`)

// maxLimitBody is as much of a 429's body as is read for its retry_after.
const maxLimitBody = 16 << 10

// paced is the transport that makes every counted request wait for the bot-wide limit, and
// that turns a global 429 into a pause of every instance's requests. A 429 still reaches
// discordgo, which waits retry_after and sends the request again (replies), or returns it
// (Notify turns retrying off; the dispatcher retries).
type paced struct {
	lim     Limiter
	next    http.RoundTripper
	log     *slog.Logger
	unpaced atomic.Int64 // when "sending unpaced" was last logged, unix ns
}

func (t *paced) RoundTrip(req *http.Request) (*http.Response, error) {
	if exempt.MatchString(req.URL.Path) {
		return t.next.RoundTrip(req)
	}
	ctx := req.Context()
	if err := t.lim.Wait(ctx, ""); err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		t.unpacedSend(err)
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusTooManyRequests {
		return resp, err
	}
	if d, global := limited(resp); global && d > 0 {
		t.log.Warn("discord: Discord refused a request with the bot-wide limit (429); every instance waits", "retry_after", d.String())
		if err := t.lim.Pause(context.WithoutCancel(ctx), "", d); err != nil {
			t.log.Warn("discord: the pause could not be shared", "err", err)
		}
	}
	return resp, nil
}

// limited reads a 429: how long Discord asks to wait, and whether the limit was the bot-wide
// one. The body is put back for discordgo to read.
func limited(resp *http.Response) (time.Duration, bool) {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxLimitBody))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var rl struct {
		RetryAfter float64 `json:"retry_after"`
		Global     bool    `json:"global"`
	}
	json.Unmarshal(body, &rl)
	global := rl.Global || strings.EqualFold(resp.Header.Get("X-RateLimit-Global"), "true") ||
		strings.EqualFold(resp.Header.Get("X-RateLimit-Scope"), "global")
	secs := rl.RetryAfter
	if secs <= 0 {
		secs, _ = strconv.ParseFloat(resp.Header.Get("Retry-After"), 64)
	}
	if secs <= 0 || math.IsNaN(secs) || math.IsInf(secs, 0) {
		return 0, global
	}
	return time.Duration(min(secs, 3600) * float64(time.Second)), global
}

// unpacedSend logs, once a minute at most, that requests go out unpaced.
func (t *paced) unpacedSend(err error) {
	now := time.Now().UnixNano()
	last := t.unpaced.Load()
	if now-last < int64(time.Minute) || !t.unpaced.CompareAndSwap(last, now) {
		return
	}
	t.log.Warn("discord: the shared request limit cannot be asked; sending unpaced (429s are still honoured)", "err", err)
}
