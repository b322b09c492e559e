package commands_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
)

// on says line as user on platform.
func (h *harness) on(platform domain.Platform, user, line string) domain.Reply {
	h.t.Helper()
	h.seq++
	p := commands.Parse(line)
	return h.bot.Respond(context.Background(), &commands.Request{
		ID: fmt.Sprintf("%s:u:%d", platform, h.seq), Platform: platform, UserID: user, ChatID: user, Private: true,
		Command: p.Command, Args: p.Args, Text: p.Text, Time: h.clock.Now(),
	})
}

var linkCode = regexp.MustCompile(`link code: ([A-Z2-9]{6})`)

func codeOf(t *testing.T, r domain.Reply) string {
	t.Helper()
	m := linkCode.FindStringSubmatch(r.Title)
	if m == nil {
		t.Fatalf("no link code in %q", r.Title)
	}
	return m[1]
}

func TestLinkConversation(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		h.say("/timezone Europe/Berlin")
		h.say("rolled 0.25 last night")
		h.on(domain.Discord, "7", "/timezone America/New_York")
		code := codeOf(t, h.say("/link"))
		for _, tc := range []struct{ line, want string }{
			{"/link ZZZZZ9", "That code doesn't work"},
			{"/link '; DROP", "That code doesn't work"},
			{"/link " + strings.Repeat("A", 300), "That code doesn't work"},
		} {
			contains(t, h.on(domain.Discord, "7", tc.line), tc.want)
		}
		contains(t, h.say("/link "+code), "code for this account")
		// Both accounts have a zone: the bot asks which one, and links with the one pressed.
		ask := h.on(domain.Discord, "7", code)
		contains(t, ask, "Which time zone?", "Europe/Berlin", "America/New_York")
		r := h.press("100", button(t, ask, "America/New_York"))
		if !strings.Contains(r.Text, "isn't yours") {
			t.Errorf("a Telegram user pressed Discord's button: %q", r.Text)
		}
		h.seq++
		linked := h.bot.Respond(context.Background(), &commands.Request{ID: "dc:c:1", Platform: domain.Discord, UserID: "7", ChatID: "7", Private: true,
			Button: button(t, ask, "Europe/Berlin").Data, Time: h.clock.Now()})
		contains(t, linked, "Linked", "1 session", "Time zone: Europe/Berlin")
		contains(t, h.on(domain.Discord, "7", "/history"), "0.25 mm", "Times are in Europe/Berlin")
		contains(t, h.on(domain.Discord, "7", "/timezone"), "Europe/Berlin")
		contains(t, h.on(domain.Discord, "7", "/forget"), "Your accounts are linked", "gone on all of them")
	})
}

func TestLinkAttemptsAreLimited(t *testing.T) {
	h := newHarness(t, redis.NewClient(&redis.Options{Addr: miniredis.RunT(t).Addr()}))
	code := codeOf(t, h.say("/link"))
	for i := range 5 {
		contains(t, h.on(domain.Discord, "9", fmt.Sprintf("/link AAAAA%d", i+2)), "doesn't work")
	}
	contains(t, h.on(domain.Discord, "9", "/link "+code), "too many codes tried")
	if list, _ := h.st.Identities(context.Background(), "tg:100"); len(list) != 0 {
		t.Errorf("linked after too many tries: %v", list)
	}
}

// FuzzLinkAndEntries sends what a fuzzer makes up to the commands that parse numbers, codes and
// times, and as a plain message: every reply is a friendly sentence, never a failure.
func FuzzLinkAndEntries(f *testing.F) {
	for _, s := range []string{"1", "7 0.5 peptides", "#2 yesterday", "K7QF2D", "-1", "1e9", "０", "1 at 25:00", "\x00", "9pm weekdays", "telegram"} {
		f.Add(s)
	}
	h := newHarness(f, redis.NewClient(&redis.Options{Addr: miniredis.RunT(f).Addr()}))
	h.say("rolled 0.25 last night")
	f.Fuzz(func(t *testing.T, s string) {
		h.t = t
		for _, line := range []string{"/delete " + s, "/edit " + s, "/link " + s, "/remind set " + s, "/remind where " + s, s} {
			r := h.say(line)
			if r.Text == "" && r.Title == "" {
				t.Errorf("%q: empty reply", line)
			}
			if strings.Contains(r.Text, "Something went wrong") {
				t.Errorf("%q: %q", line, r.Text)
			}
		}
		h.say("/remind off")
	})
}
