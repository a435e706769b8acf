#!/usr/bin/env bash
# Service start-to-ready time: a container service (a busybox `nc` server,
# `ready: { port }`) under `gantry run` against the same container started
# with `podman run -d` and polled by hand until it answers; and the same
# server as a host-command service. These machines are noisy: compare the
# ratio, not absolutes.
#
#   scripts/bench-service.sh [--update-docs] [RUNS]   (default 7 runs)
#
# Needs podman with the test busybox image (`localhost/gantry-test-busybox`,
# built by the tests: `cargo test --test services`) and a static busybox on
# the host. GANTRY=path/to/gantry measures that build (default: a release
# build). Each round runs the three in turn; the table shows medians.
# gantry's figure is the `ready in …` it reports (from the engine command's
# start to the first answered connection); the whole run's extra wall time
# over the same pipeline without the service (start, readiness, stop and
# removal of the container) is shown too. --update-docs puts the table into
# docs/performance.md.
set -euo pipefail
update_docs=false
if [ "${1:-}" = --update-docs ]; then update_docs=true; shift; fi
runs=${1:-7}
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/bench-lib.sh"
bench_counts RUNS="$runs"
export CONTAINERS_CONF=${CONTAINERS_CONF:-/tmp/containers.conf}
image=localhost/gantry-test-busybox:latest
podman image exists "$image" || { echo "no $image: run cargo test --test services first" >&2; exit 1; }
if [ -z "${GANTRY:-}" ]; then
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
  GANTRY="$root/target/release/gantry"
fi
build=$(basename "$(dirname "$GANTRY")")
work=$(bench_workdir "${BENCH_TMP:-$root/target}")
trap 'podman rm -f -t 0 gantry-bench-direct >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
server="exec nc -ll -p 8080 -e echo hello"

mkdir -p "$work/container" "$work/host" "$work/none"
cat > "$work/container/gantry.yml" <<YML
version: 1
name: bench-service
cache: false
services:
  web:
    image: $image
    command: [sh, -c, "$server"]
    ports: ["$port:8080"]
    ready: { port: 8080 }
stages:
  - name: test
    run: "true"
YML
cat > "$work/host/gantry.yml" <<YML
version: 1
name: bench-service-host
cache: false
services:
  web:
    run: exec busybox nc -ll -p $port -e echo hello
    ready: { port: $port }
stages:
  - name: test
    run: "true"
YML
printf 'version: 1\nname: bench-none\ncache: false\nstages:\n  - name: test\n    run: "true"\n' > "$work/none/gantry.yml"

now() { date +%s.%N; }
# `ready in 359ms` / `ready in 1.2s` from gantry's plain output, in seconds.
ready_seconds() {
  sed -n 's/.*\[service web\] .*ready in \([0-9.]*\)\(ms\|s\).*/\1 \2/p' | \
    awk '{ if ($2 == "ms") print $1 / 1000; else print $1 }'
}
answers() { busybox nc 127.0.0.1 "$port" </dev/null 2>/dev/null | grep -q hello; }

: > "$work/direct" ; : > "$work/gantry" ; : > "$work/host.txt"; : > "$work/run" ; : > "$work/base"
for i in $(seq "$runs"); do
  start=$(now)
  podman run -d --rm --name gantry-bench-direct -p "$port:8080" "$image" sh -c "$server" >/dev/null
  until answers; do :; done
  echo "$(now) - $start" | bc >> "$work/direct"
  podman rm -f -t 0 gantry-bench-direct >/dev/null

  start=$(now)
  out=$(cd "$work/container" && "$GANTRY" run 2>&1 | cat)
  echo "$(now) - $start" | bc >> "$work/run"
  echo "$out" | ready_seconds >> "$work/gantry"

  start=$(now)
  (cd "$work/none" && "$GANTRY" run >/dev/null 2>&1)
  echo "$(now) - $start" | bc >> "$work/base"

  (cd "$work/host" && "$GANTRY" run 2>&1 | cat) | ready_seconds >> "$work/host.txt"
done

median() { sort -n "$1" | awk '{ a[NR] = $1 } END { m = a[int((NR + 1) / 2)]; printf "%.3f", m }'; }
direct=$(median "$work/direct"); gantry=$(median "$work/gantry"); host=$(median "$work/host.txt")
run=$(median "$work/run"); base=$(median "$work/base")
ratio=$(printf '%.2f' "$(echo "scale=3; $gantry / $direct" | bc)")
extra=$(echo "$run - $base" | bc)
table="$work/table.md"
{
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`scripts/bench-service.sh\`"
  echo "on $(bench_machine); gantry $(git -C "$root" rev-parse --short HEAD), $build build; podman $(podman version --format '{{.Client.Version}}')."
  echo "Medians of $runs interleaved rounds; a busybox \`nc\` server, ready when it answers on its published port."
  echo
  echo "| start to ready | seconds | vs. podman run -d |"
  echo "| --- | --- | --- |"
  echo "| \`podman run -d\`, polled by hand | $direct | 1.00× |"
  echo "| gantry container service (\`ready: { port }\`) | $gantry | ${ratio}× |"
  echo "| gantry host-command service | $host | |"
  echo
  echo "A whole \`gantry run\` of one \`true\` action with the container service: $run s, against $base s without it ($extra s for starting, waiting for, stopping and removing the service)."
} > "$table"
cat "$table"
if $update_docs; then bench_update_docs service "$table"; fi
