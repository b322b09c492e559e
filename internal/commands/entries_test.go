package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/store"
)

// Start: Saturday 28 November 2026, 21:15 UTC.

func TestRemindersWithoutCopies(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []string
		want  string // the only reminder left, as /remind list shows it
	}{
		{"midnight three ways", []string{"00:00", "midnight", "12am"}, "#1 at 00:00, daily"},
		{"half past nine two ways", []string{"21:30", "9.30pm"}, "#1 at 21:30, daily"},
		{"the same time on other days", []string{"21:30", "21:30 weekdays"}, "#1 at 21:30, daily"},
		{"noon and 12pm", []string{"noon", "12pm", "12:00"}, "#1 at 12:00, daily"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			backends(t, func(t *testing.T, h *harness) {
				h.say("/timezone Europe/Berlin")
				contains(t, h.say("/remind set "+tc.lines[0]), "Reminder set")
				for _, l := range tc.lines[1:] {
					contains(t, h.say("/remind set "+l), "already have a reminder", "changed nothing")
				}
				r := h.say("/remind list")
				contains(t, r, tc.want)
				if strings.Contains(r.Text, "#2") {
					t.Errorf("a copy was set:\n%s", r.Text)
				}
				if n := h.st.Client().ZCard(context.Background(), store.DueKey("tg")).Val(); n != 1 {
					t.Errorf("%d due entries, want 1", n)
				}
			})
		})
	}
}

func TestMoveTheOnlyReminder(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		h.say("/timezone Europe/Berlin")
		h.say("/remind set 21:30")
		offer := h.say("/remind set 22:15 weekdays")
		contains(t, offer, "You have a reminder at 21:30, daily", "Move it to 22:15, weekdays")
		contains(t, h.press("100", button(t, offer, "Move it to 22:15")), "Reminder moved", "22:15, weekdays", "Mon 30 Nov, 22:15")
		r := h.say("/remind list")
		contains(t, r, "#1 at 22:15, weekdays")
		if strings.Contains(r.Text, "21:30") || strings.Contains(r.Text, "#2") {
			t.Errorf("the old time is still set:\n%s", r.Text)
		}
		// The button works once: pressed again it changes nothing and says so.
		contains(t, h.press("100", button(t, offer, "Move it to 22:15")), "at 22:15, weekdays already")
		if n := h.st.Client().ZCard(context.Background(), store.DueKey("tg")).Val(); n != 1 {
			t.Errorf("%d due entries, want 1", n)
		}
	})
}

func TestDeleteAndEdit(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		h.say("/timezone Europe/Berlin")
		h.say("rolled 0.25 with peptides on thursday")
		h.say("rolled 0.25 last night")
		h.say("rolled 0.5 tonight")
		for _, tc := range []struct{ line, want string }{
			{"/delete", "Which session?"},
			{"/delete x", `"x" isn't a session number`},
			{"/delete 0", `"0" isn't a session number`},
			{"/delete -3", `"-3" isn't a session number`},
			{"/delete 99", "no session #99"},
			{"/delete 1; DROP", `isn't a session number`},
			{"/edit", "Which session?"},
			{"/edit 1", "What should I change in #1?"},
			{"/edit 99", "no session #99"}, // a missing entry is said first
			{"/edit 1 99mm", "not a needle length"},
			{"/edit 99 0.5", "no session #99"},
			{"/edit 1 tomorrow", "future"},
		} {
			contains(t, h.say(tc.line), tc.want)
		}
		if n := h.sessions("tg:100"); n != 3 {
			t.Fatalf("bad input changed the diary: %d sessions", n)
		}
		contains(t, h.say("/edit 1 0.5 hyaluronic acid cheeks"), "#1 was Thu 26 Nov, 21:00 · 0.25 mm · peptides", "now Thu 26 Nov, 21:00 · 0.5 mm · hyaluronic acid · cheeks", "longer than the 0.25 mm")
		contains(t, h.say("/edit 2 on wednesday"), "now Wed 25 Nov, 21:00 · 0.25 mm")
		contains(t, h.say("/history"), "#1 Thu 26 Nov, 21:00 · 0.5 mm · hyaluronic acid · cheeks", "#2 Wed 25 Nov, 21:00")
		contains(t, h.say("/stats"), "Most used needle: 0.5 mm (2 times)", "Most used serum: hyaluronic acid (1 time)")
		contains(t, h.say("/delete 2"), "Deleted", "#2 Wed 25 Nov")
		contains(t, h.say("/delete 2"), "no session #2")
		r := h.say("/history")
		contains(t, r, "#3 ", "#1 ")
		if strings.Contains(r.Text, "#2 ") {
			t.Errorf("deleted session still shown:\n%s", r.Text)
		}
	})
}

func TestSecondSessionOfTheNightIsAsked(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		h.say("/timezone Europe/Berlin")
		contains(t, h.say("rolled 0.25 on monday"), "Logged", "Mon 23 Nov")
		// The same night told again another way is asked about, not logged twice.
		r := h.say("did 0.25 mm 5 days ago")
		contains(t, r, "Another session?", "logged a session that night already", "#1 Mon 23 Nov")
		contains(t, h.press("100", button(t, r, "No, it's the same one")), "didn't log it again")
		if n := h.sessions("tg:100"); n != 1 {
			t.Errorf("%d sessions, want 1", n)
		}
		// A session after midnight belongs to the night before.
		h.clock.Add(3 * 60 * 60 * 1e9) // Sunday 01:15 in Berlin
		contains(t, h.say("/log 0.25"), "Logged")
		contains(t, h.say("/log 0.25"), "Another session?")
		// Saying yes logs it, once, however often it is pressed.
		r = h.say("/log 0.25 peptides")
		again := button(t, r, "Log another")
		contains(t, h.press("100", again), "Logged", "peptides")
		contains(t, h.press("100", again), "Already logged")
		if n := h.sessions("tg:100"); n != 3 {
			t.Errorf("%d sessions, want 3", n)
		}
	})
}

func TestDoneLogsTheUsualNeedle(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		h.say("/timezone Europe/Berlin")
		h.say("/log 0.5 on monday")
		h.say("/log 0.5 on tuesday")
		h.say("/log 0.25 on wednesday")
		h.say("/remind set 21:30")
		r, _, _ := h.st.Reminder(context.Background(), "tg:100", "r1")
		done := h.bot.ReminderButtons("tg:100", r, h.clock.Now())[0][0]
		reply := h.press("100", done)
		contains(t, reply, "Logged", "0.5 mm", "your usual 0.5 mm needle", "/edit")
		button(t, reply, "Undo")
		list, _ := h.st.ListSessions(context.Background(), "tg:100", 1)
		if len(list) != 1 || list[0].NeedleMM != 0.5 {
			t.Errorf("Done logged %+v, want the usual 0.5 mm", list)
		}
	})
}

// The reminder names the needle its Done button logs: the roller in use, else the usual one,
// and the guidance's home size beside it when that differs.
func TestReminderNamesTheNeedleDoneLogs(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		h.say("/timezone Europe/Berlin")
		h.say("/remind set 21:30")
		r, _, _ := h.st.Reminder(ctx, "tg:100", "r1")
		remind := func() domain.Reply {
			t.Helper()
			reply, ok := h.bot.ReminderReply(ctx, domain.Nudge{Owner: "tg:100", Reminder: r, Due: h.clock.Now(), Zone: time.UTC}, h.clock.Now())
			if !ok {
				t.Fatal("no reminder")
			}
			return reply
		}
		for _, tc := range []struct {
			say, want, not, logs string
			mm                   float64
		}{
			{"", "a 0.25 mm roller", "guidance's size", "", 0},
			{"/log 0.5 on monday", "your usual 0.5 mm needle (the guidance's size for home use is 0.25 mm)", "", "your usual 0.5 mm needle", 0.5},
			{"/roller new 0.25 titanium", "your 0.25 mm roller,", "guidance's size", "your 0.25 mm roller", 0.25},
		} {
			if tc.say != "" {
				h.say(tc.say)
			}
			h.clock.Add(time.Minute) // a new reminder message, whose Done is a new press
			got := remind()
			contains(t, got, tc.want)
			if tc.not != "" && strings.Contains(got.Text, tc.not) {
				t.Errorf("after %q the reminder says %q:\n%s", tc.say, tc.not, got.Text)
			}
			if tc.mm == 0 {
				continue
			}
			done := h.press("100", got.Buttons[0][0])
			contains(t, done, "Logged", "I logged "+tc.logs)
			list, _ := h.st.ListSessions(ctx, "tg:100", 1)
			if len(list) != 1 || list[0].NeedleMM != tc.mm {
				t.Errorf("after %q Done logged %+v, want %v mm", tc.say, list, tc.mm)
			}
			contains(t, h.press("100", button(t, done, "Undo")), "Removed")
		}
	})
}

func TestTimeZoneBeforeTheFirstEntry(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		// The first session without a zone is logged, and the zone is asked for.
		r := h.say("rolled 0.25 at 22:00 yesterday")
		contains(t, r, "Logged", "Fri 27 Nov, 22:00", "which time zone are you in?", "send your city")
		zone := button(t, r, "Berlin")
		h.say("/log 0.25") // logged now, an instant: it keeps its time
		contains(t, h.press("100", zone), "Time zone set to Europe/Berlin")
		// The session read from words keeps its wall-clock time in the new zone; the one
		// logged "now" keeps its instant.
		contains(t, h.say("/history"), "#1 Fri 27 Nov, 22:00", "#2 Sat 28 Nov, 22:15", "Times are in Europe/Berlin")
	})
	backends(t, func(t *testing.T, h *harness) {
		// A city name answers the question, when no zone is set.
		// Unasked, a city's name is only a word ("Christmas" is a zone's city too).
		for _, word := range []string{"Christmas", "Paris"} {
			if r := h.say(word); strings.Contains(r.Text, "Time zone set") {
				t.Errorf("%q unasked set the time zone: %q", word, r.Text)
			}
		}
		r := h.say("/remind set 21:30")
		contains(t, r, "Which time zone are you in?")
		button(t, r, "Berlin")
		// Small talk after the question is small talk, and moves on from it.
		if r := h.say("nice"); strings.Contains(r.Text, "Time zone set") {
			t.Errorf("%q set the time zone: %q", "nice", r.Text)
		}
		if r := h.say("Paris"); strings.Contains(r.Text, "Time zone set") {
			t.Errorf("Paris two messages after the question set the time zone: %q", r.Text)
		}
		contains(t, h.say("/settings"), "Which time zone are you in?")
		contains(t, h.say("Paris"), "Time zone set to Europe/Paris", "Your 1 reminder now follows it")
		// Once set, a city name is a city name, not a new zone.
		if r := h.say("London"); strings.Contains(r.Text, "Time zone set") {
			t.Errorf("a city with the zone set changed it: %q", r.Text)
		}
	})
	backends(t, func(t *testing.T, h *harness) {
		// A big city that names no zone is known too.
		contains(t, h.say("/log 0.25"), "which time zone are you in?")
		contains(t, h.say("Munich"), "Time zone set to Europe/Berlin")
		contains(t, h.say("/timezone Mumbai"), "Time zone set to Asia/Kolkata")
		contains(t, h.say("/timezone Birmingham"), "Europe/London", "America/Chicago")
	})
}

// A report with no time in it is an instant: sent a second before it is read (as Telegram's
// whole-second dates are), it keeps its instant when the zone is set later.
func TestUntimedReportKeepsItsInstant(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		sent := h.clock.Now().Add(-1500 * time.Millisecond).Truncate(time.Second)
		p := commands.Parse("rolled 0.25 with my peptide serum")
		h.bot.Respond(context.Background(), &commands.Request{ID: "tg:u:5000", Platform: domain.Telegram, UserID: "100", ChatID: "100",
			Private: true, Command: p.Command, Text: p.Text, Time: sent})
		h.say("/timezone Europe/Berlin")
		list, _ := h.st.ListSessions(context.Background(), "tg:100", 0)
		if len(list) != 1 || !list[0].At.Equal(sent) {
			t.Errorf("sessions = %+v, want one at %v", list, sent)
		}
	})
}

// One entry that cannot be read does not hide the diary: /history and /export show the rest
// and say one was left out; bot doctor then moves it aside.
func TestADamagedEntryIsSkipped(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		h.say("/timezone Europe/Berlin")
		h.say("rolled 0.25 on monday")
		h.say("rolled 0.5 on wednesday")
		h.st.Client().HSet(context.Background(), "nb:{tg:100}:s", "1", "{not json")
		r := h.say("/history")
		contains(t, r, "Your last session", "#2 Wed 25 Nov", "1 session could not be read and is left out")
		if strings.Contains(r.Text, "#1 ") {
			t.Errorf("the damaged entry is shown:\n%s", r.Text)
		}
		contains(t, h.say("/export"), "Your 1 session", "could not be read")
		if !strings.Contains(h.logs.String(), "cannot be read") {
			t.Errorf("the damage is not logged:\n%s", h.logs)
		}
		found, err := h.st.Doctor(context.Background(), true)
		if err != nil || len(found) != 1 || found[0].Member != "1" || found[0].Fixed == "" {
			t.Fatalf("doctor found %v, %v", found, err)
		}
		r = h.say("/history")
		if strings.Contains(r.Text, "could not be read") {
			t.Errorf("after doctor --fix the history still has damage: %q", r.Text)
		}
		if again, _ := h.st.Doctor(context.Background(), false); len(again) != 0 {
			t.Errorf("a second check found %v", again)
		}
	})
}

func TestWordingOfCountsAndSuggestions(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		contains(t, h.say("/stat"), "Did you mean /stats")
		h.say("/remind set 21:00")
		h.press("100", button(t, h.say("/remind set 22:00"), "Add a second"))
		contains(t, h.say("/remind off"), "Both your reminders are off.")
		h.say("rolled 0.25 on monday")
		contains(t, h.say("/history"), "Your last session\n")
	})
}

func TestSettingsPrivacyAndStartLinks(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		r := h.say("/settings")
		contains(t, r, "Time zone: not set", "Reminders: none", "Linked accounts: none", "/privacy")
		button(t, r, "Berlin")
		h.say("/timezone Europe/Berlin")
		h.say("/remind set 21:30")
		contains(t, h.say("/settings"), "Time zone: Europe/Berlin", "#1 at 21:30, daily", "arriving on Telegram")
		contains(t, h.say("/privacy"), "the sessions you log", "/forget deletes everything")
		contains(t, h.say("/start remind"), "/remind set 21:30 - every night")
		contains(t, h.say("/start size"), "0.25 mm")
		contains(t, h.say("/start settings"), "Your settings")
		contains(t, h.say("/start"), "I'm a bot, not a doctor")
		contains(t, h.say("/start nonsense"), "I'm a bot, not a doctor")
	})
}
