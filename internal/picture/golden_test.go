package picture

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden pictures in testdata")

// The tolerance of a golden comparison, so that a slightly different
// rasterisation of the same picture (a new version of golang.org/x/image)
// passes while a moved or recoloured mark fails.
const (
	channelTolerance = 8     // of 255, per colour channel
	pixelTolerance   = 0.005 // the share of pixels allowed past it
)

// TestGolden renders fixed months and compares them with testdata/NAME.png;
// -update rewrites those. testdata/example.png is also the picture shown in
// the docs. On a mismatch the new picture is saved in the test's artifact
// directory (go test -artifacts).
func TestGolden(t *testing.T) {
	for name, m := range map[string]Month{"example": example(), "busy": busy(), "february": february()} {
		t.Run(name, func(t *testing.T) {
			got, err := Render(m)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name+".png")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if msg := compare(decode(t, got), decode(t, want)); msg != "" {
				saved := filepath.Join(t.ArtifactDir(), name+".png")
				if err := os.WriteFile(saved, got, 0o644); err != nil {
					t.Error(err)
				}
				t.Errorf("%s differs from %s: %s; the new picture is %s (go test -update rewrites the golden)", name, path, msg, saved)
			}
		})
	}
}

// compare returns why got and want differ beyond the tolerance, or "".
func compare(got, want image.Image) string {
	if got.Bounds() != want.Bounds() {
		return fmt.Sprintf("size %v, want %v", got.Bounds().Size(), want.Bounds().Size())
	}
	b := got.Bounds()
	differ := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if !near(got.At(x, y), want.At(x, y)) {
				differ++
			}
		}
	}
	if share := float64(differ) / float64(b.Dx()*b.Dy()); share > pixelTolerance {
		return fmt.Sprintf("%.2f%% of the pixels differ", share*100)
	}
	return ""
}

// near reports whether a and b differ by at most channelTolerance in each channel.
func near(a, b color.Color) bool {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	const tol = channelTolerance * 0x101
	diff := func(p, q uint32) bool { return p > q+tol || q > p+tol }
	return !diff(ar, br) && !diff(ag, bg) && !diff(ab, bb)
}

func decode(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the PNG does not decode: %v", err)
	}
	return img
}
