// Package telegram is the Telegram front end. It only translates: Telegram updates become
// commands.Requests for the bot, the bot's Replies become Telegram messages, and reminders
// arrive through Notify. It holds no business rules and no Redis; the little it must remember
// (the update offset, which updates it has handled) it keeps through State.
//
// Updates come by long polling (the default) or by webhook (Config.WebhookURL). Either way each
// update is handled at most once per State and bot: a delivery claims the update before it is
// handled, so one of several deliveries at once answers it and an update marked handled is
// skipped; the request carries the bot's tag and the update id as its ID, so that the store
// applies its writes once even when a crash leaves an update handled but not yet marked. All
// State keeps is per bot (its id, from getMe), so several bots may share one store.
//
// Updates of one chat are handled one at a time, in order; different chats' at once, up to
// Config.Workers (see intake.go). Every send waits for Config.Limiter, the bot's limits shared
// by every instance, and a refused send (429) is sent again after retry_after: the bot is
// asked once per update. With Config.Lease, any number of instances may poll one bot: the one
// holding the lease polls, the others stand by.
package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/lease"
	"github.com/needlebot/needlebot/internal/text"
)

// Responder answers requests and describes the commands; *commands.Bot is one.
type Responder interface {
	Respond(ctx context.Context, req *commands.Request) domain.Reply
	Commands() []commands.Command
}

// State is what the front end keeps in the store, per bot: bot is "tg:" and the bot's id, from
// getMe, so that two bots sharing one store keep apart. Every method returns an error only when
// the store cannot be reached (or is given an invalid name); the front end then retries, or,
// for the marks and the offset, logs and carries on: a lost mark only means a redelivered
// update is handled again under the same request ID.
type State interface {
	// RegisterBot records that the store holds data for bot (name is "@username"), and returns
	// every bot the store holds data for, as "tg:123 @name".
	RegisterBot(ctx context.Context, bot, name string) ([]string, error)
	// InheritedOffset takes, once, the offset an older version saved without the bot's id; 0
	// when there is none. It may be another bot's.
	InheritedOffset(ctx context.Context, bot string) (int, error)
	// TelegramOffset returns the next update id to ask for; 0 when none is saved.
	TelegramOffset(ctx context.Context, bot string) (int, error)
	// SetTelegramOffset saves the next update id to ask for.
	SetTelegramOffset(ctx context.Context, bot string, offset int) error
	// ClaimEvent claims event (e.g. "tg:u:k3x9a-123456") for one delivery, under token, for
	// lease. claimed reports that the caller is to handle it; otherwise done reports whether it
	// was handled already (MarkSeen in the last 48 hours) or is being handled under another claim.
	ClaimEvent(ctx context.Context, bot, event, token string, lease time.Duration) (claimed, done bool, err error)
	// ReleaseEvent drops token's claim, so that the event is handled when it comes again.
	ReleaseEvent(ctx context.Context, bot, event, token string) error
	// MarkSeen records that event was handled, ending its claim.
	MarkSeen(ctx context.Context, bot, event string) error
}

// WebhookPath is where cmd/bot mounts WebhookHandler; TELEGRAM_WEBHOOK_URL normally ends with it.
const WebhookPath = "/telegram/webhook"

// Defaults and Telegram's limits.
const (
	defaultAPIURL      = "https://api.telegram.org"
	defaultPollTimeout = 50 * time.Second
	callTimeout        = 10 * time.Second               // any call but getUpdates and uploads
	uploadTimeout      = 60 * time.Second               // sendDocument, which carries the file
	pollMargin         = 10 * time.Second               // getUpdates may take PollTimeout plus this
	handleTimeout      = 60 * time.Second               // one update, from Respond to the last send
	claimLease         = handleTimeout + 30*time.Second // a claim outlives the handling it covers
	defaultWorkers     = 16                             // updates handled at once
)

// allowedUpdates are the only update types the bot asks for (JSON, as getUpdates and
// setWebhook take it); everything else is noise to it.
const allowedUpdates = `["message","callback_query"]`

// Config is what the Telegram front end needs.
type Config struct {
	Token         string           // from @BotFather; required; never appears in logs, errors or panics
	APIURL        string           // Bot API base, default "https://api.telegram.org"; requests go to APIURL/bot<token>/<method>
	WebhookURL    string           // when set, updates come by webhook to this URL; otherwise by long polling
	WebhookSecret string           // required with WebhookURL: 1-256 of A-Z, a-z, 0-9, _ and -
	HTTPClient    *http.Client     // default &http.Client{}; each call gets its own deadline, so a Timeout, if set, must exceed PollTimeout
	PollTimeout   time.Duration    // how long one getUpdates waits for news, in whole seconds; default 50 s
	Log           *slog.Logger     // discarded when nil
	Now           func() time.Time // the time of button presses, which carry none; time.Now when nil

	// Workers is how many updates are handled at once, each chat's one at a time and in order;
	// default 16. Polling has at most 100 updates in hand (Telegram's most per getUpdates).
	Workers int
	// Limiter paces every send, replies and Notify alike, under the bot's limits; a
	// *ratelimit.Limiter on the store's Redis shares them with every instance. nil: sends are
	// not paced, and a 429's retry_after is still honoured.
	Limiter Limiter
	// Lease, when set, is the poller lease (lease.Key(BotName(token), "poller")): only the
	// instance holding it polls, the others stand by and take over within one lease period
	// of its death. nil: this instance polls without asking (it is the only one).
	Lease *lease.Lease

	// after is the timer used for every wait (backoff, retry_after); tests replace it so that
	// they can see and release waits without sleeping.
	after func(time.Duration) <-chan time.Time
	// tick is the timer of the poller's own pacing (looking for new updates while others are
	// in hand, and a chat's limit before a worker is taken); time.After unless a test sets it.
	tick func(time.Duration) <-chan time.Time
	// order names the sequence an update is handled in [chatKey: its chat's]; the benchmark
	// puts every update in one, to measure handling them one at a time as before.
	order func(tgbotapi.Update) string
}

// Limiter paces sends under the bot's limits; *ratelimit.Limiter is one.
type Limiter interface {
	// Wait blocks until a message may be sent to chat (its id, as a string), or fails: with
	// ctx's error, or when the limits cannot be asked (the send then goes unpaced).
	Wait(ctx context.Context, chat string) error
	// Pause records that Telegram refused a send to chat and asked to wait d (retry_after).
	Pause(ctx context.Context, chat string, d time.Duration) error
	// ReadyIn is a hint of how long until chat's next send may go; 0 when it may now.
	ReadyIn(chat string) time.Duration
}

// PollerLeasePeriod is how long the poller lease lasts unless extended (every third of it): a
// stand-by takes over within this long of the poller's death.
const PollerLeasePeriod = 10 * time.Second

// BotName returns the bot's name in State, the limits and the leases, "tg:" and the bot's id,
// which a token begins with ("123456789:AAF0..."), so that it is known before getMe.
func BotName(token string) (string, error) {
	id, _, ok := strings.Cut(token, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil || n <= 0 {
		return "", errors.New("telegram: the token must look like 123456789:AAF0-x_y (ask @BotFather)")
	}
	return botKey(n), nil
}

// IsGroupChat reports whether chat (an id, as Limiter takes it) is a group, supergroup or
// channel, which Telegram numbers below zero, and limits to 20 messages a minute.
func IsGroupChat(chat string) bool { return strings.HasPrefix(chat, "-") }

// String describes c without its secrets, so that printing a Config cannot leak the token.
func (c Config) String() string {
	mode := "polling"
	if c.WebhookURL != "" {
		mode = "webhook " + c.WebhookURL
	}
	return fmt.Sprintf("telegram.Config{APIURL: %q, mode: %s, token: <redacted>}", c.APIURL, mode)
}

// LogValue describes c without its secrets, for slog's text and JSON handlers alike.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Telegram is the Telegram front end. It is safe for concurrent use: Run, the webhook handler
// and Notify may all be busy at once.
type Telegram struct {
	api         *tgbotapi.BotAPI // never called directly: call binds a copy to a context
	http        *http.Client
	secrets     *strings.Replacer // replaces the token, however it is spelt, with "<redacted>"
	bot         Responder
	ours        map[string]bool // the bot's command names, to tell our bare commands in groups
	state       State
	log         *slog.Logger
	now         func() time.Time
	after       func(time.Duration) <-chan time.Time
	webhookURL  string
	secret      string
	pollTimeout time.Duration

	self   atomic.Pointer[self] // set once getMe succeeds
	tokens atomic.Uint64        // numbers the claims this instance makes
	nonce  string               // tells this instance's claims from other instances'

	limiter Limiter
	lease   *lease.Lease
	tick    func(time.Duration) <-chan time.Time
	order   func(tgbotapi.Update) string
	slots   chan struct{} // one per update being handled (Workers)
	turns   turns         // each chat's updates in order
	polling atomic.Bool   // this instance polls (holds the lease, or needs none)
	unpaced atomic.Int64  // when a send last went unpaced (unix ns), to log that once a minute

	hooked   sync.Mutex
	inflight map[int]bool // webhook updates being handled here, by id
}

// self is the bot's own account, from getMe; it tells which group messages are meant for it.
type self struct {
	id       int64
	key      string         // "tg:" and the id: the bot's name in State
	tag      string         // a short stable tag of the id, in event ids (see eventID)
	username string         // as Telegram spells it, for telling users where to find the bot
	name     string         // lower case, for comparing with command mentions
	mention  *regexp.Regexp // "@username" in a message
}

// newSelf describes the bot's account from getMe's answer.
func newSelf(user tgbotapi.User) *self {
	me := &self{id: user.ID, key: botKey(user.ID), tag: botTag(user.ID), username: user.UserName, name: strings.ToLower(user.UserName)}
	if user.UserName != "" {
		me.mention = regexp.MustCompile(`(?i)@` + regexp.QuoteMeta(user.UserName) + `\b`)
	}
	return me
}

// New checks cfg and returns the front end; it makes no network calls (Run does).
func New(cfg Config, bot Responder, state State) (*Telegram, error) {
	if bot == nil || state == nil {
		return nil, errors.New("telegram: new: nil bot or state")
	}
	if !validToken(cfg.Token) {
		return nil, errors.New("telegram: new: the token must look like 123456789:AAF0-x_y (ask @BotFather)")
	}
	base := strings.TrimRight(cfg.APIURL, "/")
	if base == "" {
		base = defaultAPIURL
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("telegram: new: API URL %q is not an http(s) URL", base)
	}
	if cfg.WebhookURL != "" {
		if u, err := url.Parse(cfg.WebhookURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("telegram: new: webhook URL %q is not an http(s) URL", cfg.WebhookURL)
		}
		if len(cfg.WebhookSecret) > 256 || !validChars(cfg.WebhookSecret) {
			return nil, errors.New("telegram: new: a webhook needs a secret of 1-256 characters from A-Z, a-z, 0-9, _ and -")
		}
	}
	t := &Telegram{
		http:        cfg.HTTPClient,
		secrets:     strings.NewReplacer(cfg.Token, "<redacted>", url.PathEscape(cfg.Token), "<redacted>", url.QueryEscape(cfg.Token), "<redacted>"),
		bot:         bot,
		ours:        map[string]bool{},
		state:       state,
		log:         cfg.Log,
		now:         cfg.Now,
		after:       cfg.after,
		webhookURL:  cfg.WebhookURL,
		secret:      cfg.WebhookSecret,
		pollTimeout: cfg.PollTimeout,
		nonce:       nonce(),
		limiter:     cfg.Limiter,
		lease:       cfg.Lease,
		tick:        cfg.tick,
		order:       cfg.order,
		inflight:    map[int]bool{},
	}
	if t.order == nil {
		t.order = chatKey
	}
	if cfg.Workers < 0 {
		return nil, errors.New("telegram: new: negative workers")
	}
	if cfg.Workers == 0 {
		cfg.Workers = defaultWorkers
	}
	t.slots = make(chan struct{}, cfg.Workers)
	if t.tick == nil {
		t.tick = time.After
	}
	if t.pollTimeout < 0 {
		return nil, errors.New("telegram: new: negative poll timeout")
	}
	if t.pollTimeout == 0 {
		t.pollTimeout = defaultPollTimeout
	}
	t.pollTimeout = t.pollTimeout.Round(time.Second)
	if t.pollTimeout < time.Second {
		t.pollTimeout = time.Second
	}
	if t.http == nil {
		t.http = &http.Client{}
	}
	if t.http.Timeout != 0 && t.http.Timeout <= t.pollTimeout {
		return nil, fmt.Errorf("telegram: new: the HTTP client's timeout (%s) must exceed the poll timeout (%s)", t.http.Timeout, t.pollTimeout)
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	if t.now == nil {
		t.now = time.Now
	}
	if t.after == nil {
		t.after = time.After
	}
	for _, c := range bot.Commands() {
		t.ours[c.Name] = true
	}
	// Built by hand rather than with tgbotapi.NewBotAPIWithClient, which calls getMe with no
	// context; the endpoint is escaped because tgbotapi uses it as a format string.
	t.api = &tgbotapi.BotAPI{Token: cfg.Token, Client: t.http, Buffer: 100}
	t.api.SetAPIEndpoint(strings.ReplaceAll(base, "%", "%%") + "/bot%s/%s")
	return t, nil
}

// String names the front end without its secrets.
func (t *Telegram) String() string {
	if me := t.self.Load(); me != nil {
		return "telegram(@" + me.username + ")"
	}
	return "telegram"
}

// Ready reports whether getMe has succeeded, so the bot knows who it is; cmd/bot's /readyz
// uses it. A stand-by (see Config.Lease) is ready: it sends reminders and takes over polling.
func (t *Telegram) Ready() bool { return t.self.Load() != nil }

// Polling reports whether this instance polls now: it holds the poller lease, or needs none.
// False in webhook mode and for a stand-by.
func (t *Telegram) Polling() bool { return t.polling.Load() }

// Run connects (getMe, the command menu) and then, in polling mode, handles updates until ctx
// ends; in webhook mode it registers the webhook and waits for ctx, while cmd/bot serves
// WebhookHandler. It returns nil when ctx ends and an error only for what waiting cannot fix:
// a rejected token, a rejected webhook URL. Network trouble is retried with backoff.
//
// Polling never deletes a webhook: another deployment may rely on it. A set webhook shows up
// as a logged 409 Conflict with advice.
func (t *Telegram) Run(ctx context.Context) error {
	err := t.connect(ctx)
	if err == nil && t.webhookURL != "" {
		err = t.retry(ctx, t.setWebhook)
		if err == nil {
			t.log.Info("telegram: webhook set; updates arrive at the webhook handler", "url", t.webhookURL)
			<-ctx.Done()
		}
	} else if err == nil {
		err = t.poll(ctx)
	}
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// connect learns the bot's own name and publishes the command menu.
func (t *Telegram) connect(ctx context.Context) error {
	var user tgbotapi.User
	err := t.retry(ctx, func(ctx context.Context) error {
		raw, err := t.method(ctx, callTimeout, "getMe", nil)
		if err != nil && apiCode(err) == http.StatusUnauthorized {
			return fmt.Errorf("telegram: TELEGRAM_TOKEN was refused by Telegram (401 Unauthorized): check the token @BotFather gave you (/mybots, then API Token): %w", err)
		}
		if err != nil {
			return fmt.Errorf("telegram: get me: %w", err)
		}
		if err := json.Unmarshal(raw, &user); err != nil {
			return fmt.Errorf("telegram: get me: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	me := newSelf(user)
	if name, _ := BotName(t.api.Token); name != me.key && (t.limiter != nil || t.lease != nil) {
		t.log.Warn("telegram: getMe names another bot than the token does; the limits and the poller lease are kept under the token's", "bot", me.key, "token_bot", name)
	}
	if err := t.register(ctx, me); err != nil {
		return err
	}
	t.self.Store(me)
	t.log.Info("telegram: connected", "bot", "@"+user.UserName, "id", user.ID)
	t.setCommands(ctx)
	return nil
}

// register records in the store that it holds this bot's data, and says which bots' data it
// holds. Another bot's data is no harm, as everything is kept per bot, but is worth knowing;
// another bot whose tag is this one's would share its event ids, so the front end stops.
func (t *Telegram) register(ctx context.Context, me *self) error {
	var bots []string
	err := t.retry(ctx, func(ctx context.Context) (err error) {
		bots, err = t.state.RegisterBot(ctx, me.key, "@"+me.username)
		return err
	})
	if err != nil {
		return fmt.Errorf("telegram: register the bot in the store: %w", err)
	}
	t.log.Info("telegram: this Redis holds data for bots "+strings.Join(bots, ", "), "bot", me.key)
	for _, b := range bots {
		key, _, _ := strings.Cut(b, " ")
		if key == me.key || !strings.HasPrefix(key, "tg:") {
			continue
		}
		t.log.Warn("telegram: this Redis also holds another Telegram bot's data; each keeps its own offset and marks", "bot", me.key, "other", b)
		if id, err := strconv.ParseInt(strings.TrimPrefix(key, "tg:"), 10, 64); err == nil && botTag(id) == me.tag {
			return fmt.Errorf("telegram: bot %s and %s share the event tag %q in this Redis; give one of them its own Redis", me.key, b, me.tag)
		}
	}
	return nil
}

// setCommands publishes the command menu generated from the bot's command descriptions. A
// failure is logged, not fatal: Telegram keeps the previous menu.
func (t *Telegram) setCommands(ctx context.Context) {
	var menu []tgbotapi.BotCommand
	for _, c := range t.bot.Commands() {
		desc := strings.Join(strings.Fields(c.Summary), " ")
		switch {
		case !commands.ValidName(c.Name):
			t.log.Warn("telegram: command left out of the menu: names are 1-32 of a-z, 0-9 and _", "command", c.Name)
			continue
		case desc == "":
			t.log.Warn("telegram: command left out of the menu: it has no summary", "command", c.Name)
			continue
		case length(desc) > 256:
			t.log.Warn("telegram: command summary cut to 256 characters", "command", c.Name)
			desc = text.ClipUnits(desc, 256)
		}
		menu = append(menu, tgbotapi.BotCommand{Command: c.Name, Description: desc})
	}
	if len(menu) > 100 {
		t.log.Warn("telegram: only the first 100 commands fit the menu", "commands", len(menu))
		menu = menu[:100]
	}
	if err := t.request(ctx, callTimeout, tgbotapi.NewSetMyCommands(menu...)); err != nil {
		t.log.Warn("telegram: set command menu", "err", err)
	}
	t.setDescriptions(ctx, menu)
}

// setDescriptions sets what Telegram shows before a chat starts (the description, up to 512
// characters) and on the bot's profile (the short description, up to 120), from the command
// descriptions, so they say what the bot does in the words /help uses.
func (t *Telegram) setDescriptions(ctx context.Context, menu []tgbotapi.BotCommand) {
	var long strings.Builder
	long.WriteString("Micro-needling at home, from the guidance. What I can do:\n")
	var names []string
	for _, c := range menu {
		line := "/" + c.Command + " - " + c.Description + "\n"
		if length(long.String()+line) > 512 {
			break
		}
		long.WriteString(line)
		if c.Command != "start" && c.Command != "help" && len(names) < 4 {
			names = append(names, "/"+c.Command)
		}
	}
	short := text.ClipUnits("Micro-needling at home, from the guidance: "+strings.Join(names, ", ")+" and more.", 120)
	for method, params := range map[string]tgbotapi.Params{
		"setMyDescription":      {"description": strings.TrimRight(long.String(), "\n")},
		"setMyShortDescription": {"short_description": short},
	} {
		if _, err := t.method(ctx, callTimeout, method, params); err != nil {
			t.log.Warn("telegram: "+method, "err", err)
		}
	}
}

// validToken reports whether s has the shape of a bot token, "<digits>:<letters, digits, _ or ->";
// checking it keeps a stray character from breaking the URL the token is put into.
func validToken(s string) bool {
	id, key, ok := strings.Cut(s, ":")
	if !ok || id == "" || strings.Trim(id, "0123456789") != "" {
		return false
	}
	return validChars(key)
}

// validChars reports whether s is non-empty and only A-Z, a-z, 0-9, _ and -, the alphabet of
// token keys and of webhook secrets.
func validChars(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
