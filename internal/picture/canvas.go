package picture

import (
	"image"
	"image/color"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// levels is the number of steps partial coverage is quantised to: with 8, an
// edge between two colours adds at most 7 blends to the palette, few enough to
// keep the busiest picture's colours well within 256 (TestPalette), and text
// still looks smooth at three times its size.
const levels = 8

// canvas paints opaque colours onto a paletted image. Anti-aliased shapes and
// text arrive as coverage masks; each partly covered pixel gets the blend of its
// colour and the paint at the quantised coverage, added to the palette the
// first time it is needed.
type canvas struct {
	img   *image.Paletted
	index map[color.RGBA]uint8 // palette entry of each colour in it
	mixes map[uint32]uint8     // blend of (under, paint, level) to its entry
	ras   vector.Rasterizer
	mask  image.Alpha // scratch coverage for shapes
}

func newCanvas(w, h int, bg color.RGBA) *canvas {
	c := &canvas{
		img:   image.NewPaletted(image.Rect(0, 0, w, h), make(color.Palette, 0, 256)),
		index: make(map[color.RGBA]uint8, 256),
		mixes: make(map[uint32]uint8, 1024),
	}
	c.entry(bg) // entry 0, which the zeroed pixels already hold
	return c
}

// entry returns the palette entry of col, adding it while the palette has room
// and falling back to the nearest entry once it is full.
func (c *canvas) entry(col color.RGBA) uint8 {
	if i, ok := c.index[col]; ok {
		return i
	}
	if len(c.img.Palette) == 256 {
		i := uint8(c.img.Palette.Index(col))
		c.index[col] = i
		return i
	}
	i := uint8(len(c.img.Palette))
	c.img.Palette = append(c.img.Palette, col)
	c.index[col] = i
	return i
}

// paint paints col through mask: the pixel at p in r gets the coverage of the
// mask pixel at p - r.Min + mp.
func (c *canvas) paint(r image.Rectangle, mask *image.Alpha, mp image.Point, col color.RGBA) {
	clip := r.Intersect(c.img.Rect)
	mp = mp.Add(clip.Min.Sub(r.Min))
	src := c.entry(col)
	for y := clip.Min.Y; y < clip.Max.Y; y++ {
		dst := c.img.Pix[c.img.PixOffset(clip.Min.X, y):][:clip.Dx()]
		cov := mask.Pix[mask.PixOffset(mp.X, mp.Y+y-clip.Min.Y):][:len(dst)]
		for x, a := range cov {
			switch level := (uint32(a)*levels + 127) / 255; level {
			case 0:
			case levels:
				dst[x] = src
			default:
				dst[x] = c.mix(dst[x], src, level)
			}
		}
	}
}

// mix returns the entry of the colour of entry under covered by entry paint at
// level/levels.
func (c *canvas) mix(under, paint uint8, level uint32) uint8 {
	if under == paint {
		return under
	}
	key := uint32(under)<<16 | uint32(paint)<<8 | level
	if i, ok := c.mixes[key]; ok {
		return i
	}
	u, p := c.img.Palette[under].(color.RGBA), c.img.Palette[paint].(color.RGBA)
	blend := func(u, p uint8) uint8 {
		return uint8((uint32(u)*(levels-level) + uint32(p)*level + levels/2) / levels)
	}
	i := c.entry(color.RGBA{blend(u.R, p.R), blend(u.G, p.G), blend(u.B, p.B), 0xff})
	c.mixes[key] = i
	return i
}

// shape paints col over the path that path traces with the rasterizer, which
// is set up to cover r: its coordinates are relative to r.Min.
func (c *canvas) shape(r image.Rectangle, col color.RGBA, path func(z *vector.Rasterizer)) {
	w, h := r.Dx(), r.Dy()
	c.ras.Reset(w, h)
	path(&c.ras)
	if n := w * h; cap(c.mask.Pix) < n {
		c.mask.Pix = make([]uint8, n)
	} else {
		clear(c.mask.Pix[:n])
		c.mask.Pix = c.mask.Pix[:n]
	}
	c.mask.Stride, c.mask.Rect = w, image.Rect(0, 0, w, h)
	c.ras.Draw(&c.mask, c.mask.Rect, image.Opaque, image.Point{})
	c.paint(r, &c.mask, image.Point{}, col)
}

// text paints s in col with its baseline starting at (x, y) and returns the x
// where it ends.
func (c *canvas) text(face font.Face, x, y int, s string, col color.RGBA) int {
	dot := fixed.P(x, y)
	prev := rune(-1)
	for _, r := range s {
		if prev >= 0 {
			dot.X += face.Kern(prev, r)
		}
		dr, mask, mp, advance, ok := face.Glyph(dot, r)
		if !ok {
			dr, mask, mp, advance, _ = face.Glyph(dot, '?')
		}
		// The faces come from golang.org/x/image/font/opentype, whose masks
		// are always an *image.Alpha.
		if a, isAlpha := mask.(*image.Alpha); isAlpha && !dr.Empty() {
			c.paint(dr, a, mp, col)
		}
		dot.X += advance
		prev = r
	}
	return dot.X.Round()
}

// measure is the advance of s in face, rounded to pixels.
func measure(face font.Face, s string) int {
	return font.MeasureString(face, s).Round()
}
