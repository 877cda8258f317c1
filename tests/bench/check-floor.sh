#!/usr/bin/env bash
# tests/bench/check-floor.sh [ROUNDS]: where make check's time goes. How long the lab's tests
# take on the reference solutions, beside how long the same number of tests takes when they
# do nothing: the cost of the test runner before any test does its work.
#
# In one run, ROUNDS times (default 2), one after another, tests/grader/run-lessons grades the reference
# solutions (build/solutions/) with:
#   lab      the lab's tests, tests/NN-name.bats, as make check runs them
#   harness  as many tests per lesson, each loading tests/harness/test_helper.bash and calling
#            lab_teardown, as every lab test does, and doing nothing else
#   bats     as many tests per lesson, empty: no setup, no teardown
# All three go through the same tests/grader/run-lessons: each lesson in its sandbox, GRADE_JOBS lessons
# at once, the same BATS_TEST_TIMEOUT. Compiling is not counted (make check compiles first).
#
# Prints each round's wall time and busy CPU time of each, then the best round of each and
# the CPU time per test; last, the empty tests once more with 1 to 4 lessons at a time
# (GRADE_JOBS), for the shortest time the runner alone can take here. Busy CPU time is the
# whole machine's (/proc/stat: user, nice, system, irq, softirq), so the sandboxed processes
# count too: run it on an otherwise idle machine.
# It builds nothing: run `make` first. It is a benchmark, not a test: not part of make test.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-2}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "usage: tests/bench/check-floor.sh [ROUNDS]" >&2; exit 2; }
for need in "$top/build/solutions" "$top/build/peers/confine"; do
  [[ -e $need ]] || { echo "check-floor.sh: $need is missing: run make first" >&2; exit 2; }
done
cd "$top"
lessons=()
for f in tests/[0-9][0-9]-*.bats; do lessons+=("$(basename "$f" .bats)"); done

# The two floor labs: the lab's tests/ and lessons/, whose lesson test files are replaced
# by do-nothing tests, one for each of the lab's tests. Under build/, where the sandbox
# reaches (a folder under /tmp is hidden by the sandbox's own /tmp).
work=$(mktemp -d "$top/build/.bench-floor-XXXXXX")
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

# floor_lab DIR KIND: a copy of the lab in DIR whose tests do nothing (KIND harness or bats).
floor_lab() {
  local dir=$1 kind=$2 lesson n i
  mkdir -p "$dir/build"
  cp -r tests lessons "$dir/"
  ln -s "$top/build/peers" "$dir/build/peers"
  for lesson in "${lessons[@]}"; do
    n=$(grep -c '^@test ' "tests/$lesson.bats")
    {
      if [[ $kind == harness ]]; then
        echo 'setup() { load test_helper; }'
        echo 'teardown() { lab_teardown; }'
      fi
      for ((i = 1; i <= n; i++)); do
        echo '# bats test_tags=points:1'
        echo "@test \"does nothing $i\" { :; }"
      done
    } >"$dir/tests/$lesson.bats"
  done
}
floor_lab "$work/harness" harness
floor_lab "$work/bats" bats
tests_total=$(cat tests/[0-9][0-9]-*.bats | grep -c '^@test ')

busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
ticks=$(getconf CLK_TCK)

# measure KIND LAB_DIR [GRADE_JOBS]: grade the solutions with LAB_DIR's tests; set WALL_MS and CPU_MS.
measure() {
  local kind=$1 lab=$2 jobs=${3:-${GRADE_JOBS:-}} t0 t1 c0 c1 status=0
  c0=$(busy_ticks) t0=$(date +%s%N)
  GRADE_JOBS=$jobs GRADE_REPORTS="$work/reports-$kind" GRADE_RAW=1 "$lab/tests/grader/run-lessons" --key "bench-$kind" \
    "$top/build/solutions" "${lessons[@]}" >"$work/$kind.out" 2>&1 || status=$?
  t1=$(date +%s%N) c1=$(busy_ticks)
  if ((status != 0)); then
    echo "check-floor.sh: the $kind run did not pass every test (status $status):" >&2
    tail -15 "$work/$kind.out" >&2
    exit 1
  fi
  WALL_MS=$(((t1 - t0) / 1000000)) CPU_MS=$(((c1 - c0) * 1000 / ticks))
}

secs() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }

declare -A best_wall best_cpu
kinds=(lab harness bats)
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
echo "each run: tests/grader/run-lessons, the reference solutions, ${#lessons[@]} lessons, $tests_total tests"
for ((r = 1; r <= rounds; r++)); do
  line="round $r:"
  for kind in "${kinds[@]}"; do
    if [[ $kind == lab ]]; then measure lab "$top"; else measure "$kind" "$work/$kind"; fi
    line+="  $kind $(secs "$WALL_MS") s ($(secs "$CPU_MS") CPU-s)"
    if [[ -z ${best_wall[$kind]:-} ]] || ((WALL_MS < best_wall[$kind])); then
      best_wall[$kind]=$WALL_MS best_cpu[$kind]=$CPU_MS
    fi
  done
  echo "$line"
done
echo
echo "best round of each (busy CPU time of that round):"
printf '  %-36s %8s %12s %14s\n' "" wall "busy CPU" "CPU per test"
declare -A label=([lab]="lab: the lab's tests" [harness]="harness: tests that do nothing"
  [bats]="bats: empty tests")
for kind in "${kinds[@]}"; do
  printf '  %-36s %6s s %10s s %11d ms\n' "${label[$kind]}" "$(secs "${best_wall[$kind]}")" \
    "$(secs "${best_cpu[$kind]}")" $((best_cpu[$kind] / tests_total))
done
echo
line="bats: empty tests, by lessons at a time (GRADE_JOBS):"
for jobs in 1 2 3 4; do
  measure bats "$work/bats" "$jobs"
  line+="  $jobs: $(secs "$WALL_MS") s ($(secs "$CPU_MS") CPU-s)"
done
echo "$line"
