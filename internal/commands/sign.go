package commands

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
)

// Button data is "verb:arg" for buttons anyone may press (a /needle topic) and
// "verb:arg:expiry:signature" for buttons that change a user's data. The signature is an
// HMAC over the owner, verb, argument and expiry, so a button cannot be forged, pressed by
// someone else (forwarded, or in a group) or pressed after it expired. Data stays well under
// Telegram's 64-byte limit for callback data.
const sigBytes = 9 // 72 bits: base64 makes 12 characters

// maxButtonData is Telegram's limit for callback_data (Discord allows 100).
const maxButtonData = 64

// signer signs and verifies button data. HMAC states are pooled: a reminder round signs three
// buttons for every reminder, and a fresh HMAC per signature was a quarter of its CPU time.
type signer struct{ pool *sync.Pool }

func newSigner(key []byte) signer {
	return signer{pool: &sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}}
}

func (s signer) mac(owner domain.Owner, verb, arg, exp string) string {
	m := s.pool.Get().(hash.Hash)
	defer s.pool.Put(m)
	m.Reset()
	var buf [sha256.Size]byte
	io.WriteString(m, string(owner)+"\x00"+verb+"\x00"+arg+"\x00"+exp)
	return base64.RawURLEncoding.EncodeToString(m.Sum(buf[:0])[:sigBytes])
}

// sign returns button data for owner that is valid until exp.
func (s signer) sign(owner domain.Owner, verb, arg string, exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 36)
	return verb + ":" + arg + ":" + e + ":" + s.mac(owner, verb, arg, e)
}

// verify checks signed button data for owner at now and returns its verb and argument.
// expired reports a genuine button that is too old.
func (s signer) verify(owner domain.Owner, data string, now time.Time) (verb, arg string, ok, expired bool) {
	parts := strings.Split(data, ":")
	if len(parts) != 4 || len(data) > maxButtonData {
		return "", "", false, false
	}
	verb, arg, e, sig := parts[0], parts[1], parts[2], parts[3]
	if !hmac.Equal([]byte(sig), []byte(s.mac(owner, verb, arg, e))) {
		return "", "", false, false
	}
	exp, err := strconv.ParseInt(e, 36, 64)
	if err != nil {
		return "", "", false, false
	}
	if now.Unix() > exp {
		return verb, arg, false, true
	}
	return verb, arg, true, false
}
