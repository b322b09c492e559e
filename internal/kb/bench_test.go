package kb

import (
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// benchQuestions are a few hundred messages of every kind, from examples.md.
func benchQuestions(b *testing.B) []string {
	b.Helper()
	var out []string
	for i, line := range strings.Split(string(defaultExamples), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") && i%20 == 0 {
			out = append(out, line)
		}
	}
	return out
}

func BenchmarkSearch(b *testing.B) {
	k := Default()
	b.ReportAllocs()
	for b.Loop() {
		k.Search("how often can I use my dermaroller with a peptide serum?")
	}
}

// BenchmarkSearchLatency reads a few hundred messages of every kind and reports the median
// and the 99th percentile of one Search.
func BenchmarkSearchLatency(b *testing.B) {
	k := Default()
	qs := benchQuestions(b)
	var took []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		for _, q := range qs {
			start := time.Now()
			k.Search(q)
			took = append(took, time.Since(start))
		}
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(took[len(took)*99/100].Nanoseconds()), "p99-ns")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkDefault is what start-up pays for the knowledge base: parsing both files and
// decoding the embedded model. It reports the heap the knowledge base keeps.
func BenchmarkDefault(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Default()
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	k := Default()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB-kept")
	runtime.KeepAlive(k)
}

// BenchmarkTrain is what loading a knowledge base of one's own (BOT_KB_FILE) costs: the model
// is trained then.
func BenchmarkTrain(b *testing.B) {
	c := Default().clf
	exs, groups := c.examples()
	b.ReportAllocs()
	for b.Loop() {
		train(c.f, exs, groups, defaultTrain)
	}
	b.ReportMetric(float64(len(exs)), "examples")
}
