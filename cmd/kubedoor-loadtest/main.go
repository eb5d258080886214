// Command loadtest measures what kubedoor-webhook costs a real kube-apiserver: Deployment CREATE
// latency at several client concurrencies with the webhook registered and without it, and the
// webhook's memory with 10,000 CapacityPolicies cached. Everything runs on 127.0.0.1 (etcd,
// kube-apiserver and the built webhook, from internal/testenv), is bounded in count and time,
// and stops by itself.
//
//	go run ./cmd/kubedoor-loadtest -clients 50,200 -creates 3000 -policies 10000
//	go run ./cmd/kubedoor-loadtest -memory-only -mixed -policies 10000   # memory with mixed kinds
//	go run ./cmd/kubedoor-loadtest -pods -latency-only -clients 1,200    # Pod CREATE (pods target) beside Deployment CREATE
//	go run ./cmd/kubedoor-loadtest -references -latency-only -clients 1,10,50,200 -creates 1000 -policies 1000 -rounds 3 -cpuprofile /tmp/webhook.pprof
//	                                                              # ours against an allow-only and a constant-patch webhook
//	go run ./cmd/kubedoor-loadtest -references -latency-only -clients 1,10,50,200 -creates 1000 -policies 1000 -rounds 3 \
//	    -before r22 -variant gogc100=GOGC=100                     # and beside ours: the webhook built at r22, ours with GOGC=100
//	go run ./cmd/kubedoor-loadtest -rollout 200 -policies 200 -creates 200 # UPDATE reviews over a rollout, with/without matchConditions
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/webhook/deploy/crd"
	"github.com/kubedoor/kubedoor-grafana/webhook/registration"
)

type options struct {
	clients  []int
	creates  int
	policies int
	rounds   int
	timeout  time.Duration
	// mixed publishes policies for, and creates, Deployments, StatefulSets and DaemonSets in
	// turn; memoryOnly skips the latency rounds.
	mixed, memoryOnly bool
	// pods also measures Pod CREATE in a namespace whose enforcement target is pods, beside each
	// Deployment CREATE measurement; latencyOnly skips the memory phase.
	pods, latencyOnly bool
	// replicaSets, in the memory phase, creates this many ReplicaSets (each controlled by one of
	// the Deployments) after the workloads and reads memory again: the pods target's cache.
	replicaSets int
	// settle is how long the populated webhook idles before memory is read again: RSS right
	// after a burst holds garbage of the burst's reviews the runtime has not returned yet.
	settle time.Duration
	// references also measures the two reference webhooks (allow, constant patch) beside ours.
	references bool
	// rollout, when set, runs only the rollout phase: this many Deployments rolled out with
	// kube-controller-manager running, counting the UPDATE reviews with and without the
	// registration's match condition.
	rollout int
	// cpuProfile, when set, is where a CPU profile of the webhook is written, taken over
	// repeated bursts of creates through ours at the highest client count after the rounds.
	cpuProfile string
	// variants are further kubedoor-webhooks measured beside ours (-before, -variant).
	variants variants
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var o options
	var clients string
	flag.StringVar(&clients, "clients", "50,200", "comma-separated client concurrencies")
	flag.IntVar(&o.creates, "creates", 3000, "Deployment creates per measurement")
	flag.IntVar(&o.policies, "policies", 10000, "CapacityPolicies to publish (the memory figure is taken with all of them cached)")
	flag.IntVar(&o.rounds, "rounds", 2, "alternations of without/with webhook per concurrency (drift shows as a difference between rounds)")
	flag.DurationVar(&o.timeout, "timeout", 30*time.Minute, "give up after this long")
	flag.BoolVar(&o.mixed, "mixed", false, "policies and workloads of mixed kinds (Deployment, StatefulSet, DaemonSet in turn)")
	flag.BoolVar(&o.memoryOnly, "memory-only", false, "skip the latency rounds; measure memory only")
	flag.BoolVar(&o.pods, "pods", false, "also measure Pod CREATE in a namespace whose enforcement target is pods (Pods of a Deployment's ReplicaSet)")
	flag.BoolVar(&o.latencyOnly, "latency-only", false, "skip the memory phase")
	flag.IntVar(&o.replicaSets, "replicasets", 0, "memory phase: also create this many ReplicaSets in a template-target namespace (not cached), then make it a pods-target namespace (cached), reading memory each time")
	flag.DurationVar(&o.settle, "settle", time.Minute, "idle time after the creates before memory is read again (0: skip)")
	flag.BoolVar(&o.references, "references", false, "also measure two reference webhooks (allowed with no patch; ours's patch, precomputed) registered the same way")
	flag.IntVar(&o.rollout, "rollout", 0, "run only the rollout phase with this many Deployments (starts kube-controller-manager)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of kubedoor-webhook (bursts of creates at the highest -clients, through ours) to this file")
	var before revisions
	flag.Var(&before, "before", "also measure kubedoor-webhook built from this git revision (e.g. r22), registered the same way, beside ours (repeatable)")
	flag.Var(&o.variants, "variant", "also measure ours run with other flags/environment, registered the same way: name=--flag=value,ENV=value (repeatable)")
	var refListen, refDir string
	flag.StringVar(&refListen, "reference-listen", "", "internal: serve the reference webhooks on this address")
	flag.StringVar(&refDir, "reference-dir", "", "internal: certificate and patch directory of the reference webhooks")
	flag.Parse()
	var built variants
	for _, ref := range before {
		built = append(built, variant{name: "kubedoor@" + ref, ref: ref})
	}
	o.variants = append(built, o.variants...)
	if refListen != "" {
		if err := serveReference(refListen, refDir); err != nil {
			log.Error("reference webhook", "error", err)
			os.Exit(1)
		}
		return
	}
	for _, c := range strings.Split(clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			log.Error("bad -clients", "value", clients)
			os.Exit(2)
		}
		o.clients = append(o.clients, n)
	}
	if o.creates > o.policies {
		log.Error("-creates must not exceed -policies (each created Deployment has a policy)")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	if err := run(ctx, o, log); err != nil {
		log.Error("loadtest failed", "error", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, log *slog.Logger) error {
	started := time.Now()
	kube, err := testenv.StartKube(ctx, testenv.KubeOptions{Logger: log, ControllerManager: o.rollout > 0})
	if err != nil {
		return err
	}
	defer kube.Stop()
	cfg := kube.RESTConfig()
	cfg.QPS, cfg.Burst = -1, 0 // no client-side throttling: measure the server
	cs := kubernetes.NewForConfigOrDie(cfg)
	dyn := dynamic.NewForConfigOrDie(cfg)
	if err := crd.Install(ctx, dyn); err != nil {
		return err
	}

	dir, err := os.MkdirTemp("", "kubedoor-loadtest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var extra []string
	if o.cpuProfile != "" {
		extra = append(extra, "--pprof")
	}
	wh, err := startWebhook(ctx, dir, "", "webhook", kube.Kubeconfig, nil, extra...)
	if err != nil {
		return err
	}
	defer wh.Stop()
	rssEmpty, err := wh.rss()
	if err != nil {
		return err
	}

	ns := "load"
	if err := createNamespace(ctx, cs, ns); err != nil {
		return err
	}
	if o.rollout > 0 {
		return rolloutPhase(ctx, cs, dyn, wh, ns, o.rollout, log)
	}
	log.Info("publishing policies", "count", o.policies)
	t0 := time.Now()
	if err := createPolicies(ctx, dyn, ns, o.policies, o.mixed); err != nil {
		return err
	}
	log.Info("policies published", "took", time.Since(t0).Round(time.Millisecond))
	if err := wh.waitCached(ctx, "capacitypolicies", o.policies); err != nil {
		return err
	}
	rssPolicies, err := wh.rss()
	if err != nil {
		return err
	}
	objects := []string{objDeployments}
	var rsUID types.UID
	if o.pods {
		if rsUID, err = setUpPods(ctx, cs, dyn); err != nil {
			return err
		}
		if err := wh.waitCached(ctx, "replicasets", 1); err != nil {
			return err
		}
		objects = append(objects, objPods)
	}

	reg := registration.Mutating(registration.Options{URL: wh.MutateURL(), CABundle: wh.CAPEM, Timeout: 3})
	hooks := []hook{{name: hookNone}}
	var ref *reference
	if o.references {
		if ref, err = startReference(ctx, wh, ns); err != nil {
			return err
		}
		defer ref.stop()
		for _, name := range []string{hookAllow, hookPatch} {
			hooks = append(hooks, hook{name: name, reg: registration.Mutating(registration.Options{URL: ref.base + "/" + name, CABundle: wh.CAPEM, Timeout: 3}), pid: ref.cmd.Process.Pid})
		}
	}
	// A variant caches what ours caches now: -pods publishes one policy more than -policies.
	policies, err := wh.Metric("kubedoor_webhook_cache_objects", map[string]string{"kind": "capacitypolicies"})
	if err != nil {
		return err
	}
	for _, v := range o.variants {
		vw, err := startVariant(ctx, dir, kube.Kubeconfig, wh.Bin, v)
		if err != nil {
			return fmt.Errorf("variant %s: %w", v.name, err)
		}
		defer vw.Stop()
		if err := vw.waitCached(ctx, "capacitypolicies", int(policies)); err != nil {
			return err
		}
		hooks = append(hooks, hook{name: v.name, reg: registration.Mutating(registration.Options{URL: vw.MutateURL(), CABundle: vw.CAPEM, Timeout: 3}),
			pid: vw.Process().Pid, kubedoor: vw})
	}
	hooks = append(hooks, hook{name: hookOurs, reg: reg, pid: wh.Process().Pid, kubedoor: wh})
	var results []result
	clientCounts := o.clients
	if o.memoryOnly {
		clientCounts = nil
	}
	for _, c := range clientCounts {
		for round := 1; round <= o.rounds; round++ {
			for _, object := range objects {
				for _, h := range hooks {
					if err := register(ctx, cs, h, wh, ref, ns); err != nil {
						return err
					}
					apiCPU0, err := testenv.CPUTime(kube.PIDs()[testenv.APIServer])
					if err != nil {
						return err
					}
					hookPID := h.pid
					if hookPID == 0 {
						hookPID = wh.Process().Pid // none: ours idles (its informers still run)
					}
					hookCPU0, err := testenv.CPUTime(hookPID)
					if err != nil {
						return err
					}
					load := loadAverage()
					r, err := measure(ctx, c, o.creates, func(i int) error { return createOne(ctx, cs, object, ns, rsUID, i) })
					if err != nil {
						return err
					}
					apiCPU1, _ := testenv.CPUTime(kube.PIDs()[testenv.APIServer])
					hookCPU1, _ := testenv.CPUTime(hookPID)
					r.apiCPU, r.hookCPU = (apiCPU1-apiCPU0)/time.Duration(o.creates), (hookCPU1-hookCPU0)/time.Duration(o.creates)
					r.webhook, r.hook, r.round, r.object, r.load = h.name != hookNone, h.name, round, object, load
					if h.name == hookOurs {
						if r.patched, err = wh.patchedCreates(); err != nil {
							return err
						}
					}
					log.Info("measured", "object", object, "clients", c, "webhook", h.name, "round", round, "p50", r.p50, "p99", r.p99, "rate", fmt.Sprintf("%.0f/s", r.rate))
					results = append(results, r)
					clean := func() error { return deleteAll(ctx, cs, ns) }
					if object == objPods {
						clean = func() error { return deletePods(ctx, cs) }
					}
					if err := clean(); err != nil {
						return err
					}
				}
			}
		}
	}
	if err := register(ctx, cs, hooks[len(hooks)-1], wh, ref, ns); err != nil {
		return err
	}
	if o.references {
		compare(os.Stdout, results)
		medians(os.Stdout, results, hooks)
	}
	if o.cpuProfile != "" && len(clientCounts) > 0 {
		if err := profile(ctx, cs, wh, ns, clientCounts[len(clientCounts)-1], o.creates, o.cpuProfile, log); err != nil {
			return err
		}
	}
	if o.latencyOnly {
		var served [2]time.Duration
		for i, q := range []float64{0.5, 0.99} {
			if served[i], err = wh.reviewQuantile(q); err != nil {
				return err
			}
		}
		report(os.Stdout, o, results, memory{empty: rssEmpty, policies: rssPolicies}, served, time.Since(started))
		return nil
	}

	// Memory in a populated cluster: the policies plus as many workloads, all through the
	// webhook; Deployments and StatefulSets are cached (metadata), DaemonSets are not.
	if err := populate(ctx, cs, ns, 50, o.policies, o.mixed); err != nil {
		return err
	}
	if err := wh.waitCached(ctx, "deployments", countOf(v1alpha1.KindDeployment, o.policies, o.mixed)); err != nil {
		return err
	}
	if err := wh.waitCached(ctx, "statefulsets", countOf(v1alpha1.KindStatefulSet, o.policies, o.mixed)); err != nil {
		return err
	}
	rssFull, err := wh.rss()
	if err != nil {
		return err
	}
	mem := memory{empty: rssEmpty, policies: rssPolicies, full: rssFull}
	if o.replicaSets > 0 {
		if mem.replicaSets, mem.replicaSetsPods, err = cacheReplicaSets(ctx, cs, wh, ns, o); err != nil {
			return err
		}
	}
	if o.settle > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(o.settle):
		}
		if mem.settled, err = wh.rss(); err != nil {
			return err
		}
		heap, err := wh.Metric("go_memstats_heap_inuse_bytes", nil)
		if err != nil {
			return err
		}
		mem.heapInuse = int64(heap)
	}
	var served [2]time.Duration
	for i, q := range []float64{0.5, 0.99} {
		if served[i], err = wh.reviewQuantile(q); err != nil {
			return err
		}
	}
	report(os.Stdout, o, results, mem, served, time.Since(started))
	return nil
}

// register puts h's configuration in place (none: deletes it) and waits until the API server
// acts on the change: ours denies an unregistered Deployment, a reference counts the probe's
// call, and with none the probe is admitted again.
func register(ctx context.Context, cs kubernetes.Interface, h hook, wh *webhook, ref *reference, ns string) error {
	cfgs := cs.AdmissionregistrationV1().MutatingWebhookConfigurations()
	err := cfgs.Delete(ctx, registration.Name, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	if h.reg == nil {
		return wh.waitUnregistered(ctx, cs, ns)
	}
	if _, err := cfgs.Create(ctx, h.reg, metav1.CreateOptions{}); err != nil {
		return err
	}
	if h.kubedoor != nil {
		return h.kubedoor.waitRegistered(ctx, cs, ns)
	}
	before, err := ref.calls()
	if err != nil {
		return err
	}
	return wh.probe(ctx, cs, ns, func(error) bool {
		n, err := ref.calls()
		return err == nil && n > before
	})
}
