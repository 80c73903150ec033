#!/usr/bin/env bash
# Usage: hack/validate.sh [--xrd FILE]... [--] FILE...
# Validates YAML resources (multi-document files; '-' reads stdin) offline with
# `crossplane resource validate` against the provider-aws CRDs from
# hack/crds.sh, Crossplane core's CRDs, and the given XRDs (so XRs are validated
# against their XRD schema). Fails on invalid resources and on missing schemas.
#
# Kubernetes built-in kinds (e.g. a composed v1 Secret) need no CRD: the CLI
# (v2.5.0) strictly decodes them into their Go types (unknown fields and wrong
# types fail). Only `crossplane render` output kinds (`render.crossplane.io/*`
# Result/Context, from `render -r`/`-c`) are dropped (listed on stderr).
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

xrds=()
files=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --xrd) [[ $# -ge 2 ]] || die "--xrd needs a file"; xrds+=("$2"); shift 2 ;;
    --xrd=*) xrds+=("${1#--xrd=}"); shift ;;
    --) shift; files+=("$@"); break ;;
    -) files+=("$1"); shift ;;
    -*) die "unknown flag $1" ;;
    *) files+=("$1"); shift ;;
  esac
done
[[ ${#files[@]} -gt 0 ]] || die "usage: $0 [--xrd FILE]... FILE..."
for f in "${xrds[@]}"; do [[ -f "$f" ]] || die "no such XRD file: $f"; done

crossplane="$("$REPO_ROOT/hack/tool.sh" crossplane)"
crds="$("$REPO_ROOT/hack/crds.sh")"

# `resource validate` always loads the Crossplane core package's CRDs and would
# download the image. Seed its cache with the CRDs from the core Go module
# (same version as tools/core) so it never touches the network.
core_version="$(awk '$1=="github.com/crossplane/crossplane/v2"{print $2; exit} $2=="github.com/crossplane/crossplane/v2"{print $3; exit}' "$REPO_ROOT/tools/core/go.mod")"
core_image="xpkg.crossplane.io/crossplane/crossplane:$core_version"
vcache="$CACHE_DIR/validate-cache"
seed="$vcache/xpkg.crossplane.io/crossplane/crossplane@$core_version/package.yaml"
if [[ ! -s "$seed" ]]; then
  mkdir -p "$(dirname "$seed")"
  core_dir="$(cd "$(mktemp -d)" && GOFLAGS=-mod=mod go mod download -json "github.com/crossplane/crossplane/v2@$core_version" 2>/dev/null \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')" || true
  tmpseed="$(mktemp "$seed.XXXXXX")"
  if [[ -n "$core_dir" && -d "$core_dir/cluster/crds" ]]; then
    for c in "$core_dir"/cluster/crds/*.yaml; do printf -- '---\n'; cat "$c"; done > "$tmpseed"
  else
    log "warning: Crossplane core CRDs unavailable; validating without them"
    : > "$tmpseed"
  fi
  mv -f "$tmpseed" "$seed"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Split each input into documents and keep those with a CRD. Top-level keys are
# unindented and '---' separators start a line, so a line-based split is safe.
i=0
for f in "${files[@]}"; do
  i=$((i + 1))
  if [[ "$f" == "-" ]]; then src="$work/stdin.yaml"; cat > "$src"; else src="$f"; fi
  [[ -f "$src" ]] || die "no such file: $f"
  awk -v out="$work/res-$i.yaml" -v name="$f" '
    function flush() {
      if (doc != "" && api != "") {
        if (api ~ /^render\.crossplane\.io\//) {
          skipped++
        } else {
          printf "---\n%s", doc > out; kept++
        }
      }
      doc = ""; api = ""; kind = ""; obj = ""; inmeta = 0
    }
    /^---([[:space:]]|$)/ || /^\.\.\.[[:space:]]*$/ { flush(); next }
    {
      doc = doc $0 "\n"
      if ($0 ~ /^apiVersion:/) { v = $0; sub(/^apiVersion:[[:space:]]*/, "", v); sub(/[[:space:]]+(#.*)?$/, "", v); gsub(/["\047]/, "", v); api = v }
      else if ($0 ~ /^kind:/) { v = $0; sub(/^kind:[[:space:]]*/, "", v); sub(/[[:space:]]+(#.*)?$/, "", v); gsub(/["\047]/, "", v); kind = v }
      if ($0 ~ /^metadata:/) inmeta = 1; else if ($0 ~ /^[^[:space:]#]/) inmeta = 0
      if (inmeta && $0 ~ /^  name:/ && obj == "") { v = $0; sub(/^  name:[[:space:]]*/, "", v); obj = v }
    }
    END { flush(); if (!kept) printf "" > out; if (skipped) printf "validate.sh: %s: skipped %d render.crossplane.io document(s) (Result/Context)\n", name, skipped > "/dev/stderr" }
  ' "$src"
done

shopt -s nullglob
resources=("$work"/res-*.yaml)
nonempty=()
for r in "${resources[@]}"; do [[ -s "$r" ]] && nonempty+=("$r"); done
if [[ ${#nonempty[@]} -eq 0 ]]; then
  log "validate.sh: nothing to validate"
  exit 0
fi

extensions="$crds"
for x in "${xrds[@]}"; do extensions+=",$x"; done
res_list="$(IFS=,; printf '%s' "${nonempty[*]}")"

set +e
"$crossplane" resource validate "$extensions" "$res_list" \
  --cache-dir="$vcache" --crossplane-image="$core_image" \
  --error-on-missing-schemas --skip-success-results 2>&1 | tee "$work/out.txt"
rc=${PIPESTATUS[0]}
set -e

# Do not trust the exit code alone: also fail on any reported failure.
if grep -Eq '^\[x\]|^\[!\]|schema\(s\) missing|could not validate|[1-9][0-9]* failure cases|[1-9][0-9]* missing schemas' "$work/out.txt"; then
  [[ $rc -ne 0 ]] || rc=1
fi
if [[ $rc -ne 0 ]]; then
  log "validate.sh: FAILED (exit $rc)"
  exit "$rc"
fi
log "validate.sh: OK (${files[*]})"
