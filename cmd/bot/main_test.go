package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/needlebot/needlebot/internal/kb"
	"github.com/needlebot/needlebot/internal/metrics"
)

// env is a fake environment for run.
type env map[string]string

func (e env) get(k string) string { return e[k] }

type result struct {
	stdout, stderr string
	err            error
}

func runBot(t *testing.T, e env, stdin string, args ...string) result {
	t.Helper()
	if _, ok := e["BOT_DATA_DIR"]; !ok {
		e["BOT_DATA_DIR"] = t.TempDir() // never ./data in the source tree
	}
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, e.get, strings.NewReader(stdin), &out, &errOut)
	return result{out.String(), errOut.String(), err}
}

func TestConsoleScript(t *testing.T) {
	r := runBot(t, env{}, "/help\n/needle size\n")
	if r.err != nil {
		t.Fatalf("run: %v\nstderr: %s", r.err, r.stderr)
	}
	for _, want := range []string{"/needle <topic>", "For use at home: 0.25 mm needles", "Source: Kerry Benjamin"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	// On the console, stderr carries only the line that says where the data lives.
	if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "data lives in") || !strings.Contains(lines[0], "use Redis in production") {
		t.Errorf("stderr on the console = %q, want just where the data lives", r.stderr)
	}
	if r2 := runBot(t, env{}, "/needle size\n", "console"); r2.err != nil || !strings.Contains(r2.stdout, "0.25 mm") {
		t.Errorf("bot console: err %v, stdout %s", r2.err, r2.stdout)
	}
}

func TestAskJSON(t *testing.T) {
	tests := []struct {
		q    string
		want askResult
	}{
		{"what size needle for home?", askResult{Answered: true, Verdict: "answered", Topic: "needle-size"}},
		{"what's the weather in Paris", askResult{Verdict: "off-topic", Topic: "off-topic"}},
		{"can I use retinol after rolling?", askResult{Verdict: "not-covered", Topic: "not-covered"}},
		{"my cheeks are swollen and hot since I rolled", askResult{Safety: true, Verdict: "safety", Topic: "safety"}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			r := runBot(t, env{}, "", append([]string{"ask", "--json"}, strings.Fields(tt.q)...)...)
			if r.err != nil {
				t.Fatal(r.err)
			}
			var got askResult
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, r.stdout)
			}
			if got.Answered != tt.want.Answered || got.Safety != tt.want.Safety || got.Verdict != tt.want.Verdict || got.Topic != tt.want.Topic || got.Text == "" {
				t.Errorf("got %+v, want answered=%v safety=%v verdict=%s topic=%q and a text", got, tt.want.Answered, tt.want.Safety, tt.want.Verdict, tt.want.Topic)
			}
			if got.Answered && !strings.Contains(got.Source, "Kerry Benjamin") {
				t.Errorf("answer without source: %+v", got)
			}
			if !got.Answered && (got.Source != "" || len(got.Suggestions) > 3) {
				t.Errorf("fallback has a source or too many suggestions: %+v", got)
			}
			var raw map[string]any
			json.Unmarshal([]byte(r.stdout), &raw)
			if _, ok := raw["answered"]; !ok {
				t.Errorf("JSON lacks the answered field: %s", r.stdout)
			}
		})
	}
	r := runBot(t, env{}, "", "ask", "does", "it", "hurt?")
	if !strings.Contains(r.stdout, "pain-free") {
		t.Errorf("plain ask: %s", r.stdout)
	}
}

func TestKBLint(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.md")
	os.WriteFile(bad, []byte("## a\ntitle: A\ncolour: red\n\nText.\n\n## a\ntitle: B\nsource: s\n\n"), 0o644)
	r := runBot(t, env{}, "", "kb", "lint", bad)
	if exitCode(r.err) != 1 {
		t.Errorf("exit code %d, want 1 (err %v)", exitCode(r.err), r.err)
	}
	for _, want := range []string{"bad.md:1: entry \"a\" has no source", "bad.md:3: unknown field \"colour\"", "bad.md:7: duplicate entry id \"a\"", "problem(s)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("lint output lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := runBot(t, env{}, "", "kb", "lint"); r.err != nil || !strings.Contains(r.stdout, "ok (16 topics)") {
		t.Errorf("built-in KB: err %v, out %q", r.err, r.stdout)
	}
	if r := runBot(t, env{}, "", "kb", "lint", filepath.Join(dir, "missing.md")); exitCode(r.err) != 1 {
		t.Errorf("missing file: exit %d, want 1", exitCode(r.err))
	}
	// BOT_KB_FILE is what the bot runs with, so a broken one stops it starting.
	if r := runBot(t, env{"BOT_KB_FILE": bad}, "/help\n"); r.err == nil || !strings.Contains(r.err.Error(), "colour") {
		t.Errorf("run with a broken BOT_KB_FILE: %v", r.err)
	}
}

func TestVersionHelpAndUsage(t *testing.T) {
	if r := runBot(t, env{}, "", "version"); r.stdout != "needlebot dev\n" {
		t.Errorf("version printed %q", r.stdout)
	}
	if r := runBot(t, env{}, "", "help"); !strings.Contains(r.stdout, "bot kb lint") {
		t.Errorf("help printed %q", r.stdout)
	}
	for _, args := range [][]string{{"frobnicate"}, {"kb"}, {"kb", "lint", "a", "b"}, {"ask"}, {"ask", "--nope", "x"}} {
		if r := runBot(t, env{}, "", args...); exitCode(r.err) != 2 {
			t.Errorf("bot %v: exit %d (err %v), want 2", args, exitCode(r.err), r.err)
		}
	}
	if r := runBot(t, env{"LOG_LEVEL": "loud"}, ""); exitCode(r.err) != 1 || !strings.Contains(r.err.Error(), "LOG_LEVEL") {
		t.Errorf("bad LOG_LEVEL: %v", r.err)
	}
}

// TestMetricsNameEveryVerdict keeps the metrics' fixed labels in step with the knowledge
// base's verdicts, so every series exists from the start.
func TestMetricsNameEveryVerdict(t *testing.T) {
	var want []string
	for v := kb.Unsure; v <= kb.Diary; v++ {
		want = append(want, v.String())
	}
	slices.Sort(want)
	got := slices.Clone(metrics.Verdicts)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("metrics.Verdicts = %v, want %v", got, want)
	}
}

// Operators' habits: flags before the subcommand, --help that succeeds, a typo that gets a
// suggestion.
func TestCommandLineConventions(t *testing.T) {
	if r := runBot(t, env{}, "/needle size\n", "--log-level", "debug", "console"); r.err != nil || !strings.Contains(r.stdout, "0.25 mm") {
		t.Errorf("bot --log-level debug console: %v\n%s", r.err, r.stderr)
	}
	if r := runBot(t, env{}, "", "--log-level=warn", "config", "check"); r.err != nil || !strings.Contains(r.stdout, "configuration ok") {
		t.Errorf("bot --log-level=warn config check: %v\n%s%s", r.err, r.stdout, r.stderr)
	}
	for _, args := range [][]string{{"run", "--help"}, {"console", "-h"}, {"config", "check", "--help"}, {"doctor", "--help"}} {
		r := runBot(t, env{}, "", args...)
		if exitCode(r.err) != 0 || !strings.Contains(r.stderr, "-telegram-token") {
			t.Errorf("bot %v: exit %d, want 0 and the flags; stderr %.200q", args, exitCode(r.err), r.stderr)
		}
	}
	if r := runBot(t, env{}, "", "cosole"); exitCode(r.err) != 2 || !strings.Contains(r.err.Error(), `did you mean "console"`) {
		t.Errorf("bot cosole: %v", r.err)
	}
	if r := runBot(t, env{}, "", "--log-level", "debug", "frobnicate"); exitCode(r.err) != 2 {
		t.Errorf("bot --log-level debug frobnicate: exit %d", exitCode(r.err))
	}
}
