// Package diary understands messages that report a micro-needling session.
//
// A [Reader], made by [New] from the products the knowledge base lists, does
// the reading. Its Read sorts a free-text chat message into a session report,
// a question, a message worth asking back about, or anything else; ParseLog
// reads the arguments of an explicit /log command. Neither uses one big regular
// expression: the text is normalised and split into tokens, and small rule
// functions claim the tokens they recognise (a time phrase, a needle size,
// the activity verb, areas, products). Whatever no rule claims, minus filler
// at the edges, becomes the session's note.
//
// Rules chosen where the product brief was silent:
//
//   - A day without a clock time ("yesterday", "last night", "monday",
//     "2 days ago", "20/11") means 21:00 that day, because people roll in
//     the evening; an explicit date that is today means now instead of a
//     future 21:00. "this morning" is 08:00, "afternoon" 14:00.
//   - "last night" is always the previous calendar day at 21:00, even just
//     after midnight, which is the night the user is still in; with an hour
//     before 05:00 ("last night at 1am") it is that hour of the current day.
//   - A clock time alone ("at 9pm") is its most recent past occurrence, so
//     "rolled at 11pm" sent at 00:30 means the evening before.
//   - A bare hour after "at" is 24-hour, except 5–11 with "tonight" or a
//     night/evening phrase, which means pm ("last night at 10" is 22:00).
//   - A wall-clock time that happens twice when clocks go back is the first
//     of the two; one skipped when clocks go forward is read with the offset
//     before the change, so 02:30 on a spring-forward night is 03:30.
//   - "d.m." dates that are also common needle sizes ("1.5.", "2.5.") are
//     read as sizes.
//   - Slash dates are day first; a date without a year is this year, or last
//     year when this year's would be in the future.
//   - A message with an unmistakable completed-session verb
//     ("dermarolled", "microneedled", "needled", "did my session") is a
//     report.
//   - "done", "finished" or "did" alone count only with a size, product or
//     area.
//   - A size with a time phrase, product or area is a report without a
//     verb, and products or areas without a size or verb are asked back
//     about.
//   - A plain "rolled" is a report only next to a skin or tool signal (a
//     size, product or area, or a word like "roller", "needles", "session",
//     "skin"), and alone or with just a time ("rolled tonight", "just
//     rolled") it is asked back about, because people roll other things too.
//   - "roll" or "rolled" followed by a particle or a non-skin object
//     ("rolled over", "rolled out of bed", "rolled my eyes", "the dice") is
//     the everyday verb, and its clause is ignored.
//   - A session whose subject or skin is someone else's ("my wife rolled",
//     "she did 0.25", "on her cheeks") is asked back about, while "we"
//     includes the user, so "we rolled 0.25" is a report.
//   - Without a completed verb, a clause that plans or hedges ("thinking
//     about", "considering", "want to", "might", "will") and names a detail
//     is intent.
//   - "almost" and "nearly" negate a session like "didn't".
//   - A question anywhere makes the whole message a question, answered and
//     not logged: a "?", a later clause opening with a question word or an
//     auxiliary ("rolled 0.25, can I use retinol"), "wondering whether", or
//     two needle lengths weighed against each other ("0.25 or 0.5").
//   - An unknown product is kept only from a phrase after "with", "using",
//     "w/" or "+" that names a product form ("serum", "oil", ...) or has a
//     capitalised word (a brand), so "rolled with my husband" adds none.
//   - An opening auxiliary followed by a verb is diary shorthand, not a
//     question: "will roll later" is intent. "did I/you …" is a question
//     unless it ends with "!".
//   - Talk about buying or receiving kit ("my 0.25 roller arrived") without a
//     completed-session verb is Other.
//   - Only the first time phrase and the first needle size count; a later
//     time phrase stays in the note ("felt fine this morning").
//   - A time phrase in a clause about a plan is not the session's time, so
//     "rolled 0.25, will do again friday" is logged now, not last friday.
package diary

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/text"
)

// MaxMessageRunes is the longest message, in runes, that Read and ParseLog accept.
const MaxMessageRunes = 500

const (
	minNeedleMM     = domain.MinNeedleMM
	maxNeedleMM     = domain.MaxNeedleMM
	maxNoteRunes    = 200
	maxProductRunes = 60
)

// Sentences shown to users; kept together so their tone stays consistent.
const (
	msgTooLong    = "That message is too long to log (max 500 characters)."
	msgInvalid    = "I couldn't read that message — please send it again as plain text."
	msgFuture     = "That date is in the future — I can only log sessions that already happened."
	msgTooOld     = "That date is more than a year ago — I can only log sessions from the past year."
	msgNoSuchDate = "That date isn't in the calendar — try something like 20/11 or 2026-11-20."
	msgNegated    = "No problem — I haven't logged anything. Tell me when you roll next and I'll note it down."
	msgIntent     = "Sounds like a plan! Tell me once you've rolled (or send /log then) and I'll log it."
	msgOther      = "I keep a diary for you only — if you rolled too, tell me what you did and I'll log it."
)

// Kind says what a message is.
type Kind int

// The kinds of message Read tells apart.
const (
	Other     Kind = iota // greetings, thanks, junk, off-topic chatter
	Report                // a session that happened and should be logged
	Question              // something for the knowledge base to answer
	Ambiguous             // about a session but not loggable as it stands; Result.Reason asks back
)

// String returns the kind's name, for logs and test failures.
func (k Kind) String() string {
	switch k {
	case Other:
		return "Other"
	case Report:
		return "Report"
	case Question:
		return "Question"
	case Ambiguous:
		return "Ambiguous"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Result is the outcome of reading a message.
type Result struct {
	Kind     Kind
	Session  domain.Session // set when Kind == Report, and for an Ambiguous one with Days or Sizes
	Reason   string         // for Ambiguous: a friendly question or explanation for the user; empty otherwise
	Question string         // for Report: a question asked along with it, to answer in the same reply
	Days     []time.Time    // for Ambiguous: the days a vague date may mean, newest first; the user picks one
	Sizes    []float64      // for Ambiguous: the needle lengths the message names; the user picks one
}

// InputError is a problem with what the user typed; its message is a full
// sentence meant to be shown to them as it is.
type InputError struct {
	Message string
}

// Error returns the sentence for the user.
func (e *InputError) Error() string { return e.Message }

// Read classifies a free-text message received at now (now is already in the
// user's location). Messages that are too long or not valid UTF-8 are Other;
// the caller can compare against MaxMessageRunes to explain why.
func (rd *Reader) Read(text string, now time.Time) Result {
	m, ok := rd.readable(text)
	if !ok {
		return Result{Kind: Other}
	}
	clean := m.text
	q, asks := m.questionAt()
	if !asks {
		return m.read(now, false).classify()
	}
	if q == 0 || q >= len(m.toks) || m.toks[q].start == 0 {
		return Result{Kind: Question} // "0!?": a question mark that ends the message asks it all
	}
	// A report with a question after it ("did 0.2 just now, should I wear sunscreen?") is
	// logged, and the question answered. The question is about rolling, so a plain "rolled"
	// before it is about skin.
	head := rd.message(strings.TrimRight(clean[:m.toks[q].start], " ,;:-–—"))
	r := head.read(now, false)
	r.skinWord = true
	res := r.classify()
	if res.Kind != Report {
		return Result{Kind: Question}
	}
	res.Question = strings.Trim(clean[m.toks[q].start:], " ()[]")
	return res
}

// ReadStatement reads a message as a statement, whatever question marks or
// question words it has; for a message that says what the user did and only
// sounds like a question ("finally tried the 0.5 tonight, and it didn't hurt
// at all??"), which the caller has reason to think is a report.
func (rd *Reader) ReadStatement(text string, now time.Time) Result {
	m, ok := rd.readable(text)
	if !ok {
		return Result{Kind: Other}
	}
	return m.read(now, false).classify()
}

// readable normalises a chat message into tokens; ok is false for one too long, not text, or
// without a word or number.
func (rd *Reader) readable(text string) (*message, bool) {
	clean, problem := normalize(text)
	if problem != "" {
		return nil, false
	}
	m := rd.message(clean)
	return m, m.hasContent()
}

// ParseLog parses the arguments of an explicit /log command ("0.25 peptide
// serum forehead felt great", "0,25mm yesterday"; "" is a session now with
// nothing else). Everything is a report; the error, always an *InputError,
// is only for input that cannot be logged: an absurd needle length, a date in
// the future or over a year ago, or a message that is too long or not text.
// A number at the very start is taken as the needle length whatever it looks
// like, so "/log 5" is refused rather than ignored.
func (rd *Reader) ParseLog(args string, now time.Time) (domain.Session, error) {
	clean, problem := normalize(args)
	if problem != "" {
		return domain.Session{}, &InputError{Message: problem}
	}
	r := rd.message(clean).read(now, true)
	if r.sizeProblem != "" {
		return domain.Session{}, &InputError{Message: r.sizeProblem}
	}
	if r.timeProblem != "" {
		return domain.Session{}, &InputError{Message: r.timeProblem}
	}
	return r.session, nil
}

// reading is everything the rules found in one message.
type reading struct {
	session     domain.Session
	timeFound   bool
	timeText    string // the time phrase as written, for asking back
	timeSaid    string // the same phrase as it reads after "Did you roll"
	timeProblem string
	sizeFound   bool
	sizeProblem string
	sizes       []float64   // every distinct needle length named
	days        []time.Time // a vague time phrase: the days it may mean
	sig         signals
	words       int
	skinWord    bool            // a word about skin or the tool ("skin", "needles", "session")
	hedged      bool            // a clause plans or hedges and names a detail ("considering 0.5mm")
	otherOpen   bool            // the message opens with someone else as its subject ("my wife: 0.25")
	otherArea   bool            // an area is someone else's skin ("on her cheeks")
	known       map[string]bool // the products' names, which /log reads back as they are
}

// read runs the rules so that the more specific ones claim tokens first:
// time phrases before sizes, so "at 9pm" and "20/11" never become sizes.
func (m *message) read(now time.Time, command bool) reading {
	r := reading{session: domain.Session{At: now}, words: m.wordCount(), known: m.vocab.known}
	if hit, ok := m.findTime(now); ok {
		r.timeFound, r.timeText, r.timeSaid, r.timeProblem = true, hit.text, hit.text, hit.problem
		if hit.onDay {
			r.timeSaid = "on " + hit.text
		}
		r.days = hit.days
		if hit.problem == "" && hit.days == nil {
			r.session.At = hit.at
		}
	}
	var sizes []sizeHit
	if command {
		if size, ok := m.leadingSize(); ok {
			sizes = append(sizes, size)
		}
	}
	sizes = append(sizes, m.findSizes()...)
	if len(sizes) > 0 {
		// The first size is the session's; a different one besides it is asked about.
		r.sizeFound, r.sizeProblem = true, sizes[0].problem
		if sizes[0].problem == "" {
			r.session.NeedleMM = sizes[0].mm
		}
		for _, h := range sizes {
			if h.problem == "" && !slices.Contains(r.sizes, h.mm) {
				r.sizes = append(r.sizes, h.mm)
			}
		}
	}
	r.sig = m.findSignals()
	r.session.Areas = m.findAreas()
	r.session.Products = m.findProducts()
	if !command {
		r.skinWord = m.hasSkinWord()
		r.hedged = m.hedgedClause()
		r.otherOpen = m.opensWithSomeoneElse()
		r.otherArea = m.areaOfSomeoneElse()
	}
	r.session.Note = m.note()
	return r
}

// classify turns what Read found into a Result.
func (r reading) classify() Result {
	s := r.sig
	details := r.sizeFound || len(r.session.Products) > 0 || len(r.session.Areas) > 0
	skin := details || r.skinWord
	past := s.verb || s.rolled           // the user says a session happened, maybe in everyday words
	done := s.verb || (s.rolled && skin) // ... and it was about skin
	domain := details || s.activity
	switch {
	case s.other || (s.otherMaybe && (skin || r.timeFound)) || (s.otherWeak && skin) || r.otherArea:
		return Result{Kind: Ambiguous, Reason: msgOther} // "my sister dermarolled yesterday"
	case !past && s.purchase:
		return Result{Kind: Other} // "my 0.25 roller arrived today"
	case !past && r.otherOpen && skin:
		return Result{Kind: Ambiguous, Reason: msgOther} // "my wife: 0.25 on cheeks"
	}
	if !past {
		if s.negated || (s.hardNeg && (domain || r.timeFound || r.words <= 2)) {
			return Result{Kind: Ambiguous, Reason: msgNegated}
		}
		if domain && (s.intent || s.future || r.hedged) {
			return Result{Kind: Ambiguous, Reason: msgIntent}
		}
	}
	report := done || (s.weak && details) ||
		(r.sizeFound && (r.timeFound || len(r.session.Products) > 0 || len(r.session.Areas) > 0))
	if report || domain {
		if r.sizeProblem != "" {
			return Result{Kind: Ambiguous, Reason: r.sizeProblem}
		}
		if len(r.days) > 1 {
			return Result{Kind: Ambiguous, Reason: fmt.Sprintf("Which day was %q? Press it and I'll log the session.", r.timeText), Days: r.days, Session: r.session}
		}
		if len(r.sizes) > 1 {
			return Result{Kind: Ambiguous, Reason: "Which needle did you use, " + joinOr(r.sizes) + "? Press one and I'll log it.", Sizes: r.sizes, Session: r.session}
		}
		if r.timeProblem == msgFuture && !past {
			return Result{Kind: Ambiguous, Reason: msgIntent} // "0.5mm tomorrow" is a plan
		}
		if r.timeProblem != "" {
			return Result{Kind: Ambiguous, Reason: r.timeProblem}
		}
	}
	switch {
	case report:
		return Result{Kind: Report, Session: r.session}
	case s.rolled:
		return Result{Kind: Ambiguous, Reason: r.askBack(true)} // "rolled tonight"
	case details || (s.weak && r.words <= 3) || (s.roll && r.timeFound):
		return Result{Kind: Ambiguous, Reason: r.askBack(false)}
	}
	return Result{Kind: Other}
}

// askBack suggests the /log command that would log what the message seemed
// to say, with the time phrase as written and, in the sentence, as it reads
// there ("on monday" for "monday"). With skin set it asks "Did you roll
// your skin", for a "rolled" that may have been an everyday one.
func (r reading) askBack(skin bool) string {
	s, timeText, said := r.session, r.timeText, r.timeSaid
	var with, args, free []string
	if s.NeedleMM > 0 {
		mm := text.FormatMM(s.NeedleMM)
		with = append(with, mm+" mm")
		args = append(args, mm)
	}
	for _, p := range s.Products {
		with = append(with, p)
		if r.known[p] {
			args = append(args, p)
		} else {
			free = append(free, "with "+p)
		}
	}
	args = append(args, s.Areas...)
	var b strings.Builder
	b.WriteString("Did you roll")
	if skin {
		b.WriteString(" your skin")
	}
	if len(with) > 0 {
		b.WriteString(" with " + joinAnd(with))
	}
	if len(s.Areas) > 0 {
		b.WriteString(" on " + joinAnd(s.Areas))
	}
	if said == "" {
		said = "just now"
	}
	b.WriteString(" " + said)
	if timeText != "" {
		args = append(args, timeText)
	}
	args = append(args, free...)
	b.WriteString("? Send /log")
	for _, a := range args {
		b.WriteString(" " + a)
	}
	b.WriteString(" to log it.")
	return b.String()
}

// joinOr lists needle lengths as a choice: "0.25 mm or 0.5 mm".
func joinOr(mms []float64) string {
	out := make([]string, len(mms))
	for i, mm := range mms {
		out[i] = text.FormatMM(mm) + " mm"
	}
	if len(out) < 2 {
		return strings.Join(out, "")
	}
	return strings.Join(out[:len(out)-1], ", ") + " or " + out[len(out)-1]
}

// joinAnd lists items the way people write them: "a", "a and b", "a, b and c".
func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
