package store

import (
	"encoding"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"
)

// The embedded store's journal is a file of records, one per write: the commands the store
// sent, with the time they ran at. A record on disk is
//
//	length uint32 | crc32c(payload) uint32 | payload
//
// and a payload is
//
//	now (unix ms) int64 | commands uint32 | per command: args uint32 | per arg: length uint32 | bytes
//
// all little-endian. Scripts are journalled as EVAL with their body, never EVALSHA, so that a
// replay needs no script cache.

// journalMagic opens every journal file, so that a stray file is never replayed.
const journalMagic = "NBJ1\n"

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// maxRecord bounds one record; a larger length field is corruption, not a record.
const maxRecord = 256 << 20

// record is one write: the commands one call sent (a transaction's MULTI and EXEC included),
// and the store's clock when it ran.
type jrecord struct {
	now  int64 // unix ms
	cmds [][]string
}

func (r jrecord) encode(buf []byte) []byte {
	start := len(buf)
	buf = append(buf, make([]byte, 8)...)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(r.now))
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(r.cmds)))
	for _, c := range r.cmds {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(c)))
		for _, a := range c {
			buf = binary.LittleEndian.AppendUint32(buf, uint32(len(a)))
			buf = append(buf, a...)
		}
	}
	payload := buf[start+8:]
	binary.LittleEndian.PutUint32(buf[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(buf[start+4:], crc32.Checksum(payload, crcTable))
	return buf
}

func decodeRecord(p []byte) (jrecord, error) {
	var r jrecord
	bad := errors.New("malformed record")
	if len(p) < 12 {
		return r, bad
	}
	r.now = int64(binary.LittleEndian.Uint64(p))
	n := binary.LittleEndian.Uint32(p[8:])
	p = p[12:]
	for range n {
		if len(p) < 4 {
			return r, bad
		}
		na := binary.LittleEndian.Uint32(p)
		p = p[4:]
		var c []string
		for range na {
			if len(p) < 4 {
				return r, bad
			}
			l := binary.LittleEndian.Uint32(p)
			p = p[4:]
			if uint32(len(p)) < l {
				return r, bad
			}
			c = append(c, string(p[:l]))
			p = p[l:]
		}
		r.cmds = append(r.cmds, c)
	}
	if len(p) != 0 {
		return r, bad
	}
	return r, nil
}

// readJournal returns the records of the journal at path. A last record cut short by a crash
// (too short, or failing its checksum with nothing after it) is dropped with a log line and
// cut off the file; damage anywhere before the last record is an error naming file and offset.
func readJournal(path string, log *slog.Logger, cut bool) ([]jrecord, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("store: read %s: %w", path, err)
	}
	corrupt := func(off int, why string) error {
		return fmt.Errorf("store: journal %s is corrupt at offset %d (%s); not starting without the writes after it: restore the data directory from a backup, or move the file away to lose them", path, off, why)
	}
	if len(data) < len(journalMagic) {
		// A journal created but cut before its header was synced holds no write.
		return nil, truncateTorn(cut, path, 0, len(data), log)
	}
	if string(data[:len(journalMagic)]) != journalMagic {
		return nil, corrupt(0, "not a needlebot journal")
	}
	var recs []jrecord
	off := len(journalMagic)
	for off < len(data) {
		rest := data[off:]
		if len(rest) < 8 {
			return recs, truncateTorn(cut, path, off, len(data), log)
		}
		n := binary.LittleEndian.Uint32(rest)
		sum := binary.LittleEndian.Uint32(rest[4:])
		if n > maxRecord {
			return nil, corrupt(off, "record length "+strconv.FormatUint(uint64(n), 10))
		}
		end := 8 + int(n)
		if len(rest) < end {
			return recs, truncateTorn(cut, path, off, len(data), log)
		}
		payload := rest[8:end]
		if crc32.Checksum(payload, crcTable) != sum {
			if off+end == len(data) {
				return recs, truncateTorn(cut, path, off, len(data), log)
			}
			return nil, corrupt(off, "checksum mismatch")
		}
		r, err := decodeRecord(payload)
		if err != nil {
			return nil, corrupt(off, err.Error())
		}
		recs = append(recs, r)
		off += end
	}
	return recs, nil
}

// truncateTorn drops the torn tail of a journal: a write that crashed before its fsync, which
// nobody was told was saved.
func truncateTorn(cut bool, path string, off, size int, log *slog.Logger) error {
	log.Warn("embedded store: dropping a journal record cut short by a crash; it was never acknowledged", "path", path, "offset", off, "bytes", size-off)
	if !cut {
		return nil
	}
	return os.Truncate(path, int64(off))
}

// journalFile is what the journal writes to: an *os.File, or in tests one that fails like a
// full disk.
type journalFile interface {
	io.Writer
	Sync() error
	Truncate(size int64) error
	Seek(offset int64, whence int) (int64, error)
	Close() error
}

// journal appends records to one file. It is used by one goroutine at a time.
type journal struct {
	f    journalFile
	path string
	size int64 // bytes known to be on disk
}

// openJournal opens path for appending, creating it with its header when absent.
func openJournal(path string, wrap func(journalFile) journalFile) (*journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: journal: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("store: journal: %w", err)
	}
	var jf journalFile = f
	if wrap != nil {
		jf = wrap(f)
	}
	j := &journal{f: jf, path: path, size: st.Size()}
	if _, err := jf.Seek(j.size, io.SeekStart); err != nil {
		jf.Close()
		return nil, fmt.Errorf("store: journal: %w", err)
	}
	if j.size == 0 {
		if err := j.append([]byte(journalMagic)); err != nil {
			jf.Close()
			return nil, err
		}
		syncDir(path)
	}
	return j, nil
}

// append writes data and syncs it. When either fails the file is cut back to what it held
// before, so that nothing of a write reported as failed can come back at the next start; when
// even that fails the journal is unusable and the error says so.
func (j *journal) append(data []byte) error {
	_, err := j.f.Write(data)
	if err == nil {
		err = j.f.Sync()
	}
	if err == nil {
		j.size += int64(len(data))
		return nil
	}
	if terr := j.rollback(); terr != nil {
		return &journalBroken{fmt.Errorf("store: journal %s: %w; and cannot undo the partial write: %v", j.path, err, terr)}
	}
	return fmt.Errorf("store: journal %s: %w", j.path, err)
}

func (j *journal) rollback() error {
	if err := j.f.Truncate(j.size); err != nil {
		return err
	}
	if _, err := j.f.Seek(j.size, io.SeekStart); err != nil {
		return err
	}
	return j.f.Sync()
}

// cut drops everything from offset at on: records appended and synced, but then not
// applied.
func (j *journal) cut(at int64) error {
	if at < int64(len(journalMagic)) || at > j.size {
		return fmt.Errorf("store: journal %s: cannot cut at %d of %d bytes", j.path, at, j.size)
	}
	j.size = at
	return j.rollback()
}

func (j *journal) close() error { return j.f.Close() }

// journalBroken means the journal may hold a write that was reported as failed: the store
// takes no more writes until it is restarted.
type journalBroken struct{ err error }

func (b *journalBroken) Error() string { return b.err.Error() }
func (b *journalBroken) Unwrap() error { return b.err }

// argString renders one command argument the way go-redis sends it.
func argString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case *string:
		if v == nil {
			return ""
		}
		return *v
	case []byte:
		return string(v)
	case int:
		return strconv.FormatInt(int64(v), 10)
	case int8:
		return strconv.FormatInt(int64(v), 10)
	case int16:
		return strconv.FormatInt(int64(v), 10)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case int64:
		return strconv.FormatInt(v, 10)
	case uint:
		return strconv.FormatUint(uint64(v), 10)
	case uint8:
		return strconv.FormatUint(uint64(v), 10)
	case uint16:
		return strconv.FormatUint(uint64(v), 10)
	case uint32:
		return strconv.FormatUint(uint64(v), 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case float32:
		return strconv.FormatFloat(float64(v), 'f', -1, 64)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		if v {
			return "1"
		}
		return "0"
	case time.Time:
		return v.Format(time.RFC3339Nano)
	case time.Duration:
		return strconv.FormatInt(v.Nanoseconds(), 10)
	case encoding.BinaryMarshaler:
		b, _ := v.MarshalBinary()
		return string(b)
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(v)
}

// syncDir makes a file's creation, rename or removal in its directory durable; not every
// filesystem supports it.
func syncDir(path string) {
	if d, err := os.Open(dirOf(path)); err == nil {
		d.Sync()
		d.Close()
	}
}
