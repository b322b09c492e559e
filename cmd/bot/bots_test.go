package main

import (
	"context"
	"testing"

	"github.com/needlebot/needlebot/internal/redistest"
)

// TestStartupSaysWhoseDataRedisHolds: issue 14, point 3. At start-up the log says which bots a
// Redis holds data for, and the Telegram front end, once it knows its own id, adds itself and
// warns of another bot's data.
func TestStartupSaysWhoseDataRedisHolds(t *testing.T) {
	srv := redistest.Start(t)
	srv.Client().HSet(context.Background(), "nb:bots", "tg:7", "@old_needle_bot")
	f := newFakeTelegram(t)
	b := startBot(t, env{"REDIS_URL": srv.URL(), "TELEGRAM_TOKEN": goodTelegramToken, "TELEGRAM_API_URL": f.URL})
	b.err.waitFor(t, "store: this Redis holds data for bots tg:7 @old_needle_bot")
	b.err.waitFor(t, "telegram: this Redis holds data for bots tg:42 @needlebot, tg:7 @old_needle_bot")
	b.err.waitFor(t, "also holds another Telegram bot's data")
	if got := srv.Client().HGet(context.Background(), "nb:bots", "tg:42").Val(); got != "@needlebot" {
		t.Errorf("nb:bots tg:42 = %q, want @needlebot", got)
	}
}
