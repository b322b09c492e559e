package kb

import (
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/needlebot/needlebot/internal/spell"
)

// Search tuning. Field weights say how much a word in each part of an entry counts; the
// thresholds were chosen against testdata/questions.tsv and checked on the held-out sets.
const (
	weightTitle    = 2.0
	weightKeyword  = 3.0
	weightAsk      = 1.0
	weightBody     = 0.7
	keywordBoost   = 1.0  // per word of a keyword phrase found in the question
	allOfBoost     = 1.5  // extra weight of an "a & b" keyword: words that must meet are strong evidence
	minKeywordIDF  = 0.5  // a keyword counts even when its words are common across entries
	stopKeywordIDF = 0.75 // what a stop word of a matched keyword phrase ("go out") counts
	bm25K1         = 1.2  // term-frequency saturation
	bm25B          = 0.4  // document-length normalisation
	minScore       = 1.6  // below this the guidance is taken not to cover the question
	unknownWeight  = 0.55 // how much each word the knowledge base never uses counts against a match
	maxSuggest     = 3    // topics offered when the answer is "not covered"
	maxTypoShort   = 1    // edits tolerated in words of minTypoLength to minTypoLong-1 letters
	maxTypoLong    = 2    // edits tolerated in longer words
	minTypoLength  = 4    // shorter words are never corrected
	minTypoLong    = 9
	maxShortQuery  = 2 // content words in a question short enough to be about the subject without naming it
)

// Result is the outcome of a search.
type Result struct {
	Entry       *Entry   // the answer; nil when the guidance does not cover the question
	Score       float64  // confidence of the best match (0 when nothing matched)
	Suggestions []*Entry // when Entry is nil: up to three topics that came closest
}

// Search finds the entry that answers a question in plain words. It returns a Result with a nil
// Entry when the question is off-topic, matches a subject the guidance does not cover, or scores
// below the confidence threshold.
func (k *KB) Search(question string) Result {
	return k.index.search(question)
}

// term is one analysed token: its canonical form, the word the user wrote (the first, for a
// synonym phrase) and whether it is a stop word.
type term struct {
	text string
	word string
	stop bool
}

func sameTerm(a, b term) bool { return a.text == b.text && a.stop == b.stop }

// keyword is a keyword of an entry: one phrase, or several ("why & 0.25") that must all
// occur somewhere in the question. The phrases without their stop words, the bonus for a
// match and whether it is strong are worked out once, when the index is built.
type keyword struct {
	parts   [][]term
	content [][]term
	bonus   float64
	strong  bool // two or more content words
}

type doc struct {
	e        *Entry
	tf       map[string]float64
	length   float64
	keywords []*keyword
}

type index struct {
	docs     []*doc
	df       map[string]int
	answerDF map[string]int // like df, counting answers only: words known only from uncovered subjects are foreign
	avgLen   float64
	synonyms map[string]string // stemmed variant sequence -> canonical term
	maxSyn   int               // longest variant, in tokens
	lexicon  map[string]int    // every surface word the knowledge base uses -> frequency
	stems    map[string]bool   // stems of the lexicon's words
	targets  map[string]int    // words of keywords and synonyms: what a typo may be corrected to
	strong   map[string]bool   // terms that put a question on the subject by themselves
	weak     map[string]bool   // terms of the subject that also have everyday meanings
}

func newIndex(k *KB) *index {
	ix := &index{
		df: map[string]int{}, answerDF: map[string]int{}, synonyms: map[string]string{}, lexicon: map[string]int{},
		targets: map[string]int{}, stems: map[string]bool{}, strong: map[string]bool{}, weak: map[string]bool{},
	}
	for key, canon := range k.synonyms {
		ix.addSynonym(key, canonicalTerm(canon))
	}
	for _, w := range k.vocabWords {
		ix.lexicon[w]++
		ix.targets[w]++
	}
	for _, canon := range k.synonyms {
		// A canonical word means itself, unless it is also another canonical's variant.
		if _, taken := ix.synonyms[synonymKey(canon)]; !taken {
			ix.addSynonym(synonymKey(canon), canonicalTerm(canon))
		}
	}
	for set, words := range map[*map[string]bool][]string{&ix.strong: k.anchors, &ix.weak: k.weakAnchors} {
		for _, a := range words {
			for _, t := range ix.analyze(a, false) {
				(*set)[t.text] = true
			}
		}
	}
	total := 0.0
	for _, e := range append(append([]*Entry(nil), k.answers...), k.uncovered...) {
		d := &doc{e: e, tf: map[string]float64{}}
		addField := func(text string, w float64) {
			for _, word := range Normalize(text) {
				ix.lexicon[word]++
			}
			for _, t := range ix.analyze(text, false) {
				if !t.stop {
					d.tf[t.text] += w
					d.length += w
				}
			}
		}
		addField(e.Title, weightTitle)
		for _, kw := range e.Keywords {
			addField(strings.ReplaceAll(kw, "&", " "), weightKeyword)
			for _, w := range Normalize(kw) {
				if len(w) >= minTypoLength && isLetters(w) {
					ix.targets[w]++
				}
			}
			if k := ix.keyword(kw); k != nil && !slices.ContainsFunc(d.keywords, k.equal) {
				d.keywords = append(d.keywords, k)
			}
		}
		for _, a := range e.Asks {
			addField(a, weightAsk)
		}
		addField(e.Body, weightBody)
		for t := range d.tf {
			ix.df[t]++
			if e.Kind == KindAnswer {
				ix.answerDF[t]++
			}
		}
		total += d.length
		ix.docs = append(ix.docs, d)
	}
	if len(ix.docs) > 0 {
		ix.avgLen = total / float64(len(ix.docs))
	}
	for w := range ix.lexicon {
		ix.stems[stem(w)] = true
	}
	for _, d := range ix.docs {
		for _, k := range d.keywords {
			k.weigh(ix)
		}
	}
	return ix
}

// keyword analyses one keyword; it returns nil for one that could never match usefully.
func (ix *index) keyword(text string) *keyword {
	k := &keyword{}
	for part := range strings.SplitSeq(text, "&") {
		ts := ix.analyze(part, false)
		if !hasContent(ts) && len(ts) < 2 {
			return nil
		}
		k.parts = append(k.parts, ts)
		k.content = append(k.content, contentOf(ts))
	}
	return k
}

func (k *keyword) equal(o *keyword) bool {
	return slices.EqualFunc(k.parts, o.parts, func(a, b []term) bool { return slices.EqualFunc(a, b, sameTerm) })
}

// weigh sets the keyword's bonus from the words' rarity; it runs once document frequencies
// are known.
func (k *keyword) weigh(ix *index) {
	defer func() {
		if len(k.parts) > 1 {
			k.bonus *= allOfBoost
		}
	}()
	n := 0
	for _, p := range k.parts {
		for _, t := range p {
			if t.stop {
				k.bonus += keywordBoost * stopKeywordIDF
				continue
			}
			n++
			k.bonus += keywordBoost * max(ix.idf(t.text), minKeywordIDF)
		}
	}
	k.strong = n >= 2
}

// matches reports whether every phrase of the keyword occurs in the question: word for
// word, or, for phrases of two or more content words, with the stop words ignored.
func (k *keyword) matches(q, qc []term) bool {
	for i, p := range k.parts {
		if !containsPhrase(q, p) && (len(k.content[i]) < 2 || !containsPhrase(qc, k.content[i])) {
			return false
		}
	}
	return true
}

func canonicalTerm(canon string) string {
	return strings.Join(Normalize(canon), "_")
}

func (ix *index) addSynonym(key, canon string) {
	if key == "" {
		return
	}
	ix.synonyms[key] = canon
	ix.maxSyn = max(ix.maxSyn, strings.Count(key, " ")+1)
}

func hasContent(ts []term) bool {
	return slices.ContainsFunc(ts, func(t term) bool { return !t.stop })
}

// analyze runs the search pipeline: normalise, drop fillers, optionally correct typos, stem,
// replace synonym phrases by their canonical term (longest first), and mark stop words.
func (ix *index) analyze(text string, correct bool) []term {
	var words, stems []string
	for _, w := range Normalize(text) {
		if fillers[w] {
			continue
		}
		if correct {
			w = ix.correct(w)
		}
		words = append(words, w)
		stems = append(stems, stem(w))
	}
	var (
		out []term
		key []byte
	)
	for i := 0; i < len(stems); {
		matched := false
		for n := min(ix.maxSyn, len(stems)-i); n >= 1; n-- {
			key = key[:0]
			for j, st := range stems[i : i+n] {
				if j > 0 {
					key = append(key, ' ')
				}
				key = append(key, st...)
			}
			if canon, ok := ix.synonyms[string(key)]; ok {
				out = append(out, term{text: canon, word: words[i]})
				i += n
				matched = true
				break
			}
		}
		if !matched {
			out = append(out, term{text: stems[i], word: words[i], stop: stopwords[words[i]] || isLetter(words[i])})
			i++
		}
	}
	return out
}

// correct replaces a word that the knowledge base never uses by the closest word it uses in a
// keyword or synonym, so "microneedeling" and "seurm" still find their answers. Only words
// with the same first letter count, and two edits only in long words, so ordinary words the
// guidance never mentions ("water", "starting") are not bent into topic words.
func (ix *index) correct(w string) string {
	if len(w) < minTypoLength || !isLetters(w) || stopwords[w] || ordinary[w] {
		return w
	}
	if _, known := ix.lexicon[w]; known || ix.stems[stem(w)] {
		return w // a known word, or an inflection of one ("moles" when the guidance says "mole")
	}
	limit := maxTypoShort
	if len([]rune(w)) >= minTypoLong {
		limit = maxTypoLong
	}
	best, bestD, bestN := w, limit+1, 0
	for cand, n := range ix.targets {
		if cand[0] != w[0] || !sameEnding(w, cand) || isInflection(w, cand) {
			continue // "paint" is not a typo of "pain", nor "apple" of "apply"
		}
		d := spell.Distance(w, cand, limit)
		if d < bestD || (d == bestD && d <= limit && (n > bestN || (n == bestN && cand < best))) {
			best, bestD, bestN = cand, d, n
		}
	}
	if bestD <= limit {
		return best
	}
	// "rolers" is two edits from "roller" but one from its stem, "roler".
	ws := stem(w)
	for cand := range ix.targets {
		if cs := stem(cand); cand[0] == w[0] && sameEnding(ws, cs) && !isInflection(ws, cs) && spell.Distance(ws, cs, maxTypoShort) <= maxTypoShort {
			return cand
		}
	}
	return w
}

// sameEnding reports whether two words end alike, or with their last two letters swapped
// ("needel"): typos keep a word's ends, while different words ("apple", "apply") differ there.
func sameEnding(a, b string) bool {
	la, lb := len(a), len(b)
	if a[la-1] == b[lb-1] {
		return true
	}
	return la >= 2 && lb >= 2 && a[la-1] == b[lb-2] && a[la-2] == b[lb-1]
}

// isInflection reports whether one word is the other plus a common English ending.
func isInflection(a, b string) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	if !strings.HasPrefix(a, b) {
		return false
	}
	switch a[len(b):] {
	case "s", "es", "d", "ed", "ing", "er", "ers", "t", "y", "ly", "en", "ish", "ful":
		return true
	}
	return false
}

func (ix *index) idf(t string) float64 {
	n := float64(len(ix.docs))
	df := float64(ix.df[t])
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

type scored struct {
	d         *doc
	score     float64
	kwHit     bool // a keyword of the entry is in the question
	strongHit bool // ... one with two or more content words
}

// question is what search learns about a question before scoring it.
type question struct {
	terms    []term
	content  []term   // terms without stop words
	distinct []string // distinct content terms
	unknown  int      // distinct content terms no entry uses
	foreign  int      // ... of which are not ordinary words: a sign of another subject
	strong   bool     // names the subject unambiguously ("microneedling")
	weak     int      // subject words that also have everyday meanings ("roll", "needle")
	referent bool     // points back at the subject ("does it hurt?")
}

func (ix *index) read(text string) question {
	q := question{terms: ix.analyze(text, true)}
	seen := map[string]bool{}
	for _, t := range q.terms {
		q.strong = q.strong || ix.strong[t.text]
		if ix.weak[t.text] {
			q.weak++
		}
		q.referent = q.referent || referents[t.text]
		if t.stop {
			continue
		}
		q.content = append(q.content, t)
		if !seen[t.text] {
			seen[t.text] = true
			q.distinct = append(q.distinct, t.text)
			if ix.answerDF[t.text] == 0 && !ix.strong[t.text] && !ix.weak[t.text] && !isNumber(t.text) {
				q.unknown++
				if !ordinary[t.word] {
					q.foreign++
				}
			}
		}
	}
	return q
}

// specific reports whether the question uses one of best's keyword words that is not an
// everyday word ("bleed", "downtime", "recover"): such a word puts a question on the subject
// even when it does not name it, where "week" or "time" would not.
func (q question) specific(best scored) bool {
	for _, t := range q.content {
		if ordinary[t.word] || ordinary[t.text] {
			continue
		}
		for _, kw := range best.d.keywords {
			for _, p := range kw.content {
				for _, w := range p {
					if w.text == t.text {
						return true
					}
				}
			}
		}
	}
	return false
}

// onTopic decides whether a question is about micro-needling at all. Naming the subject is
// enough; words like "roll" or "needle" are enough only when nothing else in the question is
// foreign to the guidance ("how do I roll sushi" is not about skin); a question that names
// nothing must be short or point back at the subject, use only words the guidance uses, and
// hit a keyword of its best entry.
func (q question) onTopic(best scored) bool {
	switch {
	case q.strong:
		return true
	case q.weak > 0:
		// A long question may carry a few words of its own ("the skincare aisle"), as long as
		// most of what it says is the guidance's vocabulary.
		known := len(q.distinct) - q.unknown
		return q.foreign <= 1 || 2*q.foreign <= known || (q.foreign == 2 && (best.strongHit || q.referent))
	default:
		short := maxShortQuery
		if best.strongHit {
			short++
		}
		return best.kwHit && q.foreign == 0 && (q.referent || len(q.distinct) <= short || q.specific(best))
	}
}

func (ix *index) search(text string) Result {
	q := ix.read(text)
	if len(q.distinct) == 0 {
		return Result{}
	}
	uncovered := false
	results := make([]scored, 0, len(ix.docs))
	for _, d := range ix.docs {
		s := scored{d: d}
		for _, kw := range d.keywords {
			if kw.matches(q.terms, q.content) {
				s.kwHit = true
				s.strongHit = s.strongHit || kw.strong
				s.score += kw.bonus
			}
		}
		if d.e.Kind == KindUncovered {
			uncovered = uncovered || s.kwHit
			continue
		}
		norm := 1 - bm25B + bm25B*d.length/ix.avgLen
		for _, t := range q.distinct {
			if tf := d.tf[t]; tf > 0 {
				s.score += ix.idf(t) * tf * (bm25K1 + 1) / (tf + bm25K1*norm)
			}
		}
		results = append(results, s)
	}
	sort.SliceStable(results, func(i, j int) bool { return results[i].score > results[j].score })
	best := results[0]
	known := float64(len(q.distinct) - q.foreign)
	conf := best.score * known / (known + unknownWeight*float64(q.foreign))
	if !uncovered && q.onTopic(best) {
		if conf >= minScore {
			return Result{Entry: best.d.e, Score: conf}
		}
		if q.foreign == 0 && best.kwHit && ix.onlySubject(q) {
			// A question that names only the subject ("microneedling?") asks what it is.
			return Result{Entry: best.d.e, Score: minScore}
		}
	}
	r := Result{Score: conf}
	for _, s := range results {
		if len(r.Suggestions) == maxSuggest || s.score <= 0 {
			break
		}
		if s.d.e.Command != "" {
			r.Suggestions = append(r.Suggestions, s.d.e)
		}
	}
	return r
}

// isLetter reports a single letter ("5x a week", "u"), which says nothing on its own.
func isLetter(s string) bool {
	return len(s) == 1 && s[0] >= 'a' && s[0] <= 'z'
}

func isNumber(s string) bool {
	return strings.Trim(s, "0123456789.") == ""
}

// onlySubject reports whether every content word of q names the subject.
func (ix *index) onlySubject(q question) bool {
	for _, t := range q.distinct {
		if !ix.strong[t] && !ix.weak[t] {
			return false
		}
	}
	return true
}

func contentOf(ts []term) []term {
	var out []term
	for _, t := range ts {
		if !t.stop {
			out = append(out, t)
		}
	}
	return out
}

// containsPhrase reports whether the analysed question holds phrase as a contiguous run.
func containsPhrase(q, phrase []term) bool {
	for i := 0; i+len(phrase) <= len(q); i++ {
		if q[i].text == phrase[0].text && slices.EqualFunc(q[i:i+len(phrase)], phrase, sameTerm) {
			return true
		}
	}
	return false
}
