// Package redistest starts real redis-server processes for tests, in the manner of
// net/http/httptest: each test gets its own server on a free port, with its own data directory,
// and can stop, restart or kill it.
//
// When the redis-server binary is missing the tests that need it are skipped, unless CI is
// "true": in CI a missing Redis is a failure.
package redistest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is a redis-server process owned by one test.
type Server struct {
	t      testing.TB
	bin    string
	dir    string
	port   int
	args   []string
	cmd    *exec.Cmd
	exited chan struct{}
}

// Option adds redis-server arguments, e.g. AppendOnly.
type Option func(*[]string)

// AppendOnly makes every write durable (appendonly yes, appendfsync always), so a restart
// keeps all acknowledged writes.
func AppendOnly(a *[]string) { *a = append(*a, "--appendonly", "yes", "--appendfsync", "always") }

// Binary returns the path of redis-server, or "" when it is not installed.
func Binary() string {
	if p, err := exec.LookPath("redis-server"); err == nil {
		return p
	}
	return ""
}

// Require skips the test when redis-server is missing, or fails it in CI.
func Require(t testing.TB) string {
	t.Helper()
	bin := Binary()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server not found: CI must test against a real Redis")
		}
		t.Skip("redis-server not installed; set it up to run this test against a real Redis")
	}
	return bin
}

// Start starts a redis-server on a free port, stopped when the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{t: t, bin: Require(t), dir: t.TempDir(), port: freePort(t)}
	s.args = []string{"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--dir", s.dir, "--save", "", "--daemonize", "no", "--loglevel", "notice"}
	for _, o := range opts {
		o(&s.args)
	}
	s.start()
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) start() {
	s.t.Helper()
	s.cmd = exec.Command(s.bin, s.args...)
	s.cmd.Dir = s.dir
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	s.cmd.Stderr = s.cmd.Stdout
	logf, err := os.OpenFile(filepath.Join(s.dir, "redis.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("start redis-server: %v", err)
	}
	ready := make(chan struct{})
	s.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) {
		// redis-server says when it has loaded its data and listens: wait for that line
		// rather than polling.
		sc := bufio.NewScanner(out)
		once := false
		for sc.Scan() {
			fmt.Fprintln(logf, sc.Text())
			if !once && strings.Contains(sc.Text(), "Ready to accept connections") {
				once = true
				close(ready)
			}
		}
		cmd.Wait()
		logf.Close()
		close(exited)
	}(s.cmd, s.exited)
	select {
	case <-ready:
	case <-s.exited:
		s.t.Fatalf("redis-server exited: see %s", filepath.Join(s.dir, "redis.log"))
	case <-time.After(20 * time.Second):
		s.t.Fatalf("redis-server on %s not ready after 20 s", s.Addr())
	}
}

// Addr is host:port of the server.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// URL is the server as a REDIS_URL.
func (s *Server) URL() string { return "redis://" + s.Addr() }

// Stop shuts the server down cleanly (SIGTERM) and waits for it.
func (s *Server) Stop() { s.signal(syscall.SIGTERM) }

// Kill kills the server with SIGKILL, as a crash would.
func (s *Server) Kill() { s.signal(syscall.SIGKILL) }

func (s *Server) signal(sig syscall.Signal) {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.exited:
		return
	default:
	}
	s.cmd.Process.Signal(sig)
	<-s.exited
}

// Restart stops the server and starts it again on the same port with the same data directory.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.Start()
}

// Start starts a stopped server again on the same port and data directory.
func (s *Server) Start() {
	s.t.Helper()
	s.start()
}

// Client returns a client for the server, closed when the test ends.
func (s *Server) Client() *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.Addr()})
	s.t.Cleanup(func() { c.Close() })
	return c
}

// Info returns one field of INFO, e.g. "used_memory".
func (s *Server) Info(field string) string {
	c := redis.NewClient(&redis.Options{Addr: s.Addr()})
	defer c.Close()
	info, err := c.Info(context.Background()).Result()
	if err != nil {
		s.t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && k == field {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// RoundTrips is a go-redis hook that counts round trips to the server: one per command and one
// per pipeline, leaving out the commands a new connection sends to set itself up. Add it with
// client.AddHook(&hook) and read N.
type RoundTrips struct{ n atomic.Int64 }

// N returns the round trips counted so far.
func (r *RoundTrips) N() int64 { return r.n.Load() }

// Reset starts counting again from zero.
func (r *RoundTrips) Reset() { r.n.Store(0) }

// DialHook passes dials through.
func (r *RoundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook counts one command.
func (r *RoundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if !setup(cmd) {
			r.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

// ProcessPipelineHook counts one pipeline.
func (r *RoundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, c := range cmds {
			if !setup(c) {
				r.n.Add(1)
				break
			}
		}
		return next(ctx, cmds)
	}
}

func setup(c redis.Cmder) bool {
	switch c.Name() {
	case "hello", "client", "auth", "select":
		return true
	}
	return false
}

// Mentions scans every key, string value and member of every hash, set and sorted set for
// name, and returns where it is ("key nb:{tg:1}:s remains", "nb:id:tg:1 holds p:1"), or ""
// when nothing mentions it: how tests prove that /forget left nothing behind.
func Mentions(ctx context.Context, rdb redis.UniversalClient, name string) string {
	iter := rdb.Scan(ctx, 0, "*", 1000).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		if strings.Contains(k, name) {
			return "key " + k + " remains"
		}
		var members []string
		switch rdb.Type(ctx, k).Val() {
		case "hash":
			members = rdb.HKeys(ctx, k).Val()
		case "zset":
			members = rdb.ZRange(ctx, k, 0, -1).Val()
		case "set":
			members = rdb.SMembers(ctx, k).Val()
		case "string":
			members = []string{rdb.Get(ctx, k).Val()}
		}
		for _, m := range members {
			if strings.Contains(m, name) {
				return k + " holds " + m
			}
		}
	}
	return ""
}
