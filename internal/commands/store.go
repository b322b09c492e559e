package commands

import (
	"context"
	"errors"
	"time"

	"github.com/needlebot/needlebot/internal/diary"
	"github.com/needlebot/needlebot/internal/schedule"
)

// Entry is a logged session as the diary keeps it.
type Entry struct {
	ID int64 // increasing per owner, in the order sessions were logged
	diary.Session
	Logged time.Time // when it was logged
}

// Added is what storing a session reports.
type Added struct {
	ID        int64     // the session's id
	Logged    time.Time // when it was logged; with the id, it names the session for good
	Duplicate bool      // a session with the same key was stored before; nothing new was written
	Recent    int       // sessions with At at or after the given "since", this one included
}

// Sessions keeps each owner's session diary.
type Sessions interface {
	// AddSession stores s for owner. A non-empty key makes the write idempotent: a second call
	// with the same key within two days stores nothing and reports Duplicate. It returns
	// ErrRateLimited when the owner writes too often and ErrFull at the session cap.
	AddSession(ctx context.Context, owner string, s diary.Session, key string, since time.Time) (Added, error)
	// RemoveSession removes the session with the given id, or the last one logged when id is
	// 0, and reports false when there was none. A non-zero logged must match the session's, so
	// that an old button cannot remove a newer session that reuses the id (after /forget). A
	// non-empty key makes it idempotent: a repeat returns what the first call removed. It may
	// return ErrRateLimited.
	RemoveSession(ctx context.Context, owner string, id int64, logged time.Time, key string) (Entry, bool, error)
	// ListSessions returns up to limit sessions, newest first by when they happened; limit 0
	// means all of them.
	ListSessions(ctx context.Context, owner string, limit int) ([]Entry, error)
	// HoldSession keeps s, not yet logged, under key (the platform event that reported it)
	// for two days, until the user presses a button to log it; holding under a key that holds
	// one already keeps the first. It may return ErrRateLimited.
	HoldSession(ctx context.Context, owner string, s diary.Session, key string) error
	// HeldSession returns the session held under key, and false when there is none (never
	// held, or held over two days ago).
	HeldSession(ctx context.Context, owner, key string) (diary.Session, bool, error)
}

// Stats gives what /stats needs without loading every session.
type Stats interface {
	// SessionTimes returns when each of owner's sessions happened, oldest first.
	SessionTimes(ctx context.Context, owner string) ([]time.Time, error)
	// Usage returns how often each needle size ("mm:0.25") and product ("p:peptides") was used.
	Usage(ctx context.Context, owner string) (map[string]int, error)
}

// Reminder is one of an owner's reminders.
type Reminder struct {
	ID      string // "r1", "r2", ...: stable for the reminder's life
	Clock   schedule.Clock
	Days    schedule.Weekdays
	Chat    string    // where to deliver it on the owner's platform
	Created time.Time // set by the store; tells this reminder from an older one with the same id
}

// Profiles keeps per-owner settings.
type Profiles interface {
	// Zone returns the owner's IANA time zone, or "" when they have not set one.
	Zone(ctx context.Context, owner string) (string, error)
	// SetZone stores the owner's time zone and moves their reminders to the given next fire
	// times (computed in the new zone). It may return ErrRateLimited.
	SetZone(ctx context.Context, owner, zone string, next map[string]time.Time) error
}

// Reminders keeps each owner's reminders and their place in the due index.
type Reminders interface {
	// AddReminder stores r (its ID and Created are assigned) due at next. A non-empty key (the
	// platform event) makes a repeat store the same reminder, not a second one. It returns
	// ErrFull at the reminder cap and ErrRateLimited when the owner writes too often.
	AddReminder(ctx context.Context, owner string, r Reminder, next time.Time, key string) (Reminder, error)
	// ListReminders returns the owner's reminders in the order they were set.
	ListReminders(ctx context.Context, owner string) ([]Reminder, error)
	// Reminder returns one reminder, false when it does not exist.
	Reminder(ctx context.Context, owner, id string) (Reminder, bool, error)
	// RemoveReminder removes one reminder, or all of them when id is ""; it returns how many.
	RemoveReminder(ctx context.Context, owner, id string) (int, error)
	// Snooze makes reminder id fire once more at at; a zero at cancels a pending snooze. It
	// returns ErrGone when the reminder no longer exists, and may return ErrRateLimited.
	Snooze(ctx context.Context, owner, id string, at time.Time) error
}

// Forgetter deletes everything kept about an owner.
type Forgetter interface {
	Forget(ctx context.Context, owner string) error
}

// Store is everything the bot keeps; *store.Store implements it.
type Store interface {
	Sessions
	Stats
	Profiles
	Reminders
	Forgetter
}

// Errors a Store returns for limits; handlers turn them into friendly replies.
var (
	ErrRateLimited = errors.New("too many changes in a short time")
	ErrFull        = errors.New("limit reached")
	ErrGone        = errors.New("no longer exists")
)
