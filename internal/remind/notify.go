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
}

// Notifier delivers reminders on one platform; each front end implements it.
type Notifier interface {
	// Notify sends n. It returns a *RetryAfterError when the platform asks the bot to wait,
	// an error wrapped by Permanent when the user can never receive it (they blocked the bot,
	// the chat is gone), and any other error for a failure worth retrying.
	Notify(ctx context.Context, n Notice) error
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
