package discord

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
)

// ShardLeasePeriod is how long a shard's gateway lease lasts unless extended (every third of
// it): a stand-by opens the gateway within this long of the holder's death, and within a third
// of it when the holder shuts down cleanly.
const ShardLeasePeriod = 10 * time.Second

// maxShards is the most shards New accepts; Discord asks for one per 2,500 servers.
const maxShards = 1024

// maxRetryOpen is the longest wait between two attempts to open a gateway.
const maxRetryOpen = time.Minute

// A shard's state in this instance.
const (
	stateIdle    int32 = iota // Run is not running it
	stateStandby              // another instance holds it, or it is being asked for
	stateHolding              // this instance holds it and keeps its gateway open
)

// shard is one gateway shard as this instance sees it.
type shard struct {
	id    int
	state atomic.Int32
	// s is the gateway session this instance keeps for the shard, nil while it keeps none.
	// Events are handled only from it: a session given up is never listened to again.
	s  atomic.Pointer[discordgo.Session]
	up atomic.Bool // s saw READY or RESUMED and no disconnect since
}

// BotName returns the bot's name in the send limit and the gateway leases: "dc:" and the bot's
// id, which a bot token begins with (base64-encoded), so that it is known before connecting and
// is the same on every instance.
func BotName(token string) (string, error) {
	token = strings.TrimSpace(token)
	if rest, ok := strings.CutPrefix(token, "Bot "); ok {
		token = strings.TrimSpace(rest)
	}
	first, _, _ := strings.Cut(token, ".")
	id, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(first, "="))
	if err != nil || !snowflake(string(id)) {
		return "", errors.New("discord: the token must look like MTI1...xYz.GaBcDe.abc (the Developer Portal's Bot page, Reset Token)")
	}
	return "dc:" + string(id), nil
}

// snowflake reports whether s looks like a Discord id: 15 to 21 digits.
func snowflake(s string) bool {
	if len(s) < 15 || len(s) > 21 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// shardList returns every shard of the bot, nil while AutoShards waits for Run to ask Discord.
func (d *Discord) shardList() []*shard {
	if p := d.shards.Load(); p != nil {
		return *p
	}
	return nil
}

// setShards makes the bot's n shards, all idle.
func (d *Discord) setShards(n int) {
	list := make([]*shard, n)
	for i := range list {
		list[i] = &shard{id: i}
	}
	d.shards.Store(&list)
}

// recommendedShards asks Discord how many shards the bot should run (GET /gateway/bot). When
// it cannot say, it logs why and answers 1; a count past maxShards is cut to maxShards.
func (d *Discord) recommendedShards(ctx context.Context) int {
	gb, err := d.s.GatewayBot(discordgo.WithContext(ctx))
	switch {
	case ctx.Err() != nil:
		return 1
	case err != nil:
		d.log.Warn("discord: DISCORD_SHARDS=auto: Discord's recommended shard count is unknown; running 1 shard", "err", d.fail("get gateway bot", err))
		return 1
	case gb.Shards < 1:
		d.log.Warn("discord: DISCORD_SHARDS=auto: Discord recommended no shard count; running 1 shard", "shards", gb.Shards)
		return 1
	case gb.Shards > maxShards:
		d.log.Warn("discord: DISCORD_SHARDS=auto: Discord recommends more shards than this front end runs", "shards", gb.Shards, "running", maxShards)
		return maxShards
	}
	d.log.Info("discord: running the shard count Discord recommends", "shards", gb.Shards)
	return gb.Shards
}

// current returns the shard whose gateway session s is now, or nil when s is no session this
// instance keeps (closed on purpose, or given up with its lease).
func (d *Discord) current(s *discordgo.Session) *shard {
	shards := d.shardList()
	if s == nil || s.ShardID < 0 || s.ShardID >= len(shards) {
		return nil
	}
	if sh := shards[s.ShardID]; sh.s.Load() == s {
		return sh
	}
	return nil
}

// runShard keeps the shard's gateway until ctx ends: at once without a lease; with one, while
// this instance holds it, standing by while another does, and closing the gateway the moment
// the lease is lost.
func (d *Discord) runShard(ctx context.Context, sh *shard) error {
	defer sh.state.Store(stateIdle)
	if d.lease == nil {
		sh.state.Store(stateHolding)
		return d.gateway(ctx, sh, func() {})
	}
	l := d.lease(sh.id)
	for ctx.Err() == nil {
		// Ask once first, so that an instance that gets the lease at once never says it
		// stands by (Ready would flicker).
		if held, _, err := l.TryAcquire(ctx); err != nil || !held {
			sh.state.Store(stateStandby)
			d.log.Info("discord: standing by for the gateway lease", "shard", sh.id, "lease", l.Key())
		}
		held, err := l.Hold(ctx)
		if err != nil {
			return nil // ctx ended
		}
		sh.state.Store(stateHolding)
		d.log.Info("discord: this instance holds the gateway lease; opening the gateway", "shard", sh.id, "lease", l.Key())
		gctx, cancel := context.WithCancel(ctx)
		watched := make(chan struct{})
		go func() {
			defer close(watched)
			select {
			case <-held.Lost():
				sh.state.Store(stateStandby) // at once, while the session closes
				cancel()
			case <-gctx.Done():
			}
		}()
		// The lease goes back as soon as the session is no longer listened to, before the
		// second discordgo takes to close it, so that a stand-by can take over at once.
		giveBack := func() {
			rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
			defer rcancel()
			if err := held.Release(rctx); err != nil {
				d.log.Warn("discord: give the gateway lease back; it runs out by itself", "shard", sh.id, "err", err)
			}
		}
		err = d.gateway(gctx, sh, giveBack)
		cancel()
		<-watched
		select {
		case <-held.Lost():
			if ctx.Err() != nil {
				break // shutting down: it does not matter
			}
			d.log.Warn("discord: gateway closed: the gateway lease was lost", "shard", sh.id, "lease", l.Key(), "err", held.Err())
		default:
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// gateway opens a gateway session for the shard and keeps it until ctx ends, then stops
// listening to it, calls giveBack and closes it. The holder of shard 0 registers the commands.
// An open that fails is tried again with backoff, unless Discord refused the token.
func (d *Discord) gateway(ctx context.Context, sh *shard, giveBack func()) error {
	s, err := d.newGateway(sh.id)
	if err != nil {
		giveBack()
		return err
	}
	sh.s.Store(s)
	defer func() {
		// Forget the session before closing it: from now on nothing it receives is handled.
		sh.s.Store(nil)
		sh.up.Store(false)
		giveBack()
		if err := s.Close(); err != nil {
			d.log.Warn("discord: close gateway", "shard", sh.id, "err", d.fail("close", err))
		}
	}()
	wait := d.retryOpen
	for {
		err := s.Open()
		if err == nil {
			break
		}
		if refused(err) {
			return fmt.Errorf("discord: DISCORD_TOKEN was refused by Discord (401 Unauthorized): check the bot token on the Developer Portal's Bot page (Reset Token gives a new one). Discord said: %w", d.fail("open gateway", err))
		}
		d.log.Error("discord: gateway not opened; trying again", "shard", sh.id, "in", wait.String(), "err", d.fail("open gateway", err))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		wait = min(2*wait, maxRetryOpen)
	}
	if sh.id == 0 {
		if err := d.register(ctx); err != nil && ctx.Err() == nil {
			return err
		}
	}
	<-ctx.Done()
	return nil
}

// newGateway returns a gateway session for the shard. It makes no REST request of its own
// (the handlers answer through d.s) but shares d.s's client and rate-limit buckets.
func (d *Discord) newGateway(id int) (*discordgo.Session, error) {
	s, err := discordgo.New("Bot " + d.token)
	if err != nil {
		return nil, errors.New("discord: new session")
	}
	s.Client = d.s.Client
	s.Ratelimiter = d.s.Ratelimiter
	s.UserAgent = d.s.UserAgent
	s.LogLevel = silent
	s.SyncEvents = true // connection events keep their order; handlers start their own goroutines
	s.StateEnabled = false
	s.Identify.Intents = intents
	s.ShardID, s.ShardCount = id, len(d.shardList())
	s.AddHandler(d.onReady)
	s.AddHandler(d.onResumed)
	s.AddHandler(d.onDisconnect)
	s.AddHandler(d.onInteraction)
	s.AddHandler(d.onMessage)
	return s, nil
}
