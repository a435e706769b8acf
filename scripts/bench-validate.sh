#!/usr/bin/env bash
# Times `gantry validate` over many generated AppSpec files (release build).
#
# Usage: scripts/bench-validate.sh [--update-docs] [COUNT] [RUNS]   (defaults: 10000 files, 5 runs)
#
# Generates COUNT AppSpec files in a temp dir (70% EC2/On-Premises with files,
# permissions and hooks, 15% ECS, 15% Lambda; every 10th file carries one
# error), then runs `gantry validate --format json *.yml` RUNS times in that
# directory and prints each wall time and the best. All files go to one
# invocation, which checks them in parallel on every core. --update-docs puts
# the table into docs/performance.md.
set -euo pipefail
update_docs=false
if [ "${1:-}" = --update-docs ]; then update_docs=true; shift; fi

count=${1:-10000}
runs=${2:-5}
root=$(cd "$(dirname "$0")/.." && pwd)

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/gantry"
source "$root/scripts/bench-lib.sh"
bench_counts COUNT="$count" RUNS="$runs"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

server() {
  cat <<YAML
version: 0.0
os: linux
files:
  - source: app/build-$1
    destination: /srv/app-$1
  - source: config/app.conf
    destination: /etc/app-$1
permissions:
  - object: /srv/app-$1
    pattern: "**"
    except: [cache]
    owner: app
    group: app
    mode: $2
    type: [file, directory]
  - object: /etc/app-$1
    acls: ["u:app:rw", "d:g:ops:r-x"]
    context: {name: system_u, type: httpd_sys_content_t, range: s0-s0:c0.c10}
hooks:
  ApplicationStop:
    - location: scripts/stop.sh
      timeout: 60
  BeforeInstall:
    - location: scripts/install_dependencies.sh
      timeout: 300
      runas: root
  AfterInstall:
    - location: scripts/migrate.sh
      timeout: 600
  ApplicationStart:
    - location: scripts/start.sh
      timeout: 120
  ValidateService:
    - location: scripts/check.sh
      timeout: 60
YAML
}

ecs() {
  cat <<YAML
version: 0.0
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: "arn:aws:ecs:us-east-1:111222333444:task-definition/app-$1:$1"
        LoadBalancerInfo:
          ContainerName: "web"
          ContainerPort: 8080
        PlatformVersion: "LATEST"
        NetworkConfiguration:
          AwsvpcConfiguration:
            Subnets: ["subnet-1234abcd", "subnet-5678abcd"]
            SecurityGroups: ["sg-12345678"]
            AssignPublicIp: "DISABLED"
Hooks:
  - BeforeInstall: "check-before-install-$1"
  - AfterAllowTestTraffic: "smoke-test-$1"
  - AfterAllowTraffic: "verify-$1"
YAML
}

lambda() {
  cat <<YAML
version: 0.0
Resources:
  - fn$1:
      Type: AWS::Lambda::Function
      Properties:
        Name: "fn-$1"
        Alias: "live"
        CurrentVersion: "$1"
        TargetVersion: "$(($1 + 1))"
Hooks:
  - BeforeAllowTraffic: "pre-traffic-$1"
  - AfterAllowTraffic: "post-traffic-$1"
YAML
}

for ((i = 1; i <= count; i++)); do
  mode='"0644"'
  ((i % 10 == 0)) && mode=0644 # one error in every 10th file (E034)
  case $((i % 20)) in
    0 | 1 | 2) ecs "$i" ;;
    3 | 4 | 5) lambda "$i" ;;
    *) server "$i" "$mode" ;;
  esac >"$dir/appspec-$i.yml"
done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "files:   $count AppSpec files, $(du -sh "$dir" | cut -f1)"
echo "command: cd \$TMP && gantry validate --format json appspec-*.yml >/dev/null"
best= all=() cpu=() rss=()
cd "$dir"
for ((r = 1; r <= runs; r++)); do
  start=$(date +%s%N)
  /usr/bin/time -f '%U %S %M' -o "$dir/time.txt" "$bin" validate --format json appspec-*.yml >/dev/null || true
  ms=$((($(date +%s%N) - start) / 1000000))
  read -r user sys kib < <(tail -n 1 "$dir/time.txt")
  echo "run $r:   ${ms} ms (CPU $(echo "($user + $sys) * 1000 / 1" | bc) ms, peak RSS $((kib / 1024)) MiB)"
  all+=("$ms") cpu+=("$(echo "($user + $sys) * 1000 / 1" | bc)") rss+=("$((kib / 1024))")
  if [[ -z $best || $ms -lt $best ]]; then best=$ms; fi
done
echo "best:    ${best} ms"
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
{
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(bench_machine); \`scripts/bench-validate.sh $count $runs\`."
  echo
  echo "| $count AppSpec files, one \`gantry validate\` | best | median | CPU (median) | peak RSS |"
  echo "| --- | --- | --- | --- | --- |"
  echo "| wall time | **${best} ms** | $(median "${all[@]}") ms | $(median "${cpu[@]}") ms | $(median "${rss[@]}") MiB |"
} > "$dir/table.md"
echo; cat "$dir/table.md"
if $update_docs; then bench_update_docs validate "$dir/table.md"; fi
