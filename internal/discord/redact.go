package discord

import (
	"errors"
	"regexp"
	"strings"

	"github.com/bwmarrin/discordgo"
)

const redacted = "<redacted>"

// interactionToken matches the interaction and webhook tokens in REST paths, which grant
// access to a conversation for 15 minutes and so are kept out of logs as well.
var interactionToken = regexp.MustCompile(`((?:interactions|webhooks)/[0-9]+/)[^/?\s"]+`)

// redactor removes secrets from text that may reach logs or callers.
type redactor struct {
	token *strings.Replacer
}

func newRedactor(token string) *redactor {
	return &redactor{token: strings.NewReplacer("Bot "+token, redacted, token, redacted)}
}

func (r *redactor) String(s string) string {
	return interactionToken.ReplaceAllString(r.token.Replace(s), "${1}"+redacted)
}

// redactedError is an error whose message has the secrets removed.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }

// Unwrap returns the cause, so that errors.Is and errors.As still see it.
func (e *redactedError) Unwrap() error { return e.err }

// fail wraps err once with the operation that failed, removing the token from the message and
// from the request that discordgo keeps inside its REST errors.
func (d *Discord) fail(op string, err error) error {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Request != nil {
		re.Request.Header.Del("Authorization")
	}
	return &redactedError{msg: "discord: " + op + ": " + d.redact.String(err.Error()), err: err}
}
