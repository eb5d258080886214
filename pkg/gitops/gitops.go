// Package gitops builds what a GitOps tool needs to live with the webhook's `template`
// enforcement target: the webhook rewrites spec.replicas and the controlled containers'
// resources of the Deployment the tool applied, so the live object differs from Git in exactly
// those fields. Build turns a cluster's current control rows into
//
//   - an Argo CD Application fragment: one spec.ignoreDifferences entry per controlled
//     Deployment (jqPathExpressions, which select containers by name) and the sync option
//     RespectIgnoreDifferences=true, so that a sync sends the live values of the ignored fields
//     instead of Git's and the webhook has nothing to rewrite;
//   - the Flux equivalent: a Kustomization's spec.driftIgnoreRules (HelmRelease:
//     spec.driftDetection.ignore has the same shape). Flux paths are JSON Pointers, which name a
//     container by its position, not its name, so a container's rule needs the position read
//     from the live Deployment (Input.Positions); without it the container is named in Notes.
//
// Build is pure: the caller reads the rows, the HPA targets and the positions.
package gitops

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// RespectIgnoreDifferences is the Argo CD sync option that makes a sync keep the live values of
// ignored fields.
const RespectIgnoreDifferences = "RespectIgnoreDifferences=true"

// Ref names a workload in the cluster; Kind is canonical (workload.Kind).
type Ref struct {
	Namespace string
	Kind      string
	Name      string
}

func refOf(r control.Row) Ref {
	return Ref{Namespace: r.Namespace, Kind: workload.Kind(r.Kind), Name: r.Workload}
}

// Input is what Build reads.
type Input struct {
	Cluster string
	// Rows are the cluster's current control rows; deleted ones are skipped.
	Rows []control.Row
	// HPA holds the Deployments an HPA scales: the webhook leaves their replicas alone, so no
	// rule names spec.replicas for them.
	HPA map[Ref]bool
	// Positions are each Deployment's container names in pod-template order, from the live
	// objects; nil = not read, a missing Deployment = not in the cluster. Either way Flux rules
	// leave that Deployment's resources out.
	Positions map[Ref][]string
}

// Result is the generated configuration, structured and as YAML text ready to paste.
type Result struct {
	Cluster string `json:"cluster"`
	// Workloads is how many Deployments have at least one rule.
	Workloads int    `json:"workloads"`
	ArgoCD    ArgoCD `json:"argoCD"`
	Flux      Flux   `json:"flux"`
	// Notes say what could not be generated and why, one sentence each.
	Notes []string `json:"notes"`
}

// ArgoCD is the Application spec fragment.
type ArgoCD struct {
	IgnoreDifferences []ArgoIgnore `json:"ignoreDifferences"`
	SyncOptions       []string     `json:"syncOptions"`
	YAML              string       `json:"yaml"`
}

// ArgoIgnore is one entry of an Application's spec.ignoreDifferences.
type ArgoIgnore struct {
	Group             string   `json:"group"`
	Kind              string   `json:"kind"`
	Namespace         string   `json:"namespace"`
	Name              string   `json:"name"`
	JQPathExpressions []string `json:"jqPathExpressions"`
}

// Flux is the Kustomization spec fragment.
type Flux struct {
	DriftIgnoreRules []FluxRule `json:"driftIgnoreRules"`
	YAML             string     `json:"yaml"`
}

// FluxRule is one entry of a Kustomization's spec.driftIgnoreRules.
type FluxRule struct {
	Paths  []string   `json:"paths"`
	Target FluxTarget `json:"target"`
}

// FluxTarget selects the objects a rule applies to. Flux reads name and namespace as regular
// expressions, so Build anchors and quotes them: "api" must not also match "api-v2".
type FluxTarget struct {
	Group     string `json:"group"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

const (
	group = "apps" // of all three kinds

	jqReplicas   = ".spec.replicas"
	ptrReplicas  = "/spec/replicas"
	jqContainer  = `.spec.template.spec.containers[] | select(.name == %q) | .resources`
	ptrContainer = "/spec/template/spec/containers/%d/resources"
)

// Build generates both blocks from in. Deployments come out ordered by namespace and name,
// containers in the row's order.
func Build(in Input) (Result, error) {
	out := Result{Cluster: in.Cluster, Notes: []string{},
		ArgoCD: ArgoCD{IgnoreDifferences: []ArgoIgnore{}, SyncOptions: []string{RespectIgnoreDifferences}},
		Flux:   Flux{DriftIgnoreRules: []FluxRule{}},
	}
	rows := slices.Clone(in.Rows)
	slices.SortFunc(rows, func(a, b control.Row) int {
		return strings.Compare(a.Key().Target(), b.Key().Target())
	})
	for _, r := range rows {
		if r.Deleted {
			continue
		}
		ref := refOf(r)
		rep := r.Replicas
		rep.Resolve()
		var jq, ptr []string
		if rep.Effective >= 0 && !in.HPA[ref] {
			jq, ptr = append(jq, jqReplicas), append(ptr, ptrReplicas)
		}
		positions, known := in.Positions[ref]
		for _, c := range r.Containers {
			if !controlled(c) {
				continue
			}
			jq = append(jq, fmt.Sprintf(jqContainer, c.Name))
			switch i := slices.Index(positions, c.Name); {
			case i >= 0:
				ptr = append(ptr, fmt.Sprintf(ptrContainer, i))
			case known:
				out.Notes = append(out.Notes, fmt.Sprintf("%s: the live %s has no container %s; Flux has no rule for its resources", r.Key().Target(), ref.Kind, c.Name))
			case in.Positions != nil:
				out.Notes = append(out.Notes, fmt.Sprintf("%s: the cluster has no such %s; Flux has no rule for the resources of container %s", r.Key().Target(), ref.Kind, c.Name))
			default:
				out.Notes = append(out.Notes, fmt.Sprintf("%s: the position of container %s is unknown (the live %s was not read); Flux has no rule for its resources", r.Key().Target(), c.Name, ref.Kind))
			}
		}
		if len(jq) == 0 {
			continue // the webhook changes nothing in this Deployment
		}
		out.Workloads++
		out.ArgoCD.IgnoreDifferences = append(out.ArgoCD.IgnoreDifferences, ArgoIgnore{
			Group: group, Kind: ref.Kind, Namespace: r.Namespace, Name: r.Workload, JQPathExpressions: jq,
		})
		if len(ptr) > 0 {
			out.Flux.DriftIgnoreRules = append(out.Flux.DriftIgnoreRules, FluxRule{Paths: ptr, Target: FluxTarget{
				Group: group, Kind: ref.Kind, Namespace: exact(r.Namespace), Name: exact(r.Workload),
			}})
		}
	}
	var err error
	if out.ArgoCD.YAML, err = render(map[string]any{"spec": map[string]any{
		"ignoreDifferences": out.ArgoCD.IgnoreDifferences,
		"syncPolicy":        map[string]any{"syncOptions": out.ArgoCD.SyncOptions},
	}}); err != nil {
		return Result{}, fmt.Errorf("rendering the Argo CD block of cluster %s: %w", in.Cluster, err)
	}
	if out.Flux.YAML, err = render(map[string]any{"spec": map[string]any{
		"driftIgnoreRules": out.Flux.DriftIgnoreRules,
	}}); err != nil {
		return Result{}, fmt.Errorf("rendering the Flux block of cluster %s: %w", in.Cluster, err)
	}
	return out, nil
}

// controlled reports whether the webhook sets any of the container's resources.
func controlled(c control.Container) bool {
	return c.CPURequestMillis >= 0 || c.CPULimitMillis >= 0 || c.MemRequestMiB >= 0 || c.MemLimitMiB >= 0
}

func exact(name string) string { return "^" + regexp.QuoteMeta(name) + "$" }

func render(v any) (string, error) {
	b, err := yaml.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// HPATargets returns the Deployments the stored data says an HPA scales: the derivation marks
// a row's replica recommendation as advice for the HPA's minReplicas when the collected peak
// saw an HPA targeting it. A row without a recommendation (no pods at the peak, no requests)
// is not marked, so its replicas keep a rule; ignoring a field the webhook leaves alone is
// harmless, while a missing rule would leave the Deployment OutOfSync.
func HPATargets(rows []control.Row) map[Ref]bool {
	out := map[Ref]bool{}
	for _, r := range rows {
		if r.Replicas.RecommendedFor == control.RecommendedForHPAMin {
			out[refOf(r)] = true
		}
	}
	return out
}
