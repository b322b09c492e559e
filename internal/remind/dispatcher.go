package remind

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/needlebot/needlebot/internal/clock"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/schedule"
)

// Rate limits sends on one platform; zero means no limit.
type Rate struct {
	Global  float64 // messages per second overall
	PerChat float64 // messages per second to one chat
}

// DefaultRates follow Telegram's documented limits; Discord's are enforced by discordgo's own
// rate-limit buckets.
var DefaultRates = map[domain.Platform]Rate{domain.Telegram: {Global: 30, PerChat: 1}}

// Config configures a Dispatcher. Zero values take the defaults in brackets.
type Config struct {
	Queue     Queue
	Composer  Composer
	Notifiers map[domain.Platform]Notifier // by platform: "tg", "dc", "console"
	Rates     map[domain.Platform]Rate     // by platform [DefaultRates]
	// Shared names the platforms whose notifier paces its own sends under a limit shared by
	// every instance (Telegram's Notify waits for the bot's limit in Redis): their sends are
	// not paced here again, claims are sized by the shared rate, and a platform's retry_after
	// holds back only the reminder it refused, the notifier having paused that chat for all.
	Shared   map[domain.Platform]SharedRate
	Clock    Clock        // [the real clock]
	Log      *slog.Logger // [discarded]
	Observer Observer     // counts what happens, for metrics [none]

	Batch    int           // claims per round [256]
	Workers  int           // sends in flight at once [16]
	Lease    time.Duration // how long a claim is held, extended while sending, before another dispatcher may take it [15s]
	Grace    time.Duration // a reminder missed by less is still sent, marked late; older ones are skipped [2h]
	LateAt   time.Duration // a reminder sent this long after it was due is marked late [2m]
	MaxPoll  time.Duration // the longest the dispatcher sleeps without looking at the queue [15s]
	Attempts int           // sends tried before a reminder is put back for a minute [5]
	Drain    time.Duration // how long shutdown lets sends in flight finish [5s]
}

// SharedRate is a send limit that every instance shares; *ratelimit.Limiter is one.
type SharedRate interface {
	// Rate is the sends a second it allows across every instance; 0 for no limit.
	Rate() float64
}

// Observer is told what the dispatcher does; the metrics package implements it.
type Observer interface {
	// Reminder is called once per claim with its outcome: "sent", "late" (sent, marked late),
	// "skipped" (missed by more than the grace window), "done_already" (the user had already
	// rolled that day), "dropped" (the reminder no longer exists), "failed" (put back to retry),
	// "disabled" (the user can't receive reminders) or "released" (given back at shutdown).
	Reminder(platform, outcome string)
	// Sent reports how long a successful send took.
	Sent(platform string, d time.Duration)
}

type nopObserver struct{}

func (nopObserver) Reminder(string, string)    {}
func (nopObserver) Sent(string, time.Duration) {}

// Dispatcher sends due reminders. Any number may run against one queue: each round claims a
// batch with a lease, sends, then settles the batch by scheduling each reminder's next
// occurrence. A dispatcher that dies leaves leases that run out, and its reminders are claimed
// again: nothing is lost, and only the sends in flight at the crash can repeat.
type Dispatcher struct {
	cfg       Config
	log       *slog.Logger
	obs       Observer
	limiters  map[domain.Platform]*limiter
	platforms []domain.Platform // those with a notifier: the only due indexes this dispatcher claims from
}

// New returns a dispatcher; Queue, Composer and Notifiers are required.
func New(cfg Config) *Dispatcher {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&cfg.Lease, 15*time.Second)
	def(&cfg.Grace, 2*time.Hour)
	def(&cfg.LateAt, 2*time.Minute)
	def(&cfg.MaxPoll, 15*time.Second)
	def(&cfg.Drain, 5*time.Second)
	if cfg.Batch <= 0 {
		cfg.Batch = 256
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 16
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 5
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Rates == nil {
		cfg.Rates = DefaultRates
	}
	d := &Dispatcher{cfg: cfg, log: cfg.Log, obs: cfg.Observer, limiters: map[domain.Platform]*limiter{}}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.obs == nil {
		d.obs = nopObserver{}
	}
	for p := range cfg.Notifiers {
		r := cfg.Rates[p]
		if _, ok := cfg.Shared[p]; ok {
			r = Rate{} // the notifier paces itself under the shared limit
		}
		d.limiters[p] = newLimiter(cfg.Clock, r.Global, r.PerChat)
		d.platforms = append(d.platforms, p)
	}
	slices.Sort(d.platforms)
	return d
}

const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 30 * time.Second
	minIdle    = 50 * time.Millisecond // never spin: the shortest sleep between empty rounds
	retryLater = time.Minute           // when a reminder failed every attempt
	recentDays = 8                     // sessions looked at: the due day and the week before it
)

// Run dispatches until ctx is cancelled, then stops claiming, lets sends in flight finish for up
// to Drain, gives back what it could not send and returns nil.
func (d *Dispatcher) Run(ctx context.Context) error {
	backoff := minBackoff
	failing := false
	for ctx.Err() == nil {
		n, err := d.Round(ctx)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			if !failing {
				d.log.Error("reminders: cannot reach the queue; retrying with backoff", "err", err)
				failing = true
			}
			wait(ctx, d.cfg.Clock, backoff)
			backoff = min(2*backoff, maxBackoff)
			continue
		}
		if failing {
			d.log.Info("reminders: queue reachable again")
			failing = false
		}
		backoff = minBackoff
		if n > 0 {
			continue // there may be more due right now
		}
		wait(ctx, d.cfg.Clock, d.sleep(ctx))
	}
	return nil
}

// sleep returns how long to wait for the next due reminder, at most MaxPoll.
func (d *Dispatcher) sleep(ctx context.Context) time.Duration {
	s := d.cfg.MaxPoll
	next, ok, err := d.cfg.Queue.NextDue(ctx, d.platforms)
	if err == nil && ok {
		if until := next.Sub(d.cfg.Clock.Now()); until < s {
			s = until
		}
	}
	return max(s, minIdle)
}

// job is one claim to send.
type job struct {
	t      Target
	notice Notice
	loc    *time.Location
	late   bool
}

// Round claims one batch of due reminders of each platform this dispatcher delivers to, sends
// them and settles them. It returns how many it claimed. When ctx is cancelled mid-round, sends
// not yet started are given back.
func (d *Dispatcher) Round(ctx context.Context) (int, error) {
	total := 0
	var first error
	for _, p := range d.platforms {
		n, err := d.round(ctx, p)
		total += n
		if err != nil && first == nil {
			first = err
		}
	}
	return total, first
}

// claimAhead is how far ahead a rate-limited dispatcher claims: no more reminders than it can
// send in this long, so that other instances find the rest to send beside it instead of
// waiting for its leases.
const claimAhead = 2 * time.Second

// claimSize is how many reminders of a platform one round claims.
func (d *Dispatcher) claimSize(p domain.Platform) int {
	r := d.cfg.Rates[p].Global
	if s, ok := d.cfg.Shared[p]; ok {
		r = s.Rate()
	}
	if r <= 0 {
		return d.cfg.Batch
	}
	return min(d.cfg.Batch, max(d.cfg.Workers, int(math.Ceil(r*claimAhead.Seconds()))))
}

func (d *Dispatcher) round(ctx context.Context, platform domain.Platform) (int, error) {
	token := newToken()
	now := d.cfg.Clock.Now()
	claims, err := d.cfg.Queue.Claim(ctx, platform, token, now, now.Add(d.cfg.Lease), d.claimSize(platform))
	if err != nil || len(claims) == 0 {
		return 0, err
	}
	// Settling must happen even when ctx was cancelled: it is what makes the round count.
	bg := context.WithoutCancel(ctx)
	targets, err := d.cfg.Queue.Targets(ctx, platform, claims, now.AddDate(0, 0, -recentDays))
	if err != nil {
		d.settle(bg, platform, token, releaseAll(claims))
		return len(claims), err
	}
	var (
		settles []Settle
		jobs    []job
	)
	for _, t := range targets {
		s, j, send := d.plan(ctx, platform, t, now)
		if send {
			jobs = append(jobs, j)
		} else {
			settles = append(settles, s)
		}
	}
	d.settle(bg, platform, token, settles)
	stopExtend := d.extend(bg, platform, token, jobs)
	// Each send is settled as soon as it is done: a crash repeats at most the sends in flight.
	d.sendAll(ctx, jobs, func(s Settle) { d.settle(bg, platform, token, []Settle{s}) })
	stopExtend()
	return len(claims), nil
}

// plan decides what to do with one claim: settle it at once (false), or send it (true).
func (d *Dispatcher) plan(ctx context.Context, p domain.Platform, t Target, now time.Time) (Settle, job, bool) {
	platform := string(p)
	drop := Settle{Member: t.Member, Kind: Done}
	if !t.Exists {
		d.obs.Reminder(platform, "dropped")
		return drop, job{}, false
	}
	switch t.Reminder.To.Platform {
	case p:
	case "":
		t.Reminder.To.Platform = p // written before reminders carried their platform
	default:
		// Moved to another platform while this claim was out: the move scheduled it there.
		d.obs.Reminder(platform, "dropped")
		return drop, job{}, false
	}
	loc := time.UTC
	if t.Zone != "" {
		if l, err := schedule.LoadZone(t.Zone); err == nil {
			loc = l
		}
	}
	next := drop
	if !t.oneOff() {
		next.At = schedule.Next(t.Reminder.Clock, t.Reminder.Days, loc, now)
	}
	if t.Repeat > 0 && !schedule.SameDay(now, t.Due, loc) {
		// A repeat never comes after the owner's midnight, however late it is claimed.
		d.obs.Reminder(platform, "dropped")
		return drop, job{}, false
	}
	missed := now.Sub(t.Due)
	if missed > d.cfg.Grace {
		// Down too long: this one is skipped, never a flood of stale reminders.
		d.obs.Reminder(platform, "skipped")
		return next, job{}, false
	}
	late := missed > d.cfg.LateAt
	reply, send := d.cfg.Composer.ReminderReply(ctx, domain.Nudge{
		Owner: t.Owner, Reminder: t.Reminder, Due: t.Due, Late: late, Zone: loc, Recent: t.Recent,
		Breaks: t.Breaks, Repeat: t.Repeat,
	}, now)
	if !send {
		d.obs.Reminder(platform, "done_already")
		return next, job{}, false
	}
	return next, job{t: t, loc: loc, late: late, notice: Notice{To: t.Reminder.To, Reply: reply, Thread: t.Thread}}, true
}

// oneOff reports a claim of an entry that fires once: a snooze or a repeat.
func (t Target) oneOff() bool { return t.Snooze || t.Repeat > 0 }

// again returns the next repeat of a nagging reminder just sent at now, or nil: when it does
// not nag, has come as often as it may, or the repeat would fall after the owner's midnight.
func (j job) again(now time.Time, thread string) *Again {
	every := j.t.Reminder.Nag
	if every <= 0 || j.t.Repeat >= domain.MaxNags || j.t.Snooze {
		return nil
	}
	at := now.Add(every)
	if !schedule.SameDay(at, j.t.Due, j.loc) {
		return nil
	}
	if j.t.Repeat > 0 {
		thread = j.t.Thread // every repeat follows the first reminder
	}
	return &Again{At: at, Count: j.t.Repeat + 1, Thread: thread}
}

// sendAll sends jobs with a pool of workers and reports how each claim ends to done.
func (d *Dispatcher) sendAll(ctx context.Context, jobs []job, done func(Settle)) {
	if len(jobs) == 0 {
		return
	}
	// Sends already started may finish for Drain after ctx is cancelled.
	sendCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		select {
		case <-d.cfg.Clock.After(d.cfg.Drain):
		case <-sendCtx.Done():
		}
		cancel()
	})
	defer stop()

	next := make(chan int)
	var wg sync.WaitGroup
	for range min(d.cfg.Workers, len(jobs)) {
		wg.Go(func() {
			for i := range next {
				done(d.deliver(ctx, sendCtx, jobs[i]))
			}
		})
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
}

// deliver sends one reminder, retrying transient failures with backoff and honouring a
// platform's retry_after, and returns how its claim ends.
func (d *Dispatcher) deliver(ctx, sendCtx context.Context, j job) Settle {
	p := j.notice.To.Platform
	platform := string(p)
	next := Settle{Member: j.t.Member, Kind: Done}
	if !j.t.oneOff() {
		next.At = schedule.Next(j.t.Reminder.Clock, j.t.Reminder.Days, j.loc, d.cfg.Clock.Now())
	}
	release := Settle{Member: j.t.Member, Kind: Release}
	n, lim := d.cfg.Notifiers[p], d.limiters[p]
	backoff := time.Second
	for attempt := 1; ; attempt++ {
		if ctx.Err() != nil && attempt == 1 {
			d.obs.Reminder(platform, "released")
			return release // shutting down: not started, so give it back
		}
		if err := lim.wait(sendCtx, j.notice.To.Chat); err != nil {
			d.obs.Reminder(platform, "released")
			return release
		}
		start := d.cfg.Clock.Now()
		thread, err := notify(sendCtx, n, j.notice)
		var ra *RetryAfterError
		switch {
		case err == nil:
			d.obs.Sent(platform, d.cfg.Clock.Now().Sub(start))
			next.Again = j.again(d.cfg.Clock.Now(), thread)
			if j.late {
				d.obs.Reminder(platform, "late")
			} else {
				d.obs.Reminder(platform, "sent")
			}
			return next
		case IsPermanent(err):
			d.log.Warn("reminders: user cannot receive reminders; turning theirs off", "platform", platform, "err", err)
			if err := d.cfg.Queue.DisableReminders(context.WithoutCancel(ctx), j.t.Owner, j.notice.To); err != nil {
				d.log.Error("reminders: turning reminders off failed", "err", err)
			}
			d.obs.Reminder(platform, "disabled")
			return Settle{Member: j.t.Member, Kind: Done}
		case errors.As(err, &ra) && d.cfg.Shared[p] != nil:
			// The notifier paused the chat for every instance; this reminder waits its turn.
			d.obs.Reminder(platform, "failed")
			return Settle{Member: j.t.Member, Kind: Retry, At: d.cfg.Clock.Now().Add(ra.After)}
		case errors.As(err, &ra):
			lim.pause(d.cfg.Clock.Now().Add(ra.After))
			if attempt >= 2*d.cfg.Attempts {
				d.obs.Reminder(platform, "failed")
				return Settle{Member: j.t.Member, Kind: Retry, At: d.cfg.Clock.Now().Add(max(ra.After, retryLater))}
			}
			continue // the limiter now holds every send until the platform's time
		case sendCtx.Err() != nil:
			d.obs.Reminder(platform, "released")
			return release
		}
		if attempt >= d.cfg.Attempts {
			d.log.Warn("reminders: send failed; trying again later", "platform", platform, "attempts", attempt, "err", err)
			d.obs.Reminder(platform, "failed")
			return Settle{Member: j.t.Member, Kind: Retry, At: d.cfg.Clock.Now().Add(retryLater)}
		}
		if wait(sendCtx, d.cfg.Clock, backoff) != nil {
			d.obs.Reminder(platform, "released")
			return release
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// extend keeps the round's leases alive while it sends, every third of a lease, and returns a
// function that stops it.
func (d *Dispatcher) extend(ctx context.Context, platform domain.Platform, token string, jobs []job) func() {
	if len(jobs) == 0 {
		return func() {}
	}
	members := make([]string, len(jobs))
	for i, j := range jobs {
		members[i] = j.t.Member
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-done:
				return
			case <-d.cfg.Clock.After(d.cfg.Lease / 3):
			}
			if err := d.cfg.Queue.Extend(ctx, platform, token, members, d.cfg.Clock.Now().Add(d.cfg.Lease)); err != nil {
				d.log.Warn("reminders: extending leases failed", "err", err)
			}
		}
	}()
	return func() { close(done); <-stopped }
}

// settle writes how claims ended. It keeps trying with backoff for about half a lease (ten
// tries, 100 ms doubling to 5 s): a short Redis outage must not make the claims run out and be
// sent again. Claims it cannot settle are redone by whoever claims them when their leases run out.
func (d *Dispatcher) settle(ctx context.Context, platform domain.Platform, token string, s []Settle) {
	if len(s) == 0 {
		return
	}
	backoff := minBackoff
	for attempt := 1; ; attempt++ {
		_, err := d.cfg.Queue.Finish(ctx, platform, token, s)
		if err == nil {
			return
		}
		if attempt == settleTries || wait(ctx, d.cfg.Clock, backoff) != nil {
			d.log.Error("reminders: could not settle claims; they are retried when their leases run out", "claims", len(s), "err", err)
			return
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

const settleTries = 10

func releaseAll(claims []Claim) []Settle {
	out := make([]Settle, len(claims))
	for i, c := range claims {
		out[i] = Settle{Member: c.Member, Kind: Release}
	}
	return out
}

func newToken() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}
