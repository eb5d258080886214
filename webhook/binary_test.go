package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The webhook runs in every cluster on a memory budget (≤ 64 MiB RSS with 10,000 policies and
// workloads cached; BENCHMARKS.md). Linking the Helm SDK in, for an install subcommand, took
// its resident memory at start from 28 to 55 MiB; the installer is cmd/kubedoor-manifests.
func TestTheWebhookBinaryLinksNoHelmSDK(t *testing.T) {
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "helm.sh/") || strings.HasSuffix(pkg, "/webhook/deploy") {
			t.Fatalf("kubedoor-webhook imports %s: the installer belongs in cmd/kubedoor-manifests", pkg)
		}
	}
}

func TestTheOldManifestsSubcommandSaysWhereItWent(t *testing.T) {
	if !strings.Contains(errManifestsMoved.Error(), "kubedoor-manifests") || !strings.Contains(errManifestsMoved.Error(), "Helm chart") {
		t.Fatalf("message %q must name kubedoor-manifests and the chart", errManifestsMoved)
	}
}
