package clustersettings

import (
	"context"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/internal/storetest"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

var conn store.Conn

func TestMain(m *testing.M) { storetest.Main("clustersettings", &conn, m.Run) }

func TestSettingsRoundTripWithVersionsAndConflicts(t *testing.T) {
	ctx := context.Background()
	st := NewStore(conn)
	s, err := st.Get(ctx, "prod-rt", "Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != 0 || s.PeakWindow.Start != "10:00" || s.TimeZone != "Asia/Shanghai" {
		t.Fatalf("never-saved settings are not the defaults: %+v", s)
	}
	s.PeakWindow = Window{"22:00", "02:00"}
	s.Overrides = []Override{{Namespace: "shop", PeakWindow: Window{"20:00", "21:00"}}}
	s.Quantile = 0.9
	s.OOMBump = false
	saved, err := st.Put(ctx, s, 0, "ada")
	if err != nil {
		t.Fatal(err)
	}
	if saved.Version != 1 || saved.UpdatedBy != "ada" {
		t.Fatalf("saved %+v", saved)
	}
	got, err := st.Get(ctx, "prod-rt", "Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 1 || got.PeakWindow.End != "02:00" || got.Quantile != 0.9 || got.OOMBump || len(got.Overrides) != 1 ||
		!got.UpdatedAt.Equal(saved.UpdatedAt) {
		t.Fatalf("read back %+v, saved %+v", got, saved)
	}
	// A second writer that read version 0 loses and learns the current settings.
	s.Quantile = 0.8
	_, err = st.Put(ctx, s, 0, "bob")
	c, ok := AsConflict(err)
	if !ok || c.Current.Version != 1 || c.Current.Quantile != 0.9 {
		t.Fatalf("stale write: %v", err)
	}
	// An invalid write is refused before the store is touched, naming the field.
	s.Quantile = 2
	if _, err := st.Put(ctx, s, 1, "bob"); err == nil {
		t.Fatal("invalid settings saved")
	} else if fe, ok := settings.AsFieldError(err); !ok || fe.Field != "quantile" {
		t.Fatalf("got %v", err)
	}
	s.Quantile = 0.85
	if saved, err = st.Put(ctx, s, 1, "bob"); err != nil || saved.Version != 2 {
		t.Fatalf("%+v %v", saved, err)
	}
	if got, _ := st.Get(ctx, "prod-rt", "UTC"); got.Version != 2 || got.Quantile != 0.85 || got.TimeZone != "UTC" {
		t.Fatalf("after second save %+v", got)
	}
}
