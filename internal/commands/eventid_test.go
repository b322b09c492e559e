package commands

import (
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/kb"
)

// TestHeldButtonsFitWithLongestEventIDs: a held session's buttons carry the event id of the
// message that reported it, and must fit Telegram's 64 bytes of callback data with the longest
// ids the front ends make: Telegram's carry the bot's six-character tag and a ten-digit update
// id (internal/telegram's TestEventIDs checks that this is its longest), Discord's a snowflake.
func TestHeldButtonsFitWithLongestEventIDs(t *testing.T) {
	now := time.Date(2026, 11, 28, 21, 30, 0, 0, time.UTC)
	b := New(Config{KB: kb.Default(), ButtonKey: []byte("k"), Now: func() time.Time { return now }})
	for _, id := range []string{"tg:u:zzzzzz-9999999999", "dc:m:18446744073709551615", "dc:i:18446744073709551615"} {
		for _, choice := range []string{"", "d20261130", "m150", "x"} {
			data := b.heldButton("p:0123456789abcdef01", id, choice, "Log it").Data
			if len(data) > maxButtonData {
				t.Errorf("%s, %q: %d bytes of button data, over %d: %s", id, choice, len(data), maxButtonData, data)
			}
			verb, arg, ok, _ := b.sign.verify("p:0123456789abcdef01", data, now)
			if !ok || verb != "held" || arg[:len(id)] != id[:2]+"~"+id[3:4]+"~"+id[5:] {
				t.Errorf("%s, %q: %q does not verify back to the event (%s %s %v)", id, choice, data, verb, arg, ok)
			}
			if id[:2] == "tg" && choice == "d20261130" {
				t.Logf("longest Telegram held button: %d of %d bytes", len(data), maxButtonData)
			}
		}
	}
}
