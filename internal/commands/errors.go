package commands

import (
	"strings"

	"github.com/needlebot/needlebot/internal/domain"
)

// Messages users see when something is not their fault.
const (
	msgInternal    = "Something went wrong, please try again."
	msgUnavailable = "I can't save right now. Nothing was lost; please try again in a minute."
)

// unavailable reports whether err says the data store could not be reached.
func unavailable(err error) bool { return domain.IsUnavailable(err) }

// busy is the reply to a write refused by the per-user rate limit; what says what was not
// done ("changed", "removed", "saved"), or nothing when it goes without saying.
func busy(err error, what string) *domain.Error {
	msg := "That's a lot of changes at once; please wait a minute and try again."
	if what != "" {
		msg = strings.TrimSuffix(msg, ".") + ". Nothing was " + what + "."
	}
	return &domain.Error{Msg: msg, Err: err}
}
