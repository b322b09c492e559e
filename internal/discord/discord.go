// Package discord is the Discord front end. It turns slash commands, button presses,
// autocomplete requests and direct messages into commands.Requests, renders the replies,
// registers the slash commands generated from the command descriptions, and delivers reminders
// by direct message. Interactions arrive over the gateway or, when a public key is configured,
// over the HTTP interactions endpoint.
//
// Any number of instances may run one bot. Each gateway shard is held by one instance at a
// time, under a Redis lease (Config.Lease); the others stand by and take over within a lease
// period of the holder's death. Every instance serves the HTTP interactions endpoint and sends
// reminders, and every REST request but the interaction endpoints waits for the bot-wide limit
// all instances share (Config.Limiter). See gateway.go and limit.go.
package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/lease"
)

// Responder answers requests and describes the commands; *commands.Bot is one.
type Responder interface {
	// Respond answers a request; it never fails, errors become a friendly reply.
	Respond(ctx context.Context, req *commands.Request) domain.Reply
	// Commands describes every command; the slash commands are generated from it.
	Commands() []commands.Command
	// Complete returns values for an option the user is typing, best first. command is the
	// command name, followed by a space and the subcommand for an option of a subcommand.
	Complete(ctx context.Context, command, option, partial string) []string
}

// Config is what the Discord front end needs.
type Config struct {
	// Token is the bot token, required. It never appears in logs or errors.
	Token string
	// GuildID registers the commands in this guild, which is instant (for development);
	// empty registers them globally.
	GuildID string
	// APIURL is the REST base, "https://discord.com" when empty; another scheme and host send
	// every REST call, GET /gateway included, to a proxy.
	APIURL string
	// PublicKey is the application's hex Ed25519 public key; it enables InteractionsHandler.
	PublicKey string
	// HTTPClient is the base client for REST calls (timeout, transport); 20 seconds when nil.
	HTTPClient *http.Client
	// Log receives the connection events and failures; discarded when nil.
	Log *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// DeferAfter is how long a reply may take before the interaction is deferred; 2 s when
	// zero, which leaves a second of Discord's 3-second window for the network.
	DeferAfter time.Duration
	// OnReady, when set, is told the application id and the bot's username at every READY,
	// so that cmd/bot can record which application the store holds data for.
	OnReady func(appID, username string)
	// Shards is how many gateway shards the bot is split into [1]; AutoShards asks Discord
	// at Run for the count it recommends (GET /gateway/bot), one when it cannot say. Direct
	// messages arrive on shard 0, as do the slash command registrations this front end makes.
	Shards int
	// Lease, when set, gives the lease each shard's gateway session is held under
	// (lease.Key(BotName(token), "shard:N")): only the instance holding it opens the shard's
	// gateway, and it closes the gateway the moment the lease is lost; the others stand by.
	// nil: every shard's gateway is opened at once (one instance).
	Lease func(shard int) *lease.Lease
	// Limiter, when set, paces REST requests under the bot-wide limit (GlobalRate) shared by
	// every instance: direct messages, reminders, registration; the interaction endpoints,
	// which Discord does not count, go unpaced. A *ratelimit.Limiter on the store's Redis.
	Limiter Limiter
}

// AutoShards, as Config.Shards, takes the shard count Discord recommends for the bot when Run
// starts (the shards field of GET /gateway/bot); when the request fails, Run logs why and runs
// one shard. Every instance asks on its own, so they agree as long as Discord's answer does.
const AutoShards = -1

// Limits and timings.
const (
	defaultAPIURL     = "https://discord.com"
	defaultDeferAfter = 2 * time.Second
	replyTimeout      = time.Minute     // one request's budget; Discord accepts edits for 15 minutes
	drainTimeout      = 5 * time.Second // how long shutdown lets replies in flight finish before cancelling them
	completeTimeout   = 2 * time.Second // autocomplete answers must arrive within the 3-second window
	maxBody           = 256 << 10       // interaction payloads are a few kilobytes
	maxSkew           = 5 * time.Minute // signed HTTP interactions older than this are replays
	closeTimeout      = 5 * time.Second // giving a lease back at shutdown
)

// intents are the gateway events the bot needs: guild basics and direct messages. Direct
// message content arrives without the privileged message-content intent.
const intents = discordgo.IntentsGuilds | discordgo.IntentsDirectMessages

// silent is below discordgo's lowest log level: its logger is a package-level variable that
// can print the identify packet with the token, so the session never logs and this package
// logs the connection events itself.
const silent = discordgo.LogError - 1

// Discord is the Discord front end. It is safe for concurrent use.
type Discord struct {
	bot Responder
	// s makes the REST requests: replies, reminders, registration. Each gateway connection
	// is a session of its own (see gateway.go), sharing s's client and rate-limit buckets.
	s     *discordgo.Session
	token string
	// shards is every shard of the bot, set by New, or by Run with AutoShards; nil until then.
	shards     atomic.Pointer[[]*shard]
	autoShards bool
	lease      func(shard int) *lease.Lease
	retryOpen  time.Duration // the first wait after a failed gateway open; it doubles to a minute
	specs      map[string]commands.Command
	app        []*discordgo.ApplicationCommand
	guildID    string
	key        ed25519.PublicKey
	log        *slog.Logger
	now        func() time.Time
	deferAfter time.Duration
	redact     *redactor

	appID atomic.Pointer[string]
	dms   channels   // direct message channels by user, for reminders
	chats chatQueues // direct messages waiting for the one before them in their chat
	// readyHook is Config.OnReady.
	readyHook func(appID, username string)

	mu     sync.Mutex // guards closed and the start of work
	closed bool
	work   sync.WaitGroup // replies in flight, drained by Run on shutdown
	// base is the parent of every reply's context: replies outlive the event that started them
	// and are cancelled only when shutdown has waited drain for them.
	base   context.Context
	cancel context.CancelFunc
	drain  time.Duration
}

// New checks cfg and the command descriptions and builds the front end; nothing is sent
// until Run, InteractionsHandler or Notify is used.
func New(cfg Config, bot Responder) (*Discord, error) {
	token := strings.TrimSpace(cfg.Token)
	if rest, ok := strings.CutPrefix(token, "Bot"); ok && (rest == "" || rest[0] == ' ') {
		token = strings.TrimSpace(rest) // the "Bot " prefix is added here
	}
	if token == "" {
		return nil, errors.New("discord: a bot token is required")
	}
	if bot == nil {
		return nil, errors.New("discord: nil responder")
	}
	api := cfg.APIURL
	if api == "" {
		api = defaultAPIURL
	}
	u, err := url.Parse(api)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
		return nil, errors.New("discord: the API URL must look like https://host[:port]")
	}
	var key ed25519.PublicKey
	if cfg.PublicKey != "" {
		k, err := hex.DecodeString(strings.TrimSpace(cfg.PublicKey))
		if err != nil || len(k) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("discord: the public key must be %d hex digits", 2*ed25519.PublicKeySize)
		}
		key = k
	}
	cmds := bot.Commands()
	specs := map[string]commands.Command{}
	for _, c := range cmds {
		specs[c.Name] = c
	}
	app := appCommands(cmds)
	if err := validate(app); err != nil {
		return nil, err
	}

	base := cfg.HTTPClient
	if base == nil {
		base = &http.Client{Timeout: 20 * time.Second}
	}
	client := *base
	next := client.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	client.Transport = &rewriter{scheme: u.Scheme, host: u.Host, next: next}
	if cfg.Shards != AutoShards && (cfg.Shards < 0 || cfg.Shards > maxShards) {
		return nil, fmt.Errorf("discord: %d shards: want 1 to %d (0 is 1), or AutoShards", cfg.Shards, maxShards)
	}

	s, err := discordgo.New("Bot " + token)
	if err != nil {
		return nil, errors.New("discord: new session")
	}
	s.Client = &client
	s.LogLevel = silent
	s.StateEnabled = false

	d := &Discord{
		bot:        bot,
		s:          s,
		specs:      specs,
		app:        app,
		guildID:    cfg.GuildID,
		key:        key,
		log:        cfg.Log,
		now:        cfg.Now,
		deferAfter: cfg.DeferAfter,
		readyHook:  cfg.OnReady,
		redact:     newRedactor(token),
		token:      token,
		lease:      cfg.Lease,
		retryOpen:  time.Second,
	}
	if cfg.Shards == AutoShards {
		d.autoShards = true
	} else {
		d.setShards(max(cfg.Shards, 1))
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if cfg.Limiter != nil {
		client.Transport = &paced{lim: cfg.Limiter, next: client.Transport, log: d.log}
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.deferAfter <= 0 {
		d.deferAfter = defaultDeferAfter
	}
	d.base, d.cancel = context.WithCancel(context.Background())
	d.drain = drainTimeout
	return d, nil
}

// Run runs the gateway until ctx is done: each shard's session is opened at once, or, with
// Config.Lease, while this instance holds the shard's lease (standing by while another does).
// The instance holding shard 0 registers the slash commands when they changed. When ctx ends,
// Run closes the sessions, gives the leases back and waits for the replies in flight. It
// returns nil after a clean shutdown, also when ctx ends during start-up, and an error only for
// what waiting cannot fix: Discord refused the token, or the commands could not be registered.
// A gateway Discord cannot be reached for is tried again with backoff (Ready says false).
//
// With AutoShards, Run first asks Discord how many shards to run (see AutoShards).
func (d *Discord) Run(ctx context.Context) error {
	defer d.stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if d.autoShards && d.shardList() == nil {
		n := d.recommendedShards(ctx)
		if ctx.Err() != nil {
			return nil
		}
		d.setShards(n)
	}
	shards := d.shardList()
	errs := make(chan error, len(shards))
	for _, sh := range shards {
		go func() { errs <- d.runShard(ctx, sh) }()
	}
	var first error
	for range shards {
		if err := <-errs; err != nil && first == nil {
			first = err
			cancel() // one shard failing for good stops the others
		}
	}
	return first
}

// Ready reports whether the gateway is as it should be: every shard this instance holds is
// connected (READY or RESUMED was seen and no disconnect since). A stand-by, holding no shard,
// is ready: it serves HTTP interactions and sends reminders. Before Run and after it, false.
// discordgo reconnects and resumes by itself after a dropped connection.
func (d *Discord) Ready() bool {
	shards := d.shardList()
	if len(shards) == 0 {
		return false // AutoShards before Run has asked Discord
	}
	for _, sh := range shards {
		switch sh.state.Load() {
		case stateStandby:
		case stateHolding:
			if !sh.up.Load() {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// Holding reports whether this instance holds the gateway of any shard now.
func (d *Discord) Holding() bool {
	for _, sh := range d.shardList() {
		if sh.state.Load() == stateHolding {
			return true
		}
	}
	return false
}

// stop refuses new work and waits for the replies in flight, cancelling those that take
// longer than drain. The gateway sessions are closed already (runShard).
func (d *Discord) stop() {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	drained := make(chan struct{})
	go func() {
		d.work.Wait()
		close(drained)
	}()
	select {
	case <-drained:
	case <-time.After(d.drain):
		d.log.Warn("discord: cancelling replies still in flight")
		d.cancel()
		<-drained
	}
	d.cancel()
	d.log.Info("discord: stopped")
}

// begin counts a piece of work that stop waits for; it reports false once stop has begun.
func (d *Discord) begin() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return false
	}
	d.work.Add(1)
	return true
}

// stopped reports whether Run has begun to shut down.
func (d *Discord) stopped() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.closed
}

// spawn runs f in its own goroutine with a context of its own, so that shutdown can let a
// reply in flight finish. It reports false, and runs nothing, once shutdown has begun.
func (d *Discord) spawn(what string, f func(ctx context.Context)) bool {
	if !d.begin() {
		d.log.Warn("discord: dropped while stopping", "event", what)
		return false
	}
	go func() {
		defer d.work.Done()
		ctx, cancel := context.WithTimeout(d.base, replyTimeout)
		defer cancel()
		f(ctx)
	}()
	return true
}

// spawnInOrder is spawn for the events of one chat: they run one at a time, in the order they
// came, while other chats' run beside them, so "rolled 0.25 tonight" and the "/undo" sent just
// after it are read in that order.
func (d *Discord) spawnInOrder(chat, what string, f func(ctx context.Context)) bool {
	if !d.begin() {
		d.log.Warn("discord: dropped while stopping", "event", what)
		return false
	}
	run := func() {
		defer d.work.Done()
		ctx, cancel := context.WithTimeout(d.base, replyTimeout)
		defer cancel()
		f(ctx)
	}
	d.chats.mu.Lock()
	if q, busy := d.chats.queue[chat]; busy {
		d.chats.queue[chat] = append(q, run) // the chat's runner takes it when it gets there
		d.chats.mu.Unlock()
		return true
	}
	if d.chats.queue == nil {
		d.chats.queue = map[string][]func(){}
	}
	d.chats.queue[chat] = nil
	d.chats.mu.Unlock()
	go func() {
		for next := run; ; {
			next()
			d.chats.mu.Lock()
			q := d.chats.queue[chat]
			if len(q) == 0 {
				delete(d.chats.queue, chat)
				d.chats.mu.Unlock()
				return
			}
			next, d.chats.queue[chat] = q[0], q[1:]
			d.chats.mu.Unlock()
		}
	}()
	return true
}

// chatQueues holds, for each chat with an event in hand, the events waiting behind it.
type chatQueues struct {
	mu    sync.Mutex
	queue map[string][]func()
}

func (d *Discord) onReady(s *discordgo.Session, r *discordgo.Ready) {
	if d.current(s) == nil {
		go s.Close() // a session given up (its lease lost) that discordgo reconnected
		return
	}
	id := ""
	if r.User != nil {
		id = r.User.ID
	}
	if r.Application != nil && r.Application.ID != "" {
		id = r.Application.ID
	}
	d.appID.Store(&id)
	if d.readyHook != nil && id != "" {
		name := ""
		if r.User != nil {
			name = r.User.Username
		}
		d.readyHook(id, name)
	}
	d.connected(s, "ready")
}

func (d *Discord) onResumed(s *discordgo.Session, _ *discordgo.Resumed) { d.connected(s, "resumed") }

func (d *Discord) connected(s *discordgo.Session, event string) {
	sh := d.current(s)
	if sh == nil || d.stopped() {
		// discordgo's reconnect loop can finish after the session was given up.
		go s.Close()
		return
	}
	sh.up.Store(true)
	d.log.Info("discord: gateway connected", "event", event, "shard", sh.id)
}

func (d *Discord) onDisconnect(s *discordgo.Session, _ *discordgo.Disconnect) {
	sh := d.current(s)
	if sh == nil {
		return // closed on purpose
	}
	sh.up.Store(false)
	if !d.stopped() {
		d.log.Warn("discord: gateway disconnected, reconnecting", "shard", sh.id)
	}
}

// applicationID is the id READY reported, which the command and webhook endpoints need.
func (d *Discord) applicationID() string {
	if p := d.appID.Load(); p != nil {
		return *p
	}
	return ""
}

// refused reports whether Discord turned the token down: a 401 from the REST API, or the
// gateway's close code 4004 (authentication failed).
func refused(err error) bool {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized {
		return true
	}
	var ce *websocket.CloseError
	return errors.As(err, &ce) && ce.Code == 4004
}
