package schedule

import (
	"fmt"
	"unicode/utf8"
)

// maxQuote is how much of a user's text an error message repeats, so that a
// pasted essay does not come back into the chat.
const maxQuote = 64

// InputError reports a time or a list of days that could not be understood.
type InputError struct {
	// Msg is a complete sentence meant for the person who typed the input.
	Msg string
}

// Error returns Msg, since it is already fit to be shown to the user.
func (e *InputError) Error() string { return e.Msg }

// inputErrorf builds an *InputError whose first verb quotes the user's text,
// truncated and escaped so that it cannot smuggle control characters or
// invalid UTF-8 into the reply.
func inputErrorf(format, input string, args ...any) *InputError {
	return &InputError{Msg: fmt.Sprintf(format, append([]any{quote(input)}, args...)...)}
}

// quote returns s as a Go-quoted string of at most maxQuote bytes of input,
// cut on a rune boundary and marked with an ellipsis when shortened.
func quote(s string) string {
	if len(s) <= maxQuote {
		return fmt.Sprintf("%q", s)
	}
	cut := maxQuote
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%q", s[:cut]+"…")
}
