#!/usr/bin/env bash
# Per-action overhead of gantry: a pipeline of N `true` actions under gantry,
# against the same N commands in one sh script and as N make targets, all
# measured in the same hyperfine run (these machines are noisy: compare
# ratios, not absolute times).
#
#   scripts/bench-overhead.sh [N]      (default 200; needs hyperfine and make)
#
# BENCH_TMP=/dev/shm puts the work directory on tmpfs: gantry writes a log
# file per action (and prunes old runs), which on a slow disk costs more
# than the process handling itself.
set -euo pipefail
n=${1:-200}
root=$(cd "$(dirname "$0")/.." && pwd)
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
command -v make >/dev/null || { echo "needs make (apt-get install make)" >&2; exit 2; }

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
gantry="$root/target/release/gantry"
work=$(mktemp -d -p "${BENCH_TMP:-${TMPDIR:-/tmp}}")
trap 'rm -rf "$work"' EXIT
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
# Every runner starts one `sh -c true` per action, as gantry does.
export SHELL=/bin/sh

hyperfine --warmup 3 --min-runs 15 --export-json results.json \
  --command-name "sh script ($n × sh -c true)" "sh plain.sh" \
  --command-name "make ($n targets)" "make -s --no-print-directory" \
  --command-name "gantry run ($n actions)" "$gantry run --quiet >/dev/null"

python3 - "$n" results.json <<'PY'
import json, sys
n = int(sys.argv[1])
results = {r["command"]: r["mean"] for r in json.load(open(sys.argv[2]))["results"]}
sh = next(v for k, v in results.items() if k.startswith("sh"))
mk = next(v for k, v in results.items() if k.startswith("make"))
g = next(v for k, v in results.items() if k.startswith("gantry"))
print(f"\nper action: sh {sh/n*1000:.2f} ms, make {mk/n*1000:.2f} ms, gantry {g/n*1000:.2f} ms")
print(f"gantry overhead over the plain shell: {(g-sh)/n*1000:.2f} ms per action")
print(f"gantry / make: {g/mk:.2f}x")
PY
