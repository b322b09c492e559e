package commands

import "github.com/needlebot/needlebot/internal/domain"

// Messages users see when something is not their fault.
const (
	msgInternal    = "Something went wrong, please try again."
	msgUnavailable = "I can't save right now. Nothing was lost; please try again in a minute."
)

// unavailable reports whether err says the data store could not be reached.
func unavailable(err error) bool { return domain.IsUnavailable(err) }
