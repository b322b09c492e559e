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
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/needlebot/needlebot/internal/kb"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	if err != nil && !errors.Is(err, errSilent) && !errors.Is(err, errHelpShown) && !errors.Is(err, context.Canceled) {
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

// flagError is how a command ends when its flags do not parse: --help (the flag package has
// printed the flags) is a success, anything else a usage error.
func flagError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return errHelpShown
	}
	return &exitError{code: 2, err: err}
}

// errHelpShown ends the program with exit code 0 after -h or --help printed the flags.
var errHelpShown = &exitError{code: 0, err: errors.New("")}

// commandNames are the subcommands, for "did you mean".
var commandNames = []string{"run", "console", "config", "healthcheck", "ask", "kb", "doctor", "version", "help"}

// leadingFlags counts the arguments that are flags given before the subcommand
// ("bot --log-level debug console"): every configuration flag takes a value, as "--name value"
// or "--name=value"; "--" ends them.
func leadingFlags(args []string) int {
	n := 0
	for n < len(args) && strings.HasPrefix(args[n], "-") {
		a := args[n]
		switch {
		case a == "--":
			return n + 1
		case isHelp(a) || strings.Contains(a, "="):
			n++
		default:
			n += 2
		}
	}
	return min(n, len(args))
}

func isHelp(a string) bool { return a == "-h" || a == "--help" || a == "-help" }

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
--telegram-token), given before or after the command; see .env.example or "bot run --help"
for every variable.
`

// run is the whole program; main only supplies the process's environment, so tests can run
// it with their own.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	// Flags may come before the subcommand too: they go to it, as if given after it.
	var global []string
	if len(args) > 0 && strings.HasPrefix(args[0], "-") && !isHelp(args[0]) && args[0] != "--version" && args[0] != "-version" {
		n := leadingFlags(args)
		global, args = args[:n], args[n:]
		if len(global) > 0 && global[len(global)-1] == "--" {
			global = global[:len(global)-1]
		}
	}
	cmd := "run"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run", "console":
		return serve(ctx, cmd, append(global, args...), getenv, stdin, stdout, stderr, cmd == "console")
	case "config":
		if len(args) == 0 || args[0] != "check" {
			return usageError("config: expected \"config check\"")
		}
		return configCheck(append(global, args[1:]...), getenv, stdout, stderr)
	case "healthcheck":
		return healthcheck(getenv)
	case "ask":
		return ask(args, getenv, stdout, stderr)
	case "doctor":
		return doctor(ctx, append(global, args...), getenv, stdout, stderr)
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
	if near := kb.Nearest(cmd, commandNames, 2); len(near) > 0 {
		return usageError("unknown command %q; did you mean %q?", cmd, near[0])
	}
	return usageError("unknown command %q", cmd)
}
