package domain_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/needlebot/needlebot/"

// deps returns what a package imports of needlebot, directly or not, without its tests.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", module+pkg).Output()
	if err != nil {
		t.Skipf("go list: %v", err) // no go command: nothing to prove with
	}
	var ours []string
	for _, p := range strings.Fields(string(out)) {
		if rest, ok := strings.CutPrefix(p, module); ok && rest != pkg {
			ours = append(ours, rest)
		}
	}
	return ours
}

// The architecture: the domain package is the vocabulary; commands is the core and knows no
// adapter; remind dispatches without knowing the core; the store is an adapter.
func TestShape(t *testing.T) {
	for pkg, banned := range map[string][]string{
		"internal/domain":   {"internal/commands", "internal/store", "internal/remind", "internal/telegram", "internal/discord", "internal/console", "internal/kb", "internal/diary"},
		"internal/commands": {"internal/store", "internal/remind", "internal/telegram", "internal/discord", "internal/console", "internal/metrics"},
		"internal/remind":   {"internal/commands", "internal/store", "internal/telegram", "internal/discord", "internal/console", "internal/kb"},
		"internal/store":    {"internal/commands", "internal/kb", "internal/telegram", "internal/discord", "internal/console"},
		"internal/diary":    {"internal/commands", "internal/store", "internal/kb"},
	} {
		got := deps(t, pkg)
		for _, b := range banned {
			if slices.Contains(got, b) {
				t.Errorf("%s depends on %s (all: %v)", pkg, b, got)
			}
		}
	}
}

// No package but domain defines the types that say who owns data and where to deliver.
func TestOwnerAndAddressLiveInDomain(t *testing.T) {
	files, err := filepath.Glob("../*/*.go")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("../../cmd/*/*.go")
	fset := token.NewFileSet()
	for _, name := range append(files, more...) {
		if strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, "../domain/") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if ts, ok := n.(*ast.TypeSpec); ok {
				switch ts.Name.Name {
				case "Owner", "Address", "Identity", "Session", "Reminder", "Reply":
					t.Errorf("%s defines %s: it belongs to the domain package", fset.Position(ts.Pos()), ts.Name.Name)
				}
			}
			return true
		})
	}
}
