package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/discord"
	"github.com/needlebot/needlebot/internal/redistest"
)

const (
	goodTelegramToken = "123456789:AAF0abcdefghijklmnopqrstuvwxyz012345"
	goodDiscordToken  = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789"
	goodPublicKey     = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

func TestConfigValidation(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte(goodTelegramToken+"\n"), 0o600)
	badKB := filepath.Join(dir, "kb.md")
	os.WriteFile(badKB, []byte("## x\n\nno source\n"), 0o600)

	tests := []struct {
		name string
		env  env
		args []string
		bad  string // the variable named in the problem; "" when the configuration is good
		chk  func(t *testing.T, c config)
	}{
		{name: "empty is the console", env: env{}, chk: func(t *testing.T, c config) {
			if c.HTTPAddr != "" || !c.Dispatcher || c.DataDir != "data" || c.Snooze != 30*time.Minute || c.Grace != 2*time.Hour {
				t.Errorf("defaults: %+v", c)
			}
		}},
		{name: "TELEGRAM_TOKEN good", env: env{"TELEGRAM_TOKEN": goodTelegramToken}, chk: func(t *testing.T, c config) {
			if c.HTTPAddr != ":8080" || c.TelegramAPIURL != "https://api.telegram.org" {
				t.Errorf("a platform turns HTTP on at :8080: %+v", c)
			}
		}},
		{name: "TELEGRAM_TOKEN bad", env: env{"TELEGRAM_TOKEN": "not-a-token"}, bad: "TELEGRAM_TOKEN"},
		{name: "TELEGRAM_TOKEN_FILE good", env: env{"TELEGRAM_TOKEN_FILE": tokenFile}, chk: func(t *testing.T, c config) {
			if c.TelegramToken != goodTelegramToken {
				t.Errorf("token from file = %q", c.TelegramToken)
			}
		}},
		{name: "TELEGRAM_TOKEN_FILE missing", env: env{"TELEGRAM_TOKEN_FILE": filepath.Join(dir, "nope")}, bad: "TELEGRAM_TOKEN_FILE"},
		{name: "TELEGRAM_TOKEN and _FILE", env: env{"TELEGRAM_TOKEN": goodTelegramToken, "TELEGRAM_TOKEN_FILE": tokenFile}, bad: "TELEGRAM_TOKEN"},
		{name: "TELEGRAM_API_URL good", env: env{"TELEGRAM_TOKEN": goodTelegramToken, "TELEGRAM_API_URL": "http://localhost:8081/"}, chk: func(t *testing.T, c config) {
			if c.TelegramAPIURL != "http://localhost:8081" {
				t.Errorf("API URL = %q", c.TelegramAPIURL)
			}
		}},
		{name: "TELEGRAM_API_URL bad", env: env{"TELEGRAM_API_URL": "api.telegram.org"}, bad: "TELEGRAM_API_URL"},
		{name: "TELEGRAM_WEBHOOK_URL good", env: env{"TELEGRAM_TOKEN": goodTelegramToken, "TELEGRAM_WEBHOOK_URL": "https://bot.example/telegram/webhook", "TELEGRAM_WEBHOOK_SECRET": "s3cr3t_-x"}},
		{name: "TELEGRAM_WEBHOOK_URL not https", env: env{"TELEGRAM_TOKEN": goodTelegramToken, "TELEGRAM_WEBHOOK_URL": "http://bot.example/x", "TELEGRAM_WEBHOOK_SECRET": "s"}, bad: "TELEGRAM_WEBHOOK_URL"},
		{name: "TELEGRAM_WEBHOOK_SECRET missing", env: env{"TELEGRAM_TOKEN": goodTelegramToken, "TELEGRAM_WEBHOOK_URL": "https://bot.example/x"}, bad: "TELEGRAM_WEBHOOK_SECRET"},
		{name: "TELEGRAM_WEBHOOK_SECRET bad", env: env{"TELEGRAM_TOKEN": goodTelegramToken, "TELEGRAM_WEBHOOK_URL": "https://bot.example/x", "TELEGRAM_WEBHOOK_SECRET": "no spaces!"}, bad: "TELEGRAM_WEBHOOK_SECRET"},
		{name: "webhook without HTTP", env: env{"TELEGRAM_TOKEN": goodTelegramToken, "TELEGRAM_WEBHOOK_URL": "https://bot.example/x", "TELEGRAM_WEBHOOK_SECRET": "s", "HTTP_ADDR": "off"}, bad: "HTTP_ADDR"},
		{name: "TELEGRAM_RATE good", env: env{"TELEGRAM_RATE": "20", "TELEGRAM_CHAT_RATE": "0.5"}, chk: func(t *testing.T, c config) {
			if c.TelegramRate != 20 || c.TelegramChatRate != 0.5 {
				t.Errorf("rates %v %v", c.TelegramRate, c.TelegramChatRate)
			}
		}},
		{name: "TELEGRAM_RATE bad", env: env{"TELEGRAM_RATE": "-1"}, bad: "TELEGRAM_RATE"},
		{name: "TELEGRAM_CHAT_RATE bad", env: env{"TELEGRAM_CHAT_RATE": "fast"}, bad: "TELEGRAM_CHAT_RATE"},
		{name: "DISCORD_TOKEN good", env: env{"DISCORD_TOKEN": goodDiscordToken, "DISCORD_GUILD_ID": "123456789012345678", "DISCORD_PUBLIC_KEY": goodPublicKey}},
		{name: "DISCORD_TOKEN bad", env: env{"DISCORD_TOKEN": "short token"}, bad: "DISCORD_TOKEN"},
		{name: "DISCORD_TOKEN_FILE good", env: env{"DISCORD_TOKEN_FILE": writeFile(t, dir, "dc", goodDiscordToken)}},
		{name: "DISCORD_GUILD_ID bad", env: env{"DISCORD_TOKEN": goodDiscordToken, "DISCORD_GUILD_ID": "guild"}, bad: "DISCORD_GUILD_ID"},
		{name: "DISCORD_GUILD_ID without token", env: env{"DISCORD_GUILD_ID": "123456789012345678"}, bad: "DISCORD_TOKEN"},
		{name: "DISCORD_API_URL bad", env: env{"DISCORD_API_URL": "ftp://proxy"}, bad: "DISCORD_API_URL"},
		{name: "DISCORD_PUBLIC_KEY bad", env: env{"DISCORD_TOKEN": goodDiscordToken, "DISCORD_PUBLIC_KEY": "abc"}, bad: "DISCORD_PUBLIC_KEY"},
		{name: "DISCORD_SHARDS default", env: env{"DISCORD_TOKEN": goodDiscordToken}, chk: func(t *testing.T, c config) {
			if c.DiscordShards != 1 {
				t.Errorf("shards %d, want 1", c.DiscordShards)
			}
		}},
		{name: "DISCORD_SHARDS good", env: env{"DISCORD_TOKEN": goodDiscordToken, "DISCORD_SHARDS": "64"}, chk: func(t *testing.T, c config) {
			if c.DiscordShards != 64 {
				t.Errorf("shards %d, want 64", c.DiscordShards)
			}
		}},
		{name: "DISCORD_SHARDS auto", env: env{"DISCORD_TOKEN": goodDiscordToken, "DISCORD_SHARDS": "Auto"}, chk: func(t *testing.T, c config) {
			if c.DiscordShards != discord.AutoShards {
				t.Errorf("shards %d, want discord.AutoShards", c.DiscordShards)
			}
		}},
		{name: "DISCORD_SHARDS zero", env: env{"DISCORD_TOKEN": goodDiscordToken, "DISCORD_SHARDS": "0"}, bad: "DISCORD_SHARDS"},
		{name: "DISCORD_SHARDS negative", env: env{"DISCORD_TOKEN": goodDiscordToken, "DISCORD_SHARDS": "-1"}, bad: "DISCORD_SHARDS"},
		{name: "DISCORD_SHARDS too many", env: env{"DISCORD_TOKEN": goodDiscordToken, "DISCORD_SHARDS": "65"}, bad: "DISCORD_SHARDS"},
		{name: "DISCORD_SHARDS not a number", env: env{"DISCORD_TOKEN": goodDiscordToken, "DISCORD_SHARDS": "lots"}, bad: "DISCORD_SHARDS"},
		{name: "DISCORD_SHARDS without token", env: env{"DISCORD_SHARDS": "2"}, bad: "DISCORD_TOKEN"},
		{name: "REDIS_URL good", env: env{"REDIS_URL": "redis://user:pw@redis:6379/1"}},
		{name: "REDIS_URL sentinel", env: env{"REDIS_URL": "redis://s1:26379?master_name=m&addr=s2:26379"}},
		{name: "REDIS_URL bad", env: env{"REDIS_URL": "localhost:6379"}, bad: "REDIS_URL"},
		{name: "BOT_DATA_DIR", env: env{"BOT_DATA_DIR": "/var/lib/needlebot"}, chk: func(t *testing.T, c config) {
			if c.DataDir != "/var/lib/needlebot" {
				t.Errorf("data dir %q", c.DataDir)
			}
		}},
		{name: "BOT_SECRET good", env: env{"BOT_SECRET": strings.Repeat("k", 32)}},
		{name: "BOT_SECRET short", env: env{"BOT_SECRET": "short"}, bad: "BOT_SECRET"},
		{name: "BOT_SECRET_FILE good", env: env{"BOT_SECRET_FILE": writeFile(t, dir, "secret", strings.Repeat("s", 40))}},
		{name: "BOT_KB_FILE bad", env: env{"BOT_KB_FILE": badKB}, bad: "BOT_KB_FILE"},
		{name: "BOT_KB_FILE missing", env: env{"BOT_KB_FILE": filepath.Join(dir, "none.md")}, bad: "BOT_KB_FILE"},
		{name: "BOT_DISPATCHER off", env: env{"BOT_DISPATCHER": "off"}, chk: func(t *testing.T, c config) {
			if c.Dispatcher {
				t.Error("dispatcher on")
			}
		}},
		{name: "BOT_DISPATCHER bad", env: env{"BOT_DISPATCHER": "maybe"}, bad: "BOT_DISPATCHER"},
		{name: "REMIND_SNOOZE good", env: env{"REMIND_SNOOZE": "10m"}},
		{name: "REMIND_SNOOZE bad", env: env{"REMIND_SNOOZE": "10"}, bad: "REMIND_SNOOZE"},
		{name: "REMIND_SNOOZE too long", env: env{"REMIND_SNOOZE": "48h"}, bad: "REMIND_SNOOZE"},
		{name: "REMIND_GRACE good", env: env{"REMIND_GRACE": "0s"}},
		{name: "REMIND_GRACE bad", env: env{"REMIND_GRACE": "-1h"}, bad: "REMIND_GRACE"},
		{name: "HTTP_ADDR good", env: env{"HTTP_ADDR": "127.0.0.1:9090"}, chk: func(t *testing.T, c config) {
			if c.HTTPAddr != "127.0.0.1:9090" {
				t.Errorf("addr %q", c.HTTPAddr)
			}
		}},
		{name: "HTTP_ADDR off", env: env{"TELEGRAM_TOKEN": goodTelegramToken, "HTTP_ADDR": "off"}, chk: func(t *testing.T, c config) {
			if c.HTTPAddr != "" {
				t.Errorf("addr %q, want off", c.HTTPAddr)
			}
		}},
		{name: "HTTP_ADDR bad", env: env{"HTTP_ADDR": "8080"}, bad: "HTTP_ADDR"},
		{name: "HTTP_ADDR bad port", env: env{"HTTP_ADDR": ":99999"}, bad: "HTTP_ADDR"},
		{name: "LOG_LEVEL good", env: env{"LOG_LEVEL": "DEBUG"}},
		{name: "LOG_LEVEL bad", env: env{"LOG_LEVEL": "loud"}, bad: "LOG_LEVEL"},
		{name: "LOG_FORMAT good", env: env{"LOG_FORMAT": "json"}},
		{name: "LOG_FORMAT bad", env: env{"LOG_FORMAT": "xml"}, bad: "LOG_FORMAT"},
		{name: "flags win over the environment", env: env{"LOG_LEVEL": "loud"}, args: []string{"--log-level=warn", "--redis-url", "redis://h:6379"}, chk: func(t *testing.T, c config) {
			if c.RedisURL != "redis://h:6379" {
				t.Errorf("flag ignored: %+v", c)
			}
		}},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		for k := range tt.env {
			covered[k] = true
		}
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := loadConfig("run", tt.args, tt.env.get, io.Discard, false)
			if tt.bad == "" {
				if err != nil {
					t.Fatalf("rejected a good configuration: %v", err)
				}
				if tt.chk != nil {
					tt.chk(t, c)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.bad+":") {
				t.Fatalf("error %v, want a problem with %s", err, tt.bad)
			}
		})
	}
	for _, s := range settings {
		if !covered[s.env] {
			t.Errorf("no test case sets %s", s.env)
		}
		if s.file && !covered[s.env+"_FILE"] {
			t.Errorf("no test case sets %s_FILE", s.env)
		}
	}
}

// TestDiscordShardsMessage: a bad DISCORD_SHARDS is refused with a message that names it,
// the value and what it takes.
func TestDiscordShardsMessage(t *testing.T) {
	for _, v := range []string{"0", "-1", "65", "lots"} {
		_, _, err := loadConfig("run", nil, env{"DISCORD_TOKEN": goodDiscordToken, "DISCORD_SHARDS": v}.get, io.Discard, false)
		want := `DISCORD_SHARDS: "` + v + `" is not a number of shards from 1 to 64, or auto`
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("DISCORD_SHARDS=%s: error %v, want %q", v, err, want)
		}
	}
}

// TestDiscordShardsHeldOnceAcrossInstances: two instances configured with DISCORD_SHARDS=2 on
// one Redis run two shards under leases that are one per shard and shared by the instances:
// each shard is held by one of them, never both. (internal/discord's TestShardsEachHeldOnce
// runs the gateways themselves under such leases.)
func TestDiscordShardsHeldOnceAcrossInstances(t *testing.T) {
	srv := redistest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var insts [2]discord.Config
	for i := range insts {
		c, _, err := loadConfig("run", nil, env{"DISCORD_TOKEN": goodDiscordToken, "DISCORD_SHARDS": "2", "REDIS_URL": srv.URL()}.get, io.Discard, false)
		if err != nil {
			t.Fatal(err)
		}
		if insts[i], _, err = discordShared(srv.Client(), c); err != nil {
			t.Fatal(err)
		}
		if insts[i].Shards != 2 || insts[i].Lease == nil {
			t.Fatalf("instance %d: %d shards, lease %v; want 2 shards under leases", i, insts[i].Shards, insts[i].Lease != nil)
		}
	}
	keys := map[string]bool{}
	for n := range 2 {
		first, second := insts[n%2].Lease(n), insts[1-n%2].Lease(n) // each instance asks first for one shard
		if first.Key() != second.Key() {
			t.Fatalf("shard %d: the instances' leases are %s and %s, want one", n, first.Key(), second.Key())
		}
		keys[first.Key()] = true
		held1, _, err1 := first.TryAcquire(ctx)
		held2, _, err2 := second.TryAcquire(ctx)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !held1 || held2 {
			t.Errorf("shard %d: held by the first instance %v, by the second %v; want the first only", n, held1, held2)
		}
	}
	if len(keys) != 2 {
		t.Errorf("lease keys %v, want one per shard", keys)
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigListsEveryProblemAtOnce(t *testing.T) {
	r := runBot(t, env{"TELEGRAM_API_URL": "nope", "LOG_LEVEL": "loud", "REMIND_GRACE": "x", "BOT_SECRET": "short"}, "", "config", "check")
	if exitCode(r.err) != 1 {
		t.Fatalf("exit %d, want 1", exitCode(r.err))
	}
	for _, want := range []string{"4 problem(s)", "TELEGRAM_API_URL: not a URL", "LOG_LEVEL:", "REMIND_GRACE:", "BOT_SECRET:"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("config check output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "short") {
		t.Errorf("a secret's value is printed:\n%s", r.stdout)
	}
}

func TestConfigCheckMasksSecrets(t *testing.T) {
	r := runBot(t, env{"TELEGRAM_TOKEN": goodTelegramToken, "DISCORD_TOKEN": goodDiscordToken, "REDIS_URL": "redis://u:hunter2hunter2@redis:6379"}, "", "config", "check")
	if r.err != nil {
		t.Fatal(r.err)
	}
	for _, secret := range []string{goodTelegramToken, "AAF0", goodDiscordToken, "hunter2"} {
		if strings.Contains(r.stdout, secret) {
			t.Errorf("config check shows %q:\n%s", secret, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "configuration ok") || !strings.Contains(r.stdout, "telegram:   on (polling") {
		t.Errorf("output:\n%s", r.stdout)
	}
}

// TestEnvExampleDocumentsEverySetting keeps .env.example in step with the settings table.
func TestEnvExampleDocumentsEverySetting(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range settings {
		if !strings.Contains(string(data), s.env+"=") {
			t.Errorf(".env.example does not document %s", s.env)
		}
		if s.file && !strings.Contains(string(data), s.env+"_FILE") {
			t.Errorf(".env.example does not mention %s_FILE", s.env)
		}
	}
}

func TestConsoleIgnoresPlatformSettings(t *testing.T) {
	e := env{"TELEGRAM_TOKEN": goodTelegramToken, "TELEGRAM_WEBHOOK_URL": "https://x.example/telegram/webhook", "DISCORD_TOKEN": "bad token"}
	c, _, err := loadConfig("console", nil, e.get, io.Discard, true)
	if err != nil {
		t.Fatalf("bot console rejected platform settings it does not use: %v", err)
	}
	if c.TelegramToken != "" || c.DiscordToken != "" || c.HTTPAddr != "" {
		t.Errorf("bot console would start platforms or HTTP: %+v", c)
	}
}

// TestConfigCheckSaysTheShards: bot config check says how many gateway shards Discord runs.
func TestConfigCheckSaysTheShards(t *testing.T) {
	for v, want := range map[string]string{"1": "1 gateway shard,", "3": "3 gateway shards,", "auto": "gateway shards as Discord recommends,"} {
		c, _, err := loadConfig("run", nil, env{"DISCORD_TOKEN": goodDiscordToken, "DISCORD_SHARDS": v}.get, io.Discard, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.describe(); !strings.Contains(got, want) {
			t.Errorf("DISCORD_SHARDS=%s: config check lacks %q:\n%s", v, want, got)
		}
	}
}
