// Package crd embeds the CapacityPolicy CustomResourceDefinition that controller-gen writes
// beside this file, so the webhook's manifests, the backend, tests and the demo install the same
// bytes that are committed.
package crd

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"
)

// YAML is the CRD exactly as controller-gen wrote it (regenerate with
// `go run sigs.k8s.io/controller-tools/cmd/controller-gen@v0.19.0 object paths=./api/...
// crd:crdVersions=v1 output:crd:dir=./webhook/deploy/crd`).
//
//go:embed kubedoor.io_capacitypolicies.yaml
var YAML []byte

// GVR of CustomResourceDefinitions.
var GVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// Object returns a fresh copy of the CRD as an unstructured object.
func Object() (*unstructured.Unstructured, error) {
	var m map[string]any
	if err := yaml.Unmarshal(YAML, &m); err != nil {
		return nil, fmt.Errorf("decoding the embedded CRD: %w", err)
	}
	return &unstructured.Unstructured{Object: m}, nil
}

// Install creates the CRD, or updates it to the embedded version, and waits until the API
// server serves it (condition Established).
func Install(ctx context.Context, client dynamic.Interface) error {
	want, err := Object()
	if err != nil {
		return err
	}
	crds := client.Resource(GVR)
	_, err = crds.Create(ctx, want, metav1.CreateOptions{FieldManager: "kubedoor"})
	if apierrors.IsAlreadyExists(err) {
		cur, getErr := crds.Get(ctx, want.GetName(), metav1.GetOptions{})
		if getErr != nil {
			return fmt.Errorf("reading CRD %s: %w", want.GetName(), getErr)
		}
		want.SetResourceVersion(cur.GetResourceVersion())
		_, err = crds.Update(ctx, want, metav1.UpdateOptions{FieldManager: "kubedoor"})
	}
	if err != nil {
		return fmt.Errorf("installing CRD %s: %w", want.GetName(), err)
	}
	return WaitEstablished(ctx, client, want.GetName())
}

// WaitEstablished waits until the named CRD reports Established=True.
func WaitEstablished(ctx context.Context, client dynamic.Interface, name string) error {
	err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		cur, err := client.Resource(GVR).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil // not visible yet; keep polling until the timeout
		}
		conds, _, _ := unstructured.NestedSlice(cur.Object, "status", "conditions")
		for _, c := range conds {
			m, _ := c.(map[string]any)
			if m["type"] == "Established" && m["status"] == "True" {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("CRD %s never became established: %w", name, err)
	}
	return nil
}
