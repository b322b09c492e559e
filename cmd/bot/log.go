package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/redis/go-redis/v9"
)

// newLogger returns the process's logger: JSON or text as configured (auto: text on a terminal,
// JSON otherwise), at the configured level, with every secret replaced by "<redacted>" in the
// message and in every attribute, errors included.
func newLogger(level slog.Level, format string, w io.Writer, secrets []string) *slog.Logger {
	r := newRedactor(secrets)
	opts := &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			v := a.Value.Resolve()
			switch v.Kind() {
			case slog.KindString:
				a.Value = slog.StringValue(r.Replace(v.String()))
			case slog.KindAny:
				a.Value = slog.StringValue(r.Replace(fmt.Sprint(v.Any())))
			}
			return a
		},
	}
	if format == "text" || (format == "auto" && isTerminal(w)) {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// newRedactor replaces each secret, and its URL-escaped form, with "<redacted>".
func newRedactor(secrets []string) *strings.Replacer {
	var pairs []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		pairs = append(pairs, s, "<redacted>")
		if e := strings.NewReplacer(":", "%3A", "/", "%2F").Replace(s); e != s {
			pairs = append(pairs, e, "<redacted>")
		}
	}
	return strings.NewReplacer(pairs...)
}

// redisLogger sends go-redis's own messages (reconnects, pool errors) to slog instead of stderr.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(_ context.Context, format string, v ...any) {
	l.log.Warn("redis: " + fmt.Sprintf(format, v...))
}

var _ interface {
	Printf(context.Context, string, ...any)
} = redisLogger{}

// routeRedisLogs points go-redis's package-wide logger at log.
func routeRedisLogs(log *slog.Logger) { redis.SetLogger(redisLogger{log}) }
