#!/usr/bin/env bash
# Usage: hack/e2e.sh
# Renders every example and validates, offline, against the provider CRDs and
# the XRDs in apis/*/definition.yaml:
#   - the render output of each example XR,
#   - the golden files testdata/**/desired.yaml,
#   - the example XRs and claims themselves (example/**/xr.yaml, claim.yaml).
# Example layout: example/xr.yaml renders with apis/namespaced/composition.yaml;
# example/<variant>/xr.yaml with apis/<variant>/composition.yaml, or with the
# namespaced one when apis/<variant> does not exist (example/production). If
# apis/<variant>/definition.yaml exists it is passed to render as --xrd. If
# example[/<variant>]/observed.yaml (or probed.yaml) exists, the XR is also
# rendered with it (-o).
# Renders use -x (full XR spec) so the XR validates against its XRD, and -r
# (results are kept in the output files under bin/e2e, skipped by validate.sh).
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
log "[$(date -u +%T)] $(basename "$0")"
shopt -s nullglob globstar

out="${E2E_OUT:-$REPO_ROOT/bin/e2e}"
rm -rf "$out"; mkdir -p "$out"

xrd_args=()
for x in apis/*/definition.yaml; do xrd_args+=(--xrd "$x"); done

rendered=()
render_one() { # NAME XR COMPOSITION XRD OBSERVED
  local name="$1" xr="$2" comp="$3" xrd="$4" obs="$5"
  log "== render $name: $xr with $comp${xrd:+ (--xrd $xrd)}${obs:+ (-o $obs)}"
  XR="$xr" COMPOSITION="$comp" XRD="$xrd" OBSERVED="$obs" hack/render.sh -r -x > "$out/$name.yaml"
  rendered+=("$out/$name.yaml")
}

examples=()
[[ -f example/xr.yaml ]] && examples+=(example/xr.yaml)
examples+=(example/*/xr.yaml)
[[ ${#examples[@]} -gt 0 ]] || die "no example XRs (example/xr.yaml, example/*/xr.yaml)"

for xr in "${examples[@]}"; do
  dir="$(dirname "$xr")"
  if [[ "$dir" == example ]]; then variant=namespaced; else variant="${dir#example/}"; fi
  apis="apis/$variant"; [[ -d "$apis" ]] || apis=apis/namespaced
  comp="$apis/composition.yaml"
  [[ -f "$comp" ]] || die "no composition $comp for $xr"
  xrd=""; [[ -f "$apis/definition.yaml" ]] && xrd="$apis/definition.yaml"
  render_one "$variant" "$xr" "$comp" "$xrd" ""
  if [[ -f "$dir/observed.yaml" ]]; then
    render_one "$variant-observed" "$xr" "$comp" "$xrd" "$dir/observed.yaml"
  fi
  # The provider's answer to the first call's probe of the cluster
  # identifier (adopt.go): the first reconcile.
  if [[ -f "$dir/probed.yaml" ]]; then
    render_one "$variant-probed" "$xr" "$comp" "$xrd" "$dir/probed.yaml"
  fi
done

# The render of the main example composes what the function's own tests
# compose for it (the same XR, input and environment): a render that
# loses the environment (the account) would compose less.
names() { sed -n 's/^ *crossplane.io\/composition-resource-name: //p' "$1" | sort; }
# The first call composes only the probe of the cluster identifier.
if [[ -f "$out/namespaced.yaml" ]] && [[ "$(names "$out/namespaced.yaml")" != cluster ]]; then
  die "the first render of example/xr.yaml ($out/namespaced.yaml) composes more than the probe of the cluster identifier: $(names "$out/namespaced.yaml" | tr '\n' ' ')"
fi
for pair in "namespaced-probed:FullProvisioned" "namespaced-observed:FullProvisionedSteadyState" "production-observed:ProductionSteadyState"; do
  r="$out/${pair%%:*}.yaml" g="testdata/golden/${pair#*:}/desired.yaml"
  [[ -f "$r" ]] || continue
  if ! diff <(names "$r") <(names "$g") >/dev/null; then
    diff <(names "$r") <(names "$g") >&2 || true
    die "the render $r composes other resources than $g (-render +golden above)"
  fi
done

golden=(testdata/**/desired.yaml)
log "== validate ${#rendered[@]} render outputs and ${#golden[@]} golden files"
hack/validate.sh "${xrd_args[@]}" "${rendered[@]}" "${golden[@]}"

inputs=(example/**/xr.yaml example/**/claim.yaml)
log "== validate example XRs and claims against the XRDs"
hack/validate.sh "${xrd_args[@]}" "${inputs[@]}"
log "e2e: OK"
