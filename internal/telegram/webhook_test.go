package telegram

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const testSecret = "wh_s3cret-42"

func webhookHarness(t *testing.T) *harness {
	return newHarness(t, realBot(), func(c *Config) {
		c.WebhookURL = "https://bot.example.com" + WebhookPath
		c.WebhookSecret = testSecret
	})
}

func post(tg *Telegram, method, secret string, body []byte) *httptest.ResponseRecorder {
	return postCtx(context.Background(), tg, method, secret, body)
}

// postCtx is post with Telegram's connection ending with ctx.
func postCtx(ctx context.Context, tg *Telegram, method, secret string, body []byte) *httptest.ResponseRecorder {
	r := httptest.NewRequestWithContext(ctx, method, WebhookPath, bytes.NewReader(body))
	if secret != "" {
		r.Header.Set(secretHeader, secret)
	}
	w := httptest.NewRecorder()
	tg.WebhookHandler().ServeHTTP(w, r)
	return w
}

func TestWebhook(t *testing.T) {
	h := webhookHarness(t)
	tg := h.start()
	set := h.api.Next("setWebhook")
	if p := set.Params; p.Get("url") != "https://bot.example.com/telegram/webhook" || p.Get("secret_token") != testSecret || p.Get("allowed_updates") != `["message","callback_query"]` {
		t.Errorf("setWebhook params = %v", p)
	}
	if !tg.Ready() {
		t.Error("not ready after setWebhook")
	}

	good, err := os.ReadFile(filepath.Join("testdata", "private_message.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, method, secret string
		body                 []byte
		code                 int
	}{
		{"no secret", http.MethodPost, "", good, http.StatusUnauthorized},
		{"wrong secret", http.MethodPost, "wh_s3cret-43", good, http.StatusUnauthorized},
		{"secret prefix", http.MethodPost, testSecret[:5], good, http.StatusUnauthorized},
		{"GET", http.MethodGet, testSecret, nil, http.StatusMethodNotAllowed},
		{"too large", http.MethodPost, testSecret, bytes.Repeat([]byte(" "), maxWebhookBody+1), http.StatusRequestEntityTooLarge},
		{"malformed JSON", http.MethodPost, testSecret, []byte(`{"update_id": 1, "message": {`), http.StatusBadRequest},
		{"wrong types", http.MethodPost, testSecret, []byte(`{"update_id": "one"}`), http.StatusBadRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mark, writes := h.api.Mark(), len(h.state.log())
			w := post(tg.Telegram, tt.method, tt.secret, tt.body)
			if w.Code != tt.code {
				t.Errorf("status = %d, want %d", w.Code, tt.code)
			}
			if calls := h.api.Since(mark); len(calls) != 0 || len(h.state.log()) != writes || len(h.bot.requests()) != 0 {
				t.Errorf("a refused request had effects: calls %v, state %v, requests %d", names(calls), h.state.log()[writes:], len(h.bot.requests()))
			}
		})
	}

	t.Run("good update", func(t *testing.T) {
		mark := h.api.Mark()
		if w := post(tg.Telegram, http.MethodPost, testSecret, good); w.Code != http.StatusOK {
			t.Fatalf("status = %d, want 200", w.Code)
		}
		c := sent(t, h.api.Since(mark), "sendMessage")
		wantContains(t, visible(c.Params.Get("text")), "0.25 mm")
		if got := h.bot.requests(); len(got) != 1 || got[0].ID != ev(730518201) {
			t.Errorf("requests = %v", got)
		}
		// Telegram sends it again (say, our 200 was lost); it is not answered twice.
		mark = h.api.Mark()
		if w := post(tg.Telegram, http.MethodPost, testSecret, good); w.Code != http.StatusOK || len(h.api.Since(mark)) != 0 {
			t.Errorf("a redelivered update: status %d, calls %v", w.Code, names(h.api.Since(mark)))
		}
	})

	t.Run("send fails once: sent again, the update handled once", func(t *testing.T) {
		h.api.Fail("sendMessage", apiError{Code: 502, Desc: "Bad Gateway"})
		mark, asked := h.api.Mark(), len(h.bot.requests())
		if w := post(tg.Telegram, http.MethodPost, testSecret, []byte(privateText(4, "/start"))); w.Code != http.StatusOK {
			t.Errorf("status = %d, want 200", w.Code)
		}
		if got := names(h.api.Since(mark)); len(got) != 2 || len(h.bot.requests()) != asked+1 {
			t.Errorf("calls %v, %d requests: want the send twice and the bot asked once", got, len(h.bot.requests())-asked)
		}
	})

	t.Run("send fails until Telegram gives up: Telegram should retry", func(t *testing.T) {
		h.api.Fail("sendMessage", apiError{Code: 502, Desc: "Bad Gateway"})
		h.stallWaits(true) // the backoff outlasts Telegram's patience
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		w := postCtx(ctx, tg.Telegram, http.MethodPost, testSecret, []byte(privateText(5, "/start")))
		cancel()
		h.stallWaits(false)
		if w.Code != http.StatusInternalServerError {
			t.Errorf("status = %d, want 500", w.Code)
		}
		if w := post(tg.Telegram, http.MethodPost, testSecret, []byte(privateText(5, "/start"))); w.Code != http.StatusOK {
			t.Errorf("retried delivery: status = %d, want 200", w.Code)
		}
	})

	t.Run("ignored update", func(t *testing.T) {
		sticker, err := os.ReadFile(filepath.Join("testdata", "sticker.json"))
		if err != nil {
			t.Fatal(err)
		}
		mark, n := h.api.Mark(), len(h.state.log())
		if w := post(tg.Telegram, http.MethodPost, testSecret, sticker); w.Code != http.StatusOK {
			t.Errorf("status = %d, want 200", w.Code)
		}
		if len(h.api.Since(mark)) != 0 || len(h.state.log()) != n {
			t.Errorf("a sticker had effects")
		}
	})

	if err := tg.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	if n := h.api.Count("getUpdates") + h.api.Count("deleteWebhook"); n != 0 {
		t.Errorf("webhook mode polled or deleted the webhook (%d calls)", n)
	}
}

func TestWebhookBeforeReady(t *testing.T) {
	h := webhookHarness(t)
	tg := h.front()
	w := post(tg, http.MethodPost, testSecret, []byte(privateText(1, "/start")))
	if w.Code != http.StatusServiceUnavailable || len(h.bot.requests()) != 0 || len(h.state.log()) != 0 {
		t.Errorf("before getMe: status %d, requests %d, state %v", w.Code, len(h.bot.requests()), h.state.log())
	}
}

func TestWebhookRefusedInPollingMode(t *testing.T) {
	h := newHarness(t, realBot())
	tg := h.run()
	if w := post(tg.Telegram, http.MethodPost, "", []byte(privateText(1, "/start"))); w.Code != http.StatusUnauthorized {
		t.Errorf("status = %d, want 401: without a secret nothing is authentic", w.Code)
	}
}

func TestWebhookRejected(t *testing.T) {
	h := webhookHarness(t)
	h.api.Fail("setWebhook", apiError{Code: 400, Desc: "Bad Request: bad webhook: HTTPS url must be provided for webhook"})
	err := h.front().Run(canceled())
	if err != nil {
		t.Fatalf("a cancelled Run = %v, want nil", err)
	}
	err = h.front().Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "bad webhook") {
		t.Errorf("Run = %v, want the webhook's rejection", err)
	}
}
