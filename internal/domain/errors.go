package domain

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

// Errors a store returns for limits and races; handlers turn them into friendly replies.
var (
	ErrRateLimited = errors.New("too many changes in a short time")
	ErrFull        = errors.New("limit reached")
	ErrGone        = errors.New("no longer exists")
	ErrDuplicate   = errors.New("already exists")
	ErrLinkCode    = errors.New("no such link code")
	ErrLinked      = errors.New("already linked")
	ErrSameNight   = errors.New("a session that night exists already")
)

// UnavailableError marks a failure to reach the data store; the user hears "can't save right
// now", and the cause is logged.
type UnavailableError struct{ Err error }

func (e *UnavailableError) Error() string { return "store unavailable: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *UnavailableError) Unwrap() error { return e.Err }

// Unavailable marks the error for IsUnavailable.
func (e *UnavailableError) Unavailable() bool { return true }

// Unavailable wraps err as an *UnavailableError, once; nil stays nil.
func Unavailable(err error) error {
	if err == nil {
		return nil
	}
	if IsUnavailable(err) {
		return err
	}
	return &UnavailableError{Err: err}
}

// IsUnavailable reports whether err says the data store could not be reached: it is, or
// wraps, an error with an Unavailable() bool method that returns true.
func IsUnavailable(err error) bool {
	var u interface{ Unavailable() bool }
	return errors.As(err, &u) && u.Unavailable()
}

// DamagedError says some stored entries could not be read: the call that returns it returns
// the readable ones along with it, so one bad entry does not hide the rest.
type DamagedError struct {
	Key string   // where they are
	IDs []string // the entries that could not be read
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("%d unreadable entr%s in %s: %v", len(e.IDs), map[bool]string{true: "y", false: "ies"}[len(e.IDs) == 1], e.Key, e.IDs)
}
