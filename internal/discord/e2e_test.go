package discord

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/bwmarrin/discordgo"
	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/remind"
	"github.com/needlebot/needlebot/internal/store"
)

// clock is a time the test moves; it is the bot's, the store's and the dispatcher's.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// After never fires: the test drives the dispatcher round by round.
func (c *clock) After(time.Duration) <-chan time.Time { return nil }

// TestEndToEndWithStore drives the real bot over a real store through Discord: a session
// reported by direct message, /history, /remind set, the dispatcher's reminder by direct
// message, its Done button, time zone autocomplete and /export.
func TestEndToEndWithStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := &clock{t: time.Date(2024, 7, 8, 22, 45, 0, 0, time.UTC)}
	st := store.New(redis.NewClient(&redis.Options{Addr: miniredis.RunT(t).Addr()}), store.WithClock(now.Now))
	bot := commands.New(commands.Config{KB: sharedKB(), Store: st, ButtonKey: []byte("discord-e2e-key-discord-e2e-key!"), Now: now.Now})
	f := newFake(t)
	r := start(t, f, bot, func(c *Config) { c.Now = now.Now })
	owner := domain.Owner("dc:" + testUser)
	dmMessages := "/channels/" + testDM + "/messages"

	sessions := func() int {
		t.Helper()
		list, err := st.ListSessions(ctx, owner, 0)
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}

	// A session reported in a direct message is logged, once even if Discord delivers it twice.
	report := payload(t, "message_create_dm.json")
	r.conn.Dispatch(t, "MESSAGE_CREATE", report)
	logged := f.WaitCall(t, "POST", dmMessages)
	if n := sessions(); n != 1 {
		t.Fatalf("%d sessions after the report %q, want 1; the bot said %q", n, report["content"], logged.JSON["content"])
	}
	if len(buttons(logged.JSON["components"])) == 0 {
		t.Errorf("the logged session has no buttons (Undo): %s", logged.Body)
	}
	r.conn.Dispatch(t, "MESSAGE_CREATE", report)
	f.WaitCall(t, "POST", dmMessages)
	if n := sessions(); n != 1 {
		t.Errorf("%d sessions after the same message came twice, want 1", n)
	}

	// /history in the server is ephemeral and shows it.
	history := slash(t, 30, "history")
	r.conn.Dispatch(t, "INTERACTION_CREATE", history)
	cb := f.WaitCall(t, "POST", callback(history))
	if d := data(t, cb); num(cb.JSON["type"]) != 4 || num(d["flags"]) != int(discordgo.MessageFlagsEphemeral) || !strings.Contains(d["content"].(string), "0.25") {
		t.Errorf("/history answered %s, want an ephemeral list with the 0.25 mm session", cb.Body)
	}

	// /remind set time:21:30 in the server.
	set := slash(t, 31, "remind", map[string]any{"type": 1, "name": "set", "options": []any{
		map[string]any{"type": 3, "name": "time", "value": "21:30"},
	}})
	r.conn.Dispatch(t, "INTERACTION_CREATE", set)
	cb = f.WaitCall(t, "POST", callback(set))
	if d := data(t, cb); num(d["flags"]) != int(discordgo.MessageFlagsEphemeral) || !strings.Contains(d["content"].(string), "Reminder set") {
		t.Fatalf("/remind set answered %s, want an ephemeral confirmation", cb.Body)
	}

	// The next evening the dispatcher delivers it by direct message, with buttons.
	now.Set(time.Date(2024, 7, 9, 21, 31, 0, 0, time.UTC))
	disp := remind.New(remind.Config{Queue: st, Composer: bot, Clock: now, Notifiers: map[domain.Platform]remind.Notifier{domain.Discord: r.d}})
	if n, err := disp.Round(ctx); err != nil || n != 1 {
		t.Fatalf("Round = %d, %v; want the one reminder", n, err)
	}
	if ch := f.WaitCall(t, "POST", "/users/@me/channels"); ch.JSON["recipient_id"] != testUser {
		t.Errorf("DM opened with %v, want %s", ch.JSON["recipient_id"], testUser)
	}
	reminder := f.WaitCall(t, "POST", dmMessages)
	rows := buttons(reminder.JSON["components"])
	if content, _ := reminder.JSON["content"].(string); !strings.HasPrefix(content, "**Reminder**") || len(rows) == 0 {
		t.Fatalf("reminder = %s, want the reminder with its buttons", reminder.Body)
	}

	// Pressing Done updates the reminder and logs the session.
	press := fresh(payload(t, "interaction_component.json"), 32)
	press["data"].(map[string]any)["custom_id"] = rows[0][0]
	r.conn.Dispatch(t, "INTERACTION_CREATE", press)
	cb = f.WaitCall(t, "POST", callback(press))
	if content, _ := data(t, cb)["content"].(string); num(cb.JSON["type"]) != int(discordgo.InteractionResponseUpdateMessage) ||
		strings.Contains(content, "no longer works") || strings.Contains(content, "isn't yours") {
		t.Errorf("Done answered %s, want the reminder updated", cb.Body)
	}
	if n := sessions(); n != 2 {
		t.Errorf("%d sessions after Done, want 2", n)
	}

	// Autocomplete offers the real time zones.
	zone := payload(t, "interaction_autocomplete.json")
	r.conn.Dispatch(t, "INTERACTION_CREATE", zone)
	cb = f.WaitCall(t, "POST", callback(zone))
	var names []string
	for _, c := range data(t, cb)["choices"].([]any) {
		names = append(names, c.(map[string]any)["name"].(string))
	}
	if num(cb.JSON["type"]) != 8 || !slices.Contains(names, "Europe/Berlin") {
		t.Errorf("autocomplete for Europe/Be offered %q, want Europe/Berlin among them", names)
	}

	// /export is slow: deferred privately, then the CSV arrives in the edit.
	export := slash(t, 33, "export")
	r.conn.Dispatch(t, "INTERACTION_CREATE", export)
	cb = f.WaitCall(t, "POST", callback(export))
	if num(cb.JSON["type"]) != 5 || num(data(t, cb)["flags"]) != int(discordgo.MessageFlagsEphemeral) {
		t.Errorf("/export acknowledged with %s, want an ephemeral deferral", cb.Body)
	}
	edit := f.WaitCall(t, "PATCH", original(export))
	csv := edit.Files["needlebot-sessions-2024-07-09.csv"]
	if strings.Count(csv, "\n") != 3 || !strings.Contains(csv, "0.25") {
		t.Errorf("exported %q (files %v), want a header and two sessions", csv, edit.Files)
	}
}

// TestNagRepeatsFollowTheFirstReminder: a nagging reminder's repeat comes as a reply to the
// first reminder's message, and Done pressed on the repeat stops the ones after it. Through the
// real dispatcher and bot, round by round on the fake clock.
func TestNagRepeatsFollowTheFirstReminder(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	now := &clock{t: time.Date(2024, 7, 8, 22, 45, 0, 0, time.UTC)}
	st := store.New(redis.NewClient(&redis.Options{Addr: miniredis.RunT(t).Addr()}), store.WithClock(now.Now))
	bot := commands.New(commands.Config{KB: sharedKB(), Store: st, ButtonKey: []byte("discord-e2e-key-discord-e2e-key!"), Now: now.Now})
	f := newFake(t)
	r := start(t, f, bot, func(c *Config) { c.Now = now.Now })

	set := slash(t, 50, "remind", map[string]any{"type": 1, "name": "set", "options": []any{
		map[string]any{"type": 3, "name": "time", "value": "21:30"},
		map[string]any{"type": 3, "name": "nag", "value": "20m"},
	}})
	r.conn.Dispatch(t, "INTERACTION_CREATE", set)
	if content, _ := data(t, f.WaitCall(t, "POST", callback(set)))["content"].(string); !strings.Contains(content, "every 20 min") {
		t.Fatalf("/remind set 21:30 nag 20m answered %q, want a nagging reminder", content)
	}

	disp := remind.New(remind.Config{Queue: st, Composer: bot, Clock: now, Notifiers: map[domain.Platform]remind.Notifier{domain.Discord: r.d}})
	round := func(at time.Time) []call {
		t.Helper()
		now.Set(at)
		before := len(f.SentTo(testDM))
		if _, err := disp.Round(ctx); err != nil {
			t.Fatal(err)
		}
		return f.SentTo(testDM)[before:] // Round returns once its sends are done
	}
	reply := func(c call) string {
		ref, _ := c.JSON["message_reference"].(map[string]any)
		id, _ := ref["message_id"].(string)
		return id
	}
	first := round(time.Date(2024, 7, 9, 21, 30, 30, 0, time.UTC))
	if len(first) != 1 || reply(first[0]) != "" {
		t.Fatalf("at 21:30: %d messages, want the first reminder on its own", len(first))
	}
	repeat := round(time.Date(2024, 7, 9, 21, 50, 30, 0, time.UTC))
	if len(repeat) != 1 {
		t.Fatalf("at 21:50: %d messages, want the repeat", len(repeat))
	}
	if got, want := reply(repeat[0]), first[0].ID; got == "" || got != want {
		t.Errorf("the repeat replies to %q, want the first reminder %q", got, want)
	}
	if ref, _ := repeat[0].JSON["message_reference"].(map[string]any); ref["fail_if_not_exists"] != false {
		t.Errorf("message_reference = %v, want fail_if_not_exists false (a deleted first reminder must not stop the repeat)", ref)
	}
	if content, _ := repeat[0].JSON["content"].(string); !strings.Contains(content, "Reminder 2 of 4") {
		t.Errorf("repeat = %q, want it to say it is the second", content)
	}

	// Done on the repeat settles them all.
	rows := buttons(repeat[0].JSON["components"])
	if len(rows) == 0 {
		t.Fatalf("the repeat has no buttons: %s", repeat[0].Body)
	}
	press := fresh(payload(t, "interaction_component.json"), 51)
	press["data"].(map[string]any)["custom_id"] = rows[0][0]
	press["message"].(map[string]any)["id"] = repeat[0].ID
	r.conn.Dispatch(t, "INTERACTION_CREATE", press)
	if content, _ := data(t, f.WaitCall(t, "POST", callback(press)))["content"].(string); !strings.Contains(content, "Logged") {
		t.Errorf("Done answered %q, want the session logged", content)
	}
	if later := round(time.Date(2024, 7, 9, 22, 10, 30, 0, time.UTC)); len(later) != 0 {
		t.Errorf("at 22:10, after Done: %d messages (%q), want none", len(later), later[0].JSON["content"])
	}
}
