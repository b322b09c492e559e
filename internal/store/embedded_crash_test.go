package store

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
)

var crashKills = flag.Int("crash-kills", 50, "how many times TestEmbeddedSIGKILLLosesNothing kills its child")

const crashWriters = 4

// TestEmbeddedSIGKILLLosesNothing runs the embedded store in a child process (this test binary
// again) that logs sessions from four writers at once and prints each one acknowledged, and
// kills it with SIGKILL at a random moment, again and again. The journal is compacted every
// few KiB, so kills land in appends, fsyncs, snapshots and renames alike. After each kill the
// data directory opens with every acknowledged session, each by its id, none half-applied
// (each session's usage count is there with it), and no temporary file left: the snapshot
// temporaries a kill leaves are counted before the reopen (and logged) and must be gone after.
func TestEmbeddedSIGKILLLosesNothing(t *testing.T) {
	if os.Getenv("NB_CRASH_CHILD") != "" {
		t.Skip("in the child")
	}
	dir := t.TempDir()
	acked := make([]int, crashWriters)   // sessions acknowledged per writer, over all runs
	ids := make([][]int64, crashWriters) // and their ids
	tmpsLeft, killsWithTmps := 0, 0      // snapshot temporaries a kill left behind
	rng := rand.New(rand.NewPCG(14, uint64(time.Now().UnixNano())))
	for run := range *crashKills {
		cmd := exec.Command(os.Args[0], "-test.run=^TestEmbeddedCrashChild$", "-test.v=false")
		cmd.Env = append(os.Environ(), "NB_CRASH_CHILD="+dir, "NB_CRASH_RUN="+strconv.Itoa(run))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		killAfter := rng.IntN(150) // acknowledgements to wait for before the kill
		seen := 0
		killed := false
		for sc.Scan() {
			line := sc.Text()
			var w int
			var id int64
			if _, err := fmt.Sscanf(line, "ack %d %d", &w, &id); err == nil {
				acked[w]++
				ids[w] = append(ids[w], id)
				seen++
			}
			if !killed && seen >= killAfter {
				// A little more time, so the kill falls anywhere in a write, not just after one.
				time.Sleep(time.Duration(rng.IntN(2000)) * time.Microsecond)
				cmd.Process.Signal(syscall.SIGKILL)
				killed = true
			}
		}
		if !killed {
			cmd.Process.Signal(syscall.SIGKILL)
		}
		cmd.Wait()
		if tmps, _ := filepath.Glob(filepath.Join(dir, "."+SnapshotName+".*.tmp")); len(tmps) > 0 {
			tmpsLeft += len(tmps)
			killsWithTmps++
		}
		checkCrashDir(t, dir, run, acked, ids)
		if t.Failed() {
			return
		}
	}
	t.Logf("%d kills, %v sessions acknowledged per writer, each there after every restart; %d kills left %d temporary files, all removed at the reopen", *crashKills, acked, killsWithTmps, tmpsLeft)
}

func checkCrashDir(t *testing.T, dir string, run int, acked []int, ids [][]int64) {
	t.Helper()
	e, err := OpenEmbedded(dir, nil, WithLimits(roomy))
	if err != nil {
		t.Fatalf("run %d: open after SIGKILL: %v", run, err)
	}
	defer crash(e) // leave the files as they are for the next run
	if tmps, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(tmps) > 0 {
		t.Errorf("run %d: temporary files left: %v", run, tmps)
	}
	for w := range crashWriters {
		owner := domain.Owner(fmt.Sprintf("tg:%d", w))
		list, err := e.ListSessions(ctx, owner, 0)
		if err != nil {
			t.Fatal(err)
		}
		have := map[int64]bool{}
		for _, s := range list {
			have[s.ID] = true
		}
		for _, id := range ids[w] {
			if !have[id] {
				t.Errorf("run %d: writer %d: acknowledged session %d is gone", run, w, id)
			}
		}
		// Each kill may leave one write journalled but not yet acknowledged per writer.
		if len(list) < acked[w] || len(list) > acked[w]+run+1 {
			t.Errorf("run %d: writer %d has %d sessions, %d acknowledged", run, w, len(list), acked[w])
		}
		usage, _ := e.Usage(ctx, owner)
		if usage["mm:0.25"] != len(list) || usage["p:peptides"] != len(list) {
			t.Errorf("run %d: writer %d: %d sessions but usage %v: a write was half applied", run, w, len(list), usage)
		}
	}
}

// TestEmbeddedCrashChild is the child of TestEmbeddedSIGKILLLosesNothing: it writes until it
// is killed.
func TestEmbeddedCrashChild(t *testing.T) {
	dir := os.Getenv("NB_CRASH_CHILD")
	if dir == "" {
		t.Skip("only run as TestEmbeddedSIGKILLLosesNothing's child")
	}
	e, err := openEmbedded(dir, nil, embeddedConfig{compactAt: 16 << 10, closeCompactAt: closeCompactAt}, WithLimits(roomy))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	run := os.Getenv("NB_CRASH_RUN")
	for w := range crashWriters {
		wg.Go(func() {
			for i := 0; ; i++ {
				owner := domain.Owner(fmt.Sprintf("tg:%d", w))
				added, err := e.AddSession(ctx, owner, sess(t0, 0.25, "peptides"), "tg:u:"+run+"x"+strconv.Itoa(w)+"x"+strconv.Itoa(i), t0)
				if err != nil {
					fmt.Fprintln(os.Stderr, "child:", err)
					os.Exit(2)
				}
				mu.Lock()
				os.Stdout.WriteString("ack " + strconv.Itoa(w) + " " + strconv.FormatInt(added.ID, 10) + "\n")
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}
