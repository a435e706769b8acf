#!/usr/bin/env bash
# `gantry deploy` of a small revision (10 files and an AfterInstall hook) to
# a HalfAtATime group of N folder instances: wall time and peak RSS.
#
#   scripts/bench-fleet.sh [--update-docs] [N...]   (default: 250 500 1000)
#
# Each size runs on a fresh group in the work directory (BENCH_TMP, default
# the repository's disk: `target/`). Peak RSS is gantry's own (the largest
# resident set of any process it waited for: gantry, hooks are small) from
# getrusage(RUSAGE_CHILDREN). --update-docs puts the table into
# docs/performance.md.
set -euo pipefail
update_docs=false
if [ "${1:-}" = --update-docs ]; then update_docs=true; shift; fi
sizes=("${@:-250 500 1000}")
read -r -a sizes <<< "${sizes[*]}"
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/bench-lib.sh"
for n in "${sizes[@]}"; do bench_counts N="$n"; done

# GANTRY_BENCH_BIN: measure that binary instead of building this tree's.
if [ -z "${GANTRY_BENCH_BIN:-}" ]; then
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
fi
gantry="${GANTRY_BENCH_BIN:-$root/target/release/gantry}"
mkdir -p "${BENCH_TMP:-$root/target}"
work=$(bench_workdir "${BENCH_TMP:-$root/target}")
trap 'rm -rf "$work"' EXIT

rows=()
for n in "${sizes[@]}"; do
  dir="$work/$n"
  mkdir -p "$dir/rev/app"
  for i in $(seq 10); do echo "file $i" > "$dir/rev/app/f$i.txt"; done
  printf '#!/bin/sh\necho "installed on $(basename "$PWD")"\n' > "$dir/rev/hook.sh"
  chmod +x "$dir/rev/hook.sh"
  cat > "$dir/rev/appspec.yml" <<'YAML'
version: 0.0
os: linux
files:
  - source: app
    destination: /srv/app
hooks:
  AfterInstall:
    - location: hook.sh
YAML
  printf 'version: 1\nname: fleet\ndeploy_groups:\n  dev: { instances: %s, config: HalfAtATime }\nstages:\n  - name: noop\n    run: "true"\n' "$n" > "$dir/gantry.yml"
  row=$(cd "$dir" && python3 - "$gantry" "$n" <<'PY'
import resource, subprocess, sys, time
gantry, n = sys.argv[1], int(sys.argv[2])
t0 = time.monotonic()
p = subprocess.run([gantry, "deploy", "--revision", "rev", "--color", "never"],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
wall = time.monotonic() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
if p.returncode != 0:
    sys.exit(f"gantry deploy to {n} instances failed:\n{p.stdout[-3000:]}")
last = [l for l in p.stdout.splitlines() if "succeeded · batch" in l][-1:]
print(f"| {n} | {wall:.1f} s | {wall / n * 1000:.1f} ms | {rss:.0f} MiB | {last[0].split('gantry: ')[-1] if last else ''} |")
PY
)
  echo "$row"
  rows+=("$row")
  rm -rf "$dir"
done

{
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(bench_machine); work directory on $(bench_fs "$work")."
  echo
  echo "\`scripts/bench-fleet.sh ${sizes[*]}\`: a revision of 10 small files with an AfterInstall hook deployed to a HalfAtATime group of N folder instances (default \`max_parallel\`: 4 per core); load: \`$(uptime | sed 's/^ *//')\`."
  echo
  echo "| instances | wall time | per instance | peak RSS | last progress line |"
  echo "| --- | --- | --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
} > "$work/summary.md"
echo; cat "$work/summary.md"
if $update_docs; then bench_update_docs fleet "$work/summary.md"; fi
