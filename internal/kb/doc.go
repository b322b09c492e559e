// Package kb is needlebot's knowledge base and the reading of what people write: the answers
// it gives, written in the project's own words from the guidance, and a classifier that tells
// which of them a message needs, or that it needs none of them.
//
// # Files
//
// The knowledge base is one Markdown file (knowledge.md, embedded in the binary; an operator
// may point BOT_KB_FILE at their own) and a file of further examples (examples.md, embedded).
// Text before the first "## " heading is free. Each entry starts with a heading holding its
// stable id, then field lines up to the first blank line, then its reply up to the next
// heading:
//
//	## needle-size
//	title: Needle size for home use
//	command: size
//	facts: 9, 12
//	home-mm: 0.25
//	source: Kerry Benjamin, founder of StackedSkincare, as quoted in the guidance
//	ask: what size needle should I use at home?
//
//	For use at home: 0.25 mm needles. ...
//
// Reply lines are joined with spaces; a blank line starts a new paragraph.
//
// Fields:
//
//   - title: the heading shown with the reply.
//   - command: the /needle topic name, e.g. "size" (answers; unique).
//   - kind: answer (the default), uncovered, offtopic, safety, chat, diary, note, vocabulary or
//     products.
//   - ask: an example of a message the entry is the reply to; repeat the field for more.
//   - keywords: comma-separated short phrases, taught like examples. Lint rejects one that is
//     an everyday word (everyday.txt) or a bare number, which would pull ordinary messages in.
//   - facts: which of the guidance's numbered facts (shared/guidance/README.md) the answer
//     states; the held-out tests count an answer right when it states the fact asked for.
//   - source: where the facts come from ("needlebot" for the bot's own texts, which show none).
//   - home-mm, per-week, ingredients: the facts the bot checks logged sessions against: the
//     home needle size, the most sessions a week, and the serum ingredients it praises. Each
//     ingredient must be the name of a product (below), or the file does not load: the bot
//     praises a session by the names the diary logged.
//
// Kinds:
//
//   - answer: an answer from the guidance; with a command it is also a /needle topic.
//   - uncovered: what the guidance does not cover; its text is the honest decline. At least one.
//   - offtopic: messages about something else entirely; its text says so.
//   - safety: reports of a skin reaction; its text is the safety reply. Exactly one.
//   - chat: small talk (hello, thanks, what is this bot, another language, unclear).
//   - diary: the user telling the bot about a session, for the diary to read.
//   - note: text the bot uses in its own replies, with {placeholders}: note-large-needle
//     ({mm}, {home}), note-over-week ({count}, {max}), note-good-serum ({serum}),
//     note-reminder ({needle}, {count}, {max}) and note-rest-night ({count}, {max}). All five must exist.
//   - vocabulary: synonym lines "canonical: variant, variant": words the features read alike.
//   - products: what the diary recognises in a session report, exactly one entry, a line per
//     product: "name: synonym, synonym", or the name alone. The name is how a session logs it
//     and replies show it ("vitamin C"); the diary matches the name and the synonyms in any
//     case and with accents or without, so no two products may share a spelling. The entry
//     is handed to the diary (KB.Products); the classifier does not read it.
//
// examples.md holds most of the examples: "## id" headings, then one example a line, grouped
// under "# writer: NAME" comments that say who wrote them. Examples are matched to entries
// by id, so a file derived from the built-in one keeps the built-in examples of the entries it
// keeps. An example given twice, or to two entries, is a problem. Parse reports every problem
// at once, each with its line; `bot kb lint` prints them.
//
// # Reading a message
//
// A multinomial logistic regression, trained from every entry's examples, scores each entry
// over the message's words (stemmed, with the vocabulary's synonyms mapped), pairs of adjacent
// words, character 3- to 5-grams of each word (typos, abbreviations) and the shape of numbers
// (a needle length at, above or below the home size). A word never seen in training is one
// unknown term; examples of declined entries are also taught with their foreign words made
// unknown, and every example with its rarest words unknown, so the model learns what an unseen
// word counts for. Then, in order: a reaction probable enough gets the safety reply; the best
// entry answers when it is an answer clear enough on its own and, all answers together, clear
// enough against everything else; an uncovered or off-topic entry declines; small talk gets
// its reply; anything else is unsure. A message that divides at a question mark or a
// conjunction into two clauses that each read clearly and differently gets a result for each.
//
// The features, training options and thresholds were chosen by cross-validation, holding out
// one writer of examples.md at a time (cv_test.go), and never on the frozen held-out sets in
// testdata/frozen, whose scores the tests only report.
//
// # The built-in model
//
// Training takes about two seconds, so the built-in files' model is trained ahead of time into
// model.bin (`go test ./internal/kb -update`), weights rounded to one byte each, and loaded in
// milliseconds; TestModelUpToDate fails while it is stale. Any other file is trained when it
// is loaded.
package kb
