package kb

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// The classifier is a multinomial logistic regression over sparse features of a message: its
// words (stemmed, with the vocabulary's synonyms mapped to their canonical word), pairs of
// adjacent words, the character n-grams of each word (they carry the typos and abbreviations
// people write), and the shape of each number (a needle length at, above or below the home
// size). It is trained from every entry's examples. The subjects the guidance does not cover,
// off-topic messages, reports of a skin reaction and small talk are classes of their own, so
// "not covered" is learned like any answer rather than inferred from a low score alone.
//
// A word the classifier never saw in training becomes one "unknown" term. Because a question
// about something else is mostly words the answers never use, every example of a declined
// class is also taught with those words unknown, and some answer examples with one word
// unknown; the model learns from that how much an unseen word counts against answering.

// trainOptions are the classifier's hyper-parameters, chosen by cross-validation over question
// sets written by different people (docs/benchmarks.md).
type trainOptions struct {
	epochs  int     // passes over the examples
	rate    float64 // AdaGrad learning rate
	unkRate float64 // share of answer examples also taught with one word unknown
	rareDF  float32 // every example is also taught with its words this rare made unknown (0: not)
	smooth  float64 // label smoothing: the share of each target spread over all classes
	l2      float64 // weight decay, applied to the weights an example updates
	seed    uint64  // varies the order of the examples
	word    float64 // weight of a word feature, before the vector is normalised
	pair    float64 // ... of a pair of adjacent words
	char    float64 // ... of a character n-gram
	shape   float64 // ... of a number's shape
	minN    int     // shortest character n-gram
	maxN    int     // longest character n-gram
}

var defaultTrain = trainOptions{
	epochs: 30, rate: 0.5, unkRate: 0.3, rareDF: 2, l2: 1e-4,
	word: 1, pair: 0.6, char: 0.35, shape: 1,
	minN: 3, maxN: 5,
}

// unknown stands for every word the classifier never saw in training.
const unknown = "<unk>"

// group says what a class is to training and to the decision: an answer, a subject the bot
// declines (not covered, off-topic), or something handled apart (a reaction, small talk).
type group uint8

const (
	groupAnswer group = iota
	groupDecline
	groupOther
)

// feature is one non-zero entry of a message's feature vector.
type feature struct {
	id uint64
	v  float32
}

// featurizer turns text into features; it needs the vocabulary's synonyms and the home size.
type featurizer struct {
	synonyms map[string]string // stemmed variant sequence -> canonical term
	maxSyn   int               // the longest variant, in words
	homeMM   float64
	opt      trainOptions
}

func newFeaturizer(synonyms map[string]string, homeMM float64, opt trainOptions) *featurizer {
	f := &featurizer{synonyms: map[string]string{}, homeMM: homeMM, opt: opt}
	for key, canon := range synonyms {
		f.addSynonym(key, canonicalTerm(canon))
	}
	for _, canon := range synonyms {
		// A canonical word means itself, unless it is also another canonical's variant.
		if _, taken := f.synonyms[synonymKey(canon)]; !taken {
			f.addSynonym(synonymKey(canon), canonicalTerm(canon))
		}
	}
	return f
}

func canonicalTerm(canon string) string {
	return strings.Join(Normalize(canon), "_")
}

func (f *featurizer) addSynonym(key, canon string) {
	if key == "" {
		return
	}
	f.synonyms[key] = canon
	f.maxSyn = max(f.maxSyn, strings.Count(key, " ")+1)
}

// terms returns the words as the classifier sees them: stemmed, with synonym phrases
// replaced by their canonical term, longest phrase first.
func (f *featurizer) terms(words []string) []string {
	stems := make([]string, len(words))
	for i, w := range words {
		stems[i] = stem(w)
	}
	out := make([]string, 0, len(stems))
	var key []byte
	for i := 0; i < len(stems); {
		matched := false
		for n := min(f.maxSyn, len(stems)-i); n >= 1; n-- {
			key = key[:0]
			for j, st := range stems[i : i+n] {
				if j > 0 {
					key = append(key, ' ')
				}
				key = append(key, st...)
			}
			if canon, ok := f.synonyms[string(key)]; ok {
				out = append(out, canon)
				i += n
				matched = true
				break
			}
		}
		if !matched {
			out = append(out, stems[i])
			i++
		}
	}
	return out
}

// FNV-1a, inline: features are hashed as they are built, without allocating their names.
const (
	fnvOffset uint64 = 14695981039346656037
	fnvPrime  uint64 = 1099511628211
)

func hashString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

var (
	seedWord  = hashString(fnvOffset, "w|")
	seedPair  = hashString(fnvOffset, "b|")
	seedChar  = hashString(fnvOffset, "c|")
	seedShape = hashString(fnvOffset, "s|")
)

// vector builds the normalised feature vector of a message from its words and terms.
func (f *featurizer) vector(words, terms []string) []feature {
	acc := make(map[uint64]float32, 8*len(words)+2*len(terms))
	prev := "^"
	for _, t := range terms {
		acc[hashString(seedWord, t)] += float32(f.opt.word)
		acc[hashString(hashString(hashString(seedPair, prev), " "), t)] += float32(f.opt.pair)
		prev = t
		if sh := f.shape(t); sh != "" {
			acc[hashString(seedShape, sh)] += float32(f.opt.shape)
		}
	}
	if len(terms) > 0 {
		acc[hashString(hashString(hashString(seedPair, prev), " "), "$")] += float32(f.opt.pair)
	}
	for _, w := range words {
		if isNumber(w) {
			continue
		}
		rs := []rune("<" + w + ">")
		for n := f.opt.minN; n <= f.opt.maxN; n++ {
			for i := 0; i+n <= len(rs); i++ {
				acc[hashString(seedChar, string(rs[i:i+n]))] += float32(f.opt.char)
			}
		}
	}
	out := make([]feature, 0, len(acc))
	var norm float64
	for id, v := range acc {
		out = append(out, feature{id, v})
		norm += float64(v) * float64(v)
	}
	if norm > 0 {
		inv := float32(1 / math.Sqrt(norm))
		for i := range out {
			out[i].v *= inv
		}
	}
	return out
}

// shape names what a number means to the guidance: a needle length at, above or below the
// home size, a small count ("5 times", "2x"), or another number.
func (f *featurizer) shape(t string) string {
	if t == "" || !isNumber(t) {
		return ""
	}
	x, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return ""
	}
	switch {
	case strings.Contains(t, ".") && x > 0 && x <= 3:
		switch {
		case math.Abs(x-f.homeMM) < 1e-9:
			return "mm-home"
		case x > f.homeMM:
			return "mm-longer"
		}
		return "mm-shorter"
	case x >= 1 && x <= 14:
		return "count"
	}
	return "number"
}

func isNumber(s string) bool {
	return s != "" && strings.Trim(s, "0123456789.") == ""
}

// example is one labelled training text.
type example struct {
	text  string
	class int
}

// termStats is what training says about one term: how many examples use it, and how many
// of those are examples of answers.
type termStats struct {
	df, answer float32
}

// model is a trained classifier.
type model struct {
	classes int
	terms   map[string]termStats // every term seen in training
	rows    map[uint64]int32     // feature -> its row of w
	w       []float32            // len(rows) × classes
	bias    []float32
}

// train fits the model with AdaGrad on the cross-entropy loss. Shuffling uses a fixed seed, so
// the same examples always give the same model.
func train(f *featurizer, exs []example, groups []group, opt trainOptions) *model {
	classes := len(groups)
	m := &model{classes: classes, terms: map[string]termStats{}, rows: map[uint64]int32{}}
	type analysed struct {
		words, terms []string
		class        int
	}
	all := make([]analysed, 0, 2*len(exs))
	for _, ex := range exs {
		words := Normalize(ex.text)
		terms := f.terms(words)
		seen := map[string]bool{}
		for _, t := range terms {
			if seen[t] {
				continue
			}
			seen[t] = true
			s := m.terms[t]
			s.df++
			if groups[ex.class] == groupAnswer {
				s.answer++
			}
			m.terms[t] = s
		}
		all = append(all, analysed{words, terms, ex.class})
	}
	rng := rand.New(rand.NewPCG(1, 2+opt.seed))
	for _, a := range all[:len(all):len(all)] {
		terms := append([]string(nil), a.terms...)
		changed := false
		switch {
		case groups[a.class] == groupDecline:
			for i, t := range terms {
				if m.terms[t].answer == 0 && !isNumber(t) {
					terms[i], changed = unknown, true
				}
			}
		case len(terms) >= 3 && rng.Float64() < opt.unkRate:
			terms[rng.IntN(len(terms))], changed = unknown, true
		}
		if changed {
			all = append(all, analysed{a.words, terms, a.class})
		}
		if opt.rareDF > 0 {
			// Words this rare in training stand for the words nobody has written yet.
			terms := append([]string(nil), a.terms...)
			changed := false
			for i, t := range terms {
				if s := m.terms[t]; s.df <= opt.rareDF && !isNumber(t) {
					terms[i], changed = unknown, true
				}
			}
			if changed {
				all = append(all, analysed{a.words, terms, a.class})
			}
		}
	}
	type entry struct {
		row int32
		v   float32
	}
	vecs := make([][]entry, len(all))
	labels := make([]int, len(all))
	for i, a := range all {
		fs := f.vector(a.words, a.terms)
		vecs[i] = make([]entry, len(fs))
		for j, ft := range fs {
			r, ok := m.rows[ft.id]
			if !ok {
				r = int32(len(m.rows))
				m.rows[ft.id] = r
			}
			vecs[i][j] = entry{r, ft.v}
		}
		labels[i] = a.class
	}
	m.w = make([]float32, len(m.rows)*classes)
	g2 := make([]float32, len(m.w))
	m.bias = make([]float32, classes)
	bg2 := make([]float32, classes)
	order := make([]int, len(vecs))
	for i := range order {
		order[i] = i
	}
	p := make([]float64, classes)
	gs := make([]float32, classes)
	active := make([]int, 0, classes)
	rate := float32(opt.rate)
	for range opt.epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			x := vecs[i]
			for c := range p {
				p[c] = float64(m.bias[c])
			}
			for _, e := range x {
				for c, wc := range m.w[int(e.row)*classes:][:classes] {
					p[c] += float64(wc * e.v)
				}
			}
			softmax(p)
			// The loss's gradient with respect to each class's score, against targets smoothed
			// by opt.smooth.
			if opt.smooth > 0 {
				for c := range p {
					p[c] -= opt.smooth / float64(classes)
				}
				p[labels[i]] -= 1 - opt.smooth
			} else {
				p[labels[i]] -= 1
			}
			active = active[:0]
			for c, pc := range p {
				g := float32(pc)
				if g < minGradient && g > -minGradient {
					continue // a class this example says almost nothing about
				}
				gs[c] = g
				active = append(active, c)
				bg2[c] += g * g
				m.bias[c] -= rate * g / (float32(math.Sqrt(float64(bg2[c]))) + 1e-8)
			}
			for _, e := range x {
				base := int(e.row) * classes
				ws, hs := m.w[base:][:classes], g2[base:][:classes]
				for _, c := range active {
					gw := gs[c]*e.v + float32(opt.l2)*ws[c]
					hs[c] += gw * gw
					ws[c] -= rate * gw / (float32(math.Sqrt(float64(hs[c]))) + 1e-8)
				}
			}
		}
	}
	return m
}

// minGradient is the smallest gradient on a class's score that training still applies;
// skipping the rest is most of training's speed.
const minGradient = 1e-3

// analyse returns a message's words and its terms, with the words training never saw made
// unknown.
func (m *model) analyse(f *featurizer, text string) (words, terms []string) {
	words = Normalize(text)
	terms = f.terms(words)
	for i, t := range terms {
		if _, ok := m.terms[t]; !ok && !isNumber(t) {
			terms[i] = unknown
		}
	}
	return words, terms
}

// predict returns the probability of each class for a feature vector.
func (m *model) predict(x []feature) []float64 {
	p := make([]float64, m.classes)
	for c := range p {
		p[c] = float64(m.bias[c])
	}
	for _, ft := range x {
		r, ok := m.rows[ft.id]
		if !ok {
			continue
		}
		for c, wc := range m.w[int(r)*m.classes:][:m.classes] {
			p[c] += float64(wc * ft.v)
		}
	}
	softmax(p)
	return p
}

func softmax(p []float64) {
	mx := math.Inf(-1)
	for _, v := range p {
		mx = max(mx, v)
	}
	var sum float64
	for i, v := range p {
		p[i] = math.Exp(v - mx)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
}
