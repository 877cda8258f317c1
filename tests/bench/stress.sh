#!/usr/bin/env bash
# tests/bench/stress.sh [N] : grade the reference solutions N times (default 10) on a machine
# busier than it can serve, and print every test whose verdict was not the expected one.
# Not part of make test (it takes minutes a grading): run it after make, on a quiet machine,
# before and after a change to the harness, the peers or the tests.
#
# The load:
#   - the gradings run two at a time (tests/grader/run-lessons, every lesson, each in its sandbox);
#   - one busy loop per core runs the whole time;
#   - every other grading runs with the fault shim's delays (tests/harness/faults.c,
#     SOCKLAB_DELAYS=MS): lab programs and test peers pause at random, up to MS ms, before their
#     socket calls, as if the machine had stopped them there; MS takes the values of
#     STRESS_DELAY_MS in turn (default "3 40": short pauses often, and pauses long enough to
#     stretch a test's own timings, which 3 ms never did).
# Every test of the solutions must pass, whatever the load: a test that fails is a wrong
# verdict (a race in the harness, a peer or a test, or a deadline too tight), printed with
# its message. The last line is
#   stress: N gradings, M tests, K wrong verdicts
# Exit status 0 when K is 0, 1 otherwise, 2 when it cannot run.
#
# Environment: STRESS_DELAY_MS (the delays' bounds, default "3 40"), STRESS_LESSONS (default: all),
# STRESS_AT_ONCE (gradings side by side, default 2), STRESS_BUSY (busy loops, default: one per core).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
n=${1:-10}
[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "usage: tests/bench/stress.sh [N]" >&2; exit 2; }
read -ra delays <<<"${STRESS_DELAY_MS:-3 40}"
at_once=${STRESS_AT_ONCE:-2}
busy=${STRESS_BUSY:-$(nproc 2>/dev/null || echo 2)}
read -ra lessons <<<"${STRESS_LESSONS:-$(cd lessons && echo [0-9][0-9]-*)}"
shim=$top/build/faults/libfaults.so
[[ -x build/peers/await && -f $shim && -x build/solutions/${lessons[0]}/$(basename "$(ls starter/"${lessons[0]}"/*.c | head -1)" .c) ]] ||
  { echo "stress: build the lab first (make)" >&2; exit 2; }

work=$(mktemp -d)
busy_pids=()
stop_busy() { ((${#busy_pids[@]})) && kill "${busy_pids[@]}" 2>/dev/null; busy_pids=(); }
trap 'stop_busy; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# delay_of I: the delays' bound of grading I, in ms (0: none): the odd ones none, the even ones
# each bound of STRESS_DELAY_MS in turn.
delay_of() {
  if (($1 % 2)); then echo 0; else echo "${delays[($1 / 2 - 1) % ${#delays[@]}]}"; fi
}

# grading I: grade the solutions once (with delays when I is even), reports in $work/I/
grading() {
  local i=$1 env=(GRADE_RAW=1 GRADE_REPORTS="$work/$1" LAB_LANG=en)
  (($(delay_of "$i") > 0)) && env+=(LD_PRELOAD="$shim" SOCKLAB_DELAYS="$(delay_of "$i")")
  env "${env[@]}" tests/grader/run-lessons --key "stress-$i" build/solutions "${lessons[@]}" >"$work/$i.out" 2>&1
  echo $? >"$work/$i.rc"
}

# verdicts I: print grading I's line, and each failed test with its message; count them.
verdicts() {
  local i=$1 how=plain tap tests=0 wrong=0
  (($(delay_of "$i") > 0)) && how="delays up to $(delay_of "$i") ms"
  for tap in "$work/$i"/*.tap; do
    [[ -f $tap ]] || continue
    tests=$((tests + $(grep -cE '^(not )?ok ' "$tap")))
    wrong=$((wrong + $(grep -c '^not ok ' "$tap")))
    # the failed test and its comment lines, up to the next test (at most 25 lines each)
    awk -v g="$i" -v l="$(basename "$tap" .tap)" '
      /^(not )?ok / { keep = /^not ok /; shown = 0; if (keep) print "  WRONG grading " g " " l ": " $0; next }
      keep && /^#/ && shown++ < 25 { print "      " $0 }' "$tap" >>"$work/wrong"
  done
  if [[ $(cat "$work/$i.rc") == 2 ]]; then
    wrong=$((wrong + 1))
    printf '  WRONG grading %s: the grader could not run:\n%s\n' "$i" "$(tail -5 "$work/$i.out" | sed 's/^/      /')" >>"$work/wrong"
  fi
  printf 'grading %2d (%s): %d tests, %d wrong\n' "$i" "$how" "$tests" "$wrong"
  total_tests=$((total_tests + tests)) total_wrong=$((total_wrong + wrong))
}

echo "stress: $n gradings of the solutions (${lessons[*]}), $at_once at a time, $busy busy loops, delays of up to ${delays[*]} ms in turn in every other grading"
for ((b = 0; b < busy; b++)); do
  (while :; do :; done) &
  busy_pids+=("$!")
done
SECONDS=0 total_tests=0 total_wrong=0
: >"$work/wrong"
next=1
declare -A running=()
while ((next <= n || ${#running[@]} > 0)); do
  while ((next <= n && ${#running[@]} < at_once)); do
    grading "$next" &
    running[$next]=$!
    next=$((next + 1))
  done
  wait -n
  for i in "${!running[@]}"; do
    if ! kill -0 "${running[$i]}" 2>/dev/null; then
      wait "${running[$i]}"
      unset "running[$i]"
      verdicts "$i"
    fi
  done
done
stop_busy
rm -rf "$top/build/reports"/stress-*
echo
if [[ -s $work/wrong ]]; then
  echo "wrong verdicts (every test of the solutions should pass):"
  cat "$work/wrong"
  echo
fi
echo "stress: took ${SECONDS}s"
echo "stress: $n gradings, $total_tests tests, $total_wrong wrong verdicts"
((total_wrong == 0))
