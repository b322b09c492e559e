package telegram

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

// discordNotifier records the reminders the dispatcher hands to Discord.
type discordNotifier struct{ got []remind.Notice }

func (d *discordNotifier) Notify(_ context.Context, n remind.Notice) error {
	d.got = append(d.got, n)
	return nil
}

var codeIn = regexp.MustCompile(`link code: ([A-Z2-9]{6})`)

// TestLinkWithDiscord: Ana uses the bot on Discord (her requests go to the bot as the Discord
// front end makes them; the Discord package's own test drives the other direction through its
// fake) and links Telegram, through the fake Bot API, into the same diary.
func TestLinkWithDiscord(t *testing.T) {
	bot, st := storeBot(t)
	h := newHarness(t, bot)
	tg := h.run()
	ctx := context.Background()
	discord := func(id int, line string) domain.Reply {
		p := commands.Parse(line)
		return bot.Respond(ctx, &commands.Request{ID: fmt.Sprintf("dc:i:%d", id), Platform: domain.Discord, UserID: "777", ChatID: "777",
			Private: true, Command: p.Command, Args: p.Args, Text: p.Text, Time: testNow})
	}
	say := func(id int, line string) string {
		t.Helper()
		return visible(sent(t, h.exchange(privateText(id, line)), "sendMessage").Params.Get("text"))
	}
	discord(1, "/timezone Europe/Berlin")
	discord(2, "rolled 0.25 last night with peptides")
	discord(3, "/remind set 22:00")

	// /link on Telegram gives a code; sent as it is on Discord, it links.
	m := codeIn.FindStringSubmatch(say(1, "/link"))
	if m == nil {
		t.Fatal("no link code in the reply to /link")
	}
	linked := discord(4, m[1])
	wantContains(t, linked.Title+" "+linked.Text, "Linked", "1 session and 1 reminder", "Europe/Berlin")
	// The same Discord event again (a redelivery) changes nothing.
	again := discord(4, m[1])
	wantContains(t, again.Title, "Linked")
	person, err := st.Owner(ctx, domain.Identity{Platform: domain.Telegram, User: "42"})
	if err != nil {
		t.Fatal(err)
	}
	if list, _ := st.ListSessions(ctx, person, 0); len(list) != 1 {
		t.Fatalf("%d sessions after the replayed link, want 1", len(list))
	}

	// One diary: Telegram sees Discord's session, Discord sees Telegram's.
	wantContains(t, say(2, "/history"), "0.25 mm · peptides", "Times are in Europe/Berlin")
	say(3, "/log 0.5 on wednesday")
	wantContains(t, discord(5, "/history").Text, "0.5 mm", "0.25 mm · peptides")

	// Reminders go where they were set until the user says otherwise.
	wantContains(t, say(4, "/remind where"), "arrive on Discord", "/remind where discord or telegram")
	wantContains(t, say(5, "/remind where telegram"), "now arrive on Telegram")
	if n := st.Client().ZCard(ctx, store.DueKey(domain.Discord)).Val(); n != 0 {
		t.Errorf("Discord's due index holds %d, want 0", n)
	}
	due := st.Client().ZRangeWithScores(ctx, store.DueKey(domain.Telegram), 0, -1).Val()
	if len(due) != 1 {
		t.Fatalf("Telegram's due index = %v, want one reminder", due)
	}
	at := time.UnixMilli(int64(due[0].Score))
	if berlin, _ := time.LoadLocation("Europe/Berlin"); at.In(berlin).Hour() != 22 {
		t.Errorf("reminder due at %v, want 22:00 in Berlin", at)
	}
	dc := &discordNotifier{}
	notifiers := map[domain.Platform]remind.Notifier{domain.Telegram: tg, domain.Discord: dc}
	for _, instant := range []time.Time{at, at.Add(time.Minute)} { // two dispatchers, one after the other
		d := remind.New(remind.Config{Queue: st, Composer: bot, Notifiers: notifiers, Clock: stillClock{instant}})
		if _, err := d.Round(ctx); err != nil {
			t.Fatal(err)
		}
	}
	reminders := 0
	for _, c := range h.api.Since(0) {
		if c.Method == "sendMessage" && strings.Contains(c.Params.Get("text"), "<b>Reminder</b>") {
			reminders++
		}
	}
	if reminders != 1 || len(dc.got) != 0 {
		t.Errorf("reminders: %d on Telegram, %d on Discord; want exactly one, on Telegram", reminders, len(dc.got))
	}

	// /unlink on Telegram: the diary stays here, Discord starts afresh.
	wantContains(t, say(6, "/unlink"), "stay with this Telegram account")
	wantContains(t, say(7, "/history"), "0.5 mm", "0.25 mm")
	wantContains(t, discord(6, "/history").Text, "Your diary is empty")

	// /forget deletes the whole person: no key or member names either account or the person.
	link := codeIn.FindStringSubmatch(say(8, "/link"))
	discord(7, link[1])
	forget := sent(t, h.exchange(privateText(9, "/forget")), "sendMessage")
	h.exchange(press(10, userID, "private", 9001, buttonData(t, forget, "Yes, delete everything")))
	for _, name := range []string{"tg:42", "dc:777", string(person)} {
		if where := redistest.Mentions(ctx, st.Client(), name); where != "" {
			t.Errorf("after /forget %s", where)
		}
	}
	wantContains(t, discord(8, "/history").Text, "Your diary is empty")
}
