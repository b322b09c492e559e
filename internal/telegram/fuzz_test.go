package telegram

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// actionable reports, independently of translate, whether body can be something the bot
// answers: a message with text or a button press with data. Anything else is junk.
func actionable(body []byte) bool {
	var u struct {
		Message *struct {
			Text string `json:"text"`
		} `json:"message"`
		CallbackQuery *struct {
			Data string `json:"data"`
		} `json:"callback_query"`
	}
	if json.Unmarshal(body, &u) != nil {
		return false
	}
	return u.Message != nil && u.Message.Text != "" || u.CallbackQuery != nil && u.CallbackQuery.Data != ""
}

// FuzzUpdate feeds update JSON to the webhook handler: it must never panic, and junk must
// neither reach the bot nor write anything.
func FuzzUpdate(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	h := newHarness(f, realBot())
	h.cfg.WebhookURL, h.cfg.WebhookSecret = "https://bot.example.com/hook", testSecret
	f.Fuzz(func(t *testing.T, body []byte) {
		h.api.Reset()
		h.state = newFakeState()
		h.bot = &spyBot{Responder: h.bot.Responder}
		h.t = t
		tg := h.front()
		tg.self.Store(newSelf(tgbotapi.User{ID: testBotID, IsBot: true, UserName: testBotTag}))
		w := post(tg, http.MethodPost, testSecret, body)
		if w.Code != http.StatusOK && w.Code != http.StatusBadRequest && w.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d", w.Code)
		}
		if w.Code != http.StatusOK || !actionable(body) {
			if n := len(h.bot.requests()); n != 0 {
				t.Errorf("junk reached the bot %d times", n)
			}
			if n := h.state.writes(); n != 0 {
				t.Errorf("junk wrote to the state %d times", n)
			}
		}
	})
}
