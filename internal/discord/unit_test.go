package discord

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/alicebob/miniredis/v2"
	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/store"
)

func TestRealCommandsFitDiscord(t *testing.T) {
	t.Parallel()
	// With a store the bot offers every command, the diary and reminders included.
	st := store.New(redis.NewClient(&redis.Options{Addr: miniredis.RunT(t).Addr()}))
	bot := commands.New(commands.Config{KB: sharedKB(), Store: st, ButtonKey: []byte("discord-unit-key-discord-unit-key")})
	cmds := appCommands(bot.Commands())
	if err := validate(cmds); err != nil {
		t.Fatalf("the bot's commands break Discord's limits:\n%v", err)
	}
	list := toJSON(t, cmds)
	if sub := find(t, find(t, list, "needle")["options"], "size"); num(sub["type"]) != 1 {
		t.Errorf("needle size is %v, want a subcommand", sub)
	}
	for _, name := range []string{"log", "history", "remind", "timezone", "export"} {
		find(t, list, name)
	}
}

func toJSON(t *testing.T, v any) []any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out []any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestValidateRejects(t *testing.T) {
	t.Parallel()
	opt := func(name string, required bool) commands.Option {
		return commands.Option{Name: name, Summary: "An option", Required: required}
	}
	many := func(n int) []commands.Option {
		var out []commands.Option
		for i := range n {
			out = append(out, opt(strings.Repeat("o", i+1), false))
		}
		return out
	}
	var hundredOne []commands.Command
	for i := range 101 {
		hundredOne = append(hundredOne, commands.Command{Name: "c" + strings.Repeat("x", i%30) + string(rune('a'+i/30)), Summary: "A command"})
	}
	for _, tc := range []struct {
		name string
		cmds []commands.Command
		want string
	}{
		{"upper case", []commands.Command{{Name: "Needle", Summary: "x"}}, `name "Needle"`},
		{"space in a name", []commands.Command{{Name: "needle size", Summary: "x"}}, `name "needle size"`},
		{"name over 32", []commands.Command{{Name: strings.Repeat("n", 33), Summary: "x"}}, "1 to 32"},
		{"empty description", []commands.Command{{Name: "needle"}}, "0 characters"},
		{"description over 100", []commands.Command{{Name: "needle", Summary: strings.Repeat("d", 101)}}, "101 characters"},
		{"26 options", []commands.Command{{Name: "log", Summary: "x", Options: many(26)}}, "26 options"},
		{"26 subcommands", []commands.Command{{Name: "needle", Summary: "x", Subs: func() []commands.Sub {
			var subs []commands.Sub
			for i := range 26 {
				subs = append(subs, commands.Sub{Name: strings.Repeat("s", i+1), Summary: "A topic"})
			}
			return subs
		}()}}, "26 options"},
		{"duplicate option", []commands.Command{{Name: "log", Summary: "x", Options: []commands.Option{opt("mm", false), opt("mm", false)}}}, `"mm" appears twice`},
		{"required after optional", []commands.Command{{Name: "log", Summary: "x", Options: []commands.Option{opt("mm", false), opt("when", true)}}}, `required option "when"`},
		{"subcommands and options", []commands.Command{{Name: "log", Summary: "x", Subs: []commands.Sub{{Name: "add", Summary: "x"}}, Options: []commands.Option{opt("mm", false)}}}, "mixed"},
		{"duplicate command", []commands.Command{{Name: "log", Summary: "x"}, {Name: "log", Summary: "y"}}, "registered twice"},
		{"101 commands", hundredOne, "101 commands"},
		{"max length", []commands.Command{{Name: "ask", Summary: "x", Options: []commands.Option{{Name: "q", Summary: "x", MaxLength: 6001}}}}, "max_length 6001"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := validate(appCommands(tc.cmds))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("validate = %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}

func TestSameCommands(t *testing.T) {
	t.Parallel()
	local := appCommands([]commands.Command{
		{Name: "needle", Summary: "A topic", Subs: []commands.Sub{{Name: "size", Summary: "Needle size"}}},
		{Name: "log", Summary: "Log a session", Options: []commands.Option{
			{Name: "mm", Summary: "Needle size", Type: commands.Number, Required: true, Min: 0.1, Max: 3},
			{Name: "note", Summary: "Anything else", MaxLength: 200},
		}},
	})
	// What Discord returns for those: ids and defaults added, false and empty fields left out.
	remote := `[
		{"id": "2", "application_id": "1", "version": "9", "type": 1, "name": "log", "description": "Log a session", "dm_permission": true, "nsfw": false,
		 "integration_types": [0, 1], "contexts": [0, 1, 2], "default_member_permissions": "2048",
		 "options": [{"type": 10, "name": "mm", "description": "Needle size", "required": true, "min_value": 0.1, "max_value": 3},
		             {"type": 3, "name": "note", "description": "Anything else", "max_length": 200}]},
		{"id": "1", "application_id": "1", "version": "9", "type": 1, "name": "needle", "description": "A topic", "integration_types": [0, 1],
		 "contexts": [0, 1, 2], "default_member_permissions": "2048",
		 "options": [{"type": 1, "name": "size", "description": "Needle size"}]}
	]`
	for _, tc := range []struct {
		name   string
		change func([]map[string]any)
		same   bool
	}{
		{"as Discord returns them, in another order", func([]map[string]any) {}, true},
		{"description changed", func(c []map[string]any) { c[1]["description"] = "Old text" }, false},
		{"option no longer required", func(c []map[string]any) { delete(opts(c[0])[0], "required") }, false},
		{"installed to servers only", func(c []map[string]any) { c[0]["integration_types"] = []any{0} }, false},
		{"no longer in group DMs", func(c []map[string]any) { c[1]["contexts"] = []any{0, 1} }, false},
		{"admins only", func(c []map[string]any) { c[0]["default_member_permissions"] = "8" }, false},
		{"bounds changed", func(c []map[string]any) { opts(c[0])[0]["max_value"] = 2.5 }, false},
		{"option order changed", func(c []map[string]any) {
			o := opts(c[0])
			c[0]["options"] = []any{o[1], o[0]}
		}, false},
		{"subcommand missing", func(c []map[string]any) { delete(c[1], "options") }, false},
		{"command missing", func(c []map[string]any) { c[1]["name"] = "ask" }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cmds []map[string]any
			if err := json.Unmarshal([]byte(remote), &cmds); err != nil {
				t.Fatal(err)
			}
			tc.change(cmds)
			b, _ := json.Marshal(cmds)
			var got []*discordgo.ApplicationCommand
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			if same := sameCommands(got, local); same != tc.same {
				t.Errorf("sameCommands = %v, want %v", same, tc.same)
			}
		})
	}
}

func opts(cmd map[string]any) []map[string]any {
	var out []map[string]any
	for _, o := range cmd["options"].([]any) {
		out = append(out, o.(map[string]any))
	}
	return out
}

func TestRequestFromOptions(t *testing.T) {
	t.Parallel()
	bot := &scripted{cmds: []commands.Command{
		{Name: "log", Summary: "Log a session", Options: []commands.Option{
			{Name: "mm", Summary: "Needle size", Type: commands.Number, Required: true, Min: 0.1, Max: 3},
			{Name: "nights", Summary: "How many nights", Type: commands.Integer},
			{Name: "serum", Summary: "The serum"},
		}},
		{Name: "remind", Summary: "Reminders", Subs: []commands.Sub{
			{Name: "add", Summary: "Add one", Options: []commands.Option{{Name: "time", Summary: "When", Required: true}, {Name: "days", Summary: "Which days"}}},
		}},
	}}
	d, err := New(Config{Token: testToken}, bot)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data string
		want commands.Request
	}{
		{
			name: "options come in declared order, numbers plainly",
			data: `{"type": 1, "name": "log", "options": [
				{"type": 3, "name": "serum", "value": "peptide serum"}, {"type": 4, "name": "nights", "value": 3}, {"type": 10, "name": "mm", "value": 0.5}]}`,
			want: commands.Request{Command: "log", Args: []string{"0.5", "3", "peptide serum"}, Text: "0.5 3 peptide serum",
				Options: map[string]string{"mm": "0.5", "nights": "3", "serum": "peptide serum"}},
		},
		{
			name: "the subcommand comes first",
			data: `{"type": 1, "name": "remind", "options": [{"type": 1, "name": "add", "options": [
				{"type": 3, "name": "days", "value": "mon-fri"}, {"type": 3, "name": "time", "value": "21:00"}]}]}`,
			want: commands.Request{Command: "remind", Args: []string{"add", "21:00", "mon-fri"}, Text: "add 21:00 mon-fri",
				Options: map[string]string{"time": "21:00", "days": "mon-fri"}},
		},
		{
			name: "an option the bot does not declare is kept by name only",
			data: `{"type": 1, "name": "log", "options": [{"type": 10, "name": "mm", "value": 0.25}, {"type": 5, "name": "old", "value": true}]}`,
			want: commands.Request{Command: "log", Args: []string{"0.25"}, Text: "0.25", Options: map[string]string{"mm": "0.25", "old": "true"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := `{"id": "1260000000000000001", "type": 2, "channel_id": "9", "guild_id": "8", "member": {"user": {"id": "7"}}, "data": ` + tc.data + `}`
			var in discordgo.Interaction
			if err := json.Unmarshal([]byte(raw), &in); err != nil {
				t.Fatal(err)
			}
			got, _, ok := d.request(&in)
			if !ok {
				t.Fatal("request refused the interaction")
			}
			tc.want.ID, tc.want.Platform, tc.want.UserID, tc.want.ChatID, tc.want.Time = "dc:i:1260000000000000001", domain.Discord, "7", "9", interactionTime
			if diff := cmp.Diff(&tc.want, got); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEscape(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"0.25 mm, 2-3 times a week", "0.25 mm, 2-3 times a week"},
		{"*not bold* and _not italic_", `\*not bold\* and \_not italic\_`},
		{"`code` ~~gone~~ ||spoiler||", "\\`code\\` \\~\\~gone\\~\\~ \\|\\|spoiler\\|\\|"},
		{"/needle <topic>", `/needle \<topic>`},
		{"> not a quote\n# not a heading\n-# not subtext", "\\> not a quote\n\\# not a heading\n\\-# not subtext"},
		{"see https://example.com/a_b_c for more_info", `see https://example.com/a_b_c for more\_info`},
		{`a\b`, `a\\b`},
	} {
		if got := escape(tc.in); got != tc.want {
			t.Errorf("escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSplit(t *testing.T) {
	t.Parallel()
	line := strings.Repeat("word ", 30) + "\n" // 151 characters
	for _, tc := range []struct {
		name  string
		text  string
		limit int
		parts int
	}{
		{"short text is one message", "hello", 2000, 1},
		{"at the limit", strings.Repeat("x", 2000), 2000, 1},
		{"long text cut at line breaks", strings.Repeat(line, 30), 2000, 3},
		{"one long word is cut anyway", strings.Repeat("x", 4500), 2000, 3},
		{"emoji count twice", strings.Repeat("👍", 1500), 2000, 2},
		{"no cut right after a backslash", strings.Repeat("x", 1999) + `\*` + "tail", 2000, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parts := split(tc.text, tc.limit)
			if len(parts) != tc.parts {
				t.Errorf("%d parts, want %d", len(parts), tc.parts)
			}
			for _, p := range parts {
				if n := len(utf16.Encode([]rune(p))); n > tc.limit {
					t.Errorf("a part of %d UTF-16 units, over %d", n, tc.limit)
				}
				if strings.HasSuffix(p, `\`) {
					t.Errorf("a part ends in a backslash, splitting an escape: %q", p[len(p)-5:])
				}
			}
			if got, want := strings.Join(strings.Fields(strings.Join(parts, " ")), ""), strings.Join(strings.Fields(tc.text), ""); got != want {
				t.Errorf("the parts lost text")
			}
		})
	}
}

func TestRender(t *testing.T) {
	t.Parallel()
	d, err := New(Config{Token: testToken}, newKBBot())
	if err != nil {
		t.Fatal(err)
	}
	row := func(n int, prefix string) []domain.Button {
		var out []domain.Button
		for i := range n {
			out = append(out, domain.Button{Label: prefix, Data: prefix + ":" + string(rune('a'+i))})
		}
		return out
	}
	ids := func(ms []message) [][]string {
		b, _ := json.Marshal(ms[len(ms)-1].components)
		var v any
		json.Unmarshal(b, &v)
		return buttons(v)
	}
	t.Run("rows that fit are kept", func(t *testing.T) {
		got := ids(d.render(domain.Reply{Text: "x", Buttons: [][]domain.Button{row(2, "a"), row(3, "b")}}))
		if diff := cmp.Diff([][]string{{"a:a", "a:b"}, {"b:a", "b:b", "b:c"}}, got); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
	})
	t.Run("more than 25 buttons are cut to 25", func(t *testing.T) {
		got := ids(d.render(domain.Reply{Text: "x", Buttons: [][]domain.Button{row(20, "a"), row(10, "b")}}))
		n := 0
		for _, r := range got {
			n += len(r)
		}
		if len(got) != 5 || n != 25 {
			t.Errorf("%d rows, %d buttons; want 5 rows of 5", len(got), n)
		}
	})
	t.Run("data Discord cannot carry is left out", func(t *testing.T) {
		got := ids(d.render(domain.Reply{Text: "x", Buttons: [][]domain.Button{{{Label: "long", Data: strings.Repeat("d", 101)}, {Label: "ok", Data: "needle:size"}}}}))
		if diff := cmp.Diff([][]string{{"needle:size"}}, got); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
	})
	t.Run("a long reply is split, buttons and file on the last message", func(t *testing.T) {
		out := d.render(domain.Reply{Title: "History", Text: strings.Repeat("2024-07-08 0.25 mm peptide serum\n", 100),
			Buttons: [][]domain.Button{row(1, "more")}, File: &domain.File{Name: "a.csv", Data: []byte("x")}})
		if len(out) != 2 {
			t.Fatalf("%d messages, want 2", len(out))
		}
		if !strings.HasPrefix(out[0].content, "**History**\n") || len(out[0].components) != 0 || out[0].file != nil {
			t.Errorf("first message = %+v, want the title and no buttons or file", out[0])
		}
		if len(out[1].components) != 1 || out[1].file == nil {
			t.Errorf("last message has %d rows and file %v, want the buttons and the file", len(out[1].components), out[1].file)
		}
	})
}

func TestNewRejects(t *testing.T) {
	t.Parallel()
	ok := Config{Token: testToken}
	for _, tc := range []struct {
		name   string
		change func(*Config)
		bot    Responder
		want   string
	}{
		{"no token", func(c *Config) { c.Token = " " }, newKBBot(), "token is required"},
		{"bare token prefix", func(c *Config) { c.Token = "Bot " }, newKBBot(), "token is required"},
		{"API URL with a path", func(c *Config) { c.APIURL = "https://proxy.example/api/v9" }, newKBBot(), "API URL"},
		{"API URL without a scheme", func(c *Config) { c.APIURL = "proxy.example:8080" }, newKBBot(), "API URL"},
		{"short public key", func(c *Config) { c.PublicKey = "abcd" }, newKBBot(), "public key"},
		{"public key not hex", func(c *Config) { c.PublicKey = strings.Repeat("z", 64) }, newKBBot(), "public key"},
		{"no responder", func(*Config) {}, nil, "nil responder"},
		{"invalid command", func(*Config) {}, &scripted{cmds: []commands.Command{{Name: "Bad Name", Summary: "x"}}}, `name "Bad Name"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ok
			tc.change(&cfg)
			_, err := New(cfg, tc.bot)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New = %v, want an error mentioning %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), testToken) {
				t.Errorf("error shows the token: %v", err)
			}
		})
	}
}

// roundTrip records the URL of each request it is given.
type roundTrip struct{ urls []string }

func (rt *roundTrip) RoundTrip(req *http.Request) (*http.Response, error) {
	rt.urls = append(rt.urls, req.URL.String())
	return &http.Response{StatusCode: 204, Body: http.NoBody, Request: req}, nil
}

func TestRewriter(t *testing.T) {
	t.Parallel()
	next := &roundTrip{}
	rw := &rewriter{scheme: "http", host: "127.0.0.1:8080", next: next}
	for _, u := range []string{
		discordgo.EndpointGatewayBot,
		discordgo.EndpointChannelMessages("1200000000000000020") + "?x=1",
		"https://cdn.discordapp.com/avatars/1/2.png",
	} {
		req, _ := http.NewRequest("GET", u, nil)
		if _, err := rw.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
		if req.URL.String() != u {
			t.Errorf("the caller's request was changed to %s", req.URL)
		}
	}
	want := []string{
		"http://127.0.0.1:8080/api/v9/gateway/bot",
		"http://127.0.0.1:8080/api/v9/channels/1200000000000000020/messages?x=1",
		"https://cdn.discordapp.com/avatars/1/2.png",
	}
	if diff := cmp.Diff(want, next.urls); diff != "" {
		t.Errorf("URLs sent (-want +got):\n%s", diff)
	}
}

func TestAutocompleteChoices(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("z", 101)
	bot := &scripted{complete: func(command, option, partial string) []string {
		if command == "remind add" && option == "mm" {
			return []string{"0.25", "not a number", "1"}
		}
		return []string{"Europe/Berlin", "", long, "Europe/Bern"}
	}}
	d, err := New(Config{Token: testToken}, bot)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data string
		want []any
	}{
		{"strings, empty and over-long values left out", `{"type": 1, "name": "timezone", "options": [{"type": 3, "name": "zone", "value": "Europe/Ber", "focused": true}]}`,
			[]any{"Europe/Berlin", "Europe/Bern"}},
		{"numbers in a subcommand", `{"type": 1, "name": "remind", "options": [{"type": 1, "name": "add", "options": [
			{"type": 3, "name": "time", "value": "21:00"}, {"type": 10, "name": "mm", "value": "0.2", "focused": true}]}]}`,
			[]any{0.25, 1.0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in discordgo.Interaction
			if err := json.Unmarshal([]byte(`{"id": "1260000000000000003", "type": 4, "data": `+tc.data+`}`), &in); err != nil {
				t.Fatal(err)
			}
			var got *discordgo.InteractionResponse
			d.interact(t.Context(), &in, func(r *discordgo.InteractionResponse) error { got = r; return nil }, true)
			if got == nil || got.Type != discordgo.InteractionApplicationCommandAutocompleteResult {
				t.Fatalf("response %+v, want type 8", got)
			}
			var values []any
			for _, c := range got.Data.Choices {
				values = append(values, c.Value)
			}
			if diff := cmp.Diff(tc.want, values); diff != "" {
				t.Errorf("choices (-want +got):\n%s", diff)
			}
		})
	}
}
