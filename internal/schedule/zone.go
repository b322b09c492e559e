package schedule

//go:generate go run gen.go

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/needlebot/needlebot/internal/spell"
)

// zonesTxt lists the zone names users may pick, one a line, as written by
// gen.go from the toolchain's tz database.
//
//go:embed zones.txt
var zonesTxt string

// maxZoneInput bounds the zone text LoadZone accepts; the longest real zone
// name is 30 bytes.
const maxZoneInput = 64

// zone is a known zone name with the lookup keys derived from it.
type zone struct {
	name string // canonical spelling, e.g. "America/New_York"
	key  string // zoneKey(name), e.g. "america/new_york"
	city string // key's last element, e.g. "new_york"
}

var (
	zones     []zone              // sorted by name
	zoneNames []string            // zones' names, for Zones
	zoneByKey map[string]zone     // key -> zone, for exact lookups
	byCity    map[string][]string // city -> the zone names it ends, for CityZone
	locCache  sync.Map            // name -> *time.Location, since parsing zone data on every call is wasteful
)

func init() {
	zoneByKey, byCity = map[string]zone{}, map[string][]string{}
	for line := range strings.Lines(zonesTxt) {
		name := strings.TrimSpace(line)
		if name == "" || strings.HasPrefix(name, "#") {
			continue
		}
		key := zoneKey(name)
		z := zone{name: name, key: key, city: key[strings.LastIndexByte(key, '/')+1:]}
		zones = append(zones, z)
		zoneNames = append(zoneNames, name)
		zoneByKey[key] = z
		byCity[z.city] = append(byCity[z.city], name)
	}
}

// CityZone returns the zone a city's name ends, "paris" or "New York" for Europe/Paris and
// America/New_York, when exactly one zone does.
func CityZone(city string) (string, bool) {
	s := strings.TrimSpace(city)
	if s == "" || len(s) > maxZoneInput || absurdZone(s) || strings.Contains(s, "/") {
		return "", false
	}
	names := byCity[zoneKey(s)]
	if len(names) != 1 {
		return "", false
	}
	return names[0], true
}

// utcNames are the spellings of UTC that are not in the tz area list but
// that people and systems commonly use.
var utcNames = map[string]bool{"utc": true, "gmt": true, "z": true, "zulu": true, "etc/utc": true, "etc/gmt": true}

// zoneAliases suggest zones for abbreviations, nicknames and countries,
// keyed by zoneKey; they are only ever suggestions because most are
// ambiguous.
var zoneAliases = map[string][]string{
	"nyc":     {"America/New_York"},
	"la":      {"America/Los_Angeles"},
	"sf":      {"America/Los_Angeles"},
	"est":     {"America/New_York"},
	"edt":     {"America/New_York"},
	"eastern": {"America/New_York"},
	"cst":     {"America/Chicago", "Asia/Shanghai", "America/Havana"},
	"cdt":     {"America/Chicago"},
	"central": {"America/Chicago"},
	"mst":     {"America/Denver", "America/Phoenix"},
	"mdt":     {"America/Denver"},
	"pst":     {"America/Los_Angeles"},
	"pdt":     {"America/Los_Angeles"},
	"akst":    {"America/Anchorage"},
	"hst":     {"Pacific/Honolulu"},
	"bst":     {"Europe/London"},
	"cet":     {"Europe/Berlin", "Europe/Paris"},
	"cest":    {"Europe/Berlin", "Europe/Paris"},
	"eet":     {"Europe/Athens", "Europe/Helsinki", "Africa/Cairo"},
	"ist":     {"Asia/Kolkata", "Asia/Jerusalem", "Europe/Dublin"},
	"jst":     {"Asia/Tokyo"},
	"kst":     {"Asia/Seoul"},
	"aest":    {"Australia/Sydney", "Australia/Brisbane"},
	"aedt":    {"Australia/Sydney"},
	"nzst":    {"Pacific/Auckland"},
	"nzdt":    {"Pacific/Auckland"},
	// Countries people type instead of a zone, with their most populous
	// zone first.
	"usa":         {"America/New_York", "America/Chicago", "America/Los_Angeles"},
	"us":          {"America/New_York", "America/Chicago", "America/Los_Angeles"},
	"canada":      {"America/Toronto", "America/Vancouver", "America/Edmonton"},
	"mexico":      {"America/Mexico_City"},
	"brazil":      {"America/Sao_Paulo"},
	"argentina":   {"America/Argentina/Buenos_Aires"},
	"uk":          {"Europe/London"},
	"england":     {"Europe/London"},
	"britain":     {"Europe/London"},
	"ireland":     {"Europe/Dublin"},
	"france":      {"Europe/Paris"},
	"germany":     {"Europe/Berlin"},
	"spain":       {"Europe/Madrid"},
	"italy":       {"Europe/Rome"},
	"netherlands": {"Europe/Amsterdam"},
	"poland":      {"Europe/Warsaw"},
	"ukraine":     {"Europe/Kyiv"},
	"russia":      {"Europe/Moscow"},
	"turkey":      {"Europe/Istanbul"},
	"egypt":       {"Africa/Cairo"},
	"nigeria":     {"Africa/Lagos"},
	"india":       {"Asia/Kolkata"},
	"pakistan":    {"Asia/Karachi"},
	"bangladesh":  {"Asia/Dhaka"},
	"china":       {"Asia/Shanghai"},
	"japan":       {"Asia/Tokyo"},
	"korea":       {"Asia/Seoul"},
	"philippines": {"Asia/Manila"},
	"vietnam":     {"Asia/Ho_Chi_Minh"},
	"thailand":    {"Asia/Bangkok"},
	"indonesia":   {"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"},
	"australia":   {"Australia/Sydney", "Australia/Perth", "Australia/Brisbane"},
	"new_zealand": {"Pacific/Auckland"},
}

// ZoneError reports a time zone name that LoadZone does not know, with up to
// three known names the user may have meant.
type ZoneError struct {
	Name        string   // the text as the user gave it
	Suggestions []string // best first; empty when nothing is close or the input is absurd
}

// Error returns a complete sentence fit to show to the user, quoting Name
// with %q truncated to 64 bytes.
func (e *ZoneError) Error() string {
	if strings.TrimSpace(e.Name) == "" {
		return "Please tell me your time zone, like Europe/Berlin or America/New_York."
	}
	msg := quote(e.Name) + " is not a time zone I know."
	switch n := len(e.Suggestions); n {
	case 0:
		return msg + " Try a name like Europe/Berlin or America/New_York."
	case 1:
		return msg + " Did you mean " + e.Suggestions[0] + "?"
	default:
		return msg + " Did you mean " + strings.Join(e.Suggestions[:n-1], ", ") + " or " + e.Suggestions[n-1] + "?"
	}
}

// LoadZone resolves an IANA zone name case-insensitively, also accepting
// spaces for underscores ("europe/berlin", "America/New York"), and "UTC",
// "GMT" or "Z" for UTC. Anything else returns a *ZoneError, with up to three
// suggestions for a near miss: a city alone ("berlin"), a misspelling
// ("Kolkatta") or a common abbreviation ("NYC", "CET"). Input that cannot be
// a zone name (empty, longer than 64 bytes, control characters, path tricks
// such as "../x") gets no suggestions. Only names from the built-in list
// ever reach time.LoadLocation, so user text never names a file; should the
// tz data lack a listed name, the error is a plain internal one, not a
// *ZoneError.
func LoadZone(name string) (*time.Location, error) {
	s := strings.TrimSpace(name)
	if s == "" || len(name) > maxZoneInput || absurdZone(s) {
		return nil, &ZoneError{Name: name}
	}
	key := zoneKey(s)
	if utcNames[key] {
		return time.UTC, nil
	}
	z, ok := zoneByKey[key]
	if !ok {
		return nil, &ZoneError{Name: name, Suggestions: suggestZones(key)}
	}
	if loc, ok := locCache.Load(z.name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(z.name)
	if err != nil {
		// Cannot happen with time/tzdata embedded; it would mean zones.txt
		// is newer than the toolchain's tz data, which needs a developer.
		return nil, fmt.Errorf("schedule: loading known zone %s: %w", z.name, err)
	}
	locCache.Store(z.name, loc)
	return loc, nil
}

// absurdZone reports input that no zone name or city resembles, so that
// it is refused without looking for suggestions.
func absurdZone(s string) bool {
	if !utf8.ValidString(s) || strings.Contains(s, "..") || strings.HasPrefix(s, "/") || strings.ContainsRune(s, '\\') {
		return true
	}
	return strings.ContainsFunc(s, unicode.IsControl)
}

// zoneKey folds a zone name or user text for comparison: lowercase, without
// invisible characters, and with each run of spaces, hyphens and underscores
// one underscore, since people type "new york" and "port au prince" for
// New_York and Port-au-Prince.
func zoneKey(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		if unicode.Is(unicode.Cf, r) {
			continue // invisible characters pasted along with the name
		}
		if unicode.IsSpace(r) || r == '-' || r == '_' {
			if !strings.HasSuffix(b.String(), "_") {
				b.WriteByte('_')
			}
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// suggestZones returns up to three zone names close to key: aliases and
// exact city matches first, then city prefixes, then misspellings by edit
// distance.
func suggestZones(key string) []string {
	city := key[strings.LastIndexByte(key, '/')+1:]
	type candidate struct {
		name  string
		score int // lower is better
	}
	var cands []candidate
	for _, name := range zoneAliases[key] {
		cands = append(cands, candidate{name, 0})
	}
	for _, z := range zones {
		score := -1
		switch {
		case z.city == city:
			score = 0
		case len(city) >= 3 && strings.HasPrefix(z.city, city):
			score = 1
		case len(key) >= 3 && strings.HasPrefix(z.key, key):
			score = 2
		default:
			d := min(spell.Distance(city, z.city, -1), spell.Distance(key, z.key, -1))
			if d <= typoBudget(city) {
				score = 2 + d
			}
		}
		if score >= 0 {
			cands = append(cands, candidate{z.name, score})
		}
	}
	slices.SortStableFunc(cands, func(a, b candidate) int { return a.score - b.score })
	var out []string
	for _, c := range cands {
		if !slices.Contains(out, c.name) {
			out = append(out, c.name)
		}
		if len(out) == 3 {
			break
		}
	}
	return out
}

// typoBudget is how many edits a misspelled city may need and still be
// suggested; short words get fewer, or every three-letter word would match.
func typoBudget(city string) int {
	switch n := utf8.RuneCountInString(city); {
	case n <= 3:
		return 0
	case n <= 5:
		return 1
	case n <= 8:
		return 2
	default:
		return 3
	}
}

// Zones returns every zone name LoadZone accepts (the tz database's
// Area/City names and "UTC"), sorted, for autocompletion lists.
func Zones() []string { return slices.Clone(zoneNames) }

// Complete returns up to n zone names for a partially typed one, best first:
// names that start with it, then names whose city starts with it, then names
// that contain it, case-insensitively and with spaces for underscores.
// An empty partial lists the first n zones.
func Complete(partial string, n int) []string {
	if n <= 0 || len(partial) > maxZoneInput {
		return nil
	}
	key := zoneKey(partial)
	var byName, byCity, within []string
	for _, z := range zones {
		switch {
		case strings.HasPrefix(z.key, key):
			byName = append(byName, z.name)
		case strings.HasPrefix(z.city, key):
			byCity = append(byCity, z.name)
		case strings.Contains(z.key, key):
			within = append(within, z.name)
		}
	}
	out := append(append(byName, byCity...), within...)
	return out[:min(n, len(out)):min(n, len(out))]
}
