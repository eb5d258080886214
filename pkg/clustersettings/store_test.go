//go:build parts

package clustersettings

import (
	"errors"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/storetest"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

var conn store.Conn

func TestMain(m *testing.M) { storetest.Main("clustersettings", &conn, m.Run) }

func TestSettingsRoundTripWithVersionsAndConflicts(t *testing.T) {
	ctx := t.Context()
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
	var c *refusal.Conflict[ClusterSettings]
	if !errors.As(err, &c) || c.Current.Version != 1 || c.Current.Quantile != 0.9 {
		t.Fatalf("stale write: %v", err)
	}
	// An invalid write is refused before the store is touched, naming the field.
	s.Quantile = 2
	if _, err := st.Put(ctx, s, 1, "bob"); err == nil {
		t.Fatal("invalid settings saved")
	} else if fe, ok := refusal.AsFieldError(err); !ok || fe.Field != "quantile" {
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

// Settings saved before collect.minFoundRatio existed read back with its default, so upgrading
// never turns the history guard off.
func TestSettingsSavedBeforeMinFoundRatioGetItsDefault(t *testing.T) {
	ctx := t.Context()
	old := `{"peakWindow":{"start":"09:00","end":"10:00"},"quantile":0.9,"days":10,"mode":"per-workload",` +
		`"retentionDays":400,"collect":{"enabled":true,"at":"02:00","concurrency":2,"queryTimeoutSeconds":60}}`
	row := []any{Key("prod-old"), old, uint64(1), "ada", time.Now().UTC()}
	if err := conn.Insert(ctx, "settings", []string{"key", "value", "version", "updated_by", "updated_at"}, [][]any{row}); err != nil {
		t.Fatal(err)
	}
	got, err := NewStore(conn).Get(ctx, "prod-old", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	if got.Collect.MinFoundRatio != 0.5 || got.Collect.At != "02:00" || got.Collect.Concurrency != 2 {
		t.Fatalf("collect read back as %+v", got.Collect)
	}
	got.Collect.MinFoundRatio = 0.8
	if _, err := NewStore(conn).Put(ctx, got, 1, "ada"); err != nil {
		t.Fatal(err)
	}
	if again, _ := NewStore(conn).Get(ctx, "prod-old", "UTC"); again.Collect.MinFoundRatio != 0.8 || again.Version != 2 {
		t.Fatalf("after saving 0.8: %+v", again.Collect)
	}
}

// Settings saved before the recommend block existed read back with its defaults (switch off),
// so upgrading enforces nothing new.
func TestSettingsSavedBeforeRecommendGetItsDefaults(t *testing.T) {
	ctx := t.Context()
	old := `{"peakWindow":{"start":"09:00","end":"10:00"},"quantile":0.9,"days":10,"mode":"per-workload","minReplicas":2,` +
		`"retentionDays":400,"collect":{"enabled":true,"at":"02:00","concurrency":2,"queryTimeoutSeconds":60,"minFoundRatio":0.5}}`
	row := []any{Key("prod-norec"), old, uint64(1), "ada", time.Now().UTC()}
	if err := conn.Insert(ctx, "settings", []string{"key", "value", "version", "updated_by", "updated_at"}, [][]any{row}); err != nil {
		t.Fatal(err)
	}
	got, err := NewStore(conn).Get(ctx, "prod-norec", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	r := got.Recommend
	if r.Enabled || r.CPUTarget != 0.7 || r.MemTarget != 0.8 || r.MaxReplicas != 1000 || r.MaxStepDown != 0.5 || r.Overrides == nil || got.MinReplicas != 2 {
		t.Fatalf("recommend read back as %+v (minReplicas %d)", r, got.MinReplicas)
	}
	if err := got.Validate(); err != nil {
		t.Fatal(err)
	}
	got.Recommend.Enabled = true
	got.Recommend.Overrides = []RecommendOverride{{Namespace: "shop", CPUTarget: 0.6, MemTarget: 0.8}}
	if _, err := NewStore(conn).Put(ctx, got, 1, "ada"); err != nil {
		t.Fatal(err)
	}
	again, _ := NewStore(conn).Get(ctx, "prod-norec", "UTC")
	if !again.Recommend.Enabled || len(again.Recommend.Overrides) != 1 || again.Recommend.Overrides[0].CPUTarget != 0.6 {
		t.Fatalf("after saving: %+v", again.Recommend)
	}
}

func TestSettingsSavedBeforePricesGetTheDefaultPrices(t *testing.T) {
	ctx := t.Context()
	old := `{"peakWindow":{"start":"09:00","end":"10:00"},"quantile":0.9,"days":10,"mode":"per-workload",` +
		`"retentionDays":400,"collect":{"enabled":true,"at":"02:00","concurrency":2,"queryTimeoutSeconds":60,"minFoundRatio":0.5}}`
	row := []any{Key("prod-noprices"), old, uint64(1), "ada", time.Now().UTC()}
	if err := conn.Insert(ctx, "settings", []string{"key", "value", "version", "updated_by", "updated_at"}, [][]any{row}); err != nil {
		t.Fatal(err)
	}
	got, err := NewStore(conn).Get(ctx, "prod-noprices", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	if got.Prices != DefaultPrices() || got.Validate() != nil {
		t.Fatalf("prices read back as %+v (%v)", got.Prices, got.Validate())
	}
	got.Prices = Prices{Currency: "EUR", CPUCoreHour: 0.05, MemGiBHour: 0}
	if _, err := NewStore(conn).Put(ctx, got, 1, "ada"); err != nil {
		t.Fatal(err)
	}
	if again, _ := NewStore(conn).Get(ctx, "prod-noprices", "UTC"); again.Prices != got.Prices || again.Version != 2 {
		t.Fatalf("after saving EUR prices: %+v", again.Prices)
	}
}
