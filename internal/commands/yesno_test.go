package commands

import "testing"

func TestYesOrNo(t *testing.T) {
	for s, want := range map[string]string{
		"yes": "yes", "Yes!": "yes", "y": "yes", "YEP.": "yes", "yes please": "yes", "sure": "yes", "yeah why not": "yes",
		"no": "no", "No.": "no", "nope": "no", "cancel": "no", "no, it's the same one": "no", "don't": "no", "nah 🙂": "no",
		"ok": "", "fine": "", "yes rolled 0.25 tonight": "", "no swelling, rolled 0.25 tonight": "", "yesterday": "",
		"not sure": "", "": "", "yes I think so but let me check first": "", "نعم": "", "'; DROP TABLE users; --": "",
	} {
		yes, ok := yesOrNo(s)
		got := ""
		if ok {
			got = map[bool]string{true: "yes", false: "no"}[yes]
		}
		if got != want {
			t.Errorf("YesOrNo(%q) = %q, want %q", s, got, want)
		}
	}
}
