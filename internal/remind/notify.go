package remind

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
)

// Notice is one reminder to deliver.
type Notice struct {
	To    domain.Address // where to deliver: a Telegram chat, a Discord user's DMs
	Reply domain.Reply   // the text and buttons to send
	// Thread, for the repeat of a nagging reminder, is the platform's name for the first
	// reminder's message (from ThreadNotifier), so that the repeat follows it instead of
	// filling the chat; "" when unknown.
	Thread string
}

// Notifier delivers reminders on one platform; each front end implements it.
type Notifier interface {
	// Notify sends n. It returns a *RetryAfterError when the platform asks the bot to wait,
	// an error wrapped by Permanent when the user can never receive it (they blocked the bot,
	// the chat is gone), and any other error for a failure worth retrying.
	Notify(ctx context.Context, n Notice) error
}

// ThreadNotifier is a Notifier that can send a reminder as a reply to an earlier message
// (Notice.Thread) and names the message it sent, for the repeats of a nagging reminder.
type ThreadNotifier interface {
	Notifier
	// NotifyThread sends n as Notify does, following n.Thread when it is set, and returns the
	// name of the message it sent (a short string of letters, digits, "-", "_" or ":").
	NotifyThread(ctx context.Context, n Notice) (string, error)
}

// notify sends n through the richer interface when the notifier has it.
func notify(ctx context.Context, n Notifier, x Notice) (string, error) {
	if t, ok := n.(ThreadNotifier); ok {
		return t.NotifyThread(ctx, x)
	}
	return "", n.Notify(ctx, x)
}

// RetryAfterError says the platform rate-limited the send and when to try again.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("rate limited, retry after %s: %v", e.After, e.Err)
}

// Unwrap returns the platform's error.
func (e *RetryAfterError) Unwrap() error { return e.Err }

// permanentError marks a failure that retrying cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return "permanent: " + e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as a failure that retrying cannot fix; the dispatcher then turns the
// user's reminders off instead of retrying.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err was marked by Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}
