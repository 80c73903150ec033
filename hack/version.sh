#!/usr/bin/env bash
# Usage: hack/version.sh
# Prints the semantic version the packages of this checkout carry:
#   $VERSION                  when set (it must be a semantic version vX.Y.Z[-pre])
#   vX.Y.Z                    when HEAD carries the release tag vX.Y.Z, and
#                             CHANGELOG.md has its section (## vX.Y.Z ...)
#   vX.Y.(Z+1)-0.dev.g<sha>    otherwise: after the newest release the
#                             CHANGELOG lists (v0.0.0 if none) and before the
#                             next, as semver orders pre-releases; <sha> is
#                             HEAD's short hash ("unknown" outside git)
# Releases are cut by tagging: see docs/installing.md#releases.
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

semver='^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$'
release='^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$'

if [[ -n "${VERSION:-}" ]]; then
  [[ "$VERSION" =~ $semver ]] || die "VERSION=$VERSION is not a semantic version vX.Y.Z[-pre]"
  printf '%s\n' "$VERSION"
  exit 0
fi

# changelog_has VERSION: CHANGELOG.md has a section for it.
changelog_has() { grep -qE "^## $(printf '%s' "$1" | sed 's/\./\\./g')( |\$)" CHANGELOG.md; }

tags=()
if git rev-parse --git-dir >/dev/null 2>&1; then
  mapfile -t tags < <(git tag --points-at HEAD --list 'v*' | grep -E "$release" | sort -V -r || true)
fi
if [[ ${#tags[@]} -gt 0 ]]; then
  changelog_has "${tags[0]}" || die "HEAD is tagged ${tags[0]} but CHANGELOG.md has no '## ${tags[0]}' section"
  printf '%s\n' "${tags[0]}"
  exit 0
fi

latest="$(sed -nE 's/^## (v[0-9]+\.[0-9]+\.[0-9]+)( .*)?$/\1/p' CHANGELOG.md | sort -V -r | head -n1)"
latest="${latest:-v0.0.0}"
IFS=. read -r major minor patch <<<"${latest#v}"
sha="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
printf 'v%s.%s.%s-0.dev.g%s\n' "$major" "$minor" "$((patch + 1))" "$sha"
