# Shared by the scripts/bench-*.sh scripts (source it, do not run it):
# a description of the machine and of a directory's file system for the
# tables, and the regeneration of a script's section of docs/performance.md.

# A new directory in $1 (named after template $2, if given), as an absolute
# path: a relative BENCH_TMP would otherwise stop meaning the same folder
# once a script changes directory.
bench_workdir() {
  local dir
  dir=$(mktemp -d -p "$1" ${2:+"$2"})
  (cd "$dir" && pwd)
}

# "2 vCPUs (AMD EPYC 7763), 23 GiB RAM, Linux 6.18.0, load average 3.1"
bench_machine() {
  local cpu mem free load
  cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
  mem=$(awk '/^MemTotal:/ { printf "%d", $2 / 1048576 + 0.5 }' /proc/meminfo)
  free=$(awk '/^MemFree:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
  load=$(cut -d' ' -f1 /proc/loadavg)
  echo "$(nproc) vCPUs (${cpu:-unknown CPU}), $mem GiB RAM ($free GiB free), Linux $(uname -r), load average $load"
}

# "ext4 on /dev/vda (discard)" for the file system that holds directory $1.
bench_fs() {
  local fstype source options discard="" kind
  read -r fstype source options < <(findmnt -n -o FSTYPE,SOURCE,OPTIONS -T "$1")
  case ",$options," in *,discard,*) discard=" (mounted with discard)" ;; esac
  kind=$(bench_fs_kind "$fstype" "$source")
  echo "${kind/%-nojournal/ (no journal)} on $source$discard"
}

# The kind of file system that holds directory $1, as a docs section key:
# "xfs", "btrfs", "ext4", or "ext4-nojournal" (an ext4 without a journal
# never waits for a journal commit on fsync, which changes what gantry's
# durable writes cost).
bench_fs_key() {
  local fstype source
  read -r fstype source < <(findmnt -n -o FSTYPE,SOURCE -T "$1")
  bench_fs_kind "$fstype" "$source"
}

# bench_fs_key for a file system of type $1 on device $2.
bench_fs_kind() {
  if [ "$1" = ext4 ] && ! compgen -G "/proc/fs/jbd2/${2##*/}-*" >/dev/null; then
    echo ext4-nojournal
  else
    echo "$1"
  fi
}

# Replaces the lines between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`
# in docs/performance.md with the contents of file $2.
bench_update_docs() {
  local name=$1 table=$2 doc
  doc="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/docs/performance.md"
  python3 - "$doc" "$name" "$table" <<'PY'
import sys
doc, name, table = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
text = open(doc).read()
if begin not in text or end not in text:
    sys.exit(f"{doc} has no {begin} … {end} section to replace")
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(doc, "w").write(f"{head}{begin}\n{table.rstrip()}\n{end}{tail}")
print(f"updated {doc}")
PY
}

# Exits with the script's usage line unless every NAME=VALUE argument's
# value is a whole number of at least 1 (a count of files, runs, MiB).
bench_counts() {
  local pair usage
  usage=$(sed -n 's/^#\( Usage:\)\{0,1\} *\(scripts\/bench-[a-z]*\.sh .*\)/\2/p' "$0" | head -n1)
  for pair in "$@"; do
    case "${pair#*=}" in
      '' | *[!0-9]* | 0 | 0*)
        echo "${0##*/}: ${pair%%=*} must be a whole number of at least 1, not '${pair#*=}'" >&2
        echo "usage: $usage" >&2
        exit 2
        ;;
    esac
  done
}
