package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/needlebot/needlebot/internal/text"
)

// doctor checks the configured store (Redis, or the embedded one in BOT_DATA_DIR) for data
// the bot cannot use, and with --fix repairs what is safe. It exits 1 while problems remain.
func doctor(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	// --fix is doctor's own; every other flag is a configuration flag, as for bot run.
	fix := false
	var flags []string
	for _, a := range args {
		if a == "--fix" || a == "-fix" {
			fix = true
			continue
		}
		flags = append(flags, a)
	}
	cfg, rest, err := loadConfig("doctor", flags, getenv, stderr, false)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError("doctor: unexpected arguments %q", rest)
	}
	log := newLogger(slog.LevelWarn, cfg.LogFormat, stderr, cfg.secrets())
	st, closeStore, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeStore()
	found, err := st.Doctor(ctx, fix)
	if err != nil {
		return err
	}
	left := 0
	for _, f := range found {
		fmt.Fprintln(stdout, f)
		if f.Fixed == "" {
			left++
		}
	}
	switch {
	case len(found) == 0:
		fmt.Fprintln(stdout, "store ok: nothing the bot cannot read")
		return nil
	case left == 0:
		fmt.Fprintf(stdout, "%d problem%s, all fixed\n", len(found), text.Plural(len(found)))
		return nil
	case fix:
		fmt.Fprintf(stdout, "%d problem%s, %d left: those need a person (a key of unknown shape may be another program's)\n", len(found), text.Plural(len(found)), left)
	default:
		fmt.Fprintf(stdout, "%d problem%s; bot doctor --fix repairs what is safe\n", len(found), text.Plural(len(found)))
	}
	return errSilent
}
