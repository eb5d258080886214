package main

import (
	"flag"
	"io"

	"github.com/kubedoor/kubedoor-grafana/webhook/deploy"
)

// runManifests prints the whole installation with a CA and serving certificate made now:
// kubedoor-webhook manifests --image … | kubectl apply --server-side -f -
func runManifests(w io.Writer, args []string) error {
	var o deploy.Options
	var timeout int
	fs := flag.NewFlagSet("manifests", flag.ContinueOnError)
	fs.StringVar(&o.Namespace, "namespace", "kubedoor", "namespace to install into (never selected by the webhook)")
	fs.StringVar(&o.Image, "image", "", "kubedoor-webhook image (required)")
	fs.StringVar(&o.ClusterName, "cluster-name", "", "this cluster's name in the control table (named in denial messages)")
	fs.StringVar(&o.ReplicasOnlyUpdate, "replicas-only-update", "enforce", "a Deployment update changing only replicas: enforce or allow")
	fs.IntVar(&timeout, "timeout-seconds", 3, "webhook timeoutSeconds (3..5)")
	fs.BoolVar(&o.FailClosed, "fail-closed", false, "failurePolicy Fail instead of Ignore (reviews fail while the webhook is down)")
	replicas := fs.Int("replicas", 2, "webhook replicas")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.TimeoutSeconds, o.Replicas = int32(timeout), int32(*replicas)
	return deploy.Write(w, o)
}
