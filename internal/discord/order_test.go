package discord

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
)

// orderBot records, per chat, the order in which it was asked and whether two of one chat's
// messages were ever in hand at once.
type orderBot struct {
	Responder
	mu      sync.Mutex
	busy    map[string]bool
	seen    map[string][]string
	overlap bool
}

func (b *orderBot) Respond(ctx context.Context, req *commands.Request) domain.Reply {
	b.mu.Lock()
	if b.busy[req.ChatID] {
		b.overlap = true
	}
	b.busy[req.ChatID] = true
	b.seen[req.ChatID] = append(b.seen[req.ChatID], req.Text)
	b.mu.Unlock()
	for range 50 {
		runtime.Gosched() // some work, in which a second message of the chat could start
	}
	b.mu.Lock()
	b.busy[req.ChatID] = false
	b.mu.Unlock()
	return domain.Reply{Text: "ok " + req.Text}
}

// Direct messages of one chat are answered one at a time, in the order they came; another
// chat's go on beside them.
func TestDirectMessagesInOrderPerChat(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	bot := &orderBot{Responder: newKBBot(), busy: map[string]bool{}, seen: map[string][]string{}}
	r := start(t, f, bot, nil)
	const n = 30
	var want []string
	for i := range n {
		for _, chat := range []string{"1200000000000000020", "1200000000000000021"} {
			m := payload(t, "message_create_dm.json")
			m["id"] = fmt.Sprintf("12600028139900%05d", i*2+len(chat)%2)
			m["channel_id"] = chat
			m["content"] = fmt.Sprintf("message %d", i)
			r.conn.Dispatch(t, "MESSAGE_CREATE", m)
		}
		want = append(want, fmt.Sprintf("message %d", i))
	}
	for range 2 * n {
		f.WaitCall(t, "POST", "/messages") // every reply sent
	}
	bot.mu.Lock()
	defer bot.mu.Unlock()
	if bot.overlap {
		t.Error("two messages of one chat were handled at once")
	}
	for chat, got := range bot.seen {
		if !slices.Equal(got, want) {
			t.Errorf("chat %s handled %q, want them in the order sent", chat, got)
		}
	}
}
