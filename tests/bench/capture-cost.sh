#!/usr/bin/env bash
# tests/bench/capture-cost.sh [ROUNDS [LESSON...]]: what capturing the wire (issue 24) costs a
# grading. ROUNDS times (default 3), side by side in one run, make check IMPL=solutions (every
# lesson unless named: compiling, then each lesson in its sandbox), once with the capture and
# once without (SOCKLAB_CAPTURE=0), in turn: with first in odd rounds, without first in even
# ones, so that a change of the machine's load falls on both alike.
#
# Prints one line per grading: wall time, CPU time (user + system of the grading and of all it
# waited for: the compiler, sandboxes, bats, the programs, the capture), the 1-minute load
# average before and after, and whether every test passed; then the median of each and the
# ratios. The reports are make check's own (build/reports/solutions/, the last grading's). Run
# `make` first, on an otherwise idle machine. A benchmark, not a test: not part of make test.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-3}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "usage: tests/bench/capture-cost.sh [ROUNDS [LESSON...]]" >&2; exit 2; }
shift $(($# > 0 ? 1 : 0))
cd "$top" || exit 2
lessons=("$@")
if ((${#lessons[@]} == 0)); then
  for f in tests/[0-9][0-9]-*.bats; do lessons+=("$(basename "$f" .bats)"); done
fi
[[ -x build/peers/capture ]] || { echo "capture-cost.sh: run make first" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "capture-cost.sh: needs GNU time (/usr/bin/time)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

load() { cut -d' ' -f1 /proc/loadavg; }

# grade MODE: one grading, capture on (1) or off (0); prints its line, and appends
# "MODE WALL CPU" to $work/times.
grade() {
  local before after wall user sys verdict=pass
  before=$(load)
  SOCKLAB_CAPTURE=$1 LAB_LANG=en /usr/bin/time -f '%e %U %S' -o "$work/time" \
    make --no-print-directory check IMPL=solutions LESSON="${lessons[*]}" >"$work/out" 2>&1 || verdict="FAIL (see below)"
  after=$(load)
  read -r wall user sys <"$work/time"
  printf '%-12s wall %7.1f s   cpu %7.1f s   load %5s -> %-5s  %s\n' \
    "$([[ $1 == 1 ]] && echo capture || echo no\ capture)" "$wall" "$(echo "$user + $sys" | bc)" "$before" "$after" "$verdict"
  [[ $verdict == pass ]] || grep -A15 '^not ok\|^check: \|^grade: ' "$work/out" | head -40
  echo "$1 $wall $(echo "$user + $sys" | bc)" >>"$work/times"
}

echo "capture-cost: ${lessons[*]}, $rounds rounds, $(nproc) cores, load $(load)"
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2)); then grade 1; grade 0; else grade 0; grade 1; fi
done

# median MODE COLUMN: the median of a column (2 wall, 3 CPU) of the gradings in MODE
median() {
  awk -v m="$1" -v c="$2" '$1 == m { print $c }' "$work/times" | sort -n |
    awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
on_wall=$(median 1 2) off_wall=$(median 0 2) on_cpu=$(median 1 3) off_cpu=$(median 0 3)
printf 'median       capture: wall %.1f s, cpu %.1f s;  no capture: wall %.1f s, cpu %.1f s\n' \
  "$on_wall" "$on_cpu" "$off_wall" "$off_cpu"
awk -v a="$on_wall" -v b="$off_wall" -v c="$on_cpu" -v d="$off_cpu" \
  'BEGIN { printf "capture / no capture: wall %+.1f %%, cpu %+.1f %%\n", (a / b - 1) * 100, (c / d - 1) * 100 }'
