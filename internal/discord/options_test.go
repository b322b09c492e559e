package discord

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/store"
)

// A NUMBER option that does not hold a number (a forged or broken client's interaction, still
// signed) is refused with a friendly reply and stores nothing.
func TestNumberOptionsAreNumbers(t *testing.T) {
	t.Parallel()
	now := &clock{t: time.Date(2026, 11, 28, 21, 30, 0, 0, time.UTC)}
	st := store.New(redis.NewClient(&redis.Options{Addr: miniredis.RunT(t).Addr()}), store.WithClock(now.Now))
	bot := commands.New(commands.Config{KB: sharedKB(), Store: st, ButtonKey: []byte("discord-options-key-discord-opts!"), Now: now.Now})
	f := newFake(t)
	r := start(t, f, bot, func(c *Config) { c.Now = now.Now })
	for i, tc := range []struct {
		value any
		want  string
	}{
		{"abc", "The needle option takes a number"},
		{"NaN", "The needle option takes a number"},
		{9.5, "The needle option takes a number from 0.2 to 3"},
		{"0.25", "Logged"},
	} {
		in := slash(t, 60+i, "log", map[string]any{"type": 10, "name": "needle", "value": tc.value})
		r.conn.Dispatch(t, "INTERACTION_CREATE", in)
		content, _ := data(t, f.WaitCall(t, "POST", callback(in)))["content"].(string)
		if !strings.Contains(content, tc.want) {
			t.Errorf("needle %v: %q, want %q", tc.value, content, tc.want)
		}
	}
	list, _ := st.ListSessions(context.Background(), domain.Owner("dc:"+testUser), 0)
	if len(list) != 1 || list[0].NeedleMM != 0.25 || list[0].Note != "" {
		t.Errorf("sessions = %+v, want only the 0.25 mm one, without a note", list)
	}
}

// The commands work in servers, DMs with the bot and group DMs, installed to a server or to a
// user, for members who may send messages; /log's serum is completed from the products the
// diary knows.
func TestWhereCommandsWorkAndSerumCompletion(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	r := start(t, f, newKBBot(), nil)
	put := f.WaitCall(t, "PUT", "/commands")
	for _, c := range put.List {
		cmd := c.(map[string]any)
		if fmt.Sprint(cmd["integration_types"]) != "[0 1]" || fmt.Sprint(cmd["contexts"]) != "[0 1 2]" || cmd["default_member_permissions"] != "2048" {
			t.Errorf("/%s: installs %v, contexts %v, permissions %v", cmd["name"], cmd["integration_types"], cmd["contexts"], cmd["default_member_permissions"])
		}
	}
	in := fresh(payload(t, "interaction_autocomplete.json"), 70)
	d := in["data"].(map[string]any)
	d["name"] = "log"
	d["options"] = []any{map[string]any{"type": 3, "name": "serum", "value": "hyal", "focused": true}}
	r.conn.Dispatch(t, "INTERACTION_CREATE", in)
	cb := f.WaitCall(t, "POST", callback(in))
	var names []string
	for _, c := range data(t, cb)["choices"].([]any) {
		names = append(names, c.(map[string]any)["name"].(string))
	}
	if len(names) == 0 || names[0] != "hyaluronic acid" {
		t.Errorf("serum completions for %q = %q, want hyaluronic acid first", "hyal", names)
	}
}

// A token Discord refuses says what to check, not "discord: open gateway: HTTP 401".
func TestRefusedTokenSaysWhatToCheck(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.Fail("GET", "/gateway", failure{Status: 401, Body: `{"message": "401: Unauthorized", "code": 0}`})
	d, err := New(config(f, newLogSink()), newKBBot())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // a guard: it fails at once
	defer cancel()
	err = d.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "DISCORD_TOKEN was refused by Discord (401 Unauthorized): check the bot token") {
		t.Errorf("Run = %v, want the token refused", err)
	}
	if strings.Contains(fmt.Sprint(err), testToken) {
		t.Errorf("the error holds the token: %v", err)
	}
}
