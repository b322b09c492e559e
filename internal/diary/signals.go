package diary

import (
	"strings"
	"unicode/utf8"

	"github.com/needlebot/needlebot/internal/spell"
)

// signals is what a message says about the activity itself.
type signals struct {
	verb       bool // the user's completed session in unmistakable words ("dermarolled", "did my session")
	rolled     bool // the user's plain "rolled", which is a session only next to a skin or tool signal
	weak       bool // "done", "finished" or "did" on its own
	roll       bool // a roller word with no completed verb ("rolling tonight")
	activity   bool // any session word at all, negated or intended ones included
	negated    bool // a session word under "didn't", "no", "almost", "forgot to", ...
	hardNeg    bool // "skipped", "forgot", "missed" anywhere
	intent     bool // a session word under "going to", "will", "thinking about", ...
	future     bool // "tomorrow", "later", "soon", "next" anywhere
	purchase   bool // "bought", "arrived", ...: the message is about the kit, not a session
	other      bool // someone else's session in unmistakable words ("my sister dermarolled")
	otherMaybe bool // someone else's "rolled" or "rolling", which counts next to a skin signal or a time
	otherWeak  bool // someone else's "did" or "done", which counts next to a skin signal
}

type actKind uint8

const (
	actNone     actKind = iota
	actDone             // a completed session in unmistakable words
	actRolled           // a plain "rolled" (or a slip of it), which may be an everyday roll
	actWeak             // "done", "finished", "did" without a session word
	actTerm             // a session word that is not a completed verb: "roll", "session"
	actEveryday         // the everyday verb "roll", up to the end of its clause: "rolled my eyes at that"
)

// plainRolled is the canonical name of the plain past verb in pastVerbs.
const plainRolled = "rolled"

var (
	// pastVerbs are completed-session verbs, the plain "rolled" apart from
	// the unmistakable ones; two-word forms are matched as phrases.
	pastVerbs = newDict([]dictEntry{
		{plainRolled, []string{"rolled", "rolld", "roled", "rollled"}},
		{"needled", []string{"dermarolled", "derma rolled", "dermarold", "microneedled", "micro needled",
			"microneedeled", "needled", "needeled", "dermastamped", "derma stamped", "dermapenned",
			"dr'd", "dr'ed", "mn'd", "mn'ed", "derma'd", "micro rolled", "microrolled", "micro-rolled"}},
	})
	// typoTargets catch one-letter slips ("rolked", "dermarrolled"); the
	// real words one edit away are listed in notTypos.
	typoTargets = []string{plainRolled, "dermarolled", "microneedled"}
	notTypos    = set("roller", "rolles", "roiled", "rolley", "dermaroller", "microneedle", "microneedles")
	// sessionWords turn "did my …", "finished …" and "… done" into a completed session.
	sessionWords = set("session", "sessions", "roll", "rolls", "rolling", "roller", "rollers", "dermaroll",
		"dermarolling", "dermaroller", "dermarollers", "derma", "microneedle", "microneedles",
		"microneedling", "needling", "dermapen", "dermastamp", "dermastamping", "mn", "dr")
	// rollWords are the session words that mean micro-needling and nothing else.
	rollWords   = set("roll", "rolling", "dermaroll", "dermarolling", "microneedling", "needling", "dermastamping", "mn")
	rollerWords = set("roller", "rollers", "dermaroller", "dermarollers", "derma", "microneedle", "microneedles",
		"dermapen", "dermastamp", "needle", "needles", "pen", "stamp")
	// rollForms are the forms of the everyday verb "roll", which get an
	// everyday sense from the words after them.
	rollForms  = set("roll", "rolls", "rolling")
	completers = set("did", "done", "finished", "finish", "completed", "had")
	weakVerbs  = set("did", "done", "finished", "completed")
	// doneMarks say done on their own: next to a size, product or area they report a session.
	doneMarks = set("✅", "✔", "☑", "✓", "👍", "🙌", "💪", "🎉")
	doneWords = set("done", "finished", "complete", "completed", "over", "✅", "✔", "☑", "👍", "🙌", "💪", "🎉", "✓")
	// rollParticles right after "roll" or "rolled" give it an everyday
	// sense ("rolled over", "rolled out of bed", "rolled back my update")
	// unless they start an area ("around my eyes", "under eyes").
	rollParticles = set("out", "over", "back", "up", "down", "off", "away", "around", "along", "onto", "into",
		"through", "under", "forward", "forwards", "backward", "backwards", "aside")
	// notSkin are things other than skin that get rolled: "rolled my eyes",
	// "the dice", "the car window", "a joint", "my update back".
	notSkin = set("eyes", "eye", "ankle", "ankles", "wrist", "dice", "die", "joint", "joints", "blunt", "cigarette",
		"cigarettes", "ciggie", "sleeves", "sleeve", "window", "windows", "car", "truck", "bike", "ball", "dough",
		"pastry", "sushi", "towel", "towels", "mat", "yoga", "carpet", "rug", "suitcase", "tape", "credits", "r's",
		"update", "updates", "release", "version", "deploy", "deployment", "patch", "build", "changes")
	// rollObjectLeadIns may stand between "rolled" and its object: "rolled the car window down".
	rollObjectLeadIns = set("my", "the", "her", "his", "our", "your", "their", "a", "an", "some", "this", "that")
	// skinWords make a plain "rolled" about skin: the tool, the skin itself,
	// or what rolling does to it. Words starting with skinPrefixes count too.
	skinWords = set("skin", "face", "roller", "rollers", "derma", "needle", "needles", "session", "sessions",
		"needling", "dermapen", "dermastamp", "serum", "serums", "redness", "scar", "scars", "acne", "pores",
		"wrinkles", "sting", "stings", "stung", "stinging", "tingle", "tingly", "tingling", "bleeding", "pinpoint")
	skinPrefixes = []string{"microneedl", "dermarol"}

	negators = set("didn't", "didnt", "not", "no", "never", "haven't", "havent", "hasn't", "hasnt",
		"don't", "dont", "won't", "wont", "can't", "cant", "cannot", "couldn't", "couldnt", "wasn't",
		"wasnt", "nope", "without", "almost", "nearly")
	hardNegators = set("skipped", "skip", "skipping", "skipt", "forgot", "forget", "forgotten", "missed")
	// notDoneMarks say not done: "0.25 ❌".
	notDoneMarks = set("❌", "✖", "✗", "🚫", "⛔")
	// tellWords after "forgot to" make it about the diary, not the session.
	tellWords = set("log", "tell", "mention", "add", "write", "note", "say", "post", "update", "record", "send", "report", "text")
	// negatedVerbs under a negation say no session happened, though they are no session words.
	negatedVerbs = set("do", "get", "manage", "make", "bother")
	// intentWords start intent on their own; intentBeforeTo only as "… to".
	intentWords = set("will", "gonna", "gunna", "wanna", "gotta", "should", "shall", "must", "might", "may", "maybe",
		"perhaps", "possibly", "hopefully", "plan", "plans", "planning", "thinking", "considering", "contemplating",
		"debating", "tempted", "wondering")
	intentBeforeTo = set("going", "about", "want", "wants", "need", "needs", "have", "has", "hope", "hoping", "intend",
		"intending", "try", "trying", "ready", "like", "love", "decided", "planned")
	futureWords   = set("tomorrow", "tmrw", "tmr", "tomorow", "tommorow", "later", "soon", "next", "upcoming")
	purchaseWords = set("bought", "buying", "ordered", "arrived", "arrives", "received", "delivered", "shipped")

	// firstPerson in a subject make a session the user's: "my wife and I rolled", "we rolled".
	firstPerson = set("i", "i've", "ive", "i'd", "i'm", "im", "me", "myself", "we", "we've", "weve", "we'd", "us")
	// otherPeople make a subject someone else: pronouns, "her"/"his"/"their", and the people after "my".
	otherPeople = set("she", "he", "they", "shes", "hes", "they've", "theyve", "they're", "she'd", "he'd", "they'd",
		"her", "his", "their", "wife", "husband", "hubby", "partner", "spouse", "friend", "friends", "bestie", "bff",
		"sister", "sis", "sisters", "brother", "bro", "brothers", "mum", "mom", "mummy", "mommy", "mother", "mama",
		"dad", "daddy", "father", "parents", "daughter", "daughters", "son", "sons", "kid", "kids", "girlfriend", "gf",
		"boyfriend", "bf", "fiance", "fiancee", "dermatologist", "derm", "esthetician", "aesthetician", "cosmetologist",
		"beautician", "aunt", "uncle", "cousin", "grandma", "grandmother", "niece", "nephew", "roommate", "flatmate",
		"housemate", "colleague", "coworker")
	// otherOwners before an area make it someone else's skin: "on her cheeks".
	otherOwners = set("her", "his", "their")
	// subjectGlue may sit inside a subject or between it and its verb: "my wife and I", "she has just".
	subjectGlue = set("my", "our", "your", "a", "an", "the", "and", "&", "+", "just", "also", "finally", "already",
		"actually", "literally", "even", "only", "both", "too", "has", "had", "have", "is", "was", "were", "are", "am")
)

// scopeLen is how many words "didn't" or "going to" reach: enough for
// "didn't get to roll"; a clause break ends the reach sooner, so "no redness
// after rolling" is not negated.
const scopeLen = 3

// findSignals finds the activity words, whether negation or intent governs
// them and whose session they are, and claims the completed-session verbs.
func (m *message) findSignals() signals {
	var s signals
	neg, intent := 0, 0
	for i := 0; i < len(m.toks); i++ {
		if t := m.toks[i]; t.role == unclaimed && doneMarks[t.key] && neg == 0 && intent == 0 {
			s.weak = true // "0.25 ✅"
			m.claim(i, i+1, byVerb)
			continue
		}
		if t := m.toks[i]; t.role == unclaimed && notDoneMarks[t.key] {
			s.hardNeg = true // "0.25 ❌ tonight"
			continue
		}
		if m.toks[i].role != unclaimed || m.isBreak(i) {
			if m.toks[i].role == unclaimed {
				neg, intent = 0, 0
			}
			continue
		}
		k := m.toks[i].key
		switch {
		case m.intentTrigger(i):
			intent = scopeLen + 1
			if k == "can't" || k == "cant" {
				intent++ // "can't wait to roll tonight"
			}
		case negators[k]:
			neg = scopeLen + 1
		case hardNegators[k] && !m.forgotToTell(i):
			s.hardNeg, neg = true, scopeLen+1
		case neg > 0 && negatedVerbs[k]:
			s.negated = true // "didn't do my 0.25", "didn't get to it"
		case futureWords[k]:
			s.future = true
		case purchaseWords[k]:
			s.purchase = true
		}
		end, kind := m.activityAt(i)
		switch {
		case kind == actNone:
		case kind == actEveryday:
			m.claim(i, end, byEveryday)
			i = end - 1
			continue
		case neg > 0:
			s.negated = s.negated || kind != actWeak
		case intent > 0:
			s.intent = s.intent || kind != actWeak
		case (kind != actTerm || rollWords[k]) && m.someoneElse(i):
			switch kind {
			case actDone:
				s.other = true
			case actWeak:
				s.otherWeak = true
			default:
				s.otherMaybe = true
			}
			if kind != actTerm {
				m.claim(i, end, byVerb)
			}
		case kind == actDone:
			s.verb = true
			m.claim(i, end, byVerb)
		case kind == actRolled:
			s.rolled = true
			m.claim(i, end, byVerb)
		case kind == actWeak:
			s.weak = true
			m.claim(i, end, byVerb)
		case rollWords[k]:
			s.roll = true
		}
		if kind == actDone || kind == actRolled || kind == actTerm {
			s.activity = true
		}
		neg, intent = max(neg-1, 0), max(intent-1, 0)
		if end > i+1 && m.toks[i].role == byVerb {
			i = end - 1
		}
	}
	return s
}

// forgotToTell reports whether "forgot" at token i is about telling the bot,
// not about rolling: "did 0.25 friday, forgot to log it".
func (m *message) forgotToTell(i int) bool {
	return (m.key(i) == "forgot" || m.key(i) == "forget") && m.key(i+1) == "to" && tellWords[m.key(i+2)]
}

// intentTrigger reports whether token i starts a plan or a hedge: "will",
// "I'll", "thinking", "want to", "can't wait".
func (m *message) intentTrigger(i int) bool {
	k, next := m.key(i), m.key(i+1)
	return intentWords[k] || strings.HasSuffix(k, "'ll") || (intentBeforeTo[k] && next == "to") ||
		((k == "can't" || k == "cant") && next == "wait")
}

// activityAt reads a session word or phrase at token i.
func (m *message) activityAt(i int) (int, actKind) {
	k := m.key(i)
	canon, end := pastVerbs.longest(m, i)
	if end < 0 {
		canon = slipOf(k)
		if canon != "" {
			end = i + 1
		}
	}
	if end > 0 {
		if canon != plainRolled {
			return end, actDone
		}
		if m.everydayAt(end) {
			return m.clauseEnd(i), actEveryday
		}
		return end, actRolled
	}
	switch {
	case completers[k]:
		// "did my dermaroller session", "finished rolling", "had my session"; "did my rolling"
		// is the plain verb, a session only next to a skin signal.
		if j := m.wordWithin(i+1, sessionWords); j > 0 {
			for n := i + 1; n < j; n++ {
				if negators[m.key(n)] {
					return 0, actNone // "did NOT roll": the negation governs the session word
				}
			}
			if rollForms[m.key(j)] {
				return j + 1, actRolled
			}
			return j + 1, actDone
		}
		if weakVerbs[k] {
			return i + 1, actWeak
		}
	case k == "used":
		if j := m.wordWithin(i+1, rollerWords); j > 0 {
			return j + 1, actDone
		}
	case sessionWords[k]:
		if rollForms[k] && m.everydayAt(i+1) {
			return m.clauseEnd(i), actEveryday // "roll over", "rolling my eyes"
		}
		// "session done", "mn done 👍"; "done rolling" and "roll done" are the plain verb
		if j := m.wordWithin(i+1, doneWords); j > 0 && j <= i+2 {
			if rollForms[k] {
				return j + 1, actRolled
			}
			return j + 1, actDone
		}
		return i + 1, actTerm
	}
	return 0, actNone
}

// everydayAt reports whether the words from token j, right after a form of
// "roll", give it an everyday sense: a particle that does not start an area
// ("over", "out of bed") or, after at most two determiners, an object that
// is not skin ("my eyes", "the car window").
func (m *message) everydayAt(j int) bool {
	if rollParticles[m.key(j)] {
		_, end := areas.longest(m, j)
		return end < 0
	}
	for n := 0; n < 2 && rollObjectLeadIns[m.key(j)]; n++ {
		j++
	}
	return notSkin[m.key(j)]
}

// clauseEnd returns the index of the first clause break after token i, or
// the number of tokens.
func (m *message) clauseEnd(i int) int {
	j := i + 1
	for j < len(m.toks) && (m.toks[j].role != unclaimed || !m.isBreak(j)) {
		j++
	}
	return j
}

// someoneElse reports whether the subject right before the verb at token i
// is another person ("my wife rolled", "she did", "my sister has just
// dermarolled") rather than one that includes the user ("my wife and I").
func (m *message) someoneElse(i int) bool {
	other := false
	for j := i - 1; j >= 0 && j >= i-6; j-- {
		t := m.toks[j]
		switch {
		case t.role != unclaimed:
			return other
		case firstPerson[t.key]:
			return false
		case otherPeople[strings.TrimSuffix(t.key, "'s")]:
			other = true
		case !subjectGlue[t.key]:
			return other
		}
	}
	return other
}

// opensWithSomeoneElse reports whether the message, lead-ins aside, starts
// with another person as its subject: "my wife: 0.25 on cheeks".
func (m *message) opensWithSomeoneElse() bool {
	i := m.skipLeadIns(0)
	j := i
	for j < len(m.toks) && m.toks[j].role == unclaimed {
		k := m.toks[j].key
		if !firstPerson[k] && !otherPeople[strings.TrimSuffix(k, "'s")] && !subjectGlue[k] {
			break
		}
		j++
	}
	return j > i && m.someoneElse(j)
}

// areaOfSomeoneElse reports whether an area is someone else's skin: "on
// her cheeks", "my wife's forehead".
func (m *message) areaOfSomeoneElse() bool {
	for i := 1; i < len(m.toks); i++ {
		prev := m.toks[i-1]
		if m.toks[i].role != byArea || prev.role != unclaimed {
			continue
		}
		if otherOwners[prev.key] || (strings.HasSuffix(prev.key, "'s") && otherPeople[strings.TrimSuffix(prev.key, "'s")]) {
			return true
		}
	}
	return false
}

// hasSkinWord reports whether any word is about skin or the tool, claimed or not.
func (m *message) hasSkinWord() bool {
	for _, t := range m.toks {
		if t.kind != tWord {
			continue
		}
		if skinWords[t.key] {
			return true
		}
		for _, p := range skinPrefixes {
			if strings.HasPrefix(t.key, p) {
				return true
			}
		}
	}
	return false
}

// hedgedClause reports whether one clause both plans or hedges ("thinking
// about", "want to", "might", "will") and names a time, a size, a product,
// an area or a session word, as in "considering 0.5mm on forehead".
func (m *message) hedgedClause() bool {
	trigger, detail := false, false
	for i, t := range m.toks {
		switch {
		case t.role == byEveryday:
		case t.role != unclaimed:
			detail = true
		case m.isBreak(i):
			if trigger && detail {
				return true
			}
			trigger, detail = false, false
		case sessionWords[t.key]:
			detail = true
		case m.intentTrigger(i):
			trigger = true
		}
	}
	return trigger && detail
}

// wordWithin returns the index of the last token in words among the scopeLen
// tokens from i, stopping at a clause break, or 0.
func (m *message) wordWithin(i int, words map[string]bool) int {
	found := 0
	for j := i; j < i+scopeLen && j < len(m.toks); j++ {
		t := m.toks[j]
		if t.role == unclaimed && words[t.key] {
			found = j
		} else if t.role == unclaimed && m.isBreak(j) {
			break
		}
	}
	return found
}

// slipOf returns the completed-session verb that k is one slip away from
// ("rolked" is "rolled"), or "" when it is none.
func slipOf(k string) string {
	n := utf8.RuneCountInString(k)
	if notTypos[k] || n < 5 {
		return ""
	}
	first, _ := utf8.DecodeRuneInString(k)
	for _, p := range typoTargets {
		pn := utf8.RuneCountInString(p)
		if first == rune(p[0]) && n >= pn-1 && n <= pn+1 && spell.Distance(k, p, 1) <= 1 {
			return p
		}
	}
	return ""
}

var (
	interrogatives = set("how", "what", "why", "when", "where", "which", "who", "whom", "whose",
		"what's", "whats", "how's", "hows", "where's", "wheres", "who's", "whos", "when's", "why's")
	// whContractions ask on their own anywhere: "…, what's next".
	whContractions = set("what's", "whats", "how's", "hows", "where's", "wheres", "who's", "whos", "when's", "why's")
	auxiliaries    = set("can", "could", "should", "shall", "is", "are", "does", "do", "will", "would", "may", "am")
	// clauseAux start a question after a comma, "and", "but" or "so" or
	// a new sentence: "…, can I use retinol today".
	clauseAux = set("can", "could", "should", "is", "are", "does", "do", "will", "would")
	// afterAuxStatement follow an auxiliary in diary shorthand, not in a
	// question: "will roll later", "am rolling now".
	afterAuxStatement = set("roll", "rolling", "do", "doing", "try", "use", "using", "go", "start", "skip",
		"dermaroll", "microneedle", "needle", "be", "probably", "definitely", "prob", "def", "also", "just", "maybe")
	// midStatement follow an auxiliary in a later clause of a statement:
	// "…and is fine", "…, could barely feel it".
	midStatement = set("fine", "ok", "okay", "good", "great", "healing", "feeling", "feel", "looking", "still",
		"already", "now", "really", "pretty", "totally", "so", "see", "tell", "barely", "hardly", "recommend",
		"not", "never", "red", "sore", "tender", "smooth", "glowing", "calm")
	// questionStops end the search for an auxiliary after a question word:
	// "…, when I got home" and "…, what a relief" do not ask.
	questionStops = set("i", "i'm", "im", "i've", "we", "you", "u", "it", "it's", "its", "she", "he", "they",
		"a", "an", "the", "my", "this", "that")
	didSubjects = set("i", "you", "u", "we", "ya")
	// leadIns are skipped before looking for the question word: "hey, can I …".
	leadIns = set("hi", "hey", "hello", "yo", "ok", "okay", "so", "um", "uh", "hmm", "btw", "quick", "question",
		"sorry", "also", "and", "but", "oh", "please", "pls", "bot", "needlebot")
	// clauseJoins start a clause that may ask: "rolled 0.25 and is that ok".
	clauseJoins = set("and", "but", "so")
	// innerMarks are punctuation that does not start a new clause.
	innerMarks = set("'", "-", "+", "&", "/", "%", "\"", "*", "~", "@", "#", "=")
	// wonderWords followed by "if" or "whether" ask indirectly: "wondering
	// whether 0.5 is ok", "not sure if"; the first three also before a
	// question word: "wondering how often".
	wonderWords = set("wondering", "wonder", "wondered", "curious", "unsure", "sure", "know", "idk", "dunno")
	ifWords     = set("if", "whether")
	// choiceWords between two needle lengths weigh them: "0.25 or 0.5".
	choiceWords = set("or", "vs", "versus")
)

// questionAt returns the token where the message starts asking something,
// and false when it asks nothing: 0 for a question word or auxiliary opening
// the message, an indirect question ("wondering whether") or a choice between
// two needle lengths ("0.25 or 0.5"); the start of a later clause opening
// with a question word or an auxiliary ("rolled 0.25, can I use retinol");
// or, for a question mark with neither, the start of the clause it ends.
func (m *message) questionAt() (int, bool) {
	if m.weighsSizes() || m.opensQuestion(m.skipLeadIns(0)) {
		return 0, true
	}
	for i, t := range m.toks {
		if wonderWords[t.key] && m.asksIndirectlyAt(i) {
			return m.clauseStart(i), true
		}
		starts := m.clauseMark(i) || (t.kind == tWord && clauseJoins[t.key])
		if starts && m.asksMidway(m.skipLeadIns(i+1)) {
			return m.skipLeadIns(i + 1), true
		}
	}
	for i, t := range m.toks {
		if t.text == "?" && !(m.glued(i+1) && m.toks[i+1].kind != tPunct) {
			return m.clauseStart(i), true
		}
	}
	return 0, false
}

// clauseMark reports whether token i is punctuation that ends a clause: a
// sentence mark or comma, or a dash written apart ("rolled 0.25 - is that ok").
func (m *message) clauseMark(i int) bool {
	t := m.toks[i]
	if t.kind != tPunct {
		return false
	}
	return !innerMarks[t.text] || (t.text == "-" && t.space && i+1 < len(m.toks) && m.toks[i+1].space)
}

// clauseStart returns the first token of the clause holding token i: after
// the last sentence mark or comma before it.
func (m *message) clauseStart(i int) int {
	for j := i - 1; j >= 0; j-- {
		if m.clauseMark(j) {
			return m.skipLeadIns(j + 1)
		}
	}
	return 0
}

// skipLeadIns returns the first token from i that is neither punctuation nor a lead-in.
func (m *message) skipLeadIns(i int) int {
	for i < len(m.toks) && (m.toks[i].kind == tPunct || leadIns[m.toks[i].key]) {
		i++
	}
	return i
}

// opensQuestion applies the rule for a message's first word at token i: a
// question word, or an auxiliary not followed by diary shorthand.
func (m *message) opensQuestion(i int) bool {
	if i >= len(m.toks) {
		return false
	}
	k := m.toks[i].key
	next, nextNum := "", false
	if i+1 < len(m.toks) {
		next, nextNum = m.toks[i+1].key, m.toks[i+1].kind == tNum
	}
	switch {
	case interrogatives[k]:
		return true
	case k == "did":
		// "did I roll yesterday" asks; "did my session" and "did I tell you I rolled!" do not.
		last, _ := utf8.DecodeLastRuneInString(m.text)
		return didSubjects[next] && last != '!'
	case k == "may" && nextNum:
		return false // "may 20": a date, not "may I"
	case auxiliaries[k]:
		return !afterAuxStatement[next]
	}
	return false
}

// asksMidway applies the stricter rule for a later clause at token i: a
// question word followed by an auxiliary before any subject ("how often can
// I", not "when I got home"), "did I", or an auxiliary not followed by
// diary shorthand or a plain statement ("can I", not "will do again").
func (m *message) asksMidway(i int) bool {
	if i >= len(m.toks) || m.toks[i].kind != tWord {
		return false
	}
	k := m.toks[i].key
	next, nextWord := "", false
	if i+1 < len(m.toks) {
		next, nextWord = m.toks[i+1].key, m.toks[i+1].kind != tPunct
	}
	switch {
	case whContractions[k]:
		return true
	case interrogatives[k]:
		for j := i + 1; j <= i+3 && j < len(m.toks); j++ {
			t := m.toks[j]
			if t.kind == tPunct || questionStops[t.key] {
				return false
			}
			if clauseAux[t.key] || t.key == "did" {
				return true
			}
		}
	case k == "did":
		return didSubjects[next]
	case clauseAux[k]:
		return nextWord && !afterAuxStatement[next] && !midStatement[next]
	}
	return false
}

// asksIndirectlyAt reports whether the wonder word at token i leads into
// "if" or "whether" within two words ("wondering whether", "not sure if"),
// or "wondering" into a question word ("wondering how often").
func (m *message) asksIndirectlyAt(i int) bool {
	t := m.toks[i]
	for j := i + 1; j <= i+2 && j < len(m.toks); j++ {
		k := m.toks[j].key
		if ifWords[k] || (strings.HasPrefix(t.key, "wonder") && interrogatives[k]) {
			return true
		}
	}
	return false
}

// weighsSizes reports whether "or", "vs" or "versus" stands between two
// needle lengths: "0.25 or 0.5", "0.5mm vs 1mm".
func (m *message) weighsSizes() bool {
	for i, t := range m.toks {
		if !choiceWords[t.key] || i == 0 {
			continue
		}
		before := i - 1
		if mmUnits[m.toks[before].key] && before > 0 {
			before--
		}
		if m.lengthLike(before) && m.lengthLike(i+1) {
			return true
		}
	}
	return false
}

// lengthLike reports whether token i is a number that reads as a needle
// length: a decimal up to 3, or a whole number with a millimetre unit after it.
func (m *message) lengthLike(i int) bool {
	if i < 0 || i >= len(m.toks) || m.toks[i].kind != tNum {
		return false
	}
	v, ok := parseDecimal(m.toks[i].text)
	if !ok || v <= 0 || v > maxNeedleMM {
		return false
	}
	return strings.ContainsAny(m.toks[i].text, ".,") || (i+1 < len(m.toks) && mmUnits[m.toks[i+1].key])
}
