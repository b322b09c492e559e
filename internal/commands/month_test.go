package commands_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
)

func TestStatsAndMonthSendThePicture(t *testing.T) {
	backends(t, func(t *testing.T, h *harness) {
		h.say("/timezone Europe/Berlin") // Saturday 28 Nov 2026, 22:15
		h.say("rolled 0.25 tonight with peptides")
		h.say("/log 0.5 on thursday")
		h.say("/pause 2d")
		r := h.say("/stats")
		if r.File == nil || r.File.Type != "image/png" || r.File.Name != "2026-11.png" {
			t.Fatalf("/stats sent no picture: %q", r.Text)
		}
		img, err := png.Decode(bytes.NewReader(r.File.Data))
		if err != nil {
			t.Fatalf("the picture does not decode: %v", err)
		}
		if w := img.Bounds().Dx(); w < 600 {
			t.Errorf("picture %d px wide, too small to read on a phone", w)
		}
		for _, want := range []string{"November 2026", "2 sessions on 2 days", "1 day with a needle over 0.25 mm", "2 break days", "Europe/Berlin"} {
			if !strings.Contains(r.File.Alt, want) {
				t.Errorf("alt text %q lacks %q", r.File.Alt, want)
			}
		}
		contains(t, r, "The picture: November 2026", "/month 2026-10")
		m := h.say("/month 2026-10")
		if m.File == nil || !strings.HasPrefix(m.File.Alt, "October 2026: no sessions") {
			t.Errorf("/month 2026-10 = %q", m.Text)
		}
		for _, bad := range []string{"/month nov", "/month 2027-01", "/month 1999-12", "/month 2026-13", "/month '; DROP"} {
			if r := h.say(bad); r.File != nil || !strings.Contains(r.Text, "month") {
				t.Errorf("%s = %q with a file %v", bad, r.Text, r.File != nil)
			}
		}
	})
}
