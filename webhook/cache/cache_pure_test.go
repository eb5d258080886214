package cache

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestAnUnreadablePolicyIsReportedNotHidden(t *testing.T) {
	c := &Cache{log: quiet()}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kubedoor.io/v1alpha1", "kind": "CapacityPolicy",
		"metadata": map[string]any{"name": "api", "namespace": "shop"},
		"spec":     map[string]any{"replicas": "four"},
	}}
	out, err := c.toPolicy(u)
	if err != nil {
		t.Fatal(err)
	}
	p := out.(*v1alpha1.CapacityPolicy)
	if perr := PolicyError(p); perr == nil || !strings.Contains(perr.Error(), "shop/api is unreadable") {
		t.Fatalf("PolicyError = %v", perr)
	}
	again, _ := c.toPolicy(p)
	if again != p {
		t.Fatal("the transform is not idempotent on an already converted policy")
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
