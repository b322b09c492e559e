package commands_test

import (
	"strings"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
)

// step is one thing a user does and what they must then read: a line they send, or a press of
// the button labelled press (a prefix) in the last reply that had buttons.
type step struct {
	say, press string
	after      time.Duration // the clock moves on this much first
	want, not  []string
}

// run plays the steps on a fresh diary of each backend.
func run(t *testing.T, steps []step) {
	t.Helper()
	backends(t, func(t *testing.T, h *harness) {
		t.Helper()
		var last domain.Reply // the last reply with buttons
		for i, s := range steps {
			h.clock.Add(s.after)
			var r domain.Reply
			if s.press != "" {
				r = h.press("100", button(t, last, s.press))
			} else {
				r = h.say(s.say)
			}
			if len(r.Buttons) > 0 {
				last = r
			}
			for _, w := range s.want {
				if !strings.Contains(r.Title+"\n"+r.Text, w) {
					t.Errorf("step %d (%q%q): reply lacks %q:\n%s\n%s", i+1, s.say, s.press, w, r.Title, r.Text)
				}
			}
			for _, n := range s.not {
				if strings.Contains(r.Title+"\n"+r.Text, n) {
					t.Errorf("step %d (%q%q): reply has %q:\n%s\n%s", i+1, s.say, s.press, n, r.Title, r.Text)
				}
			}
		}
	})
}

func say(line string, want ...string) step    { return step{say: line, want: want} }
func press(label string, want ...string) step { return step{press: label, want: want} }

// Issue 12, point 3: reminders without copies. The clock starts on Saturday 28 November 2026,
// 21:15 UTC (22:15 in Berlin).
func TestTableRemindersWithoutCopies(t *testing.T) {
	zone := say("/timezone Europe/Berlin", "Time zone set")
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"a time set twice changes nothing", []step{zone,
			say("/remind set 21:30", "Reminder set"),
			say("/remind set 21:30", "already have a reminder at 21:30", "changed nothing"),
			say("/remind list", "#1 at 21:30"),
		}},
		{"00:00, midnight and 12am are one time", []step{zone,
			say("/remind set 00:00", "Reminder set"),
			say("/remind set midnight", "already have a reminder at 00:00"),
			say("/remind set 12am", "already have a reminder at 00:00"),
		}},
		{"9.30pm is 21:30", []step{zone,
			say("/remind set 9.30pm", "Reminder set", "21:30"),
			say("/remind set 21:30", "already have a reminder at 21:30"),
		}},
		{"the same time on other days says how to change the days", []step{zone,
			say("/remind set 21:30"),
			say("/remind set 21:30 weekdays", "already have a reminder at 21:30", "/remind off 1"),
		}},
		{"one reminder: another time offers to move it", []step{zone,
			say("/remind set 21:30"),
			say("/remind set 22:00", "Move your reminder?", "You have a reminder at 21:30"),
			press("Move it to 22:00", "Reminder moved", "22:00"),
			{say: "/remind list", want: []string{"#1 at 22:00"}, not: []string{"21:30", "#2"}},
		}},
		{"one reminder: or keeps it and adds a second", []step{zone,
			say("/remind set 21:30"),
			say("/remind set 07:00", "Move your reminder?"),
			press("Add a second", "Reminder set"),
			say("/remind list", "#1 at 21:30", "#2 at 07:00"),
		}},
		{"two reminders: a third time is simply set", []step{zone,
			say("/remind set 21:30"),
			say("/remind set 07:00"),
			press("Add a second"),
			{say: "/remind set 22:45", want: []string{"Reminder set"}, not: []string{"Move"}},
		}},
		{"numbers stay small after off", []step{zone,
			say("/remind set 21:30"),
			say("/remind set 07:00"),
			press("Add a second"),
			say("/remind set 22:45"),
			say("/remind off 1", "Reminder #1 (21:30) is off", "move up a number"),
			{say: "/remind list", want: []string{"#1 at 07:00", "#2 at 22:45"}, not: []string{"#3"}},
			say("/remind off 2", "Reminder #2 (22:45) is off"),
			say("/remind list", "#1 at 07:00"),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc.steps) })
	}
}

// Issue 12, point 4: entries a user can fix.
func TestTableEntriesAUserCanFix(t *testing.T) {
	zone := say("/timezone Europe/Berlin", "Time zone set")
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"/delete takes the number /history shows", []step{zone,
			say("rolled 0.25 on thursday"), say("rolled 0.5 last night"),
			say("/history", "#1 Thu 26 Nov", "#2 Fri 27 Nov"),
			say("/delete 1", "Deleted", "#1 Thu 26 Nov"),
			{say: "/history", want: []string{"#2 Fri 27 Nov"}, not: []string{"#1 "}},
		}},
		{"/edit changes what it names and keeps the rest", []step{zone,
			say("rolled 0.25 with peptides on thursday"),
			say("/edit 1 0.5", "#1 was Thu 26 Nov, 21:00 · 0.25 mm · peptides", "now Thu 26 Nov, 21:00 · 0.5 mm · peptides"),
		}},
		{"/edit moves an entry to another day", []step{zone,
			say("rolled 0.25 on thursday"),
			say("/edit 1 on wednesday", "now Wed 25 Nov"),
			say("/history", "#1 Wed 25 Nov"),
		}},
		{"/edit of a missing number changes nothing", []step{zone,
			say("rolled 0.25 on thursday"),
			say("/edit 9 0.5", "no session #9"),
			say("/history", "#1 Thu 26 Nov, 21:00 · 0.25 mm"),
		}},
		{"a second session the same night is asked about", []step{zone,
			say("rolled 0.25 on monday", "Logged"),
			say("did 0.25 5 days ago", "Another session?", "#1 Mon 23 Nov"),
			press("No, it's the same one", "didn't log it again"),
			{say: "/history", want: []string{"#1 Mon 23 Nov"}, not: []string{"#2"}},
		}},
		{"and logged when the user says so", []step{zone,
			say("/log 0.25"),
			say("/log 0.25 peptides", "Another session?"),
			press("Log another", "Logged", "peptides"),
			say("/history", "#1 ", "#2 "),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc.steps) })
	}
}

// Issue 12, point 5: the time zone before the first entry.
func TestTableTimeZoneBeforeTheFirstEntry(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"the first log asks for the zone, with buttons", []step{
			say("/log 0.25", "Logged", "which time zone are you in?"),
		}},
		{"the first reminder asks for it first", []step{
			say("/remind set 21:30", "Which time zone are you in?"),
			press("Berlin", "Time zone set to Europe/Berlin"),
		}},
		{"a city answers the question", []step{
			say("/log 0.25", "which time zone are you in?"),
			say("Munich", "Time zone set to Europe/Berlin"),
		}},
		{"asked once: the second entry does not ask again", []step{
			say("/log 0.25 on monday", "which time zone are you in?"),
			press("Berlin", "Time zone set"),
			{say: "/log 0.25 on wednesday", want: []string{"Logged"}, not: []string{"time zone are you in"}},
		}},
		{"a time told in words keeps its clock time when the zone comes later", []step{
			say("rolled 0.25 at 22:00 yesterday", "Fri 27 Nov, 22:00"),
			say("/timezone America/New_York", "Time zone set"),
			say("/history", "#1 Fri 27 Nov, 22:00", "America/New_York"),
		}},
		{"a session logged now keeps its instant", []step{
			say("/log 0.25"),
			say("/timezone Asia/Tokyo", "Time zone set"),
			say("/history", "#1 Sun 29 Nov, 06:15", "Asia/Tokyo"), // 21:15 UTC is 06:15 in Tokyo
		}},
		{"an unknown zone changes nothing and asks again", []step{
			say("/log 0.25", "which time zone are you in?"),
			{say: "/timezone Mars/Olympus", not: []string{"Time zone set"}},
			say("/history", "#1 Sat 28 Nov, 21:15"),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc.steps) })
	}
}
