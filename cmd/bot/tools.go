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
	Answered    bool        `json:"answered"`              // the guidance answers it: text is the answer
	Safety      bool        `json:"safety,omitempty"`      // a skin reaction: text is the safety reply
	Verdict     string      `json:"verdict"`               // answered, not-covered, off-topic, safety, chat, diary or unsure
	Topic       string      `json:"topic,omitempty"`       // the entry that answers or replies
	Text        string      `json:"text"`                  // what the bot says
	Source      string      `json:"source,omitempty"`      // where an answer comes from
	Suggestions []string    `json:"suggestions,omitempty"` // closest topics when not covered
	Parts       []askResult `json:"parts,omitempty"`       // a question that asks two things: each part
}

func newAskResult(r kb.Result) askResult {
	res := askResult{Answered: r.Verdict == kb.Answered, Safety: r.Verdict == kb.Safety, Verdict: r.Verdict.String()}
	if r.Entry != nil {
		res.Topic, res.Text = r.Entry.ID, r.Entry.Body
		if r.Verdict == kb.Answered {
			res.Source = r.Entry.Source
		}
	} else {
		res.Text = "I'm not sure what you mean. Ask me a question about micro-needling, like \"can I roll every day?\"."
	}
	for _, s := range r.Suggestions {
		res.Suggestions = append(res.Suggestions, s.ID)
	}
	for _, p := range r.Parts {
		res.Parts = append(res.Parts, newAskResult(p))
	}
	return res
}

func ask(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
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
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(newAskResult(r))
	}
	parts := r.Parts
	if parts == nil {
		parts = []kb.Result{r}
	}
	for i, p := range parts {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		res := newAskResult(p)
		if p.Entry != nil {
			fmt.Fprintf(stdout, "%s\n\n%s\n", p.Entry.Title, p.Entry.Answer())
		} else {
			fmt.Fprintln(stdout, res.Text)
		}
		if len(res.Suggestions) > 0 {
			fmt.Fprintf(stdout, "\nClosest topics: %s\n", strings.Join(res.Suggestions, ", "))
		}
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
