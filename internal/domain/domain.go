package domain

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/needlebot/needlebot/internal/schedule"
)

// Platform names a chat platform; it appears in identities, addresses and key names.
type Platform string

// The platforms needlebot speaks.
const (
	Telegram Platform = "tg"
	Discord  Platform = "dc"
	Console  Platform = "console"
)

// Platforms lists every platform, in a fixed order.
var Platforms = []Platform{Telegram, Discord, Console}

// Valid reports whether p is one of Platforms.
func (p Platform) Valid() bool { return p == Telegram || p == Discord || p == Console }

// Name is the platform's name for people: "Telegram", "Discord", "the console".
func (p Platform) Name() string {
	switch p {
	case Telegram:
		return "Telegram"
	case Discord:
		return "Discord"
	case Console:
		return "the console"
	}
	return string(p)
}

// ParsePlatform reads a platform from what a user types ("telegram", "Discord", "tg").
func ParsePlatform(s string) (Platform, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "tg", "telegram":
		return Telegram, true
	case "dc", "discord":
		return Discord, true
	case "console":
		return Console, true
	}
	return "", false
}

// userPattern is what a platform's user or chat id may look like: it becomes part of key
// names, so nothing else gets through.
var userPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// Identity is one account on one platform.
type Identity struct {
	Platform Platform
	User     string // the platform's user id
}

// Valid reports whether the identity may name keys: a known platform and a safe id.
func (i Identity) Valid() bool { return i.Platform.Valid() && userPattern.MatchString(i.User) }

// String is "tg:12345".
func (i Identity) String() string { return string(i.Platform) + ":" + i.User }

// Unlinked is the owner of the identity's data while it is linked to no other account. The
// store's resolver gives it for an identity it has no link for, and a bot without a store uses
// it to sign buttons.
func (i Identity) Unlinked() Owner { return Owner(i.String()) }

// ParseIdentity reads what String wrote; ok is false for anything else.
func ParseIdentity(s string) (Identity, bool) {
	p, u, _ := strings.Cut(s, ":")
	id := Identity{Platform: Platform(p), User: u}
	return id, id.Valid()
}

// Owner is whose data it is: a person, with one or more linked identities. It is opaque:
// made by the store's resolver, used whole in key names and signatures, never parsed.
type Owner string

// ownerPattern keeps owners safe in key names.
var ownerPattern = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,80}$`)

// Valid reports whether the owner can name keys.
func (o Owner) Valid() bool { return ownerPattern.MatchString(string(o)) }

// Address is where to deliver: a platform and a chat on it (a Telegram chat id, a Discord user
// id for a direct message).
type Address struct {
	Platform Platform
	Chat     string
}

// Valid reports whether a delivery can be tried.
func (a Address) Valid() bool { return a.Platform.Valid() && userPattern.MatchString(a.Chat) }

// String is "tg:12345", for logs and tests.
func (a Address) String() string { return string(a.Platform) + ":" + a.Chat }

// DirectTo is the address of an identity's private chat with the bot: on Telegram a user's
// private chat has the user's id, on Discord the bot opens a DM channel with the user id.
func DirectTo(i Identity) Address { return Address{Platform: i.Platform, Chat: i.User} }

// Session is one micro-needling session as the diary keeps it.
type Session struct {
	At       time.Time // when it happened
	NeedleMM float64   // needle length in mm, 0 when not given
	Products []string  // canonical ingredient names and, for unknown products, the user's own short phrase
	Areas    []string  // canonical areas
	Note     string    // what is left that is worth keeping, at most 200 runes
	// Floating marks a session whose time was read from the user's words ("tonight", "at
	// 22:00") before they set a time zone: it holds the wall-clock time in UTC, and moves to
	// the same wall-clock time in their zone when they set one.
	Floating bool
	// Skin is the answer to the aftercare check-in the morning after: SkinFine, SkinRed,
	// SkinIrritated, or "" when there was none.
	Skin string
}

// The answers to the aftercare check-in.
const (
	SkinFine      = "fine"
	SkinRed       = "red"
	SkinIrritated = "irritated"
)

// Entry is a logged session.
type Entry struct {
	ID int64 // increasing per owner, in the order sessions were logged; what /history shows
	Session
	Logged time.Time // when it was logged
}

// Added is what storing a session reports.
type Added struct {
	ID        int64     // the session's id
	Logged    time.Time // when it was logged; with the id, it names the session for good
	Duplicate bool      // a session with the same key was stored before; nothing new was written
	Recent    int       // sessions with At at or after the given "since", this one included
}

// Reminder is one of an owner's reminders.
type Reminder struct {
	ID      string // "r1", "r2", ...: stable for the reminder's life
	Clock   schedule.Clock
	Days    schedule.Weekdays
	To      Address   // where it is delivered; its platform's due index holds it
	Created time.Time // set by the store; tells this reminder from an older one with the same id
	// Kind is "" for a nightly reminder, KindSummary for the weekly summary, KindCheckin for
	// the aftercare check-in the morning after a session. They share the reminders' schedule,
	// due index and delivery; only what is sent differs.
	Kind string
	// Nag, when set, repeats the reminder after this long while nothing answers it (no Done or
	// Skip pressed, no session logged that night), at most MaxNags times and never past the
	// owner's local midnight.
	Nag time.Duration
}

// The kinds of scheduled messages beside nightly reminders; each owner has at most one of each.
const (
	KindSummary = "summary"
	KindCheckin = "checkin"
)

// MaxNags is the most times a nagging reminder comes again in one night.
const MaxNags = 3

// The intervals a nagging reminder may have.
const (
	MinNag = 10 * time.Minute
	MaxNag = 2 * time.Hour
)

// Break is a run of days the owner takes off: no reminders come, and streaks skip the days
// rather than break. From and To are local dates ("2026-12-24"), both days included.
type Break struct {
	From, To string
}

// The needle lengths a home roller has, in mm: anything outside is not one the bot logs.
const (
	MinNeedleMM = 0.2
	MaxNeedleMM = 3.0
)

// Roller is the roller the owner uses now: its needle length, a name of their choosing, and
// since when, so that sessions and days on it can be counted.
type Roller struct {
	MM    float64   `json:"mm"`
	Name  string    `json:"name,omitempty"`
	Since time.Time `json:"since"`
}

// MaxBreaks is how many breaks are kept for one owner; older ones are let go.
const MaxBreaks = 60

// DateLayout is how a Break writes its dates.
const DateLayout = "2006-01-02"

// Covers reports whether the local day of t in loc is one of the break's days.
func (b Break) Covers(t time.Time, loc *time.Location) bool {
	d := t.In(loc).Format(DateLayout)
	return b.From <= d && d <= b.To
}

// OnBreak returns the break among breaks that covers t's local day in loc.
func OnBreak(breaks []Break, t time.Time, loc *time.Location) (Break, bool) {
	for _, b := range breaks {
		if b.Covers(t, loc) {
			return b, true
		}
	}
	return Break{}, false
}

// Nudge is a reminder about to be sent: what the composer needs to write it.
type Nudge struct {
	Owner    Owner
	Reminder Reminder
	Due      time.Time      // when it was due
	Late     bool           // sent after downtime
	Zone     *time.Location // the owner's time zone
	Recent   []time.Time    // when the owner rolled in the last eight days
	Breaks   []Break        // the owner's breaks
	Repeat   int            // 0 for the reminder itself, 1 to MaxNags for its repeats (Reminder.Nag)
}

// Reply is what the bot answers; each front end renders it for its platform. A reply to a
// button press replaces the message that carried the button (Telegram edits it, Discord
// updates it); any other reply is a new message.
type Reply struct {
	Title   string     // a heading, rendered bold where the platform can
	Text    string     // plain text; front ends escape it for their markup
	Buttons [][]Button // rows of buttons under the message
	Private bool       // personal data: ephemeral in servers, sent privately from groups
	File    *File      // an attachment, e.g. the CSV export
	Asks    *Question  // what the next message may answer (its To is filled in by the bot)
}

// Question is what the bot asked in a reply, for the next message to answer: yes or no (a
// typed "yes" presses the button whose data is Yes, a typed "no" the one whose data is No; the
// data are signed, as a pressed button's are, so answering by text can do nothing a press
// could not), or the time zone (a city's name sets it).
type Question struct {
	To   Address `json:"to"` // where it was asked; a private chat on the same platform may answer too
	Yes  string  `json:"y,omitempty"`
	No   string  `json:"n,omitempty"`
	Zone bool    `json:"z,omitempty"` // the reply asked for the time zone: a city's name answers it
}

// Button is one button under a reply; Data comes back when it is pressed.
type Button struct {
	Label string
	Data  string
}

// File is an attachment. An image ("image/png") is shown as a picture where the platform can
// (Telegram sends it as a photo, Discord as an attachment that displays, the console writes
// it and prints its path); anything else is a document.
type File struct {
	Name string // file name shown to the user
	Type string // MIME type
	Data []byte
	Alt  string // for an image: what it shows, in one line, for screen readers and text-only clients
}

// IsImage reports whether f is shown as a picture.
func (f *File) IsImage() bool { return f != nil && strings.HasPrefix(f.Type, "image/") }

// LinkCode is a one-time code that joins a second account to a person.
type LinkCode struct {
	Code    string
	Owner   Owner     // the person who asked for it
	From    Identity  // the account that asked for it
	Zone    string    // the asking person's time zone, "" when unset
	Expires time.Time // when it stops working
	Into    Owner     // once used: the person it joined
}

func (c LinkCode) String() string {
	return fmt.Sprintf("link code for %s until %s", c.From, c.Expires.Format(time.RFC3339))
}
