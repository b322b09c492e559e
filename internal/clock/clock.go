// Package clock is the time that waits run on: the system's, or one a test drives, so that
// tests move time instead of sleeping.
package clock

import "time"

// Clock tells the time and waits.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

// Real is the system clock.
type Real struct{}

// Now returns the current time.
func (Real) Now() time.Time { return time.Now() }

// After waits for d on the system clock.
func (Real) After(d time.Duration) <-chan time.Time { return time.After(d) }
