package remind_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/store"
)

// say sends a typed line as user, at the env's time.
func (e *nagEnv) say(t *testing.T, user, line string) domain.Reply {
	t.Helper()
	e.seq++
	p := commands.Parse(line)
	return e.bot.Respond(ctx, &commands.Request{ID: fmt.Sprintf("tg:u:%d", e.seq), Platform: domain.Telegram, UserID: user, ChatID: user,
		Private: true, Command: p.Command, Args: p.Args, Text: p.Text, Time: *e.now.Load()})
}

// hourly runs a round every hour from from to to, and returns when each notice came.
func (e *nagEnv) hourly(t *testing.T, from, to time.Time, rec *threads) []time.Time {
	t.Helper()
	var when []time.Time
	for at := from; !at.After(to); at = at.Add(time.Hour) {
		before := len(rec.to("1"))
		e.round(t, at, rec)
		for range len(rec.to("1")) - before {
			when = append(when, at)
		}
	}
	return when
}

var berlin, _ = time.LoadLocation("Europe/Berlin")

// The weekly summary comes once, on its day at its local time, though the clocks changed that
// morning, and tells the week with the month's picture.
func TestWeeklySummaryOnceAtLocalTimeAcrossDST(t *testing.T) {
	e := newNagEnv(t)
	e.at(time.Date(2027, 3, 22, 12, 0, 0, 0, berlin)) // Monday
	e.say(t, "1", "/timezone Europe/Berlin")
	for _, d := range []int{22, 24, 26} {
		e.at(time.Date(2027, 3, d, 21, 0, 0, 0, berlin))
		e.say(t, "1", "/log 0.25 peptides")
	}
	e.say(t, "1", "/log 0.5 hyaluronic acid yesterday")
	e.at(time.Date(2027, 3, 26, 21, 30, 0, 0, berlin))
	if r := e.say(t, "1", "/summary on sunday 19:00"); !strings.Contains(r.Text, "every Sunday at 19:00") {
		t.Fatalf("/summary on: %q", r.Text)
	}
	rec := &threads{}
	when := e.hourly(t, time.Date(2027, 3, 26, 22, 0, 30, 0, berlin), time.Date(2027, 3, 29, 22, 0, 30, 0, berlin), rec)
	// Clocks go forward at 02:00 on Sunday 28 March: 19:00 CEST is 17:00 UTC.
	if len(when) != 1 || !when[0].Equal(time.Date(2027, 3, 28, 19, 0, 30, 0, berlin)) {
		t.Fatalf("summaries at %v, want one at 19:00 CEST on Sunday", when)
	}
	r := rec.to("1")[0].Reply
	for _, want := range []string{"Your last seven days: 4 sessions, against up to 5", "0.25 mm ×3", "0.5 mm ×1", "peptides ×3", "hyaluronic acid ×1", "1 with a needle over the 0.25 mm"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("summary lacks %q:\n%s", want, r.Text)
		}
	}
	if r.File == nil || r.File.Type != "image/png" || !strings.HasPrefix(r.File.Alt, "March 2027") {
		t.Errorf("summary without the month's picture")
	}
	sc, _ := e.st.Client().ZScore(ctx, store.DueKey("tg"), store.Member("tg:1", "r1")).Result()
	if next := time.UnixMilli(int64(sc)); !next.Equal(time.Date(2027, 4, 4, 19, 0, 0, 0, berlin)) {
		t.Errorf("next summary at %v", next.In(berlin))
	}
	if r := e.say(t, "1", "/remind list"); !strings.Contains(r.Text, "no reminders") {
		t.Errorf("the summary shows as a nightly reminder: %q", r.Text)
	}
	e.say(t, "1", "/summary off")
	if n := e.st.Client().ZCard(ctx, store.DueKey("tg")).Val(); n != 0 {
		t.Errorf("%d due entries after /summary off", n)
	}
}

// The check-in asks the morning after each night with a session, once, at its local time
// across the clock change, and its buttons keep the answer on the session.
func TestCheckinMorningAfterOnceAcrossDST(t *testing.T) {
	e := newNagEnv(t)
	e.at(time.Date(2027, 3, 26, 12, 0, 0, 0, berlin)) // Friday
	e.say(t, "1", "/timezone Europe/Berlin")
	e.say(t, "1", "/checkin on")
	e.at(time.Date(2027, 3, 26, 21, 0, 0, 0, berlin))
	e.say(t, "1", "/log 0.25 peptides") // Friday night
	e.at(time.Date(2027, 3, 27, 22, 0, 0, 0, berlin))
	e.say(t, "1", "/log 0.25") // Saturday night; none on Sunday night
	rec := &threads{}
	when := e.hourly(t, time.Date(2027, 3, 26, 22, 0, 30, 0, berlin), time.Date(2027, 3, 30, 12, 0, 30, 0, berlin), rec)
	want := []time.Time{time.Date(2027, 3, 27, 9, 0, 30, 0, berlin), time.Date(2027, 3, 28, 9, 0, 30, 0, berlin)}
	if len(when) != 2 || !when[0].Equal(want[0]) || !when[1].Equal(want[1]) {
		t.Fatalf("check-ins at %v, want %v", when, want)
	}
	got := rec.to("1")
	if got[0].Reply.Title != "How is your skin today?" || !strings.Contains(got[0].Reply.Text, "Fri 26 Mar, 21:00") {
		t.Errorf("first check-in: %q %q", got[0].Reply.Title, got[0].Reply.Text)
	}
	e.at(time.Date(2027, 3, 28, 9, 5, 0, 0, berlin))
	if r := e.press(t, "1", got[0].Reply, "A bit red"); !strings.Contains(r.Text, "a bit red") {
		t.Errorf("A bit red: %q", r.Text)
	}
	if r := e.press(t, "1", got[1].Reply, "Irritated"); !strings.Contains(r.Text, "doctor") {
		t.Errorf("Irritated did not get the safety reply: %q %q", r.Title, r.Text)
	}
	h := e.say(t, "1", "/history")
	if !strings.Contains(h.Text, "a bit red next morning") || !strings.Contains(h.Text, "irritated next morning") {
		t.Errorf("/history lacks the answers:\n%s", h.Text)
	}
	if x := e.say(t, "1", "/export"); x.File == nil || !strings.Contains(string(x.File.Data), ",red\r\n") {
		t.Errorf("/export lacks the answer")
	}
	// An answered night is not asked again, even if the check-in moves later that morning.
	e.say(t, "1", "/checkin on 11:00")
	e.round(t, time.Date(2027, 3, 28, 11, 0, 30, 0, berlin), rec)
	if n := len(rec.to("1")); n != 2 {
		t.Errorf("%d check-ins after the answered night was asked again", n)
	}
	if r := e.say(t, "1", "/checkin on 20:00"); !strings.Contains(r.Text, "in the morning") {
		t.Errorf("an evening check-in was accepted: %q", r.Text)
	}
}
