//go:build !unix

package store

import "os"

// lockDir does nothing where flock is not available; run one process per data directory.
func lockDir(string) (*os.File, error) { return nil, nil }
