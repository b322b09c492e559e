package commands

import (
	"errors"
	"fmt"
)

// Error is an error whose message is a full, friendly sentence a user may read.
type Error struct {
	Msg string
	Err error // the underlying cause, if any; never shown
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted message for the user.
func Errorf(format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// Messages users see when something is not their fault.
const (
	msgInternal    = "Something went wrong, please try again."
	msgUnavailable = "I can't save right now. Nothing was lost; please try again in a minute."
)

// unavailable reports whether err says the data store could not be reached; stores mark such
// errors with an Unavailable() bool method, so this package needs no store import.
func unavailable(err error) bool {
	var u interface{ Unavailable() bool }
	return errors.As(err, &u) && u.Unavailable()
}
