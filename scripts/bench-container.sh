#!/usr/bin/env bash
# Container overhead: N `true` actions in a `container:` under
# `gantry run --quiet`, against the same N `sh -c true` under
# `podman run --rm IMAGE` directly, one after another (the engine's own
# start-up, which gantry cannot make faster). Target: gantry within 10% of
# podman (ratio ≤ 1.10).
#
#   scripts/bench-container.sh [--update-docs] [N]   (default 20; needs podman, busybox-static)
#
# The image is the tests' busybox image (`localhost/gantry-test-busybox:latest`,
# FROM scratch plus a static busybox), built here if podman lacks it; nothing
# is pulled. These machines are shared and noisy, so the two runners are
# measured in interleaved rounds and compared by their medians.
#   ROUNDS=7    rounds
# --update-docs replaces this script's table in docs/performance.md.
# (Services: the start-to-ready time is measured by its own section.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/bench-lib.sh"
update_docs=false
if [ "${1:-}" = --update-docs ]; then update_docs=true; shift; fi
n=${1:-20}
bench_counts N="$n"
rounds=${ROUNDS:-7}
command -v podman >/dev/null || { echo "needs podman (apt-get install podman runc)" >&2; exit 2; }
if [ -z "${CONTAINERS_CONF:-}" ]; then
  # podman 4.3 on these machines: crun fails on setrlimit, runc works.
  export CONTAINERS_CONF=/tmp/gantry-bench-containers.conf
  printf '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n' > "$CONTAINERS_CONF"
fi
image=localhost/gantry-test-busybox:latest
if ! podman image exists "$image"; then
  busybox=$(command -v busybox || true)
  [ -n "$busybox" ] || { echo "needs busybox-static (apt-get install busybox-static)" >&2; exit 2; }
  ctx=$(mktemp -d)
  cp "$busybox" "$ctx/busybox"
  printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n' > "$ctx/Containerfile"
  podman build -q -t "$image" "$ctx" >/dev/null
  rm -rf "$ctx"
fi

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
gantry="$root/target/release/gantry"
mkdir -p "$root/target/bench"
work=$(mktemp -d -p "$root/target/bench" gantry-bench-container.XXXXXX)
out=$(mktemp)
trap 'rm -rf "$work" "$out" "$out.table"' EXIT
(
  cd "$work"
  {
    echo "version: 1"
    echo "keep_runs: 3"
    echo "cache: false"
    echo "container: $image"
    echo "stages:"
    echo "  - name: bench"
    echo "    actions:"
    for i in $(seq "$n"); do echo "      - { name: a$i, run: 'true' }"; done
  } > gantry.yml
  for i in $(seq "$n"); do echo "podman run --rm $image sh -c true"; done > plain.sh
)
echo "measuring in $work: $n actions, $rounds rounds" >&2
python3 - "$work" "$n" "$rounds" "$gantry" >> "$out" <<'PY'
import os, statistics, subprocess, sys, time
work, n, rounds, gantry = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
os.chdir(work)
runners = {"podman": ["sh", "plain.sh"], "gantry": [gantry, "run", "--quiet"]}
times = {k: [] for k in runners}
def once(name):
    start = time.perf_counter()
    subprocess.run(runners[name], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start
for name in runners:
    once(name)
names = list(runners)
for r in range(rounds):
    for name in names[r % 2:] + names[: r % 2]:
        times[name].append(once(name))
# No container of these runs is left.
left = subprocess.run(["podman", "ps", "-a", "--filter", "label=gantry.run-dir", "--format", "{{index .Labels \"gantry.run-dir\"}}"],
                      capture_output=True, text=True, check=True).stdout
assert work not in left, f"containers left: {left}"
med = {k: statistics.median(v) for k, v in times.items()}
rs = sorted(g / p for g, p in zip(times["gantry"], times["podman"]))
q = statistics.quantiles(rs, n=4) if len(rs) >= 2 else [rs[0]] * 3
ms = lambda s: f"{s * 1000:.0f} ms"
print("| " + " | ".join([
    ms(med["podman"]), ms(med["podman"] / n), ms(med["gantry"]), ms(med["gantry"] / n),
    f"**{med['gantry'] / med['podman']:.2f}×** ({q[0]:.2f}–{q[2]:.2f})",
    f"{(med['gantry'] - med['podman']) / n * 1000:.0f} ms",
]) + " |")
PY

{
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`scripts/bench-container.sh$([ "$n" = 20 ] || echo " $n")\`"
  echo "on $(bench_machine);"
  echo "gantry $(git -C "$root" describe --always --dirty 2>/dev/null || echo "(no git)"), release build; $(podman --version), runtime $(podman info --format '{{.Host.OCIRuntime.Name}}')."
  echo "$n container actions; medians of $rounds interleaved rounds (in brackets: quartiles of the per-round ratios)."
  echo
  echo "| podman run --rm, $n× | per container | gantry run, $n actions | per action | gantry / podman | gantry over podman, per action |"
  echo "| --- | --- | --- | --- | --- | --- |"
  cat "$out"
} > "$out.table"
echo
cat "$out.table"
if $update_docs; then bench_update_docs container "$out.table"; fi
