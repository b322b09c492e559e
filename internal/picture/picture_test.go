package picture

import (
	"errors"
	"image"
	"image/color"
	"math"
	"strings"
	"sync"
	"testing"
	"time"
)

// at is the colour of the pixel at (x, y) as color.RGBA.
func at(img image.Image, x, y int) color.RGBA {
	r, g, b, a := img.At(x, y).RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
}

// render renders m and decodes the PNG.
func render(t *testing.T, m Month) image.Image {
	t.Helper()
	data, err := Render(m)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, data)
}

// squareOf is the square of day (1-based) in m.
func squareOf(m Month, day int) image.Rectangle {
	lead, _ := layoutRows(m.Year, m.Month)
	return square(lead + day - 1)
}

// centre is a pixel in the middle of a day's square, clear of its number and
// its marks.
func centre(r image.Rectangle) image.Point {
	return image.Pt(r.Min.X+cell/2, r.Min.Y+cell/2)
}

func TestSize(t *testing.T) {
	for _, tc := range []struct {
		m    Month
		rows int
	}{{february(), 4}, {busy(), 5}, {example(), 6}} {
		img := render(t, tc.m)
		if got, want := img.Bounds().Size(), image.Pt(width, height(tc.rows)); got != want {
			t.Errorf("%s %d: size %v, want %v (%d rows)", tc.m.Month, tc.m.Year, got, want, tc.rows)
		}
	}
}

func TestOpaque(t *testing.T) {
	img := render(t, busy())
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if a := at(img, x, y).A; a != 0xff {
				t.Fatalf("pixel (%d, %d) has alpha %d: the picture must be opaque for dark and light themes", x, y, a)
			}
		}
	}
}

func TestToday(t *testing.T) {
	m := example() // today is the 18th
	img := render(t, m)
	for day, want := range map[int]color.RGBA{18: ring, 17: paper, 19: paper} {
		r := squareOf(m, day)
		mid := (r.Min.X + r.Max.X) / 2
		for _, p := range []image.Point{{mid, r.Min.Y - 4}, {mid, r.Max.Y + 3}, {r.Min.X - 4, r.Min.Y + cell/2}, {r.Max.X + 3, r.Min.Y + cell/2}} {
			if got := at(img, p.X, p.Y); got != want {
				t.Errorf("day %d: pixel %v just outside the square is %v, want %v", day, p, got, want)
			}
		}
	}
}

func TestShades(t *testing.T) {
	m := month(2026, time.November, "", 0, 5)
	for i, n := range []int{0, 1, 2, 3, 7} {
		m.Days[i].Sessions = n
	}
	img := render(t, m)
	for i, want := range []color.RGBA{shades[0], shades[1], shades[2], shades[3], shades[3]} {
		p := centre(squareOf(m, i+1))
		if got := at(img, p.X, p.Y); got != want {
			t.Errorf("day %d with %d sessions is %v, want %v", i+1, m.Days[i].Sessions, got, want)
		}
	}
	if at(img, centre(squareOf(m, 1)).X, centre(squareOf(m, 1)).Y) == at(img, centre(squareOf(m, 3)).X, centre(squareOf(m, 3)).Y) {
		t.Error("a day with no session looks like one with two")
	}
}

// TestToCome checks that the days after today are drawn as not yet come,
// unlike a missed day, unless they hold something.
func TestToCome(t *testing.T) {
	m := example()            // today is the 18th; the 17th was missed
	m.Days[25-1].Sessions = 1 // a session logged ahead of time still shows
	img := render(t, m)
	for day, want := range map[int]color.RGBA{17: shades[0], 19: paper, 25: shades[1]} {
		p := centre(squareOf(m, day))
		if got := at(img, p.X, p.Y); got != want {
			t.Errorf("day %d is %v, want %v", day, got, want)
		}
	}
	r := squareOf(m, 19)
	if got := at(img, r.Min.X+1, r.Min.Y+cell/2); got != toCome {
		t.Errorf("the edge of day 19 to come is %v, want its outline %v", got, toCome)
	}
}

func TestWeekMark(t *testing.T) {
	m := example() // the row of 2 to 8 November holds 6 sessions
	img := render(t, m)
	for row, want := range map[int]color.RGBA{1: warn, 0: paper, 2: paper} {
		bar := weekBar(row)
		p := image.Pt((bar.Min.X+bar.Max.X)/2, (bar.Min.Y+bar.Max.Y)/2)
		if got := at(img, p.X, p.Y); got != want {
			t.Errorf("row %d: the week mark is %v, want %v", row, got, want)
		}
	}
	// Right of the bar the count is written in the warning's text colour.
	if !hasColour(img, image.Rect(weekX+10, weekBar(1).Min.Y, width-margin, weekBar(1).Max.Y), warnText) {
		t.Error("the row over the limit has no count in the warning colour")
	}
	if hasColour(img, image.Rect(weekX+10, weekBar(2).Min.Y, width-margin, weekBar(2).Max.Y), warnText) {
		t.Error("a row within the limit has text in the warning colour")
	}
}

// TestWeekSpill checks that sessions in the neighbouring months count toward
// the first and last rows.
func TestWeekSpill(t *testing.T) {
	m := month(2026, time.October, "", 0, 5) // 1 October is a Thursday, 31 a Saturday
	m.Days[0].Sessions, m.Days[30].Sessions = 1, 1
	bar := func(img image.Image, row int) color.RGBA {
		r := weekBar(row)
		return at(img, r.Min.X+3, r.Min.Y+r.Dy()/2)
	}
	img := render(t, m)
	if bar(img, 0) != paper || bar(img, 4) != paper {
		t.Fatal("a week with 1 session is marked")
	}
	m.SessionsBefore, m.SessionsAfter = 5, 5
	img = render(t, m)
	if bar(img, 0) != warn || bar(img, 4) != warn {
		t.Error("the sessions of the days outside the month do not count toward their week")
	}
}

func TestBreak(t *testing.T) {
	m := month(2026, time.November, "", 0, 5)
	m.Days[2-1].Break = true
	m.Days[3-1].Break, m.Days[3-1].Sessions = true, 1
	img := render(t, m)
	// A line across the lower half of the square, below the number.
	line := func(day int) image.Rectangle {
		r := squareOf(m, day)
		return image.Rect(r.Min.X+6, r.Min.Y+50, r.Max.X-6, r.Min.Y+51)
	}
	if !hasColour(img, line(2), breakHatch) || hasColour(img, line(2), shades[0]) {
		t.Error("a break day is not hatched")
	}
	if hasColour(img, line(4), breakHatch) || !hasColour(img, line(4), shades[0]) {
		t.Error("an empty day is hatched")
	}
	if !hasColour(img, line(3), paper) || !hasColour(img, line(3), shades[1]) {
		t.Error("a break day with a session does not show both its shade and its hatching")
	}
}

func TestMarks(t *testing.T) {
	m := month(2026, time.November, "", 0, 5)
	m.Days[2-1].MaxNeedle = 0.5
	m.Days[3-1].MaxNeedle = 0.25
	m.Days[4-1].Check = CheckFine
	m.Days[5-1].Check = CheckRed
	m.Days[6-1].Check = CheckIrritated
	m.Days[7-1].Check = CheckIrritated
	m.Days[7-1].Sessions = 3
	img := render(t, m)
	corner := func(day int) color.RGBA {
		r := squareOf(m, day)
		return at(img, r.Max.X-5, r.Min.Y+5)
	}
	if got := corner(2); got != warn {
		t.Errorf("a 0.5 mm needle's corner is %v, want %v", got, warn)
	}
	if got := corner(3); got != shades[0] {
		t.Errorf("a 0.25 mm needle's corner is %v, want %v: only longer needles are marked", got, shades[0])
	}
	// The check-in mark is centred 17 px in from the bottom-left corner.
	mark := func(day, dx int) color.RGBA {
		r := squareOf(m, day)
		return at(img, r.Min.X+17+dx, r.Max.Y-17)
	}
	for _, tc := range []struct {
		day  int
		want map[int]color.RGBA // by offset right of the mark's centre
	}{
		{1, map[int]color.RGBA{0: shades[0], 5: shades[0]}}, // none
		{4, map[int]color.RGBA{0: shades[0], 5: ink}},       // fine: a ring
		{5, map[int]color.RGBA{0: ink, 5: ink}},             // a bit red: a dot
		{6, map[int]color.RGBA{-5: warn, 0: ring, 5: warn}}, // irritated: "!" on a warning disc
		{7, map[int]color.RGBA{-5: warn, 0: ring, 5: warn}}, // on the darkest shade too
	} {
		for dx, want := range tc.want {
			if got := mark(tc.day, dx); got != want {
				t.Errorf("day %d: the check-in mark %d px right of its centre is %v, want %v", tc.day, dx, got, want)
			}
		}
	}
}

// hasColour reports whether any pixel of r in img has colour c.
func hasColour(img image.Image, r image.Rectangle, c color.RGBA) bool {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if at(img, x, y) == c {
				return true
			}
		}
	}
	return false
}

func TestShorten(t *testing.T) {
	f, err := newFaces()
	if err != nil {
		t.Fatal(err)
	}
	const zone = "America/Argentina/Buenos_Aires"
	if got := shorten(f.head, zone, 1000); got != zone {
		t.Errorf("shorten with room to spare: %q", got)
	}
	room := measure(f.head, "…Buenos_Aires")
	if got := shorten(f.head, zone, room); got != "…Buenos_Aires" {
		t.Errorf("shorten to %d px: %q, want %q", room, got, "…Buenos_Aires")
	}
	if got := shorten(f.head, zone, 0); got != "…" {
		t.Errorf("shorten to nothing: %q", got)
	}
}

// TestZoneFits checks that even the widest zone name leaves the title clear.
func TestZoneFits(t *testing.T) {
	f, err := newFaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, zone := range []string{"America/Argentina/ComodRivadavia", strings.Repeat("W", maxZone)} {
		m := month(2026, time.September, zone, 0, 5)
		img := render(t, m)
		x0 := margin + measure(f.title, "September 2026")
		clear := image.Rect(x0+1, titleY-30, x0+titleGap-1, titleY+8)
		for y := clear.Min.Y; y < clear.Max.Y; y++ {
			for x := clear.Min.X; x < clear.Max.X; x++ {
				if got := at(img, x, y); got != paper {
					t.Fatalf("zone %q: pixel (%d, %d) between the title and the zone is %v, want the paper", zone, x, y, got)
				}
			}
		}
		if zone == "America/Argentina/ComodRivadavia" && !hasColour(img, image.Rect(x0+titleGap, titleY-14, width-margin, titleY), muted) {
			t.Errorf("zone %q: the longest real zone name lost its label", zone)
		}
	}
}

// TestPalette checks that the busiest picture's colours fit the palette
// exactly, none of them approximated by the nearest entry of a full palette.
func TestPalette(t *testing.T) {
	img, err := draw(busy())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(img.Palette); n >= 256 {
		t.Errorf("the picture uses %d colours: the palette is full and some blends are approximated", n)
	}
}

func TestInvalid(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(m *Month)
		want string
	}{
		{"month 0", func(m *Month) { m.Month = 0 }, "month 0 is not 1 to 12"},
		{"month 13", func(m *Month) { m.Month = 13 }, "month 13 is not 1 to 12"},
		{"year 0", func(m *Month) { m.Year = 0 }, "year 0"},
		{"year 10000", func(m *Month) { m.Year = 10000 }, "year 10000"},
		{"too few days", func(m *Month) { m.Days = m.Days[:29] }, "November 2026 has 30 days, not 29"},
		{"too many days", func(m *Month) { m.Days = append(m.Days, Day{}) }, "has 30 days, not 31"},
		{"no days", func(m *Month) { m.Days = nil }, "has 30 days, not 0"},
		{"negative sessions", func(m *Month) { m.Days[4].Sessions = -1 }, "day 5 has -1 sessions"},
		{"too many sessions", func(m *Month) { m.Days[4].Sessions = 100 }, "day 5 has 100 sessions, not 0 to 99"},
		{"negative needle", func(m *Month) { m.Days[0].MaxNeedle = -0.5 }, "day 1 has a needle of -0.5 mm"},
		{"NaN needle", func(m *Month) { m.Days[0].MaxNeedle = math.NaN() }, "needle of NaN mm"},
		{"unknown check-in", func(m *Month) { m.Days[0].Check = 4 }, "check-in 4"},
		{"today past the end", func(m *Month) { m.Today = 31 }, "today is day 31"},
		{"negative today", func(m *Month) { m.Today = -1 }, "today is day -1"},
		{"long zone", func(m *Month) { m.Zone = strings.Repeat("Z", 41) }, "at most 40 printable characters"},
		{"zone with a newline", func(m *Month) { m.Zone = "Europe/\nParis" }, `zone "Europe/\nParis"`},
		{"no week limit", func(m *Month) { m.WeekLimit = 0 }, "week limit is 0"},
		{"negative sessions before", func(m *Month) { m.SessionsBefore = -1 }, "sessions before (-1)"},
		{"sessions before a Monday", func(m *Month) { m.Month, m.Year, m.Days = time.February, 2027, make([]Day, 28); m.SessionsBefore = 1 }, "starts on a Monday"},
		{"sessions after a Sunday", func(m *Month) { m.Month, m.Year, m.Days = time.February, 2027, make([]Day, 28); m.SessionsAfter = 1 }, "ends on a Sunday"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := month(2026, time.November, "Europe/Paris", 3, 5)
			tc.edit(&m)
			data, err := Render(m)
			if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Render: %v, want an ErrInvalid saying %q", err, tc.want)
			}
			if data != nil {
				t.Error("Render returned a picture with its error")
			}
			_ = Alt(m) // reads what it can, and does not panic
		})
	}
}

// TestConcurrent renders from several goroutines at once; under -race it
// checks that they share nothing but the parsed fonts.
func TestConcurrent(t *testing.T) {
	want, err := Render(busy())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			got, err := Render(busy())
			if err != nil || string(got) != string(want) {
				t.Errorf("a concurrent Render gave a different picture (err %v)", err)
			}
		})
	}
	wg.Wait()
}

func FuzzRender(f *testing.F) {
	f.Add(2026, 11, 0, 18, 5, 0, 0, int64(1))
	f.Add(2027, 2, 0, 0, 3, 0, 0, int64(2))
	f.Add(2026, 10, 0, 0, 5, 4, 2, int64(3))
	f.Add(2026, 13, 1, 40, 0, -1, 1000, int64(-4))
	f.Fuzz(func(t *testing.T, year, mon, extraDays, today, limit, before, after int, seed int64) {
		m := Month{Year: year, Month: time.Month(mon), Zone: "UTC", Today: today, WeekLimit: limit, SessionsBefore: before, SessionsAfter: after}
		if mon >= 1 && mon <= 12 && year >= 1 && year <= 9999 && extraDays > -32 && extraDays < 32 {
			n := max(daysIn(year, time.Month(mon))+extraDays, 0)
			m.Days = make([]Day, n)
			x := uint64(seed)
			for i := range m.Days {
				x = x*6364136223846793005 + 1442695040888963407 // a small LCG: the fuzzer picks the seed
				m.Days[i] = Day{
					Sessions:  int(x>>33%5) - int(x>>40%64/63), // mostly 0 to 4, sometimes -1
					MaxNeedle: float64(x>>45%8) / 8,
					Break:     x>>50%7 == 0,
					Check:     Check(x >> 53 % 5),
				}
			}
		}
		data, err := Render(m)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Render: %v, want an ErrInvalid", err)
			}
		} else if img := decode(t, data); img.Bounds().Dx() != width {
			t.Fatalf("the picture is %d wide, want %d", img.Bounds().Dx(), width)
		}
		if alt := Alt(m); strings.Contains(alt, "\n") {
			t.Fatalf("Alt has more than one line: %q", alt)
		}
	})
}

// BenchmarkRender measures the example and the busiest picture; bytes/png is
// the size of the PNG.
func BenchmarkRender(b *testing.B) {
	for name, m := range map[string]Month{"example": example(), "busy": busy()} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var data []byte
			for b.Loop() {
				var err error
				if data, err = Render(m); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(data)), "bytes/png")
		})
	}
}
