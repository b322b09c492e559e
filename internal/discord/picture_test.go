package discord

import (
	"bytes"
	"context"
	"image/png"
	"strings"
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

// The month's picture comes as an image attachment of the ephemeral /stats reply; the weekly
// summary and the morning check-in come by direct message at their local times, the summary
// with the picture, and the check-in's button keeps the answer.
func TestPictureSummaryAndCheckinThroughDiscord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := &clock{t: time.Date(2024, 7, 5, 12, 0, 0, 0, time.UTC)} // a Friday
	st := store.New(redis.NewClient(&redis.Options{Addr: miniredis.RunT(t).Addr()}), store.WithClock(now.Now))
	bot := commands.New(commands.Config{KB: sharedKB(), Store: st, ButtonKey: []byte("discord-e2e-key-discord-e2e-key!"), Now: now.Now})
	f := newFake(t)
	r := start(t, f, bot, func(c *Config) { c.Now = now.Now })
	owner := domain.Owner("dc:" + testUser)
	dmMessages := "/channels/" + testDM + "/messages"
	say := func(id int, name string, opts ...any) {
		t.Helper()
		in := slash(t, id, name, opts...)
		r.conn.Dispatch(t, "INTERACTION_CREATE", in)
		f.WaitCall(t, "POST", callback(in))
	}
	say(40, "checkin", map[string]any{"type": 1, "name": "on"})
	say(41, "summary", map[string]any{"type": 1, "name": "on"})
	now.Set(time.Date(2024, 7, 5, 21, 0, 0, 0, time.UTC))
	if _, err := st.AddSession(ctx, owner, domain.Session{At: now.Now(), NeedleMM: 0.25, Products: []string{"peptides"}}, "", now.Now()); err != nil {
		t.Fatal(err)
	}

	// /stats: an ephemeral reply with the picture attached.
	stats := slash(t, 42, "stats")
	r.conn.Dispatch(t, "INTERACTION_CREATE", stats)
	cb := f.WaitCall(t, "POST", callback(stats))
	pic := cb.Files["2024-07.png"]
	if img, err := png.Decode(strings.NewReader(pic)); err != nil || img.Bounds().Dx() < 600 {
		t.Fatalf("/stats attached %v (%v), want the month's picture; reply %.300s", keys(cb.Files), err, cb.Body)
	}
	if d := data(t, cb); num(d["flags"]) != int(discordgo.MessageFlagsEphemeral) || !strings.Contains(d["content"].(string), "July 2024: 1 session") {
		t.Errorf("/stats reply %.300s, want it ephemeral with the picture's alt text", cb.Body)
	}

	disp := remind.New(remind.Config{Queue: st, Composer: bot, Clock: now, Notifiers: map[domain.Platform]remind.Notifier{domain.Discord: r.d}})
	round := func(at time.Time) int {
		t.Helper()
		now.Set(at)
		n, err := disp.Round(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Saturday 09:00: the check-in about Friday night, by direct message.
	if n := round(time.Date(2024, 7, 6, 9, 0, 30, 0, time.UTC)); n != 1 {
		t.Fatalf("%d due at 09:00 on Saturday, want the check-in", n)
	}
	msg := f.WaitCall(t, "POST", dmMessages)
	rows := buttons(msg.JSON["components"])
	if content, _ := msg.JSON["content"].(string); !strings.Contains(content, "How is your skin today?") || len(rows) == 0 || len(rows[0]) != 3 {
		t.Fatalf("check-in = %s", msg.Body)
	}
	press := fresh(payload(t, "interaction_component.json"), 43)
	press["data"].(map[string]any)["custom_id"] = rows[0][0] // Fine
	r.conn.Dispatch(t, "INTERACTION_CREATE", press)
	f.WaitCall(t, "POST", callback(press))
	if e, _, _ := st.Session(ctx, owner, 1); e.Skin != domain.SkinFine {
		t.Errorf("the session's check-in is %q, want fine", e.Skin)
	}
	// Sunday 19:00: the weekly summary, with the picture (Sunday's check-in, missed by hours
	// and with no session on Saturday night to ask about, is let go).
	round(time.Date(2024, 7, 7, 19, 0, 30, 0, time.UTC))
	sum := f.WaitCall(t, "POST", dmMessages)
	if content, _ := sum.JSON["content"].(string); !strings.Contains(content, "Your last seven days: 1 session") {
		t.Errorf("summary = %.300s", sum.Body)
	}
	if _, err := png.Decode(bytes.NewReader([]byte(sum.Files["2024-07.png"]))); err != nil {
		t.Errorf("the summary came without the picture: files %v", keys(sum.Files))
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
