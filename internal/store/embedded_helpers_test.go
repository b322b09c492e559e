package store

import (
	"context"
	"log/slog"
	"net"
	"path/filepath"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// load reads a data directory as a crash leaves it, snapshot and journals, into mr, without
// locking it or touching its files: the test's view of what is on disk. It returns how many
// keys mr holds.
func load(mr *miniredis.Miniredis, path string) (int, error) {
	dir := filepath.Dir(path)
	e := &Embedded{mr: mr, dir: dir, path: path, log: slog.New(slog.DiscardHandler),
		exp: expiry{at: map[string]int64{}}, scripts: map[string]string{}, readOnlyFiles: true}
	e.db = mr.DB(0)
	e.raw = redis.NewClient(&redis.Options{Dialer: func(context.Context, string, string) (net.Conn, error) { return mr.Dial() }})
	defer e.raw.Close()
	snap, _, err := e.load()
	if err != nil {
		return 0, err
	}
	if _, err := e.replay(snap.Journal); err != nil {
		return 0, err
	}
	return len(mr.Keys()), nil
}
