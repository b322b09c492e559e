package main

import (
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/needlebot/needlebot/internal/discord"
	"github.com/needlebot/needlebot/internal/kb"
	"github.com/needlebot/needlebot/internal/store"
)

// config is everything the bot reads from its environment and flags.
type config struct {
	TelegramToken, TelegramAPIURL, TelegramWebhookURL, TelegramWebhookSecret string
	TelegramRate, TelegramChatRate                                           float64
	DiscordToken, DiscordGuildID, DiscordAPIURL, DiscordPublicKey            string
	DiscordShards                                                            int // 1 to maxDiscordShards, or discord.AutoShards
	RedisURL, DataDir, Secret, KBFile                                        string
	Dispatcher                                                               bool
	Snooze, Grace                                                            time.Duration
	HTTPAddr                                                                 string // "" when off
	LogLevel                                                                 slog.Level
	LogFormat                                                                string // auto, json or text
}

// setting is one configuration variable: its environment name, default and meaning. Every
// setting is also a flag: TELEGRAM_TOKEN is --telegram-token.
type setting struct {
	env, def, help string
	secret         bool
	file           bool // may also come from ENV_FILE, a file holding the value
}

// settings lists every variable; .env.example and the README document exactly these, and a
// test keeps them in step.
var settings = []setting{
	{env: "TELEGRAM_TOKEN", help: "bot token from @BotFather; enables Telegram", secret: true, file: true},
	{env: "TELEGRAM_API_URL", def: "https://api.telegram.org", help: "Bot API base URL (a Local Bot API Server works)"},
	{env: "TELEGRAM_WEBHOOK_URL", help: "public HTTPS URL for updates (ending in /telegram/webhook); unset: long polling"},
	{env: "TELEGRAM_WEBHOOK_SECRET", help: "secret token Telegram sends with each webhook update", secret: true},
	{env: "TELEGRAM_RATE", def: "30", help: "messages per second the bot sends to Telegram, replies and reminders, across every instance"},
	{env: "TELEGRAM_CHAT_RATE", def: "1", help: "messages per second to one Telegram chat, across every instance (groups also 20 a minute)"},
	{env: "DISCORD_TOKEN", help: "bot token from the Developer Portal; enables Discord", secret: true, file: true},
	{env: "DISCORD_GUILD_ID", help: "register slash commands in this server only (instant, for development)"},
	{env: "DISCORD_API_URL", def: "https://discord.com", help: "REST base URL (a Discord REST proxy works)"},
	{env: "DISCORD_PUBLIC_KEY", help: "application public key (hex); serves /discord/interactions"},
	{env: "DISCORD_SHARDS", def: "1", help: "gateway shards, 1 to 64, or auto for Discord's recommended count; each held by one instance at a time"},
	{env: "REDIS_URL", help: "redis://, rediss://, Sentinel or Cluster URL; unset: the embedded store", secret: true},
	{env: "BOT_DATA_DIR", def: "data", help: "where the embedded store keeps its snapshot and journals (needlebot.json, needlebot.<n>.journal)"},
	{env: "BOT_SECRET", help: "at least 32 characters that sign buttons; unset: a key kept in the store", secret: true, file: true},
	{env: "BOT_KB_FILE", help: "knowledge-base file instead of the built-in one"},
	{env: "BOT_DISPATCHER", def: "on", help: "on or off: off for instances that only answer"},
	{env: "REMIND_SNOOZE", def: "30m", help: "how long the reminder's Snooze button waits"},
	{env: "REMIND_GRACE", def: "2h", help: "a reminder missed by less is still sent after downtime, marked late"},
	{env: "HTTP_ADDR", help: "health, metrics and webhooks; default :8080 when a platform is on, else off; off disables"},
	{env: "LOG_LEVEL", def: "info", help: "debug, info, warn or error (warn on the console)"},
	{env: "LOG_FORMAT", def: "auto", help: "auto, json or text (auto: text on a terminal, JSON otherwise)"},
}

func flagName(env string) string { return strings.ReplaceAll(strings.ToLower(env), "_", "-") }

// configProblems is every problem found in the configuration; start-up lists them all at once.
type configProblems []string

func (p configProblems) Error() string {
	return "configuration has " + strconv.Itoa(len(p)) + " problem(s):\n  " + strings.Join(p, "\n  ")
}

var (
	telegramTokenPattern = regexp.MustCompile(`^[0-9]{3,20}:[A-Za-z0-9_-]{30,64}$`)
	webhookSecretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	snowflakePattern     = regexp.MustCompile(`^[0-9]{15,21}$`)
)

// maxDiscordShards is the most DISCORD_SHARDS takes as a number: 160,000 servers. auto takes
// whatever Discord recommends.
const maxDiscordShards = 64

// loadConfig reads flags (which win) and the environment, and checks every value. consoleOnly
// (bot console) ignores the platform settings, so their defaults (HTTP on :8080) do not apply.
func loadConfig(name string, args []string, getenv func(string) string, stderr io.Writer, consoleOnly bool) (config, []string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	flags := map[string]*string{}
	for _, s := range settings {
		flags[s.env] = fs.String(flagName(s.env), "", s.help+" (env "+s.env+")")
		if s.file {
			flags[s.env+"_FILE"] = fs.String(flagName(s.env+"_FILE"), "", "file holding "+s.env+" (env "+s.env+"_FILE)")
		}
	}
	if err := fs.Parse(args); err != nil {
		return config{}, nil, flagError(err)
	}
	var probs configProblems
	bad := func(env, format string, a ...any) { probs = append(probs, env+": "+fmt.Sprintf(format, a...)) }
	get := func(env string) string {
		if v := *flags[env]; v != "" {
			return v
		}
		return getenv(env)
	}
	val := func(s setting) string {
		v := strings.TrimSpace(get(s.env))
		if s.file {
			if path := get(s.env + "_FILE"); path != "" {
				if v != "" {
					bad(s.env, "set both it and %s_FILE; use one", s.env)
				}
				data, err := os.ReadFile(path)
				if err != nil {
					bad(s.env+"_FILE", "cannot read %s: %v", path, errors.Unwrap(err))
				}
				v = strings.TrimSpace(string(data))
			}
		}
		if v == "" {
			return s.def
		}
		return v
	}
	values := map[string]string{}
	for _, s := range settings {
		if consoleOnly && (strings.HasPrefix(s.env, "TELEGRAM_") || strings.HasPrefix(s.env, "DISCORD_")) {
			values[s.env] = s.def
			continue
		}
		values[s.env] = val(s)
	}
	var c config

	c.TelegramToken = values["TELEGRAM_TOKEN"]
	if c.TelegramToken != "" && !telegramTokenPattern.MatchString(c.TelegramToken) {
		bad("TELEGRAM_TOKEN", "not a bot token (digits, a colon, then 30+ letters, digits, _ or -)")
	}
	c.TelegramAPIURL = checkURL(values, "TELEGRAM_API_URL", false, bad)
	c.TelegramWebhookURL = checkURL(values, "TELEGRAM_WEBHOOK_URL", true, bad)
	c.TelegramWebhookSecret = values["TELEGRAM_WEBHOOK_SECRET"]
	switch {
	case c.TelegramWebhookURL != "" && c.TelegramWebhookSecret == "":
		bad("TELEGRAM_WEBHOOK_SECRET", "required with TELEGRAM_WEBHOOK_URL")
	case c.TelegramWebhookSecret != "" && !webhookSecretPattern.MatchString(c.TelegramWebhookSecret):
		bad("TELEGRAM_WEBHOOK_SECRET", "1 to 256 characters from A-Z, a-z, 0-9, _ and -")
	}
	if (c.TelegramWebhookURL != "" || c.TelegramWebhookSecret != "") && c.TelegramToken == "" {
		bad("TELEGRAM_TOKEN", "required when a Telegram webhook is configured")
	}
	c.TelegramRate = checkRate(values, "TELEGRAM_RATE", bad)
	c.TelegramChatRate = checkRate(values, "TELEGRAM_CHAT_RATE", bad)

	c.DiscordToken = values["DISCORD_TOKEN"]
	if c.DiscordToken != "" && (len(c.DiscordToken) < 30 || strings.ContainsAny(c.DiscordToken, " \t\n")) {
		bad("DISCORD_TOKEN", "not a bot token")
	}
	c.DiscordGuildID = values["DISCORD_GUILD_ID"]
	if c.DiscordGuildID != "" && !snowflakePattern.MatchString(c.DiscordGuildID) {
		bad("DISCORD_GUILD_ID", "not a Discord id (15 to 21 digits)")
	}
	c.DiscordAPIURL = checkURL(values, "DISCORD_API_URL", false, bad)
	c.DiscordPublicKey = values["DISCORD_PUBLIC_KEY"]
	if k, err := hex.DecodeString(c.DiscordPublicKey); c.DiscordPublicKey != "" && (err != nil || len(k) != 32) {
		bad("DISCORD_PUBLIC_KEY", "not an Ed25519 public key (64 hex digits)")
	}
	c.DiscordShards = checkShards(values, "DISCORD_SHARDS", bad)
	for _, env := range []string{"DISCORD_GUILD_ID", "DISCORD_PUBLIC_KEY", "DISCORD_SHARDS"} {
		if values[env] != "" && values[env] != defaultOf(env) && c.DiscordToken == "" {
			bad("DISCORD_TOKEN", "required when %s is set", env)
		}
	}

	c.RedisURL = values["REDIS_URL"]
	if c.RedisURL != "" {
		if _, err := store.ParseURL(c.RedisURL); err != nil {
			bad("REDIS_URL", "%s", strings.TrimPrefix(err.Error(), "store: REDIS_URL: "))
		}
	}
	c.DataDir = values["BOT_DATA_DIR"]
	c.Secret = values["BOT_SECRET"]
	if c.Secret != "" && len(c.Secret) < 32 {
		bad("BOT_SECRET", "must be at least 32 characters")
	}
	c.KBFile = values["BOT_KB_FILE"]
	if c.KBFile != "" {
		if _, err := kb.Load(c.KBFile); err != nil {
			bad("BOT_KB_FILE", "%v", err)
		}
	}
	switch strings.ToLower(values["BOT_DISPATCHER"]) {
	case "on", "true", "1", "yes":
		c.Dispatcher = true
	case "off", "false", "0", "no":
	default:
		bad("BOT_DISPATCHER", "%q is not on or off", values["BOT_DISPATCHER"])
	}
	c.Snooze = checkDuration(values, "REMIND_SNOOZE", time.Minute, 12*time.Hour, bad)
	c.Grace = checkDuration(values, "REMIND_GRACE", 0, 24*time.Hour, bad)

	c.HTTPAddr = values["HTTP_ADDR"]
	switch {
	case c.HTTPAddr == "off":
		c.HTTPAddr = ""
	case c.HTTPAddr == "" && (c.TelegramToken != "" || c.DiscordToken != ""):
		c.HTTPAddr = ":8080"
	case c.HTTPAddr != "":
		if _, port, err := net.SplitHostPort(c.HTTPAddr); err != nil || !validPort(port) {
			bad("HTTP_ADDR", "%q is not host:port (like :8080 or 127.0.0.1:8080) or off", c.HTTPAddr)
		}
	}
	if c.HTTPAddr == "" {
		if c.TelegramWebhookURL != "" {
			bad("HTTP_ADDR", "a Telegram webhook needs the HTTP server; it is off")
		}
		if c.DiscordPublicKey != "" {
			bad("HTTP_ADDR", "the Discord interactions endpoint needs the HTTP server; it is off")
		}
	}
	if err := c.LogLevel.UnmarshalText([]byte(strings.ToUpper(values["LOG_LEVEL"]))); err != nil {
		bad("LOG_LEVEL", "%q is not debug, info, warn or error", values["LOG_LEVEL"])
	}
	c.LogFormat = strings.ToLower(values["LOG_FORMAT"])
	if c.LogFormat != "auto" && c.LogFormat != "json" && c.LogFormat != "text" {
		bad("LOG_FORMAT", "%q is not auto, json or text", values["LOG_FORMAT"])
	}
	if len(probs) > 0 {
		return c, fs.Args(), probs
	}
	return c, fs.Args(), nil
}

func checkURL(values map[string]string, env string, httpsOnly bool, bad func(string, string, ...any)) string {
	v := values[env]
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || (u.Scheme != "https" && (httpsOnly || u.Scheme != "http")) {
		if httpsOnly {
			bad(env, "not an https:// URL")
		} else {
			bad(env, "not a URL")
		}
		return v
	}
	return strings.TrimRight(v, "/")
}

func checkRate(values map[string]string, env string, bad func(string, string, ...any)) float64 {
	r, err := strconv.ParseFloat(values[env], 64)
	if err != nil || r <= 0 || r > 1000 {
		bad(env, "%q is not a rate between 0 and 1000 messages a second", values[env])
	}
	return r
}

// checkShards reads a shard count: auto (discord.AutoShards) or 1 to maxDiscordShards.
func checkShards(values map[string]string, env string, bad func(string, string, ...any)) int {
	v := values[env]
	if strings.EqualFold(v, "auto") {
		return discord.AutoShards
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxDiscordShards {
		bad(env, "%q is not a number of shards from 1 to %d, or auto (Discord's recommended count)", v, maxDiscordShards)
		return 1
	}
	return n
}

// defaultOf is the setting's default value.
func defaultOf(env string) string {
	for _, s := range settings {
		if s.env == env {
			return s.def
		}
	}
	return ""
}

func checkDuration(values map[string]string, env string, lo, hi time.Duration, bad func(string, string, ...any)) time.Duration {
	d, err := time.ParseDuration(values[env])
	if err != nil || d < lo || d > hi {
		bad(env, "%q is not a duration from %s to %s (like 30m or 2h)", values[env], lo, hi)
	}
	return d
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 0 && n <= 65535
}

// secrets returns the configured secret values, so logging can redact them wherever they appear.
func (c config) secrets() []string {
	var out []string
	for _, s := range []string{c.TelegramToken, c.TelegramWebhookSecret, c.DiscordToken, c.Secret} {
		if s != "" {
			out = append(out, s)
		}
	}
	if u, err := url.Parse(c.RedisURL); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			out = append(out, p)
		}
	}
	return out
}

// describe summarises the configuration for `bot config check`, with every secret masked.
func (c config) describe() string {
	on := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	mode := "polling, one instance at a time"
	if c.TelegramWebhookURL != "" {
		mode = "webhook " + c.TelegramWebhookURL
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "telegram:   %s", on(c.TelegramToken != ""))
	if c.TelegramToken != "" {
		fmt.Fprintf(&sb, " (%s, API %s, token %s, at most %g/s overall and %g/s per chat across every instance)", mode, c.TelegramAPIURL, mask(c.TelegramToken), c.TelegramRate, c.TelegramChatRate)
	}
	fmt.Fprintf(&sb, "\ndiscord:    %s", on(c.DiscordToken != ""))
	if c.DiscordToken != "" {
		scope := "global commands"
		if c.DiscordGuildID != "" {
			scope = "commands in guild " + c.DiscordGuildID
		}
		shards := "1 gateway shard"
		switch {
		case c.DiscordShards == discord.AutoShards:
			shards = "gateway shards as Discord recommends"
		case c.DiscordShards > 1:
			shards = strconv.Itoa(c.DiscordShards) + " gateway shards"
		}
		fmt.Fprintf(&sb, " (%s, %s, each held by one instance at a time, API %s, token %s, HTTP interactions %s)", scope, shards, c.DiscordAPIURL, mask(c.DiscordToken), on(c.DiscordPublicKey != ""))
	}
	fmt.Fprintf(&sb, "\nconsole:    %s", on(c.TelegramToken == "" && c.DiscordToken == ""))
	if c.RedisURL != "" {
		fmt.Fprintf(&sb, "\nstore:      redis %s", redactURL(c.RedisURL))
	} else {
		fmt.Fprintf(&sb, "\nstore:      embedded, in %s", c.DataDir)
	}
	fmt.Fprintf(&sb, "\ndispatcher: %s (snooze %s, grace %s)", on(c.Dispatcher), c.Snooze, c.Grace)
	addr := c.HTTPAddr
	if addr == "" {
		addr = "off"
	}
	fmt.Fprintf(&sb, "\nhttp:       %s\nlogs:       %s, %s\n", addr, c.LogLevel, c.LogFormat)
	return sb.String()
}

// mask shows that a secret is set, and nothing of it.
func mask(s string) string {
	return "set, " + strconv.Itoa(len(s)) + " characters"
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}
