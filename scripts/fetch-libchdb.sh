#!/usr/bin/env bash
# Fetches libchdb (the ClickHouse engine as a shared library) from the npm registry into a versioned
# cache folder and reuses it when present. Prints the path of libchdb.so on its last line.
# The package tarball is kept beside it as engine.tgz, verified against the checksum the plugin
# pins (pkg/engine/engine.go, Integrity): the engine download test serves it
# (KUBEDOOR_ENGINE_TGZ, set by `go tool mage gotest`). A cache made before the tarball was kept
# gets it once; a complete cache is left alone.
# Env: KUBEDOOR_CACHE [~/.cache/kubedoor]  CHDB_NPM_VERSION [26.5.3]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VERSION="${CHDB_NPM_VERSION:-26.5.3}"
CACHE="${KUBEDOOR_CACHE:-$HOME/.cache/kubedoor}"
OUT="$CACHE/chdb/$VERSION"
TGZ="$OUT/engine.tgz"
if [[ -f "$OUT/libchdb.so" && -f "$OUT/.complete" && -f "$TGZ" ]]; then echo "$OUT/libchdb.so"; exit 0; fi

mkdir -p "$OUT"
# Two fetches at once (parallel CI jobs, two worktrees) wait for each other instead of racing.
exec 9>"$CACHE/chdb/$VERSION.lock"
flock 9
if [[ -f "$OUT/libchdb.so" && -f "$OUT/.complete" && -f "$TGZ" ]]; then echo "$OUT/libchdb.so"; exit 0; fi

WORK="$(mktemp -d "$CACHE/chdb/.fetch-$VERSION.XXXXXX")"; trap 'rm -rf "$WORK"' EXIT
echo "[fetch-libchdb] npm pack @chdb/lib-linux-x64-gnu@$VERSION (~166 MB)" >&2
(cd "$WORK" && npm pack --silent "@chdb/lib-linux-x64-gnu@$VERSION" >/dev/null)
PACKED=("$WORK"/*.tgz)

# The pinned checksum is the plugin's own (the one a Grafana admin's download is held to); a
# version other than the pinned one is checked by npm alone.
PINNED_VERSION="$(sed -n 's/^[[:space:]]*PackageVersion[[:space:]]*=[[:space:]]*"\([0-9.]*\)".*/\1/p' "$ROOT/pkg/engine/engine.go")"
if [[ "$VERSION" == "$PINNED_VERSION" ]]; then
  WANT="$(sed -n 's/^[[:space:]]*Integrity[[:space:]]*=[[:space:]]*"\(sha512-[^"]*\)".*/\1/p' "$ROOT/pkg/engine/engine.go")"
  GOT="sha512-$(openssl dgst -sha512 -binary "${PACKED[0]}" | base64 -w0)"
  if [[ "$GOT" != "$WANT" ]]; then
    echo "[fetch-libchdb] checksum mismatch: the package is $GOT, pkg/engine pins $WANT" >&2
    exit 1
  fi
fi

# The library is extracted only when the cache lacks it; the tarball lands last (renamed into
# place), so its presence means the folder is complete.
if [[ ! -f "$OUT/libchdb.so" || ! -f "$OUT/.complete" ]]; then
  tar -xzf "${PACKED[0]}" -C "$WORK"
  cp "$WORK/package/libchdb.so" "$OUT/libchdb.so"
  if [[ -f "$WORK/package/chdb.h" ]]; then cp "$WORK/package/chdb.h" "$OUT/chdb.h"; fi
  touch "$OUT/.complete"
fi
mv "${PACKED[0]}" "$TGZ.part" && mv "$TGZ.part" "$TGZ"
echo "$OUT/libchdb.so"
