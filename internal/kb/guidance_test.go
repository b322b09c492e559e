package kb

import (
	"os"
	"path/filepath"
	"testing"
)

// readGuidance reads the source article, which lives beside the repository in shared/; the
// own-words check is skipped in a checkout without it.
func readGuidance(t *testing.T) string {
	t.Helper()
	for _, p := range []string{
		os.Getenv("NEEDLEBOT_GUIDANCE"),
		filepath.Join("..", "..", "..", "shared", "guidance", "microneedling-guidance.txt"),
	} {
		if p == "" {
			continue
		}
		if b, err := os.ReadFile(p); err == nil {
			return string(b)
		}
	}
	t.Skip("guidance article not found (set NEEDLEBOT_GUIDANCE)")
	return ""
}
