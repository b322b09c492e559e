package console

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/kb"
)

func newBot() *commands.Bot {
	return commands.New(commands.Config{KB: kb.Default()})
}

func runConsole(t *testing.T, input string, interactive bool) string {
	t.Helper()
	var out bytes.Buffer
	c := New(newBot(), strings.NewReader(input), &out, interactive, nil)
	if err := c.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return out.String()
}

func TestPipe(t *testing.T) {
	out := runConsole(t, "/help\n/needle size\n", false)
	for _, want := range []string{"needlebot help", "/needle <topic>", "0.25 mm", "Source: Kerry Benjamin"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\n> ") || strings.HasPrefix(out, "> ") || strings.Contains(out, "Ctrl-D") {
		t.Errorf("a pipe got prompts:\n%s", out)
	}
}

func TestInteractiveShowsPrompt(t *testing.T) {
	out := runConsole(t, "/start\n", true)
	if !strings.HasPrefix(out, "needlebot on the console") || strings.Count(out, "> ") != 2 {
		t.Errorf("interactive output lacks greeting or prompts:\n%s", out)
	}
}

// With two replies on screen, each one's buttons can still be pressed: "1.9" is the first
// reply's ninth button, and a bare number the newest reply's.
func TestOlderRepliesButtons(t *testing.T) {
	out := runConsole(t, "/needle\n/needle\n1.9\n2.10\n3.1\n1.99\n", false)
	if !strings.Contains(out, "[2.9] size") {
		t.Fatalf("the second reply's buttons are not numbered 2.n:\n%s", out)
	}
	if strings.Count(out, "For use at home: 0.25 mm") != 1 {
		t.Errorf("1.9 did not press the first reply's size button once:\n%s", out)
	}
	// Neither 3.1 nor 1.99 names a shown button: they are messages, answered as such.
	if strings.Count(out, "not sure what you mean") < 2 {
		t.Errorf("3.1 and 1.99 were not treated as messages:\n%s", out)
	}
}

func TestLastLineWithoutNewlineIsAnswered(t *testing.T) {
	out := runConsole(t, "\n\n   \n/needle size", false)
	if !strings.Contains(out, "0.25 mm") {
		t.Errorf("the last line was not answered:\n%s", out)
	}
}

func TestButtonsByNumber(t *testing.T) {
	out := runConsole(t, "/needle\n9\n", false)
	if !strings.Contains(out, "[1.9] size") {
		t.Fatalf("buttons not numbered:\n%s", out)
	}
	if !strings.Contains(out, "For use at home: 0.25 mm") {
		t.Errorf("typing 9 did not press the size button:\n%s", out)
	}
	// A number with no buttons on screen is just a message.
	out = runConsole(t, "9\n", false)
	if strings.Contains(out, "0.25 mm") {
		t.Errorf("a bare number pressed a button that was never shown:\n%s", out)
	}
}

func TestHugeAndBinaryLines(t *testing.T) {
	in := strings.Repeat("é", 102400) + "\r\n" + "\x00\xff\xfe\n" + strings.Repeat("x", 2000) + "\n" + "/needle size\n"
	out := runConsole(t, in, false)
	if !strings.Contains(out, "That line is 102,400 characters long, more than I read in one line (64 KB); nothing was done.") {
		t.Errorf("huge line not refused with its real length:\n%.500s", out)
	}
	if !strings.Contains(out, "a lot of text for me (2000 characters)") {
		t.Errorf("a long line within the limit is not the bot's to answer:\n%.500s", out)
	}
	if !strings.Contains(out, "0.25 mm") {
		t.Errorf("lines after a huge one were lost:\n%.500s", out)
	}
}

func TestCancelStopsReading(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	var out bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	c := New(newBot(), pr, &out, false, func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) })
	go func() { done <- c.Run(ctx) }()
	pw.Write([]byte("/needle size\n"))
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run after cancel = %v, want context.Canceled", err)
	}
}

func TestReadErrorIsReported(t *testing.T) {
	var out bytes.Buffer
	c := New(newBot(), io.MultiReader(strings.NewReader("/start\n"), errReader{}), &out, false, nil)
	err := c.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("Run = %v, want the read error", err)
	}
	if !strings.Contains(out.String(), "I'm needlebot") {
		t.Errorf("line before the error was not answered:\n%s", out.String())
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

type respondFunc func(*commands.Request) domain.Reply

func (f respondFunc) Respond(_ context.Context, req *commands.Request) domain.Reply { return f(req) }

// A picture is saved as a file, with its alt text shown; its bytes never reach the terminal.
func TestPictureIsSavedNotPrinted(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\nfake")
	bot := respondFunc(func(*commands.Request) domain.Reply {
		return domain.Reply{Title: "Your stats", Text: "This week: 2 of up to 5", File: &domain.File{Name: "../2026-12.png", Type: "image/png", Data: png, Alt: "December 2026: 2 sessions on 2 days."}}
	})
	dir := t.TempDir()
	var out bytes.Buffer
	c := New(bot, strings.NewReader("/stats\n"), &out, false, nil)
	c.SaveImagesIn(dir)
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "needlebot-2026-12.png")
	if !strings.Contains(out.String(), "[picture] December 2026: 2 sessions on 2 days.") || !strings.Contains(out.String(), "Saved to "+path) {
		t.Errorf("output:\n%s", out.String())
	}
	if strings.Contains(out.String(), "PNG") {
		t.Errorf("the picture's bytes were printed:\n%q", out.String())
	}
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, png) {
		t.Errorf("saved %q, %v", got, err)
	}
}
