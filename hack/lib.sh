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
