package telegram

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/text"
)

func TestSplit(t *testing.T) {
	for _, tt := range []struct {
		name  string
		s     string
		limit int
		want  []string
	}{
		{"fits", "one\n\ntwo", 20, []string{"one\n\ntwo"}},
		{"empty", " \n ", 20, nil},
		{"paragraphs", "aaaa\n\nbbbb\n\ncccc", 10, []string{"aaaa\n\nbbbb", "cccc"}},
		{"lines inside a long paragraph", "aaaa\nbbbb\ncccc\n\ndd", 10, []string{"aaaa\nbbbb", "cccc\n\ndd"}},
		{"words", "aaa bbb ccc ddd", 8, []string{"aaa bbb", "ccc ddd"}},
		{"runes", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"UTF-16 units", "😀😀😀", 4, []string{"😀😀", "😀"}},
		{"no blank pieces", "aaaa\n\n\n\n\n\nbbbb", 5, []string{"aaaa", "bbbb"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := split(tt.s, tt.limit)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("split (-want +got):\n%s", diff)
			}
			for _, p := range got {
				if length(p) > tt.limit {
					t.Errorf("piece %q is over %d", p, tt.limit)
				}
			}
		})
	}
}

func TestLayout(t *testing.T) {
	for _, tt := range []struct {
		name  string
		r     domain.Reply
		limit int
		want  []string
	}{
		{"title and text", domain.Reply{Title: "Size", Text: "0.25 mm"}, maxMessage, []string{"<b>Size</b>\n0.25 mm"}},
		{"title alone", domain.Reply{Title: " Size\n "}, maxMessage, []string{"<b>Size</b>"}},
		{"nothing", domain.Reply{}, maxMessage, nil},
		{"escaped", domain.Reply{Title: "a<b", Text: "x & y > z"}, maxMessage, []string{"<b>a&lt;b</b>\nx &amp; y &gt; z"}},
		// The limit is on what the user sees, so escaping does not push a piece over it.
		{"entities count once", domain.Reply{Text: strings.Repeat("&", 10)}, 10, []string{strings.Repeat("&amp;", 10)}},
		{"entities never cut", domain.Reply{Text: "<<<<< >>>>>"}, 6, []string{"&lt;&lt;&lt;&lt;&lt;", "&gt;&gt;&gt;&gt;&gt;"}},
		{"title kept whole", domain.Reply{Title: "Title", Text: "aaaa bbbb"}, 8, []string{"<b>Title</b>", "aaaa", "bbbb"}},
		{"invalid UTF-8", domain.Reply{Text: "a\xffb"}, maxMessage, []string{"a\uFFFDb"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, layout(tt.r, tt.limit)); diff != "" {
				t.Errorf("layout (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClip(t *testing.T) {
	if got := text.ClipUnits("abcdef", 4); got != "abc…" {
		t.Errorf("clip = %q", got)
	}
	if got := text.ClipUnits("abc", 3); got != "abc" {
		t.Errorf("clip = %q", got)
	}
}

func TestNewChecksConfig(t *testing.T) {
	ok, bot := Config{Token: testToken}, realBot()
	for _, tt := range []struct {
		name string
		edit func(*Config)
		want string // in the error; "" for success
	}{
		{"defaults", func(*Config) {}, ""},
		{"no token", func(c *Config) { c.Token = "" }, "token"},
		{"token with a slash", func(c *Config) { c.Token = "123:abc/def" }, "token"},
		{"token without id", func(c *Config) { c.Token = ":abc" }, "token"},
		{"bad API URL", func(c *Config) { c.APIURL = "api.telegram.org" }, "API URL"},
		{"self-hosted API", func(c *Config) { c.APIURL = "http://localhost:8081/" }, ""},
		{"webhook without secret", func(c *Config) { c.WebhookURL = "https://x.example/hook" }, "secret"},
		{"webhook secret with spaces", func(c *Config) { c.WebhookURL, c.WebhookSecret = "https://x.example/hook", "a b" }, "secret"},
		{"webhook secret too long", func(c *Config) { c.WebhookURL, c.WebhookSecret = "https://x.example/hook", strings.Repeat("a", 257) }, "secret"},
		{"bad webhook URL", func(c *Config) { c.WebhookURL, c.WebhookSecret = "/hook", "s" }, "webhook URL"},
		{"webhook", func(c *Config) { c.WebhookURL, c.WebhookSecret = "https://x.example/hook", "s" }, ""},
		{"client timeout under the poll", func(c *Config) { c.HTTPClient = &http.Client{Timeout: 30 * time.Second} }, "timeout"},
		{"client timeout over the poll", func(c *Config) { c.HTTPClient, c.PollTimeout = &http.Client{Timeout: 30 * time.Second}, 20*time.Second }, ""},
		{"negative poll", func(c *Config) { c.PollTimeout = -time.Second }, "poll"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.edit(&cfg)
			_, err := New(cfg, bot, newFakeState())
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("New = %v, want an error about %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "abc") {
				t.Errorf("the token is in the error: %v", err)
			}
		})
	}
	if _, err := New(ok, nil, newFakeState()); err == nil {
		t.Error("New accepted a nil bot")
	}
}

func TestBackoff(t *testing.T) {
	var b backoff
	for i, want := range []time.Duration{1, 2, 4, 8, 16, 32, 60, 60} {
		want *= time.Second
		if d := b.next(); d < want/2 || d > want {
			t.Errorf("step %d: %s, want between %s and %s", i, d, want/2, want)
		}
	}
	rateLimited := &tgbotapi.Error{Code: 429, Message: "Too Many Requests: retry after 5", ResponseParameters: tgbotapi.ResponseParameters{RetryAfter: 5}}
	if d := delay(rateLimited, &b); d != 5*time.Second {
		t.Errorf("delay after retry_after 5 = %s", d)
	}
}

func TestAPICode(t *testing.T) {
	for _, tt := range []struct {
		err       error
		code      int
		retryable bool
	}{
		{&tgbotapi.Error{Code: 403, Message: "Forbidden: bot was blocked by the user"}, 403, false},
		{&tgbotapi.Error{Message: "Forbidden: bot was blocked by the user"}, 403, false},
		{&tgbotapi.Error{Message: "Too Many Requests: retry after 3"}, 429, true},
		{&tgbotapi.Error{Message: "something new"}, 500, true},
		{errors.New("dial tcp: connection refused"), 0, true},
	} {
		if got := apiCode(tt.err); got != tt.code || retryable(tt.err) != tt.retryable {
			t.Errorf("apiCode(%v) = %d, retryable %v; want %d, %v", tt.err, got, retryable(tt.err), tt.code, tt.retryable)
		}
	}
}

// menuBot has commands Telegram would refuse.
type menuBot struct{ stubBot }

func (menuBot) Commands() []commands.Command {
	return []commands.Command{
		{Name: "start", Summary: "Welcome"},
		{Name: "Log-Session", Summary: "Not a Telegram name"},
		{Name: "quiet"},
		{Name: "long", Summary: strings.Repeat("x", 300)},
	}
}

func TestCommandMenu(t *testing.T) {
	h := newHarness(t, realBot())
	h.start()
	var got []tgbotapi.BotCommand
	if err := json.Unmarshal([]byte(h.api.Next("setMyCommands").Params.Get("commands")), &got); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range got {
		names = append(names, c.Command)
	}
	if want := []string{"start", "help", "needle", "ask"}; !cmp.Equal(names[:4], want) || got[2].Description == "" {
		t.Errorf("menu = %v, want %v first", got, want)
	}
	// The descriptions Telegram shows before a chat starts come from the same descriptions.
	long := h.api.Next("setMyDescription").Params.Get("description")
	short := h.api.Next("setMyShortDescription").Params.Get("short_description")
	wantContains(t, long, "/needle - "+got[2].Description, "/ask - ")
	wantContains(t, short, "/needle", "/ask")
	if length(long) > 512 || length(short) > 120 {
		t.Errorf("descriptions too long: %d and %d", length(long), length(short))
	}

	h = newHarness(t, menuBot{})
	h.start()
	got = nil
	if err := json.Unmarshal([]byte(h.api.Next("setMyCommands").Params.Get("commands")), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Command != "start" || got[1].Command != "long" || length(got[1].Description) != 256 {
		t.Errorf("menu = %v, want start and long (cut to 256)", got)
	}
	wantContains(t, h.logs.String(), "command=Log-Session", "command=quiet", "cut to 256")
}
