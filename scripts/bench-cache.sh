#!/usr/bin/env bash
# The no-op re-run: a 10,000-file git repository and a five-stage pipeline
# with the default inputs (every file git sees), everything cached. gantry
# against go-task's `sources:` checksum over the same files, in the same
# hyperfine run.
#
#   scripts/bench-cache.sh [--update-docs] [FILES]
#       (default 10000; needs hyperfine, git, and go-task: pip install
#        go-task-bin; BENCH_TMP: where to work, default this repository's
#        target/, on the disk). --update-docs puts the table into
#        docs/performance.md.
set -euo pipefail
update_docs=false
if [ "${1:-}" = --update-docs ]; then update_docs=true; shift; fi
files=${1:-10000}
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/bench-lib.sh"
bench_counts FILES="$files"
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
# The real go-task binary, not a pyenv shim (a shell script with its own start-up cost).
task="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/task"
[ -x "$task" ] || { echo "needs go-task (pip install go-task-bin)" >&2; exit 2; }

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
gantry="$root/target/release/gantry"
mkdir -p "${BENCH_TMP:-$root/target}"
work=$(bench_workdir "${BENCH_TMP:-$root/target}" bench-cache.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

python3 - "$files" <<'PY'
import os, sys
n = int(sys.argv[1])
for i in range(n):
    d = f"src/d{i // 100:03d}"
    os.makedirs(d, exist_ok=True)
    with open(f"{d}/f{i:05d}.txt", "w") as f:
        f.write(f"file {i}\n" * 20)
PY
{
  echo "version: 1"
  echo "stages:"
  for s in lint compile test image deploy; do
    echo "  - name: $s"
    echo "    run: 'true'"
  done
} > gantry.yml
{
  echo "version: '3'"
  echo "tasks:"
  prev=""
  for s in lint compile test image deploy; do
    echo "  $s:"
    [ -n "$prev" ] && echo "    deps: [$prev]"
    echo "    sources: ['src/**/*']"
    echo "    method: checksum"
    echo "    cmds: ['true']"
    prev=$s
  done
} > Taskfile.yml
printf '.gantry/\n.task/\n' > .gitignore
git init -q -b main && git add -A
git -c user.name=bench -c user.email=bench@example.com commit -q -m files

"$gantry" run -q >/dev/null      # fills the cache
"$task" -s deploy >/dev/null     # fills go-task's checksums
"$gantry" run -q | tail -1       # shows: 5 cached

hyperfine --warmup 3 --min-runs 20 --export-json results.json \
  --command-name "gantry run (5 stages cached, $files files)" "$gantry run -q" \
  --command-name "go-task (5 tasks up to date, $files files)" "$task -s deploy" \
  --command-name "git status (baseline for a scan of the tree)" "git status --porcelain"

python3 - results.json "$files" > summary.md <<'PY'
import json, sys
results, files = json.load(open(sys.argv[1]))["results"], int(sys.argv[2])
pick = lambda prefix: next(r for r in results if r["command"].startswith(prefix))
g, t, s = pick("gantry"), pick("go-task"), pick("git status")
print(f"`scripts/bench-cache.sh {files}`: hyperfine, in one run ({len(g['times'])}, {len(t['times'])} and {len(s['times'])} runs).\n")
print(f"| {files:,} files, everything cached | wall (mean ± σ) | user + sys | |")
print("| --- | --- | --- | --- |")
cpu = lambda r: (r["user"] + r["system"]) * 1000
print(f"| `gantry run` (5 stages, default inputs) | **{g['mean']*1000:.1f} ms** ± {g['stddev']*1000:.1f} | {cpu(g):.0f} ms | |")
print(f"| go-task (5 tasks, `method: checksum`) | {t['mean']*1000:.1f} ms ± {t['stddev']*1000:.1f} | {cpu(t):.0f} ms | **{t['mean']/g['mean']:.1f}× slower** than gantry |")
print(f"| `git status --porcelain` | {s['mean']*1000:.1f} ms ± {s['stddev']*1000:.1f} | {cpu(s):.0f} ms | |")
PY
{
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(bench_machine); work directory on $(bench_fs "$work")."
  echo
  cat summary.md
} > table.md
echo; cat table.md
if $update_docs; then bench_update_docs cache table.md; fi
