package commands_test

import (
	"strings"
	"testing"
	"time"
)

func TestRoller(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		h.say("/timezone Europe/Berlin") // Saturday 28 Nov, 22:15
		contains(t, h.say("/roller"), "Tell me about your roller")
		for _, bad := range []string{"/roller new", "/roller new 7", "/roller new abc", "/roller old 0.25", "/roller new 0.1", "/roller new 0.25 " + strings.Repeat("x", 41)} {
			if r := h.say(bad); !strings.Contains(r.Text, "roller") && !strings.Contains(r.Text, "characters") {
				t.Errorf("%s: %q", bad, r.Text)
			}
		}
		contains(t, h.say("/roller new 0,25 titanium"), "New roller: 0.25 mm “titanium”")
		h.say("rolled 0.25 tonight")
		h.clock.Add(48 * time.Hour)
		r := h.say("/log 0.5 peptides")
		contains(t, r, "Your roller is 0.25 mm “titanium”, but this says 0.5 mm. Which is right?")
		contains(t, h.say("/stats"), "Roller: 0.25 mm “titanium”, since Sat 28 Nov: 2 sessions in 3 days")
		contains(t, h.press("100", button(t, r, "0.25 mm: fix this entry")), "Fixed: #2 is now Mon 30 Nov, 22:15 · 0.25 mm · peptides")
		h.clock.Add(24 * time.Hour)
		r = h.say("/log 0.5")
		contains(t, h.press("100", button(t, r, "0.5 mm: a new roller")), "New roller: 0.5 mm", "suggests 0.25 mm for use at home")
		contains(t, h.say("/roller"), "Roller: 0.5 mm, since Tue 1 Dec: 1 session in 1 day")
		if r := h.say("/log 0.5"); strings.Contains(r.Text, "Which is right?") {
			t.Errorf("a session matching the roller asked: %q", r.Text)
		}
		// Replacing a roller is not in the guidance, and the bot says so.
		contains(t, h.say("when should I replace my roller?"), "doesn't cover")
	})
}

func TestSettingsShowTheOptIns(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		h.say("/timezone Europe/Berlin")
		contains(t, h.say("/settings"), "Weekly summary: off", "Morning check-in: off")
		h.say("/summary on friday 20:00")
		h.say("/checkin on 08:30")
		h.say("/roller new 0.25")
		contains(t, h.say("/settings"), "Weekly summary: every Friday at 20:00", "Morning check-in: at 08:30", "Roller: 0.25 mm since Sat 28 Nov")
		contains(t, h.say("/summary on everyday"), "one day of the week")
		contains(t, h.say("/summary on mon,wed"), "one day of the week")
		contains(t, h.say("/summary sometimes"), "I don't know /summary")
		contains(t, h.say("/checkin on 25:00"), "isn't a time")
		h.say("/summary off")
		h.say("/checkin off")
		contains(t, h.say("/settings"), "Weekly summary: off", "Morning check-in: off")
		contains(t, h.say("/summary off"), "off already")
	})
}
