package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
)

// Request is one thing a user did on a platform: a command, a plain message or a button press.
//
// Front ends fill it the same way whatever the platform: a subcommand is the first of Args
// ("/needle size" has Command "needle", Args ["size"]); platforms with named options (Discord)
// put them in Options and also their values, in declared order after any subcommand, in Args
// and Text, so a handler may read either.
type Request struct {
	ID       string            // the platform's id for the event; writes carrying it are applied once
	Platform domain.Platform   // where it came from
	UserID   string            // the user's id on that platform
	ChatID   string            // the chat the request came from
	Private  bool              // a one-to-one chat with the bot
	Command  string            // lower-case command name without the slash; "" for plain text
	Args     []string          // the words after the command
	Text     string            // everything after the command, or the whole plain message
	Options  map[string]string // named options, from platforms that have them (Discord)
	Button   string            // the data of a pressed button; "" otherwise
	Time     time.Time         // when the platform says it happened
}

// Identity is the account the request came from.
func (r *Request) Identity() domain.Identity {
	return domain.Identity{Platform: r.Platform, User: r.UserID}
}

// Handler answers requests. Serve returns an *Error for problems the user should read about;
// any other error is logged and answered with a generic apology.
type Handler interface {
	Serve(ctx context.Context, req *Request) (domain.Reply, error)
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(ctx context.Context, req *Request) (domain.Reply, error)

// Serve calls f.
func (f HandlerFunc) Serve(ctx context.Context, req *Request) (domain.Reply, error) {
	return f(ctx, req)
}

// Middleware wraps a Handler with behaviour shared by every command.
type Middleware func(Handler) Handler

// Router dispatches requests by command name, in the manner of net/http's ServeMux.
// Plain text goes to the text handler; unknown commands go to the not-found handler.
type Router struct {
	handlers map[string]Handler
	text     Handler
	notFound Handler
	mws      []Middleware
}

// NewRouter returns a router whose unknown-command and plain-text handlers are notFound.
func NewRouter(notFound Handler) *Router {
	if notFound == nil {
		panic("commands: nil not-found handler")
	}
	return &Router{handlers: map[string]Handler{}, text: notFound, notFound: notFound}
}

// Handle registers h for the command name. It panics on an empty name, a nil handler or a
// name registered twice, because each is a programming error found at start-up.
func (r *Router) Handle(name string, h Handler) {
	switch {
	case name == "":
		panic("commands: empty command name")
	case h == nil:
		panic(fmt.Sprintf("commands: nil handler for %q", name))
	}
	if _, dup := r.handlers[name]; dup {
		panic(fmt.Sprintf("commands: command %q registered twice", name))
	}
	r.handlers[name] = h
}

// HandleFunc registers a function for the command name; see Handle.
func (r *Router) HandleFunc(name string, f func(context.Context, *Request) (domain.Reply, error)) {
	if f == nil {
		panic(fmt.Sprintf("commands: nil handler for %q", name))
	}
	r.Handle(name, HandlerFunc(f))
}

// HandleText registers the handler for plain messages that are not commands.
func (r *Router) HandleText(h Handler) {
	if h == nil {
		panic("commands: nil text handler")
	}
	r.text = h
}

// Use adds middleware, applied to every handler in the order given (the first is outermost).
func (r *Router) Use(mws ...Middleware) { r.mws = append(r.mws, mws...) }

// Handler returns the handler for req; it is never nil.
func (r *Router) Handler(req *Request) Handler {
	if req.Command == "" {
		return r.text
	}
	if h, ok := r.handlers[req.Command]; ok {
		return h
	}
	return r.notFound
}

// Has reports whether a handler is registered for the command name.
func (r *Router) Has(name string) bool {
	_, ok := r.handlers[name]
	return ok
}

// Serve dispatches req through the middleware to its handler.
func (r *Router) Serve(ctx context.Context, req *Request) (domain.Reply, error) {
	h := r.Handler(req)
	for i := len(r.mws) - 1; i >= 0; i-- {
		h = r.mws[i](h)
	}
	return h.Serve(ctx, req)
}
