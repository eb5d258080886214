package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
)

// The reference webhooks bound what any mutating webhook can cost: one answers allowed with no
// patch at once, the other answers the very patch kubedoor-webhook returns for the created
// Deployments (taken from it once, before the run), with no cache and no decision. They run in a
// child process of the load test (its CPU is read apart), serve the same certificate, and are
// registered through the same registration package.
const (
	refAllow = "/allow"
	refPatch = "/patch"
	refCount = "/count"
)

// serveReference is the child process: it serves until killed.
func serveReference(addr, dir string) error {
	patch, err := os.ReadFile(filepath.Join(dir, "patch.json"))
	if err != nil {
		return err
	}
	var calls atomic.Int64
	answer := func(patch []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			// Only the UID is needed to answer; the rest of the review is skipped by the decoder.
			var in struct {
				Request struct {
					UID types.UID `json:"uid"`
				} `json:"request"`
			}
			if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			calls.Add(1)
			out := admissionv1.AdmissionReview{TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
				Response: &admissionv1.AdmissionResponse{UID: in.Request.UID, Allowed: true}}
			if patch != nil {
				pt := admissionv1.PatchTypeJSONPatch
				out.Response.Patch, out.Response.PatchType = patch, &pt
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(out)
		}
	}
	mux := http.NewServeMux()
	mux.Handle(refAllow, answer(nil))
	mux.Handle(refPatch, answer(patch))
	mux.HandleFunc(refCount, func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, calls.Load()) })
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return srv.ListenAndServeTLS(filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"))
}

// reference is the running child process.
type reference struct {
	cmd    *exec.Cmd
	base   string
	client *http.Client
}

// startReference takes kubedoor-webhook's patch for the created Deployment i=0 from wh, writes
// it beside wh's certificate and starts the child serving it with that certificate.
func startReference(ctx context.Context, wh *webhook, ns string) (*reference, error) {
	dir := wh.CertDir
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(wh.CAPEM)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	patch, err := kubedoorPatch(ctx, client, wh.MutateURL(), ns)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "patch.json"), patch, 0o600); err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := testenv.FreeAddr()
	if err != nil {
		return nil, err
	}
	r := &reference{base: "https://" + addr, client: client}
	r.cmd = exec.Command(self, "-reference-listen", addr, "-reference-dir", dir)
	r.cmd.Stdout, r.cmd.Stderr = os.Stderr, os.Stderr
	if err := r.cmd.Start(); err != nil {
		return nil, err
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		if _, err := r.calls(); err == nil {
			return r, nil
		} else if time.Now().After(deadline) {
			r.stop()
			return nil, fmt.Errorf("reference webhook not serving: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (r *reference) stop() {
	_ = r.cmd.Process.Kill()
	_, _ = r.cmd.Process.Wait()
}

func (r *reference) calls() (int64, error) {
	resp, err := r.client.Get(r.base + refCount)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(resp.Body); err != nil {
		return 0, err
	}
	return strconv.ParseInt(b.String(), 10, 64)
}

// kubedoorPatch sends kubedoor-webhook the review of creating workload 0 and returns its patch.
func kubedoorPatch(ctx context.Context, client *http.Client, url, ns string) ([]byte, error) {
	d := newDeployment(workload(0))
	d.Namespace = ns
	d.TypeMeta = metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"}
	obj, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	review := admissionv1.AdmissionReview{TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{UID: "reference", Operation: admissionv1.Create, Namespace: ns, Name: d.Name,
			Kind:     metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"},
			Resource: metav1.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"},
			Object:   runtime.RawExtension{Raw: obj}}}
	body, err := json.Marshal(review)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out admissionv1.AdmissionReview
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("kubedoor-webhook's answer: %w", err)
	}
	if out.Response == nil || len(out.Response.Patch) == 0 {
		return nil, fmt.Errorf("kubedoor-webhook returned no patch for %s: %+v", d.Name, out.Response)
	}
	return out.Response.Patch, nil
}

// profile writes a 20-second CPU profile of kubedoor-webhook (registered) taken while c
// clients create n Deployments and they are deleted again, over and over.
func profile(ctx context.Context, cs kubernetes.Interface, wh *webhook, ns string, c, n int, path string, log *slog.Logger) error {
	done := make(chan error, 1)
	go func() {
		resp, err := http.Get(wh.HealthURL() + "/debug/pprof/profile?seconds=20")
		if err != nil {
			done <- err
			return
		}
		defer resp.Body.Close()
		f, err := os.Create(path)
		if err != nil {
			done <- err
			return
		}
		_, err = io.Copy(f, resp.Body)
		done <- errors.Join(err, f.Close())
	}()
	bursts := 0
	for {
		select {
		case err := <-done:
			log.Info("webhook CPU profile written", "path", path, "bursts", bursts, "creates", bursts*n)
			return err
		default:
		}
		if _, err := measure(ctx, c, n, func(i int) error { return createOne(ctx, cs, objDeployments, ns, "", i) }); err != nil {
			return err
		}
		if err := deleteAll(ctx, cs, ns); err != nil {
			return err
		}
		bursts++
	}
}
