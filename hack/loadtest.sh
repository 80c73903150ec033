#!/usr/bin/env bash
# Usage: hack/loadtest.sh [cmd/loadtest flags...]
# Builds the function and cmd/loadtest, starts the function (insecure gRPC on
# a free loopback port), runs the load test against it and against the tool's
# echo reference, prints the tables, and stops the function by its PID.
#
#   hack/loadtest.sh                          # 1000 requests per cell, c=1 and c=8
#   hack/loadtest.sh -markdown                # the tables as Markdown (README)
#   hack/loadtest.sh -requests 200 -starts 2  # a quick look
#
# The requests sent are testdata/bench/*.request.binpb; rewrite them after
# changing the function with `go test -run TestBenchRequests -update-bench`.
# Inputs (environment variables):
#   LOADTEST_BIN_DIR  (a temporary directory)  where to build both binaries
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

bindir="${LOADTEST_BIN_DIR:-}"
tmpdir=""
if [[ -z "$bindir" ]]; then
  tmpdir="$(mktemp -d)"
  bindir="$tmpdir"
fi
mkdir -p "$bindir"
fnlog="$(mktemp)"
fnpid=""
# shellcheck disable=SC2317 # invoked by trap
cleanup() {
  stop_pid "$fnpid"
  rm -f "$fnlog"
  [[ -z "$tmpdir" ]] || rm -rf "$tmpdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building the function and cmd/loadtest into $bindir"
go build -o "$bindir/function" . || die "building the function failed"
go build -o "$bindir/loadtest" ./cmd/loadtest || die "building cmd/loadtest failed"

port=""
for _ in 1 2 3 4 5; do
  p="$("$bindir/loadtest" freeport)"
  "$bindir/function" --insecure "--address=127.0.0.1:$p" >"$fnlog" 2>&1 &
  fnpid=$!
  for _ in $(seq 1 300); do
    if listening "$p"; then port="$p"; break; fi
    kill -0 "$fnpid" 2>/dev/null || break
    sleep 0.05
  done
  [[ -n "$port" ]] && break
  kill "$fnpid" 2>/dev/null || true
  wait "$fnpid" 2>/dev/null || true
  fnpid=""
done
if [[ -z "$port" ]]; then
  cat "$fnlog" >&2
  die "the function did not start listening"
fi
log "function pid $fnpid on 127.0.0.1:$port"

set +e
"$bindir/loadtest" \
  -function-address "127.0.0.1:$port" \
  -function-pid "$fnpid" \
  -function-binary "$bindir/function" \
  -fixtures testdata/bench \
  "$@"
rc=$?
set -e
if [[ $rc -ne 0 ]]; then
  log "loadtest.sh: the load test failed (exit $rc); function log:"
  cat "$fnlog" >&2
fi
exit "$rc"
