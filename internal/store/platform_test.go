package store

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// TestTwoBotsOneRedis: two Telegram bots sharing a Redis keep their own offsets and marks, so
// bot B's update 123 is not "already handled" because bot A handled its own update 123.
func TestTwoBotsOneRedis(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		a, b := "tg:1111111111", "tg:2222222222"
		s.SetTelegramOffset(ctx, a, 124)
		s.MarkSeen(ctx, a, "tg:u:x-123")
		if off, err := s.TelegramOffset(ctx, b); off != 0 || err != nil {
			t.Errorf("bot B's offset = %d, %v; want 0: A's is not B's", off, err)
		}
		if seen, err := s.Seen(ctx, b, "tg:u:x-123"); seen || err != nil {
			t.Errorf("bot B has seen A's update (%v, %v)", seen, err)
		}
		if seen, _ := s.Seen(ctx, a, "tg:u:x-123"); !seen {
			t.Error("bot A lost its mark")
		}
		if _, err := s.TelegramOffset(ctx, "tg:1}x"); err == nil {
			t.Error("an invalid bot was accepted")
		}
	})
}

// TestClaimEvent: one claim wins; a mark ends it for good, a release or its lease's end lets
// the event be handled again.
func TestClaimEvent(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		const bot, ev = "tg:42", "tg:u:t-7"
		// Ten deliveries of one event at once: exactly one is to handle it.
		var wg sync.WaitGroup
		var mu sync.Mutex
		won, busy := 0, 0
		for i := range 10 {
			wg.Go(func() {
				claimed, done, err := s.ClaimEvent(ctx, bot, ev, "tok"+string(rune('a'+i)), time.Minute)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					t.Errorf("ClaimEvent: %v", err)
				case claimed:
					won++
				case !done:
					busy++
				}
			})
		}
		wg.Wait()
		if won != 1 || busy != 9 {
			t.Fatalf("%d claims won, %d busy; want 1 and 9", won, busy)
		}
		if seen, _ := s.Seen(ctx, bot, ev); seen {
			t.Error("a claim counts as handled")
		}
		// Another token cannot release it; the winner's release can.
		s.ReleaseEvent(ctx, bot, ev, "nobody")
		if claimed, _, _ := s.ClaimEvent(ctx, bot, ev, "late", time.Minute); claimed {
			t.Error("a release by another token dropped the claim")
		}
		mu.Lock()
		defer mu.Unlock()
		var winner string
		for i := range 10 {
			tok := "tok" + string(rune('a'+i))
			if v, _ := s.Client().Get(ctx, "nb:tg:42:ev:tg:u:t-7").Result(); v == "c:"+tok {
				winner = tok
			}
		}
		if err := s.ReleaseEvent(ctx, bot, ev, winner); err != nil {
			t.Fatal(err)
		}
		if claimed, _, _ := s.ClaimEvent(ctx, bot, ev, "retry", time.Minute); !claimed {
			t.Fatal("a released event cannot be claimed again")
		}
		if ttl := s.Client().PTTL(ctx, "nb:tg:42:ev:tg:u:t-7").Val(); ttl <= 0 || ttl > time.Minute {
			t.Errorf("claim TTL %v, want the lease", ttl)
		}
		if err := s.MarkSeen(ctx, bot, ev); err != nil {
			t.Fatal(err)
		}
		if claimed, done, _ := s.ClaimEvent(ctx, bot, ev, "again", time.Minute); claimed || !done {
			t.Errorf("a handled event: claimed %v, done %v", claimed, done)
		}
		s.ReleaseEvent(ctx, bot, ev, "retry") // too late: the mark stays
		if seen, _ := s.Seen(ctx, bot, ev); !seen {
			t.Error("a release removed the mark")
		}
		if ttl := s.Client().TTL(ctx, "nb:tg:42:ev:tg:u:t-7").Val(); ttl <= 47*time.Hour || ttl > eventTTL {
			t.Errorf("mark TTL %v, want 48 h", ttl)
		}
	})
}

// TestRegisterBotMigrates: the offset an older version kept without the bot moves to the
// first Telegram bot that starts, once, however many instances start at once; a bot's own
// offset is never overwritten; the Redis says which bots it holds data for.
func TestRegisterBotAndInheritedOffset(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		s.Client().Set(ctx, "nb:tg:offset", 730518202, 0) // left by an older version
		var wg sync.WaitGroup
		var got sync.Map
		for i := range 8 { // eight instances of one bot start together
			wg.Go(func() {
				if _, err := s.RegisterBot(ctx, "tg:1111111111", "@needle_bot"); err != nil {
					t.Errorf("RegisterBot: %v", err)
				}
				off, err := s.InheritedOffset(ctx, "tg:1111111111")
				if err != nil {
					t.Errorf("InheritedOffset: %v", err)
				}
				got.Store(i, off)
			})
		}
		wg.Wait()
		takers := 0
		got.Range(func(_, v any) bool {
			switch v.(int) {
			case 730518202:
				takers++
			case 0:
			default:
				t.Errorf("an instance inherited offset %d", v)
			}
			return true
		})
		if takers != 1 {
			t.Errorf("%d instances inherited the old offset, want exactly one", takers)
		}
		if off, _ := s.TelegramOffset(ctx, "tg:1111111111"); off != 0 {
			t.Errorf("the bot's own offset = %d before its poller checked the old one, want none", off)
		}
		s.Client().Set(ctx, "nb:tg:offset", "garbage", 0)
		if off, err := s.InheritedOffset(ctx, "tg:1111111111"); off != 0 || err != nil {
			t.Errorf("a garbled old offset gave %d, %v", off, err)
		}
		bots, err := s.RegisterBot(ctx, "tg:2222222222", "@other_bot")
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"tg:1111111111 @needle_bot", "tg:2222222222 @other_bot"}
		if !slices.Equal(bots, want) {
			t.Errorf("bots = %q, want %q", bots, want)
		}
		if got, _ := s.Bots(ctx); !slices.Equal(got, want) {
			t.Errorf("Bots = %q", got)
		}
		if _, err := s.RegisterBot(ctx, "tg:12 x", "@x"); err == nil {
			t.Error("an invalid bot was registered")
		}
		if _, err := s.InheritedOffset(ctx, "tg:12 x"); err == nil {
			t.Error("an invalid bot inherited an offset")
		}
	})
}
