// Package kb is needlebot's knowledge base: the answers it gives, written in the project's own
// words from the guidance, and the search that finds the right one for a question in plain
// words.
//
// # File format
//
// The knowledge base is one Markdown file (knowledge.md, embedded in the binary; an operator
// may point BOT_KB_FILE at their own). Text before the first "## " heading is free. Each entry
// starts with a heading holding its stable id, then field lines up to the first blank line,
// then the answer up to the next heading:
//
//	## needle-size
//	title: Needle size for home use
//	command: size
//	keywords: size, needle length, how long, mm
//	ask: what size needle should I use at home?
//	home-mm: 0.25
//	source: Kerry Benjamin, founder of StackedSkincare, as quoted in the guidance
//
//	For use at home: 0.25 mm needles. ...
//
// Answer lines are joined with spaces; a blank line starts a new paragraph.
//
// Fields:
//
//   - title: the heading shown with the answer (answers).
//   - command: the /needle topic name, e.g. "size" (answers; unique).
//   - kind: answer (the default), note, uncovered or vocabulary.
//   - keywords: comma-separated phrases that clearly mean the entry. "a & b" matches when
//     both a and b occur anywhere in the question. Filler words (just, really, so, ...) are
//     ignored by search, so lint rejects keywords that contain them.
//   - ask: an example question; repeat the field for more.
//   - source: where the facts come from (answers and notes).
//   - home-mm, per-week, ingredients: the facts the bot checks logged sessions against: the
//     home needle size, the most sessions a week, and the serum ingredients it praises.
//   - anchors, weak-anchors: in the vocabulary entry, the words that put a question on the
//     subject by themselves ("microneedling"), and subject words that have everyday meanings
//     too ("roll", "needle").
//
// Kinds:
//
//   - answer: searchable; with a command it is also a /needle topic.
//   - note: text the bot uses in its own replies, with {placeholders}: note-large-needle
//     ({mm}, {home}), note-over-week ({count}, {max}), note-good-serum ({serum}),
//     note-reminder ({count}, {max}), note-rest-night ({count}, {max}) and note-not-covered.
//     All six must exist.
//   - uncovered: a subject the guidance does not cover; a question matching one of its
//     keywords gets the honest "not covered" reply, never a guess.
//   - vocabulary: synonym lines "canonical: variant, variant" used by search.
//
// Parse reports every problem at once, each with its line; `bot kb lint` prints them.
//
// # Search
//
// Questions are normalised (lower case, accents folded, "0,25" read as 0.25), fillers are
// dropped, typos in words the knowledge base uses are corrected, words are stemmed and synonym
// phrases replaced by their canonical word. Entries are ranked by BM25 over their title,
// keywords, example questions and answer, plus a bonus for each keyword phrase found in the
// question. A question is answered only when it is on the subject (it names micro-needling, or
// uses subject words and nothing foreign to the guidance, or is short and points back at the
// subject: "does it hurt?"), matches no uncovered subject, and scores above a threshold.
// Otherwise the reply says the guidance does not cover it and suggests up to three topics.
package kb
