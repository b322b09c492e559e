package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
)

func TestPauseAndResume(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		h.say("/timezone Europe/Berlin") // Saturday 28 Nov, 22:15
		h.say("rolled 0.25 on monday")
		contains(t, h.say("/resume"), "not on a break")
		contains(t, h.say("/pause"), "How long is your break?")
		contains(t, h.say("/pause soon"), "How long is your break?")
		contains(t, h.say("/pause 200 days"), "up to 90 days")
		contains(t, h.say("/pause 5d"), "no reminders until Wed 2 Dec", "come again on Thu 3 Dec", "streak waits")
		breaks, _ := h.st.Breaks(context.Background(), "tg:100")
		if len(breaks) != 1 || breaks[0] != (domain.Break{From: "2026-11-28", To: "2026-12-02"}) {
			t.Fatalf("breaks %+v", breaks)
		}
		contains(t, h.say("/stats"), "On a break until Wed 2 Dec")
		contains(t, h.say("/settings"), "Break: until Wed 2 Dec")
		// A second /pause during the break moves its end.
		contains(t, h.say("/pause until sunday"), "no reminders until Sun 29 Nov")
		h.clock.Add(24 * time.Hour)
		contains(t, h.say("/resume"), "break is over")
		breaks, _ = h.st.Breaks(context.Background(), "tg:100")
		if len(breaks) != 1 || breaks[0] != (domain.Break{From: "2026-11-28", To: "2026-11-28"}) {
			t.Errorf("after /resume the next day, breaks %+v, want Saturday alone", breaks)
		}
		contains(t, h.say("/settings"), "Break: none")
	})
}

func TestBreakInPlainWordsAsksFirst(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		h.say("/timezone Europe/Berlin")
		r := h.say("I'm on holiday until sunday!")
		contains(t, r, "Take a break?", "until Sun 29 Nov")
		if b, _ := h.st.Breaks(context.Background(), "tg:100"); len(b) != 0 {
			t.Fatal("a break was taken before it was confirmed")
		}
		contains(t, h.say("yes"), "Enjoy your break", "until Sun 29 Nov")
		contains(t, h.say("taking a break for a week"), "Take a break?", "until Fri 4 Dec")
		contains(t, h.say("no"), "no break")
		if b, _ := h.st.Breaks(context.Background(), "tg:100"); len(b) != 1 || b[0].To != "2026-11-29" {
			t.Errorf("breaks %+v", b)
		}
		// Words about rolling are not a break.
		for _, s := range []string{"rolled 0.25 tonight after my trip", "on holiday next week so I will keep going with my usual 4 nights a week", "how long should I take a break between sessions?", "is a week off ok?"} {
			if r := h.say(s); strings.Contains(r.Title, "Take a break") {
				t.Errorf("%q was read as a break", s)
			}
		}
	})
}

func TestNagAndSnoozeChoices(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		h.say("/timezone Europe/Berlin")
		contains(t, h.say("/remind set 21:30 nag 5m"), "10 min to 2 h")
		contains(t, h.say("/remind set 21:30 nag 3x"), "isn't an interval")
		contains(t, h.say("/remind set 21:30 nag 20m"), "I'll remind you at 21:30", "comes again every 20 min, up to 3 more times")
		contains(t, h.say("/remind list"), "again every 20 min until answered")
		contains(t, h.say("/remind nag 1 1h"), "every 1 h")
		contains(t, h.say("/remind nag 1 off"), "once a night now")
		contains(t, h.say("/remind set 21:30 nag"), "every 20 min") // nag on the one at 21:30
		contains(t, h.say("/remind nag 4 20m"), "no reminder #4")
		r, _, _ := h.st.Reminder(context.Background(), "tg:100", "r1")
		if r.Nag != 20*time.Minute {
			t.Errorf("nag %v, want 20m", r.Nag)
		}
		// Snooze asks for how long; it is 22:15 in Berlin, so later tonight (22:30) is too soon.
		rem := domain.Reply{Buttons: h.bot.ReminderButtons("tg:100", r, h.clock.Now())}
		choices := h.press("100", button(t, rem, "Snooze…"))
		contains(t, choices, "Snooze until when?")
		var labels []string
		for _, b := range choices.Buttons[0] {
			labels = append(labels, b.Label)
		}
		if strings.Join(labels, ",") != "15 min,30 min,1 h" {
			t.Errorf("snooze choices %v", labels)
		}
		contains(t, h.press("100", button(t, choices, "30 min")), "again at 22:45")
		h.clock.Add(90 * time.Minute) // 23:45
		contains(t, h.press("100", button(t, h.press("100", button(t, rem, "Snooze…")), "1 h")), "past midnight", "00:45 tomorrow (Sun 29 Nov)")
	})
}
