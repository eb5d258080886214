package store

import (
	"testing"
	"testing/fstest"
)

func TestMigrationFilesAreChecked(t *testing.T) {
	ok := &fstest.MapFile{Data: []byte("SELECT 1")}
	cases := []struct {
		name  string
		files fstest.MapFS
	}{
		{"a name without a version", fstest.MapFS{"m/initial.sql": ok}},
		{"version zero", fstest.MapFS{"m/000_zero.sql": ok}},
		{"two files with one version", fstest.MapFS{"m/001_a.sql": ok, "m/0001_b.sql": ok}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if ms, err := loadMigrations(tc.files, "m"); err == nil {
				t.Errorf("loaded %+v", ms)
			}
		})
	}
}
