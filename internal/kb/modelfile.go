package kb

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// The built-in knowledge base's model is trained ahead of time and embedded (model.bin), so
// the bot starts in milliseconds; `go test ./internal/kb -update` retrains it after an edit,
// and a test fails while it is stale. Any other file is trained when it is loaded.

//go:embed model.bin
var defaultModel []byte

// modelVersion changes whenever training or the features change, so that an old model.bin
// is never used with new code.
const modelVersion = "needlebot-model-2"

// modelKey identifies the inputs a model was trained from.
func modelKey(file []byte) [sha256.Size]byte {
	return sha256.Sum256(append([]byte(modelVersion+"\x00"+fmt.Sprintf("%+v", defaultTrain)+"\x00"), file...))
}

var errStaleModel = errors.New("kb: model.bin was trained from another knowledge base")

// encodeModel writes m with the key of its inputs. Weights are stored as int8 with one scale
// per class, which changes no prediction that matters and keeps the file small.
func encodeModel(w io.Writer, key [sha256.Size]byte, m *model) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(zw)
	var buf [binary.MaxVarintLen64]byte
	uv := func(x uint64) { bw.Write(buf[:binary.PutUvarint(buf[:], x)]) }
	f32 := func(x float32) { binary.Write(bw, binary.LittleEndian, x) }
	str := func(s string) { uv(uint64(len(s))); bw.WriteString(s) }

	bw.Write(key[:])
	uv(uint64(m.classes))
	terms := make([]string, 0, len(m.terms))
	for t := range m.terms {
		terms = append(terms, t)
	}
	slices.Sort(terms)
	uv(uint64(len(terms)))
	for _, t := range terms {
		s := m.terms[t]
		str(t)
		uv(uint64(s.df))
		uv(uint64(s.answer))
	}
	for _, b := range m.bias {
		f32(b)
	}
	scale := make([]float32, m.classes)
	for r := range len(m.rows) {
		for c, x := range m.w[r*m.classes:][:m.classes] {
			scale[c] = max(scale[c], float32(math.Abs(float64(x))))
		}
	}
	for c := range scale {
		scale[c] /= 127
		f32(scale[c])
	}
	ids := make([]uint64, 0, len(m.rows))
	for id := range m.rows {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	uv(uint64(len(ids)))
	var prev uint64
	for _, id := range ids {
		uv(id - prev)
		prev = id
		for c, x := range m.w[int(m.rows[id])*m.classes:][:m.classes] {
			q := 0.0
			if scale[c] > 0 {
				q = math.Round(float64(x / scale[c]))
			}
			bw.WriteByte(byte(int8(q)))
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

// decodeModel reads a model written by encodeModel, checking that it was trained from key.
func decodeModel(data []byte, key [sha256.Size]byte) (*model, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("kb: model: %w", err)
	}
	br := bufio.NewReader(zr)
	var got [sha256.Size]byte
	if _, err := io.ReadFull(br, got[:]); err != nil {
		return nil, fmt.Errorf("kb: model: %w", err)
	}
	if got != key {
		return nil, errStaleModel
	}
	var rerr error
	uv := func() uint64 {
		x, err := binary.ReadUvarint(br)
		if err != nil && rerr == nil {
			rerr = err
		}
		return x
	}
	f32 := func() float32 {
		var x float32
		if err := binary.Read(br, binary.LittleEndian, &x); err != nil && rerr == nil {
			rerr = err
		}
		return x
	}
	str := func() string {
		b := make([]byte, uv())
		if _, err := io.ReadFull(br, b); err != nil && rerr == nil {
			rerr = err
		}
		return string(b)
	}
	m := &model{classes: int(uv()), terms: map[string]termStats{}, rows: map[uint64]int32{}}
	for range uv() {
		t := str()
		m.terms[t] = termStats{df: float32(uv()), answer: float32(uv())}
	}
	m.bias = make([]float32, m.classes)
	for c := range m.bias {
		m.bias[c] = f32()
	}
	scale := make([]float32, m.classes)
	for c := range scale {
		scale[c] = f32()
	}
	n := int(uv())
	if rerr != nil {
		return nil, fmt.Errorf("kb: model: %w", rerr)
	}
	m.w = make([]float32, n*m.classes)
	row := make([]byte, m.classes)
	var id uint64
	for r := range n {
		id += uv()
		m.rows[id] = int32(r)
		if _, err := io.ReadFull(br, row); err != nil {
			return nil, fmt.Errorf("kb: model: %w", err)
		}
		for c, q := range row {
			m.w[r*m.classes+c] = float32(int8(q)) * scale[c]
		}
	}
	if rerr != nil {
		return nil, fmt.Errorf("kb: model: %w", rerr)
	}
	return m, nil
}
