# shellcheck shell=bash
# shellcheck disable=SC2034 # variables are used by the sourcing scripts
# Shared settings for hack/*.sh. Source it; do not execute it.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${AURORA_FN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/function-aurora-postgres}"
# The proxy serves exact versions only and some k8s/crossplane modules are not
# in the checksum database.
export GONOSUMDB="${GONOSUMDB:-k8s.io,sigs.k8s.io,github.com/crossplane}"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# listening PORT: something accepts connections on 127.0.0.1:PORT.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# stop_pid PID: SIGTERM, up to 5 s to exit, then SIGKILL, then reap.
stop_pid() {
  [[ -n "${1:-}" ]] || return 0
  kill "$1" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
