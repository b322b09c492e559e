package remind

import (
	"context"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
)

// Claim is a due reminder leased by one dispatcher.
type Claim struct {
	Member string    // the due-index entry: "OWNER|rID", or "OWNER|rID|snooze" for a one-off
	Due    time.Time // when it was first due, kept across re-claims
}

// SettleKind says how a claim ends.
type SettleKind string

// How a claim ends.
const (
	Done    SettleKind = "done"    // handled: next fire time at At, or removed when At is zero
	Retry   SettleKind = "retry"   // not delivered yet: try again at At, keeping the due time
	Release SettleKind = "release" // given back (shutdown): due again at once
)

// Settle ends one claim.
type Settle struct {
	Member string
	Kind   SettleKind
	At     time.Time
	Again  *Again // a nagging reminder just sent: when it comes again, unless answered first
}

// Again is the next repeat of a nagging reminder (domain.Reminder.Nag).
type Again struct {
	At     time.Time
	Count  int    // which repeat it is: 1 to domain.MaxNags
	Thread string // the platform's name for the first reminder's message, for the repeat to follow
}

// Target is what a claim needs to be sent.
type Target struct {
	Claim
	Owner    domain.Owner
	ID       string // the reminder id, "r1"
	Snooze   bool   // a one-off snooze entry
	Repeat   int    // a nagging reminder's repeat: which one (1 to domain.MaxNags); 0 otherwise
	Thread   string // for a repeat, the message of the reminder it follows; "" when unknown
	Exists   bool   // the reminder is still set; false means drop the entry
	Reminder domain.Reminder
	Zone     string         // the owner's IANA zone, "" for UTC
	Breaks   []domain.Break // the owner's breaks: no reminder comes on their days
	Recent   []time.Time    // when the owner rolled since the time asked for
}

// Queue is the due index, one per platform, shared by every dispatcher; *store.Store
// implements it. A dispatcher claims only from the platforms it can deliver to. Tokens name
// one dispatcher's claims: only the holder can settle or extend them.
type Queue interface {
	// Claim leases up to n of the platform's reminders due at or before now until until.
	Claim(ctx context.Context, platform domain.Platform, token string, now, until time.Time, n int) ([]Claim, error)
	// Finish settles claims still held by token and reports how many it settled.
	Finish(ctx context.Context, platform domain.Platform, token string, s []Settle) (int, error)
	// Extend keeps the token's leases on members until until.
	Extend(ctx context.Context, platform domain.Platform, token string, members []string, until time.Time) error
	// NextDue returns when the earliest entry of the platforms comes due; false when none.
	NextDue(ctx context.Context, platforms []domain.Platform) (time.Time, bool, error)
	// Targets looks up the reminders, zones, breaks and recent sessions of one platform's
	// claims in one round trip.
	Targets(ctx context.Context, platform domain.Platform, claims []Claim, since time.Time) ([]Target, error)
	// DisableReminders turns off every reminder of owner delivered to the address, which can
	// no longer receive them (the user blocked the bot); those going elsewhere stay.
	DisableReminders(ctx context.Context, owner domain.Owner, to domain.Address) error
}

// Composer writes reminders; *commands.Bot implements it.
type Composer interface {
	// ReminderReply returns the reminder to send, or false when none should be sent. It may
	// read the owner's diary (the weekly summary does), within ctx.
	ReminderReply(ctx context.Context, n domain.Nudge, now time.Time) (domain.Reply, bool)
}
