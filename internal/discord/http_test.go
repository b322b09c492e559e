package discord

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"
)

// signed builds a request to the interactions endpoint signed with key at time ts.
func signed(t *testing.T, url string, key ed25519.PrivateKey, ts time.Time, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	stamp := strconv.FormatInt(ts.Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature-Timestamp", stamp)
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(key, append([]byte(stamp), body...))))
	return req
}

func testdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// endpoint serves the HTTP interactions endpoint of a bot whose public key is key's, against a
// fake Discord.
func endpoint(t *testing.T) (srv *httptest.Server, key ed25519.PrivateKey, f *fakeDiscord, bot *mixBot) {
	t.Helper()
	pub, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	f = newFake(t)
	bot = newMixBot()
	cfg := config(f, newLogSink())
	cfg.PublicKey = hex.EncodeToString(pub)
	d, err := New(cfg, bot)
	if err != nil {
		t.Fatal(err)
	}
	srv = httptest.NewServer(d.InteractionsHandler())
	t.Cleanup(srv.Close)
	return srv, key, f, bot
}

func TestInteractionsEndpoint(t *testing.T) {
	t.Parallel()
	srv, key, _, bot := endpoint(t)
	_, stranger, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}

	now := fixedNow()
	ping := []byte(`{"id":"1260000000000000200","application_id":"1250000000000000001","type":1,"token":"aW50ZXJhY3Rpb24tcGluZw","version":1,"user":{"id":"643945264868098049","username":"discord","discriminator":"0000"}}`)
	command := testdata(t, "interaction_command.json")
	button := testdata(t, "interaction_component.json")
	complete := testdata(t, "interaction_autocomplete.json")
	for _, tc := range []struct {
		name   string
		req    func() *http.Request
		status int
		typ    int // the interaction response type for status 200
	}{
		{"ping is answered with pong", func() *http.Request { return signed(t, srv.URL, key, now, ping) }, 200, 1},
		{"a command is answered in the response", func() *http.Request { return signed(t, srv.URL, key, now, command) }, 200, 4},
		{"a button press updates its message", func() *http.Request { return signed(t, srv.URL, key, now, button) }, 200, 7},
		{"autocomplete is answered with choices", func() *http.Request { return signed(t, srv.URL, key, now, complete) }, 200, 8},
		{"another key", func() *http.Request { return signed(t, srv.URL, stranger, now, command) }, 401, 0},
		{"tampered body", func() *http.Request {
			r := signed(t, srv.URL, key, now, command)
			r.Body = io.NopCloser(bytes.NewReader(bytes.Replace(command, []byte(`"size"`), []byte(`"pain"`), 1)))
			return r
		}, 401, 0},
		{"no signature", func() *http.Request {
			r := signed(t, srv.URL, key, now, command)
			r.Header.Del("X-Signature-Ed25519")
			return r
		}, 401, 0},
		{"no timestamp", func() *http.Request {
			r := signed(t, srv.URL, key, now, command)
			r.Header.Del("X-Signature-Timestamp")
			return r
		}, 401, 0},
		{"signature not hex", func() *http.Request {
			r := signed(t, srv.URL, key, now, command)
			r.Header.Set("X-Signature-Ed25519", "zz")
			return r
		}, 401, 0},
		{"stale timestamp", func() *http.Request { return signed(t, srv.URL, key, now.Add(-6*time.Minute), command) }, 401, 0},
		{"timestamp from the future", func() *http.Request { return signed(t, srv.URL, key, now.Add(6*time.Minute), command) }, 401, 0},
		{"oversized body", func() *http.Request {
			return signed(t, srv.URL, key, now, append(bytes.Repeat([]byte(" "), maxBody), command...))
		}, 413, 0},
		{"not a POST", func() *http.Request {
			r := signed(t, srv.URL, key, now, nil)
			r.Method = "GET"
			return r
		}, 405, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := srv.Client().Do(tc.req())
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if tc.status != 200 {
				return
			}
			var got struct {
				Type int `json:"type"`
				Data struct {
					Content string `json:"content"`
				} `json:"data"`
			}
			if err := json.Unmarshal(body, &got); err != nil || got.Type != tc.typ {
				t.Fatalf("response %s, want type %d", body, tc.typ)
			}
			if (tc.typ == 4 || tc.typ == 7) && !strings.Contains(got.Data.Content, "0.25 mm") {
				t.Errorf("content = %q, want 0.25 mm", got.Data.Content)
			}
		})
	}
	var ids []string
	for _, req := range bot.seen() {
		ids = append(ids, req.ID)
	}
	if diff := cmp.Diff([]string{"dc:i:1260000000000000001", "dc:i:1260000000000000002"}, ids); diff != "" {
		t.Errorf("requests that reached the bot (-want +got):\n%s", diff)
	}
}

func TestInteractionsEndpointDefers(t *testing.T) {
	t.Parallel()
	srv, key, f, bot := endpoint(t)

	in := slash(t, 20, "export")
	body, _ := json.Marshal(in)
	resp, err := srv.Client().Do(signed(t, srv.URL, key, fixedNow(), body))
	if err != nil {
		t.Fatal(err)
	}
	var got discordgo.InteractionResponse
	err = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if err != nil || got.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || got.Data == nil || got.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Fatalf("HTTP response %+v (%v), want an ephemeral deferral", got, err)
	}
	// The file follows over REST, as Discord takes no attachments in the HTTP response.
	bot.open("export")
	edit := f.WaitCall(t, "PATCH", original(in))
	if edit.Files["diary.csv"] != exportCSV || edit.JSON["content"] != "Your diary: 1 session." {
		t.Errorf("edit = %s, want the diary and its file", edit.Body)
	}
}

func TestInteractionsEndpointWithoutKey(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	d, err := New(config(f, newLogSink()), newKBBot())
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	d.InteractionsHandler().ServeHTTP(rec, httptest.NewRequest("POST", "/discord/interactions", strings.NewReader("{}")))
	if rec.Code != http.StatusNotFound {
		t.Errorf("status %d without a public key, want 404", rec.Code)
	}
}
