#!/usr/bin/env bash
# Usage: hack/crds.sh
# Copies the provider-aws CRDs listed in hack/crd-kinds.txt from the provider
# module zip (Go module cache) into $CACHE_DIR/crds/provider-aws-<version>-<list
# checksum>/ and prints that directory.
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PROVIDER_AWS_MODULE="github.com/upbound/provider-aws/v2"
PROVIDER_AWS_VERSION="${PROVIDER_AWS_VERSION:-v2.7.0}"
list="$REPO_ROOT/hack/crd-kinds.txt"

mapfile -t files < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -v '^$' | sort -u)
[[ ${#files[@]} -gt 0 ]] || die "no CRD files listed in $list"

stamp="$(printf '%s\n' "${files[@]}" | cksum | cut -d' ' -f1)"
# One directory per list: branches (worktrees) with different lists share the
# cache, and one rebuilding it must not change another's CRDs under it.
out="$CACHE_DIR/crds/provider-aws-$PROVIDER_AWS_VERSION-$stamp"
if [[ -f "$out/.stamp" && "$(cat "$out/.stamp")" == "$stamp" ]]; then
  printf '%s\n' "$out"
  exit 0
fi

# Any directory works for `go mod download` of an exact version; use one
# outside a module so the repo's go.mod is not consulted.
dir="$(cd "$(mktemp -d)" && GOFLAGS=-mod=mod go mod download -json "$PROVIDER_AWS_MODULE@$PROVIDER_AWS_VERSION" \
  | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
[[ -n "$dir" && -d "$dir/package/crds" ]] || die "cannot download $PROVIDER_AWS_MODULE@$PROVIDER_AWS_VERSION"

tmp="$(mktemp -d "$CACHE_DIR/crds.XXXXXX" 2>/dev/null || { mkdir -p "$CACHE_DIR" && mktemp -d "$CACHE_DIR/crds.XXXXXX"; })"
trap 'rm -rf "$tmp"' EXIT
missing=0
for f in "${files[@]}"; do
  if [[ -f "$dir/package/crds/$f" ]]; then
    cp "$dir/package/crds/$f" "$tmp/"
  else
    log "missing in $PROVIDER_AWS_MODULE@$PROVIDER_AWS_VERSION: $f"; missing=1
  fi
done
[[ $missing == 0 ]] || die "some CRDs listed in $list do not exist"
chmod -R u+w "$tmp"
printf '%s\n' "$stamp" > "$tmp/.stamp"
mkdir -p "$(dirname "$out")"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
log "copied ${#files[@]} CRDs into $out"
printf '%s\n' "$out"
