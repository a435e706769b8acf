#!/usr/bin/env bash
# A whole `gantry deploy` against `cp -a` of the same tree, in the same run
# (these machines are noisy: compare the ratio, not absolutes).
#
#   scripts/bench-deploy.sh [--update-docs] [FILES] [MIB] [RUNS]   (defaults: 10000 files, 500 MiB, 5 runs)
#
# Builds a revision of FILES files totalling MIB MiB (100 directories) in the
# work directory (BENCH_TMP, default the repository's disk: `target/`), then
# RUNS times, alternating: `cp -a` of the tree into a new folder; a first
# `gantry deploy` of the revision onto one new instance (DownloadBundle keeps
# a bundle, Install copies the files); the same with the group setting
# `bundle: link` (the bundle hard-links the revision's files, of a copy of
# the revision); and a second deployment after one file of the revision
# changed (the bundle links the unchanged files and Install leaves them in
# place, both known unchanged by their recorded stat data, not read).
# Prints medians; --update-docs puts the table into docs/performance.md, in
# the section of the work directory's file system (BENCH_TMP=/mnt/xfs/…
# measures on XFS, where both `cp -a` and gantry clone files).
#
# Every run writes into new folders and nothing is deleted until the end
# (the work directory needs (RUNS × 3 + 2) × MIB MiB): on ext4 without a
# journal, creating a file after many were deleted scans past every inode deleted in
# the last minute (five while its inode table block is not written back:
# `recently_deleted` in the kernel's inode allocator), which made each copy
# made after an `rm -rf` of the previous one several times slower — `cp -a`
# and gantry alike, more with every run — so the bench measured that.
# The data of each step is flushed (`sync`) before the next is timed.
# Every copy needs free memory for its page cache: with the memory full of
# cache (after writing many gigabytes), each write first waits for reclaim
# and the times vary tenfold; the script says so and the table records the
# free memory (as root, `sync; echo 1 > /proc/sys/vm/drop_caches` frees it).
set -euo pipefail
update_docs=false
if [ "${1:-}" = --update-docs ]; then update_docs=true; shift; fi
files=${1:-10000}
mib=${2:-500}
runs=${3:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/bench-lib.sh"
bench_counts FILES="$files" MIB="$mib" RUNS="$runs"

# GANTRY_BENCH_BIN: measure that binary instead of building this tree's.
if [ -z "${GANTRY_BENCH_BIN:-}" ]; then
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
fi
gantry="${GANTRY_BENCH_BIN:-$root/target/release/gantry}"
mkdir -p "${BENCH_TMP:-$root/target}"
work=$(bench_workdir "${BENCH_TMP:-$root/target}")
# BENCH_KEEP=1 leaves the work directory in place (delete it later: a big
# deletion slows the next minutes' file creation on ext4, see below).
trap '[ -n "${BENCH_KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"' EXIT
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
cat > gantry.yml.in <<'YAML'
version: 1
name: bench
deploy_groups:
  dev: { instances: 1 }
stages:
  - name: noop
    run: 'true'
YAML
sync
# A revision is built some time before it is deployed. gantry trusts the
# stat data of a file someone else writes only once its last change is two
# seconds old (a write may still be copying its data), so a revision
# deployed the instant it was written is compared byte for byte once.
sleep 2

need_kib=$(( (runs * 4 + 2) * mib * 1024 ))
free_kib=$(awk '/^MemFree:/ { print $2 }' /proc/meminfo)
if [ "$free_kib" -lt "$need_kib" ]; then
  echo "warning: $((free_kib / 1024)) MiB of memory free, the runs write about $((need_kib / 1024)) MiB: page cache reclaim will make the times noisy" >&2
fi
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc -l; }
sed 's/instances: 1 }/instances: 1, bundle: link }/' gantry.yml.in > gantry-link.yml.in
# `bundle: link` deployments link their own copy of the revision, so the
# revision that `cp -a` copies never has files with several links.
cp -a rev rev-link
cp_t=() first_t=() second_t=() install_t=() link_t=()
for i in $(seq "$runs"); do
  # New pipeline folders per run: first deployments, to new instances.
  mkdir "run-$i" "link-$i"; cp gantry.yml.in "run-$i/gantry.yml"; cp gantry-link.yml.in "link-$i/gantry.yml"; sync
  t0=$(now); cp -a rev/app "cp-$i"; cp_t+=("$(since "$t0")")
  sync
  t0=$(now); out=$(cd "run-$i" && "$gantry" deploy --revision ../rev --color never); first_t+=("$(since "$t0")")
  install_t+=("$(echo "$out" | sed -n 's/.*installed [0-9]* files, [0-9.]* MiB in \([0-9.]*\)s.*/\1/p' | head -1)")
  sync
  t0=$(now); (cd "link-$i" && "$gantry" deploy --revision ../rev-link --color never >/dev/null); link_t+=("$(since "$t0")")
  echo "changed in run $i" >> rev/app/d000/f00000.bin; sync
  t0=$(now); (cd "run-$i" && "$gantry" deploy --revision ../rev --color never >/dev/null); second_t+=("$(since "$t0")")
  echo "run $i: cp -a ${cp_t[-1]}s, first deploy ${first_t[-1]}s (Install ${install_t[-1]}s), with bundle: link ${link_t[-1]}s, second deploy (1 file changed) ${second_t[-1]}s"
done

python3 - "$files" "$mib" "$runs" "$(uptime)" "${cp_t[*]}" "${first_t[*]}" "${install_t[*]}" "${second_t[*]}" "${link_t[*]}" > summary.md <<'PY'
import statistics, sys
files, mib, runs, up = sys.argv[1:5]
cp, first, inst, second, link = ([float(x) for x in a.split()] for a in sys.argv[5:10])
m = statistics.median
print(f"`scripts/bench-deploy.sh {files} {mib} {runs}`: a revision of {files} files / {mib} MiB "
      f"deployed to one new instance, against `cp -a` of the same tree into a new folder, alternating in the same run "
      f"(nothing deleted between runs); "
      f"medians of {runs} runs (page cache warm; load: `{up.strip()}`).\n")
print("| measure | median | range | / cp -a |")
print("| --- | --- | --- | --- |")
row = lambda name, xs: print(f"| {name} | {m(xs):.2f} s | {min(xs):.2f}–{max(xs):.2f} s | **{m(xs)/m(cp):.2f}×** |")
row("`cp -a`", cp)
row("first `gantry deploy` (bundle + Install)", first)
row("its Install event", inst)
row("first `gantry deploy` with `bundle: link`", link)
row("second `gantry deploy`, one file changed", second)
PY
{
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(bench_machine); work directory on $(bench_fs "$work")."
  echo
  cat summary.md
} > summary.tmp && mv summary.tmp summary.md
echo; cat summary.md
# One table per kind of file system (docs/performance.md has a section for
# ext4 with and without a journal, XFS and btrfs): reflinks change what a
# copy costs, and journal commits what a durable write costs.
if $update_docs; then bench_update_docs "deploy-$(bench_fs_key "$work")" summary.md; fi
