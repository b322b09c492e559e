package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/redis/go-redis/v9"
)

// Limits bound what one owner can store and how fast.
type Limits struct {
	Sessions   int           // sessions kept per owner
	Reminders  int           // reminders per owner
	Writes     int           // writes per owner per window
	Window     time.Duration // the rate-limit window
	Idempotent time.Duration // how long an event id keeps a write from repeating
}

// DefaultLimits are generous for people and tight for scripts.
var DefaultLimits = Limits{Sessions: 10000, Reminders: 5, Writes: 30, Window: time.Minute, Idempotent: 48 * time.Hour}

// Store is needlebot's data in Redis. It is safe for concurrent use.
type Store struct {
	rdb    redis.UniversalClient
	limits Limits
	now    func() time.Time
	// gate and committed are what a backend needs around a write: the embedded store journals
	// each write command itself, before applying it (see Embedded), so for every backend
	// nothing holds gate for writing and committed returns nil. They are kept as the one
	// place to add such a step.
	gate      sync.RWMutex
	committed func(context.Context) error
	// fault, when set (by tests), is called at each step of a link and may stop it there, as
	// a crash would.
	fault func(step string) error
}

// step reports a step of a multi-step write to the fault hook.
func (s *Store) step(name string) error {
	if s.fault == nil {
		return nil
	}
	return s.fault(name)
}

// write runs one write and, when it succeeded, makes it durable. On the embedded store every
// command fn sends is in the journal, synced, before it is applied, so durability is already
// there when fn returns.
func write[T any](ctx context.Context, s *Store, fn func() (T, error)) (T, error) {
	s.gate.RLock()
	v, err := fn()
	s.gate.RUnlock()
	if err != nil {
		return v, err
	}
	return v, s.committed(ctx)
}

var _ domain.Store = (*Store)(nil)

// Option configures a Store.
type Option func(*Store)

// WithLimits replaces DefaultLimits.
func WithLimits(l Limits) Option { return func(s *Store) { s.limits = l } }

// WithClock sets the clock used for rate limits and idempotency expiry.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// New returns a Store over an existing client.
func New(rdb redis.UniversalClient, opts ...Option) *Store {
	s := &Store{rdb: rdb, limits: DefaultLimits, now: time.Now, committed: func(context.Context) error { return nil }}
	for _, o := range opts {
		o(s)
	}
	return s
}

// ParseURL turns REDIS_URL into client options. It accepts:
//
//   - one server: redis://[user:password@]host:6379[/db], or rediss:// for TLS (go-redis
//     ParseURL);
//   - Sentinel: redis://[user:password@]sentinel1:26379?master_name=mymaster&addr=sentinel2:26379
//     (go-redis ParseFailoverURL);
//   - Cluster: redis://[user:password@]node1:6379?addr=node2:6379&addr=node3:6379 (go-redis
//     ParseClusterURL), or one seed node with cluster=true.
func ParseURL(raw string) (*redis.UniversalOptions, error) {
	o, err := parseURL(raw)
	if err != nil {
		return nil, err
	}
	return failFast(o), nil
}

// With Redis unreachable a user should hear "can't save right now" at once, not after
// go-redis's defaults have retried: 3 retries of a command, each dialling up to 5 times 100 ms
// apart, took about 1.7 s a command with the connection refused, and one message makes several.
// These allow one retry (a connection dropped by a failover or an idle timeout) and two dials
// 50 ms apart: about 0.12 s a command. A dial_timeout or max_retries in REDIS_URL wins.
const (
	failFastDialTimeout = 2 * time.Second
	failFastRetries     = 1
	failFastDials       = 2
	failFastDialWait    = 50 * time.Millisecond
)

func failFast(o *redis.UniversalOptions) *redis.UniversalOptions {
	if o.DialTimeout == 0 {
		o.DialTimeout = failFastDialTimeout
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = failFastRetries
	}
	o.DialerRetries, o.DialerRetryTimeout = failFastDials, failFastDialWait
	return o
}

func parseURL(raw string) (*redis.UniversalOptions, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return nil, errors.New("store: REDIS_URL: not a redis:// or rediss:// URL")
	}
	q := u.Query()
	cluster := q.Get("cluster") == "true" || q.Get("cluster") == "1"
	q.Del("cluster")
	u.RawQuery = q.Encode()
	switch {
	case q.Has("master_name"):
		fo, err := redis.ParseFailoverURL(u.String())
		if err != nil {
			return nil, fmt.Errorf("store: REDIS_URL: %w", redact(err, raw))
		}
		return &redis.UniversalOptions{
			Addrs: fo.SentinelAddrs, MasterName: fo.MasterName, SentinelUsername: fo.SentinelUsername,
			SentinelPassword: fo.SentinelPassword, Username: fo.Username, Password: fo.Password, DB: fo.DB,
			TLSConfig: fo.TLSConfig, DialTimeout: fo.DialTimeout, ReadTimeout: fo.ReadTimeout,
			WriteTimeout: fo.WriteTimeout, PoolSize: fo.PoolSize, ClientName: fo.ClientName,
			MaxRetries: fo.MaxRetries,
		}, nil
	case q.Has("addr") || cluster:
		co, err := redis.ParseClusterURL(u.String())
		if err != nil {
			return nil, fmt.Errorf("store: REDIS_URL: %w", redact(err, raw))
		}
		return &redis.UniversalOptions{
			Addrs: co.Addrs, IsClusterMode: true, Username: co.Username, Password: co.Password,
			TLSConfig: co.TLSConfig, DialTimeout: co.DialTimeout, ReadTimeout: co.ReadTimeout,
			WriteTimeout: co.WriteTimeout, PoolSize: co.PoolSize, ClientName: co.ClientName,
			MaxRetries: co.MaxRetries,
		}, nil
	}
	o, err := redis.ParseURL(u.String())
	if err != nil {
		return nil, fmt.Errorf("store: REDIS_URL: %w", redact(err, raw))
	}
	return &redis.UniversalOptions{
		Addrs: []string{o.Addr}, DB: o.DB, Username: o.Username, Password: o.Password,
		TLSConfig: o.TLSConfig, DialTimeout: o.DialTimeout, ReadTimeout: o.ReadTimeout,
		WriteTimeout: o.WriteTimeout, PoolSize: o.PoolSize, ClientName: o.ClientName,
		MaxRetries: o.MaxRetries,
	}, nil
}

// redact keeps a password in REDIS_URL out of error messages.
func redact(err error, url string) error {
	msg := err.Error()
	if i := strings.Index(url, "://"); i >= 0 {
		if at := strings.LastIndex(url, "@"); at > i {
			if creds := url[i+3 : at]; creds != "" {
				msg = strings.ReplaceAll(msg, creds, "<redacted>")
			}
		}
	}
	return errors.New(msg)
}

// Dial connects to REDIS_URL and checks the connection.
func Dial(ctx context.Context, url string, opts ...Option) (*Store, error) {
	uo, err := ParseURL(url)
	if err != nil {
		return nil, err
	}
	rdb := redis.NewUniversalClient(uo)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("store: connect to redis: %w", unavailable(err))
	}
	return New(rdb, opts...), nil
}

// Close closes the connection.
func (s *Store) Close() error { return s.rdb.Close() }

// Ping reports whether Redis answers; /readyz uses it.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return unavailable(err)
	}
	return nil
}

// Client returns the underlying client, for the reminder queue and tests.
func (s *Store) Client() redis.UniversalClient { return s.rdb }

// unavailable marks a failure to reach Redis; the user hears "can't save right now".
func unavailable(err error) error { return domain.Unavailable(err) }

// keys are the names of one owner's keys.
type keys struct {
	profile, sessions, byTime, byOrder, usage, idem, idemTime, reminders, writes, floating, idents, attempts, ask string
}

func ownerKeys(owner domain.Owner) (keys, error) {
	if !owner.Valid() {
		return keys{}, fmt.Errorf("store: invalid owner %q", owner)
	}
	p := "nb:{" + string(owner) + "}:"
	return keys{p + "p", p + "s", p + "t", p + "o", p + "c", p + "k", p + "kt", p + "r", p + "w", p + "f", p + "i", p + "la", p + "a"}, nil
}

func (k keys) all() []string {
	return []string{k.profile, k.sessions, k.byTime, k.byOrder, k.usage, k.idem, k.idemTime, k.reminders, k.writes, k.floating, k.idents, k.attempts, k.ask}
}

// DueKey is the due index of one platform's reminders, and LeaseKey its leases. Each
// platform has its own, so an instance claims only reminders it can deliver; the two keys of a
// platform share a hash tag, so the claim and settle scripts run on a cluster.
func DueKey(platform domain.Platform) string { return "nb:{due:" + string(platform) + "}:q" }

// LeaseKey holds the leases of one platform's due index; see DueKey.
func LeaseKey(platform domain.Platform) string { return "nb:{due:" + string(platform) + "}:l" }

// NagKey holds, for each pending repeat of a nagging reminder in one platform's due index,
// how many have been sent and the message they follow: "2|MESSAGE" ("" when unknown).
func NagKey(platform domain.Platform) string { return "nb:{due:" + string(platform) + "}:n" }

const (
	secretKey = "nb:secret"
)

// scriptError turns the errors our Lua scripts raise into the errors commands understands;
// anything else from Redis means it could not be reached or used.
func scriptError(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case strings.Contains(err.Error(), "NB_RATE"):
		return fmt.Errorf("store: %s: %w", op, domain.ErrRateLimited)
	case strings.Contains(err.Error(), "NB_FULL"):
		return fmt.Errorf("store: %s: %w", op, domain.ErrFull)
	case strings.Contains(err.Error(), "NB_DUP"):
		return fmt.Errorf("store: %s: %w", op, domain.ErrDuplicate)
	case strings.Contains(err.Error(), "NB_NIGHT"):
		return fmt.Errorf("store: %s: %w", op, domain.ErrSameNight)
	case strings.Contains(err.Error(), "NB_GONE"):
		return fmt.Errorf("store: %s: %w", op, domain.ErrGone)
	}
	return fmt.Errorf("store: %s: %w", op, unavailable(err))
}

// Secret returns the key that signs buttons, creating it on first use; every instance sharing
// this Redis gets the same one.
func (s *Store) Secret(ctx context.Context) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("store: secret: %w", err)
	}
	if _, err := write(ctx, s, func() (bool, error) { return s.rdb.SetNX(ctx, secretKey, fresh, 0).Result() }); err != nil {
		return nil, fmt.Errorf("store: secret: %w", unavailable(err))
	}
	got, err := s.rdb.Get(ctx, secretKey).Bytes()
	if err != nil {
		return nil, fmt.Errorf("store: secret: %w", unavailable(err))
	}
	return got, nil
}
