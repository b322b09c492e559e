package store

import (
	"testing"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
)

func TestQuestionIsTakenOnce(t *testing.T) {
	each(t, func(t *testing.T, open func(*testing.T, ...Option) *Store) {
		s := open(t)
		q := domain.Question{To: domain.Address{Platform: domain.Telegram, Chat: "42"}, Yes: "forget:yes:x", No: "forget:no:x"}
		if _, ok, err := s.TakeQuestion(ctx, "tg:1"); ok || err != nil {
			t.Fatalf("a question before any was asked: %v %v", ok, err)
		}
		if err := s.Ask(ctx, "tg:1", q, time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := s.Ask(ctx, "tg:1", domain.Question{}, 0); err == nil {
			t.Error("a question that never expires was kept")
		}
		got, ok, err := s.TakeQuestion(ctx, "tg:1")
		if err != nil || !ok || got != q {
			t.Fatalf("TakeQuestion = %+v, %v, %v; want %+v", got, ok, err, q)
		}
		if _, ok, _ := s.TakeQuestion(ctx, "tg:1"); ok {
			t.Error("the question was taken twice")
		}
		if err := s.Ask(ctx, "tg:1", q, time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := s.Forget(ctx, "tg:1"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.TakeQuestion(ctx, "tg:1"); ok {
			t.Error("a question outlived /forget")
		}
	})
}

func TestEmbeddedKeepsQuestionAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	e, err := OpenEmbedded(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := domain.Question{To: domain.Address{Platform: domain.Console, Chat: "local"}, Yes: "y", No: "n"}
	if err := e.Ask(ctx, "console:local", q, time.Hour); err != nil {
		t.Fatal(err)
	}
	crash(e)
	e2, err := OpenEmbedded(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok, err := e2.TakeQuestion(ctx, "console:local"); !ok || err != nil || got != q {
		t.Fatalf("after a crash TakeQuestion = %+v, %v, %v", got, ok, err)
	}
	e2.Close()
	e3, err := OpenEmbedded(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e3.Close()
	if _, ok, _ := e3.TakeQuestion(ctx, "console:local"); ok {
		t.Error("a question taken before a restart came back")
	}
}
