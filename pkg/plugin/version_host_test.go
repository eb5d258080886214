//go:build parts

package plugin_test

import (
	"encoding/json"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
)

// The executable is built with package.json's version linked in, as the release build links it;
// GET v1/status must report that version, not "dev".
func TestStatusReportsThePackageVersion(t *testing.T) {
	want, err := testenv.PackageVersion()
	if err != nil {
		t.Fatal(err)
	}
	res, err := host.Call(t.Context(), viewer, "GET", "v1/status", nil)
	if err != nil || res.Status != 200 {
		t.Fatalf("GET v1/status: %v %v", res, err)
	}
	var st struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(res.Body, &st); err != nil {
		t.Fatal(err)
	}
	if st.Version != want {
		t.Fatalf("v1/status version = %q, want package.json's %q", st.Version, want)
	}
}
