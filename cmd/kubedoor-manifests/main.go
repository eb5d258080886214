// Command kubedoor-manifests prints the whole webhook installation — the Helm chart in
// deploy/helm/kubedoor rendered with the Helm SDK, with a CA and serving certificate made now —
// for installing without Helm:
//
//	kubedoor-manifests --image … --cluster-name … | kubectl apply --server-side -f -
//
// It is its own command, not a subcommand of kubedoor-webhook, so the webhook pods do not carry
// the Helm SDK: linked in, it made the webhook's binary 117 MB instead of 43 MB and its resident
// memory at start 55 MiB instead of 28 MiB (BENCHMARKS.md, Webhook → Memory).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/kubedoor/kubedoor-grafana/webhook/deploy"
)

func main() {
	if err := run(os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "kubedoor-manifests:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, args []string) error {
	var o deploy.Options
	var timeout int
	fs := flag.NewFlagSet("kubedoor-manifests", flag.ContinueOnError)
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
