package store

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/domain"
)

// fullDisk is a journal file that fails like a full filesystem while full is set: a write
// gets half its bytes out, then ENOSPC.
type fullDisk struct {
	journalFile
	full *atomic.Bool
}

func (f fullDisk) Write(p []byte) (int, error) {
	if f.full.Load() {
		n, _ := f.journalFile.Write(p[:len(p)/2])
		return n, syscall.ENOSPC
	}
	return f.journalFile.Write(p)
}

var roomy = Limits{Sessions: 100000, Reminders: 5, Writes: 100000, Window: time.Minute, Idempotent: 48 * time.Hour}

// crash stops e as a kill would: no last snapshot, the files as they are.
func crash(e *Embedded) {
	close(e.stop)
	<-e.done
	if e.compacting != nil {
		<-e.compacting
	}
	e.Store.Close()
	e.release()
}

func TestEmbeddedFullDiskSavesNothing(t *testing.T) {
	dir := t.TempDir()
	full := new(atomic.Bool)
	cfg := embeddedConfig{compactAt: compactAt, wrap: func(f journalFile) journalFile { return fullDisk{f, full} }}
	e, err := openEmbedded(dir, nil, cfg, WithLimits(roomy))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddSession(ctx, "tg:1", sess(t0, 0.25), "tg:u:1", t0); err != nil {
		t.Fatal(err)
	}
	full.Store(true)
	for i := range 5 {
		_, err := e.AddSession(ctx, "tg:1", sess(t0, 0.5), fmt.Sprintf("tg:u:%d", 10+i), t0)
		var u interface{ Unavailable() bool }
		if !errors.As(err, &u) || !u.Unavailable() {
			t.Fatalf("write %d on a full disk: %v, want an Unavailable error", i, err)
		}
	}
	if err := e.Client().Set(ctx, "nb:ev:tg:u:99", "1", 48*time.Hour).Err(); err == nil {
		t.Error("SET EX on a full disk succeeded")
	}
	// Told "not saved": not in memory either.
	if list, _ := e.ListSessions(ctx, "tg:1", 0); len(list) != 1 {
		t.Errorf("%d sessions after five failed writes, want 1", len(list))
	}
	if n := e.Client().Exists(ctx, "nb:ev:tg:u:99").Val(); n != 0 {
		t.Error("a failed SET is visible")
	}
	// Space comes back: the same report is stored once, as new.
	full.Store(false)
	a, err := e.AddSession(ctx, "tg:1", sess(t0, 0.5), "tg:u:10", t0)
	if err != nil || a.Duplicate || a.ID != 2 {
		t.Fatalf("retry after space returned = %+v, %v; want a new session 2", a, err)
	}
	crash(e)
	// Nor on disk: the retry is the only copy after a restart.
	e2, err := OpenEmbedded(dir, nil, WithLimits(roomy))
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	if list, _ := e2.ListSessions(ctx, "tg:1", 0); len(list) != 2 {
		t.Errorf("after restart: %d sessions, want 2", len(list))
	}
	if n := e2.Client().Exists(ctx, "nb:ev:tg:u:99").Val(); n != 0 {
		t.Error("after restart: a failed SET came back")
	}
}

// TestEmbeddedFullTmpfs runs the same on a real full filesystem when the test may mount one.
func TestEmbeddedFullTmpfs(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=256k"); err != nil {
		t.Skipf("cannot mount a tmpfs (%v): TestEmbeddedFullDiskSavesNothing covers this with an injected writer", err)
	}
	defer syscall.Unmount(dir, 0)
	e, err := OpenEmbedded(dir, nil, WithLimits(roomy))
	if err != nil {
		t.Fatal(err)
	}
	filler, _ := os.Create(filepath.Join(dir, "filler"))
	filler.Write(make([]byte, 1<<20)) // fills the filesystem, whatever it manages
	filler.Close()
	acked := 0
	var failed error
	for i := range 50 {
		if _, err := e.AddSession(ctx, "tg:1", sess(t0, 0.25, strings.Repeat("p", 200)), fmt.Sprintf("tg:u:%d", i), t0); err != nil {
			failed = err
			break
		}
		acked++
	}
	if failed == nil {
		t.Fatal("50 writes succeeded on a full filesystem")
	}
	if list, _ := e.ListSessions(ctx, "tg:1", 0); len(list) != acked {
		t.Errorf("%d sessions in memory, %d acknowledged", len(list), acked)
	}
	crash(e)
	os.Remove(filepath.Join(dir, "filler"))
	e2, err := OpenEmbedded(dir, nil, WithLimits(roomy))
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	if list, _ := e2.ListSessions(ctx, "tg:1", 0); len(list) != acked {
		t.Errorf("after restart: %d sessions, %d acknowledged", len(list), acked)
	}
}

func TestEmbeddedTornAndCorruptJournal(t *testing.T) {
	setup := func(t *testing.T) string {
		dir := t.TempDir()
		e, err := OpenEmbedded(dir, nil, WithLimits(roomy))
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if _, err := e.AddSession(ctx, "tg:1", sess(t0, 0.25), fmt.Sprintf("tg:u:%d", i), t0); err != nil {
				t.Fatal(err)
			}
		}
		crash(e)
		return dir
	}
	t.Run("torn last record", func(t *testing.T) {
		dir := setup(t)
		p := journalPath(dir, 1)
		data, _ := os.ReadFile(p)
		// Half of one more record, as a crash during its write leaves it.
		extra := jrecord{now: 1, cmds: [][]string{{"set", "k", "v"}}}.encode(nil)
		os.WriteFile(p, append(data, extra[:len(extra)/2]...), 0o600)
		var logs bytes.Buffer
		e, err := OpenEmbedded(dir, slog.New(slog.NewTextHandler(&logs, nil)), WithLimits(roomy))
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		if !strings.Contains(logs.String(), "cut short by a crash") {
			t.Errorf("no log line about the torn record:\n%s", logs.String())
		}
		if list, _ := e.ListSessions(ctx, "tg:1", 0); len(list) != 3 {
			t.Errorf("%d sessions, want 3", len(list))
		}
		if _, err := e.AddSession(ctx, "tg:1", sess(t0, 0.25), "", t0); err != nil {
			t.Errorf("write after dropping the torn record: %v", err)
		}
	})
	t.Run("corrupt earlier record", func(t *testing.T) {
		dir := setup(t)
		p := journalPath(dir, 1)
		data, _ := os.ReadFile(p)
		data[len(journalMagic)+20] ^= 0xff // inside the first record
		os.WriteFile(p, data, 0o600)
		e, err := OpenEmbedded(dir, nil)
		if err == nil {
			e.Close()
			t.Fatal("started on a corrupt journal")
		}
		if !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), fmt.Sprintf("offset %d", len(journalMagic))) {
			t.Errorf("error %q does not name the file and offset", err)
		}
		if got, _ := os.ReadFile(p); !bytes.Equal(got, data) {
			t.Error("the corrupt journal was changed")
		}
	})
}

func TestEmbeddedRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "."+SnapshotName+".123456.tmp")
	os.WriteFile(stale, []byte("half a snapshot"), 0o600)
	e, err := OpenEmbedded(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temporary file left: %v", err)
	}
}

func TestEmbeddedReplayKeepsDeadlines(t *testing.T) {
	dir := t.TempDir()
	e, err := OpenEmbedded(dir, nil, WithLimits(roomy))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Client().Set(ctx, "nb:ev:tg:u:5", "1", 48*time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	want := e.exp.at["nb:ev:tg:u:5"]
	crash(e)
	e2, err := OpenEmbedded(dir, nil, WithLimits(roomy))
	if err != nil {
		t.Fatal(err)
	}
	if got := e2.exp.at["nb:ev:tg:u:5"]; got != want || want == 0 {
		t.Errorf("deadline after replay %d, want %d: a replay must not extend a TTL", got, want)
	}
	e2.Close() // a snapshot now
	e3, err := OpenEmbedded(dir, nil, WithLimits(roomy))
	if err != nil {
		t.Fatal(err)
	}
	defer e3.Close()
	if got := e3.exp.at["nb:ev:tg:u:5"]; got != want {
		t.Errorf("deadline after a snapshot %d, want %d", got, want)
	}
}

func TestEmbeddedExpiresOnItsClock(t *testing.T) {
	dir := t.TempDir()
	e, err := OpenEmbedded(dir, nil, WithLimits(Limits{Sessions: 100, Reminders: 5, Writes: 2, Window: time.Minute, Idempotent: time.Hour}))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for range 2 {
		if _, err := e.AddSession(ctx, "tg:7", sess(t0, 0.25), "", t0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.AddSession(ctx, "tg:7", sess(t0, 0.25), "", t0); !errors.Is(err, domain.ErrRateLimited) {
		t.Fatalf("3rd write: %v, want ErrRateLimited", err)
	}
	// Move the store's clock past the window, as a minute passing would.
	e.mu.Lock()
	e.lastNow += time.Minute.Milliseconds()
	e.mu.Unlock()
	if _, err := e.AddSession(ctx, "tg:7", sess(t0, 0.25), "", t0); err != nil {
		t.Fatalf("write after the window: %v", err)
	}
}

func TestEmbeddedCompactsInTheBackground(t *testing.T) {
	dir := t.TempDir()
	e, err := openEmbedded(dir, nil, embeddedConfig{compactAt: 4 << 10}, WithLimits(roomy))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		if _, err := e.AddSession(ctx, "tg:1", sess(t0, 0.25), fmt.Sprintf("tg:u:%d", i), t0); err != nil {
			t.Fatal(err)
		}
	}
	crash(e) // stops the committer, which owns e.gen
	gen := e.gen
	if gen < 3 {
		t.Errorf("journal generation %d after 200 writes: no compaction", gen)
	}
	if _, err := os.Stat(filepath.Join(dir, SnapshotName)); err != nil {
		t.Errorf("no snapshot: %v", err)
	}
	e2, err := OpenEmbedded(dir, nil, WithLimits(roomy))
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	if list, _ := e2.ListSessions(ctx, "tg:1", 0); len(list) != 200 {
		t.Errorf("%d sessions after compactions and a crash, want 200", len(list))
	}
}

func TestEmbeddedLoadsVersion1Snapshot(t *testing.T) {
	dir := t.TempDir()
	saved := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339Nano)
	os.WriteFile(filepath.Join(dir, SnapshotName), []byte(`{"version":1,"saved":"`+saved+`","keys":[
		{"key":"nb:ev:tg:u:1","type":"string","ttl_ms":7200000,"string":"1"},
		{"key":"nb:ev:tg:u:2","type":"string","ttl_ms":60000,"string":"1"},
		{"key":"nb:{tg:1}:p","type":"hash","hash":{"tz":"UTC"}}]}`), 0o600)
	e, err := OpenEmbedded(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if n := e.Client().Exists(ctx, "nb:ev:tg:u:1").Val(); n != 1 {
		t.Error("event with an hour left is gone")
	}
	if n := e.Client().Exists(ctx, "nb:ev:tg:u:2").Val(); n != 0 {
		t.Error("event whose TTL ran out while the bot was down is still there")
	}
	if tz, _ := e.Zone(ctx, "tg:1"); tz != "UTC" {
		t.Errorf("zone = %q", tz)
	}
}

func TestEmbeddedScriptThatFailedFirstReplaysOnce(t *testing.T) {
	dir := t.TempDir()
	e, err := OpenEmbedded(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	// miniredis caches only scripts that ran without error: the second call's EVALSHA must
	// still run once, and be journalled once.
	script := redis.NewScript(`if ARGV[1] == 'fail' then error('NB_X') end return redis.call('INCR', KEYS[1])`)
	if err := script.Run(ctx, e.Client(), []string{"n"}, "fail").Err(); err == nil || !strings.Contains(err.Error(), "NB_X") {
		t.Fatalf("first run: %v, want NB_X", err)
	}
	if n, err := script.Run(ctx, e.Client(), []string{"n"}, "ok").Int(); err != nil || n != 1 {
		t.Fatalf("second run = %d, %v; want 1", n, err)
	}
	crash(e)
	e2, err := OpenEmbedded(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	if n, _ := e2.Client().Get(ctx, "n").Int(); n != 1 {
		t.Errorf("after replay n = %d, want 1", n)
	}
}

func TestEmbeddedReadsDoNotJournal(t *testing.T) {
	dir := t.TempDir()
	e, err := OpenEmbedded(dir, nil, WithLimits(roomy))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.AddSession(ctx, "tg:1", sess(t0, 0.25, "peptides"), "tg:u:1", t0); err != nil {
		t.Fatal(err)
	}
	size := e.jr.size
	e.ListSessions(ctx, "tg:1", 0)
	e.Usage(ctx, "tg:1")
	e.SessionTimes(ctx, "tg:1")
	e.ListReminders(ctx, "tg:1")
	e.Zone(ctx, "tg:1")
	e.Ping(ctx)
	e.Client().Exists(ctx, "nb:ev:tg:u:1")
	e.Client().TTL(ctx, "nb:ev:tg:u:1")
	e.Client().Scan(ctx, 0, "nb:*", 100)
	if e.jr.size != size {
		t.Errorf("reads grew the journal from %d to %d bytes", size, e.jr.size)
	}
}
