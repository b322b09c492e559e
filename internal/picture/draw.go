package picture

import (
	"image"
	"image/color"
	"strconv"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/vector"
)

// The colours. The page is a near-white card with near-black text, so the
// picture reads the same on a light or a dark chat theme; the session shades
// darken in one sequence from grey through teal to navy, and orange is kept
// for warnings.
var (
	paper    = rgb(0xfbfbf9)
	ink      = rgb(0x1a1d21)  // text on the page and on light squares
	muted    = rgb(0x56606b)  // secondary text: 6.2:1 on the paper
	inkLight = rgb(0xffffff)  // text on dark squares
	shades   = [4]color.RGBA{ // squares with 0, 1, 2 and 3 or more sessions
		rgb(0xe3e7eb), rgb(0x8fd1d0), rgb(0x2b83ba), rgb(0x0b2f6b),
	}
	breakFill  = rgb(0xeef0f2) // a break day with no session, under its hatching
	breakHatch = rgb(0x98a2ad)
	toCome     = rgb(0xc3cad2) // the outline of a day still to come
	warn       = rgb(0xe06c00) // marks (a big needle, irritation, a week over the limit): 3.2:1 on the paper
	warnText   = rgb(0xa64400) // the same warning, dark enough for text: 5.9:1 on the paper
	ring       = rgb(0x111418) // today's outline
)

func rgb(v uint32) color.RGBA {
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}
}

// The layout, in pixels. Rows are calendar weeks, Monday first; the column
// right of the grid holds each week's count against the limit.
const (
	width    = 720
	margin   = 28
	cell     = 72 // a day's square
	gap      = 10 // between squares: room for today's ring
	pitch    = cell + gap
	radius   = 8 // of a square's corners
	titleY   = margin + 32
	titleGap = 24          // the least room between the title and the zone
	headY    = titleY + 44 // baseline of the weekday initials
	gridTop  = headY + 14
	weekX    = margin + 7*pitch - gap + 14 // the week column
	legendDY = 34                          // from one legend line to the next
)

// height is the height of a picture of rows weeks.
func height(rows int) int {
	return legendY(rows) + 2*legendDY + 12 + margin - 6
}

// legendY is the middle of the first of the legend's three lines.
func legendY(rows int) int {
	return gridTop + rows*pitch - gap + 36
}

// square is the square of the day at index i of the grid, counted from the
// first row's Monday.
func square(i int) image.Rectangle {
	x, y := margin+i%7*pitch, gridTop+i/7*pitch
	return image.Rect(x, y, x+cell, y+cell)
}

// weekBar is where the mark of a week over the limit stands at the end of row.
func weekBar(row int) image.Rectangle {
	y := gridTop + row*pitch
	return image.Rect(weekX, y+6, weekX+6, y+cell-6)
}

// draw paints the picture of a valid m.
func draw(m Month) (*image.Paletted, error) {
	f, err := newFaces()
	if err != nil {
		return nil, err
	}
	lead, rows := layoutRows(m.Year, m.Month)
	c := newCanvas(width, height(rows), paper)

	end := c.text(f.title, margin, titleY, m.Month.String()+" "+strconv.Itoa(m.Year), ink)
	if m.Zone != "" {
		// Right-aligned in the room beside the title: with its label when
		// both fit, else alone and, if need be, shortened.
		room := width - margin - end - titleGap
		label, zone := "Time zone: ", m.Zone
		if measure(f.small, label)+measure(f.head, zone) > room {
			label, zone = "", shorten(f.head, zone, room)
		}
		x := width - margin - measure(f.small, label) - measure(f.head, zone)
		x = c.text(f.small, x, titleY, label, muted)
		c.text(f.head, x, titleY, zone, ink)
	}
	for i, d := range "MTWTFSS" {
		s := string(d)
		c.text(f.head, margin+i*pitch+(cell-measure(f.head, s))/2, headY, s, muted)
	}
	c.text(f.small, weekX, headY, "week", muted)

	for i, d := range m.Days {
		day := i + 1
		st := state{today: day == m.Today, toCome: m.Today > 0 && day > m.Today}
		drawDay(c, f, square(lead+i), day, d, st)
	}
	for row, n := range weekTotals(m) {
		drawWeek(c, f, row, n, m.WeekLimit)
	}
	drawLegend(c, f, legendY(rows), m.WeekLimit)
	return c.img, nil
}

// shorten drops the start of s, which it marks with "…", until it is at
// most room wide in face: the end of a zone name (the city) says the most.
func shorten(face font.Face, s string, room int) string {
	for cut := s; measure(face, s) > room && cut != ""; {
		_, n := utf8.DecodeRuneInString(cut)
		cut = cut[n:]
		s = "…" + cut
	}
	return s
}

// state is where a day stands relative to today.
type state struct {
	today  bool // outlined
	toCome bool // after today: an empty day is not missed yet
}

// drawDay draws day d, the day'th of the month, in its square r.
func drawDay(c *canvas, f faces, r image.Rectangle, day int, d Day, st state) {
	fill := shades[min(d.Sessions, len(shades)-1)]
	text := ink
	if d.Sessions >= 2 {
		text = inkLight
	}
	num := strconv.Itoa(day)
	switch {
	case d.Break:
		stripes := paper
		if d.Sessions == 0 {
			fill, stripes = breakFill, breakHatch
		}
		fillSquare(c, r, radius, fill)
		hatch(c, r, stripes)
		// A clear patch keeps the day's number legible.
		fillSquare(c, image.Rect(r.Min.X+4, r.Min.Y+5, r.Min.X+14+measure(f.day, num), r.Min.Y+33), 5, fill)
	case st.toCome && d.Sessions == 0:
		outline(c, r, radius, 2, toCome)
		text = muted
	default:
		fillSquare(c, r, radius, fill)
	}
	if st.today {
		outline(c, r.Inset(-5), radius+5, 3, ring)
	}
	c.text(f.day, r.Min.X+9, r.Min.Y+26, num, text)
	if d.MaxNeedle > BigNeedle {
		needleCorner(c, r, 24, radius)
	}
	if d.Sessions >= 2 {
		s := "×" + strconv.Itoa(d.Sessions)
		c.text(f.small, r.Max.X-9-measure(f.small, s), r.Max.Y-11, s, text)
	}
	checkMark(c, f, r.Min.X+17, r.Max.Y-17, d.Check, text)
}

// drawWeek writes a row's count against the limit at its end: muted while
// within it, and with a warning bar and in bold warning colour over it.
func drawWeek(c *canvas, f faces, row, n, limit int) {
	if n == 0 {
		return
	}
	s := strconv.Itoa(n) + "/" + strconv.Itoa(limit)
	bar := weekBar(row)
	y := bar.Min.Y + (bar.Dy()+14)/2
	if n <= limit {
		c.text(f.small, weekX+14, y, s, muted)
		return
	}
	fillSquare(c, bar, 3, warn)
	c.text(f.week, weekX+14, y, s, warnText)
}

// drawLegend explains every mark on three lines, the first centred at y.
func drawLegend(c *canvas, f faces, y, limit int) {
	const sw = 20 // a swatch's side
	x := margin
	// item draws a swatch w wide at x with mark and labels it.
	item := func(w int, mark func(box image.Rectangle), label string) {
		mark(image.Rect(x, y-sw/2, x+w, y+sw/2))
		x = c.text(f.small, x+w+7, y+6, label, ink) + 22
	}
	heading := func(s string) {
		x = c.text(f.small, x, y+6, s, ink) + 12
	}
	square := func(col color.RGBA) func(image.Rectangle) {
		return func(box image.Rectangle) { fillSquare(c, box, 4, col) }
	}

	heading("Sessions a day:")
	for i, s := range []string{"0", "1", "2", "3+"} {
		item(sw, square(shades[i]), s)
		x -= 8
	}
	x += 24
	item(6, func(box image.Rectangle) { fillSquare(c, box, 2, warn) }, "week over "+strconv.Itoa(limit))

	x, y = margin, y+legendDY
	item(sw, func(box image.Rectangle) {
		fillSquare(c, box, 4, breakFill)
		hatch(c, box, breakHatch)
	}, "break")
	x += 3
	item(sw+3, func(box image.Rectangle) {
		box.Max.X -= 3
		fillSquare(c, box, 4, shades[0])
		outline(c, box.Inset(-3), 7, 2, ring)
	}, "today")
	item(sw, func(box image.Rectangle) { outline(c, box, 4, 2, toCome) }, "to come")
	item(sw, func(box image.Rectangle) {
		fillSquare(c, box, 4, shades[0])
		needleCorner(c, box, 11, 4)
	}, "needle over 0.25 mm")

	x, y = margin, y+legendDY
	heading("Check-in:")
	for _, k := range []struct {
		check Check
		name  string
	}{{CheckFine, "fine"}, {CheckRed, "a bit red"}, {CheckIrritated, "irritated"}} {
		item(sw, func(box image.Rectangle) { checkMark(c, f, box.Min.X+sw/2, y, k.check, ink) }, k.name)
	}
}

// checkMark draws a check-in answer centred at (x, y): a ring for fine, a dot
// for a bit red (both in col, the colour of the day's text) and a warning disc
// with "!" for irritated.
func checkMark(c *canvas, f faces, x, y int, k Check, col color.RGBA) {
	switch k {
	case CheckFine:
		disc(c, x, y, 7, 2.5, col)
	case CheckRed:
		disc(c, x, y, 7, 0, col)
	case CheckIrritated:
		disc(c, x, y, 10, 0, ring)
		disc(c, x, y, 8.5, 0, warn)
		c.text(f.bang, x-measure(f.bang, "!")/2, y+5, "!", ring)
	}
}

// fillSquare fills r with rounded corners.
func fillSquare(c *canvas, r image.Rectangle, rad float32, col color.RGBA) {
	c.shape(r, col, func(z *vector.Rasterizer) {
		roundRect(z, 0, 0, float32(r.Dx()), float32(r.Dy()), rad, false)
	})
}

// outline draws a line of width w just inside the rounded edge of r.
func outline(c *canvas, r image.Rectangle, rad, w float32, col color.RGBA) {
	c.shape(r, col, func(z *vector.Rasterizer) {
		x1, y1 := float32(r.Dx()), float32(r.Dy())
		roundRect(z, 0, 0, x1, y1, rad, false)
		roundRect(z, w, w, x1-w, y1-w, max(rad-w, 0), true)
	})
}

// hatch draws diagonal stripes across r, inset so that they stay within the
// rounded corners of a square filling r.
func hatch(c *canvas, r image.Rectangle, col color.RGBA) {
	r = r.Inset(max(r.Dx()/24, 1))
	const stripe, every = 2.5, 9
	c.shape(r, col, func(z *vector.Rasterizer) {
		h := float32(r.Dy())
		for x := -h; x < float32(r.Dx()); x += every {
			z.MoveTo(x, 0)
			z.LineTo(x+stripe, 0)
			z.LineTo(x+stripe+h, h)
			z.LineTo(x+h, h)
			z.ClosePath()
		}
	})
}

// needleCorner marks the top-right corner of the square r, its legs size long.
func needleCorner(c *canvas, r image.Rectangle, size int, rad float32) {
	c.shape(image.Rect(r.Max.X-size, r.Min.Y, r.Max.X, r.Min.Y+size), warn, func(z *vector.Rasterizer) {
		s := float32(size)
		z.MoveTo(0, 0)
		z.LineTo(s-rad, 0)
		arc(z, s-rad, 0, s, 0, s, rad)
		z.LineTo(s, s)
		z.ClosePath()
	})
}

// disc draws a circle of radius rad centred at (x, y): filled when w is 0,
// otherwise a ring of width w.
func disc(c *canvas, x, y int, rad, w float32, col color.RGBA) {
	n := int(rad) + 1
	c.shape(image.Rect(x-n, y-n, x+n, y+n), col, func(z *vector.Rasterizer) {
		o := float32(n)
		roundRect(z, o-rad, o-rad, o+rad, o+rad, rad, false)
		if w > 0 {
			in := rad - w
			roundRect(z, o-in, o-in, o+in, o+in, in, true)
		}
	})
}

// roundRect adds the rectangle (x0, y0)-(x1, y1) with corners of radius rad
// to the path, clockwise on the screen or, reversed, anticlockwise to cut a
// hole in a clockwise one. A square with rad half its side is a circle.
func roundRect(z *vector.Rasterizer, x0, y0, x1, y1, rad float32, reversed bool) {
	if !reversed {
		z.MoveTo(x0+rad, y0)
		z.LineTo(x1-rad, y0)
		arc(z, x1-rad, y0, x1, y0, x1, y0+rad)
		z.LineTo(x1, y1-rad)
		arc(z, x1, y1-rad, x1, y1, x1-rad, y1)
		z.LineTo(x0+rad, y1)
		arc(z, x0+rad, y1, x0, y1, x0, y1-rad)
		z.LineTo(x0, y0+rad)
		arc(z, x0, y0+rad, x0, y0, x0+rad, y0)
	} else {
		z.MoveTo(x0+rad, y0)
		arc(z, x0+rad, y0, x0, y0, x0, y0+rad)
		z.LineTo(x0, y1-rad)
		arc(z, x0, y1-rad, x0, y1, x0+rad, y1)
		z.LineTo(x1-rad, y1)
		arc(z, x1-rad, y1, x1, y1, x1, y1-rad)
		z.LineTo(x1, y0+rad)
		arc(z, x1, y0+rad, x1, y0, x1-rad, y0)
	}
	z.ClosePath()
}

// arc adds a quarter circle from (ax, ay) to (bx, by), the pen being at
// (ax, ay), bending around the corner (px, py) of the square they share.
func arc(z *vector.Rasterizer, ax, ay, px, py, bx, by float32) {
	const k = 0.5523 // the cubic Bézier closest to a quarter circle
	z.CubeTo(ax+(px-ax)*k, ay+(py-ay)*k, bx+(px-bx)*k, by+(py-by)*k, bx, by)
}
