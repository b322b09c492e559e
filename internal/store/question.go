package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/redis/go-redis/v9"
)

// Ask keeps the owner's open yes-or-no question; see domain.Profiles.
func (s *Store) Ask(ctx context.Context, owner domain.Owner, q domain.Question, ttl time.Duration) error {
	k, err := ownerKeys(owner)
	if err != nil {
		return err
	}
	if ttl <= 0 {
		return errors.New("store: ask: the question must expire")
	}
	js, err := json.Marshal(q)
	if err != nil {
		return fmt.Errorf("store: ask: %w", err)
	}
	if _, err := write(ctx, s, func() (string, error) { return s.rdb.Set(ctx, k.ask, js, ttl).Result() }); err != nil {
		return fmt.Errorf("store: ask: %w", unavailable(err))
	}
	return nil
}

// TakeQuestion removes and returns the owner's open question; see domain.Profiles. Most
// messages come with none open, so it looks before it takes: a look changes nothing, and
// the embedded store journals nothing for it.
func (s *Store) TakeQuestion(ctx context.Context, owner domain.Owner) (domain.Question, bool, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return domain.Question{}, false, err
	}
	n, err := s.rdb.Exists(ctx, k.ask).Result()
	if err != nil {
		return domain.Question{}, false, fmt.Errorf("store: question: %w", unavailable(err))
	}
	if n == 0 {
		return domain.Question{}, false, nil
	}
	js, err := write(ctx, s, func() (string, error) { return s.rdb.GetDel(ctx, k.ask).Result() })
	if errors.Is(err, redis.Nil) {
		return domain.Question{}, false, nil // it expired, or another message took it
	}
	if err != nil {
		return domain.Question{}, false, fmt.Errorf("store: question: %w", unavailable(err))
	}
	var q domain.Question
	if err := json.Unmarshal([]byte(js), &q); err != nil {
		return domain.Question{}, false, nil // unreadable: as good as none, and it is gone now
	}
	return q, true, nil
}
