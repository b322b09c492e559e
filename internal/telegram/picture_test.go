package telegram

import (
	"bytes"
	"context"
	"image/png"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/remind"
)

// /stats sends the month's picture as a photo, captioned; the CSV export stays a document.
func TestPictureArrivesAsAPhoto(t *testing.T) {
	bot, _ := storeBot(t)
	h := newHarness(t, bot)
	h.run()
	h.exchange(privateText(1, "/log 0.5 peptides"))
	calls := h.exchange(privateText(2, "/stats"))
	photo := sent(t, calls, "sendPhoto")
	if img, err := png.Decode(bytes.NewReader(photo.File)); err != nil || img.Bounds().Dx() < 600 {
		t.Fatalf("sent photo %q does not decode as the picture: %v", photo.FileName, err)
	}
	wantContains(t, visible(photo.Params.Get("caption")), "Your stats", "November 2026: 1 session on 1 day, 1 day with a needle over 0.25 mm")
	if slices.Contains(names(calls), "sendDocument") {
		t.Errorf("/stats sent a document too: %v", names(calls))
	}
	sent(t, h.exchange(privateText(3, "/export")), "sendDocument")
}

// A nagging reminder's repeat is a reply to the first, and Done on the repeat stops the rest.
func TestNagRepliesToTheFirstReminder(t *testing.T) {
	bot, st := storeBot(t)
	h := newHarness(t, bot)
	tg := h.run()
	wantContains(t, visible(sent(t, h.exchange(privateText(1, "/remind set 21:45 nag 20m")), "sendMessage").Params.Get("text")), "every 20 min")
	dispatch := func(at time.Time) []apiCall {
		t.Helper()
		mark := h.api.Mark()
		d := remind.New(remind.Config{Queue: st, Composer: bot, Notifiers: map[domain.Platform]remind.Notifier{domain.Telegram: tg}, Clock: stillClock{at}})
		if _, err := d.Round(context.Background()); err != nil {
			t.Fatal(err)
		}
		return h.api.Since(mark)
	}
	first := testNow.Add(15 * time.Minute) // 21:45 UTC
	sent(t, dispatch(first), "sendMessage")
	firstID := h.api.LastID()
	repeat := sent(t, dispatch(first.Add(20*time.Minute)), "sendMessage")
	if got := repeat.Params.Get("reply_to_message_id"); got != strconv.Itoa(firstID) {
		t.Errorf("the repeat replies to %q, want the first reminder %d", got, firstID)
	}
	wantContains(t, visible(repeat.Params.Get("text")), "Reminder 2 of 4")
	h.exchange(press(2, userID, "private", h.api.LastID(), buttonData(t, repeat, "Done")))
	if calls := dispatch(first.Add(40 * time.Minute)); slices.Contains(names(calls), "sendMessage") {
		t.Errorf("a repeat came after Done: %v", names(calls))
	}
}

// The morning check-in and the weekly summary come through Telegram at their local times; the
// check-in's button keeps the answer, and the summary carries the month's picture.
func TestCheckinAndSummaryThroughTelegram(t *testing.T) {
	bot, st := storeBot(t)
	h := newHarness(t, bot)
	tg := h.run()
	h.exchange(privateText(1, "/timezone Europe/Berlin")) // Saturday 28 Nov, 22:30 there
	h.exchange(privateText(2, "/checkin on"))
	h.exchange(privateText(3, "/summary on"))
	h.exchange(privateText(4, "/log 0.25 peptides"))
	berlin, _ := time.LoadLocation("Europe/Berlin")
	dispatch := func(at time.Time) []apiCall {
		t.Helper()
		mark := h.api.Mark()
		d := remind.New(remind.Config{Queue: st, Composer: bot, Notifiers: map[domain.Platform]remind.Notifier{domain.Telegram: tg}, Clock: stillClock{at}})
		if _, err := d.Round(context.Background()); err != nil {
			t.Fatal(err)
		}
		return h.api.Since(mark)
	}
	if calls := dispatch(time.Date(2026, 11, 29, 8, 59, 0, 0, berlin)); len(calls) != 0 {
		t.Errorf("before 09:00 in Berlin: %v", names(calls))
	}
	ask := sent(t, dispatch(time.Date(2026, 11, 29, 9, 0, 30, 0, berlin)), "sendMessage")
	wantContains(t, visible(ask.Params.Get("text")), "How is your skin today?", "Sat 28 Nov, 22:30")
	calls := h.exchange(press(5, userID, "private", h.api.LastID(), buttonData(t, ask, "Irritated")))
	wantContains(t, visible(sent(t, only(calls, "editMessageText"), "editMessageText").Params.Get("text")), "doctor")
	if list, _ := st.ListSessions(context.Background(), "tg:42", 0); len(list) != 1 || list[0].Skin != domain.SkinIrritated {
		t.Errorf("the session's check-in is not kept: %+v", list)
	}
	week := sent(t, dispatch(time.Date(2026, 11, 29, 19, 0, 30, 0, berlin)), "sendPhoto")
	wantContains(t, visible(week.Params.Get("caption")), "Your week", "1 session, against up to 5")
	if _, err := png.Decode(bytes.NewReader(week.File)); err != nil {
		t.Errorf("the summary's picture does not decode: %v", err)
	}
	if strings.Contains(week.Params.Get("caption"), "Reminder") {
		t.Errorf("the summary reads as a reminder: %q", week.Params.Get("caption"))
	}
}
