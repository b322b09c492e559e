package commands

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/needlebot/needlebot/internal/diary"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/kb"
	"github.com/needlebot/needlebot/internal/schedule"
	txt "github.com/needlebot/needlebot/internal/text" // logCommand has a variable named text
)

const (
	defaultHistory = 10
	maxHistory     = 50
	undoFor        = 24 * time.Hour   // how long a logged session's Undo button works
	forgetFor      = 10 * time.Minute // how long the /forget confirmation waits
)

func (b *Bot) addDiary() {
	f := b.kb.Facts()
	b.add(Command{
		Name: "log", Summary: "Log a session, e.g. /log 0.25 peptide serum cheeks", Usage: "[needle mm] [serum] [area] [note]", Private: true,
		Options: []Option{
			{Name: "needle", Summary: "Needle length in mm, e.g. " + txt.FormatMM(f.HomeMM), Type: Number, Min: 0.2, Max: 3},
			{Name: "serum", Summary: "Serum or ingredient, e.g. peptides", MaxLength: 60, Autocomplete: true},
			{Name: "area", Summary: "Where you rolled, e.g. cheeks", MaxLength: 60},
			{Name: "note", Summary: "Anything else to remember", MaxLength: 200},
		},
	}, b.logCommand)
	b.add(Command{
		Name: "history", Summary: "Your latest sessions", Usage: "[how many]", Private: true,
		Options: []Option{{Name: "count", Summary: "How many sessions to show (1-50)", Type: Integer, Min: 1, Max: maxHistory}},
	}, b.history)
	b.add(Command{Name: "stats", Summary: fmt.Sprintf("This week against up to %d, streaks, favourites", f.PerWeek), Private: true}, b.stats)
	b.add(Command{Name: "undo", Summary: "Remove the session you logged last", Private: true}, b.undo)
	b.addEntries()
	b.add(Command{Name: "export", Summary: "All your sessions as a CSV file", Private: true, Slow: true}, b.export)
	b.add(Command{Name: "forget", Summary: "Delete everything I keep about you", Private: true}, b.forget)
}

// whose resolves the request's owner and their time zone (UTC, set false, when they have
// none): what nearly every diary and reminder command starts with.
func (b *Bot) whose(ctx context.Context, req *Request) (domain.Owner, *time.Location, bool, error) {
	owner, err := b.ownerOf(ctx, req)
	if err != nil {
		return "", nil, false, err
	}
	loc, set, err := b.location(ctx, owner)
	return owner, loc, set, err
}

// location returns the owner's time zone, UTC when they have not set one (set reports which).
func (b *Bot) location(ctx context.Context, owner domain.Owner) (loc *time.Location, set bool, err error) {
	name, err := b.store.Zone(ctx, owner)
	if err != nil {
		return nil, false, err
	}
	if name == "" {
		return time.UTC, false, nil
	}
	loc, err = schedule.LoadZone(name)
	if err != nil {
		return time.UTC, false, nil // a zone this build no longer knows: fall back rather than fail
	}
	return loc, true, nil
}

func (b *Bot) logCommand(ctx context.Context, req *Request) (domain.Reply, error) {
	owner, loc, set, err := b.whose(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	text := req.Text
	if len(req.Options) > 0 {
		// Named options (Discord) become the same words /log takes, with the unit made explicit.
		var parts []string
		if v := req.Options["needle"]; v != "" {
			parts = append(parts, v+"mm")
		}
		for _, name := range []string{"serum", "area"} {
			if v := req.Options[name]; v != "" {
				parts = append(parts, v)
			}
		}
		text = strings.Join(parts, " ")
	}
	base := b.now()
	s, err := b.diary.ParseLog(text, base.In(loc))
	var ie *diary.InputError
	if errors.As(err, &ie) {
		return domain.Reply{Private: true}, &domain.Error{Msg: ie.Message}
	}
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	if note := req.Options["note"]; note != "" {
		s.Note = txt.Clip(note, 200)
	}
	return b.logSession(ctx, logKey{event: req.ID, readAt: base}, req.Platform, owner, s, loc, set)
}

// logKey says how a session is logged.
type logKey struct {
	event string // the platform event; a session asked about is held under it
	key   string // makes the write idempotent: the event, or the button that logged it
	again bool   // the user said to log it though the night has a session already
	// readAt is the instant the message was read at (when it was sent): a session at any
	// other time had its time from the user's words.
	readAt time.Time
}

// nightTurn is the hour that ends a night: a session at 00:30 belongs to the evening before.
const nightTurn = 5

// night returns the local night t belongs to, from nightTurn to nightTurn on the wall clock,
// whatever a daylight-saving change does to the hours between.
func night(t time.Time, loc *time.Location) (from, to time.Time) {
	l := t.In(loc)
	day := time.Date(l.Year(), l.Month(), l.Day(), 12, 0, 0, 0, loc)
	if l.Hour() < nightTurn {
		day = day.AddDate(0, 0, -1)
	}
	from = time.Date(day.Year(), day.Month(), day.Day(), nightTurn, 0, 0, 0, loc)
	to = time.Date(day.Year(), day.Month(), day.Day()+1, nightTurn, 0, 0, 0, loc)
	return from, to
}

// logSession stores a session and confirms it with the guidance's feedback and an Undo button.
// A second session on a night that has one is held and asked about instead. A session whose
// time came from the user's words before they set a zone floats: it moves to the same
// wall-clock time when they set one.
func (b *Bot) logSession(ctx context.Context, k logKey, platform domain.Platform, owner domain.Owner, s domain.Session, loc *time.Location, zoneSet bool) (domain.Reply, error) {
	now := b.now()
	if k.key == "" {
		k.key = k.event
	}
	if k.readAt.IsZero() {
		k.readAt = now
	}
	if !zoneSet && !s.At.Equal(k.readAt) {
		s.Floating = true
	}
	since := now.Add(-7 * 24 * time.Hour)
	var added domain.Added
	var err error
	if k.again || k.event == "" {
		added, err = b.store.AddSession(ctx, owner, s, k.key, since)
	} else {
		from, to := night(s.At, loc)
		added, err = b.store.AddSessionAlone(ctx, owner, s, k.key, since, from, to)
	}
	switch {
	case errors.Is(err, domain.ErrSameNight):
		return b.askAnother(ctx, k.event, owner, s, loc)
	case errors.Is(err, domain.ErrRateLimited):
		return domain.Reply{Private: true}, &domain.Error{Msg: "You're logging faster than I can keep up with. Nothing was saved this time; please wait a minute and try again.", Err: err}
	case errors.Is(err, domain.ErrFull):
		return domain.Reply{Private: true}, &domain.Error{Msg: "Your diary is full. Save it with /export, then clear it with /forget to start afresh. Nothing was saved this time.", Err: err}
	case err != nil:
		return domain.Reply{Private: true}, err
	}
	undo := [][]domain.Button{{{Label: "Undo", Data: b.sign.sign(owner, "undo", sessionStamp(added.ID, added.Logged), now.Add(undoFor))}}}
	switch {
	case added.Duplicate && added.Logged.UnixMilli() == 0:
		// The session this message logged has been removed since (Undo, /undo).
		return domain.Reply{Title: "Removed before", Private: true,
			Text: "You logged this session before and then removed it, so I haven't logged it again. To log it anew, send it again or use /log."}, nil
	case added.Duplicate:
		// Say what the diary holds, which a button pressed before may have set differently.
		return domain.Reply{Title: "Already logged", Private: true, Buttons: undo,
			Text: "This session is in your diary already (one message, one session): " + when(added.Logged, loc, now) + " is when it was logged. /history shows it."}, nil
	}
	b.obs.Logged(string(platform))
	var sb strings.Builder
	fmt.Fprintf(&sb, "#%d %s", added.ID, describe(s, loc, now))
	f := b.kb.Facts()
	if added.Recent > f.PerWeek {
		fmt.Fprintf(&sb, "\n\nThat's %d in the last 7 days.", added.Recent)
	} else {
		fmt.Fprintf(&sb, "\n\nThat's %d in the last 7 days (the guidance suggests up to %d a week).", added.Recent, f.PerWeek)
	}
	for _, note := range b.feedback(s, added.Recent) {
		sb.WriteString("\n\n" + note)
	}
	reply := domain.Reply{Title: "Logged", Text: sb.String(), Private: true, Buttons: undo}
	b.rollerCheck(ctx, owner, &reply, added, s)
	if !zoneSet && added.ID == 1 {
		b.askZone(&reply, owner, "So that your diary shows the right times, which time zone are you in?")
	}
	return reply, nil
}

// askAnother holds a session for a night that has one already and asks whether it is a second
// session or the same one told again.
func (b *Bot) askAnother(ctx context.Context, event string, owner domain.Owner, s domain.Session, loc *time.Location) (domain.Reply, error) {
	from, to := night(s.At, loc)
	those, err := b.store.SessionsBetween(ctx, owner, from, to)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	if err := b.store.HoldSession(ctx, owner, s, event); err != nil {
		if errors.Is(err, domain.ErrRateLimited) {
			return domain.Reply{Private: true}, &domain.Error{Msg: "You're logging faster than I can keep up with. Nothing was saved this time; please wait a minute and try again.", Err: err}
		}
		return domain.Reply{Private: true}, err
	}
	now := b.now()
	var sb strings.Builder
	sb.WriteString("You've logged a session that night already:\n")
	for _, e := range those {
		fmt.Fprintf(&sb, "#%d %s%s\n", e.ID, describe(e.Session, loc, now), skinNote(e.Skin))
	}
	fmt.Fprintf(&sb, "\nLog another one (%s)?", describe(s, loc, now))
	sb.WriteString(answerHint)
	yes, no := b.heldButton(owner, event, "", "Log another"), b.heldButton(owner, event, "x", "No, it's the same one")
	return domain.Reply{Title: "Another session?", Text: sb.String(), Private: true, Buttons: [][]domain.Button{{yes, no}},
		Asks: &domain.Question{Yes: yes.Data, No: no.Data}}, nil
}

// zoneChoices are offered to someone who has not set a time zone; any other is a city name
// or /timezone away.
var zoneChoices = []string{"Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago", "America/Los_Angeles", "Asia/Kolkata", "Australia/Sydney"}

// askZone adds the time-zone question to a reply: buttons for common zones, and the hint that
// a city name works too.
func (b *Bot) askZone(r *domain.Reply, owner domain.Owner, why string) {
	exp := b.now().Add(zoneButtonsFor)
	var row []domain.Button
	for _, z := range zoneChoices {
		label := z[strings.LastIndexByte(z, '/')+1:]
		row = append(row, domain.Button{Label: strings.ReplaceAll(label, "_", " "), Data: b.sign.sign(owner, "tz", z, exp)})
	}
	r.Text += "\n\n" + why + " Press one, or send your city (for example Paris) or /timezone Area/City."
	r.Buttons = append(r.Buttons, rows(row, 4)...)
	if r.Asks == nil {
		r.Asks = &domain.Question{Zone: true}
	}
}

// feedback returns what the guidance says about a logged session: all of it comes from the
// knowledge base's notes and facts.
func (b *Bot) feedback(s domain.Session, recent int) []string {
	f := b.kb.Facts()
	var notes []string
	if s.NeedleMM > f.HomeMM {
		notes = append(notes, b.kb.Note(kb.NoteLargeNeedle, map[string]string{"mm": txt.FormatMM(s.NeedleMM), "home": txt.FormatMM(f.HomeMM)}))
	}
	if recent > f.PerWeek {
		notes = append(notes, b.kb.Note(kb.NoteOverWeek, map[string]string{"count": strconv.Itoa(recent), "max": strconv.Itoa(f.PerWeek)}))
	}
	for _, p := range s.Products {
		if slices.Contains(f.Ingredients, strings.ToLower(p)) {
			notes = append(notes, b.kb.Note(kb.NoteGoodSerum, map[string]string{"serum": p}))
			break
		}
	}
	return notes
}

// stamp adds a creation time to an id for a button: after /forget ids start again at 1, and
// the time tells the new session or reminder from the old one the button was made for.
func stamp(id string, t time.Time) string {
	return id + "." + strconv.FormatInt(t.UnixMilli(), 36)
}

// sessionStamp names a logged session for a button: its id and when it was logged, so a
// button made for a session since removed cannot touch one that took its id.
func sessionStamp(id int64, logged time.Time) string {
	return stamp(strconv.FormatInt(id, 10), logged)
}

// unstampSession splits what sessionStamp made; ok is false for anything else.
func unstampSession(ref string) (id int64, logged time.Time, ok bool) {
	sid, logged, ok := unstamp(ref)
	id, err := strconv.ParseInt(sid, 10, 64)
	if !ok || err != nil || id <= 0 {
		return 0, time.Time{}, false
	}
	return id, logged, true
}

// stampedSession returns the session a button names, when it is still the one the button was
// made for.
func (b *Bot) stampedSession(ctx context.Context, owner domain.Owner, id int64, logged time.Time) (domain.Entry, bool, error) {
	e, found, err := b.store.Session(ctx, owner, id)
	if err != nil || !found || !e.Logged.Equal(logged) {
		return domain.Entry{}, false, err
	}
	return e, true, nil
}

// unstamp splits what stamp made; ok is false for anything else.
func unstamp(arg string) (id string, t time.Time, ok bool) {
	id, ms, found := strings.Cut(arg, ".")
	n, err := strconv.ParseInt(ms, 36, 64)
	if !found || err != nil || id == "" {
		return "", time.Time{}, false
	}
	return id, time.UnixMilli(n), true
}

// skinNote is how /history shows the morning check-in's answer.
func skinNote(skin string) string {
	switch skin {
	case domain.SkinFine:
		return " · skin fine next morning"
	case domain.SkinRed:
		return " · a bit red next morning"
	case domain.SkinIrritated:
		return " · irritated next morning"
	}
	return ""
}

// describe renders a session on one line: "Sat 28 Nov, 22:15 · 0.25 mm · peptides · cheeks".
func describe(s domain.Session, loc *time.Location, now time.Time) string {
	parts := []string{when(s.At, loc, now)}
	if s.NeedleMM > 0 {
		parts = append(parts, txt.FormatMM(s.NeedleMM)+" mm")
	}
	if len(s.Products) > 0 {
		parts = append(parts, strings.Join(s.Products, ", "))
	}
	if len(s.Areas) > 0 {
		parts = append(parts, strings.Join(s.Areas, ", "))
	}
	if s.Note != "" {
		parts = append(parts, "\""+s.Note+"\"")
	}
	return strings.Join(parts, " · ")
}

// when formats an instant in the user's zone, with the year only when it is not this year's.
func when(t time.Time, loc *time.Location, now time.Time) string {
	t = t.In(loc)
	if t.Year() != now.In(loc).Year() {
		return t.Format("Mon 2 Jan 2006, 15:04")
	}
	return t.Format("Mon 2 Jan, 15:04")
}

func (b *Bot) undo(ctx context.Context, req *Request) (domain.Reply, error) {
	return b.remove(ctx, req, 0, time.Time{})
}

// remove deletes one session (0: the last logged) and says which. A non-zero logged must match
// the session's: an Undo button names the session it was made for, not just its id.
func (b *Bot) remove(ctx context.Context, req *Request, id int64, logged time.Time) (domain.Reply, error) {
	owner, loc, _, err := b.whose(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	e, ok, err := b.store.RemoveSession(ctx, owner, id, logged, req.ID)
	if errors.Is(err, domain.ErrRateLimited) {
		return domain.Reply{Private: true}, busy(err, "removed")
	}
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	if !ok {
		if id != 0 {
			return domain.Reply{Text: "That session was already removed.", Private: true}, nil
		}
		return domain.Reply{Text: "There's nothing to undo: your diary is empty.", Private: true}, nil
	}
	return domain.Reply{Title: "Removed", Text: describe(e.Session, loc, b.now()), Private: true}, nil
}

func (b *Bot) history(ctx context.Context, req *Request) (domain.Reply, error) {
	n := defaultHistory
	if len(req.Args) > 0 {
		v, err := strconv.Atoi(req.Args[0])
		if err != nil || v < 1 || v > maxHistory {
			return domain.Reply{Private: true}, domain.Errorf("Tell me how many sessions to show, from 1 to %d: for example /history 5.", maxHistory)
		}
		n = v
	}
	owner, loc, set, err := b.whose(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, readError(err)
	}
	list, skipped, err := b.sessions(ctx, owner, n)
	if err != nil {
		return domain.Reply{Private: true}, readError(err)
	}
	if len(list) == 0 && skipped == "" {
		return domain.Reply{Text: emptyDiary, Private: true}, nil
	}
	var sb strings.Builder
	now := b.now()
	for _, e := range list {
		fmt.Fprintf(&sb, "#%d %s%s\n", e.ID, describe(e.Session, loc, now), skinNote(e.Skin))
	}
	sb.WriteString(skipped)
	sb.WriteString(zoneNote(loc, set))
	title := fmt.Sprintf("Your last %d sessions", len(list))
	if len(list) == 1 {
		title = "Your last session"
	}
	return domain.Reply{Title: title, Text: strings.TrimLeft(strings.TrimRight(sb.String(), "\n"), "\n"), Private: true}, nil
}

// sessions lists the owner's sessions like the store, leaving out any that cannot be read:
// skipped then says so, for the reply, and the damage is logged for the operator.
func (b *Bot) sessions(ctx context.Context, owner domain.Owner, n int) (list []domain.Entry, skipped string, err error) {
	list, err = b.store.ListSessions(ctx, owner, n)
	var damaged *domain.DamagedError
	if errors.As(err, &damaged) {
		b.log.Warn("diary: sessions that cannot be read were left out; bot doctor reports and moves them", "key", damaged.Key, "sessions", damaged.IDs)
		k := len(damaged.IDs)
		return list, fmt.Sprintf("\n(%d session%s could not be read and %s left out. Nothing else is affected.)\n", k, txt.Plural(k), map[bool]string{true: "is", false: "are"}[k == 1]), nil
	}
	return list, "", err
}

const emptyDiary = `Your diary is empty. Tell me about a session in your own words ("rolled 0.25 tonight with peptide serum"), or use /log.`

// zoneNote says which zone times are shown in, and how to change it when it was never set.
func zoneNote(loc *time.Location, set bool) string {
	if set {
		return "\nTimes are in " + loc.String() + "."
	}
	return "\nTimes are in UTC; set your own time zone with /timezone, e.g. /timezone Europe/Berlin."
}

func (b *Bot) stats(ctx context.Context, req *Request) (domain.Reply, error) {
	owner, loc, set, err := b.whose(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, readError(err)
	}
	times, err := b.store.SessionTimes(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, readError(err)
	}
	if len(times) == 0 {
		return domain.Reply{Text: emptyDiary, Private: true}, nil
	}
	usage, err := b.store.Usage(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, readError(err)
	}
	breaks, err := b.store.Breaks(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, readError(err)
	}
	now := b.now()
	st := computeStats(times, breaks, now, loc, b.kb.Facts().PerWeek)
	var sb strings.Builder
	f := b.kb.Facts()
	fmt.Fprintf(&sb, "This week: %d of up to %d\n", st.thisWeek, f.PerWeek)
	if cur, ok := domain.OnBreak(breaks, now, loc); ok {
		last, _ := time.ParseInLocation(domain.DateLayout, cur.To, loc)
		fmt.Fprintf(&sb, "On a break until %s: your streak waits (/resume ends it)\n", last.Format("Mon 2 Jan"))
	}
	fmt.Fprintf(&sb, "Last 30 days: %d session%s\n", st.last30, txt.Plural(st.last30))
	if st.streak == 0 {
		fmt.Fprintf(&sb, "Streak: none yet; a week with 1 to %d sessions starts one\n", f.PerWeek)
	} else {
		fmt.Fprintf(&sb, "Streak: %d week%s in a row within the guidance (1 to %d sessions)\n", st.streak, txt.Plural(st.streak), f.PerWeek)
	}
	if mm, n := top(usage, domain.UsageNeedle); n > 0 {
		fmt.Fprintf(&sb, "Most used needle: %s mm (%d time%s)\n", mm, n, txt.Plural(n))
	}
	if p, n := top(usage, domain.UsageProduct); n > 0 {
		fmt.Fprintf(&sb, "Most used serum: %s (%d time%s)\n", p, n, txt.Plural(n))
	}
	if r, ok, err := b.store.Roller(ctx, owner); err == nil && ok {
		if line, err := b.rollerLine(ctx, owner, r, loc); err == nil {
			sb.WriteString(line + "\n")
		}
	}
	fmt.Fprintf(&sb, "All time: %d session%s since %s\n", len(times), txt.Plural(len(times)), times[0].In(loc).Format("2 Jan 2006"))
	sb.WriteString(zoneNote(loc, set))
	reply := domain.Reply{Title: "Your stats", Text: sb.String(), Private: true}
	// The month's picture comes along; without it the numbers still answer.
	local := now.In(loc)
	if file, err := b.monthPicture(ctx, owner, loc, set, local.Year(), local.Month(), breaks); err == nil {
		reply.File = file
		prev := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, loc).AddDate(0, -1, 0)
		reply.Text += "\n\nThe picture: " + file.Alt + " Older months: /month " + prev.Format("2006-01") + "."
	} else {
		b.log.Warn("stats: no month picture", "err", err)
	}
	return reply, nil
}

type statsResult struct {
	thisWeek, last30, streak int
}

// computeStats counts sessions in the owner's local weeks (Monday to Sunday). The streak is the
// run of weeks with 1 to perWeek sessions that ends with this week, or with last week while
// this week has none yet. A week with no session but a break day in it is passed over: it
// neither adds to the run nor ends it, so a break keeps a streak but never makes one.
func computeStats(times []time.Time, breaks []domain.Break, now time.Time, loc *time.Location, perWeek int) statsResult {
	var r statsResult
	weekOf := func(t time.Time) time.Time {
		t = t.In(loc)
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	}
	perWeekCount := map[time.Time]int{}
	for _, t := range times {
		perWeekCount[weekOf(t)]++
		if !t.Before(now.Add(-30 * 24 * time.Hour)) {
			r.last30++
		}
	}
	week := weekOf(now)
	r.thisWeek = perWeekCount[week]
	if r.thisWeek == 0 {
		week = week.AddDate(0, 0, -7)
	}
	for {
		n := perWeekCount[week]
		if n == 0 && hasBreakDay(breaks, week, loc) {
			week = week.AddDate(0, 0, -7)
			continue
		}
		if n < 1 || n > perWeek {
			break
		}
		r.streak++
		week = week.AddDate(0, 0, -7)
	}
	return r
}

// hasBreakDay reports whether any day of the week starting at monday is a break day.
func hasBreakDay(breaks []domain.Break, monday time.Time, loc *time.Location) bool {
	from, to := monday.Format(domain.DateLayout), monday.AddDate(0, 0, 6).Format(domain.DateLayout)
	for _, b := range breaks {
		if b.From <= to && b.To >= from {
			return true
		}
	}
	return false
}

// top returns the most used counter with the given prefix (ties: alphabetically first).
func top(usage map[string]int, prefix string) (string, int) {
	best, n := "", 0
	for k, v := range usage {
		if name, ok := strings.CutPrefix(k, prefix); ok && (v > n || v == n && name < best) {
			best, n = name, v
		}
	}
	return best, n
}

func (b *Bot) export(ctx context.Context, req *Request) (domain.Reply, error) {
	owner, loc, _, err := b.whose(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, readError(err)
	}
	list, skipped, err := b.sessions(ctx, owner, 0)
	if err != nil {
		return domain.Reply{Private: true}, readError(err)
	}
	if len(list) == 0 {
		return domain.Reply{Text: strings.TrimSpace(skipped + "\nThere's nothing to export yet. " + emptyDiary), Private: true}, nil
	}
	data, err := exportCSV(list, loc)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	now := b.now()
	return domain.Reply{
		Text:    fmt.Sprintf("Your %d session%s, oldest first, times in %s.", len(list), txt.Plural(len(list)), loc) + strings.TrimRight(skipped, "\n"),
		Private: true,
		File:    &domain.File{Name: "needlebot-sessions-" + now.In(loc).Format("2006-01-02") + ".csv", Type: "text/csv", Data: data},
	}, nil
}

// exportCSV writes sessions as RFC 4180 CSV (CRLF line ends), oldest first, with ISO 8601
// times and offsets in loc. Cells a spreadsheet would run as a formula get a leading quote.
func exportCSV(list []domain.Entry, loc *time.Location) ([]byte, error) {
	rows := slices.Clone(list)
	slices.SortStableFunc(rows, func(a, b domain.Entry) int { return a.At.Compare(b.At) })
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	w.Write([]string{"id", "time", "needle_mm", "products", "areas", "note", "logged_at", "skin_next_morning"})
	for _, e := range rows {
		mm := ""
		if e.NeedleMM > 0 {
			mm = txt.FormatMM(e.NeedleMM)
		}
		w.Write([]string{
			strconv.FormatInt(e.ID, 10), e.At.In(loc).Format(time.RFC3339), mm,
			safeCell(strings.Join(e.Products, "; ")), safeCell(strings.Join(e.Areas, "; ")),
			safeCell(e.Note), e.Logged.In(loc).Format(time.RFC3339), e.Skin,
		})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("commands: export: %w", err)
	}
	return buf.Bytes(), nil
}

// safeCell keeps user text from being run as a formula when the CSV is opened in a spreadsheet.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (b *Bot) forget(ctx context.Context, req *Request) (domain.Reply, error) {
	owner, err := b.ownerOf(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	ids, err := b.store.Identities(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	text := "This deletes everything I keep about you: every logged session, your reminders and your settings. It can't be undone. (Save your sessions first with /export if you want them.)"
	if len(ids) > 1 {
		text += " Your accounts are linked, so this is the diary you share on every app you linked; it's gone on all of them."
	}
	exp := b.now().Add(forgetFor)
	yes, no := b.sign.sign(owner, "forget", "yes", exp), b.sign.sign(owner, "forget", "no", exp)
	return domain.Reply{
		Title:   "Delete everything?",
		Text:    text + answerHint,
		Private: true,
		Buttons: [][]domain.Button{{{Label: "Yes, delete everything", Data: yes}, {Label: "Cancel", Data: no}}},
		Asks:    &domain.Question{Yes: yes, No: no},
	}, nil
}

func (b *Bot) forgetConfirmed(ctx context.Context, req *Request, yes bool) (domain.Reply, error) {
	if !yes {
		return domain.Reply{Text: "Cancelled: I kept everything.", Private: true}, nil
	}
	owner, err := b.ownerOf(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	if err := b.store.Forget(ctx, owner); err != nil {
		return domain.Reply{Private: true}, err
	}
	return domain.Reply{Text: "Done: everything I kept about you is deleted. If you talk to me again, you start afresh.", Private: true}, nil
}

// diaryText handles a plain message, in the order the README gives ("How the bot reads a
// message"): a reported reaction gets the safety reply (and a session it mentions is held,
// not logged); a session report is logged, with the answer to a question asked along with it;
// a report that leaves something open is asked back about; anything else is read by the
// knowledge base.
func (b *Bot) diaryText(ctx context.Context, req *Request) (domain.Reply, error) {
	if len([]rune(req.Text)) > maxQuestionRunes {
		return b.question(req.Text) // says the message is too long
	}
	// When the diary is out of reach, questions are still answered, and a report fails (and
	// is logged) when it is saved.
	loc, zoneSet := time.UTC, false
	owner, ownerErr := b.ownerOf(ctx, req)
	if ownerErr == nil {
		if l, set, err := b.location(ctx, owner); err == nil {
			loc, zoneSet = l, set
		}
	}
	if reaction(req.Text) {
		return domain.Reply{Text: reactionReply}, nil
	}
	if reply, ok, err := b.linkMessage(ctx, req); ok {
		return reply, err // a link code sent as it is
	}
	u := b.kb.Search(req.Text)
	b.obs.Understood(u.Verdict.String())
	if zone, ok := schedule.CityZone(req.Text); ok && zoneAsked(ctx) && !zoneSet && ownerErr == nil && !understood(u) {
		return b.setZone(ctx, req, zone) // the answer to "which time zone are you in?"; "nice" is not
	}
	sent := b.sentAt(req).In(loc)
	d := b.diary.Read(req.Text, sent)
	var q kb.Result // how the question asked along with a report reads
	if d.Kind == diary.Report && d.Question != "" {
		q = b.kb.Search(d.Question)
		b.obs.Understood(q.Verdict.String())
	}
	switch {
	case isSafety(u) || isSafety(q):
		return b.safetyReply(ctx, req, d, loc), nil
	case d.Kind == diary.Question && u.Verdict == kb.Diary:
		// The knowledge base reads it as a message for the diary, not a question: "finally
		// tried the 0.5 tonight and it didn't hurt at all??".
		if s := b.diary.ReadStatement(req.Text, sent); s.Kind == diary.Report || len(s.Days) > 0 || len(s.Sizes) > 0 {
			d = s
		}
	case d.Kind == diary.Report && d.Question == "" && u.Verdict == kb.OffTopic:
		// Rolling of another kind: "made spring rolls tonight", "used my jade roller with HA".
		d = diary.Result{Kind: diary.Other}
	}
	if d.Kind != diary.Report && ownerErr == nil {
		if reply, ok, err := b.breakMessage(ctx, req, loc); ok {
			return reply, err // "on holiday until sunday"
		}
	}
	switch d.Kind {
	case diary.Report:
		if ownerErr != nil {
			return domain.Reply{Private: true}, ownerErr
		}
		reply, err := b.logSession(ctx, logKey{event: req.ID, readAt: sent}, req.Platform, owner, d.Session, loc, zoneSet)
		if err != nil || !answersAlong(q) {
			return reply, err
		}
		return b.also(reply, q), nil
	case diary.Ambiguous:
		if len(d.Days) > 0 || len(d.Sizes) > 0 {
			return b.holdReply(ctx, req, d, loc)
		}
		return domain.Reply{Text: d.Reason, Private: true}, nil
	}
	return b.reading(u), nil
}

// understood reports a reading that means something other than a place: an answer, the
// safety reply, small talk ("nice!") or a diary message.
func understood(r kb.Result) bool {
	return r.Verdict == kb.Answered || r.Verdict == kb.Safety || r.Verdict == kb.Chat || r.Verdict == kb.Diary
}

// answersAlong reports whether a question asked along with a report gets its reading in the
// same reply: an answer or a decline does; small talk or a diary fragment ("did it right?",
// "what do you think?") does not, since its reply would answer nothing that was asked.
func answersAlong(q kb.Result) bool {
	switch q.Verdict {
	case kb.Answered, kb.NotCovered, kb.OffTopic:
		return true
	}
	return false
}

// isSafety reports whether a reading, or a part of it, is a reported reaction.
func isSafety(r kb.Result) bool {
	return r.Verdict == kb.Safety || slices.ContainsFunc(r.Parts, func(p kb.Result) bool { return p.Verdict == kb.Safety })
}

// sentAt is when the user sent the message, as the platform reports it: an update delivered
// late (after downtime) is read at the time it was written. A time in the future (a skewed
// clock) counts as now.
func (b *Bot) sentAt(req *Request) time.Time {
	now := b.now()
	if req.Time.IsZero() || req.Time.After(now) {
		return now
	}
	return req.Time
}

const (
	nudge        = `I'm not sure what you mean. You can ask me a question about micro-needling ("can I roll every day?"), or tell me about a session to log it ("rolled 0.25 tonight with peptide serum"). /help lists everything.`
	nudgeNoDiary = `I'm not sure what you mean. You can ask me a question about micro-needling, like "can I roll every day?". /help lists everything.`
)

// readError marks a store failure while reading, so the user hears that their diary is out of
// reach rather than that something could not be saved.
func readError(err error) error {
	if err == nil || !unavailable(err) {
		return err
	}
	return &domain.Error{Msg: "I can't reach your diary right now. Please try again in a minute.", Err: err}
}
