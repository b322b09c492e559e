package diary

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/needlebot/needlebot/internal/domain"
)

// TestTimePhrasesAroundMidnight reads the same time phrases sent at 22:10, 00:30 and 03:00
// local time, in Berlin and in New York: late in the evening they mean today; in the small
// hours "tonight", "this evening" and "last night" are the evening just gone.
func TestTimePhrasesAroundMidnight(t *testing.T) {
	for _, zone := range []string{"Europe/Berlin", "America/New_York"} {
		loc := mustLoad(t, zone)
		// Thursday 3 December 2026, and the small hours of Friday 4 December.
		at := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, loc) }
		sent := map[string]time.Time{"22:10": at(3, 22, 10), "00:30": at(4, 0, 30), "03:00": at(4, 3, 0)}
		tests := []struct {
			text string
			want map[string]time.Time // by send time; a zero time: asked back, not logged
		}{
			{"rolled 0.25 tonight", map[string]time.Time{"22:10": at(3, 22, 10), "00:30": at(3, 21, 0), "03:00": at(3, 21, 0)}},
			{"rolled 0.25 this evening", map[string]time.Time{"22:10": at(3, 22, 10), "00:30": at(3, 21, 0), "03:00": at(3, 21, 0)}},
			{"rolled 0.25 at 7:15 tonight", map[string]time.Time{"22:10": at(3, 19, 15), "00:30": at(3, 19, 15), "03:00": at(3, 19, 15)}},
			{"rolled 0.25 last night", map[string]time.Time{"22:10": at(2, 21, 0), "00:30": at(3, 21, 0), "03:00": at(3, 21, 0)}},
			{"rolled 0.25 yesterday", map[string]time.Time{"22:10": at(2, 21, 0), "00:30": at(3, 21, 0), "03:00": at(3, 21, 0)}},
			{"rolled 0.25 at 11pm", map[string]time.Time{"22:10": at(2, 23, 0), "00:30": at(3, 23, 0), "03:00": at(3, 23, 0)}},
			{"rolled 0.25 at 8:30", map[string]time.Time{"22:10": at(3, 20, 30), "00:30": at(3, 20, 30), "03:00": at(3, 20, 30)}},
			{"rolled 0.25 an hour ago", map[string]time.Time{"22:10": at(3, 21, 10), "00:30": at(3, 23, 30), "03:00": at(4, 2, 0)}},
			{"rolled 0.25 just now", map[string]time.Time{"22:10": at(3, 22, 10), "00:30": at(4, 0, 30), "03:00": at(4, 3, 0)}},
			{"rolled 0.25 this morning", map[string]time.Time{"22:10": at(3, 8, 0), "00:30": {}, "03:00": {}}},
			{"rolled 0.25 on tuesday", map[string]time.Time{"22:10": at(1, 21, 0), "00:30": at(1, 21, 0), "03:00": at(1, 21, 0)}},
		}
		for _, tt := range tests {
			for _, when := range []string{"22:10", "00:30", "03:00"} {
				t.Run(fmt.Sprintf("%s/%s/%s", zone, when, tt.text), func(t *testing.T) {
					got := testReader.Read(tt.text, sent[when])
					want := tt.want[when]
					if want.IsZero() {
						if got.Kind != Ambiguous || len(got.Days) == 0 {
							t.Errorf("testReader.Read(%q) at %s = %v %v, want a question back with days", tt.text, when, got.Kind, got.Session.At)
						}
						return
					}
					if got.Kind != Report || !got.Session.At.Equal(want) {
						t.Errorf("testReader.Read(%q) at %s = %v at %v, want a report at %v", tt.text, when, got.Kind, got.Session.At, want)
					}
				})
			}
		}
	}
}

// TestReadsLikeAPerson has a row for each thing the understanding issue asks of the diary.
func TestReadsLikeAPerson(t *testing.T) {
	now := berlinNow(t) // Saturday 28 November 2026, 22:15
	loc := now.Location()
	day := func(d int) time.Time { return time.Date(2026, 11, d, EveningHour, 0, 0, 0, loc) }
	tests := []struct {
		name string
		text string
		want Result
	}{
		{"size in words: quarter", "rolled a quarter mm tonight", Result{Kind: Report, Session: domain.Session{At: now, NeedleMM: 0.25}}},
		{"size in words: point two five", "did point two five with peptides", Result{Kind: Report, Session: domain.Session{At: now, NeedleMM: 0.25, Products: []string{"peptides"}}}},
		{"size in words: zero point five", "rolled zero point five on my cheeks", Result{Kind: Report, Session: domain.Session{At: now, NeedleMM: 0.5, Areas: []string{"cheeks"}}}},
		{"size in words: half a millimetre", "dermarolled half a millimetre", Result{Kind: Report, Session: domain.Session{At: now, NeedleMM: 0.5}}},
		{"size in words: one millimetre", "microneedled with a one millimeter roller", Result{Kind: Report, Session: domain.Session{At: now, NeedleMM: 1}}},
		{"roll of another kind: food", "rolled out the pizza dough tonight", Result{Kind: Other}},
		{"roll of another kind: eyes", "rolled my eyes at him tonight", Result{Kind: Other}},
		{"this evening is pm", "dermarolled at 7:15 this evening", Result{Kind: Report, Session: domain.Session{At: time.Date(2026, 11, 28, 19, 15, 0, 0, loc)}}},
		{"vague day asks with days", "rolled 0.25 the other day", Result{Kind: Ambiguous, Reason: `Which day was "the other day"? Press it and I'll log the session.`,
			Days: []time.Time{day(26), day(25), day(24), day(23), day(22)}, Session: domain.Session{At: now, NeedleMM: 0.25}}},
		{"vague week asks with days", "dermarolled sometime last week", Result{Kind: Ambiguous, Reason: `Which day was "sometime last week"? Press it and I'll log the session.`,
			Days: []time.Time{day(22), day(21), day(20), day(19), day(18), day(17), day(16)}, Session: domain.Session{At: now}}},
		{"unknown product kept", "rolled 0.25 with caffeine serum", Result{Kind: Report, Session: domain.Session{At: now, NeedleMM: 0.25, Products: []string{"caffeine serum"}}}},
		{"misspelt product kept", "rolled 0.25 w/ hyaluronc", Result{Kind: Report, Session: domain.Session{At: now, NeedleMM: 0.25, Products: []string{"hyaluronic acid"}}}},
		{"listed product kept", "dermarolled + rosehip", Result{Kind: Report, Session: domain.Session{At: now, Products: []string{"rosehip oil"}}}},
		{"two sizes ask which", "did 0.25 and then 1mm tonight", Result{Kind: Ambiguous, Reason: "Which needle did you use, 0.25 mm or 1 mm? Press one and I'll log it.",
			Sizes: []float64{0.25, 1}, Session: domain.Session{At: now, NeedleMM: 0.25}}},
		{"abbreviation and emoji", "mn 0.25 ✅", Result{Kind: Report, Session: domain.Session{At: now, NeedleMM: 0.25}}},
		{"abbreviation and emoji: done", "dr'd .25 🙌", Result{Kind: Report, Session: domain.Session{At: now, NeedleMM: 0.25}}},
		{"not done mark", "0.25 ❌ tonight", Result{Kind: Ambiguous, Reason: msgNegated}},
		{"report and question", "did 0.2 just now, should I wear sunscreen tomorrow?", Result{Kind: Report, Session: domain.Session{At: now, NeedleMM: 0.2}, Question: "should I wear sunscreen tomorrow?"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, testReader.Read(tt.text, now), sessionOpts); diff != "" {
				t.Errorf("testReader.Read(%q) mismatch (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}
