#!/usr/bin/env bash
# Per-action overhead of gantry: a pipeline of N `true` actions under
# `gantry run --quiet` (keep_runs: 3, so every run also prunes the oldest
# record), against the same N `sh -c true` in one sh script and as N make
# targets, in a git repository of their own.
#
#   scripts/bench-overhead.sh [--update-docs] [N]   (default 200; needs make, git)
#
# These machines are shared and noisy, so the runners are measured in
# interleaved rounds (each round runs every runner once, in a rotating
# order) and compared by their medians.
#
# Measured where users' repositories live, on the disk (a directory under
# target/, on the repository's file system), and on tmpfs (/dev/shm), which
# shows what gantry's own code costs without the log files' I/O.
#   ROUNDS=15              rounds per place
#   BENCH_PLACES="DIR …"   where to measure instead (one table row each)
#   GANTRY_BEFORE=PATH     also measure another gantry binary in the same
#                          rounds (e.g. a build of main), for before/after;
#   GANTRY_BEFORE_NAME=…   what it is, for the table (e.g. "main at 74a2284")
# --update-docs replaces this script's table in docs/performance.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/bench-lib.sh"
update_docs=false
if [ "${1:-}" = --update-docs ]; then update_docs=true; shift; fi
n=${1:-200}
bench_counts N="$n"
rounds=${ROUNDS:-15}
command -v make >/dev/null || { echo "needs make (apt-get install make)" >&2; exit 2; }

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
gantry="$root/target/release/gantry"
before=${GANTRY_BEFORE:-}
mkdir -p "$root/target/bench"
places=${BENCH_PLACES:-"$root/target/bench /dev/shm"}
works=()
cleanup() { rm -rf "${works[@]}"; }
trap cleanup EXIT
out=$(mktemp)
works+=("$out")

for place in $places; do
  work=$(mktemp -d -p "$place" gantry-bench-overhead.XXXXXX)
  works+=("$work")
  (
    cd "$work"
    {
      echo "version: 1"
      echo "keep_runs: 3"
      # Every action runs, as every make target does (.PHONY): with the
      # cache on, a second run would skip them all.
      echo "cache: false"
      echo "stages:"
      echo "  - name: bench"
      echo "    actions:"
      for i in $(seq "$n"); do echo "      - { name: a$i, run: 'true' }"; done
    } > gantry.yml
    for i in $(seq "$n"); do echo "sh -c true"; done > plain.sh
    {
      printf 'all:'
      for i in $(seq "$n"); do printf ' a%d' "$i"; done
      printf '\n.PHONY: all'
      for i in $(seq "$n"); do printf ' a%d' "$i"; done
      printf '\n'
      for i in $(seq "$n"); do printf 'a%d:\n\t@sh -c true\n' "$i"; done
    } > Makefile
    # GANTRY_BEFORE runs here, so that each binary prunes its own records.
    mkdir before
    ln gantry.yml before/gantry.yml
    # A repository of its own, as users' are (gantry reads its git status
    # once per run), not the status of whatever repository holds $place.
    git init -q
    git add .
    git -c user.name=bench -c user.email=bench@localhost commit -qm bench
  )
  echo "measuring in $work ($(bench_fs "$work")): $rounds rounds" >&2
  # Every runner starts one `sh -c true` per action, as gantry does.
  SHELL=/bin/sh python3 - "$work" "$n" "$rounds" "$(bench_fs "$work")" "$gantry" "$before" >> "$out" <<'PY'
import os, resource, statistics, subprocess, sys, time
work, n, rounds, fs, gantry, before = sys.argv[1:7]
n, rounds = int(n), int(rounds)
os.chdir(work)
runners = {
    "sh": ["sh", "plain.sh"],
    "make": ["make", "-s", "--no-print-directory"],
    "gantry": [gantry, "run", "--quiet"],
}
if before:
    runners["before"] = [before, "run", "--quiet"]
names = list(runners)
times = {k: [] for k in names}
cpu = {k: [] for k in names}
def once(name):
    cwd = "before" if name == "before" else "."
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(runners[name], cwd=cwd, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    now = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (now.ru_utime - used.ru_utime) + (now.ru_stime - used.ru_stime)
for warmup in range(3):
    for name in names:
        once(name)
for r in range(rounds):
    order = names[r % len(names):] + names[: r % len(names)]
    for name in order:
        wall, used = once(name)
        times[name].append(wall)
        cpu[name].append(used)
# Every action's log is kept: the newest run has all of them.
runs = sorted(int(d) for d in os.listdir(".gantry/runs") if d.isdigit())
logs = os.listdir(f".gantry/runs/{runs[-1]}/bench")
assert len(logs) == n, f"expected {n} logs, found {len(logs)}"
assert len(runs) == 3, f"keep_runs: 3 but {len(runs)} runs kept"
med = {k: statistics.median(v) for k, v in times.items()}
def ratio(name):
    rs = sorted(g / m for g, m in zip(times[name], times["make"]))
    q = statistics.quantiles(rs, n=4) if len(rs) >= 2 else [rs[0]] * 3
    cpu_ratio = statistics.median(cpu[name]) / statistics.median(cpu["make"])
    return [f"**{med[name] / med['make']:.2f}×** ({q[0]:.2f}–{q[2]:.2f})", f"{cpu_ratio:.2f}×"]
ms = lambda s: f"{s * 1000:.0f} ms"
cells = [fs, ms(med["sh"]), ms(med["make"])]
if before:
    cells += [ms(med["before"])] + ratio("before")
cells += [ms(med["gantry"])] + ratio("gantry")
cells += [f"{(med['gantry'] - med['sh']) / n * 1000:.2f} ms"]
print("| " + " | ".join(cells) + " |")
PY
done

{
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`scripts/bench-overhead.sh$([ "$n" = 200 ] || echo " $n")\`"
  echo "on $(bench_machine);"
  echo "gantry $(git -C "$root" describe --always --dirty 2>/dev/null || echo "(no git)"), release build$([ -z "$before" ] || echo "; before: ${GANTRY_BEFORE_NAME:-$before}")."
  echo "$n actions; medians of $rounds interleaved rounds. Ratio to make: of the median wall times (in brackets: quartiles of the"
  echo "per-round ratios); CPU: of the median CPU time (user + system) of the runner and its processes."
  echo
  if [ -n "$before" ]; then
    echo "| where | sh script | make | gantry before | before / make | CPU | gantry | gantry / make | CPU | gantry over sh, per action |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  else
    echo "| where | sh script | make | gantry | gantry / make | CPU | gantry over sh, per action |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
  fi
  cat "$out"
} > "$out.table"
works+=("$out.table")
echo
cat "$out.table"
if $update_docs; then bench_update_docs overhead "$out.table"; fi
