package schedule

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLoadZone(t *testing.T) {
	tests := []struct {
		in   string
		want string // the location's name
	}{
		{"Europe/Berlin", "Europe/Berlin"},
		{"europe/berlin", "Europe/Berlin"},
		{"EUROPE/BERLIN", "Europe/Berlin"},
		{"  Europe/Berlin\u00a0", "Europe/Berlin"},
		{"Europe/Berlin\u200b", "Europe/Berlin"},
		{"America/New York", "America/New_York"},
		{"america/new_york", "America/New_York"},
		{"America/Port au Prince", "America/Port-au-Prince"},
		{"america/argentina/buenos aires", "America/Argentina/Buenos_Aires"},
		{"Asia/Kolkata", "Asia/Kolkata"},
		{"Australia/Lord_Howe", "Australia/Lord_Howe"},
		{"UTC", "UTC"},
		{"utc", "UTC"},
		{"GMT", "UTC"},
		{"Z", "UTC"},
		{"Etc/UTC", "UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			loc, err := LoadZone(tt.in)
			if err != nil {
				t.Fatalf("LoadZone(%q) error: %v", tt.in, err)
			}
			if got := loc.String(); got != tt.want {
				t.Errorf("LoadZone(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestLoadZoneErrors(t *testing.T) {
	tests := []struct {
		in   string
		want []string // suggestions, best first
	}{
		{"berlin", []string{"Europe/Berlin"}},
		{"Berlin", []string{"Europe/Berlin"}},
		{"Asia/Berlin", []string{"Europe/Berlin"}},
		{"europe/berln", []string{"Europe/Berlin"}},
		{"Kolkatta", []string{"Asia/Kolkata"}},
		{"calcuta", []string{"Asia/Calcutta"}},
		{"new york", []string{"America/New_York"}},
		{"new_york", []string{"America/New_York"}},
		{"New-York", []string{"America/New_York"}},
		{"NYC", []string{"America/New_York"}},
		{"Asia/Tokio", []string{"Asia/Tokyo"}},
		{"são paulo", []string{"America/Sao_Paulo"}},
		{"ist", []string{"Asia/Kolkata", "Asia/Jerusalem", "Europe/Dublin"}},
		{"germany", []string{"Europe/Berlin"}},
		{"Buenos Aires", []string{"America/Argentina/Buenos_Aires", "America/Buenos_Aires"}},
		{"lord howe", []string{"Australia/Lord_Howe"}},
		{"America/Argentina", []string{"America/Argentina/Buenos_Aires", "America/Argentina/Catamarca", "America/Argentina/ComodRivadavia"}},
		{"chatam", []string{"Pacific/Chatham", "Asia/Chita"}}, // one edit, then two
		{"xyzzy", nil},
		{"junk!!", nil},
		{"Local", nil}, // time.LoadLocation("Local") would hand back the server's zone
		{"Etc/GMT+5", nil},
		{"EST5EDT", nil},
		{"../etc", nil},
		{"../../etc/passwd", nil},
		{"/etc/passwd", nil},
		{"Europe/../Berlin", nil},
		{`Europe\Berlin`, nil},
		{"Europe/Berlin\x00", nil},
		{"Europe/\nBerlin", nil},
		{"\xffberlin", nil},
		{"", nil},
		{"   ", nil},
		{strings.Repeat("a", 1000), nil},
		{strings.Repeat("b", 65), nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			loc, err := LoadZone(tt.in)
			if err == nil {
				t.Fatalf("LoadZone(%q) = %v, want an error", tt.in, loc)
			}
			var ze *ZoneError
			if !errors.As(err, &ze) {
				t.Fatalf("LoadZone(%q) error %T, want *ZoneError", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, ze.Suggestions); diff != "" {
				t.Errorf("LoadZone(%q) suggestions (-want +got):\n%s", tt.in, diff)
			}
			if ze.Name != tt.in {
				t.Errorf("ZoneError.Name = %q, want %q", ze.Name, tt.in)
			}
			if msg := err.Error(); len(msg) > 200 {
				t.Errorf("LoadZone(%q) error is %d bytes, want a short sentence: %s", tt.in, len(msg), msg)
			}
		})
	}
}

func TestZoneErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  *ZoneError
		want string
	}{
		{"one suggestion", &ZoneError{Name: "berlin", Suggestions: []string{"Europe/Berlin"}},
			`"berlin" is not a time zone I know. Did you mean Europe/Berlin?`},
		{"two suggestions", &ZoneError{Name: "x", Suggestions: []string{"A/B", "C/D"}},
			`"x" is not a time zone I know. Did you mean A/B or C/D?`},
		{"three suggestions", &ZoneError{Name: "ist", Suggestions: []string{"Asia/Kolkata", "Asia/Jerusalem", "Europe/Dublin"}},
			`"ist" is not a time zone I know. Did you mean Asia/Kolkata, Asia/Jerusalem or Europe/Dublin?`},
		{"no suggestion", &ZoneError{Name: "xyzzy"},
			`"xyzzy" is not a time zone I know. Try a name like Europe/Berlin or America/New_York.`},
		{"empty", &ZoneError{Name: " "},
			`Please tell me your time zone, like Europe/Berlin or America/New_York.`},
		{"quotes escaped", &ZoneError{Name: "a\"b\x00"},
			`"a\"b\x00" is not a time zone I know. Try a name like Europe/Berlin or America/New_York.`},
		{"long input truncated", &ZoneError{Name: strings.Repeat("a", 1000)},
			`"` + strings.Repeat("a", 64) + `…" is not a time zone I know. Try a name like Europe/Berlin or America/New_York.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error():\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestLoadZoneEveryZone loads every listed name, which also proves that
// zones.txt and the embedded tz data agree.
func TestLoadZoneEveryZone(t *testing.T) {
	for _, name := range Zones() {
		loc, err := LoadZone(name)
		if err != nil {
			t.Errorf("LoadZone(%q) error: %v", name, err)
			continue
		}
		if loc.String() != name {
			t.Errorf("LoadZone(%q) = %s", name, loc)
		}
		if again, _ := LoadZone(strings.ToLower(name)); again != loc {
			t.Errorf("LoadZone(%q) twice gave different *time.Location values, want the cached one", name)
		}
	}
}

func TestZones(t *testing.T) {
	zs := Zones()
	if len(zs) < 400 {
		t.Errorf("Zones() has %d names, want the ~490 Area/City names", len(zs))
	}
	if !slices.IsSorted(zs) {
		t.Error("Zones() is not sorted")
	}
	if len(slices.Compact(slices.Clone(zs))) != len(zs) {
		t.Error("Zones() has duplicates")
	}
	for _, want := range []string{"UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Australia/Lord_Howe", "Pacific/Chatham"} {
		if !slices.Contains(zs, want) {
			t.Errorf("Zones() lacks %s", want)
		}
	}
	for _, legacy := range []string{"EST5EDT", "posixrules", "Factory", "Etc/GMT+5", "US/Eastern", "Japan", "GMT", "Local", ""} {
		if slices.Contains(zs, legacy) {
			t.Errorf("Zones() has legacy name %q", legacy)
		}
	}
	zs[0] = "mutated"
	if Zones()[0] == "mutated" {
		t.Error("Zones() returns the package's own slice; callers can corrupt it")
	}
}

// TestZoneKeysUnique guards the folding in zoneKey: two names that fold to
// one key would make one of them unreachable.
func TestZoneKeysUnique(t *testing.T) {
	if len(zoneByKey) != len(zones) {
		seen := map[string]string{}
		for _, z := range zones {
			if other, ok := seen[z.key]; ok {
				t.Errorf("%s and %s both fold to %q", other, z.name, z.key)
			}
			seen[z.key] = z.name
		}
	}
}

func TestZoneAliasesAreZones(t *testing.T) {
	for alias, names := range zoneAliases {
		if zoneKey(alias) != alias {
			t.Errorf("alias %q is not written as zoneKey would fold it (%q)", alias, zoneKey(alias))
		}
		for _, name := range names {
			if _, ok := zoneByKey[zoneKey(name)]; !ok {
				t.Errorf("alias %q suggests unknown zone %q", alias, name)
			}
		}
	}
}

func TestComplete(t *testing.T) {
	tests := []struct {
		partial string
		n       int
		want    []string
	}{
		{"ber", 5, []string{"Atlantic/Bermuda", "Europe/Berlin", "Australia/Canberra"}},
		{"europe/be", 10, []string{"Europe/Belfast", "Europe/Belgrade", "Europe/Berlin"}},
		{"Europe/Be", 2, []string{"Europe/Belfast", "Europe/Belgrade"}},
		{"new york", 3, []string{"America/New_York"}},
		{"kolk", 25, []string{"Asia/Kolkata"}},
		{"lord", 25, []string{"Australia/Lord_Howe", "Asia/Qyzylorda"}}, // city prefix, then substring
		{"", 3, []string{"Africa/Abidjan", "Africa/Accra", "Africa/Addis_Ababa"}},
		{"utc", 5, []string{"UTC"}},
		{"zzzz", 5, nil},
		{"ber", 0, nil},
		{"ber", -1, nil},
		{strings.Repeat("a", 65), 5, nil},
	}
	for _, tt := range tests {
		t.Run(tt.partial, func(t *testing.T) {
			got := Complete(tt.partial, tt.n)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Complete(%q, %d) (-want +got):\n%s", tt.partial, tt.n, diff)
			}
		})
	}
	t.Run("limit", func(t *testing.T) {
		if got := Complete("a", 25); len(got) != 25 {
			t.Errorf("Complete(%q, 25) returned %d names, want 25", "a", len(got))
		}
	})
}

// TestLoadZoneDrivesNext ties the pieces together the way the bot uses them.
func TestLoadZoneDrivesNext(t *testing.T) {
	loc, err := LoadZone("europe/berlin")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseClock("2:30 am")
	if err != nil {
		t.Fatal(err)
	}
	days, err := ParseDays("sun")
	if err != nil {
		t.Fatal(err)
	}
	got := Next(c, days, loc, time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC))
	if want := utc(2026, 3, 29, 1, 0); !got.Equal(want) { // 03:00 CEST on the spring-forward Sunday
		t.Errorf("Next = %v, want %v", got, want)
	}
}

func TestCityZone(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"paris", "Europe/Paris"}, {"Paris", "Europe/Paris"}, {"new york", "America/New_York"},
		{"  Kolkata ", "Asia/Kolkata"}, {"Europe/Paris", ""}, {"", ""}, {"../paris", ""},
		{"peptides", ""}, {strings.Repeat("a", 100), ""},
		// Big cities that name no zone, from cities.txt.
		{"Munich", "Europe/Berlin"}, {"munich, germany", "Europe/Berlin"}, {"MUMBAI", "Asia/Kolkata"},
		{"Portland", "America/Los_Angeles"}, {"St. Petersburg", "Europe/Moscow"}, {"são paulo", "America/Sao_Paulo"},
		{"Birmingham", ""}, {"munich; DROP", ""},
	} {
		got, ok := CityZone(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("CityZone(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}

// A big city whose name several far-apart cities share is suggested, not guessed.
func TestAmbiguousCitySuggestsItsZones(t *testing.T) {
	_, err := LoadZone("birmingham")
	var ze *ZoneError
	if !errors.As(err, &ze) || !slices.Contains(ze.Suggestions, "Europe/London") || !slices.Contains(ze.Suggestions, "America/Chicago") {
		t.Errorf("LoadZone(birmingham) = %v, want suggestions of Europe/London and America/Chicago", err)
	}
}

// Every city in cities.txt leads to a zone that loads, and none hides a zone's own city.
func TestCitiesTableNamesKnownZones(t *testing.T) {
	if len(bigCities) < 500 {
		t.Fatalf("%d big cities read from cities.txt", len(bigCities))
	}
	for city, zs := range bigCities {
		if len(byCity[city]) > 0 {
			t.Errorf("%s is a zone's city (%v) and in cities.txt", city, byCity[city])
		}
		for _, z := range zs {
			if _, err := LoadZone(z); err != nil {
				t.Errorf("%s: zone %q does not load: %v", city, z, err)
			}
		}
	}
}
