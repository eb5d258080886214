package jobs

import (
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
)

func TestAtTriggerFiresAtCollectAtInTheClustersZone(t *testing.T) {
	s := clustersettings.Defaults("prod-sh", "Asia/Shanghai")
	s.Collect.At = "01:30"
	after := time.Date(2026, 3, 1, 18, 0, 0, 0, time.UTC) // 02:00 in Shanghai
	got, err := AtTrigger{}.Next(s, after)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 2, 17, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("next %s, want %s", got.UTC(), want)
	}
}
