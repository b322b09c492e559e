package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/needlebot/needlebot/internal/domain"
)

// Breaks live in the profile hash, one field each: "brk:FROM" holds TO (local dates). One
// field per break makes setting, ending and removing one a single atomic command, and the
// dispatcher reads them with the zone in one HGETALL. A link keeps both accounts' breaks (see
// mergeProfile); an unlink leaves them with the diary.
const breakPrefix = "brk:"

// breaksOf reads the breaks out of a profile, oldest first.
func breaksOf(profile map[string]string) []domain.Break {
	var out []domain.Break
	for f, to := range profile {
		if from, ok := strings.CutPrefix(f, breakPrefix); ok && validDate(from) && validDate(to) {
			out = append(out, domain.Break{From: from, To: to})
		}
	}
	slices.SortFunc(out, func(a, b domain.Break) int { return strings.Compare(a.From, b.From) })
	return out
}

func validDate(s string) bool {
	_, err := time.Parse(domain.DateLayout, s)
	return err == nil && len(s) == len(domain.DateLayout)
}

// Breaks returns the owner's breaks; see domain.Profiles.
func (s *Store) Breaks(ctx context.Context, owner domain.Owner) ([]domain.Break, error) {
	k, err := ownerKeys(owner)
	if err != nil {
		return nil, err
	}
	profile, err := s.rdb.HGetAll(ctx, k.profile).Result()
	if err != nil {
		return nil, fmt.Errorf("store: breaks: %w", unavailable(err))
	}
	return breaksOf(profile), nil
}

// setBreakScript keeps a break under the rate limit and lets the oldest go past the cap; an
// owner a link moved names the person instead (NB_MOVED). KEYS: profile, writes. ARGV: from,
// to, max writes, window ms, max breaks.
var setBreakScript = redis.NewScript(allowLua + movedLua + capBreaksLua + `
local m = moved(KEYS[1])
if m then return m end
if not allow(KEYS[2], ARGV[3], ARGV[4]) then return redis.error_reply('NB_RATE') end
redis.call('HSET', KEYS[1], 'brk:' .. ARGV[1], ARGV[2])
capBreaks(KEYS[1], ARGV[5])
return 1
`)

// capBreaksLua defines capBreaks(profile, max): the oldest breaks go until max are left.
const capBreaksLua = `
local function capBreaks(profile, max)
  local froms = {}
  for _, f in ipairs(redis.call('HKEYS', profile)) do
    if string.sub(f, 1, 4) == 'brk:' then froms[#froms + 1] = f end
  end
  table.sort(froms)
  for i = 1, #froms - tonumber(max) do redis.call('HDEL', profile, froms[i]) end
end
`

// SetBreak keeps a break; see domain.Profiles.
func (s *Store) SetBreak(ctx context.Context, owner domain.Owner, b domain.Break) error {
	k, err := ownerKeys(owner)
	if err != nil {
		return err
	}
	if !validDate(b.From) || !validDate(b.To) || b.To < b.From {
		return fmt.Errorf("store: set break: invalid break %q to %q", b.From, b.To)
	}
	_, err = write(ctx, s, func() (int64, error) {
		return setBreakScript.Run(ctx, s.rdb, []string{k.profile, k.writes}, b.From, b.To, s.limits.Writes, s.limits.Window.Milliseconds(), domain.MaxBreaks).Int64()
	})
	if into, ok := movedTo(err); ok {
		return s.SetBreak(ctx, into, b) // linked a moment ago
	}
	return scriptError("set break", err)
}

// RemoveBreak removes a break; see domain.Profiles.
func (s *Store) RemoveBreak(ctx context.Context, owner domain.Owner, from string) error {
	k, err := ownerKeys(owner)
	if err != nil {
		return err
	}
	if !validDate(from) {
		return fmt.Errorf("store: remove break: invalid date %q", from)
	}
	_, err = write(ctx, s, func() (int64, error) {
		return removeBreakScript.Run(ctx, s.rdb, []string{k.profile}, breakPrefix+from).Int64()
	})
	if into, ok := movedTo(err); ok {
		return s.RemoveBreak(ctx, into, from) // linked a moment ago
	}
	if err != nil {
		return fmt.Errorf("store: remove break: %w", unavailable(err))
	}
	return nil
}

// removeBreakScript removes a break; an owner a link moved names the person instead
// (NB_MOVED). KEYS: profile. ARGV: the break's field.
var removeBreakScript = redis.NewScript(movedLua + `
local m = moved(KEYS[1])
if m then return m end
return redis.call('HDEL', KEYS[1], ARGV[1])
`)
