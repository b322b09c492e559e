// Package e2e runs the bot's front ends together: the real Telegram and Discord front ends,
// with their client libraries, against the fake Telegram and the fake Discord at once, on one
// store, one bot and the real reminder dispatcher.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/discord"
	"github.com/needlebot/needlebot/internal/discord/discordtest"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/kb"
	"github.com/needlebot/needlebot/internal/redistest"
	"github.com/needlebot/needlebot/internal/remind"
	"github.com/needlebot/needlebot/internal/store"
	"github.com/needlebot/needlebot/internal/telegram"
	"github.com/needlebot/needlebot/internal/telegram/telegramtest"
)

// The two bots and the one user, Ana, who has an account on each.
const (
	tgToken = "123456:TOKEN-e2e_s3cr3t"
	tgUser  = 42
	dcToken = "MTI1MDAwMDAwMDAwMDAwMDAwMQ.GxYz12.fake-bot-token-never-logged"
	dcApp   = "1250000000000000001"
	dcGuild = "1100000000000000001"
	dcUser  = "800000000000000001" // the user of ../discord/testdata's payloads
	dcDM    = "1200000000000000020"
)

var (
	tgID = domain.Identity{Platform: domain.Telegram, User: strconv.Itoa(tgUser)}
	dcID = domain.Identity{Platform: domain.Discord, User: dcUser}
)

// clock is the time of the bot, the store, both front ends and the dispatcher; the test moves
// it. Its short waits (the dispatcher's pacing and backoffs) end at once, its long ones (lease
// renewal, polling) never: nothing sleeps for time.
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

func (c *clock) After(d time.Duration) <-chan time.Time {
	if d >= 10*time.Second {
		return nil
	}
	ch := make(chan time.Time, 1)
	ch <- c.Now()
	return ch
}

// newRedis is a real redis-server of the test's own; without one installed, a miniredis, unless
// CI is "true", where a missing Redis fails the test.
func newRedis(t *testing.T) redis.UniversalClient {
	if redistest.Binary() == "" && os.Getenv("CI") != "true" {
		t.Log("redis-server not installed: running on miniredis")
		return redis.NewClient(&redis.Options{Addr: miniredis.RunT(t).Addr()})
	}
	return redistest.Start(t).Client()
}

// testdata reads one of the Discord package's captured payloads.
func testdata(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "discord", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// run runs a front end until the test ends, failing it if Run fails or does not return.
func run(t *testing.T, name string, fn func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s: Run: %v", name, err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("%s: Run did not return within 10 s of being cancelled", name)
		}
	})
}

var (
	tags   = regexp.MustCompile(`<[^>]+>`)
	codeIn = regexp.MustCompile(`link code: ([A-Z2-9]{6})`)
)

func want(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%q lacks %q", got, w)
		}
	}
}

// TestLinkThroughBothFakes: Ana links her Telegram and Discord accounts, each through its real
// front end and its fake platform at once, and uses the one diary from both sides.
func TestLinkThroughBothFakes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, 11, 28, 20, 0, 0, 0, berlin)}
	st := store.New(newRedis(t), store.WithClock(clk.Now))
	bot := commands.New(commands.Config{KB: kb.Default(), Store: st, ButtonKey: []byte("e2e-link-key-e2e-link-key-e2e-li"), Now: clk.Now})
	logs := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logs = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}

	// Telegram: the real front end polling the fake Bot API, keeping its offset and the updates
	// it has handled in the store.
	tgf := telegramtest.New(t, tgToken)
	tg, err := telegram.New(telegram.Config{Token: tgToken, APIURL: tgf.URL(), PollTimeout: time.Second, Log: logs, Now: clk.Now}, bot, st)
	if err != nil {
		t.Fatal(err)
	}
	run(t, "telegram", tg.Run)
	tgf.Next("getUpdates")

	// Discord: the real front end on the fake's gateway, which refuses answers after 3 s.
	dcf := discordtest.New(t, discordtest.Options{Token: dcToken, App: dcApp, Guild: dcGuild, DM: dcDM}, testdata(t, "ready.json"))
	dcf.Window = 3 * time.Second
	dc, err := discord.New(discord.Config{Token: dcToken, GuildID: dcGuild, APIURL: dcf.URL(), Log: logs, Now: clk.Now}, bot)
	if err != nil {
		t.Fatal(err)
	}
	run(t, "discord", dc.Run)
	var conn *discordtest.Conn
	select {
	case conn = <-dcf.Conns:
	case <-ctx.Done():
		t.Fatal("Discord's front end never connected")
	}
	select {
	case <-conn.Beat:
	case <-ctx.Done():
		t.Fatal("Discord's front end never sent a heartbeat")
	}
	dcf.WaitCall(t, "PUT", "/commands")

	// What Ana does, and what each side answers.
	update := 0
	tgUpdate := func(line string) string { update++; return tgf.Text(update, tgUser, clk.Now(), line) }
	reply := func(c telegramtest.Call) string {
		if got := c.Params.Get("chat_id"); got != strconv.Itoa(tgUser) {
			t.Errorf("Telegram %s to chat %s, want %d", c.Method, got, tgUser)
		}
		return html.UnescapeString(tags.ReplaceAllString(c.Params.Get("text"), ""))
	}
	onTelegram := func(line string) string {
		t.Helper()
		tgf.Push(tgUpdate(line))
		return reply(tgf.Next("sendMessage"))
	}
	snowflakes := int64(0)
	snowflake := func() string { // an id made now, as Discord's ids carry their time
		snowflakes++
		return strconv.FormatInt((clk.Now().UnixMilli()-1420070400000)<<22|snowflakes, 10)
	}
	answer := func(in map[string]any) string {
		t.Helper()
		cb := dcf.WaitCall(t, "POST", fmt.Sprintf("/interactions/%s/%s/callback", in["id"], in["token"]))
		if cb.Status != 200 {
			t.Fatalf("the answer to /%v was refused with %d: %s", in["data"].(map[string]any)["name"], cb.Status, cb.Body)
		}
		if cb.JSON["type"] == float64(5) { // deferred: the answer edits the original response
			cb = dcf.WaitCall(t, "PATCH", fmt.Sprintf("/webhooks/%s/%s/messages/@original", dcApp, in["token"]))
			content, _ := cb.JSON["content"].(string)
			return content
		}
		data, _ := cb.JSON["data"].(map[string]any)
		content, _ := data["content"].(string)
		return content
	}
	slash := func(name string, options ...any) map[string]any {
		in := testdata(t, "interaction_command.json")
		in["id"] = snowflake()
		in["token"] = "aW50ZXJhY3Rpb24tdG9rZW4t" + in["id"].(string)
		d := in["data"].(map[string]any)
		d["name"], d["options"] = name, options
		return in
	}
	onDiscord := func(name string, options ...any) string {
		t.Helper()
		in := slash(name, options...)
		conn.Dispatch(t, "INTERACTION_CREATE", in)
		return answer(in)
	}
	option := func(name, value string) any { return map[string]any{"type": 3, "name": name, "value": value} }
	dmDiscord := func(text string) string {
		t.Helper()
		m := testdata(t, "message_create_dm.json")
		m["id"], m["content"], m["timestamp"] = snowflake(), text, clk.Now().UTC().Format(time.RFC3339Nano)
		conn.Dispatch(t, "MESSAGE_CREATE", m)
		content, _ := dcf.WaitCall(t, "POST", "/channels/"+dcDM+"/messages").JSON["content"].(string)
		return content
	}
	owner := func(id domain.Identity) domain.Owner {
		t.Helper()
		o, err := st.Owner(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	sessions := func(o domain.Owner) int {
		t.Helper()
		list, err := st.ListSessions(ctx, o, 0)
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	reminders := func(o domain.Owner) int {
		t.Helper()
		list, err := st.ListReminders(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	identities := func(o domain.Owner) []domain.Identity {
		t.Helper()
		ids, err := st.Identities(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(ids, func(a, b domain.Identity) int { return strings.Compare(a.String(), b.String()) })
		return ids
	}
	// state is what a replay must not change: who is who, the diary, the reminders.
	state := func() string {
		t.Helper()
		p := owner(tgID)
		return fmt.Sprintf("tg→%s dc→%s identities %v, %d sessions, %d reminders", p, owner(dcID), identities(p), sessions(p), reminders(p))
	}
	var people []domain.Owner // every person either account belonged to, for the scan after /forget
	seen := func(o domain.Owner) {
		if !slices.Contains(people, o) {
			people = append(people, o)
		}
	}

	// Before linking, Ana has a time zone and a session on Telegram.
	want(t, onTelegram("/timezone Europe/Berlin"), "Europe/Berlin")
	want(t, onTelegram("/log 0.5 yesterday"), "Logged", "0.5 mm")
	seen(owner(tgID))
	seen(owner(dcID))

	// /link on Telegram gives a code (the bot's sendMessage, as the fake captured it); sent
	// with /link on Discord, it links the two accounts into one person.
	linkUpdate := tgUpdate("/link")
	tgf.Push(linkUpdate)
	m := codeIn.FindStringSubmatch(reply(tgf.Next("sendMessage")))
	if m == nil {
		t.Fatal("no link code in the reply to /link")
	}
	redeem := slash("link", option("code", m[1]))
	conn.Dispatch(t, "INTERACTION_CREATE", redeem)
	want(t, answer(redeem), "Linked", "1 session", "Europe/Berlin")
	person := owner(dcID)
	seen(person)
	if owner(tgID) != person {
		t.Fatalf("after linking Telegram is %s and Discord %s, want one person", owner(tgID), person)
	}
	if got := identities(person); !slices.Equal(got, []domain.Identity{dcID, tgID}) {
		t.Errorf("the person has identities %v, want both", got)
	}
	linked := state()

	// The replays: Telegram redelivers the /link update (same update_id) and Discord the
	// interaction with the code (same id). Nothing changes, and no second code is sent.
	mark := tgf.Mark()
	tgf.Redeliver(linkUpdate)
	want(t, onTelegram("/history"), "0.5 mm") // handled after the redelivery: the chat's turn
	if n := tgf.Redelivered(); n != 1 {
		t.Fatalf("the fake redelivered %d updates, want the /link update", n)
	}
	if got := tgf.Since(mark); len(got) != 1 {
		t.Errorf("Telegram calls after the redelivered /link: %v, want only the /history reply", got)
	}
	conn.Dispatch(t, "INTERACTION_CREATE", redeem)
	want(t, answer(redeem), "Linked")
	if got := state(); got != linked {
		t.Errorf("after the replays %s, want %s", got, linked)
	}

	// A session logged on Discord is in the diary /history shows on Telegram.
	want(t, dmDiscord("rolled 0.25 tonight with peptide serum"), "0.25 mm")
	if n := sessions(person); n != 2 {
		t.Errorf("%d sessions after the one on Discord, want 2", n)
	}
	want(t, onTelegram("/history"), "0.25 mm", "peptide", "0.5 mm", "Times are in Europe/Berlin")

	// A reminder set on Telegram for 21:30, to arrive on Discord.
	want(t, onTelegram("/remind set 21:30"), "21:30")
	want(t, onTelegram("/remind where discord"), "now arrive on Discord")
	due := time.Date(2026, 11, 28, 21, 30, 0, 0, berlin)
	if got := st.Client().ZRangeWithScores(ctx, store.DueKey(domain.Discord), 0, -1).Val(); len(got) != 1 || int64(got[0].Score) != due.UnixMilli() {
		t.Errorf("Discord's due index = %v, want one reminder at %v", got, due)
	}
	if n := st.Client().ZCard(ctx, store.DueKey(domain.Telegram)).Val(); n != 0 {
		t.Errorf("Telegram's due index holds %d, want 0", n)
	}

	// 21:30 in Berlin comes: Ana has rolled today, so the dispatcher sends nothing. The next
	// evening it sends the reminder once, by direct message on Discord, and a second
	// dispatcher a minute later finds nothing more to send.
	mark = tgf.Mark()
	notifiers := map[domain.Platform]remind.Notifier{domain.Telegram: tg, domain.Discord: dc}
	outcomes := &observer{}
	tomorrow := due.AddDate(0, 0, 1)
	for _, at := range []time.Time{due.Add(time.Second), tomorrow.Add(time.Second), tomorrow.Add(time.Minute)} {
		clk.Set(at)
		d := remind.New(remind.Config{Queue: st, Composer: bot, Notifiers: notifiers, Clock: clk, Observer: outcomes})
		if _, err := d.Round(ctx); err != nil {
			t.Errorf("round at %v: %v", at, err)
		}
	}
	if got, want := outcomes.list(), []string{"dc done_already", "dc sent"}; !slices.Equal(got, want) {
		t.Errorf("the dispatcher's outcomes = %v, want %v", got, want)
	}
	var dms []string
	for _, c := range dcf.SentTo(dcDM) {
		if content, _ := c.JSON["content"].(string); strings.HasPrefix(content, "**Reminder**") {
			dms = append(dms, content)
		}
	}
	if len(dms) != 1 {
		t.Errorf("%d reminders by Discord DM, want one: %q", len(dms), dms)
	}
	if got := tgf.Since(mark); len(got) != 0 {
		t.Errorf("Telegram calls while reminding: %v, want none", got)
	}

	// /unlink on Discord: the diary stays with Discord, Telegram starts afresh.
	want(t, onDiscord("unlink"), "stay with this Discord account")
	seen(owner(tgID))
	seen(owner(dcID))
	if owner(tgID) == owner(dcID) {
		t.Fatalf("after /unlink both accounts are %s", owner(tgID))
	}
	want(t, onDiscord("history"), "0.25 mm", "0.5 mm")
	want(t, onTelegram("/history"), "Your diary is empty")

	// Linked again the other way (the code from Discord sent as a message on Telegram), then
	// /forget on Telegram, confirmed with its button, deletes the person.
	m = codeIn.FindStringSubmatch(onDiscord("link"))
	if m == nil {
		t.Fatal("no link code from Discord")
	}
	want(t, onTelegram(m[1]), "Linked")
	person = owner(tgID)
	seen(person)
	if owner(dcID) != person || sessions(person) != 2 {
		t.Fatalf("linked again: Telegram %s, Discord %s, %d sessions; want one person with 2", person, owner(dcID), sessions(person))
	}
	tgf.Push(tgUpdate("/forget"))
	ask := tgf.Next("sendMessage")
	want(t, reply(ask), "Delete")
	update++
	tgf.Push(tgf.Press(update, tgUser, 5001, button(t, ask, "Yes, delete everything")))
	want(t, reply(tgf.Next("editMessageText")), "deleted")
	tgf.Next("answerCallbackQuery")
	for _, name := range append([]string{tgID.String(), dcID.String()}, ownerNames(people)...) {
		if where := redistest.Mentions(ctx, st.Client(), name); where != "" {
			t.Errorf("after /forget %s", where)
		}
	}
	want(t, onDiscord("history"), "Your diary is empty")
	want(t, onTelegram("/history"), "Your diary is empty")

	// The fakes' rules held throughout: no answer came late, no send was refused, one poller.
	if n := dcf.Late(); n != 0 {
		t.Errorf("%d interaction answers came after Discord's 3 s", n)
	}
	if refused, conflicts := tgf.Counts(); refused != 0 || conflicts != 0 {
		t.Errorf("Telegram refused %d sends and %d getUpdates", refused, conflicts)
	}
}

// observer records the dispatcher's outcomes, as "platform outcome".
type observer struct {
	mu  sync.Mutex
	got []string
}

func (o *observer) Reminder(platform, outcome string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.got = append(o.got, platform+" "+outcome)
}

func (o *observer) Sent(string, time.Duration) {}

func (o *observer) list() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.got)
}

func ownerNames(people []domain.Owner) []string {
	var out []string
	for _, p := range people {
		out = append(out, string(p))
	}
	return out
}

// button returns the callback_data of the button labelled label in a message sent on Telegram.
func button(t *testing.T, c telegramtest.Call, label string) string {
	t.Helper()
	data, ok := c.ButtonData(label)
	if !ok {
		t.Fatalf("no %q button in %s", label, c.Params.Get("reply_markup"))
	}
	return data
}
