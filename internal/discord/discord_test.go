package discord

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/remind"
)

// interactionTime is when the snowflakes 12600000000000000xx were made.
var interactionTime = time.Date(2024, 7, 8, 22, 30, 9, 667e6, time.UTC)

// num reads a JSON number as an int.
func num(v any) int {
	f, _ := v.(float64)
	return int(f)
}

// find returns the element of a JSON list whose name is name.
func find(t *testing.T, list any, name string) map[string]any {
	t.Helper()
	l, _ := list.([]any)
	for _, v := range l {
		if m, ok := v.(map[string]any); ok && m["name"] == name {
			return m
		}
	}
	t.Fatalf("no %q in %v", name, list)
	return nil
}

// data returns the data object of an interaction response body.
func data(t *testing.T, c call) map[string]any {
	t.Helper()
	d, ok := c.JSON["data"].(map[string]any)
	if !ok {
		t.Fatalf("%s %s has no data: %s", c.Method, c.Path, c.Body)
	}
	return d
}

// buttons returns the custom ids of the buttons in a message's components, row by row.
func buttons(components any) [][]string {
	var out [][]string
	rows, _ := components.([]any)
	for _, row := range rows {
		var ids []string
		for _, b := range row.(map[string]any)["components"].([]any) {
			ids = append(ids, b.(map[string]any)["custom_id"].(string))
		}
		out = append(out, ids)
	}
	return out
}

// callback is the path of an interaction's response callback.
func callback(in map[string]any) string {
	return fmt.Sprintf("/interactions/%s/%s/callback", in["id"], in["token"])
}

// original is the path of an interaction's original response.
func original(in map[string]any) string {
	return fmt.Sprintf("/webhooks/%s/%s/messages/@original", testApp, in["token"])
}

// fresh gives a captured interaction its own id and token, so its calls are told apart.
func fresh(in map[string]any, n int) map[string]any {
	in["id"] = fmt.Sprintf("12600000000000001%02d", n)
	in["token"] = fmt.Sprintf("aW50ZXJhY3Rpb24tdG9rZW4t%02d", n)
	return in
}

// slash is the captured /needle size interaction turned into /name with the given options.
func slash(t *testing.T, n int, name string, options ...any) map[string]any {
	t.Helper()
	in := fresh(payload(t, "interaction_command.json"), n)
	d := in["data"].(map[string]any)
	d["name"], d["options"] = name, options
	return in
}

// inDM moves an interaction from the server to a direct message with the bot.
func inDM(in map[string]any) map[string]any {
	in["user"] = in["member"].(map[string]any)["user"]
	for _, k := range []string{"member", "guild_id", "guild", "guild_locale"} {
		delete(in, k)
	}
	in["context"], in["channel_id"] = 1, testDM
	return in
}

// inGuild moves a button press from a direct message to a public message in the server.
func inGuild(in map[string]any) map[string]any {
	in["guild_id"], in["context"], in["channel_id"] = testGuild, 0, testChannel
	in["member"] = map[string]any{"user": in["user"], "roles": []any{}, "permissions": "2248473465835073"}
	delete(in, "user")
	return in
}

// TestGateway runs one front end against the fake Discord and goes through what users do;
// the subtests share it because closing a discordgo session takes a second.
func TestGateway(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	bot := newMixBot()
	r := start(t, f, bot, func(c *Config) { c.DeferAfter = 500 * time.Millisecond })

	t.Run("identify", func(t *testing.T) {
		id := recv(t, f.Identify, "IDENTIFY")
		if id["token"] != "Bot "+testToken {
			t.Errorf("IDENTIFY does not carry the bot token")
		}
		got := discordgo.Intent(num(id["intents"]))
		for _, want := range []discordgo.Intent{discordgo.IntentsGuilds, discordgo.IntentsDirectMessages} {
			if got&want == 0 {
				t.Errorf("intents %b lack %b", got, want)
			}
		}
		if got&discordgo.IntentsMessageContent != 0 {
			t.Errorf("intents %b ask for the privileged message-content intent", got)
		}
	})

	t.Run("register once", func(t *testing.T) {
		if r.registration != "discord: commands registered" {
			t.Fatalf("first start logged %q, want a registration", r.registration)
		}
		put := f.WaitCall(t, "PUT", "/applications/"+testApp+"/guilds/"+testGuild+"/commands")
		if got, want := len(put.List), len(bot.Commands()); got != want {
			t.Errorf("bulk overwrite has %d commands, want %d", got, want)
		}
		size := find(t, find(t, put.List, "needle")["options"], "size")
		if num(size["type"]) != int(discordgo.ApplicationCommandOptionSubCommand) || size["description"] != "Needle size for home use" {
			t.Errorf("needle size = %v, want a subcommand described by the topic's title", size)
		}
		question := find(t, find(t, put.List, "ask")["options"], "question")
		if num(question["type"]) != int(discordgo.ApplicationCommandOptionString) || question["required"] != true || num(question["max_length"]) != 500 {
			t.Errorf("ask question = %v, want a required string of at most 500", question)
		}
		if zone := find(t, find(t, put.List, "timezone")["options"], "zone"); zone["autocomplete"] != true {
			t.Errorf("timezone zone = %v, want autocomplete", zone)
		}

		// Discord now holds the commands, with its ids and defaults: a second start sends nothing.
		again := start(t, f, newMixBot(), nil)
		again.stop()
		if again.registration != "discord: commands up to date" {
			t.Errorf("second start logged %q, want commands up to date", again.registration)
		}
		puts := 0
		for _, c := range f.Recorded() {
			if c.Method == "PUT" {
				puts++
			}
		}
		if puts != 1 {
			t.Errorf("%d bulk overwrites over two starts, want 1", puts)
		}
	})

	t.Run("slash command answered at once", func(t *testing.T) {
		in := payload(t, "interaction_command.json")
		r.conn.Dispatch(t, "INTERACTION_CREATE", in)
		got := bot.request(t, "dc:i:1260000000000000001")
		want := commands.Request{
			ID: "dc:i:1260000000000000001", Platform: domain.Discord, UserID: testUser, ChatID: testChannel,
			Command: "needle", Args: []string{"size"}, Text: "size", Time: interactionTime,
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("request (-want +got):\n%s", diff)
		}
		cb := f.WaitCall(t, "POST", callback(in))
		if typ := num(cb.JSON["type"]); typ != int(discordgo.InteractionResponseChannelMessageWithSource) {
			t.Fatalf("response type %d, want 4: a fast command is answered without deferring", typ)
		}
		d := data(t, cb)
		if content, _ := d["content"].(string); !strings.HasPrefix(content, "**Needle size for home use**\n") || !strings.Contains(content, "0.25 mm") {
			t.Errorf("content = %q, want the bold title and 0.25 mm", content)
		}
		if num(d["flags"]) != 0 {
			t.Errorf("flags = %v, want a public reply", d["flags"])
		}
		if am, _ := d["allowed_mentions"].(map[string]any); am == nil || len(am["parse"].([]any)) != 0 {
			t.Errorf("allowed_mentions = %v, want no pings", d["allowed_mentions"])
		}
	})

	t.Run("topic buttons fit five by five", func(t *testing.T) {
		in := slash(t, 1, "needle")
		r.conn.Dispatch(t, "INTERACTION_CREATE", in)
		rows := buttons(data(t, f.WaitCall(t, "POST", callback(in)))["components"])
		var sizes []int
		for _, row := range rows {
			sizes = append(sizes, len(row))
		}
		// The bot lays its 16 topics out three to a row; Discord allows five rows of five.
		if diff := cmp.Diff([]int{5, 5, 5, 1}, sizes); diff != "" {
			t.Errorf("buttons per row (-want +got):\n%s", diff)
		}
		if rows[0][0] != "needle:what" {
			t.Errorf("first button carries %q, want needle:what", rows[0][0])
		}
	})

	t.Run("slow command deferred then edited", func(t *testing.T) {
		in := slash(t, 2, "export")
		r.conn.Dispatch(t, "INTERACTION_CREATE", in)
		cb := f.WaitCall(t, "POST", callback(in))
		if typ := num(cb.JSON["type"]); typ != int(discordgo.InteractionResponseDeferredChannelMessageWithSource) {
			t.Fatalf("response type %d, want 5 (deferred)", typ)
		}
		if flags := num(data(t, cb)["flags"]); flags != int(discordgo.MessageFlagsEphemeral) {
			t.Errorf("deferral flags %d, want 64: a private command is acknowledged privately", flags)
		}
		bot.open("export")
		edit := f.WaitCall(t, "PATCH", original(in))
		if edit.JSON["content"] != "Your diary: 1 session." {
			t.Errorf("edited content = %q", edit.JSON["content"])
		}
		if edit.Files["diary.csv"] != exportCSV {
			t.Errorf("attachments = %q, want diary.csv", edit.Files)
		}
	})

	t.Run("late answer deferred", func(t *testing.T) {
		public := slash(t, 3, "late", map[string]any{"type": 3, "name": "question", "value": "public"})
		private := slash(t, 4, "late", map[string]any{"type": 3, "name": "question", "value": "private"})
		r.conn.Dispatch(t, "INTERACTION_CREATE", public)
		r.conn.Dispatch(t, "INTERACTION_CREATE", private)
		for _, in := range []map[string]any{public, private} {
			cb := f.WaitCall(t, "POST", callback(in))
			if typ, flags := num(cb.JSON["type"]), cb.JSON["data"]; typ != int(discordgo.InteractionResponseDeferredChannelMessageWithSource) || flags != nil {
				t.Fatalf("response type %d data %v, want a public deferral once the answer is late", typ, flags)
			}
		}
		bot.open("public")
		if edit := f.WaitCall(t, "PATCH", original(public)); edit.JSON["content"] != "A late answer." {
			t.Errorf("edited content = %q", edit.JSON["content"])
		}
		// A private answer must not land in the public "thinking…" message.
		bot.open("private")
		f.WaitCall(t, "DELETE", original(private))
		follow := f.WaitCall(t, "POST", fmt.Sprintf("/webhooks/%s/%s", testApp, private["token"]))
		if follow.JSON["content"] != "A late answer." || num(follow.JSON["flags"]) != int(discordgo.MessageFlagsEphemeral) {
			t.Errorf("follow-up = %s, want the answer with flags 64", follow.Body)
		}
	})

	t.Run("private reply", func(t *testing.T) {
		for i, tc := range []struct {
			name  string
			in    map[string]any
			flags int
		}{
			{"in a server it is ephemeral", slash(t, 5, "history"), 64},
			{"in a direct message it needs no flag", inDM(slash(t, 6, "history")), 0},
		} {
			r.conn.Dispatch(t, "INTERACTION_CREATE", tc.in)
			if req := bot.request(t, fmt.Sprintf("dc:i:%s", tc.in["id"])); req.Private != (i == 1) {
				t.Errorf("%s: Request.Private = %v", tc.name, req.Private)
			}
			cb := f.WaitCall(t, "POST", callback(tc.in))
			if typ, flags := num(cb.JSON["type"]), num(data(t, cb)["flags"]); typ != 4 || flags != tc.flags {
				t.Errorf("%s: response type %d flags %d, want type 4 flags %d", tc.name, typ, flags, tc.flags)
			}
		}
	})

	t.Run("direct messages", func(t *testing.T) {
		// A message in a server and the bot's own message are not for the bot.
		server := payload(t, "message_create_dm.json")
		server["id"], server["guild_id"], server["content"] = "1260002813990000009", testGuild, "/needle size"
		r.conn.Dispatch(t, "MESSAGE_CREATE", server)
		own := payload(t, "message_create_dm.json")
		own["id"], own["author"] = "1260002813990000008", map[string]any{"id": testApp, "username": "needlebot", "bot": true}
		r.conn.Dispatch(t, "MESSAGE_CREATE", own)

		r.conn.Dispatch(t, "MESSAGE_CREATE", payload(t, "message_create_dm.json"))
		got := bot.request(t, "dc:m:1260002813990000001")
		want := commands.Request{
			ID: "dc:m:1260002813990000001", Platform: domain.Discord, UserID: testUser, ChatID: testDM, Private: true,
			Text: "rolled 0.25 tonight with my peptide serum", Time: time.Date(2024, 7, 8, 22, 41, 17, 804e6, time.UTC),
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("request (-want +got):\n%s", diff)
		}
		if post := f.WaitCall(t, "POST", "/channels/"+testDM+"/messages"); post.JSON["content"] == "" {
			t.Errorf("empty reply to a direct message: %s", post.Body)
		}

		typed := payload(t, "message_create_dm.json")
		typed["id"], typed["content"] = "1260002813990000002", "/needle size"
		r.conn.Dispatch(t, "MESSAGE_CREATE", typed)
		if got := bot.request(t, "dc:m:1260002813990000002"); got.Command != "needle" || !cmp.Equal(got.Args, []string{"size"}) {
			t.Errorf("typed command = %q %q, want needle [size]", got.Command, got.Args)
		}
		post := f.WaitCall(t, "POST", "/channels/"+testDM+"/messages")
		if content, _ := post.JSON["content"].(string); !strings.Contains(content, "0.25 mm") {
			t.Errorf("reply to /needle size = %q, want 0.25 mm", content)
		}
	})

	t.Run("reminder and its button", func(t *testing.T) {
		err := r.d.Notify(context.Background(), remind.Notice{
			To:    domain.Address{Platform: domain.Discord, Chat: testUser},
			Reply: domain.Reply{Title: "Reminder", Text: "Time for your evening session.", Buttons: [][]domain.Button{{{Label: "size", Data: "needle:size"}}}},
		})
		if err != nil {
			t.Fatalf("Notify: %v", err)
		}
		if ch := f.WaitCall(t, "POST", "/users/@me/channels"); ch.JSON["recipient_id"] != testUser {
			t.Errorf("DM channel opened with %v, want %s", ch.JSON["recipient_id"], testUser)
		}
		msg := f.WaitCall(t, "POST", "/channels/"+testDM+"/messages")
		if msg.JSON["content"] != "**Reminder**\nTime for your evening session." {
			t.Errorf("reminder content = %q", msg.JSON["content"])
		}
		if diff := cmp.Diff([][]string{{"needle:size"}}, buttons(msg.JSON["components"])); diff != "" {
			t.Errorf("reminder buttons (-want +got):\n%s", diff)
		}

		// Pressing the button updates the reminder in place.
		press := payload(t, "interaction_component.json")
		r.conn.Dispatch(t, "INTERACTION_CREATE", press)
		if got := bot.request(t, "dc:i:1260000000000000002"); got.Button != "needle:size" || !got.Private {
			t.Errorf("button request = %+v", got)
		}
		cb := f.WaitCall(t, "POST", callback(press))
		if typ := num(cb.JSON["type"]); typ != int(discordgo.InteractionResponseUpdateMessage) {
			t.Fatalf("response type %d, want 7 (update the message)", typ)
		}
		if content, _ := data(t, cb)["content"].(string); !strings.Contains(content, "0.25 mm") {
			t.Errorf("updated content = %q, want 0.25 mm", content)
		}
	})

	t.Run("button replies", func(t *testing.T) {
		stale := func(n int, flags int) map[string]any {
			in := inGuild(fresh(payload(t, "interaction_component.json"), n))
			in["data"].(map[string]any)["custom_id"] = "stale:1"
			in["message"].(map[string]any)["flags"] = flags
			return in
		}
		forged := fresh(payload(t, "interaction_component.json"), 9)
		forged["data"].(map[string]any)["custom_id"] = "needle:no-such-topic"
		for _, tc := range []struct {
			name       string
			in         map[string]any
			typ, flags int
			content    string
		}{
			{"a private refusal on a public message is ephemeral", stale(7, 0), 4, 64, "That button no longer works."},
			{"a private reply on an ephemeral message updates it", stale(8, 64), 7, 0, "That button no longer works."},
			{"a forged button in a direct message gets the bot's refusal", forged, 7, 0, "That button no longer works. Send /help to start again."},
		} {
			r.conn.Dispatch(t, "INTERACTION_CREATE", tc.in)
			cb := f.WaitCall(t, "POST", callback(tc.in))
			d := data(t, cb)
			if typ, flags := num(cb.JSON["type"]), num(d["flags"]); typ != tc.typ || flags != tc.flags {
				t.Errorf("%s: response type %d flags %d, want type %d flags %d", tc.name, typ, flags, tc.typ, tc.flags)
			}
			if d["content"] != tc.content {
				t.Errorf("%s: content = %q, want %q", tc.name, d["content"], tc.content)
			}
		}
	})

	t.Run("slow button press updates late", func(t *testing.T) {
		in := fresh(payload(t, "interaction_component.json"), 11)
		in["data"].(map[string]any)["custom_id"] = "slow:1"
		r.conn.Dispatch(t, "INTERACTION_CREATE", in)
		cb := f.WaitCall(t, "POST", callback(in))
		if typ := num(cb.JSON["type"]); typ != int(discordgo.InteractionResponseDeferredMessageUpdate) {
			t.Fatalf("response type %d, want 6 (deferred update)", typ)
		}
		bot.open("slow-button")
		if edit := f.WaitCall(t, "PATCH", original(in)); edit.JSON["content"] != "Updated late." {
			t.Errorf("edited content = %q", edit.JSON["content"])
		}
	})

	t.Run("long reply continues in follow-ups", func(t *testing.T) {
		in := slash(t, 12, "long")
		r.conn.Dispatch(t, "INTERACTION_CREATE", in)
		first, _ := data(t, f.WaitCall(t, "POST", callback(in)))["content"].(string)
		rest, _ := f.WaitCall(t, "POST", fmt.Sprintf("/webhooks/%s/%s", testApp, in["token"])).JSON["content"].(string)
		if len(first) > 2000 || len(rest) > 2000 || strings.Count(first+"\n"+rest, "A line of a long history.") != 100 {
			t.Errorf("split into %d and %d characters, want two messages holding all 100 lines", len(first), len(rest))
		}
	})

	t.Run("autocomplete", func(t *testing.T) {
		in := payload(t, "interaction_autocomplete.json")
		r.conn.Dispatch(t, "INTERACTION_CREATE", in)
		if got := recv(t, bot.asks, "Complete"); got != (asked{"timezone", "zone", "Europe/Be"}) {
			t.Errorf("Complete(%q, %q, %q), want timezone zone Europe/Be", got.command, got.option, got.partial)
		}
		cb := f.WaitCall(t, "POST", callback(in))
		if typ := num(cb.JSON["type"]); typ != int(discordgo.InteractionApplicationCommandAutocompleteResult) {
			t.Fatalf("response type %d, want 8", typ)
		}
		choices, _ := data(t, cb)["choices"].([]any)
		if len(choices) != 25 {
			t.Fatalf("%d choices, want Discord's 25", len(choices))
		}
		if c := choices[0].(map[string]any); c["name"] != "Europe/Be00" || c["value"] != "Europe/Be00" {
			t.Errorf("first choice = %v", c)
		}
	})

	// Last, because it replaces the connection the other subtests use.
	t.Run("reconnect resumes", func(t *testing.T) {
		if !r.d.Ready() {
			t.Fatal("Ready() = false while connected")
		}
		readyAtDial := make(chan bool, 1)
		f.SetOnDial(func(n int) {
			if n == 3 { // after this test's first start and the second one in "register once"
				readyAtDial <- r.d.Ready()
			}
		})
		r.conn.Drop()
		if recv(t, readyAtDial, "a reconnect") {
			t.Error("Ready() = true while the gateway was disconnected")
		}
		res := recv(t, f.Resume, "RESUME")
		if res["session_id"] != f.Ready["session_id"] || res["token"] != "Bot "+testToken || num(res["seq"]) < 2 {
			t.Errorf("RESUME = session %v seq %v, want session %v, the token and the last sequence number", res["session_id"], res["seq"], f.Ready["session_id"])
		}
		conn := recv(t, f.Conns, "the resumed connection")
		recv(t, conn.Beat, "a heartbeat after RESUMED")
		if !r.d.Ready() {
			t.Error("Ready() = false after RESUMED")
		}
		in := fresh(payload(t, "interaction_command.json"), 10)
		conn.Dispatch(t, "INTERACTION_CREATE", in)
		f.WaitCall(t, "POST", callback(in))
	})

	r.stop()
	if r.d.Ready() {
		t.Error("Ready() = true after Run returned")
	}
	for _, req := range bot.seen() {
		if req.ID == "dc:m:1260002813990000009" || req.ID == "dc:m:1260002813990000008" {
			t.Errorf("answered %s: a server message or the bot's own message", req.ID)
		}
	}
}

func TestRegisterGlobalChanged(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.SetCommands([]byte(`[{"id": "1250000000000000200", "application_id": "1250000000000000001", "version": "1", "type": 1,
		"name": "ask", "description": "An older description"}]`))
	r := start(t, f, newKBBot(), func(c *Config) { c.GuildID = "" })
	if r.registration != "discord: commands registered" {
		t.Errorf("changed commands logged %q, want a registration", r.registration)
	}
	f.WaitCall(t, "GET", "/applications/"+testApp+"/commands")
	put := f.WaitCall(t, "PUT", "/applications/"+testApp+"/commands")
	if ask := find(t, put.List, "ask"); ask["description"] != "Ask a question in your own words" {
		t.Errorf("ask registered as %v", ask)
	}
}

func TestNotifyErrors(t *testing.T) {
	t.Parallel()
	messages := "/channels/" + testDM + "/messages"
	for _, tc := range []struct {
		name       string
		chat       string
		method     string
		path       string
		fail       failure
		permanent  bool
		retryAfter time.Duration
	}{
		{name: "blocked the bot", chat: testUser, method: "POST", path: messages,
			fail:      failure{Status: 403, Body: `{"message": "Cannot send messages to this user", "code": 50007}`},
			permanent: true},
		{name: "unknown user", chat: testUser, method: "POST", path: "/users/@me/channels",
			fail:      failure{Status: 404, Body: `{"message": "Unknown User", "code": 10013}`},
			permanent: true},
		{name: "rate limited", chat: testUser, method: "POST", path: messages,
			fail:       failure{Status: 429, Body: `{"message": "You are being rate limited.", "retry_after": 1.5, "global": false}`},
			retryAfter: 1500 * time.Millisecond},
		{name: "server error", chat: testUser, method: "POST", path: messages,
			fail: failure{Status: 500, Body: `{"message": "500: Internal Server Error", "code": 0}`}},
		{name: "not a user id", chat: "dc:" + testUser, permanent: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			if tc.path != "" {
				f.Fail(tc.method, tc.path, tc.fail)
			}
			d, err := New(config(f, newLogSink()), newKBBot())
			if err != nil {
				t.Fatal(err)
			}
			err = d.Notify(context.Background(), remind.Notice{To: domain.Address{Platform: domain.Discord, Chat: tc.chat}, Reply: domain.Reply{Text: "Time for your session."}})
			if err == nil {
				t.Fatal("Notify succeeded, want an error")
			}
			if got := remind.IsPermanent(err); got != tc.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, got, tc.permanent)
			}
			var ra *remind.RetryAfterError
			if errors.As(err, &ra) != (tc.retryAfter > 0) || (ra != nil && ra.After != tc.retryAfter) {
				t.Errorf("Notify error %v, want retry after %v", err, tc.retryAfter)
			}
		})
	}
}

func TestShutdownCancelsStuckReplies(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	logs := newLogSink()
	cancelled := make(chan struct{})
	bot := &scripted{
		cmds: []commands.Command{{Name: "export", Summary: "All your sessions as a CSV file", Private: true, Slow: true}},
		respond: func(ctx context.Context, _ *commands.Request) domain.Reply {
			<-ctx.Done() // a store that never answers
			close(cancelled)
			return domain.Reply{Text: "Something went wrong, please try again.", Private: true}
		},
	}
	d, err := New(config(f, logs), bot)
	if err != nil {
		t.Fatal(err)
	}
	d.drain = 10 * time.Millisecond
	r := launch(t, f, d, logs)
	in := slash(t, 40, "export")
	r.conn.Dispatch(t, "INTERACTION_CREATE", in)
	f.WaitCall(t, "POST", callback(in))
	r.stop() // returns only once the stuck reply was cancelled
	select {
	case <-cancelled:
	default:
		t.Error("Run returned with a reply still in flight")
	}
	logs.waitFor(t, "discord: cancelling replies still in flight")
}

// TestOnReady: cmd/bot is told the application id at READY, to record in the store which
// application it holds data for (issue 14, point 3).
func TestOnReady(t *testing.T) {
	f := newFake(t)
	got := make(chan string, 1)
	start(t, f, realBot(), func(c *Config) {
		c.OnReady = func(app, name string) { got <- app + " " + name }
	})
	if s := recv(t, got, "OnReady"); s != "1250000000000000001 needlebot" {
		t.Errorf("OnReady got %q, want the application id and the bot's username", s)
	}
}
