package main

import (
	"context"
	"errors"
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
	"github.com/needlebot/needlebot/internal/remind"
	"github.com/needlebot/needlebot/internal/store"
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
	st, closeStore, err := openStore(ctx, getenv, log)
	if err != nil {
		return err
	}
	defer closeStore()
	key, err := buttonKey(ctx, getenv("BOT_SECRET"), st)
	if err != nil {
		return err
	}
	bot := commands.New(commands.Config{KB: k, Store: st, ButtonKey: key, Log: log})
	con := console.New(bot, stdin, stdout, interactive, time.Now)

	// The dispatcher runs beside the console until the input ends.
	dctx, stopDispatch := context.WithCancel(ctx)
	dispatched := make(chan error, 1)
	if getenv("BOT_DISPATCHER") != "off" {
		d := remind.New(remind.Config{
			Queue: st, Composer: bot, Log: log,
			Notifiers: map[string]remind.Notifier{commands.Console: con},
		})
		go func() { dispatched <- d.Run(dctx) }()
	} else {
		dispatched <- nil
	}
	err = con.Run(ctx)
	stopDispatch()
	return errors.Join(err, <-dispatched)
}

// openStore connects to REDIS_URL, or runs the embedded store in BOT_DATA_DIR (./data) when
// it is unset. The returned function closes it, saving the embedded store's last snapshot.
func openStore(ctx context.Context, getenv func(string) string, log *slog.Logger) (*store.Store, func() error, error) {
	if url := getenv("REDIS_URL"); url != "" {
		st, err := store.Dial(ctx, url)
		if err != nil {
			return nil, nil, err
		}
		return st, st.Close, nil
	}
	dir := getenv("BOT_DATA_DIR")
	if dir == "" {
		dir = "data"
	}
	e, err := store.OpenEmbedded(dir, log)
	if err != nil {
		return nil, nil, err
	}
	return e.Store, e.Close, nil
}

// buttonKey is BOT_SECRET when set (at least 32 characters), else a key kept in the store, so
// that every instance sharing the store signs buttons alike.
func buttonKey(ctx context.Context, secret string, st *store.Store) ([]byte, error) {
	if secret != "" {
		if len(secret) < 32 {
			return nil, usageError("BOT_SECRET: must be at least 32 characters")
		}
		return []byte(secret), nil
	}
	key, err := st.Secret(ctx)
	if err != nil {
		return nil, fmt.Errorf("button key: %w", err)
	}
	return key, nil
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
