#!/usr/bin/env bats
# The harness's own promises, checked by make test (tests/selftest/run), not by make check:
# a hung program fails within its timeout and the run goes on; a program that does not
# compile fails with the compiler's words and the other lessons are still graded; two
# runs at once both pass; no process outlives a run.

setup() {
  bats_require_minimum_version 1.5.0
  bats_load_library bats-support
  bats_load_library bats-assert
  top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
  impl="$BATS_TEST_TMPDIR/student"
  # the lessons make test was asked for (all of them by default)
  read -ra lessons <<<"${LESSONS_UNDER_TEST:-$(cd "$top/lessons" && echo [0-9][0-9]-*)}"
}

teardown() {
  # a student copy is built under build/impl<path>; do not leave it behind
  rm -rf "$top/build/impl$(tr / _ <<<"$impl")" "$top/build/impl$(tr / _ <<<"$impl")"-san
  rm -rf "$top/build/$("$top/tests/grader/copy-key" "$impl")" # where make check publishes it
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

@test "await finds the line of a program that printed it and exited between two of its looks" {
  # The race of a check-then-act wait: await looks at the file (nothing yet), the program prints
  # its line and exits, await sees it gone. SOCKLAB_AWAIT_RACE widens that window as far as it
  # goes: after its first look await writes "paused" to the marker and waits for the exit.
  local peers=$top/build/peers file=$BATS_TEST_TMPDIR/out marker=$BATS_TEST_TMPDIR/marker
  : >"$file"
  # the program: once await has looked and found nothing, it prints its line and exits at once
  ("$peers/await" line "$marker" '^paused$' --ms 10000 && echo 'ready: 1 sockets open' >>"$file") &
  run env SOCKLAB_AWAIT_RACE="$marker" "$peers/await" line "$file" '^ready: 1 sockets open$' --pid "$!" --ms 10000
  wait
  [[ -s $marker ]] || fail "await never paused: the test did not widen the window it tests"
  ((status == 0)) || fail "await returned $status (3: 'the process exited first'), though the line was in the file before the process ended"
  # and when the program really exits without its line, await still says so (status 3)
  : >"$file"
  rm -f "$marker"
  ("$peers/await" line "$marker" '^paused$' --ms 10000) &
  run env SOCKLAB_AWAIT_RACE="$marker" "$peers/await" line "$file" '^ready' --pid "$!" --ms 10000
  wait
  assert_equal "$status" 3
}

@test "the compile rule: a program with warnings is graded all the same and its warnings are shown; another .c file is left out, saying why" {
  mkdir -p "$impl/01-socket"
  # an unused variable: a warning, not an error (README.md, "How your work is graded")
  sed 's/^int main(/static int unused_helper(void) { int unused_x; return 0; }\nint main(/' \
    "$top/solutions/01-socket/sockets.c" >"$impl/01-socket/sockets.c"
  printf 'int helper(void) { return 1; }\n' >"$impl/01-socket/helpers.c"
  run make -C "$top" --no-print-directory check IMPL="$impl" LESSON=01 BATS_FLAGS="--filter ^a.tcp.socket.is"
  assert_success
  assert_regex "$output" "01-socket +1 / 1 +PASS +[0-9]+ / [0-9]+"
  # the warnings are shown with the lesson's results, named as the student knows the file
  assert_output --partial "01-socket/sockets.c:"
  assert_output --partial "warning: unused variable ‘unused_x’"
  assert_output --partial "01-socket: helpers.c not compiled: each program of a lesson is one file of its own"
  # ... and kept in the reports make grade, the log and JUnit read
  reports=$top/build/reports/$("$top/tests/grader/copy-key" "$impl")
  grep -q "warning: unused variable" "$reports/01-socket.log"
  sed -n '/<system-err>/,/<\/system-err>/p' "$reports/01-socket.junit.xml" | grep -q "warning: unused variable" ||
    fail "the JUnit report has no system-err with the warnings: $(cat "$reports/01-socket.junit.xml")"
  # a program that needs the left-out file does not link, and its failure says why
  sed 's/^int main(/int helper(void);\nint main(/' "$top/solutions/01-socket/sockets.c" |
    awk '{ print } /^int main\(/ && !done { getline; print; print "    if (argc < 0) return helper();"; done = 1 }' >"$impl/01-socket/sockets.c"
  run make -C "$top" --no-print-directory check IMPL="$impl" LESSON=01 BATS_FLAGS="--filter ^a.tcp.socket.is"
  assert_failure
  assert_output --partial "did not compile"
  assert_output --partial "undefined reference to \`helper'"
  assert_output --partial "note: 01-socket: helpers.c not compiled: each program of a lesson is one file of its own"
}

@test "a failure message flooded by a program's output is cut in the reports: at most 400 lines kept, the rest counted" {
  # a mutant that prints "server: accept: Too many open files" in a loop once made a 1 MiB
  # failure message, a report of megabytes and 25 s of awk for one test
  {
    echo "1..2"
    echo "not ok 1 floods"
    for ((i = 0; i < 30000; i++)); do echo "# server: accept: Too many open files"; done
    echo "ok 2 quiet"
  } >"$BATS_TEST_TMPDIR/tap"
  printf '04-tcp\t1\tpoints:1\tfloods\n04-tcp\t1\tpoints:1\tquiet\n' >"$BATS_TEST_TMPDIR/points"
  cd "$BATS_TEST_TMPDIR"
  run awk -F'\t' -v lesson=04-tcp -v filters= -v notesfile= -v too_long=0 -v budget=600 \
    -v tapfile=out.tap -v junitfile=out.xml -v rowfile=out.row -f "$top/tests/grader/reports.awk" points tap
  assert_success
  assert_equal "$(cat out.row)" "04-tcp 1 2 1 2 fail 0"
  assert_equal "$(grep -c '^# server: accept' out.tap)" 400
  assert_equal "$(sed -n '/^not ok 1 floods/,/^ok 2/p' out.tap | tail -2 | head -1)" "# ... 29600 more lines of this message not shown"
  assert_equal "$(tail -1 out.tap)" "ok 2 quiet"
  grep -q '29600 more lines of this message not shown</failure>' out.xml || fail "the JUnit failure does not say what was cut: $(tail -c 300 out.xml)"
  (($(stat -c %s out.xml) < 40000)) || fail "the JUnit report has $(stat -c %s out.xml) bytes"
}
