package kb

import (
	"strings"
	"testing"
)

// TestSafety checks the promise that a reported or asked-about skin reaction is never
// reassured from the guidance: each gets the safety reply, however it is written. The
// ordinary questions beside them use the same words (bleeding, pain, redness, downtime) and
// must still be answered with the guidance's facts.
func TestSafety(t *testing.T) {
	k := Default()
	reactions := []string{
		"I'm bleeding quite a lot after rolling, is that normal?",
		"my face wont stop bleeding",
		"there's blood on my pillow after I rolled last night",
		"still bleeding 20 minutes after using the 0.25",
		"my cheeks are swollen since yesterday's session",
		"face is puffy and swollen after dermarolling",
		"my eyes are swollen shut after rolling near them",
		"the skin under my eye puffed up after rolling",
		"it burns so much after i put the serum on",
		"burning sensation that won't go away",
		"my skin feels like it's on fire since rolling",
		"stinging for hours after rolling, not stopping",
		"i got a rash on my cheeks after microneedling",
		"red itchy rash all over my forehead",
		"hives came up on my neck after the roller",
		"little itchy bumps everywhere after rolling",
		"there's pus in the little dots on my chin",
		"yellow crust forming where I rolled",
		"scabs all over my forehead after rolling",
		"I have a fever since I rolled two days ago",
		"feeling feverish and my face is hot after microneedling",
		"bruises on my cheekbones after rolling",
		"the roller left scratches on my face",
		"I cut my cheek with the roller",
		"there are red lines on my face from the roller that won't fade",
		"my acne got way worse after rolling",
		"breaking out badly since I started rolling",
		"dark patches appeared where I used the roller",
		"brown spots showing up after dermarolling",
		"still red three days after rolling",
		"redness hasn't gone down in a week",
		"skin is raw and weeping after rolling",
		"my skin is peeling off in sheets after rolling",
		"blisters after rolling with vitamin c",
		"allergic reaction to the serum I used with the roller",
		"face is hot to the touch and spreading red",
		"the redness is spreading down my neck",
		"it still hurts a lot three days later",
		"swolen and red after micronedling what do i do",
		"bleding wont stop pls help",
		"you said there's no downtime but my face is wrecked and oozing",
		"infected looking bumps after i rolled",
	}
	for _, q := range reactions {
		if r := k.Search(q); r.Verdict != Safety {
			t.Errorf("Search(%q) = %v %s, want the safety reply", q, r.Verdict, entryID(r))
		}
	}
	ordinary := map[string]string{
		"will I bleed?":                                   "downtime",
		"does micro-needling make you bleed?":             "downtime",
		"is there any downtime?":                          "downtime",
		"can I go to work straight after rolling?":        "downtime",
		"do I need to take time off work after rolling?":  "downtime",
		"does it hurt?":                                   "pain",
		"is derma rolling painful?":                       "pain",
		"how much does the roller hurt?":                  "pain",
		"what does rolling feel like?":                    "pain",
		"will it sting?":                                  "pain",
		"i'm a wimp with needles, will I cope?":           "pain",
		"how often can I roll?":                           "frequency",
		"can I roll every day?":                           "frequency",
		"what size needle for home?":                      "needle-size",
		"is 0.25 mm the right size?":                      "needle-size",
		"can I use a 1mm roller myself?":                  "larger-needles",
		"can longer needles damage my skin?":              "larger-needles",
		"why are the home needles so short?":              "why-025",
		"which serum should I use after rolling?":         "serums",
		"are peptides good with a derma roller?":          "serums",
		"do I need a serum with the roller?":              "serum-and-roller",
		"can I roll without any product?":                 "serum-and-roller",
		"does rolling help my serum absorb?":              "absorption",
		"how much more do products absorb?":               "absorption",
		"does it help with wrinkles?":                     "anti-ageing",
		"will it make me look younger?":                   "anti-ageing",
		"how does micro-needling work?":                   "how-it-works",
		"does it boost collagen?":                         "how-it-works",
		"what is micro-needling?":                         "what-is",
		"what does a derma roller look like?":             "tool",
		"can I roll an hour before a date?":               "before-event",
		"will my skin look plumper right away?":           "before-event",
		"should I roll at night or in the morning?":       "routine",
		"does it go in my evening routine?":               "routine",
		"who is Kerry Benjamin?":                          "source",
		"where does this advice come from?":               "source",
		"is it scary or intense?":                         "what-is",
		"will my face look red and bloody when I go out?": "downtime",
		"is bleeding normal with 0.25mm?":                 "downtime",
		"does the 0.25 hurt much?":                        "pain|why-025",
	}
	for q, want := range ordinary {
		r := k.Search(q)
		ok := false
		for id := range strings.SplitSeq(want, "|") {
			ok = ok || (r.Verdict == Answered && states(r.Entry, mustEntry(t, k, id)))
		}
		if !ok {
			t.Errorf("Search(%q) = %v %s, want it answered by %s", q, r.Verdict, entryID(r), want)
		}
	}
	if len(reactions) < 40 || len(ordinary) < 40 {
		t.Fatalf("%d reactions and %d ordinary questions, want at least 40 of each", len(reactions), len(ordinary))
	}
}

func entryID(r Result) string {
	if r.Entry == nil {
		return "-"
	}
	return r.Entry.ID
}

func mustEntry(t *testing.T, k *KB, id string) *Entry {
	t.Helper()
	e, ok := k.Entry(id)
	if !ok {
		t.Fatalf("no entry %q", id)
	}
	return e
}
