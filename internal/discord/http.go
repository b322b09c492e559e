package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// errGone says the HTTP request ended before the interaction's response was ready.
var errGone = errors.New("the interactions request ended before the response")

// InteractionsHandler returns the handler for Discord's HTTP interactions endpoint
// (POST /discord/interactions). It answers 401 to a request without a valid Ed25519 signature
// or with a timestamp more than five minutes off, 413 to a body over 256 KiB, and 404 when
// Config.PublicKey is empty; only signed requests reach the bot. Commands, button presses and
// autocomplete are answered in the HTTP response, and deferred replies follow over REST.
func (d *Discord) InteractionsHandler() http.Handler {
	return http.HandlerFunc(d.serveInteraction)
}

func (d *Discord) serveInteraction(w http.ResponseWriter, r *http.Request) {
	if d.key == nil {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	sig, ts := r.Header.Get("X-Signature-Ed25519"), r.Header.Get("X-Signature-Timestamp")
	if sig == "" || ts == "" {
		http.Error(w, "missing signature", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	case err != nil:
		http.Error(w, "cannot read the request body", http.StatusBadRequest)
		return
	}
	if !d.verify(sig, ts, body) {
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	var in discordgo.Interaction
	if err := json.Unmarshal(body, &in); err != nil {
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	if in.Type == discordgo.InteractionPing {
		writeResponse(w, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
		return
	}
	// The interaction is answered in its own goroutine, which hands the initial response to
	// this one and continues with any edit after the HTTP response is written.
	first := make(chan *discordgo.InteractionResponse)
	written, gone, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	defer close(gone)
	started := d.spawn("interaction", func(ctx context.Context) {
		defer close(done)
		d.interact(ctx, &in, func(resp *discordgo.InteractionResponse) error {
			select {
			case first <- resp:
				<-written
				return nil
			case <-gone:
				return errGone
			}
		}, false)
	})
	if !started {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	select {
	case resp := <-first:
		writeResponse(w, resp)
		close(written)
	case <-done:
		http.Error(w, "unsupported interaction", http.StatusBadRequest)
	case <-r.Context().Done():
	}
}

// verify checks the Ed25519 signature over timestamp and body, and that the timestamp is
// recent, so a captured request cannot be replayed later.
func (d *Discord) verify(sig, ts string, body []byte) bool {
	s, err := hex.DecodeString(sig)
	if err != nil || len(s) != ed25519.SignatureSize {
		return false
	}
	if !ed25519.Verify(d.key, append([]byte(ts), body...), s) {
		return false
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	age := d.now().Sub(time.Unix(sec, 0))
	return age <= maxSkew && age >= -maxSkew
}

// writeResponse writes an interaction response and flushes it, so Discord has it before any
// edit of it arrives over REST.
func writeResponse(w http.ResponseWriter, resp *discordgo.InteractionResponse) {
	b, err := json.Marshal(resp)
	if err != nil {
		http.Error(w, "cannot encode the response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}
