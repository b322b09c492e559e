package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/console"
	"github.com/needlebot/needlebot/internal/discord"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/kb"
	"github.com/needlebot/needlebot/internal/lease"
	"github.com/needlebot/needlebot/internal/metrics"
	"github.com/needlebot/needlebot/internal/ratelimit"
	"github.com/needlebot/needlebot/internal/remind"
	"github.com/needlebot/needlebot/internal/store"
	"github.com/needlebot/needlebot/internal/telegram"
)

// An orderly stop fits in docker stop's 10 s before SIGKILL: up to intakeDrain for the front ends
// to finish what they hold, up to sendDrain for reminder sends in flight, then the store.
const (
	intakeDrain = 4 * time.Second
	sendDrain   = 4 * time.Second
)

// part is one thing the process runs until it is stopped: a front end or the HTTP server.
type part struct {
	name  string
	run   func(ctx context.Context) error
	ready func() bool
}

// serve runs the bot: every configured front end (the console when none is, or when
// consoleOnly), the reminder dispatcher and the HTTP server, until ctx is cancelled or, on the
// console, the input ends. Shutdown goes in order: stop taking requests, let reminder sends
// drain, then close the store (the embedded store syncs its journal).
func serve(ctx context.Context, name string, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer, consoleOnly bool) error {
	cfg, rest, err := loadConfig(name, args, getenv, stderr, consoleOnly)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError("%s: unexpected arguments %q", name, rest)
	}
	onConsole := cfg.TelegramToken == "" && cfg.DiscordToken == ""
	if onConsole && getenv("LOG_LEVEL") == "" && !hasFlag(args, "log-level") {
		cfg.LogLevel = slog.LevelWarn // keep the conversation readable
	}
	log := newLogger(cfg.LogLevel, cfg.LogFormat, stderr, cfg.secrets())
	routeRedisLogs(log)
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)

	k, err := kb.Load(cfg.KBFile)
	if err != nil {
		return fmt.Errorf("knowledge base: %w", err)
	}
	st, closeStore, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	storeOpen := true
	defer func() {
		if storeOpen {
			closeStore()
		}
	}()
	st.Client().AddHook(m.RedisHook())
	// Data written by an older version is brought up to date, and links a crash interrupted
	// are finished, before anyone is answered.
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	if err := st.ResumeLinks(ctx); err != nil {
		// Left in the journal: the next start, or the link's own retry, finishes it.
		log.Warn("links interrupted by a crash could not all be finished; they are retried at the next start", "err", err)
	}
	// Offsets and marks are kept per bot; say whose this Redis holds (each front end adds its
	// own bot once it has connected, and warns of another's).
	if bots, err := st.Bots(ctx); err == nil && len(bots) > 0 {
		log.Info("store: this Redis holds data for bots " + strings.Join(bots, ", "))
	}
	key, err := buttonKey(ctx, cfg.Secret, st)
	if err != nil {
		return err
	}
	bot := commands.New(commands.Config{KB: k, Store: st, ButtonKey: key, Log: log, Snooze: cfg.Snooze, Observer: m})

	notifiers := map[domain.Platform]remind.Notifier{}
	var parts []part
	mux := http.NewServeMux()
	if onConsole {
		con := console.New(bot, stdin, stdout, isTerminal(stdin) && isTerminal(stdout), time.Now)
		notifiers[domain.Console] = con
		parts = append(parts, part{"console", con.Run, func() bool { return true }})
	}
	// Instances coordinate on the store's Redis: the poller lease and the bots' send limits.
	// The embedded store is one process (its directory is locked), so it keeps them in a
	// private in-memory Redis instead of journalling them.
	shared := st.Client()
	if cfg.RedisURL == "" {
		local, closeLocal := localRedis()
		defer closeLocal()
		shared = local
	}
	sharedRates := map[domain.Platform]remind.SharedRate{}
	if cfg.TelegramToken != "" {
		tc, err := telegramShared(shared, cfg)
		if err != nil {
			return err
		}
		if r, ok := tc.Limiter.(remind.SharedRate); ok {
			sharedRates[domain.Telegram] = r // *ratelimit.Limiter
		}
		tc.Token, tc.APIURL, tc.WebhookURL = cfg.TelegramToken, cfg.TelegramAPIURL, cfg.TelegramWebhookURL
		tc.WebhookSecret, tc.Log = cfg.TelegramWebhookSecret, log.With("part", "telegram")
		tc.HTTPClient = &http.Client{Transport: m.Transport(string(domain.Telegram), nil)}
		tg, err := telegram.New(tc, bot, st)
		if err != nil {
			return err
		}
		notifiers[domain.Telegram] = tg
		parts = append(parts, part{"telegram", tg.Run, tg.Ready})
		if cfg.TelegramWebhookURL != "" {
			mux.Handle(telegram.WebhookPath, tg.WebhookHandler())
		}
	}
	if cfg.DiscordToken != "" {
		// One instance at a time holds each gateway shard (its lease); every one serves HTTP
		// interactions and sends reminders, all under the bot's one request limit.
		dcc, lim, err := discordShared(shared, cfg)
		if err != nil {
			return err
		}
		sharedRates[domain.Discord] = lim
		dcc.Token, dcc.GuildID, dcc.APIURL = cfg.DiscordToken, cfg.DiscordGuildID, cfg.DiscordAPIURL
		dcc.PublicKey, dcc.Log = cfg.DiscordPublicKey, log.With("part", "discord")
		dcc.HTTPClient = &http.Client{Transport: m.Transport(string(domain.Discord), nil), Timeout: 30 * time.Second}
		dcc.OnReady = func(app, name string) { registerDiscord(ctx, st, log, app, name) }
		dc, err := discord.New(dcc, bot)
		if err != nil {
			return err
		}
		notifiers[domain.Discord] = dc
		parts = append(parts, part{"discord", dc.Run, dc.Ready})
		if cfg.DiscordPublicKey != "" {
			mux.Handle("/discord/interactions", dc.InteractionsHandler())
		}
	}

	var srv *http.Server
	if cfg.HTTPAddr != "" {
		ln, err := net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			return fmt.Errorf("http: %w", err)
		}
		srv = newHTTPServer(mux, reg, st, parts)
		log.Info("http: listening", "addr", ln.Addr().String())
		parts = append(parts, part{"http", func(ctx context.Context) error {
			err := srv.Serve(ln)
			if errors.Is(err, http.ErrServerClosed) {
				return nil
			}
			return err
		}, func() bool { return true }})
	}

	// Run: the intake parts under one context, the dispatcher under another, so that shutdown
	// can stop them in order.
	intakeCtx, stopIntake := context.WithCancel(ctx)
	defer stopIntake()
	ended := make(chan partEnd, len(parts))
	for _, p := range parts {
		go func() { ended <- partEnd{p.name, p.run(intakeCtx)} }()
	}
	dispCtx, stopDispatch := context.WithCancel(context.WithoutCancel(ctx))
	defer stopDispatch()
	dispatched := make(chan struct{})
	if cfg.Dispatcher {
		// Telegram's Notify waits for the bot's limit shared by every instance (TELEGRAM_RATE and
		// TELEGRAM_CHAT_RATE are the bot's, not an instance's), which keeps them all, replies
		// included, under Telegram's; the dispatcher sizes its claims by it and paces nothing
		// again.
		rates := map[domain.Platform]remind.Rate{domain.Telegram: {Global: cfg.TelegramRate, PerChat: cfg.TelegramChatRate}}
		d := remind.New(remind.Config{Queue: st, Composer: bot, Notifiers: notifiers, Rates: rates, Shared: sharedRates,
			Grace: cfg.Grace, Drain: sendDrain, Log: log.With("part", "dispatcher"), Observer: m})
		go func() { d.Run(dispCtx); close(dispatched) }()
	} else {
		close(dispatched)
	}
	log.Info("needlebot started", "version", version, "parts", partNames(parts), "dispatcher", cfg.Dispatcher)

	var failure error
	running := len(parts)
	select {
	case <-ctx.Done():
		log.Info("shutting down", "reason", "signal")
	case e := <-ended:
		running--
		if e.err != nil && !errors.Is(e.err, context.Canceled) {
			failure = fmt.Errorf("%s: %w", e.name, e.err)
			log.Error("a part stopped; shutting down", "part", e.name, "err", e.err)
		} else {
			log.Info("shutting down", "reason", e.name+" ended")
		}
	}

	// 1. Stop intake: front ends stop receiving, the HTTP server stops accepting.
	deadline := time.Now().Add(intakeDrain)
	stopIntake()
	if srv != nil {
		sctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
		srv.Shutdown(sctx)
		cancel()
	}
	timeout := time.After(time.Until(deadline))
wait:
	for running > 0 {
		select {
		case e := <-ended:
			running--
			if e.err != nil && !errors.Is(e.err, context.Canceled) && failure == nil {
				failure = fmt.Errorf("%s: %w", e.name, e.err)
			}
		case <-timeout:
			log.Error("shutdown: parts did not stop in time", "left", running)
			break wait
		}
	}
	// 2. Drain reminder sends: the dispatcher stops claiming, finishes or gives back its claims.
	stopDispatch()
	select {
	case <-dispatched:
	case <-time.After(sendDrain + time.Second): // the drain, and settling what it sent
		log.Error("shutdown: reminder dispatcher did not stop in time; its claims come back when their leases run out")
	}
	// 3. Flush and close the store.
	storeOpen = false
	if err := closeStore(); err != nil {
		log.Error("shutdown: closing the store", "err", err)
		failure = errors.Join(failure, err)
	}
	log.Info("stopped")
	return failure
}

// telegramGroupRate is Telegram's limit of messages a minute to one group.
const telegramGroupRate = 20

// telegramShared is the part of the Telegram front end's configuration that instances share
// on rdb: the bot's send limits (TELEGRAM_RATE, TELEGRAM_CHAT_RATE and 20 a minute to a group,
// for every instance together, replies and reminders alike) and, when polling, the poller lease.
func telegramShared(rdb redis.UniversalClient, cfg config) (telegram.Config, error) {
	name, err := telegram.BotName(cfg.TelegramToken)
	if err != nil {
		return telegram.Config{}, err
	}
	lim, err := ratelimit.New(rdb, ratelimit.Config{Bot: name, Global: cfg.TelegramRate, PerChat: cfg.TelegramChatRate,
		GroupPerMinute: telegramGroupRate, IsGroup: telegram.IsGroupChat})
	if err != nil {
		return telegram.Config{}, err
	}
	tc := telegram.Config{Limiter: lim}
	if cfg.TelegramWebhookURL == "" {
		tc.Lease = lease.New(rdb, lease.Key(name, "poller"), telegram.PollerLeasePeriod)
	}
	return tc, nil
}

// discordShared is the part of the Discord front end's configuration that instances share on
// rdb: the bot's request limit (Discord's 50 a second, for every instance together, replies
// and reminders alike), the shard count (DISCORD_SHARDS) and the lease of each gateway shard, so
// that one instance at a time holds it.
func discordShared(rdb redis.UniversalClient, cfg config) (discord.Config, *ratelimit.Limiter, error) {
	name, err := discord.BotName(cfg.DiscordToken)
	if err != nil {
		return discord.Config{}, nil, err
	}
	lim, err := ratelimit.New(rdb, ratelimit.Config{Bot: name, Global: discord.GlobalRate})
	if err != nil {
		return discord.Config{}, nil, err
	}
	shard := func(n int) *lease.Lease {
		return lease.New(rdb, lease.Key(name, fmt.Sprintf("shard:%d", n)), discord.ShardLeasePeriod)
	}
	return discord.Config{Limiter: lim, Lease: shard, Shards: cfg.DiscordShards}, lim, nil
}

// localRedis is an in-memory Redis of this process, for what instances would otherwise share
// on the store's Redis when the store is embedded; its keys expire on the wall clock.
func localRedis() (redis.UniversalClient, func()) {
	mr := miniredis.NewMiniRedis()
	mr.ClockTTL(true)
	c := redis.NewClient(&redis.Options{Dialer: func(context.Context, string, string) (net.Conn, error) { return mr.Dial() }})
	return c, func() { c.Close(); mr.Close() }
}

type partEnd struct {
	name string
	err  error
}

func partNames(parts []part) string {
	names := make([]string, len(parts))
	for i, p := range parts {
		names[i] = p.name
	}
	return strings.Join(names, ",")
}

// hasFlag reports whether args set the named flag.
func hasFlag(args []string, name string) bool {
	for _, a := range args {
		a = strings.TrimLeft(a, "-")
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

// openStore connects to REDIS_URL, or runs the embedded store in BOT_DATA_DIR when it is unset.
// The returned function closes it; the embedded store syncs its journal, and folds a long one
// into a snapshot.
func openStore(ctx context.Context, cfg config, log *slog.Logger) (*store.Store, func() error, error) {
	if cfg.RedisURL != "" {
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		st, err := store.Dial(dctx, cfg.RedisURL)
		if err != nil {
			return nil, nil, err
		}
		log.Info("store: redis", "url", redactURL(cfg.RedisURL))
		return st, st.Close, nil
	}
	e, err := store.OpenEmbedded(cfg.DataDir, log)
	if err != nil {
		return nil, nil, err
	}
	return e.Store, e.Close, nil
}

// registerDiscord records that the store holds data for the Discord application, and says
// which bots' data it holds. Discord's ids are global, so nothing else is kept per application.
func registerDiscord(ctx context.Context, st *store.Store, log *slog.Logger, app, name string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	bots, err := st.RegisterBot(ctx, "dc:"+app, name)
	if err != nil {
		log.Warn("discord: could not record the application in the store", "app", app, "err", err)
		return
	}
	log.Info("discord: this Redis holds data for bots "+strings.Join(bots, ", "), "bot", "dc:"+app)
}

// buttonKey is BOT_SECRET when set, else a key kept in the store, so that every instance sharing
// the store signs buttons alike.
func buttonKey(ctx context.Context, secret string, st *store.Store) ([]byte, error) {
	if secret != "" {
		return []byte(secret), nil
	}
	key, err := st.Secret(ctx)
	if err != nil {
		return nil, fmt.Errorf("button key: %w", err)
	}
	return key, nil
}

// isTerminal reports whether v is a character device such as a terminal.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
