package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/domain"
)

// The roller lives in the profile hash, under rollerField, as JSON. A link keeps the one of
// the two accounts started last (see mergeProfile); an unlink leaves it with the diary.
const rollerField = "roller"

// Roller returns the owner's current roller; see domain.Profiles.
func (s *Store) Roller(ctx context.Context, owner domain.Owner) (domain.Roller, bool, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return domain.Roller{}, false, err
	}
	js, err := s.rdb.HGet(ctx, k.profile, rollerField).Result()
	if errors.Is(err, redis.Nil) {
		return domain.Roller{}, false, nil
	}
	if err != nil {
		return domain.Roller{}, false, fmt.Errorf("store: roller: %w", unavailable(err))
	}
	var r domain.Roller
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		return domain.Roller{}, false, nil // unreadable: as if none was told, and the next one replaces it
	}
	return r, true, nil
}

// setFieldScript sets one profile field under the rate limit; an owner a link moved names
// the person instead (NB_MOVED). KEYS: profile, writes. ARGV: field, value, max writes,
// window ms.
var setFieldScript = redis.NewScript(allowLua + movedLua + `
local m = moved(KEYS[1])
if m then return m end
if not allow(KEYS[2], ARGV[3], ARGV[4]) then return redis.error_reply('NB_RATE') end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`)

// SetRoller keeps the owner's current roller; see domain.Profiles.
func (s *Store) SetRoller(ctx context.Context, owner domain.Owner, r domain.Roller) error {
	k, err := ownerKeys(owner)
	if err != nil {
		return err
	}
	if r.MM < domain.MinNeedleMM || r.MM > domain.MaxNeedleMM || len(r.Name) > 200 {
		return fmt.Errorf("store: set roller: invalid roller %.2f mm %q", r.MM, r.Name)
	}
	js, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("store: set roller: %w", err)
	}
	_, err = write(ctx, s, func() (int64, error) {
		return setFieldScript.Run(ctx, s.rdb, []string{k.profile, k.writes}, rollerField, js, s.limits.Writes, s.limits.Window.Milliseconds()).Int64()
	})
	if into, ok := movedTo(err); ok {
		return s.SetRoller(ctx, into, r) // linked a moment ago
	}
	return scriptError("set roller", err)
}
