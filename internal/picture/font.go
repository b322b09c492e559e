package picture

import (
	"fmt"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
)

// fonts parses the embedded Go Regular and Go Bold on first use, once per
// process (parsing both takes about 5 µs: opentype reads tables lazily).
var fonts = sync.OnceValues(func() ([2]*opentype.Font, error) {
	var fs [2]*opentype.Font
	for i, ttf := range [][]byte{goregular.TTF, gobold.TTF} {
		f, err := opentype.Parse(ttf)
		if err != nil {
			return fs, fmt.Errorf("picture: parse the embedded font: %w", err)
		}
		fs[i] = f
	}
	return fs, nil
})

// faces are the sizes of type a picture uses. A face is not safe for
// concurrent use, so each drawing makes its own; making one is cheap, since
// the parsed font is shared.
type faces struct {
	title, day, head, small, week, bang font.Face
}

func newFaces() (faces, error) {
	fs, err := fonts()
	if err != nil {
		return faces{}, err
	}
	regular, bold := fs[0], fs[1]
	face := func(f *opentype.Font, size float64) font.Face {
		// NewFace fails only for a nil font.
		fc, _ := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
		return fc
	}
	return faces{
		title: face(bold, 34),
		day:   face(bold, 20),
		head:  face(bold, 17),
		small: face(regular, 17),
		week:  face(bold, 21),
		bang:  face(bold, 14),
	}, nil
}
