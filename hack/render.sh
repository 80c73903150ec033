#!/usr/bin/env bash
# Usage: hack/render.sh [extra `crossplane render` flags...]
# Builds the function, runs it locally (insecure gRPC on a free loopback port),
# renders an XR with `crossplane render` using Crossplane core as a local binary
# (no Docker), prints the render output on stdout, and stops the function.
#
# Inputs (environment variables, relative to the repo root):
#   XR           example/xr.yaml                        composite resource
#   COMPOSITION  apis/namespaced/composition.yaml       Composition (Pipeline)
#   FUNCTIONS    example/functions.yaml                 Function(s)
#   OBSERVED     (unset)  observed composed resources   -> `-o FILE`
#   XRD          (unset)  XRD for defaults/legacy XRs   -> `--xrd FILE`
#   ENVIRONMENT  example/environment.yaml  the platform's EnvironmentConfig
#                data (the AWS account), as function-environment-configs
#                passes it -> `--context-files apiextensions.crossplane.io/environment=FILE`;
#                empty: none
#   FN_PORT      (unset)  port for the function; default: a random free one
#   FN_DEBUG     (unset)  1 runs the function with --debug
#   FUNCTION_BIN ./bin/function                         where to build the function
#   FUNCTION_SRC (repo root)  Go main package of the function (for testing)
#
# The function target is set with `-a` (annotation override applied to every
# Function in FUNCTIONS): render.crossplane.io/runtime=Development and
# render.crossplane.io/runtime-development-target=127.0.0.1:<port>, so the
# annotations in FUNCTIONS do not need to match the port. Every Function the
# Composition uses must therefore be this function.
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

XR="${XR:-example/xr.yaml}"
COMPOSITION="${COMPOSITION:-apis/namespaced/composition.yaml}"
FUNCTIONS="${FUNCTIONS:-example/functions.yaml}"
FUNCTION_BIN="${FUNCTION_BIN:-$REPO_ROOT/bin/function}"
FUNCTION_SRC="${FUNCTION_SRC:-$REPO_ROOT}"
for f in "$XR" "$COMPOSITION" "$FUNCTIONS"; do [[ -e "$f" ]] || die "no such file: $f"; done

extra=()
[[ -n "${OBSERVED:-}" ]] && extra+=(-o "$OBSERVED")
[[ -n "${XRD:-}" ]] && extra+=(--xrd "$XRD")
ENVIRONMENT="${ENVIRONMENT-example/environment.yaml}"
[[ -n "$ENVIRONMENT" ]] && extra+=("--context-files=apiextensions.crossplane.io/environment=$ENVIRONMENT")

crossplane="$(hack/tool.sh crossplane)"
core="$(hack/tool.sh crossplane-core)"

mkdir -p "$(dirname "$FUNCTION_BIN")"
(cd "$FUNCTION_SRC" && go build -o "$FUNCTION_BIN" .) || die "building the function failed"

fnlog="$(mktemp)"
fnpid=""
# shellcheck disable=SC2317 # invoked by trap
cleanup() {
  stop_pid "$fnpid"
  rm -f "$fnlog"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_function() { # PORT -> 0 when the function accepts connections
  local port="$1" args=(--insecure "--address=127.0.0.1:$1")
  [[ "${FN_DEBUG:-}" == 1 ]] && args+=(--debug)
  "$FUNCTION_BIN" "${args[@]}" >"$fnlog" 2>&1 &
  fnpid=$!
  for _ in $(seq 1 300); do
    if listening "$port"; then return 0; fi
    if ! kill -0 "$fnpid" 2>/dev/null; then wait "$fnpid" 2>/dev/null || true; fnpid=""; return 1; fi
    sleep 0.1
  done
  kill "$fnpid" 2>/dev/null || true; wait "$fnpid" 2>/dev/null || true; fnpid=""
  return 1
}

port=""
for _ in 1 2 3 4 5; do
  p="${FN_PORT:-$((20000 + (RANDOM * 32768 + RANDOM) % 40000))}"
  if listening "$p"; then [[ -n "${FN_PORT:-}" ]] && die "port $p is in use"; continue; fi
  if start_function "$p"; then port="$p"; break; fi
  [[ -z "${FN_PORT:-}" ]] || break
done
if [[ -z "$port" ]]; then
  cat "$fnlog" >&2
  die "the function did not start listening"
fi

set +e
"$crossplane" render "$XR" "$COMPOSITION" "$FUNCTIONS" \
  --crossplane-binary="$core" \
  -a render.crossplane.io/runtime=Development \
  -a "render.crossplane.io/runtime-development-target=127.0.0.1:$port" \
  "${extra[@]}" "$@"
rc=$?
set -e
if [[ $rc -ne 0 ]]; then
  log "render.sh: crossplane render failed (exit $rc); function log:"
  cat "$fnlog" >&2
fi
exit "$rc"
