package discord

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/redistest"
	"github.com/needlebot/needlebot/internal/remind"
	"github.com/needlebot/needlebot/internal/store"
)

// telegramNotifier records the reminders the dispatcher hands to Telegram.
type telegramNotifier struct{ got []remind.Notice }

func (n *telegramNotifier) Notify(_ context.Context, x remind.Notice) error {
	n.got = append(n.got, x)
	return nil
}

// TestLinkWithTelegram: Ana uses the bot on Telegram (her requests go to the bot as the
// Telegram front end makes them; the Telegram package's own test drives the other direction
// through its fake Bot API) and links Discord, through the fake Discord, into the same diary.
func TestLinkWithTelegram(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := &clock{t: time.Date(2026, 11, 28, 21, 30, 0, 0, time.UTC)}
	st := store.New(redistest.Start(t).Client(), store.WithClock(now.Now))
	bot := commands.New(commands.Config{KB: sharedKB(), Store: st, ButtonKey: []byte("discord-link-key-discord-link-key"), Now: now.Now})
	f := newFake(t)
	r := start(t, f, bot, func(c *Config) { c.Now = now.Now })
	telegram := func(id int, line string) domain.Reply {
		p := commands.Parse(line)
		return bot.Respond(ctx, &commands.Request{ID: fmt.Sprintf("tg:u:%d", id), Platform: domain.Telegram, UserID: "42", ChatID: "42",
			Private: true, Command: p.Command, Args: p.Args, Text: p.Text, Time: now.Now()})
	}
	n := 40
	ask := func(name string, options ...any) string {
		t.Helper()
		n++
		in := slash(t, n, name, options...)
		r.conn.Dispatch(t, "INTERACTION_CREATE", in)
		content, _ := data(t, f.WaitCall(t, "POST", callback(in)))["content"].(string)
		return content
	}
	want := func(got string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(got, w) {
				t.Errorf("%q lacks %q", got, w)
			}
		}
	}
	telegram(1, "/timezone America/New_York")
	telegram(2, "rolled 0.25 last night with peptides")
	telegram(3, "/remind set 21:00")

	// The code comes from Telegram and is sent with /link on Discord.
	code := regexp.MustCompile(`link code: ([A-Z2-9]{6})`).FindStringSubmatch(telegram(4, "/link").Title)
	if code == nil {
		t.Fatal("no link code")
	}
	linked := ask("link", map[string]any{"type": 3, "name": "code", "value": code[1]})
	want(linked, "Linked", "1 session and 1 reminder", "America/New", "Reminders arrive on Telegram")

	// One diary both ways.
	want(ask("history"), "0.25 mm · peptides", "America/New")
	telegram(5, "/log 0.5 on wednesday")
	want(ask("history"), "0.5 mm")

	// Reminders to Discord: delivered once, by direct message, at 21:00 New York time.
	want(ask("remind", map[string]any{"type": 1, "name": "where", "options": []any{
		map[string]any{"type": 3, "name": "app", "value": "discord"},
	}}), "now arrive on Discord")
	tg := &telegramNotifier{}
	newYork, _ := time.LoadLocation("America/New_York")
	due := time.Date(2026, 11, 28, 21, 0, 0, 0, newYork)
	for _, at := range []time.Time{due.Add(time.Second), due.Add(time.Minute)} {
		now.Set(at)
		d := remind.New(remind.Config{Queue: st, Composer: bot, Clock: now,
			Notifiers: map[domain.Platform]remind.Notifier{domain.Discord: r.d, domain.Telegram: tg}})
		if _, err := d.Round(ctx); err != nil {
			t.Fatal(err)
		}
	}
	reminder := f.WaitCall(t, "POST", "/channels/"+testDM+"/messages")
	if content, _ := reminder.JSON["content"].(string); !strings.HasPrefix(content, "**Reminder**") {
		t.Errorf("direct message = %s, want the reminder", reminder.Body)
	}
	dms := 0
	for _, c := range f.Recorded() {
		if c.Method == "POST" && strings.HasSuffix(c.Path, "/channels/"+testDM+"/messages") {
			dms++
		}
	}
	if got := dms; got != 1 || len(tg.got) != 0 {
		t.Errorf("%d reminders by Discord DM and %d on Telegram; want one, on Discord", got, len(tg.got))
	}

	// /unlink on Discord keeps the diary here; Telegram starts afresh.
	want(ask("unlink"), "stay with this Discord account")
	want(telegram(6, "/history").Text, "Your diary is empty")
	want(ask("history"), "0.5 mm", "0.25 mm")

	// Linked again, /forget on Telegram deletes the person: nothing names anyone.
	code = regexp.MustCompile(`link code: ([A-Z2-9]{6})`).FindStringSubmatch(ask("link"))
	if code == nil {
		t.Fatal("no second link code")
	}
	want(telegram(7, code[1]).Title, "Linked")
	person, _ := st.Owner(ctx, domain.Identity{Platform: domain.Discord, User: testUser})
	forget := telegram(8, "/forget")
	press := &commands.Request{ID: "tg:c:9", Platform: domain.Telegram, UserID: "42", ChatID: "42", Private: true,
		Button: forget.Buttons[0][0].Data, Time: now.Now()}
	want(bot.Respond(ctx, press).Text, "deleted")
	for _, name := range []string{"tg:42", "dc:" + testUser, string(person)} {
		if where := redistest.Mentions(ctx, st.Client(), name); where != "" {
			t.Errorf("after /forget %s", where)
		}
	}
	want(ask("history"), "Your diary is empty")
}
