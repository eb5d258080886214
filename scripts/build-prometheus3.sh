#!/usr/bin/env bash
# Builds Prometheus 3 (prometheus + promtool) from the Go module proxy (no release downloads) into a
# versioned cache folder and reuses it when present. The collector's tests run against it beside
# Debian's Prometheus 2 (internal/testenv.Prometheus3).
# Usage: scripts/build-prometheus3.sh        prints the folder holding both binaries on its last line
# Env:   KUBEDOOR_CACHE [~/.cache/kubedoor]  PROMETHEUS3_VERSION [testenv.Prometheus3Version]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# The version is pinned once, in internal/testenv/parts.go, which also finds the folder.
VERSION="${PROMETHEUS3_VERSION:-$(sed -n 's/^[[:space:]]*Prometheus3Version[[:space:]]*=[[:space:]]*"\([0-9.]*\)".*/\1/p' "$ROOT/internal/testenv/parts.go")}"
[[ "$VERSION" =~ ^3\.([0-9]+)\.([0-9]+)$ ]] || { echo "build-prometheus3: bad version '$VERSION'" >&2; exit 1; }
# Prometheus publishes v3.X.Y as the Go module version v0.(300+X).Y.
MODVER="v0.$((300 + BASH_REMATCH[1])).${BASH_REMATCH[2]}"
CACHE="${KUBEDOOR_CACHE:-$HOME/.cache/kubedoor}"
OUT="$CACHE/prometheus-$VERSION"
if [[ -f "$OUT/.complete" ]]; then echo "$OUT"; exit 0; fi

mkdir -p "$CACHE"
# Two builds at once (parallel CI jobs, two worktrees) wait for each other instead of racing.
exec 9>"$CACHE/prometheus-$VERSION.lock"
flock 9
if [[ -f "$OUT/.complete" ]]; then echo "$OUT"; exit 0; fi

# Built beside OUT and renamed into place, so OUT is either absent or complete.
WORK="$(mktemp -d "$CACHE/.prometheus-$VERSION.XXXXXX")"; trap 'rm -rf "$WORK"' EXIT
T0=$(date +%s)
echo "[build-prometheus3] prometheus $VERSION ($MODVER): building prometheus and promtool" >&2
V=github.com/prometheus/common/version
# remove_all_sd drops the service-discovery plugins, one of which pins a pseudo-version the module
# proxy does not serve; the tests only use static and HTTP discovery, which stay.
CGO_ENABLED=0 GOBIN="$WORK" go install -trimpath -tags remove_all_sd,enable_kubernetes_sd \
  -ldflags "-s -w -X $V.Version=$VERSION -X $V.Revision=$MODVER -X $V.Branch=module-proxy -X $V.BuildUser=kubedoor -X $V.BuildDate=19700101-00:00:00" \
  "github.com/prometheus/prometheus/cmd/prometheus@$MODVER" "github.com/prometheus/prometheus/cmd/promtool@$MODVER"
"$WORK/prometheus" --version 2>&1 | grep -q "version $VERSION" || { echo "build-prometheus3: built binary does not report $VERSION" >&2; exit 1; }
touch "$WORK/.complete"
rm -rf "$OUT"  # a folder without .complete is a leftover of a build older scripts did in place
chmod 755 "$WORK"
mv -T "$WORK" "$OUT"
trap - EXIT
echo "[build-prometheus3] done in $(( $(date +%s) - T0 ))s: $(du -sh "$OUT" | cut -f1) in $OUT" >&2
echo "$OUT"
