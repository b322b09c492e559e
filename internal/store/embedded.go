package store

import (
	"container/heap"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// SnapshotName is the embedded store's snapshot, inside the data directory. The writes made
// since it was taken are in journal files beside it, needlebot.<n>.journal.
const SnapshotName = "needlebot.json"

// snapshotVersion 2 keeps absolute deadlines and the journal it continues in; version 1 (TTLs
// relative to when it was saved, no journal) is still read.
const snapshotVersion = 2

// compactAt is the journal size past which a snapshot is taken in the background, and
// closeCompactAt the size past which Close takes one: a shorter journal is quicker to replay
// at the next start than a snapshot of a large store is to write. Replay costs about 0.1 s a
// MiB (miniredis builds a Lua state for every script), so a start after a crash at 100,000
// keys, which replays up to compactAt, takes about half a second
// (BenchmarkEmbeddedStartAfterCrash); a compaction holds writes up for about 0.1 s at that
// size (BenchmarkEmbeddedCapture).
const (
	compactAt      = 2 << 20
	closeCompactAt = 1 << 20
)

// snapshot is the embedded store's file: every key with its type, value and deadline.
type snapshot struct {
	Version int       `json:"version"`
	Saved   time.Time `json:"saved"`
	Now     int64     `json:"now_ms,omitempty"`  // the store's clock when it was taken
	Journal int64     `json:"journal,omitempty"` // the first journal whose writes it lacks
	Keys    []snapKey `json:"keys"`
}

type snapKey struct {
	Key      string             `json:"key"`
	Type     string             `json:"type"`
	TTLms    int64              `json:"ttl_ms,omitempty"`      // version 1: TTL when saved
	Deadline int64              `json:"deadline_ms,omitempty"` // version 2: when it expires, unix ms
	String   string             `json:"string,omitempty"`
	Hash     map[string]string  `json:"hash,omitempty"`
	ZSet     map[string]float64 `json:"zset,omitempty"`
	List     []string           `json:"list,omitempty"`
	Set      []string           `json:"set,omitempty"`
}

// Embedded runs the store in-process on miniredis and keeps it in the data directory, so the
// bot runs out of the box. Every write command the store sends is appended to a journal and
// synced before it reaches miniredis (concurrent writes share one fsync), so a write reported
// as saved is on disk and one reported as failed was never applied. The journal is replayed at
// start and folded into a snapshot in the background once it has grown, and at Close.
//
// Expiry is the store's own: miniredis runs without ClockTTL (which sorts the whole keyspace on
// every command), and the store deletes keys whose deadline passed before each write, with
// the clock journalled with it, so that a replay expires exactly what the original run did.
type Embedded struct {
	*Store
	mr   *miniredis.Miniredis
	db   *miniredis.RedisDB
	raw  *redis.Client // without the journal, for replay
	dir  string
	path string
	log  *slog.Logger
	lock *os.File // held while the store is open
	cfg  embeddedConfig
	// readOnlyFiles reads the directory without changing it (tests' view of the disk).
	readOnlyFiles bool

	mu      sync.Mutex // apply order, expiry, the clock
	exp     expiry
	lastNow int64 // unix ms, never goes back

	scriptsMu sync.Mutex
	scripts   map[string]string // sha1 -> body, of the scripts seen in EVAL

	// Owned by the committer goroutine.
	jr         *journal
	gen        int64
	compacting chan struct{} // closed when the background snapshot is written
	broken     error
	// unsound is set with broken when memory may differ from the journal (a journalled write
	// failed half applied): reads fail too, so that nothing partial is shown.
	unsound atomic.Pointer[error]

	reqs chan *writeReq
	stop chan struct{}
	done chan struct{}
}

type embeddedConfig struct {
	compactAt      int64
	closeCompactAt int64
	wrap           func(journalFile) journalFile // tests: a journal file that fails
}

// writeReq is one write waiting for the journal.
type writeReq struct {
	cmds  [][]string
	keys  []string
	exec  func() error
	sent  []redis.Cmder
	reply chan error
}

// OpenEmbedded loads the snapshot and journals in dir (none: an empty store; a corrupt one is
// an error that names the file, never an empty start) and starts an embedded store over them.
func OpenEmbedded(dir string, log *slog.Logger, opts ...Option) (*Embedded, error) {
	return openEmbedded(dir, log, embeddedConfig{compactAt: compactAt, closeCompactAt: closeCompactAt}, opts...)
}

func openEmbedded(dir string, log *slog.Logger, cfg embeddedConfig, opts ...Option) (_ *Embedded, err error) {
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
	mr := miniredis.NewMiniRedis()
	e := &Embedded{
		mr: mr, dir: dir, path: filepath.Join(dir, SnapshotName), log: log, lock: lock, cfg: cfg,
		exp: expiry{at: map[string]int64{}}, scripts: map[string]string{},
		reqs: make(chan *writeReq), stop: make(chan struct{}), done: make(chan struct{}),
	}
	defer func() {
		if err != nil {
			e.release()
		}
	}()
	removeTemps(dir, log)
	e.db = mr.DB(0)
	dial := func(context.Context, string, string) (net.Conn, error) { return mr.Dial() }
	e.raw = redis.NewClient(&redis.Options{Dialer: dial, MaxRetries: -1})
	snap, n, err := e.load()
	if err != nil {
		return nil, err
	}
	replayed, err := e.replay(snap.Journal)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	now := e.tick()
	mr.SetTime(time.UnixMilli(now))
	e.exp.expire(e.db, now)
	e.mu.Unlock()
	if e.jr, err = openJournal(journalPath(dir, e.gen), cfg.wrap); err != nil {
		return nil, err
	}
	rdb := redis.NewClient(&redis.Options{Dialer: dial})
	rdb.AddHook(journalHook{e})
	e.Store = New(rdb, opts...)
	go e.committer()
	// A warning, so that it shows at the console's default level too: this is where the data is.
	log.Warn("embedded store: no REDIS_URL, so data lives in "+dir+"; use Redis in production", "path", e.path, "keys", n, "replayed", replayed)
	return e, nil
}

func (e *Embedded) release() {
	if e.jr != nil {
		e.jr.close()
	}
	if e.raw != nil {
		e.raw.Close()
	}
	e.mr.Close()
	if e.lock != nil {
		e.lock.Close()
	}
}

// tick is the store's clock in unix ms: the wall clock, never going back. Called with mu held.
func (e *Embedded) tick() int64 {
	e.lastNow = max(e.lastNow, time.Now().UnixMilli())
	return e.lastNow
}

func journalPath(dir string, gen int64) string {
	return filepath.Join(dir, fmt.Sprintf("needlebot.%06d.journal", gen))
}

// journals lists the journal files in dir by generation.
func journals(dir string) ([]int64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("store: data directory: %w", err)
	}
	var gens []int64
	for _, ent := range ents {
		name := ent.Name()
		if !strings.HasPrefix(name, "needlebot.") || !strings.HasSuffix(name, ".journal") {
			continue
		}
		g, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(name, "needlebot."), ".journal"), 10, 64)
		if err == nil {
			gens = append(gens, g)
		}
	}
	slices.Sort(gens)
	return gens, nil
}

// removeTemps deletes the temporary files of snapshots a crash interrupted.
func removeTemps(dir string, log *slog.Logger) {
	tmps, _ := filepath.Glob(filepath.Join(dir, "."+SnapshotName+".*.tmp"))
	for _, t := range tmps {
		if os.Remove(t) == nil {
			log.Info("embedded store: removed the temporary file of an interrupted snapshot", "path", t)
		}
	}
}

// replay applies the journals from generation from on, and leaves e.gen at the last one.
func (e *Embedded) replay(from int64) (int, error) {
	gens, err := journals(e.dir)
	if err != nil {
		return 0, err
	}
	e.gen = max(from, 1)
	n := 0
	for _, g := range gens {
		p := journalPath(e.dir, g)
		if g < from {
			if !e.readOnlyFiles {
				os.Remove(p) // already in the snapshot: a compaction was interrupted
			}
			continue
		}
		recs, err := readJournal(p, e.log, !e.readOnlyFiles)
		if err != nil {
			return n, err
		}
		for i, r := range recs {
			for _, c := range r.cmds {
				e.learn(c)
			}
			err := e.apply(r.now, keysOf(r.cmds), func() error {
				_, err := e.raw.Pipelined(context.Background(), func(p redis.Pipeliner) error {
					for _, c := range r.cmds {
						args := make([]any, len(c))
						for j, a := range c {
							args[j] = a
						}
						p.Do(context.Background(), args...)
					}
					return nil
				})
				var re redis.Error
				if err != nil && !errors.As(err, &re) {
					return err
				}
				return nil
			})
			if err != nil {
				return n, fmt.Errorf("store: replay %s, record %d: %w", p, i, err)
			}
			n++
		}
		e.gen = g
	}
	return n, nil
}

// apply runs one write at the store's time now: keys past their deadline go first, then exec,
// then the deadlines of the keys it touched are updated.
func (e *Embedded) apply(now int64, keys []string, exec func() error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lastNow = max(e.lastNow, now)
	e.mr.SetTime(time.UnixMilli(now)) // for PEXPIREAT and TIME
	e.exp.expire(e.db, now)
	for _, k := range keys {
		if d, ok := e.exp.at[k]; ok {
			e.db.SetTTL(k, time.Duration(d-now)*time.Millisecond)
		}
	}
	err := exec()
	for _, k := range keys {
		e.exp.track(e.db, k, now)
	}
	return err
}

// expiry holds the deadline of every key with a TTL, and a heap to find the next one.
type expiry struct {
	at map[string]int64
	h  deadlines
}

type deadline struct {
	at  int64
	key string
}

type deadlines []deadline

func (d deadlines) Len() int           { return len(d) }
func (d deadlines) Less(i, j int) bool { return d[i].at < d[j].at }
func (d deadlines) Swap(i, j int)      { d[i], d[j] = d[j], d[i] }
func (d *deadlines) Push(x any)        { *d = append(*d, x.(deadline)) }
func (d *deadlines) Pop() any {
	old := *d
	x := old[len(old)-1]
	*d = old[:len(old)-1]
	return x
}

func (x *expiry) set(k string, at int64) {
	x.at[k] = at
	heap.Push(&x.h, deadline{at, k})
}

// expire deletes the keys whose deadline is at or before now.
func (x *expiry) expire(db *miniredis.RedisDB, now int64) {
	for len(x.h) > 0 && x.h[0].at <= now {
		d := heap.Pop(&x.h).(deadline)
		if x.at[d.key] == d.at {
			delete(x.at, d.key)
			db.Del(d.key)
		}
	}
	if len(x.h) > 64 && len(x.h) > 2*len(x.at) { // drop the stale entries
		x.h = x.h[:0]
		for k, at := range x.at {
			x.h = append(x.h, deadline{at, k})
		}
		heap.Init(&x.h)
	}
}

// track records k's deadline after a write at now. Before the write its TTL was set to what
// was left of it, so an unchanged TTL keeps its deadline and a changed one starts from now.
func (x *expiry) track(db *miniredis.RedisDB, k string, now int64) {
	if !db.Exists(k) {
		delete(x.at, k)
		return
	}
	ttl := db.TTL(k)
	if ttl <= 0 {
		delete(x.at, k)
		return
	}
	if d, ok := x.at[k]; ok && ttl == time.Duration(d-now)*time.Millisecond {
		return
	}
	x.set(k, now+ttl.Milliseconds())
}

// keysOf is every key the commands may touch. Scripts name theirs; for other commands every
// argument counts, which at worst looks up a value as a key.
func keysOf(cmds [][]string) []string {
	var keys []string
	for _, c := range cmds {
		if len(c) < 2 {
			continue
		}
		switch strings.ToLower(c[0]) {
		case "multi", "exec", "discard":
		case "eval", "evalsha":
			if len(c) < 3 {
				continue
			}
			n, _ := strconv.Atoi(c[2])
			if n > 0 && 3+n <= len(c) {
				keys = append(keys, c[3:3+n]...)
			}
		default:
			keys = append(keys, c[1:]...)
		}
	}
	return keys
}

// readOnly are the commands that change no data; everything else is journalled.
var readOnly = map[string]bool{}

func init() {
	for _, c := range strings.Fields(`get mget exists type ttl pttl strlen getrange
		hget hgetall hmget hkeys hvals hlen hexists hstrlen hscan
		zrange zrangebyscore zrevrange zrevrangebyscore zrangebylex zscore zmscore zcard zcount zrank zrevrank zscan
		smembers sismember smismember scard sscan srandmember
		lrange llen lindex
		scan keys dbsize randomkey
		ping echo hello auth select client info time command script evalsha_ro eval_ro object memory`) {
		readOnly[c] = true
	}
}

// learn remembers the body of a script sent with EVAL, so that EVALSHA can be journalled as EVAL.
func (e *Embedded) learn(c []string) {
	if len(c) > 1 && strings.EqualFold(c[0], "eval") {
		sum := sha1.Sum([]byte(c[1]))
		e.scriptsMu.Lock()
		e.scripts[hex.EncodeToString(sum[:])] = c[1]
		e.scriptsMu.Unlock()
	}
}

// journalArgs is a command as the journal keeps it: EVALSHA becomes EVAL, in the command sent
// as well. A script the store never saw is answered NOSCRIPT, so that go-redis sends its body.
func (e *Embedded) journalArgs(cmd redis.Cmder) ([]string, error) {
	raw := cmd.Args()
	args := make([]string, len(raw))
	for i, a := range raw {
		args[i] = argString(a)
	}
	switch strings.ToLower(args[0]) {
	case "evalsha":
		if len(args) < 2 {
			return args, nil
		}
		e.scriptsMu.Lock()
		body, ok := e.scripts[strings.ToLower(args[1])]
		e.scriptsMu.Unlock()
		if !ok {
			return nil, redis.ErrNoScript
		}
		// Sent as EVAL too, so that what runs is exactly what was journalled, even should
		// miniredis not have the script cached (it caches only scripts that ran without error).
		args[0], args[1] = "eval", body
		raw[0], raw[1] = "eval", body
	case "eval":
		e.learn(args)
	}
	return args, nil
}

// journalHook sends every write through the journal.
type journalHook struct{ e *Embedded }

func (h journalHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h journalHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if readOnly[strings.ToLower(cmd.Name())] {
			if err := h.e.unsound.Load(); err != nil {
				cmd.SetErr(*err)
				return *err
			}
			h.e.expireNow()
			return next(ctx, cmd)
		}
		args, err := h.e.journalArgs(cmd)
		if err != nil {
			cmd.SetErr(err)
			return err
		}
		cmds := [][]string{args}
		return h.e.submit(ctx, cmds, []redis.Cmder{cmd}, func() error { return next(context.WithoutCancel(ctx), cmd) })
	}
}

func (h journalHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		writes := false
		for _, c := range cmds {
			if n := strings.ToLower(c.Name()); !readOnly[n] && n != "multi" && n != "exec" {
				writes = true
			}
		}
		if !writes {
			if err := h.e.unsound.Load(); err != nil {
				for _, c := range cmds {
					c.SetErr(*err)
				}
				return *err
			}
			h.e.expireNow()
			return next(ctx, cmds)
		}
		var rec [][]string
		for _, c := range cmds {
			args, err := h.e.journalArgs(c)
			if err != nil {
				for _, c := range cmds {
					c.SetErr(err)
				}
				return err
			}
			rec = append(rec, args)
		}
		return h.e.submit(ctx, rec, cmds, func() error { return next(context.WithoutCancel(ctx), cmds) })
	}
}

// expireNow deletes the keys past their deadline before a read, unless a write is being
// applied (which expires them itself, and may be opening the connection this read is on).
func (e *Embedded) expireNow() {
	if !e.mu.TryLock() {
		return
	}
	if len(e.exp.h) > 0 && e.exp.h[0].at <= time.Now().UnixMilli() {
		e.exp.expire(e.db, e.tick())
	}
	e.mu.Unlock()
}

var errClosed = errors.New("store: embedded store is closed")

// submit hands a write to the committer and waits for it: once it is queued the caller waits
// however long the fsync takes, so that the answer it gets is the truth.
func (e *Embedded) submit(ctx context.Context, cmds [][]string, sent []redis.Cmder, exec func() error) error {
	r := &writeReq{cmds: cmds, keys: keysOf(cmds), exec: exec, sent: sent, reply: make(chan error, 1)}
	fail := func(err error) error {
		for _, c := range sent {
			c.SetErr(err)
		}
		return err
	}
	select {
	case e.reqs <- r:
	case <-e.stop:
		return fail(errClosed)
	case <-ctx.Done():
		return fail(ctx.Err())
	}
	return <-r.reply
}

// committer journals every batch of writes waiting at the time with one fsync, then applies
// them in journal order.
func (e *Embedded) committer() {
	defer close(e.done)
	for {
		var batch []*writeReq
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
		e.commit(batch)
		if e.compacting != nil {
			select {
			case <-e.compacting:
				e.compacting = nil
			default:
			}
		}
		if e.compacting == nil && e.broken == nil && e.jr.size >= e.cfg.compactAt {
			e.compact()
		}
	}
}

// failBatch answers every write of batch with err.
func failBatch(batch []*writeReq, err error) {
	for _, r := range batch {
		for _, c := range r.sent {
			c.SetErr(err)
		}
		r.reply <- err
	}
}

func (e *Embedded) commit(batch []*writeReq) {
	if e.broken != nil {
		failBatch(batch, e.broken)
		return
	}
	e.mu.Lock()
	now := e.tick()
	e.mu.Unlock()
	var buf []byte
	starts := make([]int64, len(batch)) // where each record begins in the journal
	for i, r := range batch {
		starts[i] = e.jr.size + int64(len(buf))
		buf = jrecord{now: now, cmds: r.cmds}.encode(buf)
	}
	if err := e.jr.append(buf); err != nil {
		var b *journalBroken
		if errors.As(err, &b) {
			e.broken = err
		}
		e.log.Error("embedded store: cannot journal a write; it was not applied", "path", e.jr.path, "err", err)
		failBatch(batch, fmt.Errorf("store: not saved: %w", err))
		return
	}
	for i, r := range batch {
		err := e.apply(now, r.keys, r.exec)
		for _, c := range r.sent {
			var re redis.Error
			if cerr := c.Err(); cerr != nil && !errors.As(cerr, &re) {
				e.unapplied(batch[i:], starts[i], cerr)
				return
			}
		}
		r.reply <- err
	}
}

// unapplied handles a journalled write that failed in memory (not with a Redis reply, which
// a replay gives again), and the rest of its batch, not applied: their records are cut off the
// journal before anyone hears of the failure, so that they cannot come back at the next
// start. The write may have been half applied, so the store refuses writes and reads until it
// is restarted, which rebuilds memory from the disk.
func (e *Embedded) unapplied(batch []*writeReq, at int64, cause error) {
	e.broken = fmt.Errorf("store: embedded store failed applying a write, which was not saved (restart it): %w", cause)
	unsound := e.broken
	e.unsound.Store(&unsound)
	if err := e.jr.cut(at); err != nil {
		e.log.Error("embedded store: cannot cut a failed write off the journal; it may come back at the next start", "path", e.jr.path, "err", err)
	}
	e.log.Error("embedded store: a journalled write failed in memory; it was cut off the journal, and the store refuses reads and writes until restarted", "err", cause)
	first := batch[0]
	for _, c := range first.sent {
		if c.Err() == nil {
			c.SetErr(e.broken)
		}
	}
	first.reply <- e.broken
	failBatch(batch[1:], e.broken)
}

// compact starts a snapshot: the data is copied now, writes go to a new journal, and the
// snapshot is written and the old journals removed in the background.
func (e *Embedded) compact() {
	snap := e.capture()
	jr, err := openJournal(journalPath(e.dir, e.gen+1), e.cfg.wrap)
	if err != nil {
		e.log.Error("embedded store: cannot start a new journal; compaction postponed", "err", err)
		e.cfg.compactAt += e.cfg.compactAt
		return
	}
	e.jr.close()
	e.jr, e.gen = jr, e.gen+1
	snap.Journal = e.gen
	done := make(chan struct{})
	e.compacting = done
	go func() {
		defer close(done)
		if err := e.writeSnapshot(snap); err != nil {
			e.log.Error("embedded store: cannot write a snapshot; the journals keep the data", "path", e.path, "err", err)
		}
	}()
}

// writeSnapshot writes snap and then removes the journals it holds.
func (e *Embedded) writeSnapshot(snap snapshot) error {
	data, err := json.Marshal(snap)
	if err != nil {
		return fmt.Errorf("store: snapshot: %w", err)
	}
	if err := writeAtomic(e.path, data); err != nil {
		return err
	}
	gens, _ := journals(e.dir)
	for _, g := range gens {
		if g < snap.Journal {
			os.Remove(journalPath(e.dir, g))
		}
	}
	syncDir(e.path)
	return nil
}

// capture copies the data for a snapshot. It lists the keys once (miniredis sorts them, once)
// and reads each through the database directly, which neither sorts the keyspace nor expires.
func (e *Embedded) capture() snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.tick()
	e.exp.expire(e.db, now)
	db := e.db
	snap := snapshot{Version: snapshotVersion, Saved: time.UnixMilli(now).UTC(), Now: now}
	for _, k := range db.Keys() {
		sk := snapKey{Key: k, Type: db.Type(k), Deadline: e.exp.at[k]}
		switch sk.Type {
		case "string":
			sk.String, _ = db.Get(k)
		case "hash":
			fields, _ := db.HKeys(k)
			sk.Hash = make(map[string]string, len(fields))
			for _, f := range fields {
				sk.Hash[f] = db.HGet(k, f)
			}
		case "zset":
			// SortedSet hands out miniredis's own map: copy it while writes are held off.
			zs, _ := db.SortedSet(k)
			sk.ZSet = maps.Clone(zs)
		case "list":
			l, _ := db.List(k)
			sk.List = slices.Clone(l)
		case "set":
			m, _ := db.Members(k)
			sk.Set = slices.Clone(m)
		default:
			continue // the store uses no other types
		}
		snap.Keys = append(snap.Keys, sk)
	}
	return snap
}

// Close stops taking writes, waits for those in flight and stops the embedded server. Every
// acknowledged write is in the journal already; when it has grown past closeCompactAt, Close
// folds it into a snapshot first.
func (e *Embedded) Close() error {
	close(e.stop)
	<-e.done
	if e.compacting != nil {
		<-e.compacting
	}
	var err error
	if e.broken == nil && e.jr.size > e.cfg.closeCompactAt {
		snap := e.capture()
		snap.Journal = e.gen + 1
		err = e.writeSnapshot(snap)
	}
	e.Store.Close()
	e.release()
	return err
}

// load fills the store from the snapshot and returns it and how many keys it held. A missing
// file is an empty store; anything unreadable is an error that names the file.
func (e *Embedded) load() (snapshot, int, error) {
	var snap snapshot
	data, err := os.ReadFile(e.path)
	if errors.Is(err, fs.ErrNotExist) {
		return snap, 0, nil
	}
	if err != nil {
		return snap, 0, fmt.Errorf("store: read %s: %w", e.path, err)
	}
	corrupt := func(why string, args ...any) error {
		return fmt.Errorf("store: %s is corrupt (%s); not starting with an empty store: restore it from a backup, or move it away to start afresh", e.path, fmt.Sprintf(why, args...))
	}
	if err := json.Unmarshal(data, &snap); err != nil {
		return snap, 0, corrupt("%v", err)
	}
	if snap.Version != 1 && snap.Version != snapshotVersion {
		return snap, 0, corrupt("version %d, want %d", snap.Version, snapshotVersion)
	}
	now := snap.Now
	if snap.Version == 1 {
		now = snap.Saved.UnixMilli()
	}
	e.lastNow = now
	e.mr.SetTime(time.UnixMilli(now))
	db := e.db
	for _, k := range snap.Keys {
		if k.Key == "" {
			return snap, 0, corrupt("a key without a name")
		}
		switch k.Type {
		case "string":
			err = db.Set(k.Key, k.String)
		case "hash":
			for f, v := range k.Hash {
				db.HSet(k.Key, f, v)
			}
		case "zset":
			for m, sc := range k.ZSet {
				if _, err = db.ZAdd(k.Key, sc, m); err != nil {
					break
				}
			}
		case "list":
			_, err = db.Push(k.Key, k.List...)
		case "set":
			_, err = db.SetAdd(k.Key, k.Set...)
		default:
			return snap, 0, corrupt("key %q has unknown type %q", k.Key, k.Type)
		}
		if err != nil {
			return snap, 0, corrupt("key %q: %v", k.Key, err)
		}
		d := k.Deadline
		if snap.Version == 1 && k.TTLms > 0 {
			d = now + k.TTLms
		}
		if d > 0 {
			e.exp.set(k.Key, d)
			db.SetTTL(k.Key, time.Duration(d-now)*time.Millisecond)
		}
	}
	return snap, len(snap.Keys), nil
}

func dirOf(path string) string { return filepath.Dir(path) }

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
	syncDir(path)
	return nil
}
