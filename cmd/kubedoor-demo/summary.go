package main

import (
	"context"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/internal/demofleet"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/plugin"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// example is a demo workload whose published CapacityPolicy sets its replicas: scaling it by
// hand in an enforced namespace comes back to that number.
type example struct {
	namespace, name string
	replicas        int64
}

// tryScale is the replica count the printed kubectl line asks for; the example is chosen so the
// table says something else, or the line would show nothing.
const tryScale = 9

// enforcedExample reads the published policies, as the webhook does, so the printed lines use a
// real workload and the number it will come back to. The first workload stands in when none is
// published (the summary then says so).
func enforcedExample(ctx context.Context, kube *testenv.Kube) (example, bool) {
	first := demofleet.Workloads[0]
	fallback := example{namespace: first.Namespace, name: first.Name, replicas: -1}
	dyn, err := dynamic.NewForConfig(kube.RESTConfig())
	if err != nil {
		return fallback, false
	}
	for _, w := range demofleet.Workloads {
		if w.Kind != workload.Deployment { // the printed example is a kubectl scale deployment
			continue
		}
		obj, err := dyn.Resource(v1alpha1.GroupVersionResource).Namespace(w.Namespace).Get(ctx, w.Name, metav1.GetOptions{})
		if err != nil {
			continue
		}
		n, found, _ := unstructuredInt(obj.Object, "spec", "replicas")
		if found && n != tryScale {
			return example{namespace: w.Namespace, name: w.Name, replicas: n}, true
		}
	}
	return fallback, false
}

func unstructuredInt(obj map[string]any, path ...string) (int64, bool, error) {
	var cur any = obj
	for _, k := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return 0, false, nil
		}
		if cur, ok = m[k]; !ok {
			return 0, false, nil
		}
	}
	switch v := cur.(type) {
	case int64:
		return v, true, nil
	case float64:
		return int64(v), true, nil
	}
	return 0, false, fmt.Errorf("not a number: %v", cur)
}

// summary is what the person reads once everything is up: the URL first, then how to see the
// webhook enforce the table from the command line.
func summary(url, kubeconfig string, ex example, published bool, promURL, dir string) string {
	var b strings.Builder
	kc := "kubectl --kubeconfig " + kubeconfig
	fmt.Fprintf(&b, "KubeDoor demo is running.\n\n")
	fmt.Fprintf(&b, "  Open %s/a/%s/overview\n", url, plugin.ID)
	fmt.Fprintf(&b, "  Role switcher at the bottom of the left nav: Viewer (reads), Editor (edits the table, runs\n")
	fmt.Fprintf(&b, "  actions and schedules), Admin (clusters, settings, enforcement). Pages: Overview, Control table,\n")
	fmt.Fprintf(&b, "  Peak data, Recommendations, Schedules, Audit, Clusters & settings, Configuration (Admin),\n")
	fmt.Fprintf(&b, "  and Dashboards (preview) with the provisioned KubeDoor dashboards.\n\n")
	fmt.Fprintf(&b, "  Kubeconfig  %s\n\n", kubeconfig)
	fmt.Fprintf(&b, "  Enforcement from the command line (the demo's namespaces start in observe mode):\n")
	fmt.Fprintf(&b, "    %s label ns %s %s=%s --overwrite\n", kc, ex.namespace, v1alpha1.LabelControl, v1alpha1.ControlEnforce)
	fmt.Fprintf(&b, "    %s -n %s get capacitypolicy %s\n", kc, ex.namespace, ex.name)
	fmt.Fprintf(&b, "    %s -n %s scale deploy/%s --replicas=%d\n", kc, ex.namespace, ex.name, tryScale)
	if published {
		fmt.Fprintf(&b, "    %s -n %s get deploy %s    # %d replicas: the control table's, not %d\n", kc, ex.namespace, ex.name, ex.replicas, tryScale)
	} else {
		fmt.Fprintf(&b, "    %s -n %s get deploy %s    # no policy was published (see above): nothing is enforced yet\n", kc, ex.namespace, ex.name)
	}
	fmt.Fprintf(&b, "\n  Prometheus      %s\n", promURL)
	fmt.Fprintf(&b, "  State and logs  %s (plugin.log, webhook/webhook.log, kube/logs/)\n", dir)
	fmt.Fprintf(&b, "  Plugin API      curl -s -b kd_role=Viewer %s/api/plugins/%s/resources/v1/me\n", url, plugin.ID)
	fmt.Fprintf(&b, "\nPress Ctrl-C to stop.\n")
	return b.String()
}
