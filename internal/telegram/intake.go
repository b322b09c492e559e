package telegram

import (
	"context"
	"strconv"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Concurrent intake, for polling and the webhook alike: updates of one chat are handled one at
// a time, in the order they came (the model is grammY runner's sequentialize), and updates of
// different chats at once, up to Config.Workers of them (its concurrency limit). A chat that is
// slow (its replies wait for its one-a-second limit) then holds up only itself.

// chatKey is what updates are put in order by: the chat a message or a pressed button's
// message is in, or, for a press without its message, the user. An update with neither is in
// no order with any other.
func chatKey(u tgbotapi.Update) string {
	switch {
	case u.Message != nil && u.Message.Chat != nil:
		return strconv.FormatInt(u.Message.Chat.ID, 10)
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil && u.CallbackQuery.Message.Chat != nil:
		return strconv.FormatInt(u.CallbackQuery.Message.Chat.ID, 10)
	case u.CallbackQuery != nil && u.CallbackQuery.From != nil:
		return strconv.FormatInt(u.CallbackQuery.From.ID, 10)
	}
	return "u" + strconv.Itoa(u.UpdateID)
}

// turns gives each chat's updates their turn one at a time, in the order the turns were taken.
type turns struct {
	mu   sync.Mutex
	tail map[string]chan struct{} // per chat, the last turn taken: closed when it is over
}

// turn is one update's turn in its chat.
type turn struct {
	s    *turns
	key  string
	prev <-chan struct{} // the turn before, nil when none
	mine chan struct{}
}

// take queues a turn in chat key, behind every turn taken before.
func (s *turns) take(key string) *turn {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tail == nil {
		s.tail = map[string]chan struct{}{}
	}
	tr := &turn{s: s, key: key, prev: s.tail[key], mine: make(chan struct{})}
	s.tail[key] = tr.mine
	return tr
}

// wait blocks until the turns before are over, or ctx ends.
func (tr *turn) wait(ctx context.Context) error {
	if tr.prev == nil {
		return ctx.Err()
	}
	select {
	case <-tr.prev:
		return ctx.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// done ends the turn. The next turn starts only once this one and every one before it are
// over, even when this one gave up waiting, so that order holds.
func (tr *turn) done() {
	if tr.prev != nil {
		select {
		case <-tr.prev:
		default:
			go func() { <-tr.prev; tr.end() }()
			return
		}
	}
	tr.end()
}

func (tr *turn) end() {
	tr.s.mu.Lock()
	if tr.s.tail[tr.key] == tr.mine {
		delete(tr.s.tail, tr.key)
	}
	tr.s.mu.Unlock()
	close(tr.mine)
}

// slot takes one of the Workers slots, waiting for one to come free; false when ctx ended first.
func (t *Telegram) slot(ctx context.Context) bool {
	select {
	case t.slots <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (t *Telegram) unslot() { <-t.slots }

// ready waits, before a slot is taken, until the chat's limit would let its next reply go, as
// far as this instance knows, so that a chat waiting for its limit does not hold a slot other
// chats could use. It ends handleAhead early, so that the update is handled meanwhile and its
// reply is ready when the limit is. Wait decides when the reply goes; this only keeps slots
// for work.
func (t *Telegram) ready(ctx context.Context, key string) {
	if t.limiter == nil {
		return
	}
	if d := t.limiter.ReadyIn(key) - handleAhead; d > 0 {
		select {
		case <-ctx.Done():
		case <-t.tick(d):
		}
	}
}

// handleInTurn handles u, its chat's turn held, in a slot, until it is handled. What must be
// tried again (another delivery holds it; Telegram could not be reached for the whole
// handleTimeout) is tried again after a backoff, still in turn, so the chat's order holds and
// other chats go on. It reports false when ctx ended first: u is then left for a redelivery.
func (t *Telegram) handleInTurn(ctx context.Context, u tgbotapi.Update, me *self, key string) (stored, ok bool) {
	var b backoff
	for {
		t.ready(ctx, key)
		if ctx.Err() != nil || !t.slot(ctx) {
			return false, false
		}
		// An update begun is finished even when ctx ends, so that shutting down does not cut a
		// reply in half; handleTimeout bounds it.
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), handleTimeout)
		stored, err := t.handle(hctx, u, me)
		cancel()
		t.unslot()
		if err == nil {
			return stored, true
		}
		t.log.Warn("telegram: update will be retried", "update", u.UpdateID, "err", err)
		if !t.wait(ctx, min(delay(err, &b), maxUpdateRetry)) {
			return false, false
		}
	}
}

// handleAhead is how long before its chat's limit allows a reply an update is begun: about
// what claiming it and asking the bot take.
const handleAhead = 100 * time.Millisecond

// maxUpdateRetry caps the wait before an update is tried again, so that one whose claim ran
// out (its instance died) is taken up soon after.
const maxUpdateRetry = 10 * time.Second

// window is what one polling session has fetched. Updates fetched and not yet finished hold the
// offset back: getUpdates is always asked from the first unfinished update (the low-water
// mark), so that Telegram forgets no update before it is finished, and the saved offset is the
// same mark. Updates after it that are finished or being handled are remembered, so that
// fetching them again changes nothing. Telegram returns at most pollLimit updates a call, so
// at most that many are ever in hand: that is the intake's backpressure.
type window struct {
	mu      sync.Mutex
	start   int          // the offset the session began at
	next    int          // one past the highest update fetched
	open    map[int]bool // fetched, not finished
	done    map[int]bool // finished, after the low-water mark
	dirty   bool         // the mark moved past a finished update whose writes were stored
	changed chan struct{}
}

func newWindow(offset int) *window {
	return &window{start: offset, next: offset, open: map[int]bool{}, done: map[int]bool{}, changed: make(chan struct{})}
}

// lowLocked is the low-water mark; w.mu is held.
func (w *window) lowLocked() int {
	low := -1
	for id := range w.open {
		if low < 0 || id < low {
			low = id
		}
	}
	if low < 0 {
		return w.next
	}
	return low
}

// state returns the low-water mark, whether updates are in hand, and a channel closed at the
// next change of either.
func (w *window) state() (low int, busy bool, changed <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lowLocked(), len(w.open) > 0, w.changed
}

// add takes update id into hand, reporting false when it is before the mark or known already.
func (w *window) add(id int) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if id < w.lowLocked() || w.open[id] || w.done[id] {
		return false
	}
	w.open[id] = true
	w.next = max(w.next, id+1)
	return true
}

// finish records that update id is finished; stored says its writes (or their absence) are in
// the store, so the offset may be saved past it.
func (w *window) finish(id int, stored bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	before := w.lowLocked()
	delete(w.open, id)
	w.done[id] = true
	low := w.lowLocked()
	for d := range w.done {
		if d < low {
			delete(w.done, d)
		}
	}
	if low != before || len(w.open) == 0 {
		if low != before && stored {
			w.dirty = true
		}
		close(w.changed)
		w.changed = make(chan struct{})
	}
}

// save returns the mark to save, if it moved past a stored update since the last save.
func (w *window) save() (int, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.dirty {
		return 0, false
	}
	w.dirty = false
	return w.lowLocked(), true
}
