package commands_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/kb"
	"github.com/needlebot/needlebot/internal/redistest"
	"github.com/needlebot/needlebot/internal/store"
)

// fakeClock is the bot's clock in these tests; they move it instead of sleeping.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// harness is a bot over a real store, with helpers to talk to it as a user would.
type harness struct {
	t     testing.TB
	bot   *commands.Bot
	st    *store.Store
	clock *fakeClock
	logs  *bytes.Buffer
	seq   int
}

// A Saturday evening in Berlin: 2026-11-28 22:15 CET.
var start = time.Date(2026, 11, 28, 21, 15, 0, 0, time.UTC)

func newHarness(t testing.TB, rdb redis.UniversalClient, opts ...store.Option) *harness {
	t.Helper()
	clock := &fakeClock{t: start}
	st := store.New(rdb, append([]store.Option{store.WithClock(clock.Now)}, opts...)...)
	logs := &bytes.Buffer{}
	bot := commands.New(commands.Config{
		KB: kb.Default(), Store: st, ButtonKey: []byte("test-key-test-key-test-key-test-key"),
		Now: clock.Now, Log: slog.New(slog.NewTextHandler(logs, nil)),
	})
	return &harness{t: t, bot: bot, st: st, clock: clock, logs: logs}
}

// backends runs f on miniredis and, when redis-server exists (always in CI), on a real Redis.
func backends(t *testing.T, f func(t *testing.T, h *harness)) {
	t.Run("miniredis", func(t *testing.T) {
		f(t, newHarness(t, redis.NewClient(&redis.Options{Addr: miniredis.RunT(t).Addr()})))
	})
	t.Run("redis", func(t *testing.T) {
		f(t, newHarness(t, redistest.Start(t).Client()))
	})
}

func (h *harness) as(user, line string) domain.Reply {
	h.t.Helper()
	h.seq++
	p := commands.Parse(line)
	return h.bot.Respond(context.Background(), &commands.Request{
		ID: fmt.Sprintf("tg:u:%d", h.seq), Platform: domain.Telegram, UserID: user, ChatID: user, Private: true,
		Command: p.Command, Args: p.Args, Text: p.Text, Time: h.clock.Now(),
	})
}

func (h *harness) say(line string) domain.Reply { h.t.Helper(); return h.as("100", line) }

// sayAgain says line and, when the bot asks whether it is another session on a night that has
// one, says yes.
func (h *harness) sayAgain(line string) domain.Reply {
	h.t.Helper()
	r := h.say(line)
	if r.Title == "Another session?" {
		r = h.press("100", button(h.t, r, "Log another"))
	}
	return r
}

func (h *harness) press(user string, b domain.Button) domain.Reply {
	h.t.Helper()
	h.seq++
	return h.bot.Respond(context.Background(), &commands.Request{
		ID: fmt.Sprintf("tg:u:%d", h.seq), Platform: domain.Telegram, UserID: user, ChatID: user, Private: true,
		Button: b.Data, Time: h.clock.Now(),
	})
}

func (h *harness) sessions(owner string) int {
	h.t.Helper()
	list, err := h.st.ListSessions(context.Background(), domain.Owner(owner), 0)
	if err != nil {
		h.t.Fatal(err)
	}
	return len(list)
}

func button(t testing.TB, r domain.Reply, label string) domain.Button {
	t.Helper()
	for _, row := range r.Buttons {
		for _, b := range row {
			if b.Label == label {
				return b
			}
		}
	}
	t.Fatalf("no %q button in %+v", label, r)
	return domain.Button{}
}

func contains(t testing.TB, r domain.Reply, wants ...string) {
	t.Helper()
	all := r.Title + "\n" + r.Text
	for _, w := range wants {
		if !strings.Contains(all, w) {
			t.Errorf("reply %q lacks %q", all, w)
		}
	}
}

func TestWalkthrough(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		contains(t, h.say("/timezone Europe/Berlin"), "Time zone set to Europe/Berlin", "22:15")
		r := h.say("rolled 0.25 tonight with my peptide serum")
		contains(t, r, "Logged", "Sat 28 Nov, 22:15 · 0.25 mm · peptides", "1 in the last 7 days", "Good pairing: peptides")
		if !r.Private {
			t.Error("a log confirmation is personal: it must be private")
		}
		r = h.say("0.5mm + hyaluronic acid last night")
		contains(t, r, "Fri 27 Nov, 21:00 · 0.5 mm · hyaluronic acid", "2 in the last 7 days", "0.5 mm is longer than the 0.25 mm")
		contains(t, h.sayAgain("did my dermaroller session, forehead and cheeks"), "forehead, cheeks")

		r = h.say("/history")
		contains(t, r, "Your last 3 sessions", "Times are in Europe/Berlin")
		if i, j := strings.Index(r.Text, "#3 "), strings.Index(r.Text, "#2 "); i < 0 || j < 0 || i > j {
			t.Errorf("history not newest first:\n%s", r.Text)
		}
		contains(t, h.say("/history 1"), "Your last session")
		contains(t, h.say("/stats"), "This week: 3 of up to 5", "Last 30 days: 3 sessions", "Streak: 1 week", "Most used needle: 0.25 mm")

		exp := h.say("/export")
		if exp.File == nil || exp.File.Type != "text/csv" || !strings.HasSuffix(exp.File.Name, ".csv") {
			t.Fatalf("export = %+v, want a CSV file", exp)
		}
		if !bytes.Contains(exp.File.Data, []byte("\r\n")) {
			t.Error("CSV lines do not end in CRLF (RFC 4180)")
		}
		rows, err := csv.NewReader(bytes.NewReader(exp.File.Data)).ReadAll()
		if err != nil {
			t.Fatalf("export is not valid CSV: %v", err)
		}
		if len(rows) != 4 || rows[0][1] != "time" || rows[1][1] != "2026-11-27T21:00:00+01:00" || rows[1][2] != "0.5" {
			t.Errorf("CSV rows = %q", rows)
		}
		for _, row := range rows[1:] {
			if _, err := time.Parse(time.RFC3339, row[1]); err != nil {
				t.Errorf("time %q is not ISO 8601 with an offset", row[1])
			}
		}

		r = h.say("/forget")
		contains(t, r, "Delete everything?")
		if h.sessions("tg:100") != 3 {
			t.Fatal("/forget deleted before confirmation")
		}
		contains(t, h.press("100", button(t, r, "Yes, delete everything")), "everything I kept about you is deleted")
		assertNothingLeft(t, h.st, "tg:100")
		contains(t, h.say("/history"), "Your diary is empty")
	})
}

// assertNothingLeft fails when any key, value or member still names one of names.
func assertNothingLeft(t *testing.T, st *store.Store, names ...string) {
	t.Helper()
	for _, name := range names {
		if where := redistest.Mentions(context.Background(), st.Client(), name); where != "" {
			t.Errorf("%s", where)
		}
	}
}

func TestButtonsAreOwnedAndExpire(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		r := h.say("rolled 0.25 tonight")
		undo := button(t, r, "Undo")
		// Another user pressing it (a forwarded message, a group) changes nothing.
		contains(t, h.press("200", undo), "isn't yours")
		// A forged button changes nothing.
		forged := undo
		forged.Data = strings.Replace(undo.Data, "undo:1", "undo:2", 1)
		contains(t, h.press("100", forged), "isn't yours, or no longer works")
		contains(t, h.press("100", domain.Button{Data: "forget:yes:zzzz:AAAAAAAAAAAA"}), "no longer works")
		if h.sessions("tg:100") != 1 {
			t.Fatal("a refused button changed the diary")
		}
		h.clock.Add(25 * time.Hour)
		contains(t, h.press("100", undo), "expired")
		if h.sessions("tg:100") != 1 {
			t.Fatal("an expired button changed the diary")
		}
		h.clock.Add(-25 * time.Hour)
		contains(t, h.press("100", undo), "Removed", "0.25 mm")
		contains(t, h.press("100", undo), "already removed")
		fitsTelegram(t, r)
	})
}

// fitsTelegram checks that every button of a reply stays within Telegram's 64 bytes of
// callback data.
func fitsTelegram(t *testing.T, r domain.Reply) {
	t.Helper()
	for _, row := range r.Buttons {
		for _, b := range row {
			if len(b.Data) > 64 {
				t.Errorf("button %q has %d bytes of data, longer than Telegram's 64: %q", b.Label, len(b.Data), b.Data)
			}
		}
	}
}

func TestFeedbackFromTheGuidance(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		h.say("/timezone Europe/Berlin")
		for i := range 5 {
			r := h.say(fmt.Sprintf("/log 0.25 %d days ago", i+1))
			if strings.Contains(r.Text, "sessions in the last 7 days;") {
				t.Errorf("session %d already warns: %s", i+1, r.Text)
			}
		}
		r := h.say("/log 1.5 stem cell serum")
		contains(t, r, "6 in the last 7 days",
			"That makes 6 sessions in the last 7 days; the guidance suggests up to 5 a week",
			"1.5 mm is longer than the 0.25 mm", "Good pairing: stem cells")
		contains(t, h.say("/stats"), "Streak: none yet; a week with 1 to 5 sessions starts one")
	})
}

func TestRoutingPlainMessages(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		tests := []struct {
			line   string
			want   []string
			logged bool
		}{
			{"can I roll every day?", []string{"five times a week"}, false},
			{"what size needle should I use at home?", []string{"0.25 mm needles"}, false},
			{"is 0.5mm ok?", []string{"Not at home"}, false},
			{"going to roll tonight", nil, false},
			{"didn't roll tonight", nil, false},
			{"0.5mm", []string{"/log 0.5"}, false},
			{"hello!", []string{"Hi! I answer questions"}, false},
			{"my skin is so dry lately", []string{"not sure what you mean"}, false},
			{"what's the weather in Paris", []string{"outside what I know"}, false},
			{"can I use retinol after rolling?", []string{"doesn't cover that", "dermatologist"}, false},
			{"'; DROP TABLE sessions; --", nil, false},
			{"\x00\xff\xfe binary", nil, false},
			{strings.Repeat("rolled 0.25 ", 100), []string{"a lot of text"}, false},
			{"rolled 0.25 with <b>bold</b> serum", []string{"Logged"}, true},
		}
		n := 0
		for _, tt := range tests {
			r := h.say(tt.line)
			contains(t, r, tt.want...)
			if tt.logged {
				n++
			}
			if got := h.sessions("tg:100"); got != n {
				t.Errorf("after %q: %d sessions, want %d", tt.line, got, n)
			}
		}
	})
}

func TestBadInputChangesNothing(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		tests := []struct {
			line string
			want string
		}{
			{"/log 5", "5 mm"},
			{"/log 0.01", "not a needle length"},
			{"/log 99mm", "not a needle length"},
			{"/log NaN", ""},
			{"/log 1e309", ""},
			{"/log tomorrow", "future"},
			{"/log " + strings.Repeat("x", 600), "too long"},
			{"/timezone Mars/Olympus_Mons", "not a time zone I know"},
			{"/timezone ../../etc/passwd", "not a time zone I know"},
			{"/timezone berln", "Did you mean Europe/Berlin?"},
			{"/remind set 25:00", "isn't a time I understand"},
			{"/remind set lunch", "isn't a time I understand"},
			{"/remind set 21:30 funday", "isn't a day I understand"},
			{"/remind set", "What time should I remind you?"},
			{"/remind frobnicate", "I don't know /remind frobnicate"},
			{"/remind off x", "reminder's number"},
			{"/history 0", "from 1 to 50"},
			{"/history 1000", "from 1 to 50"},
			{"/history '; DROP", "from 1 to 50"},
		}
		for _, tt := range tests {
			r := h.say(tt.line)
			if tt.want != "" {
				contains(t, r, tt.want)
			}
			if r.Text == "" || strings.Contains(r.Text, "Something went wrong") {
				t.Errorf("%q: unfriendly reply %q", tt.line, r.Text)
			}
		}
		if n := h.sessions("tg:100"); n != 0 {
			t.Errorf("bad input stored %d sessions", n)
		}
		if tz, _ := h.st.Zone(context.Background(), "tg:100"); tz != "" {
			t.Errorf("bad input set the zone to %q", tz)
		}
		if rs, _ := h.st.ListReminders(context.Background(), "tg:100"); len(rs) != 0 {
			t.Errorf("bad input stored reminders: %+v", rs)
		}
	})
}

func TestReminderCommands(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		contains(t, h.say("/remind set 21:30"), "21:30, daily", "Next one: Sat 28 Nov, 21:30", "I use UTC")
		contains(t, h.say("/timezone America/New_York"), "Your 1 reminder now follows it")
		// The same time again is one reminder, however it is written.
		for _, again := range []string{"9:30 pm weekdays", "21:30", "9.30pm"} {
			contains(t, h.say("/remind set "+again), "already have a reminder at 21:30", "changed nothing")
		}
		// With one reminder, another time offers to move it.
		r := h.say("/remind set 22:00 weekdays")
		contains(t, r, "Move it to 22:00, weekdays")
		contains(t, h.press("100", button(t, r, "Add a second")), "22:00, weekdays", "Next one: Mon 30 Nov, 22:00")
		contains(t, h.say("/remind list"), "#1 at 21:30, daily", "#2 at 22:00, weekdays", "America/New_York")
		for _, at := range []string{"7am weekends", "8am", "9am"} {
			h.say("/remind set " + at)
		}
		contains(t, h.say("/remind set 10am"), "as many reminders as I keep")
		contains(t, h.say("/remind off 2"), "Reminder #2 (22:00) is off", "move up a number")
		contains(t, h.say("/remind list"), "#2 at 07:00, weekends", "#4 at 09:00")
		contains(t, h.say("/remind off 5"), "no reminder #5")
		contains(t, h.say("/remind off"), "All 4 of your reminders are off")
		contains(t, h.say("/remind list"), "no reminders")
	})
}

func TestDoneButtonLogsOnce(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		h.say("/remind set 21:30")
		r, ok, err := h.st.Reminder(context.Background(), "tg:100", "r1")
		if !ok || err != nil {
			t.Fatalf("reminder r1: %v %v", ok, err)
		}
		done := domain.Button{Label: "Done", Data: h.bot.ReminderButtons("tg:100", r, h.clock.Now())[0][0].Data}
		contains(t, h.press("100", done), "Logged")
		contains(t, h.press("100", done), "Already logged")
		if n := h.sessions("tg:100"); n != 1 {
			t.Errorf("Done twice logged %d sessions, want 1", n)
		}
	})
}

func TestRedisDown(t *testing.T) {
	mr := miniredis.RunT(t)
	h := newHarness(t, redis.NewClient(&redis.Options{Addr: mr.Addr(), MaxRetries: -1, DialTimeout: 100 * time.Millisecond}))
	mr.Close()
	// The guidance still answers.
	contains(t, h.say("/needle size"), "0.25 mm")
	contains(t, h.say("can I roll every day?"), "five times a week")
	// Writes say so, and the failure is logged once, with no secrets and no message text.
	h.logs.Reset()
	contains(t, h.say("/log 0.25 peptides"), "I can't save right now. Nothing was lost")
	if n := strings.Count(h.logs.String(), "level=ERROR"); n != 1 {
		t.Errorf("%d error log lines, want 1:\n%s", n, h.logs)
	}
	if strings.Contains(h.logs.String(), "peptides") {
		t.Errorf("log holds message text:\n%s", h.logs)
	}
	contains(t, h.say("/history"), "can't reach your diary")
}

func BenchmarkLogSession(b *testing.B) {
	srv := redistest.Start(b)
	rdb := srv.Client()
	var calls redistest.RoundTrips
	rdb.AddHook(&calls)
	h := newHarness(b, rdb, store.WithLimits(store.Limits{Sessions: 1 << 30, Reminders: 5, Writes: 1 << 30, Window: time.Minute, Idempotent: time.Hour}))
	h.say("/timezone Europe/Berlin")
	calls.Reset()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		h.clock.Add(24 * time.Hour) // one session a night: a second would be asked about
		if r := h.say("rolled 0.25 tonight with peptide serum"); r.Title != "Logged" {
			b.Fatalf("reply %+v", r)
		}
	}
	b.ReportMetric(float64(calls.N())/float64(b.N), "roundtrips/op")
}

func BenchmarkStats10000(b *testing.B) {
	srv := redistest.Start(b)
	rdb := srv.Client()
	h := newHarness(b, rdb, store.WithLimits(store.Limits{Sessions: 1 << 30, Reminders: 5, Writes: 1 << 30, Window: time.Minute, Idempotent: time.Hour}))
	h.say("/timezone Europe/Berlin")
	ctx := context.Background()
	for i := range 10000 {
		h.clock.t = start.Add(-time.Duration(i) * 7 * time.Hour)
		h.st.AddSession(ctx, "tg:100", diarySession(h.clock.t, i), "", h.clock.t)
	}
	h.clock.t = start
	var calls redistest.RoundTrips
	rdb.AddHook(&calls)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if r := h.say("/stats"); !strings.Contains(r.Text, "All time: 10000 sessions") {
			b.Fatalf("reply %q", r.Text)
		}
	}
	b.ReportMetric(float64(calls.N())/float64(b.N), "roundtrips/op")
}

func diarySession(at time.Time, i int) domain.Session {
	mm := []float64{0.25, 0.25, 0.5}[i%3]
	return domain.Session{At: at, NeedleMM: mm, Products: []string{[]string{"peptides", "hyaluronic acid", "stem cells"}[i%3]}}
}

func TestButtonsFromBeforeForgetDoNothing(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		h.say("rolled 0.25 tonight")
		oldUndo := button(t, h.sayAgain("rolled 0.25 with peptides tonight"), "Undo")
		h.say("/remind set 21:30")
		old, _, _ := h.st.Reminder(context.Background(), "tg:100", "r1")
		oldSnooze := h.bot.ReminderButtons("tg:100", old, h.clock.Now())[0][1]
		h.press("100", button(t, h.say("/forget"), "Yes, delete everything"))

		h.clock.Add(time.Minute)
		h.say("rolled 0.5 tonight")
		h.sayAgain("rolled 1 mm tonight") // the new diary's #2, the id the old button names
		h.say("/remind set 22:00")        // the new r1
		contains(t, h.press("100", oldUndo), "already removed")
		if n := h.sessions("tg:100"); n != 2 {
			t.Errorf("an Undo from before /forget removed a new session: %d left, want 2", n)
		}
		contains(t, h.press("100", oldSnooze), "no longer exists")
		if n := h.st.Client().ZCard(context.Background(), store.DueKey("tg")).Val(); n != 1 {
			t.Errorf("an old Snooze added a due entry: %d entries, want the new reminder's 1", n)
		}
	})
}

func TestRepeatedUndoRemovesOnce(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		for range 3 {
			h.sayAgain("rolled 0.25 tonight")
		}
		p := commands.Parse("/undo")
		req := func() *commands.Request {
			return &commands.Request{ID: "tg:u:999", Platform: domain.Telegram, UserID: "100", ChatID: "100", Private: true, Command: p.Command, Time: h.clock.Now()}
		}
		first := h.bot.Respond(context.Background(), req())
		again := h.bot.Respond(context.Background(), req()) // the platform redelivers the update
		if first.Text != again.Text {
			t.Errorf("a redelivered /undo answered differently: %q, then %q", first.Text, again.Text)
		}
		if n := h.sessions("tg:100"); n != 2 {
			t.Errorf("%d sessions after one /undo delivered twice, want 2", n)
		}
	})
}

// TestSafetyHoldsTheSession checks that a session reported with a skin reaction gets the safety
// reply and is logged only when the user presses Log it: once, however often it is pressed,
// and not by anyone else.
func TestSafetyHoldsTheSession(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		r := h.say("rolled 0.5 last night and now my cheeks are swollen and burning")
		contains(t, r, "doctor or dermatologist", "Stop rolling", "haven't logged the session", "0.5 mm")
		if strings.Contains(r.Text, "no recovery period") || strings.Contains(r.Text, "Source: Kerry") {
			t.Errorf("the safety reply reassures from the guidance: %q", r.Text)
		}
		if !r.Private {
			t.Error("a safety reply is personal: it must be private")
		}
		if n := h.sessions("tg:100"); n != 0 {
			t.Fatalf("%d sessions logged before the button, want 0", n)
		}
		logIt := button(t, r, "Log it")
		if got := h.press("200", logIt); h.sessions("tg:200") != 0 || !strings.Contains(got.Text, "isn't yours") {
			t.Errorf("someone else's press: %q, %d sessions", got.Text, h.sessions("tg:200"))
		}
		contains(t, h.press("100", logIt), "Logged", "Fri 27 Nov, 21:00 · 0.5 mm")
		contains(t, h.press("100", logIt), "Already logged")
		if n := h.sessions("tg:100"); n != 1 {
			t.Errorf("%d sessions after pressing Log it twice, want 1", n)
		}
		h.clock.Add(25 * time.Hour)
		contains(t, h.press("100", logIt), "expired")
	})
}

func TestVagueDayAndTwoSizesAskWithButtons(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		h.say("/timezone Europe/Berlin")
		r := h.say("rolled 0.25 with peptides the other day")
		contains(t, r, "Which day")
		if h.sessions("tg:100") != 0 {
			t.Fatal("a vague day was logged without asking")
		}
		// Saturday 28 Nov: "the other day" offers Thursday back to Sunday.
		contains(t, h.press("100", button(t, r, "Thu 26 Nov")), "Logged", "Thu 26 Nov, 21:00 · 0.25 mm · peptides")
		contains(t, h.press("100", button(t, r, "Wed 25 Nov")), "Already logged")

		r = h.say("used 0.25 then 0.5 tonight")
		contains(t, r, "Which needle did you use, 0.25 mm or 0.5 mm?")
		contains(t, h.press("100", button(t, r, "0.5 mm")), "Logged", "0.5 mm")
		if n := h.sessions("tg:100"); n != 2 {
			t.Errorf("%d sessions, want 2", n)
		}
	})
}

func TestReportWithAQuestion(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		r := h.say("did 0.25 just now, can I use retinol tomorrow?")
		contains(t, r, "Logged", "0.25 mm", "doesn't cover that")
		r = h.say("rolled yesterday with HA, how often can I roll?")
		contains(t, r, "Logged", "hyaluronic acid", "five times a week")
		if n := h.sessions("tg:100"); n != 2 {
			t.Errorf("%d sessions, want 2", n)
		}
	})
}

// TestLateDeliveryLogsTheNightItWasWritten checks that a message delivered hours late (after
// downtime) is read at the time the platform says it was written.
func TestLateDeliveryLogsTheNightItWasWritten(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		h.say("/timezone Europe/Berlin")
		written := h.clock.Now()
		h.clock.Add(10 * time.Hour) // Sunday 08:15: the bot was down overnight
		h.seq++
		r := h.bot.Respond(context.Background(), &commands.Request{
			ID: "tg:u:late", Platform: domain.Telegram, UserID: "100", ChatID: "100", Private: true,
			Text: "rolled 0.25 tonight", Time: written,
		})
		contains(t, r, "Logged", "Sat 28 Nov, 22:15")
	})
}

// TestHeldButtonsFitTelegram checks that the buttons of a held session stay within Telegram's
// 64 bytes of callback data for the longest event ids the front ends make.
func TestHeldButtonsFitTelegram(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		for _, id := range []string{"tg:u:2147483647", "dc:m:1234567890123456789", "dc:i:1234567890123456789", "console-1a2b3c4d5e6f7g-99999"} {
			r := h.bot.Respond(context.Background(), &commands.Request{
				ID: id, Platform: domain.Telegram, UserID: "100", ChatID: "100", Private: true,
				Text: "rolled 0.25 a few days ago", Time: h.clock.Now(),
			})
			if len(r.Buttons) == 0 {
				t.Fatalf("no buttons for %s: %q", id, r.Text)
			}
			fitsTelegram(t, r)
		}
	})
}

// TestReviewFindings holds what a review of the understanding work found, each fixed.
func TestReviewFindings(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		h.say("/timezone Europe/Berlin")
		// A reaction in a message that also asks something else gets the safety reply alone,
		// and its session is held.
		for _, line := range []string{
			"i think i rolled too often and now my skin is raw and weepy, do I need to avoid the sun for a few days afterwards",
			"rolled 0.25 tonight, skin is raw and bleeding, how often can I roll?",
			"rolled 0.25 tonight. is it normal that my face is this swollen?",
		} {
			r := h.say(line)
			contains(t, r, "doctor or dermatologist")
			if strings.Contains(r.Text, "Source: Kerry") || strings.Contains(r.Text, "five times a week") {
				t.Errorf("the safety reply to %q carries the guidance: %q", line, r.Text)
			}
		}
		if n := h.sessions("tg:100"); n != 0 {
			t.Fatalf("%d sessions logged from messages with a reaction, want 0", n)
		}
		// A held session logged, undone, and its button pressed again is not silently "there".
		r := h.say("rolled 0.25 with peptides the other day")
		thu := button(t, r, "Thu 26 Nov")
		logged := h.press("100", thu)
		contains(t, logged, "Logged", "Thu 26 Nov")
		contains(t, h.press("100", button(t, r, "Wed 25 Nov")), "Already logged", "in your diary already")
		contains(t, h.press("100", button(t, logged, "Undo")), "Removed")
		contains(t, h.press("100", thu), "removed it")
		if n := h.sessions("tg:100"); n != 0 {
			t.Errorf("%d sessions after logging and undoing, want 0", n)
		}
		// A statement the diary first takes for a question still asks back about its day.
		contains(t, h.say("used the 0.5 the other day and it didn't hurt at all??"), "Which day")
		// Everyday words are not products.
		contains(t, h.say("rolled 0.25 tonight, then wore a face mask to bed"), "Logged")
		contains(t, h.say("dermarolled 0.25 last night, hoping to regain my glow"), "Logged")
		list, _ := h.st.ListSessions(context.Background(), "tg:100", 0)
		for _, e := range list {
			if len(e.Products) > 0 {
				t.Errorf("logged products %q from everyday words", e.Products)
			}
		}
	})
}

func TestHeldTodayIsWhenTheMessageWasSent(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		h.say("/timezone Europe/Berlin")
		h.clock.Add(5 * time.Hour) // Sunday 29 November, 03:15
		r := h.say("dermarolled 0.25 this morning")
		h.clock.Add(6 * time.Hour) // pressed at 09:15
		contains(t, h.press("100", button(t, r, "Today")), "Logged", "Sun 29 Nov, 03:15")
	})
}
