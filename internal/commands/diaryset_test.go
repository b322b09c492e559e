package commands_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/redis/go-redis/v9"
)

// The diary's message sets, read end to end: each message is sent by a new user whose time
// zone is set, at the time it was written, and what the bot did is compared with what the set
// expects. testdata/frozen was written from the guidance alone before the diary changed and is
// never tuned on: its score is reported (go test -v) against floors well under its
// first-contact score, and no single line of it is ever printed. testdata/dev is the
// development set; -misses lists its misses.

var devMisses = flag.Bool("misses", false, "list the misses of the diary's development set")

// diaryLine is one message of a set: when and where it was sent, and what should happen.
type diaryLine struct {
	now                            time.Time
	expect, at, mm, products, text string
}

func readDiarySet(t *testing.T, name string) []diaryLine {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "diary", "testdata", name, "messages.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []diaryLine
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) != 7 {
			t.Fatalf("%s:%d: %d columns, want 7", name, n, len(c))
		}
		loc, err := time.LoadLocation(c[1])
		if err != nil {
			t.Fatalf("%s:%d: %v", name, n, err)
		}
		now, err := time.ParseInLocation("2006-01-02 15:04", c[0], loc)
		if err != nil {
			t.Fatalf("%s:%d: %v", name, n, err)
		}
		out = append(out, diaryLine{now, c[2], c[3], c[4], c[5], c[6]})
	}
	return out
}

// diaryScore counts, per expected handling, the messages handled right.
type diaryScore struct{ n, ok map[string]int }

func (s diaryScore) String() string {
	var parts []string
	total, right := 0, 0
	for _, k := range []string{"log", "log+question", "ask", "nolog", "question", "safety"} {
		parts = append(parts, fmt.Sprintf("%s %d/%d", k, s.ok[k], s.n[k]))
		total += s.n[k]
		right += s.ok[k]
	}
	return fmt.Sprintf("right %d/%d (%.1f%%): %s", right, total, 100*float64(right)/float64(total), strings.Join(parts, ", "))
}

// runDiarySet sends every message of a set and scores what the bot did; miss is told about
// each message handled wrong.
func runDiarySet(t *testing.T, name string, miss func(l diaryLine, why string)) diaryScore {
	t.Helper()
	h := newHarness(t, redis.NewClient(&redis.Options{Addr: miniredis.RunT(t).Addr()}))
	s := diaryScore{n: map[string]int{}, ok: map[string]int{}}
	for i, l := range readDiarySet(t, name) {
		user := strconv.Itoa(1000 + i)
		owner := domain.Owner("tg:" + user)
		if err := h.st.SetZone(context.Background(), owner, l.now.Location().String(), nil); err != nil {
			t.Fatal(err)
		}
		h.clock.mu.Lock()
		h.clock.t = l.now
		h.clock.mu.Unlock()
		r := h.as(user, l.text)
		all := r.Title + "\n" + r.Text
		list, err := h.st.ListSessions(context.Background(), owner, 0)
		if err != nil {
			t.Fatal(err)
		}
		safety := strings.Contains(all, "doctor or dermatologist") && strings.Contains(all, "Stop rolling")
		answered := strings.Contains(all, "Source: Kerry Benjamin") || strings.Contains(all, "doesn't cover that") ||
			strings.Contains(all, "outside what I know") || safety
		why := ""
		switch l.expect {
		case "log", "log+question":
			switch {
			case len(list) != 1:
				why = fmt.Sprintf("%d sessions logged", len(list))
			case !atMatches(l.at, list[0].At.In(l.now.Location()), l.now):
				why = "logged at " + list[0].At.In(l.now.Location()).Format("2006-01-02 15:04")
			case !mmMatches(l.mm, list[0].NeedleMM):
				why = fmt.Sprintf("needle %v", list[0].NeedleMM)
			case !productsMatch(l.products, list[0].Products):
				why = fmt.Sprintf("products %q", list[0].Products)
			case l.expect == "log+question" && !answered:
				why = "the question was not answered"
			}
		case "ask":
			if len(list) > 0 || safety || !strings.Contains(all, "?") {
				why = fmt.Sprintf("%d logged, not asked back", len(list))
			}
		case "nolog":
			if len(list) > 0 {
				why = "logged"
			}
		case "question":
			if len(list) > 0 || !answered {
				why = fmt.Sprintf("%d logged, answered %v", len(list), answered)
			}
		case "safety":
			if len(list) > 0 || !safety {
				why = fmt.Sprintf("%d logged, safety reply %v", len(list), safety)
			}
		default:
			t.Fatalf("%s: unknown handling %q", name, l.expect)
		}
		s.n[l.expect]++
		if why == "" {
			s.ok[l.expect]++
		} else if miss != nil {
			miss(l, why+"; reply: "+strings.ReplaceAll(all, "\n", " | "))
		}
	}
	return s
}

func atMatches(want string, at, now time.Time) bool {
	day, part, _ := strings.Cut(want, " ")
	if at.Format("2006-01-02") != day {
		return false
	}
	switch h := at.Hour(); part {
	case "":
		return true
	case "now":
		return math.Abs(at.Sub(now).Minutes()) <= 5
	case "evening":
		return h >= 17
	case "morning":
		return h >= 4 && h < 12
	case "afternoon":
		return h >= 12 && h < 18
	}
	return at.Format("15:04") == part
}

func mmMatches(want string, mm float64) bool {
	if want == "-" {
		return mm == 0
	}
	w, err := strconv.ParseFloat(want, 64)
	return err == nil && math.Abs(w-mm) < 1e-9
}

// productsMatch compares products loosely: each expected one must be named by one logged
// ("hyaluronic acid" by "hyaluronic acid", "rosehip oil" by "Rosehip oil"), and as many.
func productsMatch(want string, got []string) bool {
	if want == "-" {
		return len(got) == 0
	}
	ws := strings.Split(want, ";")
	if len(ws) != len(got) {
		return false
	}
	for _, w := range ws {
		found := false
		for _, g := range got {
			g = strings.ToLower(g)
			found = found || g == w || strings.Contains(g, w) || strings.Contains(w, g)
		}
		if !found {
			return false
		}
	}
	return true
}

// Floors for the frozen set, in percent of all its messages handled right.
const floorDiary = 90

func TestFrozenDiary(t *testing.T) {
	s := runDiarySet(t, "frozen", nil)
	t.Logf("frozen diary set: %v", s)
	total, right := 0, 0
	for k := range s.n {
		total += s.n[k]
		right += s.ok[k]
	}
	if got := 100 * float64(right) / float64(total); got < floorDiary {
		t.Errorf("frozen diary set: %.1f%% right, below the floor of %d%%", got, floorDiary)
	}
}

func TestDevDiary(t *testing.T) {
	var miss func(diaryLine, string)
	if *devMisses {
		miss = func(l diaryLine, why string) {
			t.Logf("%s %s %-12s %s -> %s", l.now.Format("01-02 15:04"), l.now.Location(), l.expect, l.text, why)
		}
	}
	s := runDiarySet(t, "dev", miss)
	t.Logf("dev diary set: %v", s)
}
