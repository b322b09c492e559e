package kb

import (
	"bytes"
	"flag"
	"math"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "retrain model.bin from knowledge.md and examples.md")

// TestModelUpToDate checks that the embedded model is the one the built-in files train, so an
// edit to knowledge.md or examples.md without `go test ./internal/kb -update` fails here
// rather than slowing every start-up with training.
func TestModelUpToDate(t *testing.T) {
	k, err := ParseWithExamples(defaultFile, DefaultName, defaultExamples, ExamplesName)
	if err != nil {
		t.Fatal(err)
	}
	c := k.clf
	exs, groups := c.examples()
	fresh := train(c.f, exs, groups, defaultTrain)
	key := modelKey(append(append([]byte(nil), defaultFile...), defaultExamples...))
	if *update {
		var buf bytes.Buffer
		if err := encodeModel(&buf, key, fresh); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("model.bin", buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote model.bin: %d bytes, %d features, %d classes", buf.Len(), len(fresh.rows), fresh.classes)
		return
	}
	embedded, err := decodeModel(defaultModel, key)
	if err != nil {
		t.Fatalf("%v: run go test ./internal/kb -update", err)
	}
	// The embedded weights are rounded to int8; what matters is that they decide as the freshly
	// trained ones do.
	var differ int
	for _, ex := range exs {
		words, terms := fresh.analyse(c.f, ex.text)
		x := c.f.vector(words, terms)
		a, b := fresh.predict(x), embedded.predict(x)
		if argmax(a) != argmax(b) {
			differ++
		}
		for i := range a {
			if math.Abs(a[i]-b[i]) > 0.05 {
				t.Fatalf("model.bin gives %.3f for class %d of %q, training gives %.3f: run go test ./internal/kb -update", b[i], i, ex.text, a[i])
			}
		}
	}
	if differ > 0 {
		t.Fatalf("model.bin decides %d of %d examples differently from training: run go test ./internal/kb -update", differ, len(exs))
	}
}

func argmax(p []float64) int {
	best := 0
	for i := range p {
		if p[i] > p[best] {
			best = i
		}
	}
	return best
}
