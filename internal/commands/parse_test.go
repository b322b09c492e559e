package commands

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Parsed
	}{
		{"/needle size", Parsed{Command: "needle", Args: []string{"size"}, Text: "size"}},
		{"/needle@NeedleBot size", Parsed{Command: "needle", Mention: "needlebot", Args: []string{"size"}, Text: "size"}},
		{"/Needle   Size  ", Parsed{Command: "needle", Args: []string{"Size"}, Text: "Size"}},
		{"/help", Parsed{Command: "help", Text: ""}},
		{"  /start", Parsed{Command: "start"}},
		{"/ask can I\troll?", Parsed{Command: "ask", Args: []string{"can", "I", "roll?"}, Text: "can I\troll?"}},
		{"/ask\tcan I", Parsed{Command: "ask", Args: []string{"can", "I"}, Text: "can I"}},
		{"can I roll every day?", Parsed{Text: "can I roll every day?"}},
		{"/", Parsed{Text: "/"}},
		{"/ needle", Parsed{Text: "/ needle"}},
		{"/25mm", Parsed{Text: "/25mm"}},
		{"1/2 mm", Parsed{Text: "1/2 mm"}},
		{"/héllo", Parsed{Command: "héllo"}},
		{"\xff/x", Parsed{Text: "\uFFFD/x"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Parse(tt.in), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseCapsArgs(t *testing.T) {
	p := Parse("/ask " + strings.Repeat("word ", 1000))
	if len(p.Args) != maxArgs {
		t.Errorf("got %d args, want %d", len(p.Args), maxArgs)
	}
	if len(strings.Fields(p.Text)) != 1000 {
		t.Errorf("Text lost words: %d", len(strings.Fields(p.Text)))
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"/needle size", "/start@bot", "/", "hello", "/ask\tq", "/a@b@c d", "\xff", "/é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := Parse(s)
		for _, part := range append([]string{p.Command, p.Mention, p.Text}, p.Args...) {
			if !utf8.ValidString(part) {
				t.Fatalf("Parse(%q) gave invalid UTF-8 %q", s, part)
			}
		}
		if p.Command == "" && (p.Mention != "" || len(p.Args) > 0) {
			t.Fatalf("Parse(%q) = %+v: args without a command", s, p)
		}
		if strings.ContainsAny(p.Command, " \t\n@") || p.Command != strings.ToLower(p.Command) {
			t.Fatalf("Parse(%q) gave command %q", s, p.Command)
		}
		if len(p.Args) > maxArgs {
			t.Fatalf("Parse(%q) gave %d args", s, len(p.Args))
		}
	})
}
