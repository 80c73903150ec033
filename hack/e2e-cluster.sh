#!/usr/bin/env bash
# Usage: hack/e2e-cluster.sh [test|up|down]
#   test (default)  start a control plane, run the e2e suite (e2e/, build tag
#                   e2e) against it, and stop everything it started, by PID,
#                   whatever the outcome
#   up              start the control plane and leave it running; prints the
#                   KUBECONFIG to use (then: hack/e2e-cluster.sh down)
#   down            stop what `up` started, by the PIDs it recorded
#
# The control plane, all on loopback, with a PKI made here with openssl:
#   etcd (Debian etcd-server; installed with apt-get when missing)
#   kube-apiserver, and Kubernetes' garbage collector controller alone (the
#     one controller of kube-controller-manager's that composed resources
#     need), both built from k8s.io/kubernetes pinned in tools/kube
#     (hack/tool.sh; tools/kube/cmd/garbage-collector)
#   Crossplane core, out of cluster (tools/core), `core init` then `core start`,
#     with its admission webhooks (the Usage webhook, which refuses to delete
#     what a Usage protects) served on loopback: its webhook configurations
#     (cluster/webhookconfigurations of the core module) are applied here with
#     a URL and this PKI's CA instead of a Service
#   this function, built from the repo, serving gRPC with mTLS
#     (TLS_SERVER_CERTS_DIR; Crossplane's client certificate from the same CA)
# and, installed into it: the function as a paused Function + FunctionRevision
# whose status names the function's endpoint, the provider-aws v2.7.0 CRDs of
# hack/crd-kinds.txt (hack/crds.sh), the XRDs and Compositions of apis/*/.
# No provider runs: the e2e suite plays its part (e2e/provider_test.go).
#
# Environment:
#   E2E_DIR            state directory (default $TMPDIR/function-aurora-postgres-e2e,
#                      outside the repo so `make clean` cannot pull it away): PKI,
#                      etcd data, logs/, pids/, kubeconfig, env. Wiped by `up` and `test`.
#   E2E_PORT_BASE      ports used: BASE+1 etcd, +2 etcd peer, +3 kube-apiserver,
#                      +4 unused, +5/+6 Crossplane metrics/health,
#                      +7 the function, +8 Crossplane's webhooks (default 29400:
#                      below the kernel's ephemeral port range, so no outgoing
#                      connection can take one)
#   E2E_PROVIDER_CRDS  directory of provider CRDs to install (default: hack/crds.sh)
#   E2E_APIS           directory of <variant>/definition.yaml + composition.yaml
#                      to install (default apis)
#   E2E_ACCOUNT_ID     the AWS account of the e2e provider (the ARNs it reports),
#                      set as the Compositions' input.accountId: one control
#                      plane, one account (default 111122223333)
#   E2E_STEADY_STATE_TTL, E2E_WAITING_TTL
#                      the function's --steady-state-ttl and --waiting-ttl
#                      (default 15s and 15s: TestSteadyStateChurn watches the
#                      steady state for several TTLs, so a short one)
#   E2E_TIMEOUT        go test -timeout (default 30m: a bound, not the usual time)
#   E2E_RUN            go test -run pattern (default: all)
#   E2E_GO_TEST_FLAGS  extra go test flags (default -v)
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

cmd="${1:-test}"
DIR="${E2E_DIR:-${TMPDIR:-/tmp}/function-aurora-postgres-e2e}"
BASE="${E2E_PORT_BASE:-29400}"
P_ETCD=$((BASE + 1)) P_PEER=$((BASE + 2)) P_API=$((BASE + 3))
P_XP_METRICS=$((BASE + 5)) P_XP_HEALTH=$((BASE + 6)) P_FN=$((BASE + 7)) P_XP_WEBHOOK=$((BASE + 8))
PKI="$DIR/pki" LOGS="$DIR/logs" PIDS="$DIR/pids"
APIS="${E2E_APIS:-$REPO_ROOT/apis}"
KUBECONFIG_FILE="$DIR/kubeconfig"
FUNCTION_NAME=function-aurora-postgres
FUNCTION_PACKAGE="xpkg.crossplane.io/function-aurora-postgres/function-aurora-postgres:v0.1.0"
ACCOUNT_ID="${E2E_ACCOUNT_ID:-111122223333}"
STEADY_STATE_TTL="${E2E_STEADY_STATE_TTL:-15s}" WAITING_TTL="${E2E_WAITING_TTL:-15s}"

ts() { date +%H:%M:%S; }
step() { log "[$(ts)] e2e-cluster: $*"; }
# ---------------------------------------------------------------- processes
# Each started process is recorded as "PID BINARY" in $PIDS/NAME.pid. Stopping
# kills exactly that PID, and only while it still runs that binary.
started=()

start_process() { # NAME BINARY ARGS... (environment: prefix with env VAR=...)
  local name="$1"; shift
  local bin="$1"
  mkdir -p "$PIDS" "$LOGS"
  "$@" >"$LOGS/$name.log" 2>&1 &
  local pid=$!
  local exe="$bin"
  [[ "$bin" == env ]] && exe="$(for a in "$@"; do [[ "$a" == *=* || "$a" == env ]] || { printf '%s' "$a"; break; }; done)"
  printf '%s %s\n' "$pid" "$(readlink -f "$(command -v "$exe")")" > "$PIDS/$name.pid"
  started+=("$name")
}

is_running() { # PID EXE
  local state
  [[ -r "/proc/$1/stat" ]] || return 1
  state="$(sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [[ -n "$state" ]] || return 1
  [[ "$state" != Z ]] || return 1
  [[ "$(readlink -f "/proc/$1/exe" 2>/dev/null)" == "$2" ]]
}

stop_process() { # NAME
  local f="$PIDS/$1.pid" pid exe
  [[ -f "$f" ]] || return 0
  read -r pid exe < "$f" || true
  if [[ -n "${pid:-}" ]] && is_running "$pid" "$exe"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do is_running "$pid" "$exe" || break; sleep 0.1; done
    if is_running "$pid" "$exe"; then
      log "e2e-cluster: $1 (pid $pid) did not stop on SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
  rm -f "$f"
}

stop_all() {
  local n
  for n in function crossplane garbage-collector kube-apiserver etcd; do
    stop_process "$n"
  done
}

alive_or_die() { # NAME
  local pid exe
  read -r pid exe < "$PIDS/$1.pid"
  is_running "$pid" "$exe" && return 0
  log "e2e-cluster: $1 exited; its log ($LOGS/$1.log):"
  tail -n 40 "$LOGS/$1.log" >&2 || true
  die "$1 did not start"
}

wait_for() { # NAME SECONDS CMD... : poll CMD until it succeeds, the process dies or time runs out
  local name="$1" secs="$2"; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    alive_or_die "$name"
    if ((SECONDS >= deadline)); then
      tail -n 40 "$LOGS/$name.log" >&2 || true
      die "$name not ready after ${secs}s"
    fi
    sleep 0.2
  done
}

# ---------------------------------------------------------------- PKI
# One CA for etcd and Kubernetes, one for the function's gRPC (Crossplane's
# client certificate and the function's server certificate), as Crossplane
# itself keeps them apart. EC P-256 keys; certificates valid for two days.
new_ca() { # NAME CN
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -keyout "$PKI/$1.key" -out "$PKI/$1.crt" -subj "/CN=$2" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

new_cert() { # NAME CA SUBJECT EXTENDED-KEY-USAGE [SUBJECT-ALT-NAMES]
  local name="$1" ca="$2" subj="$3" eku="$4" sans="${5:-}"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$PKI/$name.key" -out "$PKI/$name.csr" -subj "$subj" 2>/dev/null
  {
    printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n'
    printf 'extendedKeyUsage=%s\n' "$eku"
    [[ -z "$sans" ]] || printf 'subjectAltName=%s\n' "$sans"
  } > "$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -CAcreateserial \
    -days 2 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

make_pki() {
  mkdir -p "$PKI"
  new_ca ca e2e-kubernetes-ca
  new_cert etcd ca /CN=etcd serverAuth,clientAuth IP:127.0.0.1,DNS:localhost
  new_cert apiserver-etcd-client ca /CN=kube-apiserver-etcd-client clientAuth
  new_cert apiserver ca /CN=kube-apiserver serverAuth \
    IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc
  new_cert admin ca "/O=system:masters/CN=e2e-admin" clientAuth
  new_cert garbage-collector ca "/O=system:masters/CN=e2e-garbage-collector" clientAuth
  # Crossplane's webhook server (--tls-server-certs-dir: tls.crt, tls.key),
  # called by the API server at 127.0.0.1, which trusts ca.crt for it.
  new_cert crossplane-webhook ca /CN=crossplane-webhook serverAuth IP:127.0.0.1,DNS:localhost
  mkdir -p "$PKI/crossplane-webhook"
  mv "$PKI/crossplane-webhook.crt" "$PKI/crossplane-webhook/tls.crt"
  mv "$PKI/crossplane-webhook.key" "$PKI/crossplane-webhook/tls.key"
  openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt -out "$PKI/sa.key"
  openssl ec -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  # Function mTLS: --tls-client-certs-dir of Crossplane, --tls-server-certs-dir
  # of the function; both hold ca.crt, tls.crt, tls.key.
  new_ca xfn-ca e2e-function-ca
  new_cert xfn-client xfn-ca /CN=crossplane clientAuth
  new_cert xfn-server xfn-ca "/CN=$FUNCTION_NAME" serverAuth IP:127.0.0.1,DNS:localhost
  local side
  for side in client server; do
    mkdir -p "$PKI/function-$side"
    cp "$PKI/xfn-ca.crt" "$PKI/function-$side/ca.crt"
    cp "$PKI/xfn-$side.crt" "$PKI/function-$side/tls.crt"
    cp "$PKI/xfn-$side.key" "$PKI/function-$side/tls.key"
  done
  chmod -R go-rwx "$PKI"
}

write_kubeconfig() { # FILE CERT-NAME
  cat > "$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster:
    server: https://127.0.0.1:$P_API
    certificate-authority: $PKI/ca.crt
users:
- name: $2
  user:
    client-certificate: $PKI/$2.crt
    client-key: $PKI/$2.key
contexts:
- name: e2e
  context: {cluster: e2e, user: $2}
current-context: e2e
EOF
}

# ---------------------------------------------------------------- prerequisites
ensure_etcd() {
  command -v etcd >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 || die "etcd is missing: install Debian's etcd-server (or put etcd 3.4+ on PATH)"
  local sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  step "installing etcd-server with apt-get"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends etcd-server >/dev/null
  command -v etcd >/dev/null 2>&1 || die "etcd-server installed no etcd"
}

# core_module_dir prints the directory of the Crossplane core module pinned in
# tools/core, whose cluster/ holds the CRDs and webhook configurations that
# Crossplane's Helm chart installs.
core_module_dir() {
  local v dir d
  v="$(awk '$1=="github.com/crossplane/crossplane/v2"{print $2; exit} $2=="github.com/crossplane/crossplane/v2"{print $3; exit}' "$REPO_ROOT/tools/core/go.mod")"
  dir="$(cd "$(mktemp -d)" && GOFLAGS=-mod=mod go mod download -json "github.com/crossplane/crossplane/v2@$v" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  for d in crds webhookconfigurations; do
    [[ -d "$dir/cluster/$d" ]] || die "no cluster/$d in github.com/crossplane/crossplane/v2@$v"
  done
  printf '%s\n' "$dir"
}

# ---------------------------------------------------------------- up
up() {
  local start=$SECONDS
  [[ -d "$PIDS" ]] && { step "stopping a control plane left in $DIR"; stop_all; }
  local p
  for p in "$P_ETCD" "$P_PEER" "$P_API" "$P_XP_METRICS" "$P_XP_HEALTH" "$P_FN" "$P_XP_WEBHOOK"; do
    listening "$p" && die "port $p is in use: set E2E_PORT_BASE to a free range"
  done

  step "tools"
  ensure_etcd
  local apiserver gc core crds core_dir core_crds
  apiserver="$(hack/tool.sh kube-apiserver)"
  gc="$(hack/tool.sh garbage-collector)"
  core="$(hack/tool.sh crossplane-core)"
  crds="${E2E_PROVIDER_CRDS:-$(hack/crds.sh)}"
  core_dir="$(core_module_dir)"
  core_crds="$core_dir/cluster/crds"
  rm -rf "$DIR"; mkdir -p "$DIR" "$LOGS" "$PIDS"
  (cd e2e && go build -o "$DIR/e2ectl" ./cmd/e2ectl) || die "building e2ectl failed"
  go build -o "$DIR/function" . || die "building the function failed"
  step "tools ready ($((SECONDS - start))s)"

  make_pki
  write_kubeconfig "$KUBECONFIG_FILE" admin
  write_kubeconfig "$DIR/garbage-collector.kubeconfig" garbage-collector
  export KUBECONFIG="$KUBECONFIG_FILE"
  local ctl=("$DIR/e2ectl" -kubeconfig "$KUBECONFIG_FILE")

  step "etcd on 127.0.0.1:$P_ETCD"
  start_process etcd etcd --name e2e --data-dir "$DIR/etcd" \
    --listen-client-urls "https://127.0.0.1:$P_ETCD" --advertise-client-urls "https://127.0.0.1:$P_ETCD" \
    --listen-peer-urls "http://127.0.0.1:$P_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$P_PEER" \
    --initial-cluster "e2e=http://127.0.0.1:$P_PEER" --initial-cluster-state new \
    --cert-file "$PKI/etcd.crt" --key-file "$PKI/etcd.key" --trusted-ca-file "$PKI/ca.crt" --client-cert-auth \
    --logger zap --log-outputs stderr
  wait_for etcd 60 curl -sf --cacert "$PKI/ca.crt" --cert "$PKI/apiserver-etcd-client.crt" \
    --key "$PKI/apiserver-etcd-client.key" "https://127.0.0.1:$P_ETCD/health"

  step "kube-apiserver on 127.0.0.1:$P_API"
  start_process kube-apiserver "$apiserver" \
    --etcd-servers="https://127.0.0.1:$P_ETCD" --etcd-cafile="$PKI/ca.crt" \
    --etcd-certfile="$PKI/apiserver-etcd-client.crt" --etcd-keyfile="$PKI/apiserver-etcd-client.key" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$P_API" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" --cert-dir="$DIR/apiserver-certs" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range=10.0.0.0/24 --endpoint-reconciler-type=none \
    --authorization-mode=Node,RBAC --allow-privileged=false
  wait_for kube-apiserver 120 curl -sf --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    "https://127.0.0.1:$P_API/readyz"

  step "Crossplane core: CRDs, init, start"
  printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: crossplane-system}\n' > "$DIR/namespace.yaml"
  "${ctl[@]}" apply "$DIR/namespace.yaml" "$core_crds"
  # init with webhooks disabled: with them it would make a server
  # certificate for a Service's DNS name and point the webhook
  # configurations at that Service, which nothing serves here. They are
  # applied below instead, calling Crossplane on loopback. (Were a core CRD
  # to need a conversion webhook, init would fail here, not silently.)
  env POD_NAMESPACE=crossplane-system CRDS_PATH="$core_crds" \
    TLS_CA_SECRET_NAME=crossplane-root-ca TLS_CLIENT_SECRET_NAME=crossplane-tls-client \
    TLS_SERVER_SECRET_NAME=crossplane-tls-server ENABLE_WEBHOOKS=false \
    "$core" core init > "$LOGS/crossplane-init.log" 2>&1 || { tail -n 40 "$LOGS/crossplane-init.log" >&2; die "crossplane core init failed"; }
  mkdir -p "$DIR/xpkg-cache" "$DIR/xfn-cache"
  # The XR circuit breaker (default: 100 watch events, then 1 a second) is
  # sized for providers that take minutes per resource; the e2e provider
  # reports dozens of resources within a second, which would open it and
  # leave the XR to a probe every 30 s. Widen it; keep it on.
  # Webhooks on: they also switch on the Usage controllers, which core start
  # sets up only together with the webhook that enforces Usages.
  start_process crossplane env POD_NAMESPACE=crossplane-system "$core" core start --debug \
    --circuit-breaker-burst=5000 --circuit-breaker-refill-rate=50 \
    --enable-webhooks --webhook-port="$P_XP_WEBHOOK" --tls-server-certs-dir="$PKI/crossplane-webhook" \
    --tls-client-certs-dir="$PKI/function-client" \
    --xpkg-cache-dir="$DIR/xpkg-cache" --xfn-cache-dir="$DIR/xfn-cache" \
    --metrics-port="$P_XP_METRICS" --health-probe-port="$P_XP_HEALTH"
  # healthz includes the webhook server's started check; then a TLS
  # handshake as the API server will make it (any HTTP answer will do).
  wait_for crossplane 60 curl -sf "http://127.0.0.1:$P_XP_HEALTH/healthz"
  wait_for crossplane 30 curl -s --cacert "$PKI/ca.crt" -o /dev/null "https://127.0.0.1:$P_XP_WEBHOOK/validate-no-usages"
  "${ctl[@]}" apply-webhooks "https://127.0.0.1:$P_XP_WEBHOOK" "$PKI/ca.crt" "$core_dir/cluster/webhookconfigurations"

  step "the function on 127.0.0.1:$P_FN (mTLS)"
  # TLS_SERVER_CERTS_DIR is how Crossplane's function runtime passes the
  # server certificates (the flag is --tls-certs-dir).
  start_process function env TLS_SERVER_CERTS_DIR="$PKI/function-server" \
    "$DIR/function" --debug --address="127.0.0.1:$P_FN" \
    --steady-state-ttl="$STEADY_STATE_TTL" --waiting-ttl="$WAITING_TTL"
  wait_for function 30 listening "$P_FN"
  "${ctl[@]}" register-function "$FUNCTION_NAME" "$FUNCTION_PACKAGE" "127.0.0.1:$P_FN"

  step "provider CRDs ($crds), XRDs, Compositions"
  "${ctl[@]}" apply "$crds"
  local xrds=() names=() x
  for x in "$APIS"/*/definition.yaml; do
    xrds+=("$x")
    names+=("$(awk '/^metadata:/{m=1; next} m && /^  name:/{print $2; exit}' "$x")")
  done
  "${ctl[@]}" apply "${xrds[@]}"
  "${ctl[@]}" wait-xrds "${names[@]}"
  # The shipped Compositions name no account: a platform's EnvironmentConfig
  # usually gives it. Nothing runs function-environment-configs here.
  "${ctl[@]}" apply-compositions "$FUNCTION_NAME" "$ACCOUNT_ID" "$APIS"/*/composition.yaml

  # Last, once every kind exists: the garbage collector reads discovery at
  # start and then only every 30 s. Started earlier, it would not know the
  # XR kinds Crossplane just created for the XRDs, and an XR deleted in the
  # suite's first half minute would leave its composed resources to that
  # next rediscovery: deleted late, all at once, past the Usages that
  # should have refused them.
  step "garbage collector"
  start_process garbage-collector "$gc" --kubeconfig="$DIR/garbage-collector.kubeconfig"
  wait_for garbage-collector 60 grep -q "all resource monitors have synced" "$LOGS/garbage-collector.log"

  alive_or_die crossplane
  alive_or_die function

  cat > "$DIR/env" <<EOF
export KUBECONFIG=$KUBECONFIG_FILE
export E2E_KUBECONFIG=$KUBECONFIG_FILE
export E2E_LOG_DIR=$LOGS
export E2E_PROVIDER_CRDS=$crds
export E2E_REPO_ROOT=$REPO_ROOT
export E2E_WEBHOOK_URL=https://127.0.0.1:$P_XP_WEBHOOK
export E2E_ACCOUNT_ID=$ACCOUNT_ID
export E2E_STEADY_STATE_TTL=$STEADY_STATE_TTL
EOF
  step "control plane ready in $((SECONDS - start))s (logs: $LOGS)"
}

run_tests() {
  # shellcheck disable=SC1091
  source "$DIR/env"
  local flags=(-tags e2e -count=1 -timeout "${E2E_TIMEOUT:-30m}")
  # shellcheck disable=SC2206 # word splitting wanted
  flags+=(${E2E_GO_TEST_FLAGS:--v})
  [[ -z "${E2E_RUN:-}" ]] || flags+=(-run "$E2E_RUN")
  step "go test ${flags[*]} ./... (in e2e/)"
  local start=$SECONDS rc=0
  (cd e2e && go test "${flags[@]}" ./...) || rc=$?
  step "e2e suite finished in $((SECONDS - start))s (exit $rc)"
  return "$rc"
}

show_logs() {
  local n
  for n in crossplane function garbage-collector kube-apiserver etcd; do
    [[ -f "$LOGS/$n.log" ]] || continue
    log "---- last lines of $LOGS/$n.log"
    tail -n 30 "$LOGS/$n.log" >&2
  done
}

case "$cmd" in
  up)
    trap 'rc=$?; if [[ $rc -ne 0 ]]; then show_logs; stop_all; fi' EXIT
    up
    trap - EXIT
    log "e2e-cluster: running; use it with: source $DIR/env (or export KUBECONFIG=$KUBECONFIG_FILE)"
    log "e2e-cluster: stop it with: hack/e2e-cluster.sh down"
    ;;
  down)
    stop_all
    log "e2e-cluster: stopped"
    ;;
  test)
    trap 'stop_all' EXIT
    trap 'exit 130' INT TERM
    total=$SECONDS
    up
    rc=0
    run_tests || rc=$?
    if [[ $rc -ne 0 ]]; then show_logs; fi
    stop_all
    step "total $((SECONDS - total))s"
    exit "$rc"
    ;;
  *) die "usage: $0 [test|up|down]" ;;
esac
