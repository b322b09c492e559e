package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Waits between retries.
const (
	backoffMin = time.Second
	backoffMax = time.Minute
)

// ctxClient sends every request with ctx, because tgbotapi builds its requests without one.
type ctxClient struct {
	ctx    context.Context
	client *http.Client
}

// Do sends req bound to c's context.
func (c ctxClient) Do(req *http.Request) (*http.Response, error) {
	return c.client.Do(req.WithContext(c.ctx))
}

// call runs f with a copy of the tgbotapi client whose requests carry ctx and a deadline of
// timeout. It is the one way to the Bot API, so it is also where the token is taken out of
// errors: tgbotapi puts it in request URLs, and *url.Error repeats the URL.
func (t *Telegram) call(ctx context.Context, timeout time.Duration, f func(*tgbotapi.BotAPI) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	api := *t.api
	api.Client = ctxClient{ctx: ctx, client: t.http}
	return t.redact(f(&api))
}

// request sends c, ignoring the result.
func (t *Telegram) request(ctx context.Context, timeout time.Duration, c tgbotapi.Chattable) error {
	_, err := t.requestMessage(ctx, timeout, c)
	return err
}

// requestMessage sends c and returns the id of the message it sent or edited, 0 when the
// result names none.
func (t *Telegram) requestMessage(ctx context.Context, timeout time.Duration, c tgbotapi.Chattable) (int, error) {
	var id int
	err := t.call(ctx, timeout, func(api *tgbotapi.BotAPI) error {
		resp, err := api.Request(c)
		if err != nil {
			return err
		}
		var m struct {
			MessageID int `json:"message_id"`
		}
		if json.Unmarshal(resp.Result, &m) == nil {
			id = m.MessageID
		}
		return nil
	})
	return id, err
}

// method calls a Bot API method by name and returns its raw result, for the methods whose
// result tgbotapi would decode too strictly (getUpdates) or whose parameters it lacks
// (setWebhook's secret_token).
func (t *Telegram) method(ctx context.Context, timeout time.Duration, name string, params tgbotapi.Params) (json.RawMessage, error) {
	var result json.RawMessage
	err := t.call(ctx, timeout, func(api *tgbotapi.BotAPI) error {
		resp, err := api.MakeRequest(name, params)
		if err != nil {
			return err
		}
		result = resp.Result
		return nil
	})
	return result, err
}

// redact returns err with the token taken out of its message. A *url.Error is rebuilt so that
// errors.Is still finds context.Canceled and net errors under it; any other error that
// mentions the token (none is known) is flattened to its redacted text.
func (t *Telegram) redact(err error) error {
	if err == nil || t.secrets.Replace(err.Error()) == err.Error() {
		return err
	}
	if ue, ok := err.(*url.Error); ok {
		return &url.Error{Op: ue.Op, URL: t.secrets.Replace(ue.URL), Err: t.redact(ue.Err)}
	}
	return errors.New(t.secrets.Replace(err.Error()))
}

// apiCode returns the Bot API's error code for err, or 0 when err is not an API error (a
// network failure, a response that is not JSON). tgbotapi leaves Code unset for uploads, so
// the code is then read from the description, which starts with the status text.
func apiCode(err error) int {
	var e *tgbotapi.Error
	if !errors.As(err, &e) {
		return 0
	}
	if e.Code != 0 {
		return e.Code
	}
	switch m := e.Message; {
	case strings.HasPrefix(m, "Bad Request"):
		return http.StatusBadRequest
	case strings.HasPrefix(m, "Unauthorized"):
		return http.StatusUnauthorized
	case strings.HasPrefix(m, "Forbidden"):
		return http.StatusForbidden
	case strings.HasPrefix(m, "Not Found"):
		return http.StatusNotFound
	case strings.HasPrefix(m, "Conflict"):
		return http.StatusConflict
	case strings.HasPrefix(m, "Too Many Requests"):
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// describes reports whether err is a Bot API error whose description contains s.
func describes(err error, s string) bool {
	var e *tgbotapi.Error
	return errors.As(err, &e) && strings.Contains(strings.ToLower(e.Message), s)
}

// retryable reports whether trying again later may succeed: network trouble, rate limits and
// server errors may pass; any other API error is an answer that will not change.
func retryable(err error) bool {
	code := apiCode(err)
	return code == 0 || code == http.StatusTooManyRequests || code >= http.StatusInternalServerError
}

// backoff computes waits that double from backoffMin to backoffMax, with jitter so that many
// instances do not retry in step.
type backoff struct{ n int }

// next returns the next wait: a random duration in the upper half of the current step.
func (b *backoff) next() time.Duration {
	d := min(backoffMin<<min(b.n, 16), backoffMax)
	b.n++
	return d/2 + rand.N(d/2+1)
}

// delay returns how long to wait after err: what Telegram asked for in retry_after, exactly,
// or the next backoff step.
func delay(err error, b *backoff) time.Duration {
	if d := retryAfter(err); d > 0 {
		return d
	}
	return b.next()
}

// retryAfter returns how long Telegram asked the bot to wait in err (retry_after), or 0.
func retryAfter(err error) time.Duration {
	var e *tgbotapi.Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return time.Duration(e.RetryAfter) * time.Second
	}
	return 0
}

// wait blocks for d or until ctx ends, reporting whether the whole wait passed.
func (t *Telegram) wait(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-t.after(d):
		return true
	}
}

// retry calls f until it succeeds, fails in a way waiting cannot fix (see retryable), or ctx
// ends; it returns f's last error.
func (t *Telegram) retry(ctx context.Context, f func(context.Context) error) error {
	var b backoff
	for {
		err := f(ctx)
		if err == nil || ctx.Err() != nil || !retryable(err) {
			return err
		}
		d := delay(err, &b)
		t.log.Warn("telegram: will retry", "err", err, "in", d)
		if !t.wait(ctx, d) {
			return ctx.Err()
		}
	}
}
