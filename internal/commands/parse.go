package commands

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxArgs bounds how many words of a message become Args; the rest stays in Text.
const maxArgs = 32

// Parsed is a chat message split into its parts.
type Parsed struct {
	Command string   // lower-case command name without the slash; "" for plain text
	Mention string   // the bot name after "@" in "/start@needlebot", lower case
	Args    []string // the words after the command
	Text    string   // everything after the command, or the whole message when it is plain text
}

// Parse splits a chat message. A message is a command when it starts with "/" followed by a
// letter; "/needle@needlebot size" gives Command "needle", Mention "needlebot", Args ["size"].
// Invalid UTF-8 is replaced, so what comes out is always valid text.
func Parse(text string) Parsed {
	text = strings.ToValidUTF8(text, "\uFFFD")
	trimmed := strings.TrimLeftFunc(text, unicode.IsSpace)
	if len(trimmed) < 2 || trimmed[0] != '/' {
		return Parsed{Text: strings.TrimSpace(text)}
	}
	if r, _ := utf8.DecodeRuneInString(trimmed[1:]); !unicode.IsLetter(r) {
		return Parsed{Text: strings.TrimSpace(text)}
	}
	head, rest, _ := strings.Cut(trimmed[1:], " ")
	if i := strings.IndexFunc(head, unicode.IsSpace); i >= 0 { // a tab or newline right after the command
		head, rest = head[:i], head[i:]+" "+rest
	}
	name, mention, _ := strings.Cut(head, "@")
	p := Parsed{
		Command: strings.ToLower(name),
		Mention: strings.ToLower(mention),
		Text:    strings.TrimSpace(rest),
	}
	p.Args = strings.Fields(p.Text)
	if len(p.Args) > maxArgs {
		p.Args = p.Args[:maxArgs]
	}
	return p
}

// ValidName reports whether s can be a command name on every platform: Telegram's rule, the
// strictest (lower-case letters, digits and underscores, at most 32).
func ValidName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}
