#!/usr/bin/env bash
# Checks the image that scripts/build-image.sh built, without running a container (this machine refuses
# `podman run`): unpacks the OCI archive with umoci and runs its programs under chroot as uid 185:
#   1. the agent's help (what every backup/restore Job runs), 2. pg_dump --version,
#   3. the operator itself, connected to a sandbox's API server, until its readiness check says UP
#      (the sandbox module's application, sandbox/target/quarkus-app: the image holds no sandbox).
# Needs root and the Debian packages umoci and curl.  Usage: scripts/check-image.sh [OCI archive]
set -euo pipefail
cd "$(dirname "$0")/.."
archive=${1:-target/image/shopdb-operator.oci.tar}
sandbox_jar=sandbox/target/quarkus-app/quarkus-run.jar
[ -f "$sandbox_jar" ] || { echo "build first: mvn -DskipTests package (the sandbox module's application)" >&2; exit 1; }
work=$(mktemp -d /tmp/shopdb-image-check.XXXXXX)
sandbox_pid=""
cleanup() {
  # the sandbox dies of our SIGTERM (status 143): that is the plan, not the script's result
  if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
  for m in proc dev; do umount "$work/bundle/rootfs/$m" 2>/dev/null || true; done
  rm -rf "$work"
}
trap 'rc=$?; cleanup; exit $rc' EXIT

mkdir -p "$work/oci"
tar -xf "$archive" -C "$work/oci"
ref=$(sed -n 's/.*"org.opencontainers.image.ref.name":"\([^"]*\)".*/\1/p' "$work/oci/index.json")
umoci unpack --image "$work/oci:$ref" "$work/bundle" >/dev/null
root="$work/bundle/rootfs"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
chmod 1777 "$root/tmp"
in_image() { chroot --userspec=185:185 "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/deployments LANG=C.UTF-8 "$@"; }

echo "check 1: agent --help"
help=$(in_image sh -c 'cd /deployments && java -jar quarkus-run.jar agent --help' 2>&1 || true)
grep -q 'agent backup' <<<"$help" || { echo "no agent usage: $help"; exit 1; }
grep -m3 'agent ' <<<"$help"
echo "check 2: pg_dump --version"
in_image pg_dump --version

echo "check 3: the operator in the image against a sandbox's API server"
java -jar "$sandbox_jar" sandbox --kubeconfig "$work/kubeconfig" examples/minimal >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 120); do [ -s "$work/kubeconfig" ] && break; sleep 1; done
[ -s "$work/kubeconfig" ] || { echo "sandbox wrote no kubeconfig"; tail -20 "$work/sandbox.log"; exit 1; }
cp "$work/kubeconfig" "$root/tmp/kubeconfig"; chmod 644 "$root/tmp/kubeconfig"
in_image KUBECONFIG=/tmp/kubeconfig QUARKUS_HTTP_PORT=18090 \
  sh -c 'cd /deployments && exec java -Djava.io.tmpdir=/tmp -jar quarkus-run.jar' >"$work/operator.log" 2>&1 &
op_pid=$!
status=""
for _ in $(seq 90); do
  status=$(curl -s http://127.0.0.1:18090/q/health/ready || true)
  case "$status" in *'"status": "UP"'*|*'"status":"UP"'*) break ;; esac
  sleep 1
done
kill "$op_pid" 2>/dev/null; wait "$op_pid" 2>/dev/null || true
case "$status" in
  *'"UP"'*) echo "operator in the image: ready against the sandbox API ($(grep -c . "$work/operator.log") log lines)" ;;
  *) echo "operator in the image did not become ready:"; tail -30 "$work/operator.log"; exit 1 ;;
esac
echo "image checks passed"
