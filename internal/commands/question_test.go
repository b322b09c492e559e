package commands_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
)

// in says line as user 100 in another chat (a group) on the same platform.
func (h *harness) in(chat, line string) domain.Reply {
	h.t.Helper()
	h.seq++
	p := commands.Parse(line)
	return h.bot.Respond(context.Background(), &commands.Request{
		ID: fmt.Sprintf("tg:u:%d", h.seq), Platform: domain.Telegram, UserID: "100", ChatID: chat,
		Command: p.Command, Args: p.Args, Text: p.Text, Time: h.clock.Now(),
	})
}

func TestTypedYesAnswersTheQuestion(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		h.say("/timezone Europe/Berlin")
		h.say("rolled 0.25 tonight")
		contains(t, h.say("did 0.25 again tonight"), "Another session?", "answer yes or no")
		contains(t, h.say("Yes please!"), "Logged")
		if n := h.sessions("tg:100"); n != 2 {
			t.Errorf("%d sessions after a typed yes, want 2", n)
		}
		contains(t, h.say("/log 0.25"), "Another session?")
		contains(t, h.say("no, it's the same one"), "didn't log it again")
		if n := h.sessions("tg:100"); n != 2 {
			t.Errorf("%d sessions after a typed no, want 2", n)
		}
		contains(t, h.say("/forget"), "Delete everything?")
		contains(t, h.say("nope"), "Cancelled")
		contains(t, h.say("/forget"), "Delete everything?")
		contains(t, h.say("yes"), "everything I kept about you is deleted")
		assertNothingLeft(t, h.st, "tg:100")
	})
}

// A yes that comes after anything else answers nothing: it can never delete a diary because
// of a question asked earlier and left.
func TestTypedYesAnswersOnlyTheLastReply(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		h.say("rolled 0.25 tonight")
		for _, between := range []string{"can I roll every day?", "/history", "/nosuchcommand"} {
			contains(t, h.say("/forget"), "Delete everything?")
			h.say(between)
			if between == "/nosuchcommand" {
				// An unknown command changes nothing, the open question included.
				contains(t, h.say("no"), "Cancelled")
				continue
			}
			r := h.say("yes")
			if h.sessions("tg:100") != 1 {
				t.Fatalf("a yes typed after %q deleted the diary (%q)", between, r.Text)
			}
		}
		// Pressing a button lets the question go too.
		r := h.say("/forget")
		h.press("100", button(t, r, "Cancel"))
		h.say("yes")
		// Nor does it outlive its time.
		h.say("/forget")
		h.clock.Add(11 * time.Minute)
		h.say("yes")
		// Nor does a yes in another chat answer it: the confirmation was asked here.
		h.say("/forget")
		h.in("-500", "@needlebot yes")
		if h.sessions("tg:100") != 1 {
			t.Fatal("a late, pressed-over or elsewhere yes deleted the diary")
		}
		// Another user's yes is theirs, not an answer to this user's question.
		h.say("/forget")
		h.as("200", "yes")
		contains(t, h.say("no"), "Cancelled")
	})
}
