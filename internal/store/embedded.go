package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// SnapshotName is the file the embedded store keeps its data in, inside the data directory.
const SnapshotName = "needlebot.json"

const snapshotVersion = 1

// snapshot is the embedded store's file: every key with its type, value and remaining TTL.
type snapshot struct {
	Version int       `json:"version"`
	Saved   time.Time `json:"saved"`
	Keys    []snapKey `json:"keys"`
}

type snapKey struct {
	Key    string             `json:"key"`
	Type   string             `json:"type"`
	TTLms  int64              `json:"ttl_ms,omitempty"`
	String string             `json:"string,omitempty"`
	Hash   map[string]string  `json:"hash,omitempty"`
	ZSet   map[string]float64 `json:"zset,omitempty"`
	List   []string           `json:"list,omitempty"`
	Set    []string           `json:"set,omitempty"`
}

// Embedded runs the store in-process on miniredis and keeps it in a snapshot file, so the bot
// runs out of the box. Every write is in the file before the user is told it succeeded: the
// store waits for a snapshot taken after the write (concurrent writes share one snapshot).
type Embedded struct {
	*Store
	mr   *miniredis.Miniredis
	path string
	log  *slog.Logger
	lock *os.File // held while the store is open

	reqs chan chan error // commit requests, served by the saver goroutine
	stop chan struct{}
	done chan struct{}
}

// OpenEmbedded loads dir/needlebot.json (an absent file starts an empty store; a corrupt one
// is an error, never an empty start) and starts an embedded store over it.
func OpenEmbedded(dir string, log *slog.Logger, opts ...Option) (*Embedded, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: data directory: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	release := func() {
		if lock != nil {
			lock.Close()
		}
	}
	path := filepath.Join(dir, SnapshotName)
	mr := miniredis.NewMiniRedis()
	mr.ClockTTL(true) // TTLs (rate limits, handled events) run on the wall clock
	n, err := load(mr, path)
	if err != nil {
		release()
		return nil, err
	}
	if err := mr.StartAddr("127.0.0.1:0"); err != nil {
		release()
		return nil, fmt.Errorf("store: start embedded redis: %w", err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	e := &Embedded{
		Store: New(rdb, opts...), mr: mr, path: path, log: log, lock: lock,
		reqs: make(chan chan error), stop: make(chan struct{}), done: make(chan struct{}),
	}
	e.Store.committed = e.commit
	go e.saver()
	// A warning, so that it shows at the console's default level too: this is where the data is.
	log.Warn("embedded store: no REDIS_URL, so data lives in "+path+"; use Redis in production", "path", path, "keys", n)
	return e, nil
}

// commit waits until a snapshot taken after the caller's write is on disk.
func (e *Embedded) commit(ctx context.Context) error {
	res := make(chan error, 1)
	select {
	case e.reqs <- res:
	case <-e.stop:
		return errors.New("store: embedded store is closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-res:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// saver takes one snapshot for every batch of commit requests waiting at the time.
func (e *Embedded) saver() {
	defer close(e.done)
	for {
		var batch []chan error
		select {
		case r := <-e.reqs:
			batch = append(batch, r)
		case <-e.stop:
			return
		}
	drain:
		for {
			select {
			case r := <-e.reqs:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		err := e.Save()
		if err != nil {
			e.log.Error("embedded store: cannot save snapshot", "path", e.path, "err", err)
		}
		for _, r := range batch {
			r <- err
		}
	}
}

// Save writes a snapshot now: to a temporary file, synced, then renamed over the old one.
func (e *Embedded) Save() error {
	e.gate.Lock()
	snap := dump(e.mr)
	e.gate.Unlock()
	data, err := json.Marshal(snap)
	if err != nil {
		return fmt.Errorf("store: snapshot: %w", err)
	}
	return writeAtomic(e.path, data)
}

// Close stops the saver, writes a last snapshot and stops the embedded server.
func (e *Embedded) Close() error {
	close(e.stop)
	<-e.done
	err := e.Save()
	e.Store.Close()
	e.mr.Close()
	if e.lock != nil {
		e.lock.Close()
	}
	return err
}

func dump(mr *miniredis.Miniredis) snapshot {
	snap := snapshot{Version: snapshotVersion, Saved: time.Now().UTC()}
	for _, k := range mr.Keys() {
		sk := snapKey{Key: k, Type: mr.Type(k)}
		if ttl := mr.TTL(k); ttl > 0 {
			sk.TTLms = ttl.Milliseconds()
		}
		switch sk.Type {
		case "string":
			sk.String, _ = mr.Get(k)
		case "hash":
			fields, _ := mr.HKeys(k)
			sk.Hash = make(map[string]string, len(fields))
			for _, f := range fields {
				sk.Hash[f] = mr.HGet(k, f)
			}
		case "zset":
			// SortedSet hands out miniredis's own map: copy it while writes are held off.
			zs, _ := mr.SortedSet(k)
			sk.ZSet = maps.Clone(zs)
		case "list":
			l, _ := mr.List(k)
			sk.List = slices.Clone(l)
		case "set":
			m, _ := mr.Members(k)
			sk.Set = slices.Clone(m)
		default:
			continue // the store uses no other types
		}
		snap.Keys = append(snap.Keys, sk)
	}
	sort.Slice(snap.Keys, func(i, j int) bool { return snap.Keys[i].Key < snap.Keys[j].Key })
	return snap
}

// load fills mr from the snapshot at path and returns how many keys it held. A missing file
// is an empty store; anything unreadable is an error that names the file.
func load(mr *miniredis.Miniredis, path string) (int, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: read %s: %w", path, err)
	}
	corrupt := func(why string, args ...any) error {
		return fmt.Errorf("store: %s is corrupt (%s); not starting with an empty store: restore it from a backup, or move it away to start afresh", path, fmt.Sprintf(why, args...))
	}
	var snap snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return 0, corrupt("%v", err)
	}
	if snap.Version != snapshotVersion {
		return 0, corrupt("version %d, want %d", snap.Version, snapshotVersion)
	}
	for _, k := range snap.Keys {
		if k.Key == "" {
			return 0, corrupt("a key without a name")
		}
		switch k.Type {
		case "string":
			err = mr.Set(k.Key, k.String)
		case "hash":
			for f, v := range k.Hash {
				mr.HSet(k.Key, f, v)
			}
		case "zset":
			for m, sc := range k.ZSet {
				if _, err = mr.ZAdd(k.Key, sc, m); err != nil {
					break
				}
			}
		case "list":
			_, err = mr.Push(k.Key, k.List...)
		case "set":
			_, err = mr.SetAdd(k.Key, k.Set...)
		default:
			return 0, corrupt("key %q has unknown type %q", k.Key, k.Type)
		}
		if err != nil {
			return 0, corrupt("key %q: %v", k.Key, err)
		}
		if k.TTLms > 0 {
			mr.SetTTL(k.Key, time.Duration(k.TTLms)*time.Millisecond)
		}
	}
	return len(snap.Keys), nil
}

// writeAtomic replaces path with data so that a crash leaves either the old or the new file.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("store: snapshot: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("store: snapshot: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("store: snapshot: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("store: snapshot: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("store: snapshot: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the rename itself durable; not every filesystem supports it
		d.Close()
	}
	return nil
}
