#!/usr/bin/env bats
# A grader that cannot be fooled, checked by make test (tests/selftest/run), not by make check.
# Each test grades small fixture submissions (tests/selftest/fixtures/untrusted/) with make check, as an
# instructor would, and checks the verdict, that the lab's files are unchanged and that no
# process of the grading is left. To stay fast, each grading runs one test of lesson 01 (one
# of lesson 03 for the fake message). The promises that need the sandbox (tests/grader/run-lessons: bwrap)
# or another user for the programs (the grader is root) are skipped where they cannot hold.

setup_file() {
  top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
  export LAB_SUM_BEFORE
  LAB_SUM_BEFORE=$(lab_sum)
}

setup() {
  bats_require_minimum_version 1.5.0
  bats_load_library bats-support
  bats_load_library bats-assert
  top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
  run_id="hostile-$BATS_ROOT_PID-$BATS_TEST_NUMBER"
  copies=()
}

teardown() {
  local copy pid
  [[ -z ${class:-} ]] || rm -rf "$class"
  for copy in "${copies[@]}"; do rm -rf "$top/build/$("$top/tests/grader/copy-key" "$copy")"; done
  # a failed test leaves nothing running either
  for pid in $(grep -lzx "SOCKLAB_RUN_ID=$run_id" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3); do
    kill -KILL "$pid" 2>/dev/null || true
  done
}

# lab_sum: one checksum of every file of the lab but build/ and .git.
lab_sum() {
  (cd "$top" && find . \( -path ./build -o -path ./.git \) -prune -o -type f -print0 |
    LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum
}

# lab_unchanged: the lab's files are those of before the first grading, and nothing was
# written beside them.
lab_unchanged() {
  [[ $(lab_sum) == "$LAB_SUM_BEFORE" ]] || fail "the lab's files changed: $(cd "$top" && git status --short | head)"
  local f
  for f in "$top/socklab-hostile-was-here" "$top/../socklab-hostile-was-here" "$top/build/socklab-hostile-was-here"; do
    [[ ! -e $f ]] || fail "a submission wrote $f"
  done
}

# no_process_left: no process carries this test's SOCKLAB_RUN_ID any more.
no_process_left() {
  local left
  left=$(grep -lzx "SOCKLAB_RUN_ID=$run_id" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 || true)
  [[ -z $left ]] || fail "processes left behind by the grading: $(ps -o pid=,args= -p "${left//$'\n'/,}")"
}

# needs_sandbox: skip where bwrap cannot make the lessons' namespaces (tests/grader/run-lessons then says
# so and runs the programs with limits only), or where the programs cannot run as another
# user (the grader is not root): the fallback keeps no such promise.
needs_sandbox() {
  bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --unshare-pid --unshare-net --unshare-ipc \
    --die-with-parent -- true 2>/dev/null || skip "no sandbox on this machine (bwrap cannot make namespaces)"
  ((EUID == 0)) || skip "the grader is not root: lab programs run as its own user"
}

# make_copy FIXTURE[,FIXTURE...] DIR [BASE]: a copy of lesson 01 in DIR whose sockets runs
# tests/selftest/fixtures/untrusted/FIXTURE.c (each, in order) first, then the main of BASE (solutions, or
# starter). FIXTURE "solution" or "starter": those files as they are.
make_copy() {
  mkdir -p "$2/01-socket"
  copies+=("$2")
  case $1 in
    solution) cp "$top/solutions/01-socket/sockets.c" "$2/01-socket/" ;;
    starter) cp "$top/starter/01-socket/sockets.c" "$2/01-socket/" ;;
    *)
      local fixture calls=
      # the files' text, not #include lines: the compiler sees nothing but the copy's folder
      {
        echo "/* hostile fixture $1: ${3:-solutions}' sockets.c, with tests/selftest/fixtures/untrusted/{$1}.c run first */"
        echo "#define main solution_main"
        cat "$top/${3:-solutions}/01-socket/sockets.c"
        echo "#undef main"
        for fixture in ${1//,/ }; do
          echo "#define hostile hostile_$fixture"
          cat "$top/tests/selftest/fixtures/untrusted/$fixture.c"
          echo "#undef hostile"
          calls+="hostile_$fixture(); "
        done
        echo "int main(int argc, char **argv) { $calls return solution_main(argc, argv); }"
      } >"$2/01-socket/sockets.c"
      ;;
  esac
}

# grade COPY [LESSON FILTER]: make check IMPL=COPY on one test; sets status, output, elapsed.
grade() {
  local lesson=${2:-01} filter=${3:-'^each.reported.fd.is.a.socket'}
  SECONDS=0
  run env SOCKLAB_RUN_ID="$run_id" PROG_TIMEOUT="${PROG_TIMEOUT:-5}" SPAWN_TIMEOUT="${SPAWN_TIMEOUT:-}" READY_MS="${READY_MS:-4000}" BATS_FLAGS="--filter $filter" \
    make -C "$top" --no-print-directory check IMPL="$1" LESSON="$lesson"
  elapsed=$SECONDS
}

# verdict LESSON PASSED TOTAL: the scoreboard's row for LESSON says PASSED / TOTAL.
verdict() {
  local word=FAIL
  (($2 == $3)) && word=PASS
  assert_regex "$output" "$1[a-z-]* +$2 / $3 +$word"
  if [[ $word == PASS ]]; then assert_success; else assert_failure; fi
}

@test "a submission that rewrites the test files or writes into the lab changes nothing" {
  needs_sandbox
  make_copy rewrite_tests,write_repo "$BATS_TEST_TMPDIR/rewrite"
  grade "$BATS_TEST_TMPDIR/rewrite"
  verdict 01 1 1 # its program is right; its attacks did nothing
  lab_unchanged
  no_process_left
}

@test "daemons, new sessions and a port squatter are gone when the grading ends; the next grading passes" {
  needs_sandbox
  make_copy daemonise,setsid,squat_ports "$BATS_TEST_TMPDIR/daemons"
  grade "$BATS_TEST_TMPDIR/daemons"
  verdict 01 1 1
  no_process_left
  # a copy in a folder with a space in its name, graded after the squatter; and one with
  # quotes, Chinese characters and a leading dash
  make_copy solution "$BATS_TEST_TMPDIR/Li Lei"
  grade "$BATS_TEST_TMPDIR/Li Lei"
  verdict 01 1 1
  make_copy solution "$BATS_TEST_TMPDIR/-李雷 'q\"x"
  grade "$BATS_TEST_TMPDIR/-李雷 'q\"x"
  verdict 01 1 1
  refute_output --partial "no free port"
  lab_unchanged
}

@test "a program that kills its parent timeout still ends with its test, reported as timed out" {
  needs_sandbox
  make_copy kill_timeout "$BATS_TEST_TMPDIR/killer"
  # it ignores SIGTERM, so its time limit (a program in the background: SPAWN_TIMEOUT) ends it
  # 2 + 2 s after it starts (SIGKILL follows SIGTERM 2 s later): the wait for its line must
  # outlast that, or the two race
  SPAWN_TIMEOUT=2 READY_MS=20000 grade "$BATS_TEST_TMPDIR/killer"
  verdict 01 0 1
  assert_output --partial "did not finish within 2s"
  # ended by its own time limit, not by bats' (BATS_TEST_TIMEOUT): how long the whole grading
  # took says nothing on a loaded machine
  refute_output --partial "timeout after"
  no_process_left
}

@test "stdout is read up to 1 MiB; a flood fails its test naming the file size limit" {
  make_copy flood_stdout "$BATS_TEST_TMPDIR/flood"
  grade "$BATS_TEST_TMPDIR/flood"
  verdict 01 0 1
  assert_output --partial "file size limit"
  no_process_left
}

@test "a program that writes passing lines into every descriptor it finds in /proc fools nobody" {
  needs_sandbox
  make_copy forge_results "$BATS_TEST_TMPDIR/forge" starter
  grade "$BATS_TEST_TMPDIR/forge"
  verdict 01 0 1
  lab_unchanged
  no_process_left
}

@test "a program that needs 200 processes or 2 GiB fails, and the message names the limit" {
  needs_sandbox
  make_copy fork_sleepers "$BATS_TEST_TMPDIR/forks"
  grade "$BATS_TEST_TMPDIR/forks"
  verdict 01 0 1
  assert_output --partial "a limit of 64 processes"
  no_process_left
  make_copy alloc_2gib "$BATS_TEST_TMPDIR/alloc"
  grade "$BATS_TEST_TMPDIR/alloc"
  verdict 01 0 1
  assert_output --partial "memory limit"
  no_process_left
}

@test "a chat that prints the port-in-use message without binding fails the default-port test" {
  copy="$BATS_TEST_TMPDIR/fake"
  copies+=("$copy")
  mkdir -p "$copy/03-udp-chat"
  cp "$top/tests/selftest/fixtures/untrusted/fake_port_message.c" "$copy/03-udp-chat/udp_menu_chat.c"
  cp "$top/solutions/03-udp-chat/udp_chat.c" "$copy/03-udp-chat/"
  grade "$copy" 03 '^without.PORT.the.menu.chat'
  verdict 03 0 1
  refute_output --partial "skip"
}

@test "a resubmission with old timestamps is built afresh; a deleted source fails with a clear message" {
  copy="$BATS_TEST_TMPDIR/resubmit"
  make_copy starter "$copy"
  grade "$copy"
  verdict 01 0 1
  cp "$top/solutions/01-socket/sockets.c" "$copy/01-socket/sockets.c"
  touch -d '2001-01-01 00:00' "$copy/01-socket/sockets.c" # as unzip leaves it: older than the last build
  grade "$copy"
  verdict 01 1 1
  rm "$copy/01-socket/sockets.c"
  grade "$copy"
  verdict 01 0 1
  assert_output --partial "01-socket/sockets.c is missing from"
}

@test "copies whose names look alike once cleaned (/x/a_b, /x_a/b) are graded apart" {
  make_copy solution "$BATS_TEST_TMPDIR/x/a_b"
  make_copy starter "$BATS_TEST_TMPDIR/x_a/b"
  grade "$BATS_TEST_TMPDIR/x/a_b"
  verdict 01 1 1
  grade "$BATS_TEST_TMPDIR/x_a/b"
  verdict 01 0 1
  grade "$BATS_TEST_TMPDIR/x/a_b"
  verdict 01 1 1
}

@test "a lab kept in a folder others may not enter still runs student programs as the lesson's user" {
  needs_sandbox
  # a clone in a mktemp -d folder (0700), as a maintainer's clean-clone check makes it
  local lab="$BATS_TEST_TMPDIR/locked/socklab"
  mkdir -p "$lab" && chmod 700 "$BATS_TEST_TMPDIR/locked" "$lab"
  cp -r "$top/Makefile" "$top/lessons" "$top/starter" "$top/solutions" "$top/tests" "$lab/"
  run make -C "$lab" --no-print-directory peers
  assert_success
  make_copy forge_results "$BATS_TEST_TMPDIR/forge" starter
  run env SOCKLAB_RUN_ID="$run_id" PROG_TIMEOUT=5 READY_MS=4000 BATS_FLAGS="--filter ^each.reported.fd.is.a.socket" \
    make -C "$lab" --no-print-directory check IMPL="$BATS_TEST_TMPDIR/forge" LESSON=01
  refute_output --partial "cannot reach"
  verdict 01 0 1
  no_process_left
}

@test "a program sees nothing but its own lesson: not the solutions, the rest of build/, another student's copy or a home folder" {
  needs_sandbox
  # mallory's copy sits beside alice's, as in make grade's SUBMISSIONS, outside /tmp (which the
  # sandbox has of its own): in build/, which the grading's own files are in too
  class=$top/build/.untrusted-class-$BATS_ROOT_PID-$BATS_TEST_NUMBER
  mkdir -p "$class/alice/01-socket"
  printf '/* alice: ALICE-SECRET */\nint s = socket(AF_INET, SOCK_STREAM, 0);\n' >"$class/alice/01-socket/sockets.c"
  make_copy read_other_files "$class/mallory"
  grade "$class/mallory"
  verdict 01 0 1 # it prints what it looked at and exits 1: its failure message shows it all
  # it looked everywhere (its paths were right) and found nothing: the message carries no file
  for what in "the solutions" "the rest of build/" "another copy" "a home folder"; do
    assert_output --partial "LOOKED $what: nothing"
  done
  refute_output --partial "FOUND"
  refute_output --partial "ALICE-SECRET"
  lab_unchanged
  no_process_left
}
