#!/usr/bin/env bash
# Usage: hack/tool.sh NAME
# Prints the path of a pinned tool binary, building it first if it is missing.
# Binaries live in $CACHE_DIR/bin/<name>-<version>, versions come from the
# tools/<module>/go.mod files (Go `tool` directives).
#   NAME: crossplane       Crossplane CLI (render, resource validate, xpkg build)
#         crossplane-core  Crossplane core (for `render --crossplane-binary`)
#         controller-gen   controller-tools' controller-gen
#         kube-apiserver   Kubernetes API server for the e2e suite (tools/kube)
#         garbage-collector
#                          Kubernetes' garbage collector controller, alone
#                          (tools/kube/cmd/garbage-collector)
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

name="${1:-}"
case "$name" in
  crossplane)      dir=cli;            mod=github.com/crossplane/cli/v2;         pkg=$mod/cmd/crossplane ;;
  crossplane-core) dir=core;           mod=github.com/crossplane/crossplane/v2;  pkg=$mod/cmd/crossplane ;;
  controller-gen)  dir=controller-gen; mod=sigs.k8s.io/controller-tools;         pkg=$mod/cmd/controller-gen ;;
  kube-apiserver)  dir=kube;           mod=k8s.io/kubernetes;                    pkg=$mod/cmd/$name ;;
  garbage-collector)
                   dir=kube;           mod=k8s.io/kubernetes;                    pkg=./cmd/$name ;;
  *) die "usage: $0 crossplane|crossplane-core|controller-gen|kube-apiserver|garbage-collector" ;;
esac

moddir="$REPO_ROOT/tools/$dir"
version="$(awk -v m="$mod" '($1==m){print $2; exit} ($1=="require" && $2==m){print $3; exit}' "$moddir/go.mod")"
[[ -n "$version" ]] || die "cannot find $mod in $moddir/go.mod"
# A tool of our own source is rebuilt when that source changes.
if [[ "$pkg" == ./* ]]; then
  version+="-$(cat "$moddir/${pkg#./}"/*.go "$moddir/go.sum" | sha256sum | cut -c1-12)"
fi

bin="$CACHE_DIR/bin/$name-$version"
if [[ ! -x "$bin" ]]; then
  mkdir -p "$CACHE_DIR/bin"
  # One build per tool at a time: a caller that finds another process
  # building it (two make targets at once, or a helper's run next to CI's
  # on a shared machine) waits for that build instead of starting a second.
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$bin.lock"
    flock 9
  fi
fi
if [[ ! -x "$bin" ]]; then
  log "building $name $version ($pkg) -> $bin"
  start=$SECONDS
  tmp="$(mktemp "$bin.XXXXXX")"
  trap 'rm -f "$tmp"' EXIT
  # -s -w: no symbol table or DWARF, which the tools are never debugged
  # with and which take a good part of linking kube-apiserver's 100 MB.
  ldflags="-s -w"
  case "$name" in
    crossplane*) ldflags+=" -X=github.com/crossplane/crossplane-runtime/v2/pkg/version.version=$version" ;;
    kube-*)
      minor="${version#v*.}"; minor="${minor%%.*}"; major="${version#v}"; major="${major%%.*}"
      ldflags+=" -X=k8s.io/component-base/version.gitVersion=$version -X=k8s.io/component-base/version.gitMajor=$major -X=k8s.io/component-base/version.gitMinor=$minor -X=k8s.io/component-base/version.gitTreeState=clean" ;;
  esac
  (cd "$moddir" && go build -ldflags="$ldflags" -o "$tmp" "$pkg") || die "building $name failed"
  chmod +x "$tmp"
  mv -f "$tmp" "$bin"
  log "built $name in $((SECONDS - start))s"
fi
printf '%s\n' "$bin"
