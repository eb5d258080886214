package gitops

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// row is a current control row of cluster c1 with the given effective replicas (-1 = unset)
// and containers.
func row(ns, name string, replicas int32, containers ...control.Container) control.Row {
	r := control.Row{Cluster: "c1", Namespace: ns, Workload: name, Version: 3,
		Replicas:   control.Replicas{Manual: replicas, Recommended: control.Unset, Observed: control.Unset},
		Containers: containers}
	r.Replicas.Resolve()
	return r
}

// container is a container whose CPU request is cpu millicores (-1 = unset) and nothing else.
func container(name string, cpu int64) control.Container {
	c := control.NewContainer(name)
	c.CPURequestMillis = cpu
	return c
}

func TestBuild(t *testing.T) {
	shopAPI := Ref{Namespace: "shop", Kind: workload.Deployment, Name: "api"}
	for _, tc := range []struct {
		name      string
		in        Input
		argo      string
		flux      string
		workloads int
		notes     []string
	}{{
		name: "a Deployment under control without an HPA ignores its replicas and each controlled container's resources",
		in: Input{Cluster: "c1", Rows: []control.Row{row("shop", "api", 4, container("app", 500), container("proxy", 50))},
			Positions: map[Ref][]string{shopAPI: {"proxy", "app"}}},
		argo: `spec:
  ignoreDifferences:
  - group: apps
    jqPathExpressions:
    - .spec.replicas
    - .spec.template.spec.containers[] | select(.name == "app") | .resources
    - .spec.template.spec.containers[] | select(.name == "proxy") | .resources
    kind: Deployment
    name: api
    namespace: shop
  syncPolicy:
    syncOptions:
    - RespectIgnoreDifferences=true
`,
		flux: `spec:
  driftIgnoreRules:
  - paths:
    - /spec/replicas
    - /spec/template/spec/containers/1/resources
    - /spec/template/spec/containers/0/resources
    target:
      group: apps
      kind: Deployment
      name: ^api$
      namespace: ^shop$
`,
		workloads: 1, notes: []string{},
	}, {
		name: "an HPA-scaled Deployment keeps only its resources: the webhook leaves its replicas to the HPA",
		in: Input{Rows: []control.Row{row("shop", "api", 4, container("app", 500))},
			HPA: map[Ref]bool{shopAPI: true}, Positions: map[Ref][]string{shopAPI: {"app"}}},
		argo: `spec:
  ignoreDifferences:
  - group: apps
    jqPathExpressions:
    - .spec.template.spec.containers[] | select(.name == "app") | .resources
    kind: Deployment
    name: api
    namespace: shop
  syncPolicy:
    syncOptions:
    - RespectIgnoreDifferences=true
`,
		flux: `spec:
  driftIgnoreRules:
  - paths:
    - /spec/template/spec/containers/0/resources
    target:
      group: apps
      kind: Deployment
      name: ^api$
      namespace: ^shop$
`,
		workloads: 1, notes: []string{},
	}, {
		name: "fields the table leaves unset, and removed rows, get no rule because the webhook changes nothing there",
		in: Input{Rows: []control.Row{
			row("shop", "idle", control.Unset, container("app", control.Unset)),
			func() control.Row { r := row("shop", "gone", 2, container("app", 100)); r.Deleted = true; return r }(),
			row("shop", "web", control.Unset, container("app", control.Unset), container("proxy", 20)),
		}, Positions: map[Ref][]string{{Namespace: "shop", Kind: workload.Deployment, Name: "web"}: {"app", "proxy"}}},
		argo: `spec:
  ignoreDifferences:
  - group: apps
    jqPathExpressions:
    - .spec.template.spec.containers[] | select(.name == "proxy") | .resources
    kind: Deployment
    name: web
    namespace: shop
  syncPolicy:
    syncOptions:
    - RespectIgnoreDifferences=true
`,
		flux: `spec:
  driftIgnoreRules:
  - paths:
    - /spec/template/spec/containers/1/resources
    target:
      group: apps
      kind: Deployment
      name: ^web$
      namespace: ^shop$
`,
		workloads: 1, notes: []string{},
	}, {
		name: "without the live Deployment Flux gets only the replicas and a note names each container left out",
		in:   Input{Rows: []control.Row{row("shop", "api", 2, container("app", 500))}},
		argo: `spec:
  ignoreDifferences:
  - group: apps
    jqPathExpressions:
    - .spec.replicas
    - .spec.template.spec.containers[] | select(.name == "app") | .resources
    kind: Deployment
    name: api
    namespace: shop
  syncPolicy:
    syncOptions:
    - RespectIgnoreDifferences=true
`,
		flux: `spec:
  driftIgnoreRules:
  - paths:
    - /spec/replicas
    target:
      group: apps
      kind: Deployment
      name: ^api$
      namespace: ^shop$
`,
		workloads: 1,
		notes:     []string{"shop/api: the position of container app is unknown (the live Deployment was not read); Flux has no rule for its resources"},
	}, {
		name: "an HPA-scaled Deployment whose container the live object lacks has no Flux rule at all, and a note says why",
		in: Input{Rows: []control.Row{row("shop", "api", 2, container("worker", 500))},
			HPA: map[Ref]bool{shopAPI: true}, Positions: map[Ref][]string{shopAPI: {"app"}}},
		argo: `spec:
  ignoreDifferences:
  - group: apps
    jqPathExpressions:
    - .spec.template.spec.containers[] | select(.name == "worker") | .resources
    kind: Deployment
    name: api
    namespace: shop
  syncPolicy:
    syncOptions:
    - RespectIgnoreDifferences=true
`,
		flux: `spec:
  driftIgnoreRules: []
`,
		workloads: 1,
		notes:     []string{"shop/api: the live Deployment has no container worker; Flux has no rule for its resources"},
	}, {
		name: "a row whose Deployment the cluster lacks gets its Argo CD entry, and a note says why Flux has no container rule",
		in:   Input{Rows: []control.Row{row("shop", "api", control.Unset, container("app", 500))}, Positions: map[Ref][]string{}},
		argo: `spec:
  ignoreDifferences:
  - group: apps
    jqPathExpressions:
    - .spec.template.spec.containers[] | select(.name == "app") | .resources
    kind: Deployment
    name: api
    namespace: shop
  syncPolicy:
    syncOptions:
    - RespectIgnoreDifferences=true
`,
		flux: `spec:
  driftIgnoreRules: []
`,
		workloads: 1,
		notes:     []string{"shop/api: the cluster has no such Deployment; Flux has no rule for the resources of container app"},
	}, {
		name: "Deployments come out ordered by namespace and name, and Flux's regular expressions match only the exact name",
		in: Input{Rows: []control.Row{row("shop", "api.v2", 1), row("billing", "api", 3)},
			Positions: map[Ref][]string{}},
		argo: `spec:
  ignoreDifferences:
  - group: apps
    jqPathExpressions:
    - .spec.replicas
    kind: Deployment
    name: api
    namespace: billing
  - group: apps
    jqPathExpressions:
    - .spec.replicas
    kind: Deployment
    name: api.v2
    namespace: shop
  syncPolicy:
    syncOptions:
    - RespectIgnoreDifferences=true
`,
		flux: `spec:
  driftIgnoreRules:
  - paths:
    - /spec/replicas
    target:
      group: apps
      kind: Deployment
      name: ^api$
      namespace: ^billing$
  - paths:
    - /spec/replicas
    target:
      group: apps
      kind: Deployment
      name: ^api\.v2$
      namespace: ^shop$
`,
		workloads: 2, notes: []string{},
	}, {
		name: "a cluster with nothing under control gets empty lists that still paste as valid configuration",
		in:   Input{Cluster: "c1"},
		argo: `spec:
  ignoreDifferences: []
  syncPolicy:
    syncOptions:
    - RespectIgnoreDifferences=true
`,
		flux: `spec:
  driftIgnoreRules: []
`,
		workloads: 0, notes: []string{},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Build(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.ArgoCD.YAML != tc.argo {
				t.Errorf("Argo CD YAML:\n%s\nwant:\n%s", got.ArgoCD.YAML, tc.argo)
			}
			if got.Flux.YAML != tc.flux {
				t.Errorf("Flux YAML:\n%s\nwant:\n%s", got.Flux.YAML, tc.flux)
			}
			if got.Workloads != tc.workloads {
				t.Errorf("workloads %d, want %d", got.Workloads, tc.workloads)
			}
			if !reflect.DeepEqual(got.Notes, tc.notes) {
				t.Errorf("notes %q, want %q", got.Notes, tc.notes)
			}
			sameAsStructured(t, got)
		})
	}
}

// sameAsStructured checks that the YAML text says what the structured fields say, so the UI's
// copy button and an API client read the same configuration.
func sameAsStructured(t *testing.T, r Result) {
	t.Helper()
	var argo struct {
		Spec struct {
			IgnoreDifferences []ArgoIgnore `json:"ignoreDifferences"`
			SyncPolicy        struct {
				SyncOptions []string `json:"syncOptions"`
			} `json:"syncPolicy"`
		} `json:"spec"`
	}
	if err := yaml.UnmarshalStrict([]byte(r.ArgoCD.YAML), &argo); err != nil {
		t.Fatalf("Argo CD YAML does not parse: %v", err)
	}
	if !reflect.DeepEqual(argo.Spec.IgnoreDifferences, r.ArgoCD.IgnoreDifferences) || !reflect.DeepEqual(argo.Spec.SyncPolicy.SyncOptions, r.ArgoCD.SyncOptions) {
		t.Errorf("Argo CD YAML %+v differs from the structured %+v", argo.Spec, r.ArgoCD)
	}
	var flux struct {
		Spec struct {
			DriftIgnoreRules []FluxRule `json:"driftIgnoreRules"`
		} `json:"spec"`
	}
	if err := yaml.UnmarshalStrict([]byte(r.Flux.YAML), &flux); err != nil {
		t.Fatalf("Flux YAML does not parse: %v", err)
	}
	if !reflect.DeepEqual(flux.Spec.DriftIgnoreRules, r.Flux.DriftIgnoreRules) {
		t.Errorf("Flux YAML %+v differs from the structured %+v", flux.Spec.DriftIgnoreRules, r.Flux.DriftIgnoreRules)
	}
}

func TestTheJSONAnswerUsesCamelCaseAndEmptyListsNotNull(t *testing.T) {
	got, err := Build(Input{Cluster: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"argoCD":{"ignoreDifferences":[],"syncOptions":["RespectIgnoreDifferences=true"]`, `"flux":{"driftIgnoreRules":[]`, `"notes":[]`, `"workloads":0`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
}

func TestHPATargetsAreTheRowsWhoseRecommendationIsForAnHPAsMinReplicas(t *testing.T) {
	scaled := row("shop", "web", 2)
	scaled.Replicas.RecommendedFor = control.RecommendedForHPAMin
	plain := row("shop", "api", 2)
	plain.Replicas.RecommendedFor = control.RecommendedForReplicas
	got := HPATargets([]control.Row{scaled, plain, row("shop", "new", 1)})
	if want := map[Ref]bool{{Namespace: "shop", Kind: workload.Deployment, Name: "web"}: true}; !reflect.DeepEqual(got, want) {
		t.Fatalf("HPA targets %v, want %v", got, want)
	}
}
