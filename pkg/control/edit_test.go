package control

import (
	"testing"
)

func collectedRow() Row {
	r := Row{
		Cluster: "prod-a", Namespace: "shop", Workload: "api", Version: 3,
		Replicas: Replicas{Manual: -1, Recommended: -1, Observed: 3},
		Containers: []Container{
			{Name: "app", CPURequestMillis: 500, CPULimitMillis: 2000, MemRequestMiB: 1024, MemLimitMiB: 2048,
				Sources: Sources{SourceCollected, SourceCollected, SourceCollected, SourceCollected}},
			{Name: "sidecar", CPURequestMillis: 20, CPULimitMillis: Unset, MemRequestMiB: 30, MemLimitMiB: Unset,
				Sources: Sources{SourceCollected, SourceCollected, SourceCollected, SourceCollected}},
		},
		Notes: []string{"cpu request of app clamped from 2500m to its limit 2000m"},
	}
	r.Replicas.Resolve()
	return r
}

func TestAddValidationNamesTheField(t *testing.T) {
	tests := []struct {
		name      string
		change    func(*Row)
		wantField string
	}{
		{"unset replicas are refused when adding", func(r *Row) { r.Replicas.Manual = -1 }, "replicas.manual"},
		{"replicas below -1 are refused", func(r *Row) { r.Replicas.Manual = -2 }, "replicas.manual"},
		{"absurd replicas are refused", func(r *Row) { r.Replicas.Manual = MaxReplicas + 1 }, "replicas.manual"},
		{"a request above its limit names the request", func(r *Row) { r.Containers[0].CPURequestMillis = 2001 }, "containers[0].cpuRequestMillis"},
		{"a memory request above its limit names the request", func(r *Row) { r.Containers[0].MemRequestMiB = 4096 }, "containers[0].memRequestMiB"},
		{"a container name must be a DNS label", func(r *Row) { r.Containers[0].Name = "App_1" }, "containers[0].name"},
		{"container names are unique", func(r *Row) { r.Containers = append(r.Containers, r.Containers[0]) }, "containers[1].name"},
		{"a limit of 0 is refused", func(r *Row) { r.Containers[0].CPULimitMillis = 0 }, "containers[0].cpuLimitMillis"},
		{"values below -1 are refused", func(r *Row) { r.Containers[0].MemRequestMiB = -5 }, "containers[0].memRequestMiB"},
		{"a MiB field holding bytes is refused", func(r *Row) {
			r.Containers[0].MemLimitMiB = 2 << 40
		}, "containers[0].memLimitMiB"},
		{"an unknown source is refused", func(r *Row) { r.Containers[0].Sources.CPURequest = "guess" }, "containers[0].sources.cpuRequest"},
		{"the namespace must be a DNS label", func(r *Row) { r.Namespace = "Shop" }, "namespace"},
		{"the workload must be a Deployment name", func(r *Row) { r.Workload = "" }, "workload"},
		{"the cluster is required", func(r *Row) { r.Cluster = "" }, "cluster"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := apiRow("prod-a")
			tt.change(&r)
			_, err := NewRow(r)
			wantField(t, err, tt.wantField)
		})
	}
}

func TestAddAcceptsZeroReplicasAndUnsetResources(t *testing.T) {
	r := apiRow("prod-a")
	r.Replicas.Manual = 0
	r.Containers[0] = Container{Name: "app", CPURequestMillis: 0, CPULimitMillis: -1, MemRequestMiB: -1, MemLimitMiB: -1}
	got, err := NewRow(r)
	if err != nil {
		t.Fatal(err)
	}
	if got.Replicas.Effective != 0 || got.Replicas.Source != ReplicasManual {
		t.Fatalf("replicas %+v", got.Replicas)
	}
	if s := got.Containers[0].Sources; s != (Sources{SourceCollected, SourceCollected, SourceCollected, SourceCollected}) {
		t.Fatalf("unset limits stay collected so the first observation fills them: %+v", s)
	}
}

func TestEditValidationFollowsKubeDoorsRulesImproved(t *testing.T) {
	tests := []struct {
		name      string
		row       func() Row
		edit      Edit
		wantField string // "" = accepted
		check     func(t *testing.T, r Row)
	}{
		{name: "manual replicas below -1 are refused", row: collectedRow, edit: Edit{ReplicasManual: i32(-2)}, wantField: "replicasManual"},
		{name: "unset manual replicas fall back to the observed count", row: collectedRow, edit: Edit{ReplicasManual: i32(-1)},
			check: func(t *testing.T, r Row) {
				if r.Replicas.Effective != 3 || r.Replicas.Source != ReplicasObserved {
					t.Fatalf("replicas %+v", r.Replicas)
				}
			}},
		{name: "unset manual replicas are refused when nothing was collected", row: func() Row {
			r := collectedRow()
			r.Replicas = Replicas{Manual: 2, Recommended: -1, Observed: -1}
			return r
		}, edit: Edit{ReplicasManual: i32(-1)}, wantField: "replicasManual"},
		{name: "zero manual replicas are accepted", row: collectedRow, edit: Edit{ReplicasManual: i32(0)},
			check: func(t *testing.T, r Row) {
				if r.Replicas.Effective != 0 {
					t.Fatalf("replicas %+v", r.Replicas)
				}
			}},
		{name: "a limit below the collected request names the limit", row: collectedRow,
			edit: Edit{Containers: []ContainerEdit{{Name: "app", CPULimitMillis: i64(400)}}}, wantField: "containers[0].cpuLimitMillis"},
		{name: "a request above the limit names the request", row: collectedRow,
			edit: Edit{Containers: []ContainerEdit{{Name: "app", MemRequestMiB: i64(3000)}}}, wantField: "containers[0].memRequestMiB"},
		{name: "the field index is the edit's, not the row's", row: collectedRow,
			edit: Edit{Containers: []ContainerEdit{{Name: "sidecar", CPULimitMillis: i64(10)}}}, wantField: "containers[0].cpuLimitMillis"},
		{name: "an edited field becomes manual and the rest stay collected", row: collectedRow,
			edit: Edit{Containers: []ContainerEdit{{Name: "app", MemLimitMiB: i64(4096)}}},
			check: func(t *testing.T, r Row) {
				if c := r.Containers[0]; c.MemLimitMiB != 4096 || c.Sources != (Sources{SourceCollected, SourceCollected, SourceCollected, SourceManual}) {
					t.Fatalf("container %+v", c)
				}
				if len(r.Notes) != 1 {
					t.Fatalf("the derivation's notes on the collected values are lost: %v", r.Notes)
				}
			}},
		{name: "a field can be handed back to collection", row: func() Row {
			r := collectedRow()
			r.Containers[0].Sources.CPURequest = SourceManual
			return r
		}, edit: Edit{Containers: []ContainerEdit{{Name: "app", ResetToCollected: []string{FieldCPURequest}}}},
			check: func(t *testing.T, r Row) {
				if r.Containers[0].Sources.CPURequest != SourceCollected || r.Containers[0].CPURequestMillis != 500 {
					t.Fatalf("container %+v", r.Containers[0])
				}
			}},
		{name: "an unknown field cannot be reset", row: collectedRow,
			edit: Edit{Containers: []ContainerEdit{{Name: "app", ResetToCollected: []string{"replicas"}}}}, wantField: "containers[0].resetToCollected[0]"},
		{name: "a field cannot be set and reset at once", row: collectedRow,
			edit: Edit{Containers: []ContainerEdit{{Name: "app", CPULimitMillis: i64(3000), ResetToCollected: []string{FieldCPULimit}}}}, wantField: "containers[0].resetToCollected[0]"},
		{name: "a container listed twice is refused", row: collectedRow,
			edit: Edit{Containers: []ContainerEdit{{Name: "app"}, {Name: "app"}}}, wantField: "containers[1].name"},
		{name: "a new container needs a valid name", row: collectedRow,
			edit: Edit{Containers: []ContainerEdit{{Name: "", CPURequestMillis: i64(5)}}}, wantField: "containers[0].name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := tt.row()
			got, err := tt.edit.Apply(cur)
			if tt.wantField != "" {
				wantField(t, err, tt.wantField)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, got)
			if cur.Containers[0].Sources.MemLimit != SourceCollected && tt.name == "an edited field becomes manual and the rest stay collected" {
				t.Fatal("Apply changed its input")
			}
		})
	}
}

func TestPolicyCarriesEffectiveReplicasAndLeavesUnsetFieldsOut(t *testing.T) {
	r := collectedRow()
	p := r.Policy()
	if p.Name != "api" || p.Namespace != "shop" || p.Spec.Cluster != "prod-a" || p.Spec.SourceVersion != 3 {
		t.Fatalf("policy meta %+v spec %+v", p.ObjectMeta, p.Spec)
	}
	if p.Spec.Replicas == nil || *p.Spec.Replicas != 3 {
		t.Fatalf("replicas %v", p.Spec.Replicas)
	}
	app, side := p.Spec.Containers[0], p.Spec.Containers[1]
	if app.CPURequest.String() != "500m" || app.CPULimit.String() != "2" || app.MemoryRequest.String() != "1Gi" || app.MemoryLimit.String() != "2Gi" {
		t.Fatalf("app quantities %v %v %v %v", app.CPURequest, app.CPULimit, app.MemoryRequest, app.MemoryLimit)
	}
	if side.CPULimit != nil || side.MemoryLimit != nil || side.MemoryRequest.String() != "30Mi" {
		t.Fatalf("sidecar %+v", side)
	}
	r.Replicas = Replicas{Manual: -1, Recommended: -1, Observed: -1}
	if r.Policy().Spec.Replicas != nil {
		t.Fatal("unset replicas must be left out of the policy")
	}
}
