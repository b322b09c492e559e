package domain

import (
	"context"
	"time"
)

// Sessions keeps each owner's session diary.
type Sessions interface {
	// AddSession stores s for owner. A non-empty key makes the write idempotent: a second call
	// with the same key within two days stores nothing and reports Duplicate. It returns
	// ErrRateLimited when the owner writes too often and ErrFull at the session cap.
	AddSession(ctx context.Context, owner Owner, s Session, key string, since time.Time) (Added, error)
	// AddSessionAlone is AddSession for a session that should be the only one of its night:
	// when another session happened in [from, to) it stores nothing and returns ErrSameNight.
	// A repeat of an earlier key reports Duplicate as AddSession does.
	AddSessionAlone(ctx context.Context, owner Owner, s Session, key string, since, from, to time.Time) (Added, error)
	// RemoveSession removes the session with the given id, or the last one logged when id is
	// 0, and reports false when there was none. A non-zero logged must match the session's, so
	// that an old button cannot remove a newer session that reuses the id (after /forget). A
	// non-empty key makes it idempotent: a repeat returns what the first call removed. It may
	// return ErrRateLimited.
	RemoveSession(ctx context.Context, owner Owner, id int64, logged time.Time, key string) (Entry, bool, error)
	// EditSession replaces the session with the given id by s, keeping its id and when it was
	// logged, and reports false when there is none. It may return ErrRateLimited.
	EditSession(ctx context.Context, owner Owner, id int64, s Session) (Entry, bool, error)
	// Session returns one session, false when there is none with that id.
	Session(ctx context.Context, owner Owner, id int64) (Entry, bool, error)
	// ListSessions returns up to limit sessions, newest first by when they happened; limit 0
	// means all of them. Entries that cannot be read are left out and named in a
	// *DamagedError returned along with the rest (as SessionsBetween does).
	ListSessions(ctx context.Context, owner Owner, limit int) ([]Entry, error)
	// SessionsBetween returns the sessions that happened in [from, to), oldest first.
	SessionsBetween(ctx context.Context, owner Owner, from, to time.Time) ([]Entry, error)
	// HoldSession keeps s, not yet logged, under key (the platform event that reported it)
	// for two days, until the user presses a button to log it; holding under a key that holds
	// one already keeps the first. It may return ErrRateLimited.
	HoldSession(ctx context.Context, owner Owner, s Session, key string) error
	// HeldSession returns the session held under key, and false when there is none (never
	// held, or held over two days ago).
	HeldSession(ctx context.Context, owner Owner, key string) (Session, bool, error)
}

// Stats gives what /stats needs without loading every session.
type Stats interface {
	// SessionTimes returns when each of owner's sessions happened, oldest first.
	SessionTimes(ctx context.Context, owner Owner) ([]time.Time, error)
	// Usage returns how often each needle size ("mm:0.25") and product ("p:peptides") was used.
	Usage(ctx context.Context, owner Owner) (map[string]int, error)
}

// Profiles keeps per-owner settings.
type Profiles interface {
	// Zone returns the owner's IANA time zone, or "" when they have not set one.
	Zone(ctx context.Context, owner Owner) (string, error)
	// SetZone stores the owner's time zone, moves their reminders to the given next fire
	// times (computed in the new zone) and their floating sessions to the same wall-clock time
	// in it. It may return ErrRateLimited.
	SetZone(ctx context.Context, owner Owner, zone string, next map[string]time.Time) error
	// Ask keeps q as the one question the owner may answer by typing yes or no, for ttl; it
	// replaces any question asked before.
	Ask(ctx context.Context, owner Owner, q Question, ttl time.Duration) error
	// Roller returns the roller the owner uses now, if they told.
	Roller(ctx context.Context, owner Owner) (Roller, bool, error)
	// SetRoller keeps the roller the owner uses now. It may return ErrRateLimited.
	SetRoller(ctx context.Context, owner Owner, r Roller) error
	// Breaks returns the owner's breaks, oldest first.
	Breaks(ctx context.Context, owner Owner) ([]Break, error)
	// SetBreak keeps b, replacing the break that starts the same day; it keeps the most recent
	// MaxBreaks. It may return ErrRateLimited.
	SetBreak(ctx context.Context, owner Owner, b Break) error
	// RemoveBreak removes the break that starts on from.
	RemoveBreak(ctx context.Context, owner Owner, from string) error
	// TakeQuestion removes the owner's open question and returns it, if there is one: any
	// message after a question answers it or moves on from it.
	TakeQuestion(ctx context.Context, owner Owner) (Question, bool, error)
}

// Reminders keeps each owner's reminders and their place in the due index of the platform
// each is delivered on.
type Reminders interface {
	// AddReminder stores r (its ID and Created are assigned) due at next. A non-empty key (the
	// platform event) makes a repeat store the same reminder, not a second one. It returns
	// ErrDuplicate when a reminder at the same time exists already, ErrFull at the reminder
	// cap and ErrRateLimited when the owner writes too often.
	AddReminder(ctx context.Context, owner Owner, r Reminder, next time.Time, key string) (Reminder, error)
	// ListReminders returns the owner's reminders in the order they were set.
	ListReminders(ctx context.Context, owner Owner) ([]Reminder, error)
	// Reminder returns one reminder, false when it does not exist.
	Reminder(ctx context.Context, owner Owner, id string) (Reminder, bool, error)
	// UpdateReminder replaces the time, days and address of reminder r.ID, due next at next.
	// It returns ErrGone when the reminder no longer exists, ErrDuplicate when another
	// reminder has that time, and may return ErrRateLimited.
	UpdateReminder(ctx context.Context, owner Owner, r Reminder, next time.Time) error
	// RemoveReminder removes one reminder, or all the nightly ones (Kind "") when id is ""; it
	// returns how many.
	RemoveReminder(ctx context.Context, owner Owner, id string) (int, error)
	// Snooze makes reminder id fire once more at at; a zero at cancels a pending snooze. It
	// returns ErrGone when the reminder no longer exists, and may return ErrRateLimited.
	Snooze(ctx context.Context, owner Owner, id string, at time.Time) error
}

// Accounts resolves platform identities to owners and links them.
type Accounts interface {
	// Owner is the one resolver: the owner of an identity's data.
	Owner(ctx context.Context, id Identity) (Owner, error)
	// Identities returns the accounts linked into owner, by platform.
	Identities(ctx context.Context, owner Owner) ([]Identity, error)
	// NewLinkCode stores a fresh one-time code for c.Owner and c.From, valid until c.Expires.
	// It may return ErrRateLimited.
	NewLinkCode(ctx context.Context, c LinkCode) (LinkCode, error)
	// PeekLinkCode returns the code's details without using it up; every call counts as an
	// attempt of by's, and too many return ErrRateLimited. An unknown or expired code is
	// ErrLinkCode.
	PeekLinkCode(ctx context.Context, code string, by Identity) (LinkCode, error)
	// Link uses up the code and makes by part of the code's owner: by's sessions, counters,
	// reminders and breaks move into it, the roller started last is kept, and zone becomes its
	// time zone. A link interrupted by a crash is
	// finished by the next call with the same code and identity, or by ResumeLinks; replaying
	// it changes nothing twice. It returns the owner by now belongs to, ErrLinkCode for an
	// unknown code, and ErrLinked when the owner has an account on by's platform already.
	Link(ctx context.Context, code string, by Identity, zone string) (Owner, error)
	// ResumeLinks finishes links a crash interrupted.
	ResumeLinks(ctx context.Context) error
	// Unlink splits id from the accounts linked with it. id keeps the diary: its sessions,
	// counters, reminders (those that went to the others now go to id), roller, breaks and time
	// zone. Every other account starts afresh, with nothing, as one never linked. It returns
	// false when id was not linked to anyone.
	Unlink(ctx context.Context, id Identity) (bool, error)
}

// Forgetter deletes everything kept about an owner.
type Forgetter interface {
	// Forget deletes the owner's data, its reminders' due entries and the mapping of every
	// linked identity.
	Forget(ctx context.Context, owner Owner) error
}

// Store is everything the bot keeps; *store.Store implements it.
type Store interface {
	Sessions
	Stats
	Profiles
	Reminders
	Accounts
	Forgetter
}
