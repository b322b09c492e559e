package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/needlebot/needlebot/internal/kb"
)

// askResult is the --json output of `bot ask`; scripts depend on its shape.
type askResult struct {
	Answered    bool     `json:"answered"`
	Topic       string   `json:"topic,omitempty"`
	Text        string   `json:"text"`
	Source      string   `json:"source,omitempty"`
	Suggestions []string `json:"suggestions,omitempty"`
}

func ask(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	if err := fs.Parse(args); err != nil {
		return &exitError{code: 2, err: err}
	}
	q := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if q == "" {
		return usageError("ask: expected a question")
	}
	k, err := kb.Load(getenv("BOT_KB_FILE"))
	if err != nil {
		return fmt.Errorf("knowledge base: %w", err)
	}
	r := k.Search(q)
	res := askResult{Answered: r.Entry != nil}
	if r.Entry != nil {
		res.Topic, res.Text, res.Source = r.Entry.ID, r.Entry.Body, r.Entry.Source
	} else {
		res.Text = k.Note(kb.NoteNotCovered, nil)
		for _, s := range r.Suggestions {
			res.Suggestions = append(res.Suggestions, s.ID)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(res)
	}
	if r.Entry != nil {
		fmt.Fprintf(stdout, "%s\n\n%s\n", r.Entry.Title, r.Entry.Answer())
		return nil
	}
	fmt.Fprintln(stdout, res.Text)
	if len(res.Suggestions) > 0 {
		fmt.Fprintf(stdout, "\nClosest topics: %s\n", strings.Join(res.Suggestions, ", "))
	}
	return nil
}

func lint(args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) > 1 {
		return usageError("kb lint: expected at most one file")
	}
	path := getenv("BOT_KB_FILE")
	if len(args) == 1 {
		path = args[0]
	}
	k, err := kb.Load(path)
	var probs kb.Problems
	if errors.As(err, &probs) {
		fmt.Fprintln(stdout, probs.Error())
		fmt.Fprintf(stdout, "%d problem(s)\n", len(probs))
		return errSilent
	}
	if err != nil {
		return err
	}
	name := path
	if name == "" {
		name = kb.DefaultName
	}
	fmt.Fprintf(stdout, "%s: ok (%d topics)\n", name, len(k.Topics()))
	return nil
}
