package publish

import (
	"encoding/json"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

func TestFromControlSpeaksTheWebhooksUnits(t *testing.T) {
	tests := []struct {
		name      string
		replicas  int64
		container Container
		want      []string // replicas, cpuRequest, cpuLimit, memRequest, memLimit
	}{
		{"millicores and MiB become quantities", 3, Container{"app", 350, 2000, 420, 2048}, []string{"3", "350m", "2", "420Mi", "2Gi"}},
		{"-1 leaves a field unset", -1, Container{"app", -1, 1000, -1, 512}, []string{"<nil>", "<nil>", "1", "<nil>", "512Mi"}},
		{"zero is a value, not unset", 0, Container{"app", 0, 0, 0, 0}, []string{"0", "0", "0", "0", "0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := FromControl("prod", "shop", "api", 7, tt.replicas, []Container{tt.container})
			c := p.Spec.Containers[0]
			r := "<nil>"
			if p.Spec.Replicas != nil {
				r = resource.NewQuantity(int64(*p.Spec.Replicas), resource.DecimalSI).String()
			}
			got := []string{r, qtyp(c.CPURequest), qtyp(c.CPULimit), qtyp(c.MemoryRequest), qtyp(c.MemoryLimit)}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			if p.Spec.Cluster != "prod" || p.Spec.SourceVersion != 7 || p.Key() != "shop/api" {
				t.Fatalf("got %+v", p)
			}
		})
	}
}

func TestValidateExplainsWhatCannotBePublished(t *testing.T) {
	minus := int32(-1)
	tests := []struct {
		name   string
		policy Policy
		want   string // "" = valid
	}{
		{"a control-table row is valid", FromControl("c", "shop", "api", 1, 2, []Container{{"app", 1, 2, 3, 4}}), ""},
		{"a dotted Deployment name is valid", FromControl("c", "shop", "api.v2", 1, 2, nil), ""},
		{"an upper-case namespace is not", FromControl("c", "Shop", "api", 1, 2, nil), `namespace "Shop"`},
		{"an empty name is not", FromControl("c", "shop", "", 1, 2, nil), `name ""`},
		{"negative replicas are not", Policy{Namespace: "shop", Name: "api", Spec: v1alpha1.CapacityPolicySpec{Replicas: &minus}}, "replicas -1"},
		{"a container listed twice is not", FromControl("c", "shop", "api", 1, 2, []Container{{"app", 1, 1, 1, 1}, {"app", 2, 2, 2, 2}}), "listed twice"},
		{"a container without a name is not", FromControl("c", "shop", "api", 1, 2, []Container{{"", 1, 1, 1, 1}}), `containers[0].name ""`},
		{"memory beyond int64 bytes is too large, not an overflow", FromControl("c", "shop", "api", 1, 2, []Container{{"app", 1, -1, 1 << 50, -1}}), "containers[0].memRequestMiB 1125899906842624: too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.policy.validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func qtyp(q *resource.Quantity) string {
	if q == nil {
		return "<nil>"
	}
	return q.String()
}

func TestSameSpecComparesMeaningNotSpelling(t *testing.T) {
	one := resource.MustParse("1")
	thousandMilli := resource.MustParse("1000m")
	gi := resource.MustParse("1Gi")
	mi := resource.MustParse("1024Mi")
	two := int32(2)
	three := int32(3)
	base := v1alpha1.CapacityPolicySpec{Replicas: &two, Containers: []v1alpha1.ContainerPolicy{
		{Name: "app", CPURequest: &one, MemoryRequest: &gi}, {Name: "envoy"},
	}}
	tests := []struct {
		name  string
		other v1alpha1.CapacityPolicySpec
		same  bool
	}{
		{"1 core equals 1000m and 1Gi equals 1024Mi", v1alpha1.CapacityPolicySpec{Replicas: &two, Containers: []v1alpha1.ContainerPolicy{
			{Name: "app", CPURequest: &thousandMilli, MemoryRequest: &mi}, {Name: "envoy"}}}, true},
		{"container order does not matter", v1alpha1.CapacityPolicySpec{Replicas: &two, Containers: []v1alpha1.ContainerPolicy{
			{Name: "envoy"}, {Name: "app", CPURequest: &one, MemoryRequest: &gi}}}, true},
		{"other replicas differ", v1alpha1.CapacityPolicySpec{Replicas: &three, Containers: base.Containers}, false},
		{"unset replicas differ from 2", v1alpha1.CapacityPolicySpec{Containers: base.Containers}, false},
		{"a missing container differs", v1alpha1.CapacityPolicySpec{Replicas: &two, Containers: base.Containers[:1]}, false},
		{"an unset request differs from a set one", v1alpha1.CapacityPolicySpec{Replicas: &two, Containers: []v1alpha1.ContainerPolicy{
			{Name: "app", MemoryRequest: &gi}, {Name: "envoy"}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sameSpec(base, tt.other); got != tt.same {
				t.Fatalf("sameSpec = %v, want %v", got, tt.same)
			}
		})
	}
}

// FuzzPolicyRoundTrip checks that any control-table row either fails validation with a reason,
// or survives the trip to the apiserver's stored JSON and back as the same spec: otherwise
// every reconcile would rewrite it.
func FuzzPolicyRoundTrip(f *testing.F) {
	f.Add("shop", "checkout", int64(3), "app", int64(350), int64(2000), int64(420), int64(2048), "istio-proxy")
	f.Add("a", "b.c", int64(-1), "x", int64(-1), int64(0), int64(1<<50), int64(-1), "x")
	f.Add("Bad", "", int64(1<<40), "", int64(-5), int64(1), int64(1), int64(1), "y")
	f.Fuzz(func(t *testing.T, ns, name string, replicas int64, c1 string, cpuReq, cpuLim, memReq, memLim int64, c2 string) {
		p := FromControl("prod", ns, name, 1, replicas, []Container{
			{Name: c1, CPURequestMillis: cpuReq, CPULimitMillis: cpuLim, MemRequestMiB: memReq, MemLimitMiB: memLim},
			{Name: c2, CPURequestMillis: memReq, CPULimitMillis: -1, MemRequestMiB: cpuReq, MemLimitMiB: -1},
		})
		if err := p.validate(); err != nil {
			if err.Error() == "" {
				t.Fatal("a validation error must say why")
			}
			return
		}
		u, err := newObject(p)
		if err != nil {
			t.Fatalf("a valid policy must encode: %v", err)
		}
		stored, err := json.Marshal(u.Object)
		if err != nil {
			t.Fatal(err)
		}
		var back map[string]any
		if err := json.Unmarshal(stored, &back); err != nil {
			t.Fatal(err)
		}
		var got v1alpha1.CapacityPolicy
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(back, &got); err != nil {
			t.Fatalf("stored form does not decode: %v\n%s", err, stored)
		}
		if !sameSpec(got.Spec, p.Spec) {
			t.Fatalf("round trip changed the spec:\n%+v\n%s", p.Spec, stored)
		}
		if got.Name != name || got.Namespace != ns || got.Labels[v1alpha1.LabelManagedBy] != v1alpha1.ManagedByValue {
			t.Fatalf("metadata %+v", got.ObjectMeta)
		}
	})
}
