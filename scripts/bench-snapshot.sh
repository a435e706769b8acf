#!/usr/bin/env bash
# Snapshot runs on a 10,000-file repository: `gantry run --snapshot` with one
# `true` action (checkout with git2, run, remove the checkout), against
# `git archive HEAD | tar -x` of the same commit into a fresh directory, in
# the same hyperfine run.
#
#   scripts/bench-snapshot.sh [FILES]   (default 10000; needs hyperfine, git)
set -euo pipefail
files=${1:-10000}
root=$(cd "$(dirname "$0")/.." && pwd)
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
gantry="$root/target/release/gantry"
work=$(mktemp -d -p "${BENCH_TMP:-${TMPDIR:-/tmp}}")
trap 'rm -rf "$work"' EXIT
cd "$work"
python3 - "$files" <<'PY'
import os, sys
for i in range(int(sys.argv[1])):
    d = f"src/d{i // 100:03d}"
    os.makedirs(d, exist_ok=True)
    with open(f"{d}/f{i:05d}.txt", "w") as f:
        f.write(f"file {i}\n" * 20)
PY
printf 'version: 1\nkeep_runs: 3\nstages:\n  - name: check\n    run: test -f src/d000/f00000.txt\n' > gantry.yml
printf '.gantry/\n' > .gitignore
git init -q -b main && git add -A
git -c user.name=bench -c user.email=bench@example.com commit -q -m files

hyperfine --warmup 2 --min-runs 10 \
  --command-name "gantry run --snapshot ($files files)" "$gantry run --snapshot -q" \
  --command-name "git archive | tar -x ($files files)" \
  "d=\$(mktemp -d) && git archive HEAD | tar -x -C \$d && rm -rf \$d"
