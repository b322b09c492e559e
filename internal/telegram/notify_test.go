package telegram

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/remind"
)

func remindNotice(chat, text string) remind.Notice {
	return remind.Notice{To: domain.Address{Platform: domain.Telegram, Chat: chat}, Reply: domain.Reply{Text: text}}
}

// Notify needs no Run: the dispatcher may deliver before the front end has connected.
func TestNotify(t *testing.T) {
	h := newHarness(t, realBot())
	tg := h.front()

	n := remindNotice("42", "Time to roll: 0.25 mm tonight?")
	n.Reply.Buttons = [][]domain.Button{{{Label: "Done", Data: "done:1:k1:sig"}, {Label: "Snooze 30 min", Data: "snooze:1:k1:sig"}, {Label: "Skip", Data: "skip:1:k1:sig"}}}
	if err := tg.Notify(context.Background(), n); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	c := h.api.Next("sendMessage")
	want := `{"inline_keyboard":[[{"text":"Done","callback_data":"done:1:k1:sig"},{"text":"Snooze 30 min","callback_data":"snooze:1:k1:sig"},{"text":"Skip","callback_data":"skip:1:k1:sig"}]]}`
	if c.Params.Get("chat_id") != "42" || c.Params.Get("text") != "Time to roll: 0.25 mm tonight?" || c.Params.Get("reply_markup") != want {
		t.Errorf("sent %v", c.Params)
	}

	for _, tt := range []struct {
		name       string
		fail       apiError
		retryAfter time.Duration // want a *remind.RetryAfterError with this wait
		permanent  bool
	}{
		{name: "rate limited", fail: apiError{Code: 429, Desc: "Too Many Requests: retry after 12", RetryAfter: 12}, retryAfter: 12 * time.Second},
		{name: "blocked", fail: apiError{Code: 403, Desc: "Forbidden: bot was blocked by the user"}, permanent: true},
		{name: "deactivated", fail: apiError{Code: 403, Desc: "Forbidden: user is deactivated"}, permanent: true},
		{name: "chat not found", fail: apiError{Code: 400, Desc: "Bad Request: chat not found"}, permanent: true},
		{name: "server error", fail: apiError{Code: 500, Desc: "Internal Server Error"}},
		{name: "other bad request", fail: apiError{Code: 400, Desc: "Bad Request: message text is empty"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h.api.Fail("sendMessage", tt.fail)
			err := tg.Notify(context.Background(), remindNotice("42", "hello"))
			if err == nil {
				t.Fatal("Notify succeeded")
			}
			var ra *remind.RetryAfterError
			if got := errors.As(err, &ra); got != (tt.retryAfter > 0) || got && ra.After != tt.retryAfter {
				t.Errorf("Notify = %v, want retry after %s", err, tt.retryAfter)
			}
			if got := remind.IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, got, tt.permanent)
			}
		})
	}

	t.Run("network error", func(t *testing.T) {
		err := tg.Notify(canceled(), remindNotice("42", "hello"))
		if err == nil || remind.IsPermanent(err) || errors.As(err, new(*remind.RetryAfterError)) {
			t.Errorf("Notify = %v, want a transient error", err)
		}
	})
	t.Run("bad chat id", func(t *testing.T) {
		if err := tg.Notify(context.Background(), remindNotice("dc:98765", "hello")); !remind.IsPermanent(err) {
			t.Errorf("Notify = %v, want a permanent error", err)
		}
	})
	t.Run("document upload rate limited", func(t *testing.T) {
		// tgbotapi leaves the code out of upload errors; the description still tells.
		h.api.Fail("sendDocument", apiError{Code: 429, Desc: "Too Many Requests: retry after 3", RetryAfter: 3})
		n := remindNotice("42", "your export")
		n.Reply.File = &domain.File{Name: "x.csv", Data: []byte("a,b\n")}
		var ra *remind.RetryAfterError
		if err := tg.Notify(context.Background(), n); !errors.As(err, &ra) || ra.After != 3*time.Second {
			t.Errorf("Notify = %v, want retry after 3s", err)
		}
		h.api.Fail("sendDocument", apiError{Code: 403, Desc: "Forbidden: bot was blocked by the user"})
		if err := tg.Notify(context.Background(), n); !remind.IsPermanent(err) {
			t.Errorf("Notify = %v, want a permanent error", err)
		}
	})
}
