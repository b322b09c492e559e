package commands

import (
	"context"
	"testing"

	"github.com/needlebot/needlebot/internal/domain"
)

func reply(text string) Handler {
	return HandlerFunc(func(context.Context, *Request) (domain.Reply, error) { return domain.Reply{Text: text}, nil })
}

func TestRouterDispatch(t *testing.T) {
	r := NewRouter(reply("not found"))
	r.Handle("needle", reply("needle"))
	r.Handle("ask", reply("ask"))
	r.HandleText(reply("text"))
	tests := []struct {
		name string
		req  Request
		want string
	}{
		{"command", Request{Command: "needle"}, "needle"},
		{"other command", Request{Command: "ask"}, "ask"},
		{"plain text", Request{Text: "hello"}, "text"},
		{"unknown command", Request{Command: "neddle"}, "not found"},
		{"case matters after parsing", Request{Command: "NEEDLE"}, "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Serve(context.Background(), &tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if got.Text != tt.want {
				t.Errorf("Serve(%+v) = %q, want %q", tt.req, got.Text, tt.want)
			}
			if r.Handler(&tt.req) == nil {
				t.Error("Handler returned nil")
			}
		})
	}
}

func TestRouterMiddlewareOrder(t *testing.T) {
	r := NewRouter(reply("x"))
	r.Handle("a", reply("handler"))
	wrap := func(tag string) Middleware {
		return func(next Handler) Handler {
			return HandlerFunc(func(ctx context.Context, req *Request) (domain.Reply, error) {
				rep, err := next.Serve(ctx, req)
				rep.Text = tag + "(" + rep.Text + ")"
				return rep, err
			})
		}
	}
	r.Use(wrap("outer"), wrap("inner"))
	got, _ := r.Serve(context.Background(), &Request{Command: "a"})
	if want := "outer(inner(handler))"; got.Text != want {
		t.Errorf("got %q, want %q", got.Text, want)
	}
}

func TestRouterPanics(t *testing.T) {
	tests := []struct {
		name string
		f    func(r *Router)
	}{
		{"duplicate", func(r *Router) { r.Handle("a", reply("1")); r.Handle("a", reply("2")) }},
		{"empty name", func(r *Router) { r.Handle("", reply("1")) }},
		{"nil handler", func(r *Router) { r.Handle("a", nil) }},
		{"nil func", func(r *Router) { r.HandleFunc("a", nil) }},
		{"nil text handler", func(r *Router) { r.HandleText(nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", tt.name)
				}
			}()
			tt.f(NewRouter(reply("x")))
		})
	}
	t.Run("nil not-found", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("NewRouter(nil) did not panic")
			}
		}()
		NewRouter(nil)
	})
}
