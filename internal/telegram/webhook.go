package telegram

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// maxWebhookBody caps what the webhook reads; a real update is a few kilobytes.
const maxWebhookBody = 1 << 20

// secretHeader carries the webhook's secret_token on every request from Telegram.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// setWebhook asks Telegram to send updates to the webhook URL, with the secret.
func (t *Telegram) setWebhook(ctx context.Context) error {
	params := tgbotapi.Params{"url": t.webhookURL, "secret_token": t.secret, "allowed_updates": allowedUpdates}
	if _, err := t.method(ctx, callTimeout, "setWebhook", params); err != nil {
		return fmt.Errorf("telegram: set webhook: %w", err)
	}
	return nil
}

// WebhookHandler serves the updates Telegram POSTs in webhook mode. It answers 200 once an
// update is handled (or deliberately ignored) and 5xx when it should come again, which
// Telegram does: when handling failed, or while another delivery of the same update is being
// handled (503), so that of simultaneous deliveries one is answered. Requests without the secret (401), not POSTs (405), over 1 MiB (413) or not
// JSON or with an update_id under 1 (400) are refused before anything is called or written. Any number of instances may
// serve it behind a load balancer, as State is shared.
func (t *Telegram) WebhookHandler() http.Handler { return http.HandlerFunc(t.serveWebhook) }

func (t *Telegram) serveWebhook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !t.authentic(r.Header.Get(secretHeader)) {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		http.Error(w, "update too large", http.StatusRequestEntityTooLarge)
		return
	case err != nil:
		http.Error(w, "cannot read update", http.StatusBadRequest)
		return
	}
	u, err := decodeUpdate(body)
	if err != nil {
		http.Error(w, "malformed update", http.StatusBadRequest)
		return
	}
	if u.UpdateID <= 0 { // Telegram numbers updates from 1; polling skips these too
		http.Error(w, "update_id must be positive", http.StatusBadRequest)
		return
	}
	me := t.self.Load()
	if me == nil { // Run has not learnt the bot's name yet; Telegram will send it again
		w.Header().Set("Retry-After", "5")
		http.Error(w, "not ready", http.StatusServiceUnavailable)
		return
	}
	// handleTimeout bounds the handling as in polling, so that it ends within its claim; the
	// wait for the chat's turn and a slot comes before it, bounded by Telegram's patience.
	err = t.handleHooked(r.Context(), u, me)
	if errors.Is(err, errBusy) {
		// Another delivery of this update is being answered here or on another instance. It
		// comes again later and is then found handled, or, if that delivery failed, handled.
		w.Header().Set("Retry-After", "5")
		http.Error(w, "being handled", http.StatusServiceUnavailable)
		return
	}
	if err != nil {
		t.log.Warn("telegram: webhook update will be retried by Telegram", "update", u.UpdateID, "err", err)
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// handleHooked handles a webhook update as polling does: in its chat's turn (the order updates
// of one chat arrive at this instance) and in a slot. Another delivery of an update this
// instance is handling already does not queue behind it: its claim tells it to come again.
func (t *Telegram) handleHooked(ctx context.Context, u tgbotapi.Update, me *self) error {
	t.hooked.Lock()
	dup := t.inflight[u.UpdateID]
	t.inflight[u.UpdateID] = true
	t.hooked.Unlock()
	handle := func() error {
		hctx, cancel := context.WithTimeout(ctx, handleTimeout)
		defer cancel()
		_, err := t.handle(hctx, u, me)
		return err
	}
	if dup {
		return handle()
	}
	defer func() {
		t.hooked.Lock()
		delete(t.inflight, u.UpdateID)
		t.hooked.Unlock()
	}()
	key := t.order(u)
	tr := t.turns.take(key)
	defer tr.done()
	if err := tr.wait(ctx); err != nil {
		return err
	}
	t.ready(ctx, key)
	if !t.slot(ctx) {
		return ctx.Err()
	}
	defer t.unslot()
	return handle()
}

// authentic reports whether got is the webhook secret. Comparing hashes in constant time
// reveals neither the secret's content nor its length; with no secret configured (polling
// mode) nothing is authentic.
func (t *Telegram) authentic(got string) bool {
	if t.secret == "" {
		return false
	}
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(t.secret))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}
