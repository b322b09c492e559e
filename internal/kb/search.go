package kb

import (
	"sort"
	"strings"
)

// decision holds the thresholds applied to the classifier's probabilities.
type decision struct {
	answer  float64 // the best answer's probability must reach this to be given
	inScope float64 // ... and all answers' together this
	safety  float64 // a reaction this probable gets the safety reply, whatever else fits
	chat    float64 // small talk (and a message for the diary) must be this clear to be read so
	part    float64 // each half of a two-part message must be this clear to split it
}

// defaultDecision was chosen by cross-validation, holding out one writer of examples.md at a
// time (cv_test.go), never on the frozen held-out set (docs/benchmarks.md).
var defaultDecision = decision{answer: 0.35, inScope: 0.8, safety: 0.3, chat: 0.5, part: 0.6}

// maxSuggest is how many topics are offered when the guidance does not cover a question.
const maxSuggest = 3

// Verdict says what kind of reply a message needs.
type Verdict int

// The verdicts, from the most to the least certain that the guidance answers.
const (
	Unsure     Verdict = iota // nothing fits well enough to say: ask back
	Answered                  // Result.Entry answers it
	NotCovered                // about micro-needling, but the guidance doesn't cover it
	OffTopic                  // not about micro-needling at all
	Safety                    // reports or asks about a skin reaction: Result.Entry is the safety reply
	Chat                      // small talk (hello, thanks, what is this bot): Result.Entry replies
	Diary                     // the user telling the bot about a session: for the diary to read
)

// String names the verdict for logs, metrics and JSON.
func (v Verdict) String() string {
	switch v {
	case Answered:
		return "answered"
	case NotCovered:
		return "not-covered"
	case OffTopic:
		return "off-topic"
	case Safety:
		return "safety"
	case Chat:
		return "chat"
	case Diary:
		return "diary"
	}
	return "unsure"
}

// Result is how the knowledge base reads a message.
type Result struct {
	Verdict     Verdict
	Entry       *Entry   // the answer, the safety reply, the chat reply or the not-covered reply
	Score       float64  // the classifier's probability for Entry
	Suggestions []*Entry // for NotCovered and Unsure: up to three topics that came closest
	Parts       []Result // a message that asks two things: how each part reads, in order
}

// classifier ties the trained model to the entries it chooses between.
type classifier struct {
	f       *featurizer
	m       *model
	classes []*Entry // class i is classes[i]
	groups  []group
	safety  int // the safety entry's class
	decline int // the not-covered entry's class
	d       decision
}

// newClassifier trains the classifier for k's entries, or takes the built-in model when data
// is the file it was trained from.
func newClassifier(k *KB, data []byte) *classifier {
	c := &classifier{f: newFeaturizer(k.synonyms, k.facts.HomeMM, defaultTrain), classes: k.classes, decline: -1, d: defaultDecision}
	exs, groups := c.examples()
	if m, err := decodeModel(defaultModel, modelKey(data)); err == nil && m.classes == len(c.classes) {
		c.m = m
	} else {
		c.m = train(c.f, exs, groups, defaultTrain)
	}
	return c
}

// examples lists what the classifier learns from: each entry's examples and keywords, and
// each answer's title. It also records each class's group and the classes with a role.
func (c *classifier) examples() ([]example, []group) {
	var exs []example
	c.groups = make([]group, len(c.classes))
	for i, e := range c.classes {
		switch e.Kind {
		case KindAnswer:
			c.groups[i] = groupAnswer
			exs = append(exs, example{e.Title, i})
		case KindUncovered, KindOffTopic:
			c.groups[i] = groupDecline
		default:
			c.groups[i] = groupOther
		}
		switch {
		case e.Kind == KindSafety:
			c.safety = i
		case e.Kind == KindUncovered && c.decline < 0:
			c.decline = i
		}
		for _, a := range e.Asks {
			exs = append(exs, example{a, i})
		}
		for _, kw := range e.Keywords {
			exs = append(exs, example{kw, i})
		}
	}
	return exs, c.groups
}

// Search reads a message: a reaction gets the safety reply, a question the answer or an
// honest decline, small talk its reply. A message asking two things has a Result for each
// in Parts; its own Verdict is the most important of theirs (Safety, then Answered).
func (k *KB) Search(text string) Result {
	whole := k.clf.judge(text)
	if whole.Verdict == Safety {
		return whole // a reaction anywhere in the message is what the reply is about
	}
	parts := k.clf.split(text)
	if parts == nil {
		return whole
	}
	lead := parts[0]
	for _, p := range parts {
		if p.Verdict == Safety || (p.Verdict == Answered && lead.Verdict != Safety && lead.Verdict != Answered) {
			lead = p
		}
	}
	lead.Parts = parts
	return lead
}

// judge reads one message (or one part of one) as a whole.
func (c *classifier) judge(text string) Result {
	words, terms := c.m.analyse(c.f, text)
	if len(words) == 0 {
		return Result{}
	}
	p := c.m.predict(c.f.vector(words, terms))
	if p[c.safety] >= c.d.safety {
		return Result{Verdict: Safety, Entry: c.classes[c.safety], Score: p[c.safety]}
	}
	best := 0
	for i := range p {
		if p[i] > p[best] {
			best = i
		}
	}
	e := c.classes[best]
	r := Result{Entry: e, Score: p[best]}
	switch {
	case e.Kind == KindAnswer:
		if p[best] >= c.d.answer && c.inScope(p) >= c.d.inScope {
			r.Verdict = Answered
			return r
		}
		r.Verdict, r.Entry, r.Score = NotCovered, c.classes[c.decline], p[c.decline]
	case e.Kind == KindUncovered:
		r.Verdict = NotCovered
	case e.Kind == KindOffTopic:
		r.Verdict = OffTopic
	case e.Kind == KindChat && p[best] >= c.d.chat:
		r.Verdict = Chat
	case e.Kind == KindDiary && p[best] >= c.d.chat:
		r.Verdict = Diary
	default:
		r.Verdict, r.Entry = Unsure, nil
	}
	r.Suggestions = c.suggest(p)
	return r
}

// inScope is the probability that the message is one the answers are for.
func (c *classifier) inScope(p []float64) float64 {
	var sum float64
	for i, g := range c.groups {
		if g == groupAnswer {
			sum += p[i]
		}
	}
	return sum
}

// suggest returns the topics that came closest, most probable first.
func (c *classifier) suggest(p []float64) []*Entry {
	idx := make([]int, 0, len(p))
	for i, e := range c.classes {
		if e.Kind == KindAnswer && e.Command != "" {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] > p[idx[b]] })
	var out []*Entry
	for _, i := range idx[:min(len(idx), maxSuggest)] {
		out = append(out, c.classes[i])
	}
	return out
}

// splitters are where a message that asks two things divides: after a question mark, or at a
// conjunction or comma between two clauses.
var splitters = []string{"?", ";", ", and ", " and ", " & ", ", or ", " or ", ", also ", " also ", " plus ", ", but ", " but ", ", "}

// split reads a message as two parts when it divides into two clauses that each read clearly
// and differently (an answer and another answer, or an answer and a subject the guidance does
// not cover); otherwise it returns nil.
func (c *classifier) split(text string) []Result {
	if len(text) > maxQueryBytes {
		return nil
	}
	var best []Result
	bestScore := 0.0
	for _, sep := range splitters {
		for from := 0; ; {
			i := indexFold(text, sep, from)
			if i < 0 {
				break
			}
			from = i + len(sep)
			left, right := text[:i+len(sep)], text[i+len(sep):]
			if sep != "?" && sep != ";" {
				left = text[:i]
			}
			if len(Normalize(left)) < 2 || len(Normalize(right)) < 2 {
				continue
			}
			a, b := c.judge(left), c.judge(right)
			if !c.clearPart(a) || !c.clearPart(b) || a.Entry == b.Entry || (a.Verdict != Answered && b.Verdict != Answered) {
				continue
			}
			if s := min(a.Score, b.Score); s > bestScore {
				best, bestScore = []Result{a, b}, s
			}
		}
	}
	return best
}

// indexFold returns the first index at or after from where s holds sep, ignoring ASCII case,
// or -1. Indices are s's own, whatever its encoding (lower-casing may change a string's length).
func indexFold(s, sep string, from int) int {
	for i := from; i+len(sep) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sep)], sep) {
			return i
		}
	}
	return -1
}

// clearPart reports whether one part of a message reads clearly enough to be answered on its
// own: an answer, a reaction, or a subject the guidance does not cover named outright.
func (c *classifier) clearPart(r Result) bool {
	switch r.Verdict {
	case Answered, Safety, NotCovered:
		return r.Score >= c.d.part
	}
	return false
}
