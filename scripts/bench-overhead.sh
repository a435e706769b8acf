#!/usr/bin/env bash
# Per-action overhead of gantry: a pipeline of N `true` actions under
# `gantry run --quiet` (keep_runs: 3, so every run also prunes the oldest
# record), against the same N `sh -c true` in one sh script and as N make
# targets.
#
#   scripts/bench-overhead.sh [--update-docs] [N]   (default 200; needs make)
#
# These machines are shared and noisy, so the runners are measured in
# interleaved rounds (each round runs every runner once, in a rotating
# order) and the result is the median of the per-round ratios to make.
#
# Measured where users' repositories live, on the disk (a directory under
# target/, on the repository's file system), and on tmpfs (/dev/shm), which
# shows what gantry's own code costs without the log files' I/O.
#   ROUNDS=15              rounds per place
#   BENCH_PLACES="DIR …"   where to measure instead (one table row each)
#   GANTRY_BEFORE=PATH     also measure another gantry binary in the same
#                          rounds (e.g. a build of main), for before/after
# --update-docs replaces this script's table in docs/performance.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/bench-lib.sh"
update_docs=false
if [ "${1:-}" = --update-docs ]; then update_docs=true; shift; fi
n=${1:-200}
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
  )
  echo "measuring in $work ($(bench_fs "$work")): $rounds rounds" >&2
  # Every runner starts one `sh -c true` per action, as gantry does.
  SHELL=/bin/sh python3 - "$work" "$n" "$rounds" "$(bench_fs "$work")" "$gantry" "$before" >> "$out" <<'PY'
import os, statistics, subprocess, sys, time
work, n, rounds, fs, gantry, before = sys.argv[1:7]
n, rounds = int(n), int(rounds)
os.chdir(work)
runners = {
    "sh": ["sh", "plain.sh"],
    "make": ["make", "-s", "--no-print-directory"],
    "gantry": [gantry, "run", "--quiet"],
}
if before:
    # Its own copy of the pipeline, so each binary prunes its own records.
    os.makedirs("before", exist_ok=True)
    os.link("gantry.yml", "before/gantry.yml")
    runners["before"] = [before, "run", "--quiet"]
names = list(runners)
times = {k: [] for k in names}
def once(name):
    start = time.perf_counter()
    cwd = "before" if name == "before" else "."
    subprocess.run(runners[name], cwd=cwd, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start
for warmup in range(3):
    for name in names:
        once(name)
for r in range(rounds):
    order = names[r % len(names):] + names[: r % len(names)]
    for name in order:
        times[name].append(once(name))
# Every action's log is kept: the newest run has all of them.
runs = sorted(int(d) for d in os.listdir(".gantry/runs") if d.isdigit())
logs = os.listdir(f".gantry/runs/{runs[-1]}/bench")
assert len(logs) == n, f"expected {n} logs, found {len(logs)}"
assert len(runs) == 3, f"keep_runs: 3 but {len(runs)} runs kept"
med = {k: statistics.median(v) for k, v in times.items()}
def ratio(name):
    rs = sorted(g / m for g, m in zip(times[name], times["make"]))
    q = statistics.quantiles(rs, n=4) if len(rs) >= 2 else [rs[0]] * 3
    return f"**{statistics.median(rs):.2f}×** ({q[0]:.2f}–{q[2]:.2f})"
ms = lambda s: f"{s * 1000:.0f} ms"
cells = [fs, ms(med["sh"]), ms(med["make"])]
if before:
    cells += [ms(med["before"]), ratio("before")]
cells += [ms(med["gantry"]), ratio("gantry"),
          f"{(med['gantry'] - med['sh']) / n * 1000:.2f} ms"]
print("| " + " | ".join(cells) + " |")
PY
done

{
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`scripts/bench-overhead.sh$([ "$n" = 200 ] || echo " $n")\`"
  echo "on $(bench_machine);"
  echo "gantry $(git -C "$root" describe --always --dirty 2>/dev/null || echo "(no git)"), release build."
  echo "$n actions; medians of $rounds interleaved rounds, ratio to make as median (quartiles) of the per-round ratios."
  echo
  if [ -n "$before" ]; then
    echo "| where | sh script | make | gantry before | before / make | gantry | gantry / make | gantry over sh, per action |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
  else
    echo "| where | sh script | make | gantry | gantry / make | gantry over sh, per action |"
    echo "| --- | --- | --- | --- | --- | --- |"
  fi
  cat "$out"
} > "$out.table"
works+=("$out.table")
echo
cat "$out.table"
if $update_docs; then bench_update_docs overhead "$out.table"; fi
