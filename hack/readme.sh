#!/usr/bin/env bash
# Usage: hack/readme.sh [--update]
# Runs the commands README.md and docs/*.md show, where they can run here,
# and checks their output samples against real output:
#   1. every `make render...` line of a ```shell block (its comment dropped):
#      it must succeed, or fail when its comment says "fails";
#   2. the two-terminal flow: `go run . --insecure --debug` in the background,
#      as the README shows it, then every `crossplane render ...` command of a
#      ```shell block (continuation lines joined), with the pinned CLI as
#      `crossplane`; each must succeed, and one rendering example/xr.yaml
#      without -o must print what `make render` prints, but for the generated
#      password;
#   3. every output sample: a ```console block right after a comment
#      `<!-- sample ... -->`. Each `$ CMD` line in it is run with bash in the
#      repository root, stdout and stderr together, as in a terminal; the lines
#      after it, up to the next `$ `, must be that output. `fold=N` in the
#      comment: the output is shown wrapped at N columns (fold -s -w N).
#      --update rewrites the samples from real output instead.
# Commands that need AWS, a cluster or Docker (kubectl, docker build) are not
# run; make test runs the e2e suite and the packages itself.
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
log "[$(date -u +%T)] $(basename "$0")"

update=false
case "${1:-}" in
  --update) update=true ;;
  "") ;;
  *) die "usage: $0 [--update]" ;;
esac

# Run the documented commands as a user would in a terminal: not with the
# inputs make exports to its recipes, nor as a sub-make (whose messages say
# make[1]).
unset XR COMPOSITION FUNCTIONS OBSERVED XRD ENVIRONMENT RENDER_FLAGS MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

docs=(README.md docs/*.md)
work="$(mktemp -d)"
fnpgid=""
# shellcheck disable=SC2317 # invoked by trap
cleanup() {
  if [[ -n "$fnpgid" ]]; then
    kill -- "-$fnpgid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 -- "-$fnpgid" 2>/dev/null || break; sleep 0.1; done
    kill -9 -- "-$fnpgid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failed=0
fail() { log "readme.sh: FAIL: $*"; failed=1; }

# shell_lines FILE...: the lines of ```shell blocks, continuation lines
# joined, as "FILE<TAB>LINE".
shell_lines() {
  awk '
    FNR == 1 { inblock = 0; acc = "" }
    /^```shell[[:space:]]*$/ { inblock = 1; next }
    inblock && /^```/ { inblock = 0; next }
    inblock {
      line = $0
      if (line ~ /\\$/) { acc = acc substr(line, 1, length(line) - 1); next }
      line = acc line; acc = ""
      gsub(/[[:space:]]+/, " ", line); sub(/^ /, "", line)
      print FILENAME "\t" line
    }' "$@"
}

# --- 1. make render commands -------------------------------------------------
n=0
while IFS=$'\t' read -r file line; do
  [[ "$line" == "make render"* ]] || continue
  cmd="${line%%#*}"; cmd="${cmd%"${cmd##*[![:space:]]}"}"
  comment=""; [[ "$line" == *"#"* ]] && comment="${line#*#}"
  want=0; [[ "$comment" == *fails* ]] && want=1
  log "== $file: $cmd"
  set +e; bash -c "$cmd" >"$work/out" 2>&1; rc=$?; set -e
  n=$((n + 1))
  if [[ $want -eq 0 && $rc -ne 0 ]]; then
    tail -20 "$work/out" >&2; fail "$file: \`$cmd\` exited $rc"
  elif [[ $want -eq 1 && $rc -eq 0 ]]; then
    fail "$file: \`$cmd\` succeeded; its comment says it fails"
  fi
done < <(shell_lines "${docs[@]}" | sort -u -t$'\t' -k2)
[[ $n -gt 0 ]] || fail "no \`make render\` commands found in ${docs[*]}"

# --- 2. the two-terminal flow ---------------------------------------------------
mapfile -t renders < <(shell_lines "${docs[@]}" | awk -F'\t' '$2 ~ /^crossplane render / {print $2}' | sort -u)
if [[ ${#renders[@]} -gt 0 ]]; then
  grep -qxF 'go run . --insecure --debug' "${docs[@]}" ||
    fail "the docs show \`crossplane render\` but not the terminal that runs \`go run . --insecure --debug\`"
  listening 9443 && die "port 9443 is in use: the two-terminal flow runs the function there (example/functions.yaml)"
  bindir="$work/bin"; mkdir -p "$bindir"
  ln -s "$(hack/tool.sh crossplane)" "$bindir/crossplane"
  hack/tool.sh crossplane-core >/dev/null
  log "== terminal 1: go run . --insecure --debug"
  # Its own process group: `go run` does not pass signals on to the function.
  setsid go run . --insecure --debug >"$work/fn.log" 2>&1 &
  fnpgid=$!
  for _ in $(seq 1 50); do
    [[ "$(ps -o pgid= -p "$fnpgid" | tr -d ' ')" == "$fnpgid" ]] && break
    sleep 0.1
  done
  [[ "$(ps -o pgid= -p "$fnpgid" | tr -d ' ')" == "$fnpgid" ]] || die "go run did not get its own process group"
  for _ in $(seq 1 600); do
    listening 9443 && break
    kill -0 "$fnpgid" 2>/dev/null || { cat "$work/fn.log" >&2; die "go run . --insecure --debug exited"; }
    sleep 0.2
  done
  listening 9443 || die "the function did not listen on 9443 within 120 s"
  make render >"$work/make-render.yaml" 2>"$work/make-render.err" ||
    { cat "$work/make-render.err" >&2; die "make render failed"; }
  compared=false
  for cmd in "${renders[@]}"; do
    log "== terminal 2: $cmd"
    set +e; PATH="$bindir:$PATH" bash -c "$cmd" >"$work/render.yaml" 2>"$work/render.err"; rc=$?; set -e
    if [[ $rc -ne 0 ]]; then
      cat "$work/render.err" >&2; fail "\`$cmd\` exited $rc"; continue
    fi
    if [[ "$cmd" == "crossplane render example/xr.yaml "* && "$cmd" != *" -o "* && "$cmd" != *" -r"* && "$cmd" != *" -x"* ]]; then
      compared=true
      mask() { sed 's/^\(  password: \).*/\1<generated>/' "$1"; }
      if ! diff <(mask "$work/make-render.yaml") <(mask "$work/render.yaml") >"$work/diff"; then
        head -40 "$work/diff" >&2
        fail "\`$cmd\` printed other resources than \`make render\` (-make render +two terminals above)"
      fi
    fi
  done
  $compared || fail "no two-terminal \`crossplane render example/xr.yaml ...\` to compare with \`make render\`"
  grep -q 'Composed' "$work/fn.log" || { cat "$work/fn.log" >&2; fail "the function's --debug log shows no call"; }
  kill -- "-$fnpgid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 -- "-$fnpgid" 2>/dev/null || break; sleep 0.1; done
  fnpgid=""
fi

# --- 3. output samples --------------------------------------------------------
# samples FILE: "INDEX<TAB>FOLD<TAB>CMD" for each command of each sample block.
samples() {
  awk '
    /^<!-- sample/ { want = 1; fold = 0; if (match($0, /fold=[0-9]+/)) fold = substr($0, RSTART + 5, RLENGTH - 5); next }
    want && /^```console[[:space:]]*$/ { inblock = 1; want = 0; idx++; next }
    { want = 0 }
    inblock && /^```/ { inblock = 0; next }
    inblock && /^\$ / { print idx "\t" fold "\t" substr($0, 3) }' "$1"
}

# rewrite FILE DIR: FILE with sample block N replaced by DIR/N.
rewrite() {
  awk -v dir="$2" '
    /^<!-- sample/ { print; want = 1; next }
    want && /^```console[[:space:]]*$/ {
      print; idx++; f = dir "/" idx
      while ((getline l < f) > 0) print l
      close(f); skip = 1; want = 0; next
    }
    { want = 0 }
    skip && /^```/ { skip = 0; print; next }
    skip { next }
    { print }' "$1"
}

for file in "${docs[@]}"; do
  grep -q '^<!-- sample' "$file" || continue
  dir="$work/samples/$file"; mkdir -p "$dir"
  while IFS=$'\t' read -r idx fold cmd; do
    log "== $file sample $idx: $cmd"
    set +e; bash -c "$cmd" >"$work/out" 2>&1; set -e
    {
      printf '$ %s\n' "$cmd"
      if [[ "$fold" -gt 0 ]]; then fold -s -w "$fold" "$work/out" | sed 's/[[:space:]]*$//'; else cat "$work/out"; fi
    } >>"$dir/$idx"
  done < <(samples "$file")
  rewrite "$file" "$dir" >"$work/new"
  if $update; then
    if ! cmp -s "$file" "$work/new"; then cp "$work/new" "$file"; log "readme.sh: updated the samples in $file"; fi
  elif ! diff -u "$file" "$work/new" >"$work/diff"; then
    cat "$work/diff" >&2
    fail "$file: output samples differ from real output (-doc +real above): run hack/readme.sh --update and review the diff"
  fi
done

[[ $failed -eq 0 ]] || die "the commands the docs show do not do what the docs say (above)"
log "readme.sh: OK"
