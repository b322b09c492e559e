package diary

import (
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the DST tests must not depend on the machine's zoneinfo

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/kb"
	"github.com/needlebot/needlebot/internal/spell"
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

// berlinNow is the fixed "now" of the tables: Saturday 2026-11-28, 22:15 in Berlin.
func berlinNow(t testing.TB) time.Time {
	t.Helper()
	return time.Date(2026, 11, 28, 22, 15, 0, 0, mustLoad(t, "Europe/Berlin"))
}

// sessionOpts treats nil and empty lists alike; time.Time is compared with Equal.
var sessionOpts = cmpopts.EquateEmpty()

func TestRead(t *testing.T) {
	now := berlinNow(t)
	loc := now.Location()
	at := func(mo time.Month, d, h, mi int) time.Time { return time.Date(2026, mo, d, h, mi, 0, 0, loc) }
	report := func(s domain.Session) Result {
		if s.At.IsZero() {
			s.At = now
		}
		return Result{Kind: Report, Session: s}
	}
	ambiguous := func(reason string) Result { return Result{Kind: Ambiguous, Reason: reason} }
	question := Result{Kind: Question}
	withQuestion := func(r Result, q string) Result { r.Question = q; return r }
	other := Result{Kind: Other}
	sizeProblem := func(lit string) Result {
		return ambiguous(lit + " is not a needle length I can log: home rollers are 0.2–3 mm (the guidance suggests 0.25 mm).")
	}

	tests := []struct {
		name string
		text string
		want Result
	}{
		// Reports from the brief.
		{"brief peptide tonight", "rolled 0.25 tonight with my peptide serum", report(domain.Session{NeedleMM: 0.25, Products: []string{"peptides"}})},
		{"brief size plus product no verb", "0.5mm + hyaluronic acid last night", report(domain.Session{At: at(11, 27, 21, 0), NeedleMM: 0.5, Products: []string{"hyaluronic acid"}})},
		{"brief did my session areas", "did my dermaroller session, forehead and cheeks", report(domain.Session{Areas: []string{"forehead", "cheeks"}})},
		{"brief done HA", "Done! 0.25 with HA serum", report(domain.Session{NeedleMM: 0.25, Products: []string{"hyaluronic acid"}})},
		// Verbs and phrasings.
		{"just dermarolled emoji", "just dermarolled 🙂", report(domain.Session{})},
		{"typo rolld", "rolld 0.25 yesterday at 10pm", report(domain.Session{At: at(11, 27, 22, 0), NeedleMM: 0.25})},
		{"typo rolked", "rolked 0.25 last night", report(domain.Session{At: at(11, 27, 21, 0), NeedleMM: 0.25})},
		{"typo dermaroled", "dermaroled my cheeks", report(domain.Session{Areas: []string{"cheeks"}})},
		{"typo microneedeled", "microneedeled forehead", report(domain.Session{Areas: []string{"forehead"}})},
		{"dermarolled", "dermarolled forehead 0.25mm", report(domain.Session{NeedleMM: 0.25, Areas: []string{"forehead"}})},
		{"derma-rolled brand serum note", "derma-rolled my whole face with The Ordinary serum, felt great",
			report(domain.Session{Products: []string{"The Ordinary serum"}, Areas: []string{"face"}, Note: "felt great"})},
		{"derma rolled two words", "derma rolled 0.3mm with snail mucin + niacinamide, chin and nose",
			report(domain.Session{NeedleMM: 0.3, Products: []string{"snail mucin", "niacinamide"}, Areas: []string{"chin", "nose"}})},
		{"micro-needled later time stays in note", "micro-needled neck last night, a bit red this morning",
			report(domain.Session{At: at(11, 27, 21, 0), Areas: []string{"neck"}, Note: "a bit red this morning"})},
		{"micro needled accents", "micro needled my décolleté and neck w/ copper peptides",
			report(domain.Session{Products: []string{"peptides"}, Areas: []string{"décolletage", "neck"}})},
		{"used my roller", "used my roller on my scalp with minoxidil", report(domain.Session{Products: []string{"minoxidil"}, Areas: []string{"scalp"}})},
		{"session done tick", "session done ✅ 0.25 cheeks", report(domain.Session{NeedleMM: 0.25, Areas: []string{"cheeks"}})},
		{"roll done asks whether it was skin", "roll done ✅", ambiguous("Did you roll your skin just now? Send /log to log it.")},
		{"just finished my session", "just finished my session", report(domain.Session{})},
		{"finished rolling", "finished rolling, neck and jaw", report(domain.Session{Areas: []string{"neck", "jawline"}})},
		{"did my face", "did my face", report(domain.Session{Areas: []string{"face"}})},
		{"did 2 sessions is no size", "did 2 sessions at 9pm", report(domain.Session{At: at(11, 28, 21, 0)})},
		{"present perfect", "I've rolled 0.25 tonight", report(domain.Session{NeedleMM: 0.25})},
		{"shouting", "ROLLED 0.5MM", report(domain.Session{NeedleMM: 0.5})},
		{"emoji around", "✨ rolled 0.25 ✨ glowing", report(domain.Session{NeedleMM: 0.25, Note: "glowing"})},
		{"terse sentences", "Rolled. Face + neck. 0.25. Felt fine", report(domain.Session{NeedleMM: 0.25, Areas: []string{"face", "neck"}, Note: "Felt fine"})},
		{"later plans stay in note", "rolled 0.25 last night, will do again on friday", report(domain.Session{At: at(11, 27, 21, 0), NeedleMM: 0.25, Note: "will do again on friday"})},
		{"long report", "I rolled my 0.25 roller all over my face and neck, stung a bit on forehead but fine now",
			report(domain.Session{NeedleMM: 0.25, Areas: []string{"face", "neck", "forehead"}, Note: "stung a bit, fine"})},
		{"no redness is not negation", "rolled 0.25, no redness after rolling", report(domain.Session{NeedleMM: 0.25, Note: "no redness"})},
		{"leading no redness", "No redness after rolling 0.25 last night", report(domain.Session{At: at(11, 27, 21, 0), NeedleMM: 0.25, Note: "No redness"})},
		{"session word after size", "did a 0.25 session at 8:30pm with Niacinamide 10% + zinc serum",
			report(domain.Session{At: at(11, 28, 20, 30), NeedleMM: 0.25, Products: []string{"niacinamide", "zinc serum"}})},
		{"filler afterwards", "Just dermarolled 0.25mm, used copper peptides afterwards", report(domain.Session{NeedleMM: 0.25, Products: []string{"peptides"}})},
		{"ok kept at the end", "rolled 0.25, felt ok", report(domain.Session{NeedleMM: 0.25, Note: "felt ok"})},
		{"stretch marks kept", "rolled 0.5mm on stretch marks on thighs", report(domain.Session{NeedleMM: 0.5, Areas: []string{"body"}, Note: "stretch marks"})},
		// Reports without a verb: a size and something else.
		{"size tonight", "0.25 tonight", report(domain.Session{NeedleMM: 0.25})},
		{"size area", "0.25 forehead", report(domain.Session{NeedleMM: 0.25, Areas: []string{"forehead"}})},
		{"size product", "0.25 peptides", report(domain.Session{NeedleMM: 0.25, Products: []string{"peptides"}})},
		{"size last night", "0.5mm last night", report(domain.Session{At: at(11, 27, 21, 0), NeedleMM: 0.5})},
		{"size time product", "0.25 at 9pm with peptides", report(domain.Session{At: at(11, 28, 21, 0), NeedleMM: 0.25, Products: []string{"peptides"}})},
		{"days ago first", "2 days ago: 0.5 mm on the jawline with retinal",
			report(domain.Session{At: at(11, 26, 21, 0), NeedleMM: 0.5, Products: []string{"retinol"}, Areas: []string{"jawline"}})},
		// Needle sizes.
		{"size 1.5 mm", "Rolled 1.5 mm on my forehead 😊", report(domain.Session{NeedleMM: 1.5, Areas: []string{"forehead"}})},
		{"size hyphen mm", "rolled 0.25-mm", report(domain.Session{NeedleMM: 0.25})},
		{"size mm needle", "rolled 0.25mm needle", report(domain.Session{NeedleMM: 0.25})},
		{"size micro sign", "rolled 250µm", report(domain.Session{NeedleMM: 0.25})},
		{"size um", "rolled 250um cheeks", report(domain.Session{NeedleMM: 0.25, Areas: []string{"cheeks"}})},
		{"size microns", "rolled 250 microns on monday night", report(domain.Session{At: at(11, 23, 21, 0), NeedleMM: 0.25})},
		{"size whole mm", "rolled 1mm", report(domain.Session{NeedleMM: 1})},
		{"size leading dot", "rolled .25 with my serum", report(domain.Session{NeedleMM: 0.25, Products: []string{"serum"}})},
		{"size leading comma", "rolled ,25 forehead", report(domain.Session{NeedleMM: 0.25, Areas: []string{"forehead"}})},
		{"size comma mm", "rolled 0,25mm with stem cells and vit c on under-eyes and upper lip",
			report(domain.Session{NeedleMM: 0.25, Products: []string{"stem cells", "vitamin C"}, Areas: []string{"under-eyes", "upper lip"}})},
		{"size comma 2,5", "rolled 2,5mm on scalp with minoxidil", report(domain.Session{NeedleMM: 2.5, Products: []string{"minoxidil"}, Areas: []string{"scalp"}})},
		{"size comma spaced mm", "rolled 1,5 mm scalp", report(domain.Session{NeedleMM: 1.5, Areas: []string{"scalp"}})},
		{"size whole next to needle", "dermarolled with 0.5 needle + PRP on the hands", report(domain.Session{NeedleMM: 0.5, Products: []string{"PRP"}, Areas: []string{"hands"}})},
		{"size 1 needle", "rolled with my 1 needle", report(domain.Session{NeedleMM: 1})},
		{"percent is no size", "rolled 10% vitamin c 0.25", report(domain.Session{NeedleMM: 0.25, Products: []string{"vitamin C"}})},
		{"decimal percent is no size", "rolled 0.5% retinol 0.25", report(domain.Session{NeedleMM: 0.25, Products: []string{"retinol"}})},
		{"hours are no size", "dermarolled 1.5 hours after shower", report(domain.Session{Note: "1.5 hours after shower"})},
		{"d.m. size not date", "rolled 1.5.", report(domain.Session{NeedleMM: 1.5})},
		{"body areas dedupe", "rolled, 0.25, arms and legs", report(domain.Session{NeedleMM: 0.25, Areas: []string{"body"}})},
		// Time phrases.
		{"this morning", "rolled 0.25 this morning", report(domain.Session{At: at(11, 28, 8, 0), NeedleMM: 0.25})},
		{"nov 20", "rolled 0.5 on nov 20", report(domain.Session{At: at(11, 20, 21, 0), NeedleMM: 0.5})},
		{"slash date", "rolled 0.25 on 20/11", report(domain.Session{At: at(11, 20, 21, 0), NeedleMM: 0.25})},
		{"iso date and time", "rolled 0.25 on 2026-11-20 at 21:30", report(domain.Session{At: at(11, 20, 21, 30), NeedleMM: 0.25})},
		{"dot date", "dermarolled 20.11.", report(domain.Session{At: at(11, 20, 21, 0)})},
		{"dot date with year", "dermarolled on 27.11.2026", report(domain.Session{At: at(11, 27, 21, 0)})},
		{"day month name", "dermarolled 20 november", report(domain.Session{At: at(11, 20, 21, 0)})},
		{"month abbrev ordinal", "dermarolled nov. 20th", report(domain.Session{At: at(11, 20, 21, 0)})},
		{"the 20th of", "dermarolled on the 20th of november", report(domain.Session{At: at(11, 20, 21, 0)})},
		{"date later this year is last year", "dermarolled 20/12", report(domain.Session{At: time.Date(2025, 12, 20, 21, 0, 0, 0, loc)})},
		{"today's date", "rolled 0.25 on 28/11", report(domain.Session{At: at(11, 28, 21, 0), NeedleMM: 0.25})},
		{"may as month", "may 20 rolled 0.25", report(domain.Session{At: at(5, 20, 21, 0), NeedleMM: 0.25})},
		{"yesterday clock", "rolled 0.25 yesterday 22:30", report(domain.Session{At: at(11, 27, 22, 30), NeedleMM: 0.25})},
		{"yday abbreviation", "rolled yday w tret", report(domain.Session{At: at(11, 27, 21, 0), Products: []string{"retinol"}})},
		{"last night bare hour is pm", "rolled 0.25 last night at 10", report(domain.Session{At: at(11, 27, 22, 0), NeedleMM: 0.25})},
		{"last night after midnight", "rolled 0.25 last night at 1am", report(domain.Session{At: at(11, 28, 1, 0), NeedleMM: 0.25})},
		{"last night 24h clock", "rolled 0.25 last night at 23:30", report(domain.Session{At: at(11, 27, 23, 30), NeedleMM: 0.25})},
		{"clock only earlier today", "dermarolled at 9.30pm", report(domain.Session{At: at(11, 28, 21, 30)})},
		{"clock only yesterday", "dermarolled at 11pm", report(domain.Session{At: at(11, 27, 23, 0)})},
		{"clock morning", "dermarolled at 7am", report(domain.Session{At: at(11, 28, 7, 0)})},
		{"tonight bare hour", "dermarolled tonight at 9", report(domain.Session{At: at(11, 28, 21, 0)})},
		{"weekday is last week on same day", "dermarolled on saturday", report(domain.Session{At: at(11, 21, 21, 0)})},
		{"weekday abbrev with part", "dermarolled sat night", report(domain.Session{At: at(11, 21, 21, 0)})},
		{"weekday product", "rolled 0.25 on monday with stem cell serum", report(domain.Session{At: at(11, 23, 21, 0), NeedleMM: 0.25, Products: []string{"stem cells"}})},
		{"hours ago", "dermarolled 3 hours ago", report(domain.Session{At: at(11, 28, 19, 15)})},
		{"an hour ago", "dermarolled an hour ago", report(domain.Session{At: at(11, 28, 21, 15)})},
		{"mins ago", "dermarolled 30 mins ago", report(domain.Session{At: at(11, 28, 21, 45)})},
		{"day before yesterday", "dermarolled the day before yesterday", report(domain.Session{At: at(11, 26, 21, 0)})},
		{"day of month", "rolled 0.25 on the 31st", report(domain.Session{At: at(10, 31, 21, 0), NeedleMM: 0.25})},
		{"days ago", "rolled 0.25 2 days ago", report(domain.Session{At: at(11, 26, 21, 0), NeedleMM: 0.25})},
		{"around clock with areas", "rolled last night around 10pm with 0.5 on under my eyes",
			report(domain.Session{At: at(11, 27, 22, 0), NeedleMM: 0.5, Areas: []string{"under-eyes"}})},
		{"emoji inside", "Rolled last night 🙂 0.25, cheeks+chin", report(domain.Session{At: at(11, 27, 21, 0), NeedleMM: 0.25, Areas: []string{"cheeks", "chin"}})},
		// Products.
		{"known acronyms", "rolled 0.25 with HA and EGF", report(domain.Session{NeedleMM: 0.25, Products: []string{"hyaluronic acid", "growth factors"}})},
		{"brand then known", "rolled 0.25 using The Ordinary Buffet, then vitamin C", report(domain.Session{NeedleMM: 0.25, Products: []string{"The Ordinary Buffet", "vitamin C"}})},
		{"brand and known order", "rolled 0.25 with The Ordinary serum and squalane", report(domain.Session{NeedleMM: 0.25, Products: []string{"The Ordinary serum", "squalane"}})},
		{"free text after w/", "rolled w/ bio oil + retinol on décolletage", report(domain.Session{Products: []string{"bio oil", "retinol"}, Areas: []string{"décolletage"}})},
		{"aha with serum is acid", "Aha, rolled 0.25 with aha serum", report(domain.Session{NeedleMM: 0.25, Products: []string{"glycolic acid"}})},
		{"ha laugh is no product", "ha ha rolled 0.25", report(domain.Session{NeedleMM: 0.25})},
		{"husband is no product", "rolled 0.25 with my husband", report(domain.Session{NeedleMM: 0.25, Note: "husband"})},
		{"drops stay in note", "I rolled 0.25 and used 10 drops of serum", report(domain.Session{NeedleMM: 0.25, Note: "10 drops of serum"})},
		// Hygiene.
		{"tabs and newlines", "rolled\t0.25\nforehead", report(domain.Session{NeedleMM: 0.25, Areas: []string{"forehead"}})},
		{"nbsp", "rolled\u00a00.25\u00a0mm", report(domain.Session{NeedleMM: 0.25})},
		{"bidi override inside word", "rol\u202eled 0.25", report(domain.Session{NeedleMM: 0.25})},
		{"control characters", "rolled\x00 0.25\x07", report(domain.Session{NeedleMM: 0.25})},

		// Questions.
		{"q can I use size", "can I use 0.5 mm?", question},
		{"q every day", "can I roll every day?", question},
		{"q what size", "what size needle?", question},
		{"q is ok", "is 0.5mm ok?", question},
		{"q is ok without mark", "is 0.5mm ok", question},
		{"q how often", "how often should I roll", question},
		{"q why", "Why does it sting after rolling", question},
		{"q did I", "did I roll yesterday", question},
		{"q did I with period", "Did I roll yesterday.", question},
		{"q did you", "Did you log my session", question},
		{"report and question report then question", "rolled 0.25 last night, is that ok?", withQuestion(report(domain.Session{At: at(11, 27, 21, 0), NeedleMM: 0.25}), "is that ok?")},
		{"q lead-in", "hey, can I roll twice a week", question},
		{"q should", "should I use numbing cream", question},
		{"q emoji after mark", "rolled ok?? 😅", question},
		{"q what's", "what's the best serum after rolling", question},
		{"q which", "which is better, 0.25 or 0.5", question},
		{"q does", "Does hyaluronic acid help", question},
		{"q do I", "do I need to disinfect the roller", question},
		{"q when", "when can I roll again", question},
		{"q would", "would 0.5 be too much", question},
		{"q am I", "am I rolling too often", question},
		{"q size only", "0.5mm?", question},
		{"q full-width mark", "can I roll tonight？", question},

		// Ambiguous: intent.
		{"intent going to", "going to roll tonight", ambiguous(msgIntent)},
		{"intent will", "will roll later", ambiguous(msgIntent)},
		{"intent planning tomorrow", "planning to roll tomorrow", ambiguous(msgIntent)},
		{"intent gonna session", "gonna do my session after dinner", ambiguous(msgIntent)},
		{"intent I'll", "I'll roll tonight with 0.25", ambiguous(msgIntent)},
		{"intent curly I’ll", "I’ll roll tonight", ambiguous(msgIntent)},
		{"intent need to", "need to roll tonight", ambiguous(msgIntent)},
		{"intent can't wait", "Can't wait to roll tonight", ambiguous(msgIntent)},
		{"intent size tomorrow", "0.5mm tomorrow", ambiguous(msgIntent)},
		{"intent future date", "0.5mm on 2026-12-24", ambiguous(msgIntent)},
		// Ambiguous: negation.
		{"neg didn't", "didn't roll", ambiguous(msgNegated)},
		{"neg curly didn’t", "didn’t roll, skin too red", ambiguous(msgNegated)},
		{"neg skipped", "skipped tonight", ambiguous(msgNegated)},
		{"neg no rolling", "no rolling today", ambiguous(msgNegated)},
		{"neg forgot", "forgot to roll", ambiguous(msgNegated)},
		{"neg haven't", "haven't rolled in a week", ambiguous(msgNegated)},
		{"neg did not", "did not do my session yesterday", ambiguous(msgNegated)},
		// Ambiguous: ask back.
		{"ask size", "0.5mm", ambiguous("Did you roll with 0.5 mm just now? Send /log 0.5 to log it.")},
		{"ask product", "peptide serum", ambiguous("Did you roll with peptides just now? Send /log peptides to log it.")},
		{"ask area", "forehead", ambiguous("Did you roll on forehead just now? Send /log forehead to log it.")},
		{"ask size roller", "0.5 roller", ambiguous("Did you roll with 0.5 mm just now? Send /log 0.5 to log it.")},
		{"ask done", "done", ambiguous("Did you roll just now? Send /log to log it.")},
		{"ask did it", "did it!", ambiguous("Did you roll just now? Send /log to log it.")},
		{"ask rolling tonight", "rolling tonight", ambiguous("Did you roll tonight? Send /log tonight to log it.")},
		{"ask product time", "peptide serum last night", ambiguous("Did you roll with peptides last night? Send /log peptides last night to log it.")},
		{"ask product areas", "HA serum on cheeks and chin",
			ambiguous("Did you roll with hyaluronic acid on cheeks and chin just now? Send /log hyaluronic acid cheeks chin to log it.")},
		{"ask date", "vitamin c 20/11", ambiguous("Did you roll with vitamin C on 20/11? Send /log vitamin C 20/11 to log it.")},
		{"ask weekday", "I roll every sunday", ambiguous("Did you roll on sunday? Send /log sunday to log it.")},
		{"size roller last weekday", "0.5 roller last monday", report(domain.Session{At: at(11, 23, 21, 0), NeedleMM: 0.5})},
		{"ask days ago", "cheeks 2 days ago", ambiguous("Did you roll on cheeks 2 days ago? Send /log cheeks 2 days ago to log it.")},
		{"ask free text", "with my Ordinary serum", ambiguous("Did you roll with Ordinary serum just now? Send /log with Ordinary serum to log it.")},
		// Ambiguous: cannot be logged as said.
		{"absurd 5mm", "rolled 5mm last night", sizeProblem("5 mm")},
		{"absurd 3.5mm", "rolled 3.5mm", sizeProblem("3.5 mm")},
		{"absurd 0.15mm", "rolled 0.15mm", sizeProblem("0.15 mm")},
		{"absurd 0.1 bare", "rolled 0.1", sizeProblem("0.1 mm")},
		{"absurd microns", "rolled 20000 microns", sizeProblem("20000 µm")},
		{"absurd digits", "rolled 1000000000000000000000mm", sizeProblem("100000000000000…")},
		{"future verb", "rolled tomorrow", ambiguous(msgFuture)},
		{"future tonight clock", "tonight at 11pm rolled", ambiguous(msgFuture)},
		{"too old", "rolled 0.25 on 2024-01-01", ambiguous(msgTooOld)},
		{"no such date", "rolled 0.25 on 29/02", ambiguous(msgNoSuchDate)},
		{"no such dotted date", "rolled 0.25 on 31.11.", ambiguous(msgNoSuchDate)},

		// A plain "rolled" needs a skin or tool signal; alone or with only a time it is asked back about.
		{"rolled tonight asks", "rolled tonight", ambiguous("Did you roll your skin tonight? Send /log tonight to log it.")},
		{"just rolled asks", "just rolled", ambiguous("Did you roll your skin just now? Send /log to log it.")},
		{"just rolled emoji asks", "just rolled 🙂", ambiguous("Did you roll your skin just now? Send /log to log it.")},
		{"rolled last night asks", "rolled last night", ambiguous("Did you roll your skin last night? Send /log last night to log it.")},
		{"rolled with clock asks", "rolled yesterday at 10pm", ambiguous("Did you roll your skin yesterday at 10pm? Send /log yesterday at 10pm to log it.")},
		{"I rolled tonight asks", "I rolled tonight", ambiguous("Did you roll your skin tonight? Send /log tonight to log it.")},
		{"we rolled tonight asks", "we rolled tonight", ambiguous("Did you roll your skin tonight? Send /log tonight to log it.")},
		{"rolled felt great asks", "rolled, felt great", ambiguous("Did you roll your skin just now? Send /log to log it.")},
		{"rolled hours after shower asks", "rolled 1.5 hours after shower", ambiguous("Did you roll your skin just now? Send /log to log it.")},
		{"rolled with plans asks", "rolled last night, will do again on friday", ambiguous("Did you roll your skin last night? Send /log last night to log it.")},
		{"rolled in at 3am asks", "rolled in at 3am", ambiguous("Did you roll your skin at 3am? Send /log at 3am to log it.")},
		{"rolled future still refused", "rolled tomorrow", ambiguous(msgFuture)},
		// ... and with one it is a report.
		{"rolled my face", "rolled my face last night", report(domain.Session{At: at(11, 27, 21, 0), Areas: []string{"face"}})},
		{"rolled my skin", "rolled my skin tonight", report(domain.Session{Note: "skin"})},
		{"rolled with roller", "rolled with my roller tonight", report(domain.Session{})},
		{"rolled skin in note", "rolled tonight, skin a bit red", report(domain.Session{Note: "skin a bit red"})},
		{"rolled stung", "rolled last night, stung a bit", report(domain.Session{At: at(11, 27, 21, 0), Note: "stung a bit"})},
		{"just rolled area", "just rolled, neck", report(domain.Session{Areas: []string{"neck"}})},
		{"rolled brand product", "rolled tonight with The Ordinary serum", report(domain.Session{Products: []string{"The Ordinary serum"}})},
		{"rolled around eyes is an area", "rolled around my eyes with 0.25", report(domain.Session{NeedleMM: 0.25, Areas: []string{"under-eyes"}})},
		{"rolled under eyes is an area", "rolled under eyes 0.25", report(domain.Session{NeedleMM: 0.25, Areas: []string{"under-eyes"}})},
		{"typo rolld tonite", "rolld 0.25 tonite", report(domain.Session{NeedleMM: 0.25})},
		{"typo non-ascii slip", "rołled 0.25", report(domain.Session{NeedleMM: 0.25})},
		{"dermarolled alone", "dermarolled last night", report(domain.Session{At: at(11, 27, 21, 0)})},
		{"microneedled this morning", "microneedled forehead this morning", report(domain.Session{At: at(11, 28, 8, 0), Areas: []string{"forehead"}})},
		{"needled", "needled 0.25 cheeks", report(domain.Session{NeedleMM: 0.25, Areas: []string{"cheeks"}})},
		{"we rolled with size", "we rolled 0.25 tonight", report(domain.Session{NeedleMM: 0.25, Note: "we"})},
		{"wife and I", "my wife and I rolled 0.25 tonight", report(domain.Session{NeedleMM: 0.25, Note: "wife"})},
		{"me and my wife", "me and my wife rolled 0.25 tonight", report(domain.Session{NeedleMM: 0.25, Note: "wife"})},
		{"sister and I", "my sister and I dermarolled yesterday", report(domain.Session{At: at(11, 27, 21, 0), Note: "sister"})},
		{"told my wife", "told my wife I rolled 0.25 tonight", report(domain.Session{NeedleMM: 0.25, Note: "told my wife"})},
		{"two sizes asks which", "rolled 0.5 on forehead tonight, rolled 0.25 on cheeks", Result{Kind: Ambiguous, Reason: "Which needle did you use, 0.5 mm or 0.25 mm? Press one and I'll log it.",
			Sizes: []float64{0.5, 0.25}, Session: domain.Session{At: now, NeedleMM: 0.5, Areas: []string{"forehead", "cheeks"}}}},

		// Hedges and plans are intent, never reports.
		{"hedge thinking about", "thinking about rolling 0.25 tonight", ambiguous(msgIntent)},
		{"hedge considering", "considering 0.5mm on forehead", ambiguous(msgIntent)},
		{"hedge want to", "want to roll tonight", ambiguous(msgIntent)},
		{"hedge wanna try", "wanna try 0.25 tomorrow", ambiguous(msgIntent)},
		{"hedge might", "might roll later", ambiguous(msgIntent)},
		{"hedge maybe I'll", "maybe I'll roll tonight", ambiguous(msgIntent)},
		{"hedge should", "I should roll tonight", ambiguous(msgIntent)},
		{"hedge thinking of", "thinking of doing 0.5 tonight", ambiguous(msgIntent)},
		{"hedge tempted", "tempted to roll 0.5mm tonight", ambiguous(msgIntent)},
		{"hedge I'd like", "I'd like to try 0.25 on my forehead", ambiguous(msgIntent)},
		{"hedge maybe first", "maybe 0.25 tonight", ambiguous(msgIntent)},
		{"hedge maybe last", "0.25 tonight maybe", ambiguous(msgIntent)},
		{"hedge perhaps", "perhaps 0.5mm on cheeks later", ambiguous(msgIntent)},
		{"hedge considering rolling", "considering rolling my forehead", ambiguous(msgIntent)},
		{"hedge decided", "decided to roll tonight", ambiguous(msgIntent)},
		{"hedge will try", "will try 0.25 on forehead", ambiguous(msgIntent)},
		{"hedge should do", "should do 0.25 tonight", ambiguous(msgIntent)},
		{"hedge later clause without verb", "0.5mm + HA last night, might do neck next time", ambiguous(msgIntent)},
		{"almost is negation", "almost rolled 0.5 last night", ambiguous(msgNegated)},
		{"nearly is negation", "nearly did my session last night", ambiguous(msgNegated)},
		// A plan in a later clause of a report stays in the note, and its time is not the session's.
		{"report then thinking", "rolled 0.25 last night, thinking about 0.5 next time",
			report(domain.Session{At: at(11, 27, 21, 0), NeedleMM: 0.25, Note: "thinking about 0.5 next time"})},
		{"report then should be", "0.25 last night, should be fine", report(domain.Session{At: at(11, 27, 21, 0), NeedleMM: 0.25, Note: "should be fine"})},
		{"plan time is not the session time", "rolled 0.25, will do again friday", report(domain.Session{NeedleMM: 0.25, Note: "will do again friday"})},
		{"plan clock is not the session time", "rolled 0.25, will do again at 21:30", report(domain.Session{NeedleMM: 0.25, Note: "will do again at 21:30"})},
		{"plan after dated report", "rolled 0.25 yesterday, going to do 0.5 on friday",
			report(domain.Session{At: at(11, 27, 21, 0), NeedleMM: 0.25, Note: "going to do 0.5 on friday"})},

		// Questions inside reports: answered, never logged.
		{"q wondering whether", "wondering whether 0.5 on cheeks is ok", question},
		{"q size or size", "0.25 or 0.5 for cheeks", question},
		{"q size mm or size mm", "0.25mm or 0.5mm for forehead", question},
		{"q size vs size", "0.5 vs 1mm for scalp", question},
		{"q unsure size", "rolled 0.25 or 0.5, can't remember", question},
		{"report and question comma can I", "Rolled 0.25 yesterday, can I use retinol today", withQuestion(report(domain.Session{At: at(11, 27, 21, 0), NeedleMM: 0.25}), "can I use retinol today")},
		{"report and question mark inside", "rolled 0.25 last night, is it normal to be red?", withQuestion(report(domain.Session{At: at(11, 27, 21, 0), NeedleMM: 0.25}), "is it normal to be red?")},
		{"q someone else then is that", "my friend rolled 0.5mm last night and bled a lot, is that normal", question},
		{"q not sure if", "not sure if 0.5 is too much for my forehead", question},
		{"q I wonder if", "I wonder if I can roll twice a week", question},
		{"q curious whether", "curious whether hyaluronic acid helps", question},
		{"q wondering how", "wondering how often to roll", question},
		{"report and question how long should", "rolled 0.25, how long should I wait before retinol", withQuestion(report(domain.Session{NeedleMM: 0.25}), "how long should I wait before retinol")},
		{"report and question and should I", "rolled 0.25 and should I use HA after", withQuestion(report(domain.Session{NeedleMM: 0.25}), "should I use HA after")},
		{"report and question but is", "rolled 0.25 but is redness normal", withQuestion(report(domain.Session{NeedleMM: 0.25}), "is redness normal")},
		{"report and question so can I", "rolled 0.25 so can I wear makeup tomorrow", withQuestion(report(domain.Session{NeedleMM: 0.25}), "can I wear makeup tomorrow")},
		{"report and question would you", "rolled 0.25, would you recommend vitamin C after", withQuestion(report(domain.Session{NeedleMM: 0.25}), "would you recommend vitamin C after")},
		{"report and question new sentence", "rolled 0.25. Is redness normal", withQuestion(report(domain.Session{NeedleMM: 0.25}), "Is redness normal")},
		{"report and question did I midway", "rolled 0.25, did I do it right", withQuestion(report(domain.Session{NeedleMM: 0.25}), "did I do it right")},
		{"report and question what's midway", "rolled 0.25, what's next", withQuestion(report(domain.Session{NeedleMM: 0.25}), "what's next")},
		{"report and question after emoji", "rolled 0.25 🙂 can I do it again", withQuestion(report(domain.Session{NeedleMM: 0.25}), "can I do it again")},
		{"report and question in brackets", "rolled 0.25 (is that ok)", withQuestion(report(domain.Session{NeedleMM: 0.25}), "is that ok")},
		// ... but a question word or auxiliary that does not ask leaves a report.
		{"which felt great", "rolled 0.25, which felt great", report(domain.Session{NeedleMM: 0.25, Note: "which felt great"})},
		{"when I got home", "rolled 0.25 last night when I got home", report(domain.Session{At: at(11, 27, 21, 0), NeedleMM: 0.25, Note: "when I got home"})},
		{"what a relief", "rolled 0.25, what a relief", report(domain.Session{NeedleMM: 0.25, Note: "what a relief"})},
		{"how exciting", "rolled 0.25, how exciting", report(domain.Session{NeedleMM: 0.25, Note: "how exciting"})},
		{"and is fine", "rolled 0.25 and is fine now", report(domain.Session{NeedleMM: 0.25, Note: "fine"})},
		{"and could barely", "rolled 0.25 and could barely feel it", report(domain.Session{NeedleMM: 0.25, Note: "could barely feel"})},
		{"and did forehead", "rolled 0.25 and did forehead too", report(domain.Session{NeedleMM: 0.25, Areas: []string{"forehead"}, Note: "too"})},
		{"or so is no choice", "0.25 or so tonight", report(domain.Session{NeedleMM: 0.25})},

		// Someone else's session: the diary is the user's own.
		{"other wife", "my wife rolled 0.25 on her cheeks tonight", ambiguous(msgOther)},
		{"other she did", "she did 0.25 with peptides", ambiguous(msgOther)},
		{"other sister dermarolled", "my sister dermarolled yesterday", ambiguous(msgOther)},
		{"other husband", "my husband dermarolled last night", ambiguous(msgOther)},
		{"other boyfriend session", "my boyfriend did his session last night", ambiguous(msgOther)},
		{"other he", "he microneedled his beard area", ambiguous(msgOther)},
		{"other they", "they rolled 0.25 last night", ambiguous(msgOther)},
		{"other she rolled time", "she rolled last night", ambiguous(msgOther)},
		{"other mum", "my mum rolled 0.25mm on her neck", ambiguous(msgOther)},
		{"other dermatologist", "my dermatologist microneedled my face today", ambiguous(msgOther)},
		{"other esthetician", "my esthetician did my face yesterday", ambiguous(msgOther)},
		{"other has just", "my friend has just rolled 0.5", ambiguous(msgOther)},
		{"other no determiner", "wife rolled 0.25 tonight", ambiguous(msgOther)},
		{"other her cheeks", "rolled 0.25 on her cheeks", ambiguous(msgOther)},
		{"other wife's forehead", "rolled 0.25 on my wife's forehead", ambiguous(msgOther)},
		{"other wife's session", "my wife's session done ✅", ambiguous(msgOther)},
		{"other opening subject", "my wife: 0.25 on cheeks tonight", ambiguous(msgOther)},
		{"other alongside mine", "I rolled 0.25 and my wife did too", ambiguous(msgOther)},
		{"other's purchase", "my wife bought me a roller", other},
		{"other she rolled eyes", "she rolled her eyes", other},

		// Other.
		{"empty", "", other},
		{"spaces", "   \t\n ", other},
		{"hi", "hi", other},
		{"thanks", "thanks!", other},
		{"good morning", "good morning", other},
		{"junk", "asdf", other},
		{"emoji only", "🙂", other},
		{"thumbs", "👍👍", other},
		{"question mark only", "?", other},
		{"sql", "'; DROP TABLE sessions;--", other},
		{"html", "<b>bold</b>", other},
		{"url", "http://example.com/a?b=c", other},
		{"digits", "1234", other},
		{"invalid utf8", "\xff\xfe\xfd rolled 0.25", other},
		{"controls only", "\x00\x01\x02", other},
		{"rolled eyes", "rolled my eyes at that", other},
		// The everyday verb "roll".
		{"rolled out of bed", "rolled out of bed at 7am", other},
		{"rolled over in bed", "I rolled over in bed at 3am", other},
		{"rolled back update", "I rolled back my update yesterday", other},
		{"rolled eyes last night", "rolled my eyes at him last night", other},
		{"rolled the dice", "we rolled the dice tonight", other},
		{"rolled car window", "rolled the car window down", other},
		{"rolled up sleeves", "rolled up my sleeves", other},
		{"rolled down window", "rolled down the window", other},
		{"rolled a joint", "rolled a joint last night", other},
		{"rolled ankle", "rolled my ankle yesterday", other},
		{"rolled over onto stomach", "rolled over onto my stomach", other},
		{"he rolled out of bed", "he rolled out of bed at noon", other},
		{"rolling eyes", "rolling my eyes tonight", other},
		{"roll the dice", "roll the dice tonight", other},

		{"roller arrived", "my roller arrived!", other},
		{"sun is no sunday", "avoided sun after rolling", other},
		{"roller arrived with size", "my 0.25 roller arrived today", other},
		{"bought a roller", "just bought a 0.5mm roller and HA serum", other},
		{"see you tomorrow", "see you tomorrow", other},
		{"going to bed", "going to bed", other},
		{"no thanks", "no thanks", other},
		{"love the bot", "I love this bot", other},
		{"french", "bonjour", other},
		{"too long", strings.Repeat("rolled 0.25 ", 42), other},
		{"10 KB", strings.Repeat("rolled 0.25 forehead ", 500), other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := testReader.Read(tt.text, now)
			if diff := cmp.Diff(tt.want, got, sessionOpts); diff != "" {
				t.Errorf("testReader.Read(%q) mismatch (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

// TestReadAroundTheClock checks the time rules that depend on when the message arrives.
func TestReadAroundTheClock(t *testing.T) {
	loc := mustLoad(t, "Europe/Berlin")
	day := func(mo time.Month, d, h, mi int) time.Time { return time.Date(2026, mo, d, h, mi, 0, 0, loc) }
	tests := []struct {
		name   string
		now    time.Time
		text   string
		want   time.Time // zero when the message must not be a report
		reason string
	}{
		{"tonight in the afternoon is now", day(11, 28, 15, 0), "dermarolled tonight", day(11, 28, 15, 0), ""},
		{"this evening is now", day(11, 28, 19, 40), "dermarolled this evening", day(11, 28, 19, 40), ""},
		{"this morning before 8 is not the future", day(11, 28, 7, 0), "dermarolled this morning", day(11, 28, 7, 0), ""},
		{"last night just after midnight", day(11, 29, 0, 30), "dermarolled last night", day(11, 28, 21, 0), ""},
		{"last night at 2am", day(11, 29, 2, 0), "dermarolled last night", day(11, 28, 21, 0), ""},
		{"last night at 1am said at 9am", day(11, 29, 9, 0), "dermarolled last night at 1am", day(11, 29, 1, 0), ""},
		{"11pm said after midnight", day(11, 29, 0, 30), "dermarolled at 11pm", day(11, 28, 23, 0), ""},
		{"monday said on monday", day(11, 30, 10, 0), "dermarolled monday", day(11, 23, 21, 0), ""},
		{"today's date before 21:00 is now", day(11, 28, 10, 0), "dermarolled 0.25 on 28/11", day(11, 28, 10, 0), ""},
		{"december date in january", time.Date(2026, 1, 5, 12, 0, 0, 0, loc), "dermarolled 20/12", time.Date(2025, 12, 20, 21, 0, 0, 0, loc), ""},
		{"just under a year", time.Date(2026, 1, 5, 12, 0, 0, 0, loc), "dermarolled 2025-01-06", time.Date(2025, 1, 6, 21, 0, 0, 0, loc), ""},
		{"just over a year", time.Date(2026, 1, 5, 12, 0, 0, 0, loc), "dermarolled 2025-01-04", time.Time{}, msgTooOld},
		{"400 days ago", day(11, 28, 12, 0), "dermarolled 400 days ago", time.Time{}, msgTooOld},
		{"in 2 hours", day(11, 28, 12, 0), "dermarolled in 2 hours", time.Time{}, msgFuture},
		{"next monday", day(11, 28, 12, 0), "dermarolled next monday", time.Time{}, msgFuture},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := testReader.Read(tt.text, tt.now)
			want := Result{Kind: Ambiguous, Reason: tt.reason}
			if !tt.want.IsZero() {
				want = Result{Kind: Report, Session: domain.Session{At: tt.want}}
				if strings.Contains(tt.text, "0.25") {
					want.Session.NeedleMM = 0.25
				}
			}
			if diff := cmp.Diff(want, got, sessionOpts); diff != "" {
				t.Errorf("testReader.Read(%q) at %v mismatch (-want +got):\n%s", tt.text, tt.now, diff)
			}
		})
	}
}

// TestDST checks instants around daylight-saving changes in two zones,
// computed by hand in UTC. Berlin falls back on 2026-10-25 (03:00 CEST ->
// 02:00 CET, so 02:30 happens twice); New York springs forward on 2026-03-08
// (02:00 EST -> 03:00 EDT, so 02:30 never happens) and falls back on
// 2026-11-01 (01:30 happens twice).
func TestDST(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	ny := mustLoad(t, "America/New_York")
	utc := func(mo time.Month, d, h, mi int) time.Time { return time.Date(2026, mo, d, h, mi, 0, 0, time.UTC) }
	tests := []struct {
		name string
		now  time.Time
		text string
		want time.Time
	}{
		{"berlin repeated hour is the first, summer-time one", time.Date(2026, 10, 26, 10, 0, 0, 0, berlin), "yesterday at 2:30am", utc(10, 25, 0, 30)},
		{"berlin last night after the change", time.Date(2026, 10, 26, 10, 0, 0, 0, berlin), "last night", utc(10, 25, 20, 0)},
		{"berlin last night before the change", time.Date(2026, 10, 25, 12, 0, 0, 0, berlin), "last night", utc(10, 24, 19, 0)},
		{"berlin hours ago are real hours", time.Date(2026, 10, 25, 3, 30, 0, 0, berlin), "2 hours ago", utc(10, 25, 0, 30)},
		{"berlin just before the repeated hour", time.Date(2026, 10, 26, 10, 0, 0, 0, berlin), "yesterday at 1:59am", utc(10, 24, 23, 59)},
		{"berlin just after the repeated hour", time.Date(2026, 10, 26, 10, 0, 0, 0, berlin), "yesterday at 3am", utc(10, 25, 2, 0)},
		{"berlin this morning on change day", time.Date(2026, 10, 25, 12, 0, 0, 0, berlin), "this morning", utc(10, 25, 7, 0)},
		{"berlin skipped hour", time.Date(2026, 3, 30, 12, 0, 0, 0, berlin), "yesterday at 2:30am", utc(3, 29, 1, 30)},
		{"new york skipped hour reads as 03:30 EDT", time.Date(2026, 3, 9, 12, 0, 0, 0, ny), "yesterday at 2:30am", utc(3, 8, 7, 30)},
		{"new york skipped hour clock only", time.Date(2026, 3, 8, 10, 0, 0, 0, ny), "at 2:30am", utc(3, 8, 7, 30)},
		{"new york last night after the change", time.Date(2026, 3, 9, 8, 0, 0, 0, ny), "last night", utc(3, 9, 1, 0)},
		{"new york last night before the change", time.Date(2026, 3, 8, 10, 0, 0, 0, ny), "last night", utc(3, 8, 2, 0)},
		{"new york last night at 1:30am", time.Date(2026, 3, 8, 10, 0, 0, 0, ny), "last night at 1:30am", utc(3, 8, 6, 30)},
		{"new york hours ago across the gap", time.Date(2026, 3, 8, 4, 0, 0, 0, ny), "2 hours ago", utc(3, 8, 6, 0)},
		{"new york days ago across the gap", time.Date(2026, 3, 9, 22, 0, 0, 0, ny), "2 days ago", utc(3, 8, 2, 0)},
		{"new york repeated hour is the first, EDT one", time.Date(2026, 11, 2, 12, 0, 0, 0, ny), "yesterday at 1:30am", utc(11, 1, 5, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := testReader.Read("dermarolled "+tt.text, tt.now)
			if got.Kind != Report {
				t.Fatalf("testReader.Read(%q) = %v (%q), want Report", "dermarolled "+tt.text, got.Kind, got.Reason)
			}
			if !got.Session.At.Equal(tt.want) {
				t.Errorf("testReader.Read(%q).At = %v (%v), want %v", "dermarolled "+tt.text, got.Session.At, got.Session.At.UTC(), tt.want)
			}
			if got.Session.At.Location() != tt.now.Location() {
				t.Errorf("At is in %v, want the user's %v", got.Session.At.Location(), tt.now.Location())
			}
			s, err := testReader.ParseLog(tt.text, tt.now)
			if err != nil {
				t.Fatalf("testReader.ParseLog(%q): %v", tt.text, err)
			}
			if !s.At.Equal(tt.want) {
				t.Errorf("testReader.ParseLog(%q).At = %v, want %v", tt.text, s.At.UTC(), tt.want)
			}
		})
	}
}

func TestParseLog(t *testing.T) {
	now := berlinNow(t)
	loc := now.Location()
	at := func(mo time.Month, d, h, mi int) time.Time { return time.Date(2026, mo, d, h, mi, 0, 0, loc) }
	absurd := func(lit string) string {
		return lit + " is not a needle length I can log: home rollers are 0.2–3 mm (the guidance suggests 0.25 mm)."
	}
	unreadable := func(lit string) string {
		return "I couldn't read “" + lit + "” as a needle length — try something like /log 0.25."
	}
	tests := []struct {
		name    string
		args    string
		want    domain.Session
		wantErr string
	}{
		{"empty is now", "", domain.Session{At: now}, ""},
		{"brief example", "0.25 peptide serum forehead felt great", domain.Session{At: now, NeedleMM: 0.25, Products: []string{"peptides"}, Areas: []string{"forehead"}, Note: "felt great"}, ""},
		{"comma mm yesterday", "0,25mm yesterday", domain.Session{At: at(11, 27, 21, 0), NeedleMM: 0.25}, ""},
		{"plain", "0.25", domain.Session{At: now, NeedleMM: 0.25}, ""},
		{"leading dot", ".25", domain.Session{At: now, NeedleMM: 0.25}, ""},
		{"leading comma", ",25", domain.Session{At: now, NeedleMM: 0.25}, ""},
		{"lower bound", "0.2", domain.Session{At: now, NeedleMM: 0.2}, ""},
		{"upper bound", "3", domain.Session{At: now, NeedleMM: 3}, ""},
		{"upper bound decimal", "3.0mm", domain.Session{At: now, NeedleMM: 3}, ""},
		{"whole number", "1 forehead", domain.Session{At: now, NeedleMM: 1, Areas: []string{"forehead"}}, ""},
		{"microns", "250 microns neck", domain.Session{At: now, NeedleMM: 0.25, Areas: []string{"neck"}}, ""},
		{"micro sign glued", "250µm", domain.Session{At: now, NeedleMM: 0.25}, ""},
		{"trailing comma", "0.25mm, forehead", domain.Session{At: now, NeedleMM: 0.25, Areas: []string{"forehead"}}, ""},
		{"glued comma then area", "0.25,forehead", domain.Session{At: now, NeedleMM: 0.25, Areas: []string{"forehead"}}, ""},
		{"plus sign", "+0.5 neck", domain.Session{At: now, NeedleMM: 0.5, Areas: []string{"neck"}}, ""},
		{"hyphen unit", "0.25-mm chin", domain.Session{At: now, NeedleMM: 0.25, Areas: []string{"chin"}}, ""},
		{"scalp", "1.5mm scalp minoxidil", domain.Session{At: now, NeedleMM: 1.5, Products: []string{"minoxidil"}, Areas: []string{"scalp"}}, ""},
		{"date first", "20/11 0.25 cheeks", domain.Session{At: at(11, 20, 21, 0), NeedleMM: 0.25, Areas: []string{"cheeks"}}, ""},
		{"days ago first", "2 days ago 0.5", domain.Session{At: at(11, 26, 21, 0), NeedleMM: 0.5}, ""},
		{"clock", "0.5 at 21:30", domain.Session{At: at(11, 28, 21, 30), NeedleMM: 0.5}, ""},
		{"note only", "felt great", domain.Session{At: now, Note: "felt great"}, ""},
		{"free text product", "0.25 with my Ordinary serum", domain.Session{At: now, NeedleMM: 0.25, Products: []string{"Ordinary serum"}}, ""},
		{"verb is not note", "rolled 0.5 last night", domain.Session{At: at(11, 27, 21, 0), NeedleMM: 0.5}, ""},
		{"negation still logs", "0.25 no redness", domain.Session{At: now, NeedleMM: 0.25, Note: "no redness"}, ""},
		{"zero", "0", domain.Session{}, absurd("0 mm")},
		{"tiny", "0.01", domain.Session{}, absurd("0.01 mm")},
		{"below bound", "0.19mm", domain.Session{}, absurd("0.19 mm")},
		{"above bound", "3.01", domain.Session{}, absurd("3.01 mm")},
		{"five", "5", domain.Session{}, absurd("5 mm")},
		{"five mm later", "forehead 5mm", domain.Session{}, absurd("5 mm")},
		{"ninety-nine", "99", domain.Session{}, absurd("99 mm")},
		{"negative", "-1", domain.Session{}, absurd("-1 mm")},
		{"unicode minus", "−0.25", domain.Session{}, absurd("-0.25 mm")},
		{"huge microns", "20000 microns", domain.Session{}, absurd("20000 µm")},
		{"long digits", "99999999999999999999999", domain.Session{}, absurd("999999999999999…")},
		{"exponent", "1e309", domain.Session{}, unreadable("1e309")},
		{"nan", "NaN", domain.Session{}, unreadable("NaN")},
		{"inf", "-Inf", domain.Session{}, unreadable("-Inf")},
		{"two separators", "0.2.5", domain.Session{}, unreadable("0.2.5")},
		{"times", "2x", domain.Session{}, unreadable("2x")},
		{"number runs on", "250µm5", domain.Session{}, unreadable("250µm5")},
		{"tomorrow", "tomorrow", domain.Session{}, msgFuture},
		{"future iso date", "0.25 2026-12-01", domain.Session{}, msgFuture},
		{"future clock today", "0.25 today at 23:00", domain.Session{}, msgFuture},
		{"too old", "0.25 2024-11-20", domain.Session{}, msgTooOld},
		{"no such date", "31/11", domain.Session{}, msgNoSuchDate},
		{"too long", strings.Repeat("a", MaxMessageRunes+1), domain.Session{}, msgTooLong},
		{"exactly max", "0.25 " + strings.Repeat("a", MaxMessageRunes-5), domain.Session{At: now, NeedleMM: 0.25, Note: strings.Repeat("a", maxNoteRunes-1) + "…"}, ""},
		{"invalid utf8", "0.25 \xc3\x28", domain.Session{}, msgInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := testReader.ParseLog(tt.args, now)
			if tt.wantErr != "" {
				var ie *InputError
				if !errors.As(err, &ie) {
					t.Fatalf("testReader.ParseLog(%q) error = %v, want *InputError %q", tt.args, err, tt.wantErr)
				}
				if diff := cmp.Diff(tt.wantErr, ie.Message); diff != "" {
					t.Errorf("testReader.ParseLog(%q) error mismatch (-want +got):\n%s", tt.args, diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("testReader.ParseLog(%q) unexpected error: %v", tt.args, err)
			}
			if diff := cmp.Diff(tt.want, got, sessionOpts); diff != "" {
				t.Errorf("testReader.ParseLog(%q) mismatch (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

// TestSynonyms checks every dictionary spelling against its canonical name,
// and that each canonical name read back as /log input is itself, which
// the ask-back suggestions rely on.
func TestSynonyms(t *testing.T) {
	now := berlinNow(t)
	check := func(t *testing.T, args string, products, areas []string) {
		t.Helper()
		got, err := testReader.ParseLog(args, now)
		if err != nil {
			t.Fatalf("testReader.ParseLog(%q): %v", args, err)
		}
		want := domain.Session{At: now, Products: products, Areas: areas}
		if diff := cmp.Diff(want, got, sessionOpts); diff != "" {
			t.Errorf("testReader.ParseLog(%q) mismatch (-want +got):\n%s", args, diff)
		}
	}
	for _, p := range kb.Default().Products() {
		t.Run("product "+p.Name, func(t *testing.T) {
			check(t, p.Name, []string{p.Name}, nil)
			for _, syn := range append([]string{p.Name}, p.Synonyms...) {
				check(t, "with "+syn, []string{p.Name}, nil)
			}
		})
	}
	for _, e := range areaEntries {
		t.Run("area "+e.canon, func(t *testing.T) {
			check(t, e.canon, nil, []string{e.canon})
			for _, syn := range e.synonyms {
				check(t, syn, nil, []string{e.canon})
			}
		})
	}
	t.Run("written variants", func(t *testing.T) {
		check(t, "stem-cell serum", []string{"stem cells"}, nil)
		check(t, "vit. c", []string{"vitamin C"}, nil)
		check(t, "L-Ascorbic acid", []string{"vitamin C"}, nil)
		check(t, "GHK-Cu", []string{"peptides"}, nil)
		check(t, "Décolleté", nil, []string{"décolletage"})
		check(t, "under-eye", nil, []string{"under-eyes"})
		check(t, "jaw line", nil, []string{"jawline"})
	})
}

// TestAskBackRoundTrip checks that the /log command suggested by an
// Ambiguous reply logs what the message said.
func TestAskBackRoundTrip(t *testing.T) {
	now := berlinNow(t)
	tests := []struct {
		text string
		want domain.Session
	}{
		{"0.5mm", domain.Session{At: now, NeedleMM: 0.5}},
		{"HA serum on cheeks and chin", domain.Session{At: now, Products: []string{"hyaluronic acid"}, Areas: []string{"cheeks", "chin"}}},
		{"peptide serum last night", domain.Session{At: time.Date(2026, 11, 27, 21, 0, 0, 0, now.Location()), Products: []string{"peptides"}}},
		{"with my Ordinary serum on under-eyes", domain.Session{At: now, Products: []string{"Ordinary serum"}, Areas: []string{"under-eyes"}}},
		{"roller, vit c, forehead", domain.Session{At: now, Products: []string{"vitamin C"}, Areas: []string{"forehead"}}},
		{"vitamin c 20/11", domain.Session{At: time.Date(2026, 11, 20, 21, 0, 0, 0, now.Location()), Products: []string{"vitamin C"}}},
		{"rolled tonight", domain.Session{At: now}},
		{"just rolled", domain.Session{At: now}},
		{"rolled last night", domain.Session{At: time.Date(2026, 11, 27, 21, 0, 0, 0, now.Location())}},
		{"rolled yesterday at 10pm", domain.Session{At: time.Date(2026, 11, 27, 22, 0, 0, 0, now.Location())}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			r := testReader.Read(tt.text, now)
			_, args, ok := strings.Cut(r.Reason, "Send /log")
			args, _, ok2 := strings.Cut(args, " to log it.")
			if r.Kind != Ambiguous || !ok || !ok2 {
				t.Fatalf("testReader.Read(%q) = %v %q, want Ambiguous with a /log suggestion", tt.text, r.Kind, r.Reason)
			}
			got, err := testReader.ParseLog(args, now)
			if err != nil {
				t.Fatalf("testReader.ParseLog(%q): %v", args, err)
			}
			if diff := cmp.Diff(tt.want, got, sessionOpts); diff != "" {
				t.Errorf("testReader.ParseLog(%q) from %q mismatch (-want +got):\n%s", args, r.Reason, diff)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	now := berlinNow(t)
	t.Run("note is clipped to 200 runes", func(t *testing.T) {
		text := "rolled 0.25 " + strings.Repeat("ça pique un peu ", 30)
		r := testReader.Read(text, now)
		if r.Kind != Report {
			t.Fatalf("Read = %v, want Report", r.Kind)
		}
		if n := len([]rune(r.Session.Note)); n > maxNoteRunes || n < maxNoteRunes-20 {
			t.Errorf("note has %d runes, want just under %d: %q", n, maxNoteRunes, r.Session.Note)
		}
		if !strings.HasSuffix(r.Session.Note, "…") {
			t.Errorf("clipped note %q should end with an ellipsis", r.Session.Note)
		}
	})
	t.Run("free-text product is clipped to 60 runes", func(t *testing.T) {
		text := "rolled with " + strings.Repeat("Superlongbrandname ", 6) + "serum"
		r := testReader.Read(text, now)
		if len(r.Session.Products) != 1 {
			t.Fatalf("products = %q, want one", r.Session.Products)
		}
		if n := len([]rune(r.Session.Products[0])); n > maxProductRunes {
			t.Errorf("product has %d runes, want at most %d", n, maxProductRunes)
		}
	})
	t.Run("exactly 500 runes is read", func(t *testing.T) {
		text := "rolled 0.25 " + strings.Repeat("é", MaxMessageRunes-12)
		if got := testReader.Read(text, now).Kind; got != Report {
			t.Errorf("testReader.Read(500 runes) = %v, want Report", got)
		}
		if got := testReader.Read(text+"é", now).Kind; got != Other {
			t.Errorf("testReader.Read(501 runes) = %v, want Other", got)
		}
	})
}

// TestOSA checks the typo distance counts runes, not bytes, and a swap of
// neighbours as one edit.
func TestOSA(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"rolled", "rolled", 0},
		{"rolked", "rolled", 1},
		{"roleld", "rolled", 1},
		{"rolld", "rolled", 1},
		{"dermarrolled", "dermarolled", 1},
		{"rołled", "rolled", 1},
		{"é", "e", 1},
		{"ab", "ba", 1},
		{"abc", "", 3},
		{"", "ñandú", 5},
	}
	for _, tt := range tests {
		if got := spell.Distance(tt.a, tt.b, -1); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := spell.Distance(tt.b, tt.a, -1); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestKindString(t *testing.T) {
	got := []string{Other.String(), Report.String(), Question.String(), Ambiguous.String(), Kind(9).String()}
	want := []string{"Other", "Report", "Question", "Ambiguous", "Kind(9)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Kind.String mismatch (-want +got):\n%s", diff)
	}
}

func BenchmarkRead(b *testing.B) {
	now := berlinNow(b)
	cases := map[string]string{
		"report":   "derma-rolled my whole face with The Ordinary serum last night at 10pm, 0.25mm, felt great",
		"short":    "rolled 0.25 tonight with my peptide serum",
		"question": "can I roll every day with 0.5 mm?",
		"chatter":  "thanks so much, that was really helpful! 🙂",
		"max":      strings.Repeat("rolled 0.25 forehead ", 23),
	}
	for name, text := range cases {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				testReader.Read(text, now)
			}
		})
	}
}
