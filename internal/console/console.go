// Package console is the terminal front end: it reads messages from a reader, one per line, and
// writes the bot's replies to a writer. It works interactively and in a pipe.
package console

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/remind"
)

// UserID is the console's one user; their data is kept as "console:local".
const UserID = "local"

// maxLine is the longest line passed to the bot; the rest of a longer line is dropped, and the
// bot then answers that the message is too long.
const maxLine = 64 * 1024

// Responder answers requests; *commands.Bot is one.
type Responder interface {
	Respond(ctx context.Context, req *commands.Request) domain.Reply
}

// Console is the terminal front end.
type Console struct {
	bot         Responder
	in          io.Reader
	now         func() time.Time
	interactive bool

	mu      sync.Mutex // serialises writes: replies and reminders may arrive together
	out     io.Writer
	images  string                  // where pictures are saved; the system's temporary directory when ""
	buttons map[int][]domain.Button // the buttons of the last replies, by reply number
	shown   int                     // the number of the last reply shown with buttons
	seq     int
}

// New returns a console reading from in and writing to out. When interactive is true it
// greets the user and shows a prompt; in a pipe it prints only the replies.
func New(bot Responder, in io.Reader, out io.Writer, interactive bool, now func() time.Time) *Console {
	if now == nil {
		now = time.Now
	}
	return &Console{bot: bot, in: in, out: out, interactive: interactive, now: now}
}

// SaveImagesIn makes the console save the pictures it is sent in dir.
func (c *Console) SaveImagesIn(dir string) { c.images = dir }

// saveImage writes f to the images directory, named after it, and returns its path.
func (c *Console) saveImage(f *domain.File) (string, error) {
	dir := c.images
	if dir == "" {
		dir = os.TempDir()
	}
	name := "needlebot-" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '_'
	}, filepath.Base(f.Name))
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, f.Data, 0o644); err != nil {
		return "", err
	}
	return path, nil
}

// Run handles lines until the input ends (it then returns nil, having answered every line) or
// ctx is cancelled (it returns ctx.Err() after the line in hand is answered).
func (c *Console) Run(ctx context.Context) error {
	lines := make(chan line)
	readErr := make(chan error, 1)
	go func() {
		readErr <- readLines(c.in, lines, ctx.Done())
		close(lines)
	}()
	if c.interactive {
		c.write("needlebot on the console. Ask a question, or type /help. Ctrl-D quits.\n")
		c.prompt()
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case line, ok := <-lines:
			if !ok {
				if ctx.Err() != nil {
					return ctx.Err() // cancelled: the reader stopped because of it
				}
				err := <-readErr
				if c.interactive {
					c.write("\n")
				}
				return err
			}
			if line.cut {
				c.write(fmt.Sprintf("That line is %s characters long, more than I read in one line (%d KB); nothing was done. Please write a sentence or two.\n", thousands(line.runes), maxLine/1024))
			} else {
				c.handle(ctx, line.text)
			}
			c.prompt()
		}
	}
}

func (c *Console) handle(ctx context.Context, line string) {
	line = strings.TrimSpace(line)
	if line == "" {
		return
	}
	c.mu.Lock()
	c.seq++
	req := &commands.Request{
		ID:       "console-" + strconv.FormatInt(c.now().UnixNano(), 36) + "-" + strconv.Itoa(c.seq),
		Platform: domain.Console,
		UserID:   UserID,
		ChatID:   UserID,
		Private:  true,
		Time:     c.now(),
	}
	if b, ok := c.pressed(line); ok {
		req.Button = b.Data
	} else {
		p := commands.Parse(line)
		req.Command, req.Args, req.Text = p.Command, p.Args, p.Text
	}
	c.mu.Unlock()
	c.Show(c.bot.Respond(ctx, req))
}

// Notify shows a reminder that came due, between the user's own lines; it implements
// remind.Notifier for the console user.
func (c *Console) Notify(_ context.Context, n remind.Notice) error {
	if c.interactive {
		c.write("\n")
	}
	c.Show(n.Reply)
	c.prompt()
	return nil
}

// keepReplies is how many replies with buttons stay pressable: those still on the screen.
const keepReplies = 20

// pressed reads a line as a button press: "2.1" is reply 2's first button, "1" the newest
// reply's. Anything else is a message.
func (c *Console) pressed(line string) (domain.Button, bool) {
	reply, button := c.shown, line
	if r, b, ok := strings.Cut(line, "."); ok {
		n, err := strconv.Atoi(r)
		if err != nil {
			return domain.Button{}, false
		}
		reply, button = n, b
	}
	i, err := strconv.Atoi(button)
	row := c.buttons[reply]
	if err != nil || i < 1 || i > len(row) || strings.HasPrefix(button, "+") {
		return domain.Button{}, false
	}
	return row[i-1], true
}

// Show prints a reply, numbering its buttons so the user can press one by typing its number:
// "2.1" for the first button of the reply marked 2, or just "1" for the newest reply's.
func (c *Console) Show(r domain.Reply) {
	var sb strings.Builder
	if r.Title != "" {
		sb.WriteString(r.Title + "\n")
	}
	sb.WriteString(strings.TrimRight(r.Text, "\n") + "\n")
	var flat []domain.Button
	for _, row := range r.Buttons {
		flat = append(flat, row...)
	}
	c.mu.Lock()
	k := c.shown
	if len(flat) > 0 {
		k++
		c.shown = k
		if c.buttons == nil {
			c.buttons = map[int][]domain.Button{}
		}
		c.buttons[k] = flat
		delete(c.buttons, k-keepReplies)
	}
	c.mu.Unlock()
	if len(flat) > 0 {
		parts := make([]string, len(flat))
		for i, b := range flat {
			parts[i] = fmt.Sprintf("[%d.%d] %s", k, i+1, b.Label)
		}
		sb.WriteString("Reply with a number: " + strings.Join(parts, "  ") + "\n")
	}
	if r.File.IsImage() {
		// A terminal cannot show a picture: it is written to a file, and the alt text says
		// what it shows.
		fmt.Fprintf(&sb, "[picture] %s\n", r.File.Alt)
		if path, err := c.saveImage(r.File); err != nil {
			fmt.Fprintf(&sb, "(I couldn't save it: %v)\n", err)
		} else {
			fmt.Fprintf(&sb, "Saved to %s\n", path)
		}
	} else if r.File != nil {
		fmt.Fprintf(&sb, "--- %s (%d bytes) ---\n%s", r.File.Name, len(r.File.Data), r.File.Data)
		if len(r.File.Data) > 0 && r.File.Data[len(r.File.Data)-1] != '\n' {
			sb.WriteString("\n")
		}
		sb.WriteString("--- end of " + r.File.Name + " ---\n")
	}
	sb.WriteString("\n")
	c.mu.Lock()
	defer c.mu.Unlock()
	io.WriteString(c.out, sb.String())
}

func (c *Console) prompt() {
	if c.interactive {
		c.write("> ")
	}
}

func (c *Console) write(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	io.WriteString(c.out, s)
}

// line is one line of input; a line longer than maxLine is cut there, and says how long it was.
type line struct {
	text  string
	runes int  // the whole line's length in characters
	cut   bool // longer than maxLine: text holds its start
}

// readLines sends each line of r to lines until r ends or done is closed. A line longer than
// maxLine is cut there, the rest of it skipped and counted.
func readLines(r io.Reader, lines chan<- line, done <-chan struct{}) error {
	br := bufio.NewReaderSize(r, 4096)
	var buf []byte
	total, runes := 0, 0
	for {
		chunk, err := br.ReadSlice('\n')
		total += len(chunk)
		runes += utf8.RuneCount(chunk)
		if len(buf) < maxLine {
			buf = append(buf, chunk[:min(len(chunk), maxLine-len(buf))]...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if total > 0 {
			end := len(chunk) - len(bytes.TrimRight(chunk, "\r\n")) // the line's end, not its text
			l := line{text: strings.TrimRight(string(buf), "\r\n"), runes: runes - end, cut: total-end > maxLine}
			select {
			case lines <- l:
			case <-done:
				return nil
			}
		}
		buf, total, runes = buf[:0], 0, 0
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("console: read: %w", err)
		}
	}
}

// thousands writes n with commas: 102,400.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
