// Command bot runs needlebot: the chat bot for at-home micro-needling.
//
// Usage:
//
//	bot [run]                 start every configured front end (the console when none is)
//	bot console               talk to the bot in this terminal
//	bot ask [--json] Q...     print one answer from the knowledge base
//	bot kb lint [FILE]        check a knowledge-base file
//	bot version               print the version
//	bot help                  print this help
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	if err != nil && !errors.Is(err, errSilent) && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "bot:", err)
	}
	os.Exit(exitCode(err))
}

// exitError carries the process exit code for errors that need one other than 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// errSilent ends the program with exit code 1 after it has already said why.
var errSilent = errors.New("")

func exitCode(err error) int {
	var ee *exitError
	switch {
	case err == nil, errors.Is(err, context.Canceled):
		return 0
	case errors.As(err, &ee):
		return ee.code
	}
	return 1
}

func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format+" (see bot help)", args...)}
}

const usage = `needlebot: a chat bot for at-home micro-needling.

Usage:
  bot [run]                start every configured front end (the console when none is)
  bot console              talk to the bot in this terminal
  bot ask [--json] Q...    print one answer from the knowledge base
  bot kb lint [FILE]       check a knowledge-base file (default: BOT_KB_FILE or the built-in one)
  bot version              print the version
  bot help                 print this help

Environment:
  BOT_KB_FILE              knowledge-base file to use instead of the built-in one
  LOG_LEVEL                debug, info, warn or error (default info; warn on the console)
`

// run is the whole program; main only supplies the process's environment, so tests can run
// it with their own.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "run"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run", "console":
		return serve(ctx, args, getenv, stdin, stdout, stderr)
	case "ask":
		return ask(args, getenv, stdout, stderr)
	case "kb":
		if len(args) == 0 || args[0] != "lint" {
			return usageError("kb: expected \"kb lint [FILE]\"")
		}
		return lint(args[1:], getenv, stdout)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "needlebot %s\n", version)
		return nil
	case "help", "-h", "--help", "-help":
		io.WriteString(stdout, usage)
		return nil
	}
	return usageError("unknown command %q", cmd)
}
