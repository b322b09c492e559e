package discord

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/remind"
)

// TestTokenNeverLeaks makes REST calls fail with a body that echoes the Authorization header,
// as a careless proxy might, and checks that the token reaches no error and no log. It is not
// parallel because it captures the standard logger, which discordgo writes to by default.
func TestTokenNeverLeaks(t *testing.T) {
	std := newLogSink()
	prev := log.Writer()
	log.SetOutput(std)
	t.Cleanup(func() { log.SetOutput(prev) })

	echo := failure{Status: 401, Body: `{"message": "401: Unauthorized, you sent {auth}", "code": 0}`}
	f := newFake(t)
	in := payload(t, "interaction_command.json")
	f.Fail("POST", callback(in), echo)
	f.Fail("POST", "/users/@me/channels", echo)
	// A scripted bot, so that this sequential test does not wait for the knowledge base.
	bot := &scripted{
		cmds:    []commands.Command{{Name: "needle", Summary: "The guidance on one topic", Subs: []commands.Sub{{Name: "size", Summary: "Needle size"}}}},
		respond: func(context.Context, *commands.Request) domain.Reply { return domain.Reply{Text: "0.25 mm"} },
	}
	r := start(t, f, bot, nil)
	r.conn.Dispatch(t, "INTERACTION_CREATE", in)
	r.logs.waitFor(t, "discord: reply not delivered")
	notifyErr := r.d.Notify(context.Background(), remind.Notice{To: domain.Address{Platform: domain.Discord, Chat: testUser}, Reply: domain.Reply{Text: "Time for your session."}})
	r.stop()
	if notifyErr == nil {
		t.Fatal("Notify succeeded against a failing Discord")
	}

	// A gateway that refuses the token at the start.
	refusing := newFake(t)
	refusing.Fail("GET", "/gateway", echo)
	logs := newLogSink()
	d, err := New(config(refusing, logs), bot)
	if err != nil {
		t.Fatal(err)
	}
	runErr := d.Run(context.Background())
	if runErr == nil {
		t.Fatal("Run succeeded against a gateway that refuses the token")
	}

	for name, text := range map[string]string{
		"Notify's error":       notifyErr.Error(),
		"Notify's error (%+v)": fmt.Sprintf("%+v", notifyErr),
		"Run's error":          runErr.Error(),
		"the log":              r.logs.String() + logs.String(),
		"the standard log":     std.String(),
	} {
		if strings.Contains(text, testToken) {
			t.Errorf("%s shows the token:\n%s", name, text)
		}
	}
	for name, text := range map[string]string{"Notify's error": notifyErr.Error(), "Run's error": runErr.Error(), "the log": r.logs.String()} {
		if !strings.Contains(text, redacted) {
			t.Errorf("%s does not show where the token was cut out:\n%s", name, text)
		}
	}
	var re *discordgo.RESTError
	if !errors.As(notifyErr, &re) || re.Request.Header.Get("Authorization") != "" {
		t.Errorf("the REST error inside Notify's error still holds the Authorization header")
	}
}

func TestRedactor(t *testing.T) {
	t.Parallel()
	r := newRedactor("abc.def")
	for _, tc := range []struct{ in, want string }{
		{"authorization: Bot abc.def", "authorization: <redacted>"},
		{"token abc.def in the middle", "token <redacted> in the middle"},
		{`Patch "https://discord.com/api/v9/webhooks/125/aW50ZXJhY3Rpb24/messages/@original": EOF`, `Patch "https://discord.com/api/v9/webhooks/125/<redacted>/messages/@original": EOF`},
		{`Post "https://discord.com/api/v9/interactions/126/aW50ZXJhY3Rpb24/callback": EOF`, `Post "https://discord.com/api/v9/interactions/126/<redacted>/callback": EOF`},
		{"nothing secret", "nothing secret"},
	} {
		if got := r.String(tc.in); got != tc.want {
			t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
