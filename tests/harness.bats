#!/usr/bin/env bats
# The harness's own promises, checked by make test (tests/selftest), not by make check:
# a hung program fails within its timeout and the run goes on; a program that does not
# compile fails with the compiler's words and the other lessons are still graded; two
# runs at once both pass; no process outlives a run.

setup() {
  bats_require_minimum_version 1.5.0
  bats_load_library bats-support
  bats_load_library bats-assert
  top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
  impl="$BATS_TEST_TMPDIR/student"
  # the lessons make test was asked for (all of them by default)
  read -ra lessons <<<"${LESSONS_UNDER_TEST:-$(cd "$top/lessons" && echo [0-9][0-9]-*)}"
}

teardown() {
  # a student copy is built under build/impl<path>; do not leave it behind
  rm -rf "$top/build/impl$(tr / _ <<<"$impl")" "$top/build/impl$(tr / _ <<<"$impl")"-san
  rm -rf "$top/build/$("$top/tests/impl-key" "$impl")" # where make check publishes it
}

# no_process_left RUN_ID: no process still carries SOCKLAB_RUN_ID=RUN_ID in its environment.
# Every process a run starts inherits the variable; other runs on the machine have their own.
no_process_left() {
  local left
  left=$(grep -lzx "SOCKLAB_RUN_ID=$1" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 || true)
  [[ -z $left ]] || fail "processes left behind by the run: $(ps -o pid=,args= -p "${left//$'\n'/,}")"
}

@test "a program that never exits fails every test within its timeout, with a message, and leaves no process" {
  mkdir -p "$impl/01-socket"
  cat >"$impl/01-socket/sockets.c" <<'EOF'
#include <signal.h>
#include <unistd.h>
int main(void) { signal(SIGTERM, SIG_IGN); for (;;) pause(); }
EOF
  SECONDS=0
  run env SOCKLAB_RUN_ID="hung-$BATS_ROOT_PID" PROG_TIMEOUT=1 READY_MS=1500 make -C "$top" --no-print-directory check IMPL="$impl" LESSON=01
  elapsed=$SECONDS
  assert_failure
  assert_output --partial "did not finish within 1s"
  assert_regex "$output" "01-socket +0 / [1-9][0-9]* +FAIL"
  hung=$(sed -n 's/.*01-socket *0 \/ \([0-9]*\).*/\1/p' <<<"$output")
  # each hung test should end about 1 s (its timeout) + 2 s (the kill) after it starts; a harness
  # that let a hung program hold its test until bats' own limit would take 60 s a test
  ((elapsed < hung * 12)) || fail "$hung hung tests took ${elapsed}s; each should end within a few seconds, far below bats' 60 s"
  no_process_left "hung-$BATS_ROOT_PID"
}

@test "a lesson that does not compile fails with the compiler's message; the next lesson is still graded" {
  ((${#lessons[@]} >= 2)) || skip "needs two lessons"
  mkdir -p "$impl/${lessons[0]}"
  cp -r "$top/solutions/${lessons[1]}" "$impl/"
  for f in "$top/starter/${lessons[0]}"/*.c; do
    printf 'int main(void) { return undeclared_thing; }\n' >"$impl/${lessons[0]}/$(basename "$f")"
  done
  run make -C "$top" --no-print-directory check IMPL="$impl" LESSON="${lessons[0]} ${lessons[1]}"
  assert_failure
  assert_output --partial "did not compile"
  assert_output --partial "undeclared_thing"
  assert_regex "$output" "${lessons[0]} +0 / [1-9][0-9]* +FAIL"
  assert_regex "$output" "${lessons[1]} +([0-9]+) / \\1 +PASS"
}

@test "two make check of one fresh copy at the same time both build it, both pass, and no test process is left" {
  # a copy of solutions/ that nothing has built yet: both runs compile it at once, grade it
  # and write its reports (two lessons are enough: step 2 already ran every lesson)
  local pair=("${lessons[@]:0:2}")
  mkdir -p "$impl"
  for lesson in "${pair[@]}"; do cp -r "$top/solutions/$lesson" "$impl/"; done
  for run in a b; do
    (
      rc=0
      SOCKLAB_RUN_ID="parallel-$BATS_ROOT_PID" make -C "$top" --no-print-directory check IMPL="$impl" \
        LESSON="${pair[*]}" >"$BATS_TEST_TMPDIR/$run.out" 2>&1 || rc=$?
      echo "$rc" >"$BATS_TEST_TMPDIR/$run.rc"
    ) 3>&- &
  done
  wait
  for run in a b; do
    [[ $(cat "$BATS_TEST_TMPDIR/$run.rc") == 0 ]] ||
      fail "run $run failed (exit $(cat "$BATS_TEST_TMPDIR/$run.rc")) while another ran: $(grep -A15 '^not ok' "$BATS_TEST_TMPDIR/$run.out" | head -60)
its last lines: $(tail -15 "$BATS_TEST_TMPDIR/$run.out")"
  done
  no_process_left "parallel-$BATS_ROOT_PID"
}
