#!/usr/bin/env bash
# Fetches libchdb (the ClickHouse engine as a shared library) from the npm registry into a versioned
# cache folder and reuses it when present. Prints the path of libchdb.so on its last line.
# Env: KUBEDOOR_CACHE [~/.cache/kubedoor]  CHDB_NPM_VERSION [26.5.3]
set -euo pipefail
VERSION="${CHDB_NPM_VERSION:-26.5.3}"
CACHE="${KUBEDOOR_CACHE:-$HOME/.cache/kubedoor}"
OUT="$CACHE/chdb/$VERSION"
if [[ -f "$OUT/libchdb.so" && -f "$OUT/.complete" ]]; then echo "$OUT/libchdb.so"; exit 0; fi
mkdir -p "$OUT"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
echo "[fetch-libchdb] npm pack @chdb/lib-linux-x64-gnu@$VERSION (~166 MB)" >&2
(cd "$WORK" && npm pack --silent "@chdb/lib-linux-x64-gnu@$VERSION" >/dev/null)
tar -xzf "$WORK"/*.tgz -C "$WORK"
cp "$WORK/package/libchdb.so" "$OUT/libchdb.so"
if [[ -f "$WORK/package/chdb.h" ]]; then cp "$WORK/package/chdb.h" "$OUT/chdb.h"; fi
touch "$OUT/.complete"
echo "$OUT/libchdb.so"
