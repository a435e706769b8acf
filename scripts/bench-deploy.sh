#!/usr/bin/env bash
# Install throughput of `gantry deploy` against `cp -a` of the same tree, in
# the same run (these machines are noisy: compare the ratio, not absolutes).
#
#   scripts/bench-deploy.sh [FILES] [MIB] [RUNS]   (defaults: 10000 files, 500 MiB, 3 runs)
#
# Builds a revision of FILES files totalling MIB MiB (100 directories), then
# RUNS times, alternating: `cp -a` of the tree into a fresh folder, and a
# fresh `gantry deploy` of the revision onto one instance. For gantry it
# reports the Install event (the files mapping: plan, copy, modes), as
# printed by gantry itself, and the whole command (which also copies the
# revision into the store: DownloadBundle). Page cache is warm for both.
set -euo pipefail
files=${1:-10000}
mib=${2:-500}
runs=${3:-3}
root=$(cd "$(dirname "$0")/.." && pwd)

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
gantry="$root/target/release/gantry"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

python3 - "$files" "$mib" <<'PY'
import os, sys
files, mib = int(sys.argv[1]), int(sys.argv[2])
size = mib * 1024 * 1024 // files
blob = os.urandom(size)
for i in range(files):
    d = f"rev/app/d{i % 100:03d}"
    os.makedirs(d, exist_ok=True)
    with open(f"{d}/f{i:05d}.bin", "wb") as f:
        f.write(blob[i % 97:] + blob[:i % 97])
PY
cat > rev/appspec.yml <<'YAML'
version: 0.0
os: linux
files:
  - source: app
    destination: /srv/app
YAML
cat > gantry.yml <<'YAML'
version: 1
name: bench
deploy_groups:
  dev: { instances: 1 }
stages:
  - name: noop
    run: 'true'
YAML
sync

now() { date +%s.%N; }
cp_times=() install_times=() whole_times=()
for i in $(seq "$runs"); do
  rm -rf cp-target .gantry; sync
  t0=$(now); cp -a rev/app cp-target; t1=$(now)
  cp_times+=("$(echo "$t1 - $t0" | bc -l)")
  rm -rf cp-target; sync
  t0=$(now); out=$("$gantry" deploy --revision rev --color never); t1=$(now)
  whole_times+=("$(echo "$t1 - $t0" | bc -l)")
  install_times+=("$(echo "$out" | sed -n 's/.*installed [0-9]* files, [0-9.]* MiB in \([0-9.]*\)s.*/\1/p' | head -1)")
  echo "run $i: cp -a ${cp_times[-1]}s, gantry Install ${install_times[-1]}s, gantry deploy (whole) ${whole_times[-1]}s"
done

python3 - "$mib" "${cp_times[*]}" "${install_times[*]}" "${whole_times[*]}" <<'PY'
import statistics, sys
mib = float(sys.argv[1])
cp, inst, whole = ([float(x) for x in a.split()] for a in sys.argv[2:5])
m = lambda xs: statistics.median(xs)
print(f"\nmedian: cp -a {m(cp):.2f}s ({mib/m(cp):.0f} MiB/s), gantry Install {m(inst):.2f}s ({mib/m(inst):.0f} MiB/s), whole gantry deploy {m(whole):.2f}s")
print(f"Install throughput / cp -a throughput: {m(cp)/m(inst):.2f}x")
print(f"whole deploy (bundle copy + install) / cp -a: {m(cp)/m(whole):.2f}x")
PY
