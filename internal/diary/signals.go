package diary

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// signals is what a message says about the activity itself.
type signals struct {
	verb     bool // a completed session ("rolled", "did my session") outside negation and intent
	weak     bool // "done", "finished" or "did" on its own
	roll     bool // a roller word with no completed verb ("rolling tonight")
	activity bool // any session word at all, negated or intended ones included
	negated  bool // a session word under "didn't", "no", "forgot to", ...
	hardNeg  bool // "skipped", "forgot", "missed" anywhere
	intent   bool // a session word under "going to", "will", "planning", ...
	future   bool // "tomorrow", "later", "soon", "next" anywhere
	purchase bool // "bought", "arrived", ...: the message is about the kit, not a session
}

type actKind uint8

const (
	actNone actKind = iota
	actDone         // a completed session
	actWeak         // "done", "finished", "did" without a session word
	actTerm         // a session word that is not a completed verb: "roll", "session"
)

var (
	// pastVerbs are completed-session verbs; two-word forms are matched as phrases.
	pastVerbs = newDict([]dictEntry{{"", []string{
		"rolled", "rolld", "roled", "rollled", "dermarolled", "derma rolled", "dermarold",
		"microneedled", "micro needled", "microneedeled", "needled", "needeled",
		"dermastamped", "derma stamped", "dermapenned",
	}}})
	// typoTargets catch one-letter slips ("rolked", "dermarrolled"); the
	// real words one edit away are listed in notTypos.
	typoTargets = []string{"rolled", "dermarolled", "microneedled"}
	notTypos    = set("roller", "rolles", "roiled", "rolley", "dermaroller", "microneedle", "microneedles")
	// sessionWords turn "did my …", "finished …" and "… done" into a completed session.
	sessionWords = set("session", "sessions", "roll", "rolls", "rolling", "roller", "rollers", "dermaroll",
		"dermarolling", "dermaroller", "dermarollers", "derma", "microneedle", "microneedles",
		"microneedling", "needling", "dermapen", "dermastamp", "dermastamping")
	// rollWords are the session words that mean micro-needling and nothing else.
	rollWords   = set("roll", "rolling", "dermaroll", "dermarolling", "microneedling", "needling", "dermastamping")
	rollerWords = set("roller", "rollers", "dermaroller", "dermarollers", "derma", "microneedle", "microneedles",
		"dermapen", "dermastamp", "needle", "needles", "pen", "stamp")
	completers = set("did", "done", "finished", "finish", "completed", "had")
	weakVerbs  = set("did", "done", "finished", "completed")
	doneWords  = set("done", "finished", "complete", "completed", "over", "✅", "✔", "☑")
	// notSkin follow "rolled" when it is not about skin: "rolled my eyes".
	notSkin    = set("eyes", "eye", "ankle", "ankles", "dice", "joint", "sleeves")
	possessive = set("my", "the", "her", "his", "our", "your")

	negators = set("didn't", "didnt", "not", "no", "never", "haven't", "havent", "hasn't", "hasnt",
		"don't", "dont", "won't", "wont", "can't", "cant", "cannot", "couldn't", "couldnt", "wasn't",
		"wasnt", "nope", "without")
	hardNegators = set("skipped", "skip", "skipping", "skipt", "forgot", "forget", "forgotten", "missed")
	// intentWords start intent on their own; intentBeforeTo only as "… to".
	intentWords    = set("will", "gonna", "gunna", "wanna", "gotta", "should", "shall", "must", "might", "may", "maybe", "plan", "plans", "planning")
	intentBeforeTo = set("going", "about", "want", "wants", "need", "needs", "have", "has", "hope", "hoping", "intend", "intending", "try", "trying", "ready")
	futureWords    = set("tomorrow", "tmrw", "tmr", "tomorow", "tommorow", "later", "soon", "next", "upcoming")
	purchaseWords  = set("bought", "buy", "buying", "ordered", "order", "arrived", "arrives", "received", "delivered", "shipped")
)

// scopeLen is how many words "didn't" or "going to" reach: enough for
// "didn't get to roll"; a clause break ends the reach sooner, so "no redness
// after rolling" is not negated.
const scopeLen = 3

// findSignals finds the activity words and whether negation or intent
// governs them, and claims the completed-session verbs.
func (m *message) findSignals() signals {
	var s signals
	neg, intent := 0, 0
	for i := 0; i < len(m.toks); i++ {
		if m.toks[i].role != unclaimed || m.isBreak(i) {
			if m.toks[i].role == unclaimed {
				neg, intent = 0, 0
			}
			continue
		}
		k := m.toks[i].key
		switch {
		case (k == "can't" || k == "cant") && m.key(i+1) == "wait":
			intent = scopeLen + 2 // "can't wait to roll tonight"
		case negators[k]:
			neg = scopeLen + 1
		case hardNegators[k]:
			s.hardNeg, neg = true, scopeLen+1
		case intentWords[k] || strings.HasSuffix(k, "'ll") || (intentBeforeTo[k] && m.key(i+1) == "to"):
			intent = scopeLen + 1
		case futureWords[k]:
			s.future = true
		case purchaseWords[k]:
			s.purchase = true
		}
		end, kind := m.activityAt(i)
		switch {
		case kind == actNone:
		case neg > 0:
			s.negated = s.negated || kind != actWeak
		case intent > 0:
			s.intent = s.intent || kind != actWeak
		case kind == actDone:
			s.verb = true
			m.claim(i, end, byVerb)
		case kind == actWeak:
			s.weak = true
			m.claim(i, end, byVerb)
		case rollWords[k]:
			s.roll = true
		}
		if kind == actDone || kind == actTerm {
			s.activity = true
		}
		neg, intent = max(neg-1, 0), max(intent-1, 0)
		if end > i+1 && m.toks[i].role == byVerb {
			i = end - 1
		}
	}
	return s
}

// activityAt reads a session word or phrase at token i.
func (m *message) activityAt(i int) (int, actKind) {
	k := m.key(i)
	if _, end := pastVerbs.longest(m, i); end > 0 || isTypo(k) {
		if end < 0 {
			end = i + 1
		}
		j := end
		if possessive[m.key(j)] {
			j++
		}
		if notSkin[m.key(j)] {
			return 0, actNone
		}
		return end, actDone
	}
	switch {
	case completers[k]:
		// "did my dermaroller session", "finished rolling", "had my session"
		if j := m.wordWithin(i+1, sessionWords); j > 0 {
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
		// "session done", "roll done ✅"
		if j := m.wordWithin(i+1, doneWords); j > 0 && j <= i+2 {
			return j + 1, actDone
		}
		return i + 1, actTerm
	}
	return 0, actNone
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

// isTypo reports whether k is one slip away from a completed-session verb.
func isTypo(k string) bool {
	if notTypos[k] || len(k) < 5 {
		return false
	}
	for _, p := range typoTargets {
		if k[0] == p[0] && len(k) >= len(p)-1 && len(k) <= len(p)+1 && osa(k, p) <= 1 {
			return true
		}
	}
	return false
}

// osa is the optimal-string-alignment edit distance, which counts a swap of
// neighbours ("roleld") as one slip.
func osa(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

var (
	interrogatives = set("how", "what", "why", "when", "where", "which", "who", "whom", "whose",
		"what's", "whats", "how's", "hows", "where's", "wheres", "who's", "whos", "when's", "why's")
	auxiliaries = set("can", "could", "should", "shall", "is", "are", "does", "do", "will", "would", "may", "am")
	// afterAuxStatement follow an auxiliary in diary shorthand, not in a
	// question: "will roll later", "am rolling now".
	afterAuxStatement = set("roll", "rolling", "do", "doing", "try", "use", "using", "go", "start", "skip",
		"dermaroll", "microneedle", "needle", "be", "probably", "definitely", "prob", "def", "also", "just", "maybe")
	didSubjects = set("i", "you", "u", "we", "ya")
	// leadIns are skipped before looking for the question word: "hey, can I …".
	leadIns = set("hi", "hey", "hello", "yo", "ok", "okay", "so", "um", "uh", "hmm", "btw", "quick", "question",
		"sorry", "also", "and", "but", "oh", "please", "pls", "bot", "needlebot")
)

// isQuestion reports whether the message asks something: it ends with "?"
// (emoji and closing punctuation aside) or opens with a question word or an
// auxiliary used as one.
func (m *message) isQuestion() bool {
	if strings.HasSuffix(strings.TrimRightFunc(m.text, notQuestionEnd), "?") {
		return true
	}
	i := 0
	for i < len(m.toks) && (m.toks[i].kind == tPunct || leadIns[m.toks[i].key]) {
		i++
	}
	if i == len(m.toks) {
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

// notQuestionEnd matches what may trail a question mark: emoji, closing
// brackets, other punctuation.
func notQuestionEnd(r rune) bool {
	return r != '?' && !unicode.IsLetter(r) && !unicode.IsDigit(r)
}
