package commands

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/kb"
	"github.com/needlebot/needlebot/internal/text"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var testNow = time.Date(2026, 11, 28, 21, 30, 0, 0, time.UTC)

func newTestBot(t testing.TB) (*Bot, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	b := New(Config{
		KB:  kb.Default(),
		Now: func() time.Time { return testNow },
		Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	return b, &logs
}

// say sends one line, as a front end would after parsing it.
func say(t testing.TB, b *Bot, line string) domain.Reply {
	t.Helper()
	p := Parse(line)
	return b.Respond(context.Background(), &Request{
		Platform: domain.Console, UserID: "local", ChatID: "local", Private: true,
		Command: p.Command, Args: p.Args, Text: p.Text, Time: testNow,
	})
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (run go test -update if the change is intended):\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

func render(r domain.Reply) string {
	var sb strings.Builder
	if r.Title != "" {
		sb.WriteString("# " + r.Title + "\n")
	}
	sb.WriteString(r.Text + "\n")
	for _, row := range r.Buttons {
		for _, btn := range row {
			sb.WriteString("[" + btn.Label + " -> " + btn.Data + "] ")
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

func TestGoldenReplies(t *testing.T) {
	b, _ := newTestBot(t)
	for _, tt := range []struct{ name, line string }{
		{"start", "/start"},
		{"help", "/help"},
		{"needle", "/needle"},
		{"needle-size", "/needle size"},
		{"not-covered", "can I use retinol after rolling?"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, tt.name, render(say(t, b, tt.line)))
		})
	}
}

func TestConversation(t *testing.T) {
	b, _ := newTestBot(t)
	tests := []struct {
		line     string
		contains []string
		absent   []string
	}{
		{"/needle size", []string{"0.25 mm", "Source: Kerry Benjamin"}, nil},
		{"/needle SIZE", []string{"0.25 mm"}, nil},
		{"/needle frequency", []string{"five times a week", "Source:"}, nil},
		{"/needle serums", []string{"stem cells, peptides and hyaluronic acid"}, nil},
		{"/needle pain", []string{"pain-free"}, nil},
		{"/needle sise", []string{`no topic called "sise"`, "/needle size"}, nil},
		{"/needle zzzzzzzz", []string{`no topic called "zzzzzzzz"`, "Send /needle to see every topic"}, nil},
		{"/ask can I roll every day?", []string{"five times a week"}, nil},
		{"/ask", []string{"Ask me anything"}, nil},
		{"can I dermaroll every day?", []string{"five times a week"}, nil},
		{"what length needles for home?", []string{"0.25 mm"}, nil},
		{"will I bleed", []string{"bleeding"}, nil},
		{"what's the weather in Paris", []string{"outside what I know", "micro-needling"}, []string{"Source: Kerry"}},
		{"can I use retinol after rolling?", []string{"doesn't cover that", "dermatologist", "closest topics"}, []string{"Source: Kerry"}},
		{"my face is really swollen after rolling", []string{"doctor or dermatologist", "Stop rolling"}, []string{"Source: Kerry", "no recovery period"}},
		{"does it hurt and will I bleed?", []string{"Does it hurt?", "Downtime and bleeding", "pain-free", "anywhere near bleeding"}, nil},
		{"/neddle", []string{"I don't know the command /neddle", "Did you mean /needle?"}, nil},
		{"/xyzzy", []string{"I don't know the command /xyzzy", "/help"}, []string{"Did you mean"}},
		{"/" + strings.Repeat("a", 300), []string{"I don't know the command"}, []string{strings.Repeat("a", 40)}},
		{"<b>bold</b> & '; DROP TABLE users; --", nil, []string{"Source: Kerry", "Logged"}},
		{"\x00\x01\x02\xff\xfe", []string{"not sure what you mean"}, nil},
		{"🙂", []string{"Anything else?"}, []string{"not sure what you mean"}},
		{"👍👍", []string{"Anything else?"}, nil},
		{"👍 rolled 0.25", nil, []string{"Anything else?"}},
		{"$$$", []string{"not sure what you mean"}, nil},
		{"thanks!", []string{"You're welcome"}, nil},
		{strings.Repeat("roll ", 200), []string{"a lot of text", "under 500 characters"}, nil},
	}
	for _, tt := range tests {
		t.Run(text.Clip(tt.line, 30), func(t *testing.T) {
			got := say(t, b, tt.line)
			all := got.Title + "\n" + got.Text
			for _, want := range tt.contains {
				if !strings.Contains(all, want) {
					t.Errorf("reply to %q = %q, want it to contain %q", text.Clip(tt.line, 40), all, want)
				}
			}
			for _, no := range tt.absent {
				if strings.Contains(all, no) {
					t.Errorf("reply to %q = %q, must not contain %q", text.Clip(tt.line, 40), all, no)
				}
			}
		})
	}
}

func TestTopicButtonsWork(t *testing.T) {
	b, _ := newTestBot(t)
	list := say(t, b, "/needle")
	if len(list.Buttons) == 0 {
		t.Fatal("/needle has no buttons")
	}
	var size *domain.Button
	for _, row := range list.Buttons {
		for i := range row {
			if row[i].Label == "size" {
				size = &row[i]
			}
		}
	}
	if size == nil {
		t.Fatal("no size button")
	}
	got := b.Respond(context.Background(), &Request{Platform: domain.Console, UserID: "local", Button: size.Data})
	if !strings.Contains(got.Text, "0.25 mm") {
		t.Errorf("pressing size gave %q", got.Text)
	}
	bad := b.Respond(context.Background(), &Request{Platform: domain.Console, UserID: "local", Button: "needle:nope"})
	if !strings.Contains(bad.Text, "no longer works") {
		t.Errorf("stale button gave %q", bad.Text)
	}
}

func TestEveryTopicIsASubcommand(t *testing.T) {
	b, _ := newTestBot(t)
	c, ok := b.Command("needle")
	if !ok {
		t.Fatal("no needle command")
	}
	if len(c.Subs) != len(kb.Default().Topics()) {
		t.Errorf("%d subcommands, want one per topic (%d)", len(c.Subs), len(kb.Default().Topics()))
	}
	for _, s := range c.Subs {
		if !ValidName(s.Name) && !strings.Contains(s.Name, "-") {
			t.Errorf("subcommand %q is not a valid name", s.Name)
		}
		got := say(t, b, "/needle "+s.Name)
		if !strings.Contains(got.Text, "Source: ") {
			t.Errorf("/needle %s gave no sourced answer: %q", s.Name, got.Text)
		}
	}
	for _, c := range b.Commands() {
		if !ValidName(c.Name) || c.Summary == "" || len(c.Summary) > 100 {
			t.Errorf("command %q has a bad name or summary %q", c.Name, c.Summary)
		}
	}
}

type unavailableErr struct{}

func (unavailableErr) Error() string     { return "dial tcp 10.0.0.1:6379: connection refused" }
func (unavailableErr) Unavailable() bool { return true }

func TestRespondErrors(t *testing.T) {
	b, logs := newTestBot(t)
	b.router.HandleFunc("boom", func(context.Context, *Request) (domain.Reply, error) {
		return domain.Reply{}, errors.New("secret internal detail")
	})
	b.router.HandleFunc("down", func(context.Context, *Request) (domain.Reply, error) {
		return domain.Reply{}, unavailableErr{}
	})
	b.router.HandleFunc("nope", func(context.Context, *Request) (domain.Reply, error) {
		return domain.Reply{}, domain.Errorf("That time doesn't exist.")
	})
	tests := []struct {
		cmd, want, log string
	}{
		{"boom", msgInternal, "outcome=error"},
		{"down", msgUnavailable, "outcome=unavailable"},
		{"nope", "That time doesn't exist.", "outcome=rejected"},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			logs.Reset()
			got := b.Respond(context.Background(), &Request{Platform: domain.Console, Command: tt.cmd})
			if got.Text != tt.want {
				t.Errorf("reply %q, want %q", got.Text, tt.want)
			}
			if strings.Contains(got.Text, "secret") || strings.Contains(got.Text, "10.0.0.1") {
				t.Errorf("reply leaks the internal error: %q", got.Text)
			}
			if n := strings.Count(logs.String(), "\n"); n != 1 || !strings.Contains(logs.String(), tt.log) {
				t.Errorf("want exactly one log line with %s, got %d:\n%s", tt.log, n, logs)
			}
		})
	}
}

func TestLogsHoldNoMessageText(t *testing.T) {
	b, logs := newTestBot(t)
	say(t, b, "my secret question about rolling")
	say(t, b, "/ask another private question")
	if strings.Contains(logs.String(), "secret") || strings.Contains(logs.String(), "private") {
		t.Errorf("logs contain message text:\n%s", logs)
	}
	if !strings.Contains(logs.String(), "command=text") || !strings.Contains(logs.String(), "command=ask") {
		t.Errorf("logs lack command names:\n%s", logs)
	}
}

func BenchmarkAsk(b *testing.B) {
	bot, _ := newTestBot(b)
	bot.log = slog.New(slog.DiscardHandler)
	req := Request{Platform: domain.Console, UserID: "local", Command: "ask", Text: "can I roll every day with a 0.25 mm roller?"}
	req.Args = strings.Fields(req.Text)
	b.ReportAllocs()
	for b.Loop() {
		r := req
		if rep := bot.Respond(context.Background(), &r); !strings.Contains(rep.Text, "five") {
			b.Fatalf("wrong answer %q", rep.Text)
		}
	}
}

func TestPanicBecomesAnApology(t *testing.T) {
	b, logs := newTestBot(t)
	b.router.HandleFunc("explode", func(context.Context, *Request) (domain.Reply, error) {
		panic("a handler bug")
	})
	got := b.Respond(context.Background(), &Request{Platform: domain.Console, Command: "explode"})
	if got.Text != msgInternal {
		t.Errorf("reply %q, want %q", got.Text, msgInternal)
	}
	if !strings.Contains(logs.String(), "panic") || strings.Count(logs.String(), "\n") != 1 {
		t.Errorf("want one log line with the panic, got:\n%s", logs)
	}
	// The bot still answers afterwards.
	if r := say(t, b, "/needle size"); !strings.Contains(r.Text, "0.25 mm") {
		t.Errorf("after a panic: %q", r.Text)
	}
}

// A bot without a diary answers a diary message with what it can do, not with an invitation
// to tell it about a session it cannot log.
func TestNoDiaryBotDoesNotInviteSessions(t *testing.T) {
	b := New(Config{KB: kb.Default()})
	got := say(t, b, "rolled 0.25 tonight with peptide serum")
	if strings.Contains(got.Text, "log") || !strings.Contains(got.Text, "not sure what you mean") {
		t.Errorf("reply = %q", got.Text)
	}
}
