package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/console"
	"github.com/needlebot/needlebot/internal/kb"
)

// serve starts the bot on the console and talks there until the input ends or ctx is cancelled.
func serve(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return &exitError{code: 2, err: err}
	}
	interactive := isTerminal(stdin) && isTerminal(stdout)
	log, err := newLogger(getenv("LOG_LEVEL"), stderr, slog.LevelWarn)
	if err != nil {
		return err
	}
	k, err := kb.Load(getenv("BOT_KB_FILE"))
	if err != nil {
		return fmt.Errorf("knowledge base: %w", err)
	}
	bot := commands.New(commands.Config{KB: k, Log: log})
	return console.New(bot, stdin, stdout, interactive, time.Now).Run(ctx)
}

// newLogger returns a slog logger writing to w: text on a terminal, JSON otherwise. An empty
// level means def.
func newLogger(level string, w io.Writer, def slog.Level) (*slog.Logger, error) {
	lvl := def
	if level != "" {
		if err := lvl.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
			return nil, usageError("LOG_LEVEL: %q is not debug, info, warn or error", level)
		}
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if isTerminal(w) {
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return slog.New(slog.NewJSONHandler(w, opts)), nil
}

// isTerminal reports whether v is a character device such as a terminal.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
