#!/usr/bin/env bash
# The real Kubernetes control plane on loopback, built from its Go modules (tools/kube/):
#   scripts/kube-control-plane.sh build        build the binaries into the per-machine cache if missing; print the dir
#   scripts/kube-control-plane.sh up DIR       start etcd, kube-apiserver, kube-controller-manager, kube-scheduler;
#                                              write DIR/kubeconfig (admin) and print its path
#   scripts/kube-control-plane.sh down DIR     stop them and remove DIR
# kube-apiserver runs with RBAC (and Node) authorization, the default admission plugins (Pod Security among
# them), a service-account token issuer, and client certificates for the admin. Everything listens on 127.0.0.1
# on free ports. `up` exits non-zero naming the part that did not start, with the end of its log.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=v1.37.2
CACHE=${SHOPDB_KUBE_CACHE:-$HOME/.cache/shopdb/kube-$VERSION}
BINARIES=(etcd kube-apiserver kube-controller-manager kube-scheduler)

say() { echo "kube-control-plane: $*" >&2; }
fail() { say "$*"; exit 1; }

build() {
  local missing=""
  for b in "${BINARIES[@]}"; do [ -x "$CACHE/$b" ] || missing=1; done
  if [ -n "$missing" ]; then
    command -v go >/dev/null || fail "Go 1.26 or newer is needed to build the control plane once (tools/kube/README.md); none is on PATH"
    local gov
    gov=$(go env GOVERSION | sed 's/^go//')
    [ "$(printf '%s\n' 1.26 "$gov" | sort -V | head -1)" = 1.26 ] \
      || fail "Go $gov is too old to build Kubernetes $VERSION (its go.mod needs 1.26); install Go 1.26+ (tools/kube/README.md)"
    say "building ${BINARIES[*]} $VERSION into $CACHE (once per machine; tens of minutes on 2 cores)"
    mkdir -p "$CACHE"
    local start=$SECONDS
    (cd tools/kube && GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 nice -n 10 go build -trimpath \
      -tags=selinux,notest,grpcnotrace \
      -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$VERSION -X k8s.io/client-go/pkg/version.gitVersion=$VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37" \
      -o "$CACHE/" ./cmd/...) >&2
    say "built in $((SECONDS - start)) s: $(cd "$CACHE" && du -sh "${BINARIES[@]}" | tr '\n\t' ', ')"
  fi
  echo "$CACHE"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# certificates: one CA; the API server's serving certificate; the admin's client certificate (system:masters);
# the service-account signing key pair
certificates() {
  local dir=$1/pki
  mkdir -p "$dir"
  (
    cd "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3 -subj "/CN=shopdb-test-ca" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\nextendedKeyUsage=serverAuth\n' > apiserver.ext
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out apiserver.crt -days 3 -extfile apiserver.ext 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout admin.key -out admin.csr -subj "/O=system:masters/CN=shopdb-admin" 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' > admin.ext
    openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out admin.crt -days 3 -extfile admin.ext 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    chmod 600 ./*.key
  )
}

# start NAME LOG COMMAND...: in the background, its pid recorded for `down`
start() {
  local name=$1 log=$2
  shift 2
  "$@" >"$log" 2>&1 &
  echo "$! $name" >> "$DIR/pids"
}

# wait_for NAME LOG SECONDS CHECK...: until CHECK succeeds; stops everything and fails when the part died or timed out
wait_for() {
  local name=$1 log=$2 seconds=$3
  shift 3
  local pid
  pid=$(awk -v n="$name" '$2 == n {print $1}' "$DIR/pids")
  for _ in $(seq 1 $((seconds * 4))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      say "$name exited while starting; the end of $log:"
      tail -20 "$log" >&2
      down_quietly
      exit 1
    fi
    sleep 0.25
  done
  say "$name did not become ready within $seconds s; the end of $log:"
  tail -20 "$log" >&2
  down_quietly
  exit 1
}

api_ready() {
  curl -sf --cacert "$DIR/pki/ca.crt" --cert "$DIR/pki/admin.crt" --key "$DIR/pki/admin.key" "https://127.0.0.1:$API_PORT/readyz"
}

up() {
  [ -n "${DIR:-}" ] || fail "usage: $0 up DIR"
  [ ! -e "$DIR/pids" ] || fail "$DIR already holds a control plane (run down first)"
  local bin
  bin=$(build)
  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd)
  : > "$DIR/pids"
  certificates "$DIR"
  local etcd_port peer_port
  etcd_port=$(free_port); peer_port=$(free_port); API_PORT=$(free_port)

  mkdir -p "$DIR/etcd" && chmod 700 "$DIR/etcd"
  start etcd "$DIR/etcd.log" "$bin/etcd" --name default --data-dir "$DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "default=http://127.0.0.1:$peer_port" --unsafe-no-fsync --log-level warn
  wait_for etcd "$DIR/etcd.log" 30 curl -sf "http://127.0.0.1:$etcd_port/health"

  start kube-apiserver "$DIR/kube-apiserver.log" "$bin/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
    --endpoint-reconciler-type none \
    --tls-cert-file "$DIR/pki/apiserver.crt" --tls-private-key-file "$DIR/pki/apiserver.key" \
    --client-ca-file "$DIR/pki/ca.crt" \
    --authorization-mode Node,RBAC \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$DIR/pki/sa.pub" --service-account-signing-key-file "$DIR/pki/sa.key" \
    --service-cluster-ip-range 10.0.0.0/24 \
    --cert-dir "$DIR/pki/generated"
  wait_for kube-apiserver "$DIR/kube-apiserver.log" 120 api_ready

  cat > "$DIR/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: shopdb-real
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $DIR/pki/ca.crt
users:
- name: shopdb-admin
  user:
    client-certificate: $DIR/pki/admin.crt
    client-key: $DIR/pki/admin.key
contexts:
- name: shopdb-real
  context:
    cluster: shopdb-real
    user: shopdb-admin
    namespace: default
current-context: shopdb-real
EOF
  chmod 600 "$DIR/kubeconfig"

  start kube-controller-manager "$DIR/kube-controller-manager.log" "$bin/kube-controller-manager" \
    --kubeconfig "$DIR/kubeconfig" --authentication-kubeconfig "$DIR/kubeconfig" --authorization-kubeconfig "$DIR/kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$(free_port)" --leader-elect=false \
    --service-account-private-key-file "$DIR/pki/sa.key" --root-ca-file "$DIR/pki/ca.crt" \
    --use-service-account-credentials=false \
    --controllers '*,-bootstrapsigner,-tokencleaner'
  start kube-scheduler "$DIR/kube-scheduler.log" "$bin/kube-scheduler" \
    --kubeconfig "$DIR/kubeconfig" --authentication-kubeconfig "$DIR/kubeconfig" --authorization-kubeconfig "$DIR/kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$(free_port)" --leader-elect=false
  # the controllers are up once the service-account controller made the default namespace's ServiceAccount
  wait_for kube-controller-manager "$DIR/kube-controller-manager.log" 60 \
    curl -sf --cacert "$DIR/pki/ca.crt" --cert "$DIR/pki/admin.crt" --key "$DIR/pki/admin.key" \
    "https://127.0.0.1:$API_PORT/api/v1/namespaces/default/serviceaccounts/default"
  wait_for kube-scheduler "$DIR/kube-scheduler.log" 60 grep -q 'Starting Kubernetes Scheduler\|Attempting to acquire\|Successfully acquired\|"Starting' "$DIR/kube-scheduler.log"
  echo "$DIR/kubeconfig"
}

down_quietly() {
  [ -f "$DIR/pids" ] || return 0
  # the components first, etcd last
  tac "$DIR/pids" | while read -r pid _; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 40); do
    local alive=""
    while read -r pid _; do kill -0 "$pid" 2>/dev/null && alive=1; done < "$DIR/pids"
    [ -z "$alive" ] && break
    sleep 0.25
  done
  while read -r pid _; do kill -9 "$pid" 2>/dev/null || true; done < "$DIR/pids"
  rm -rf "$DIR"
}

case "${1:-}" in
  build) build ;;
  up) DIR=${2:-}; up ;;
  down) DIR=${2:-}; [ -n "$DIR" ] || fail "usage: $0 down DIR"; down_quietly ;;
  *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
