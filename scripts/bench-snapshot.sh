#!/usr/bin/env bash
# Snapshot runs on a 10,000-file repository whose pipeline "builds"
# incrementally into the ignored target/ (`cp -ru`: only sources newer than
# their copy), on the real disk. In one hyperfine run:
#   cold         gantry run --snapshot with no checkout yet (first use, or --clean)
#   incremental  gantry run --snapshot after a one-line change was committed
#                (what the pre-push hook does after a small edit)
#   baseline     git archive HEAD | tar -x into a fresh directory (extraction only)
#
#   scripts/bench-snapshot.sh [--update-docs] [FILES] [RUNS]
#       (defaults 10000 files, 10 runs; needs hyperfine, git; BENCH_TMP: where
#        to work, default this repo's target/). --update-docs puts the table
#        into docs/performance.md.
set -euo pipefail
update_docs=false
if [ "${1:-}" = --update-docs ]; then update_docs=true; shift; fi
files=${1:-10000}
runs=${2:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/bench-lib.sh"
bench_counts FILES="$files" RUNS="$runs"
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
gantry="$root/target/release/gantry"
mkdir -p "${BENCH_TMP:-$root/target}"
work=$(bench_workdir "${BENCH_TMP:-$root/target}" bench-snapshot.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "working in $work ($(df -T "$work" | awk 'NR==2 {print $2}'))"
mkdir "$work/repo"
cd "$work/repo"
python3 - "$files" <<'PY'
import os, sys
for i in range(int(sys.argv[1])):
    d = f"src/d{i // 100:03d}"
    os.makedirs(d, exist_ok=True)
    with open(f"{d}/f{i:05d}.txt", "w") as f:
        f.write(f"file {i}\n" * 20)
PY
printf 'version: 1\nkeep_runs: 3\nstages:\n  - name: build\n    script:\n      - mkdir -p target\n      - cp -ru src target/\n' > gantry.yml
printf '.gantry/\ntarget/\n' > .gitignore
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
git init -q -b main && git add -A && git commit -q -m files

hyperfine --warmup 1 --runs "$runs" --export-json "$work/results.json" \
  --command-name "cold: gantry run --snapshot, no checkout yet" \
  --prepare "rm -rf .gantry/snapshot" \
  "$gantry run --snapshot -q" \
  --command-name "incremental: gantry run --snapshot after a one-line commit" \
  --prepare "echo \"line \$RANDOM\" >> src/d000/f00000.txt && git commit -qam change" \
  "$gantry run --snapshot -q" \
  --command-name "baseline: git archive HEAD | tar -x" \
  --prepare "rm -rf $work/extract" \
  "mkdir $work/extract && git archive HEAD | tar -x -C $work/extract"

python3 - "$work/results.json" "$files" "$runs" > "$work/summary.md" <<'PY'
import json, sys
results, files, runs = json.load(open(sys.argv[1]))["results"], int(sys.argv[2]), sys.argv[3]
by = {r["command"].split(":")[0]: r for r in results}
base = by["baseline"]["mean"]
print(f"`scripts/bench-snapshot.sh {files} {runs}`: hyperfine, {runs} runs each, in one run.\n")
print(f"| {files:,} files | mean ± σ | range | vs baseline |")
print("| --- | --- | --- | --- |")
names = {"cold": "cold `gantry run --snapshot`", "incremental": "incremental `gantry run --snapshot`",
         "baseline": "`git archive \\| tar -x`"}
for key in ("cold", "incremental", "baseline"):
    r = by[key]
    ratio = base / r["mean"]
    how = "1" if key == "baseline" else (f"**{ratio:.1f}× faster**" if ratio >= 1 else f"{1/ratio:.1f}× slower")
    print(f"| {names[key]} | {r['mean']:.3g} s ± {r['stddev']:.2g} | {r['min']:.3g} – {r['max']:.3g} s | {how} |")
print(f"\nIncremental is {by['cold']['mean'] / by['incremental']['mean']:.0f}× faster than cold.")
PY
{
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(bench_machine); work directory on $(bench_fs "$work")."
  echo
  cat "$work/summary.md"
} > "$work/table.md"
echo; cat "$work/table.md"
if $update_docs; then bench_update_docs snapshot "$work/table.md"; fi
