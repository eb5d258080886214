package plugin

import (
	"net/http"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/gitops"
)

func (a *App) gitopsRoutes() []route {
	return []route{
		{"GET /v1/clusters/{cluster}/gitops", RoleViewer, "read the GitOps configuration", a.getGitops},
	}
}

// getGitops answers the Argo CD and Flux blocks for the cluster's current control table. The
// Argo CD block needs only the stored rows (HPA targets from the stored peaks, joined by the live
// HPAs when the cluster is reachable); Flux's container paths need the live Deployments, so a
// cluster the backend cannot reach still gets an answer, with notes saying what is missing.
func (a *App) getGitops(w http.ResponseWriter, r *http.Request) {
	snap, ok := a.snapshot(w)
	if !ok {
		return
	}
	c, ok := a.cluster(w, r, snap)
	if !ok {
		return
	}
	rows, _, err := control.New(snap.Conn, a.log).Current(r.Context(), c.Name, control.Filter{})
	if err != nil {
		a.writeFailed(w, r, "reading the control table of cluster "+c.Name, err)
		return
	}
	in := gitops.Input{Cluster: c.Name, Rows: rows, HPA: gitops.HPATargets(rows)}
	var notes []string
	switch nss := gitops.Namespaces(in); {
	case len(nss) == 0:
	case c.KubeAccess == "":
		notes = append(notes, "cluster "+c.Name+" has no Kubernetes access configured, so neither the container positions Flux needs nor the live HPAs were read")
	default:
		var live map[gitops.Ref]bool
		kc, err := snap.Kube.For(c)
		if err == nil {
			in.Positions, err = gitops.ReadPositions(r.Context(), kc.Kubernetes, nss, gitops.Kinds(in))
		}
		if err == nil {
			live, err = gitops.ReadHPATargets(r.Context(), kc.Kubernetes, nss)
			in.HPA = gitops.Union(in.HPA, live)
		}
		if err != nil {
			in.Positions = nil // a half-read cluster is not read
			a.log.WarnContext(r.Context(), "reading container positions for the GitOps configuration failed", "cluster", c.Name, "error", err)
			notes = append(notes, "the live Deployments and HPAs of cluster "+c.Name+" could not be read ("+err.Error()+"), so Flux has no container rules and HPAs come from the stored peaks only")
		}
	}
	res, err := gitops.Build(in)
	if err != nil {
		a.writeFailed(w, r, "building the GitOps configuration of cluster "+c.Name, err)
		return
	}
	res.Notes = append(append([]string{}, notes...), res.Notes...)
	writeJSON(w, http.StatusOK, res)
}
