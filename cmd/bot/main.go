// Command bot runs needlebot: the chat bot for at-home micro-needling.
//
// Usage:
//
//	bot [run] [flags]         start every configured front end (the console when none is)
//	bot console [flags]       talk to the bot in this terminal
//	bot config check [flags]  validate the configuration without starting
//	bot healthcheck           ask a running bot's /healthz (the container's HEALTHCHECK)
//	bot ask [--json] Q...     print one answer from the knowledge base
//	bot kb lint [FILE]        check a knowledge-base file
//	bot doctor [--fix]        check the store for data the bot cannot use
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

// configCheck validates the configuration and prints it with secrets masked, or every problem.
func configCheck(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, rest, err := loadConfig("config check", args, getenv, stderr, false)
	var probs configProblems
	if errors.As(err, &probs) {
		fmt.Fprintln(stdout, probs.Error())
		return errSilent
	}
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError("config check: unexpected arguments %q", rest)
	}
	fmt.Fprint(stdout, cfg.describe())
	fmt.Fprintln(stdout, "configuration ok")
	return nil
}

func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format+" (see bot help)", args...)}
}

const usage = `needlebot: a chat bot for at-home micro-needling.

Usage:
  bot [run] [flags]        start every configured front end (the console when none is)
  bot console [flags]      talk to the bot in this terminal
  bot config check [flags] validate the configuration without starting; lists every problem
  bot healthcheck          ask a running bot's /healthz (exit 0 when healthy)
  bot ask [--json] Q...    print one answer from the knowledge base
  bot kb lint [FILE]       check a knowledge-base file (default: BOT_KB_FILE or the built-in one)
  bot doctor [--fix]       check the store for entries that do not decode, stale index and due
                           entries, reminders that never fire; --fix repairs what is safe
  bot version              print the version
  bot help                 print this help

Configuration comes from the environment, or the equivalent flags (TELEGRAM_TOKEN is
--telegram-token); see .env.example or "bot run --help" for every variable.
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
		return serve(ctx, cmd, args, getenv, stdin, stdout, stderr, cmd == "console")
	case "config":
		if len(args) == 0 || args[0] != "check" {
			return usageError("config: expected \"config check\"")
		}
		return configCheck(args[1:], getenv, stdout, stderr)
	case "healthcheck":
		return healthcheck(getenv)
	case "ask":
		return ask(args, getenv, stdout, stderr)
	case "doctor":
		return doctor(ctx, args, getenv, stdout, stderr)
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
