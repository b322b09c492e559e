package spell

import "testing"

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"serum", "seurm", 1},
		{"needle", "needel", 1},
		{"roller", "roller", 0},
		{"pain", "paint", 1},
		{"kitten", "sitting", 3},
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b, 5); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	if got := Distance("kitten", "sitting", 1); got != 2 {
		t.Errorf("capped editDistance = %d, want cap+1 = 2", got)
	}
}

func TestDistanceUncapped(t *testing.T) {
	if got := Distance("São Paulo", "Sao Paolo", -1); got != 2 {
		t.Errorf("Distance counts runes, not bytes: got %d, want 2", got)
	}
}
