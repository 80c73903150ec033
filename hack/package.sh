#!/usr/bin/env bash
# Usage: hack/package.sh
# Builds both Crossplane packages without Docker into $PACKAGE_OUT (default
# bin/package), then inspects them and fails on anything unexpected:
#   function                            the static runtime binary (CGO_ENABLED=0,
#                                       -trimpath, -s -w: what the Dockerfile builds)
#   runtime.tar                         the runtime image as an image tarball, built
#                                       with go-containerregistry (tools/image)
#   function-aurora-postgres.xpkg       the Function package: package/ (metadata,
#                                       input CRD) with the runtime image embedded
#   configuration-aurora-postgres.xpkg  the Configuration package:
#                                       configuration/crossplane.yaml with the XRDs
#                                       and Compositions of apis/ copied in, and the
#                                       examples
# Both packages are built with `crossplane xpkg build` (hack/tool.sh crossplane).
# Environment: VERSION (default: hack/version.sh, the release tag on HEAD or
# a pre-release after the newest CHANGELOG release) labels the runtime image
# (org.opencontainers.image.version, checked) and is written to
# bin/package/VERSION: the tag to push both packages with; GOARCH picks the runtime's
# architecture (default: this machine's).
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
log "[$(date -u +%T)] $(basename "$0")"

OUT="${PACKAGE_OUT:-$REPO_ROOT/bin/package}"
VERSION="$(hack/version.sh)" || die "no version for this checkout"
FUNCTION_PKG=function-aurora-postgres
CONFIG_PKG=configuration-aurora-postgres
RUNTIME_REF="xpkg.crossplane.io/function-aurora-postgres/function-aurora-postgres-runtime:$VERSION"

crossplane="$(hack/tool.sh crossplane)"
image() { (cd "$REPO_ROOT/tools/image" && go run . "$@"); }

rm -rf "$OUT"
mkdir -p "$OUT"
printf '%s\n' "$VERSION" > "$OUT/VERSION"
log "== version $VERSION"

log "== runtime binary (static) and image tarball"
CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$OUT/function" . || die "building the function failed"
if grep -qa -e '/lib64/ld-linux' -e '/lib/ld-linux' "$OUT/function"; then
  die "$OUT/function is dynamically linked"
fi
image build -binary "$OUT/function" -tag "$RUNTIME_REF" -o "$OUT/runtime.tar" \
  -source github.com/function-aurora-postgres/function-aurora-postgres -version "$VERSION"

log "== function package"
mkdir -p "$OUT/empty-examples"
"$crossplane" xpkg build --package-root=package --examples-root="$OUT/empty-examples" \
  --embed-runtime-image-tarball="$OUT/runtime.tar" -o "$OUT/$FUNCTION_PKG.xpkg"

log "== configuration package"
build="$OUT/configuration"
mkdir -p "$build/apis" "$build/examples"
cp configuration/crossplane.yaml "$build/"
for d in apis/*/; do
  v="$(basename "$d")"
  mkdir -p "$build/apis/$v"
  cp "$d/definition.yaml" "$d/composition.yaml" "$build/apis/$v/"
done
cp example/xr.yaml "$build/examples/xr.yaml"
[[ ! -f example/legacy/claim.yaml ]] || cp example/legacy/claim.yaml "$build/examples/claim.yaml"
"$crossplane" xpkg build --package-root="$build" --examples-root="$build/examples" -o "$OUT/$CONFIG_PKG.xpkg"

# ---------------------------------------------------------------- checks
failures=0
fail() { log "package check FAILED: $*"; failures=$((failures + 1)); }
has() { # FILE LINE...: each line is in the inspection
  local f="$1" l; shift
  for l in "$@"; do grep -qxF -- "$l" "$f" || fail "$(basename "$f" .txt): no line '$l'"; done
}
hasnt() { # FILE PATTERN
  if grep -qE -- "$2" "$1"; then fail "$(basename "$1" .txt): unexpected '$(grep -E -- "$2" "$1" | head -n1)'"; fi
}

for f in runtime.tar "$FUNCTION_PKG.xpkg" "$CONFIG_PKG.xpkg"; do
  image inspect "$OUT/$f" > "$OUT/$f.txt" || die "cannot inspect $f"
done

log "== check the runtime image"
runtime_checks=(entrypoint=/function user=65532:65532 port=9443/tcp os=linux workdir=/ file=/function "label.org.opencontainers.image.version=$VERSION")
has "$OUT/runtime.tar.txt" "${runtime_checks[@]}" layers=1
hasnt "$OUT/runtime.tar.txt" '^port=(.*[^3]|.*[^4]3|.*[^4]43|.*[^9]443)/'

log "== check the Dockerfile builds the same image"
for l in 'ENTRYPOINT ["/function"]' 'EXPOSE 9443' 'USER 65532:65532' 'COPY --from=build /function /function' 'ENV CGO_ENABLED=0'; do
  grep -qxF -- "$l" Dockerfile || fail "Dockerfile: no line '$l' (keep it in step with tools/image)"
done
grep -qF -- 'go build -trimpath -ldflags="-s -w"' Dockerfile || fail "Dockerfile: the binary is not built with -trimpath -ldflags=\"-s -w\""
# The build stage copies the sources piecemeal (for layer caching): every
# directory of this module the binary is built from must be copied.
module="$(go list -m)"
while IFS= read -r pkg; do
  dir="${pkg#"$module"}"; dir="${dir#/}"
  [[ -z "$dir" ]] && continue
  copied=0
  while IFS= read -r src; do
    [[ "$dir/" == "$src"* ]] && copied=1
  done < <(sed -n 's|^COPY \([^-][^ ]*\)/ .*|\1/|p' Dockerfile)
  [[ $copied == 1 ]] || fail "Dockerfile: the build stage does not copy $dir/, which the function imports"
done < <(go list -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' . | grep -E "^$module(/|\$)")

log "== check the function package"
fn="$OUT/$FUNCTION_PKG.xpkg.txt"
fn_crossplane="$(sed -n 's/^    version: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' package/crossplane.yaml | head -n1)"
has "$fn" "${runtime_checks[@]}" \
  package.apiVersion=meta.pkg.crossplane.io/v1beta1 package.kind=Function "package.name=$FUNCTION_PKG" \
  "package.crossplane=$fn_crossplane" package.capability=composition \
  "object=apiextensions.k8s.io/v1 CustomResourceDefinition inputs.aurorapostgres.fn.crossplane.io" \
  package.annotation=meta.crossplane.io/source package.annotation=meta.crossplane.io/description
grep -qE '^label\.io\.crossplane\.xpkg:sha256:[0-9a-f]{64}=base$' "$fn" || fail "function package: no layer labelled io.crossplane.xpkg base"
hasnt "$fn" '^package.dependsOn='

log "== check the configuration package"
cfg="$OUT/$CONFIG_PKG.xpkg.txt"
has "$cfg" package.apiVersion=meta.pkg.crossplane.io/v1 package.kind=Configuration "package.name=$CONFIG_PKG" \
  package.annotation=meta.crossplane.io/source package.annotation=meta.crossplane.io/description
grep -qE '^package.crossplane=>=v2[^ ]* <v3' "$cfg" || fail "configuration package: no Crossplane constraint bounded to v2 (>=v2... <v3...)"
grep -qE '^label\.io\.crossplane\.xpkg:sha256:[0-9a-f]{64}=base$' "$cfg" || fail "configuration package: no layer labelled io.crossplane.xpkg base"
hasnt "$cfg" '^entrypoint=.+'
for d in apis/*/; do
  for f in definition composition; do
    name="$(awk '/^metadata:/{m=1; next} m && /^  name:/{print $2; exit}' "$d/$f.yaml")"
    kind="$(sed -n 's/^kind: *//p' "$d/$f.yaml" | head -n1)"
    api="$(sed -n 's/^apiVersion: *//p' "$d/$f.yaml" | head -n1)"
    has "$cfg" "object=$api $kind $name"
  done
done
grep -qE "^package.dependsOn=pkg.crossplane.io/v1 Function xpkg.crossplane.io/function-aurora-postgres/$FUNCTION_PKG >=v0\.[0-9.]+ <v1\.0\.0$" "$cfg" \
  || fail "configuration package: no dependsOn this function, bounded to v0 (>=v0.x <v1.0.0)"
# Every provider-aws group the function composes (in any golden desired
# state) needs its family provider, and no other provider is listed.
mapfile -t groups < <(sed -n 's/^apiVersion: \([a-z0-9]*\)\.aws\.m\.upbound\.io\/.*/\1/p' testdata/golden/*/desired.yaml | sort -u)
[[ ${#groups[@]} -gt 0 ]] || fail "no provider-aws groups found in testdata/golden"
for g in "${groups[@]}"; do
  grep -qE "^package.dependsOn=pkg.crossplane.io/v1 Provider xpkg.upbound.io/upbound/provider-aws-$g >=v2\.[5-9][0-9.]* <v3\.0\.0$" "$cfg" \
    || fail "configuration package: composes $g.aws.m.upbound.io but has no dependsOn provider-aws-$g bounded to the major it is tested with (>=v2.5.0 <v3.0.0)"
done
while read -r dep; do
  g="${dep#provider-aws-}"
  printf '%s\n' "${groups[@]}" | grep -qx -- "$g" || fail "configuration package: depends on $dep, which nothing composes"
done < <(sed -n 's/^package.dependsOn=pkg.crossplane.io\/v1 Provider xpkg.upbound.io\/upbound\/\([^ ]*\) .*/\1/p' "$cfg")

[[ $failures == 0 ]] || die "$failures package check(s) failed; inspections: $OUT/*.txt"
log "package: OK"
ls -l "$OUT"/*.xpkg "$OUT/runtime.tar" >&2
