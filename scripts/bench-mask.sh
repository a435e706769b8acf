#!/usr/bin/env bash
# Masking cost in the worst cases for a naive masker: a 100 KB secret made
# of one repeated character against 10 MiB of output that is all that
# character, and against 10 MiB of lines one character short of it (every
# position starts a near-match). Linear masking takes a fraction of a
# second for both; the quadratic masker gantry had before took about 30 s
# (release build) on the near-matches. Also times the output with a short
# secret that does not occur, for comparison.
#
#   scripts/bench-mask.sh [--update-docs] [MIB]   (default 10; PROFILE=debug for a debug build)
#
# --update-docs puts the table into docs/performance.md.
set -euo pipefail
update_docs=false
if [ "${1:-}" = --update-docs ]; then update_docs=true; shift; fi
mib=${1:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/bench-lib.sh"
bench_counts MIB="$mib"
profile=${PROFILE:-release}
if [ "$profile" = release ]; then
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
else
  cargo build --quiet --manifest-path "$root/Cargo.toml"
fi
gantry="$root/target/$profile/gantry"
work=$(bench_workdir "${BENCH_TMP:-${TMPDIR:-/tmp}}")
trap 'rm -rf "$work"' EXIT
cd "$work"
cat > gantry.yml <<YAML
version: 1
keep_runs: 1
secrets: [LONG]
stages:
  - name: flood
    run: |
      if [ "\$MODE" = near ]; then
        line=\$(head -c 99999 /dev/zero | tr '\\0' a)
        yes "\$line" | head -n $((mib * 1024 * 1024 / 100000))
      else
        head -c $((mib * 1024 * 1024)) /dev/zero | tr '\\0' a; echo
      fi
YAML
time_run() {
  local start=$EPOCHREALTIME
  LONG="$1" MODE="$3" "$gantry" --quiet run >/dev/null
  awk -v a="$start" -v b="$EPOCHREALTIME" -v what="$2" 'BEGIN { printf "| %s | %.2f s |\n", what, b - a }' | tee -a rows.md
}
long=$(head -c 100000 /dev/zero | tr '\0' a)
time_run "$long" "100 KB secret of 'a' vs ${mib} MiB of 'a'" full
time_run "$long" "100 KB secret of 'a' vs ${mib} MiB of 99999-'a' lines" near
time_run "not-in-the-output" "short secret absent from ${mib} MiB of 'a'" full
{
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(bench_machine); \`scripts/bench-mask.sh $mib\`, $profile build."
  echo
  echo "| output masked | wall time |"
  echo "| --- | --- |"
  cat rows.md
} > table.md
echo; cat table.md
if $update_docs; then bench_update_docs mask table.md; fi
