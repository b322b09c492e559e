package diary

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/needlebot/needlebot/internal/domain"
)

// fuzzZones are where fuzzNow puts "now"; both spring forward within the
// 45 days after 2026-03-01 that a uint16 of minutes spans.
func fuzzZones(t testing.TB) [2]*time.Location {
	t.Helper()
	return [2]*time.Location{mustLoad(t, "Europe/Berlin"), mustLoad(t, "America/New_York")}
}

func fuzzNow(zones [2]*time.Location, minutes uint16) time.Time {
	return time.Date(2026, 3, 1, 0, 0, 0, 0, zones[minutes%2]).Add(time.Duration(minutes) * time.Minute)
}

var fuzzSeeds = []string{
	"rolled 0.25 tonight with my peptide serum",
	"0.5mm + hyaluronic acid last night",
	"did my dermaroller session, forehead and cheeks",
	"Done! 0.25 with HA serum",
	"rolled 250µm yesterday at 2:30am",
	"rolled .25 on 20.11. at 9.30pm",
	"derma-rolled my whole face with The Ordinary serum, felt great",
	"can I use 0.5 mm?",
	"going to roll tonight",
	"didn't roll",
	"0,25",
	"1e309",
	"NaN",
	"-1",
	"rolled 99999999999999999999999mm",
	"last night at 1am",
	"rolled the day before yesterday",
	"in 2 hours",
	"29/02/2028",
	"'; DROP TABLE sessions;--",
	"\xff\xfe",
	"🙂",
	"",
	"rolled out of bed at 7am",
	"thinking about rolling 0.25 tonight",
	"Rolled 0.25 yesterday, can I use retinol today",
	"0.25 or 0.5 for cheeks",
	"my wife rolled 0.25 on her cheeks tonight",
	"rolled 0.25, will do again at 21:30",
	"did 0.2 just now, should I wear sunscreen tomorrow?",
	"rolled 0.25 with peptides the other day",
	"used 0.25 then 0.5 tonight",
	"point two five with hyaluronc serum 7:15 tonight",
	"0.25 ✅",
	"did NOT roll yesterday ❌",
	"2nite 0.25 + the ordinary buffet",
}

func FuzzRead(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, uint16(i*997))
	}
	zones := fuzzZones(f)
	f.Fuzz(func(t *testing.T, text string, minutes uint16) {
		now := fuzzNow(zones, minutes)
		got := testReader.Read(text, now)
		if again := testReader.Read(text, now); !cmp.Equal(got, again) {
			t.Fatalf("testReader.Read(%q) is not deterministic: %+v then %+v", text, got, again)
		}
		switch got.Kind {
		case Report:
			checkSession(t, text, got.Session, now)
			if got.Reason != "" {
				t.Errorf("Report with reason %q", got.Reason)
			}
		case Ambiguous:
			if got.Reason == "" || !utf8.ValidString(got.Reason) {
				t.Errorf("Ambiguous reason %q must be non-empty valid UTF-8", got.Reason)
			}
			for i, d := range got.Days {
				if d.After(now) || (i > 0 && !d.Before(got.Days[i-1])) {
					t.Errorf("testReader.Read(%q) offers days %v at %v: not newest first in the past", text, got.Days, now)
				}
			}
			if len(got.Sizes) == 1 {
				t.Errorf("testReader.Read(%q) asks about one size", text)
			}
			for _, mm := range got.Sizes {
				if mm < minNeedleMM || mm > maxNeedleMM {
					t.Errorf("testReader.Read(%q) offers size %v", text, mm)
				}
			}
		case Question, Other:
			if got.Reason != "" {
				t.Errorf("%v with reason %q", got.Kind, got.Reason)
			}
		default:
			t.Fatalf("testReader.Read(%q) kind %v", text, got.Kind)
		}
		choices := len(got.Days) > 0 || len(got.Sizes) > 0
		if got.Kind != Report && !choices && !cmp.Equal(got.Session, domain.Session{}) {
			t.Errorf("%v carries a session: %+v", got.Kind, got.Session)
		}
		if got.Question != "" && got.Kind != Report {
			t.Errorf("%v carries a question %q", got.Kind, got.Question)
		}
	})
}

func FuzzParseLog(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, uint16(i*991))
	}
	zones := fuzzZones(f)
	f.Fuzz(func(t *testing.T, args string, minutes uint16) {
		now := fuzzNow(zones, minutes)
		s, err := testReader.ParseLog(args, now)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) || ie.Message == "" || !utf8.ValidString(ie.Message) {
				t.Fatalf("testReader.ParseLog(%q) error %#v must be an *InputError with a valid message", args, err)
			}
			if !cmp.Equal(s, domain.Session{}) {
				t.Errorf("testReader.ParseLog(%q) returned a session with an error: %+v", args, s)
			}
			return
		}
		checkSession(t, args, s, now)
	})
}

// checkSession asserts what every logged session read from text must satisfy.
func checkSession(t *testing.T, text string, s domain.Session, now time.Time) {
	t.Helper()
	if s.NeedleMM != 0 && (s.NeedleMM < minNeedleMM || s.NeedleMM > maxNeedleMM) {
		t.Errorf("NeedleMM %v outside %v–%v", s.NeedleMM, minNeedleMM, maxNeedleMM)
	}
	if s.At.After(now) {
		t.Errorf("At %v is after now %v", s.At, now)
	}
	if s.At.Before(now.AddDate(-1, 0, 0)) {
		t.Errorf("At %v is more than a year before now %v", s.At, now)
	}
	if s.At.Location() != now.Location() {
		t.Errorf("At is in %v, want %v", s.At.Location(), now.Location())
	}
	if n := utf8.RuneCountInString(s.Note); n > maxNoteRunes {
		t.Errorf("note has %d runes", n)
	}
	strs := append(append([]string{s.Note}, s.Products...), s.Areas...)
	for _, str := range strs {
		if !utf8.ValidString(str) {
			t.Errorf("invalid UTF-8 %q", str)
		}
	}
	clean, _ := normalize(text)
	for _, p := range s.Products {
		if p == "" || utf8.RuneCountInString(p) > maxProductRunes {
			t.Errorf("product %q is empty or longer than %d runes", p, maxProductRunes)
		}
		if !testReader.known[p] && !strings.Contains(clean, strings.TrimSuffix(p, "…")) {
			t.Errorf("product %q is neither canonical nor the user's words in %q", p, clean)
		}
	}
	for _, a := range s.Areas {
		if !slices.ContainsFunc(areaEntries, func(e dictEntry) bool { return e.canon == a }) {
			t.Errorf("area %q is not canonical", a)
		}
	}
}
