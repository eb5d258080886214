#!/usr/bin/env bash
# Builds the local Kubernetes testbed binaries from the Go module proxy (no release downloads) into a
# versioned cache folder and reuses them when present:
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kwok
# Usage: scripts/build-testbed.sh            prints the folder holding the binaries on its last line
# Env:   KUBEDOOR_CACHE [~/.cache/kubedoor]  K8S_VERSION [1.34.4] ETCD_VERSION [3.6.16] KWOK_VERSION [0.8.0]
set -euo pipefail
K8S_VERSION="${K8S_VERSION:-1.34.4}"
ETCD_VERSION="${ETCD_VERSION:-3.6.16}"
KWOK_VERSION="${KWOK_VERSION:-0.8.0}"
CACHE="${KUBEDOOR_CACHE:-$HOME/.cache/kubedoor}"
OUT="$CACHE/testbed/k8s-$K8S_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION"
if [[ -f "$OUT/.complete" ]]; then echo "$OUT"; exit 0; fi

mkdir -p "$OUT"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
export CGO_ENABLED=0 GOFLAGS="-buildvcs=false"
T0=$(date +%s)
step() { echo "[build-testbed +$(( $(date +%s) - T0 ))s] $*" >&2; }

# k8s.io/kubernetes replaces its staging modules with ./staging/...; `go install` refuses that, so a
# wrapper module maps them to the published v0.X.Y tags instead.
STAGING_VERSION="0.${K8S_VERSION#1.}"
K8S_MINOR="$(cut -d. -f2 <<<"$K8S_VERSION")"
STAGING="api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider
 cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api cri-client
 csi-translation-lib dynamic-resource-allocation endpointslice externaljwt kms kube-aggregator
 kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics mount-utils
 pod-security-admission sample-apiserver"
COMPONENTS="kube-apiserver kube-controller-manager kube-scheduler kubectl"
mkdir -p "$WORK/k8s"; cd "$WORK/k8s"
{
  printf 'module kubedoor.local/testbed-k8s\n\ngo 1.24.0\n\ngodebug default=go1.24\n\n'
  printf 'require k8s.io/kubernetes v%s\n\nreplace (\n' "$K8S_VERSION"
  for m in $STAGING; do printf '\tk8s.io/%s => k8s.io/%s v%s\n' "$m" "$m" "$STAGING_VERSION"; done
  printf ')\n'
} > go.mod
{
  printf '//go:build tools\n\npackage tools\n\nimport (\n'
  for c in $COMPONENTS; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$c"; done
  printf ')\n'
} > tools.go
step "kubernetes $K8S_VERSION: resolving modules"
go mod tidy
V=k8s.io/component-base/version; CV=k8s.io/client-go/pkg/version
LDF="-s -w -X $V.gitVersion=v$K8S_VERSION -X $V.gitMajor=1 -X $V.gitMinor=$K8S_MINOR -X $V.gitTreeState=clean"
LDF="$LDF -X $V.buildDate=1970-01-01T00:00:00Z -X $CV.gitVersion=v$K8S_VERSION -X $CV.gitMajor=1 -X $CV.gitMinor=$K8S_MINOR"
PKGS=(); for c in $COMPONENTS; do PKGS+=("k8s.io/kubernetes/cmd/$c"); done
step "kubernetes: building $COMPONENTS"
go build -trimpath -ldflags "$LDF" -o "$OUT/" "${PKGS[@]}"

mkdir -p "$WORK/etcd"; cd "$WORK/etcd"
printf 'module kubedoor.local/testbed-etcd\n\ngo 1.24.0\n\nrequire go.etcd.io/etcd/server/v3 v%s\n' "$ETCD_VERSION" > go.mod
printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' > tools.go
step "etcd $ETCD_VERSION: resolving and building"
go mod tidy
go build -trimpath -ldflags "-s -w" -o "$OUT/etcd" go.etcd.io/etcd/server/v3

step "kwok $KWOK_VERSION: building"
GOBIN="$OUT" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION"
# kwok's stage definitions ship in its module's kustomize/ folder; keep the ones the testbed loads.
KWOK_DIR="$(go mod download -json "sigs.k8s.io/kwok@v$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
mkdir -p "$OUT/kwok-kustomize"
cp -r "$KWOK_DIR/kustomize/." "$OUT/kwok-kustomize/"
chmod -R u+w "$OUT/kwok-kustomize"

touch "$OUT/.complete"
step "done: $(du -sh "$OUT" | cut -f1) in $OUT"
echo "$OUT"
