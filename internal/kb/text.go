package kb

import (
	"strings"
	"unicode"
)

// maxQueryBytes bounds the work one question can cause; longer input is cut at a rune boundary.
const maxQueryBytes = 2000

// Normalize turns free text into the lower-case word and number tokens that search works on:
// accents are folded, punctuation splits words, decimal commas become points ("0,25" and ".25"
// become "0.25"), a number glued to its unit is split ("0.25mm" becomes "0.25", "mm"), and
// apostrophes split contractions ("what's" becomes "what", "s"). Invalid UTF-8 is dropped.
func Normalize(s string) []string {
	if len(s) > maxQueryBytes {
		s = s[:maxQueryBytes] // a rune cut in half becomes invalid UTF-8, dropped below
	}
	var (
		tokens []string
		cur    strings.Builder
		digits bool // the token being built is a number
	)
	flush := func() {
		if cur.Len() == 0 {
			return
		}
		tok := cur.String()
		if digits {
			tok = strings.TrimRight(tok, ".")
			if strings.HasPrefix(tok, ".") {
				tok = "0" + tok
			}
		}
		if tok != "" {
			tokens = append(tokens, tok)
		}
		cur.Reset()
		digits = false
	}
	rs := []rune(strings.ToValidUTF8(s, " "))
	for i, r := range rs {
		r = fold(unicode.ToLower(r))
		switch {
		case r >= '0' && r <= '9':
			if cur.Len() > 0 && !digits {
				flush()
			}
			digits = true
			cur.WriteRune(r)
		case (r == '.' || r == ',') && i+1 < len(rs) && rs[i+1] >= '0' && rs[i+1] <= '9' &&
			(digits || cur.Len() == 0) && !strings.Contains(cur.String(), "."):
			// A decimal separator: "0.25", "0,25" and ".25" all mean the same length.
			digits = true
			cur.WriteByte('.')
		case r == '%':
			flush()
			tokens = append(tokens, "percent")
		case unicode.IsLetter(r):
			if digits {
				flush()
			}
			cur.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	return tokens
}

// fold maps common accented Latin letters to their plain form so "crème" matches "creme".
func fold(r rune) rune {
	if r < 0xB5 {
		return r
	}
	if f, ok := foldTable[r]; ok {
		return f
	}
	return r
}

var foldTable = func() map[rune]rune {
	m := make(map[rune]rune)
	for plain, accented := range map[rune]string{
		'a': "àáâãäåāăą", 'c': "çćĉċč", 'd': "ďđ", 'e': "èéêëēĕėęě", 'g': "ĝğġģ",
		'i': "ìíîïĩīĭįı", 'n': "ñńņňŉ", 'o': "òóôõöøōŏő", 'u': "ùúûüũūŭůűų",
		'y': "ýÿŷ", 's': "śŝşšß", 'z': "źżž", 'l': "ĺļľŀł", 'r': "ŕŗř", 't': "ţťŧ",
	} {
		for _, r := range accented {
			m[r] = plain
		}
	}
	m['µ'] = 'u'
	m['μ'] = 'u'
	return m
}()

// stem reduces an English word to a crude stem so that "rolling", "rolled" and "rolls" meet;
// it only has to be consistent between questions and entries, not linguistically right.
func stem(w string) string {
	if len(w) <= 3 || !isLetters(w) || unstemmed[w] {
		return w
	}
	for _, r := range []struct{ suffix, repl string }{
		{"ies", "y"}, {"ied", "y"}, {"ying", "y"}, {"sses", "ss"},
		{"fulness", ""}, {"ful", ""}, {"less", ""}, {"ness", ""}, {"ment", ""},
		{"ation", "ate"}, {"ings", ""}, {"ing", ""}, {"ed", ""}, {"ly", ""},
		{"es", "e"}, {"s", ""},
	} {
		if !strings.HasSuffix(w, r.suffix) {
			continue
		}
		base := w[:len(w)-len(r.suffix)] + r.repl
		if r.suffix == "s" && (strings.HasSuffix(w, "ss") || strings.HasSuffix(w, "us") || strings.HasSuffix(w, "is")) {
			break
		}
		if r.suffix == "ed" && strings.HasSuffix(w, "eed") {
			break // "bleed" and "need" are not past tenses
		}
		if len(base) < 3 || !hasVowel(base) {
			break
		}
		w = base
		if r.suffix == "ing" || r.suffix == "ings" || r.suffix == "ed" {
			w = undouble(w)
		}
		break
	}
	if len(w) > 4 && strings.HasSuffix(w, "e") {
		w = w[:len(w)-1]
	}
	return w
}

// unstemmed words would collide with unrelated stems ("evening" is not "even").
var unstemmed = setOf("evening", "morning", "during", "nothing", "something", "anything", "everything", "thing", "scared", "scary", "needling", "needled")

// undouble turns "stopp" into "stop" but leaves "roll", "press" and "buzz" alone.
func undouble(w string) string {
	n := len(w)
	if n >= 2 && w[n-1] == w[n-2] && !strings.ContainsRune("lsz", rune(w[n-1])) && !strings.ContainsRune("aeiou", rune(w[n-1])) {
		return w[:n-1]
	}
	return w
}

func hasVowel(w string) bool { return strings.ContainsAny(w, "aeiouy") }

func isLetters(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// fillers are dropped before anything else, so "what exactly is it" reads as "what is it".
var fillers = setOf(
	"so", "ok", "okay", "okey", "alright", "exactly", "actually", "really", "just", "basically", "literally",
	"totally", "seriously", "honestly", "honest", "truly", "super", "kinda", "sorta", "quite", "pretty", "bit", "little",
	"omg", "tho", "though", "lol", "lmao", "haha", "tbh", "imo", "idk", "pls", "plz", "please", "thanks", "thank",
	"hi", "hey", "hello", "ya", "um", "umm", "hmm", "well", "oh", "ah", "btw", "newbie",
	"im", "ive", "guys", "mate", "yeah", "yep", "sure", "maybe", "perhaps", "anyway", "also", "even", "still",
)

// stopwords carry no topic on their own; they are kept for matching phrases such as "how
// often" and "what is it", and left out of scoring.
var stopwords = setOf(
	"a", "an", "the", "i", "me", "my", "mine", "myself", "you", "your", "yours", "we", "us", "our",
	"it", "its", "this", "that", "these", "those", "there", "here", "they", "them", "their", "he", "she", "her", "his",
	"is", "are", "was", "were", "be", "been", "being", "am", "s", "t", "d", "ll", "re", "ve", "m",
	"do", "does", "did", "doing", "done", "have", "has", "had", "having", "get", "got", "gets", "getting",
	"can", "could", "should", "would", "will", "shall", "may", "might", "must", "fine",
	"to", "of", "for", "and", "or", "but", "if", "in", "on", "at", "by", "from", "into", "onto", "up", "down", "out",
	"about", "as", "than", "then", "too", "very", "any", "some", "all", "ever", "every",
	"what", "whats", "which", "whom", "not", "no", "yes", "don", "dont", "doesn",
	"isn", "aren", "won", "wont", "cant", "shouldn", "wouldn", "couldn", "didn",
	"u", "ur", "r", "y", "like", "much", "many", "more", "most", "use", "using", "used", "uses",
	"try", "trying", "want", "wanna", "need", "know", "tell", "say", "said",
	"thing", "things", "stuff", "one", "ones", "something", "with", "after", "before",
	"told", "heard", "saw", "seen", "tried", "started", "start", "starting", "think", "thinking", "wonder", "wondering",
	"curious", "guess", "mean", "means", "wanted", "read", "asking", "ask", "question", "quick",
	"own", "same", "other", "another", "such", "only", "again", "never", "always", "often", "way", "ways",
	"go", "going", "gonna", "make", "makes", "made", "making", "take", "takes", "put", "let", "good", "bad", "best",
	"face", "skin", "someone", "people", "person", "anyone", "lot", "lots", "alot", "now", "right", "today", "new",
)

// ordinary words are everyday words that say nothing about a question's subject; when the
// knowledge base does not use one, it is not taken as a sign that the question is about
// something else (the way "sushi" in "how do I roll sushi" is).
var ordinary = setOf(
	"add", "adding", "buy", "buying", "bought", "pick", "choose", "get", "give", "giving", "gave", "look", "looking",
	"looks", "see", "seeing", "work", "works", "worked", "working", "better", "worse", "best", "worst", "low", "high",
	"big", "small", "tiny", "huge", "mess", "messy", "particular", "specific", "different", "same", "certain", "kind",
	"type", "sort", "number", "numbers", "box", "own", "nice", "great", "awesome", "cool", "weird", "strange", "normal",
	"worth", "worthwhile", "kids", "kid", "bed", "finally", "colour", "color", "day", "days", "month", "months", "year",
	"years", "love", "loved", "hate", "bump", "change", "changes", "changed", "deep", "inside", "outside", "apply",
	"applying", "stop", "stopping", "round", "around", "plain", "english", "friend", "understand", "explain",
	"explained", "job", "noon", "afternoon", "morning", "tonight", "tomorrow", "yesterday", "week", "weekend",
	"saturday", "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "hour", "hours", "minute", "minutes",
	"long", "short", "little", "lot", "enough", "too", "much", "more", "less", "least", "most", "first", "last",
	"next", "time", "times", "once", "twice", "again", "already", "yet", "soon", "later", "early", "late", "ago",
	"happen", "happens", "happened", "help", "helps", "helped", "helping", "feel", "feels", "felt", "sound", "sounds",
	"seem", "seems", "seemed", "keep", "keeps", "kept", "leave", "leaves", "left", "come", "comes", "came", "went",
	"goes", "doing", "did", "done", "do", "able", "allowed", "possible", "impossible", "okay", "safe", "true", "false",
	"real", "actual", "fake", "right", "wrong", "sure", "unsure", "idea", "ideas", "point", "reason", "reasons",
	"thing", "things", "bit", "part", "whole", "full", "half", "top", "bottom", "side", "sides", "area", "areas",
	"place", "home", "house", "myself", "yourself", "own", "everyone", "everybody", "anybody", "nobody", "somebody",
	"friend", "friends", "sister", "mum", "mom", "mother", "dad", "wife", "husband", "girlfriend", "boyfriend",
	"tolerance", "threshold", "wonder", "wondering", "confused", "confusing", "clear", "unclear", "simple", "easy",
	"hard", "difficult", "quick", "slow", "fast", "quickly", "slowly", "properly", "correctly", "regularly", "usually",
	"sometimes", "ok", "fine", "bad", "good", "nice", "pointless", "useless", "useful", "necessary", "needed",
	"overdo", "bother", "bothering", "matter", "matters", "question", "questions", "answer", "answers", "mind",
	"care", "worry", "worried", "happy", "sad", "excited", "start", "started", "begin", "beginning", "end", "finish",
	"finished", "continue", "keep", "plan", "planning", "supposed", "expect", "expected", "result", "results",
	"difference", "effect", "effects", "effective", "benefit", "benefits", "improve", "improves", "improvement",
	"giving", "given", "taking", "took", "hold", "holding", "send", "share", "show", "shows", "bring", "carry",
	"without", "within", "between", "through", "over", "under", "across", "inside", "onto", "behind", "beside",
	"random", "someone", "something", "anything", "everything", "nothing", "else", "other", "others",
	"tiktok", "instagram", "youtube", "internet", "online", "reddit", "google", "video", "videos", "post", "app",
	"plain", "exact", "slot", "fit", "fits", "mine", "red", "pink", "white", "dark", "look", "looks", "looking",
	"number", "scale", "rate", "really", "pro", "proper", "supposed", "kinda", "anyway", "worth", "fine", "thing",
	"beforehand", "afterwards", "later", "tonight", "morning", "evening", "week", "weeks", "daily", "recommend",
	"recommended", "suggest", "suggested", "advice", "tip", "tips", "question", "safe", "okay", "enough",
	"fight", "prevent", "stop", "slow", "reduce", "boost", "increase", "decrease", "lower", "raise", "avoid",
	"year", "years", "month", "time", "times", "sleep", "night", "nights", "day", "days", "hour", "minutes",
	"best", "better", "worse", "way", "ways", "choice", "option", "options", "special", "particular",
	"hear", "hearing", "heard", "keep", "keeps", "skeptical", "sceptical", "legit", "hype", "hyped", "scam",
	"gimmick", "marketing", "trust", "believe", "credible", "reliable", "true", "real", "actual", "really",
	"term", "terms", "word", "words", "kind", "sort", "standing", "shopping", "shop", "store", "aisle", "label",
	"listed", "list", "spend", "spending", "fortune", "money", "first", "totally", "whole", "entire", "appear",
	"appears", "ahead", "stay", "staying", "forehead", "cheeks", "skincare", "routine", "seem", "seems", "sit",
)

// referents point back at the subject of the conversation ("does it hurt?").
var referents = setOf("it", "this", "that", "them", "these")

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
