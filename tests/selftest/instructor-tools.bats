#!/usr/bin/env bats
# The instructor's tools, checked by make test (tests/selftest/run), not by make check:
# points, make grade on a small class, the grader's budget and exit status, make dist, and the
# classroom configurations generated from the points.

setup() {
  bats_require_minimum_version 1.5.0
  bats_load_library bats-support
  bats_load_library bats-assert
  top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
}

teardown() {
  # copies graded here are built under build/; do not leave them behind
  local link key
  for link in "$top"/build/class-copies/*; do
    [[ $(readlink "$link") == "$BATS_TEST_TMPDIR"/* ]] || continue
    key=$(basename "$link")
    rm -rf "$top/build/reports/$key" "$top/build/impl$(tr / _ <<<"$top/build/class-copies/$key")" \
      "$top/build/$("$top/tests/grader/copy-key" "$top/build/class-copies/$key")" "$link"
  done
  rm -rf "$top/build/reports/handout-test-$BATS_ROOT_PID"
}

# lesson01_copy DIR [SED-SCRIPT]: DIR/01-socket/sockets.c, the reference solution changed by SED-SCRIPT.
lesson01_copy() {
  mkdir -p "$1/01-socket"
  sed -e "${2:-}" "$top/solutions/01-socket/sockets.c" >"$1/01-socket/sockets.c"
}

# lesson01_skips: lesson 01 skips tests on this machine (no ::1, or no unshare -rn), so its
# points differ from the ones the fixture class expects.
lesson01_skips() {
  ! grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null || [[ -n $(unshare -rn cat /proc/net/if_inet6 2>/dev/null || echo no) ]]
}

# grade_class OUT ARGS...: make grade of $class, lesson 01, into $BATS_TEST_TMPDIR/OUT, with a
# cache of this test's own (each copy is graded here, not reused from an earlier make test);
# sets status and output. A loaded machine (make test runs alongside other work) must not cost
# a copy points: programs get 20 s instead of 10 before they count as hung.
grade_class() {
  local out=$1
  shift
  run env PROG_TIMEOUT=20 make -C "$top" --no-print-directory grade SUBMISSIONS="$class" GRADES="$BATS_TEST_TMPDIR/$out" \
    GRADE_CACHE="$BATS_TEST_TMPDIR/cache" LESSON=01 "$@"
}

# solution_lines_in DIR: print "FILE: LINE" for every line under DIR that is a line of
# solutions/*/*.c (40 characters or more, blanks around it ignored, a patch's leading - or +
# too) that neither a starter file nor a test peer holds (a peer may open a socket with the
# same words): the reference code a handout must not give away.
solution_lines_in() {
  perl -e '
    my ($top, $dir) = @ARGV;
    sub trim { my $s = shift; $s =~ s/^\s+|\s+$//g; $s }
    my (%starter, %secret);
    for my $f (glob "$top/starter/*/*.c $top/tests/harness/peers/*.c $top/tests/faults/*.c") { open my $fh, "<", $f or die "$f: $!"; $starter{trim($_)} = 1 while <$fh> }
    for my $f (glob "$top/solutions/*/*.c") {
      open my $fh, "<", $f or die "$f: $!";
      while (<$fh>) { my $t = trim($_); $secret{$t} = 1 if length($t) >= 40 && !$starter{$t} }
    }
    die "no solution lines found under $top/solutions\n" unless %secret;
    for my $f (split /\0/, `find "$dir" -type f -print0`) {
      open my $fh, "<", $f or next;
      while (<$fh>) { my $t = trim($_); (my $u = $t) =~ s/^[-+]//; print "$f: $t\n" if $secret{$t} || $secret{trim($u)} }
    }' "$top" "$1"
}

@test "every test but starter-provides ones carries points, and each lesson's texts state its total" {
  run "$top/tests/grader/points" --check
  assert_success
  for lesson in "$top"/lessons/[0-9][0-9]-*/; do
    assert_output --partial "$(basename "$lesson") "
  done
}

@test "the classroom configurations are the ones tests/grader/classroom/generate writes from the points" {
  run "$top/tests/grader/classroom/generate" --check
  assert_success
  grep -q '^lessons=(01-socket 02-udp ' "$top/tests/grader/classroom/gradescope/run_autograder"
  # the GitHub Classroom workflow is written into each handout, for its own files (make dist)
  mkdir "$BATS_TEST_TMPDIR/handout"
  cp -r "$top/Makefile" "$top/tests" "$top/lessons" "$BATS_TEST_TMPDIR/handout/"
  run "$top/tests/grader/classroom/generate" --workflow "$BATS_TEST_TMPDIR/handout"
  assert_success
  workflow=$BATS_TEST_TMPDIR/handout/.github/workflows/classroom.yml
  grep -q '^          01-socket 26$' "$workflow"
  grep -q "^          $(sha256sum <"$top/tests/01-socket.bats" | cut -c1-64)  tests/01-socket.bats$" "$workflow" ||
    fail "the workflow does not carry the digest of tests/01-socket.bats"
}

@test "make grade on a small class: full marks, zero, a mix, one that does not compile, one that hangs, one that is no copy, an archive" {
  lesson01_skips && skip "this machine skips some lesson 01 tests (no ::1 or no unshare -rn)"
  class="$BATS_TEST_TMPDIR/class"
  lesson01_copy "$class/full"
  mkdir -p "$class/zero" && cp -r "$top/starter/01-socket" "$class/zero/"
  # a whole clone of the lab, whose starter/ prints "closed N socket!" (the tests of the close line: 7 points lost)
  mkdir -p "$class/Li Lei, 李雷 (mix)/lessons"
  lesson01_copy "$class/Li Lei, 李雷 (mix)/starter" 's/"closed %d sockets\\n"/"closed %d socket!\\n"/'
  lesson01_copy "$class/broken" '1i int broken(void) { return undeclared_thing; }'
  # hangs when its first KIND is unix-stream (one test, 2 points)
  lesson01_copy "$class/hang" '/^int main(int argc, char \*\*argv)$/{n;s/$/ if (argc > 1 \&\& strcmp(argv[1], "unix-stream") == 0) for (;;) pause();/}'
  mkdir -p "$class/empty"
  # an archive handed in as it is gets a row that says why it was not graded; hidden files none
  echo "PK" >"$class/bob.zip"
  touch "$class/.DS_Store"
  SECONDS=0
  # (the hanging copy waits out its 20 s once)
  grade_class out JOBS=2
  elapsed=$SECONDS
  assert_success
  expected='student,01-socket,total,note
"Li Lei, 李雷 (mix)",19,19,
bob.zip,,,cannot be graded: not a folder (an archive? unpack each copy into a folder of its own)
broken,0,0,01-socket did not compile
empty,,,"cannot be graded: no lesson folder (NN-name/) in it, neither in starter/"
full,26,26,
hang,24,24,
zero,0,0,'
  assert_equal "$(cat "$BATS_TEST_TMPDIR/out/grades.csv")" "$expected"
  run grep -c '"student": ' "$BATS_TEST_TMPDIR/out/grades.json"
  assert_output 7
  grep -qF '{"student": "Li Lei, 李雷 (mix)", "points": {"01-socket": 19}, "possible": {"01-socket": 26}, "total": 19, "total_possible": 26, "note": ""}' "$BATS_TEST_TMPDIR/out/grades.json"
  grep -qF '{"student": "empty", "points": {}, "possible": {"01-socket": 26}, "total": null, "total_possible": 26, "note": "cannot be graded: ' "$BATS_TEST_TMPDIR/out/grades.json"
  # every failure message in the student's log, every test with its points in the JUnit XML
  grep -q 'undeclared_thing' "$BATS_TEST_TMPDIR/out/broken.log"
  grep -q 'did not finish within\|did not exit within' "$BATS_TEST_TMPDIR/out/hang.log"
  run grep -c '<testcase ' "$BATS_TEST_TMPDIR/out/hang.junit.xml"
  assert_output "$(grep -c '^@test ' "$top/tests/01-socket.bats")"
  grep -q '<property name="points" value="24"/>' "$BATS_TEST_TMPDIR/out/hang.junit.xml"
  # a failure's JUnit message says what went wrong, not where in the harness it was noticed
  run grep -o '<failure message="[^"]*"' "$BATS_TEST_TMPDIR/out/zero.junit.xml"
  assert_line --partial 'open_socket is not written yet'
  refute_line --partial '(in test file'
  # a log ends with the scoreboard of the copy's row; its hints are what the student types in
  # their own copy (no IMPL), and make's own error line is not there
  assert_equal "$(tail -1 "$BATS_TEST_TMPDIR/out/Li Lei, 李雷 (mix).log")" "total: 15 passed, 6 failed; points 19 / 26"
  grep -q '^stuck? make hint LESSON=01 gives a hint' "$BATS_TEST_TMPDIR/out/zero.log"
  run grep -l 'IMPL=\|^make.*Error' "$BATS_TEST_TMPDIR/out/"*.log
  assert_output ""
  echo "# make grade, 8 entries, lesson 01: ${elapsed}s" >&3
}

@test "make grade grades a lesson once for copies with the same files: the others reuse its results, say so, and name only their own folder; REUSE=0 grades each afresh" {
  lesson01_skips && skip "this machine skips some lesson 01 tests (no ::1 or no unshare -rn)"
  class="$BATS_TEST_TMPDIR/class"
  lesson01_copy "$class/alice"
  lesson01_copy "$class/bob"
  lesson01_copy "$class/carol" 's/"closed %d sockets\\n"/"closed %d socket!\\n"/'
  expected='student,01-socket,total,note
alice,26,26,
bob,26,26,
carol,19,19,'
  # one copy at a time: alice is graded before bob
  grade_class out JOBS=1
  assert_success
  assert_equal "$(cat "$BATS_TEST_TMPDIR/out/grades.csv")" "$expected"
  grep -q '01-socket: the same files as a copy graded before' "$BATS_TEST_TMPDIR/out/bob.log"
  # shown as make check shows it (not bats' raw report), with the scoreboard of bob's row
  run ! grep -q '^# explained_in\|^# (in test file' "$BATS_TEST_TMPDIR/out/bob.log"
  assert_equal "$(tail -1 "$BATS_TEST_TMPDIR/out/bob.log")" "total: 21 passed, 0 failed; points 26 / 26"
  run ! grep -q 'graded before' "$BATS_TEST_TMPDIR/out/alice.log" "$BATS_TEST_TMPDIR/out/carol.log"
  # bob's reports are complete, and name bob's build folder, never alice's
  run grep -c '<testcase ' "$BATS_TEST_TMPDIR/out/bob.junit.xml"
  assert_output "$(grep -c '^@test ' "$top/tests/01-socket.bats")"
  grep -q '<property name="points" value="26"/>' "$BATS_TEST_TMPDIR/out/bob.junit.xml"
  run grep -rl 'copy-alice-' "$top/build/reports/$("$top/tests/grader/copy-key" "$class/bob")" "$BATS_TEST_TMPDIR/out/bob.log" "$BATS_TEST_TMPDIR/out/bob.junit.xml"
  assert_failure
  # REUSE=0: the same grades, each copy graded afresh
  grade_class out2 JOBS=2 REUSE=0
  assert_success
  assert_equal "$(cat "$BATS_TEST_TMPDIR/out2/grades.csv")" "$expected"
  run ! grep -q 'graded before' "$BATS_TEST_TMPDIR/out2/"*.log
  # a copy whose files changed is graded again (carol fixes her close line, and says so in a comment)
  sed -i -e 's/closed %d socket!/closed %d sockets/' -e '1i /* fixed: the close line */' "$class/carol/01-socket/sockets.c"
  grade_class out3 JOBS=2
  assert_success
  assert_equal "$(sed -n 4p "$BATS_TEST_TMPDIR/out3/grades.csv")" "carol,26,26,"
  grep -q 'graded before' "$BATS_TEST_TMPDIR/out3/alice.log"
  run ! grep -q 'graded before' "$BATS_TEST_TMPDIR/out3/carol.log"
  # other compiler flags may change a verdict: nothing graded with the old ones is reused
  grade_class out4 JOBS=2 WARNINGS="-std=c11 -Wall"
  assert_success
  run ! grep -q 'graded before' "$BATS_TEST_TMPDIR/out4/alice.log" "$BATS_TEST_TMPDIR/out4/bob.log"
}

@test "make check and make progress take a whole clone of the lab by its starter/, as make grade does" {
  lesson01_copy "$BATS_TEST_TMPDIR/clone/starter"
  mkdir -p "$BATS_TEST_TMPDIR/clone/lessons" "$BATS_TEST_TMPDIR/clone/tests"
  run make -C "$top" --no-print-directory check IMPL="$BATS_TEST_TMPDIR/clone" LESSON=01
  assert_success
  assert_output --partial "is a whole clone of the lab: grading its starter/"
  assert_regex "$output" "01-socket +21 / 21 +PASS +26 / 26"
  # the student's loop takes the clone the same way: its results, its starter/'s files
  run make -C "$top" --no-print-directory progress IMPL="$BATS_TEST_TMPDIR/clone"
  assert_success
  assert_regex "$output" "01-socket +done \(21 of 21\)"
  rm -rf "$top/build/$("$top/tests/grader/copy-key" "$BATS_TEST_TMPDIR/clone/starter")" \
    "$top/build/reports/$("$top/tests/grader/copy-key" "$BATS_TEST_TMPDIR/clone/starter")"
}

@test "a lesson that runs out of its budget: the rest fail as 'lesson took too long', exit 1, no process left" {
  copy="$BATS_TEST_TMPDIR/slow"
  lesson01_copy "$copy" '/^int main(int argc, char \*\*argv)$/{n;s/$/ for (;;) pause();/}'
  make -C "$top" --no-print-directory impl IMPL="$copy" LESSONS=01-socket >/dev/null 2>&1
  bin="$top/build/impl$(tr / _ <<<"$copy")"
  [[ -x $bin/01-socket/sockets ]] || fail "the hanging copy did not build"
  SECONDS=0
  run env SOCKLAB_RUN_ID="budget-$BATS_ROOT_PID" LESSON_BUDGET=4 GRADE_REPORTS="$BATS_TEST_TMPDIR/reports" \
    "$top/tests/grader/run-lessons" "$bin" 01-socket
  elapsed=$SECONDS
  left=$(grep -lzx "SOCKLAB_RUN_ID=budget-$BATS_ROOT_PID" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 || true)
  rm -rf "$bin"
  assert_failure 1
  assert_regex "$output" "01-socket +0 / 21 +FAIL +0 / 26 +\(took too long\)"
  grep -q '^# lesson took too long: 01-socket ran out of its 4 s' "$BATS_TEST_TMPDIR/reports/01-socket.tap"
  grep -q '<failure message="lesson took too long' "$BATS_TEST_TMPDIR/reports/01-socket.junit.xml"
  ((elapsed < 30)) || fail "a budget of 4 s took ${elapsed}s (it should stop at about 4 s, plus the 5 s kill)"
  [[ -z $left ]] || fail "processes of the stopped lesson are still running: $(ps -o pid=,args= -p "${left//$'\n'/,}")"
}

@test "the grader merges a lesson's shares: results in the file's order, numbered anew, the same reports as one run" {
  # one TAP of lesson 02 as one bats run prints it: every test ok but the fifth, with its message
  "$top/tests/grader/points" 02 >"$BATS_TEST_TMPDIR/points"
  awk -F'\t' '{ if (NR == 5) { print "not ok " NR " " $4; print "# (in test file tests/02-udp.bats, line 9)"; print "# expected: hello" }
    else print "ok " NR " " $4 }' "$BATS_TEST_TMPDIR/points" >"$BATS_TEST_TMPDIR/body"
  { echo "1..$(wc -l <"$BATS_TEST_TMPDIR/points")"; cat "$BATS_TEST_TMPDIR/body"; } >"$BATS_TEST_TMPDIR/one.tap"
  # the same results as two shares (odd tests, even tests), each numbered from 1 with a plan
  # of its own, given in the other order
  for share in odd even; do
    awk -v share=$share '/^(ok|not ok) [0-9]+/ { n++; keep = ((n % 2 == 1) == (share == "odd")); if (keep) { k++; sub(/ [0-9]+ /, " " k " ") } }
      keep { body = body $0 "\n" } END { printf "1..%d\n%s", k, body }' "$BATS_TEST_TMPDIR/body" >"$BATS_TEST_TMPDIR/$share.tap"
  done
  for run in one shares; do
    taps=("$BATS_TEST_TMPDIR/one.tap")
    [[ $run == one ]] || taps=("$BATS_TEST_TMPDIR/even.tap" "$BATS_TEST_TMPDIR/odd.tap")
    awk -F'\t' -v lesson=02-udp -v filters= -v too_long=0 -v budget=600 -v tapfile="$BATS_TEST_TMPDIR/$run.out.tap" \
      -v junitfile="$BATS_TEST_TMPDIR/$run.xml" -v rowfile="$BATS_TEST_TMPDIR/$run.row" \
      -f "$top/tests/grader/reports.awk" "$BATS_TEST_TMPDIR/points" "${taps[@]}"
  done
  run diff "$BATS_TEST_TMPDIR/one.out.tap" "$BATS_TEST_TMPDIR/shares.out.tap"
  assert_success
  run diff "$BATS_TEST_TMPDIR/one.xml" "$BATS_TEST_TMPDIR/shares.xml"
  assert_success
  possible=$("$top/tests/grader/points" --totals 02 | cut -d' ' -f2)
  fifth=$(sed -n 5p "$BATS_TEST_TMPDIR/points" | cut -f2)
  run cat "$BATS_TEST_TMPDIR/shares.row"
  assert_output "02-udp 32 33 $((possible - fifth)) $possible fail 0"
  run grep -c -E '^(ok|not ok) [0-9]+ ' "$BATS_TEST_TMPDIR/shares.out.tap"
  assert_output 33
  # after the summary line and the plan: test 5's message stays with it, test 6 comes next
  run sed -n '3p;9p;10p' "$BATS_TEST_TMPDIR/shares.out.tap"
  assert_line --index 0 "ok 1 $(cut -f4 "$BATS_TEST_TMPDIR/points" | sed -n 1p)"
  assert_line --index 1 "# expected: hello"
  assert_line --index 2 "ok 6 $(cut -f4 "$BATS_TEST_TMPDIR/points" | sed -n 6p)"
}

@test "graded alone, a lesson whose tests wait out timeouts runs them side by side: one report, the same results as one run" {
  # lesson 06 has one test that waits (waits:3): two bats runs, each in a sandbox of its own
  for shares in default 1; do
    setting=(-u LESSON_SHARES)
    [[ $shares == default ]] || setting=(LESSON_SHARES="$shares")
    run env "${setting[@]}" GRADE_REPORTS="$BATS_TEST_TMPDIR/$shares" "$top/tests/grader/run-lessons" "$top/build/starter" 06-concurrent
    assert_failure 1
    grep -E '^(ok|not ok) ' "$BATS_TEST_TMPDIR/$shares/06-concurrent.tap" | sed -E 's/^(ok|not ok) [0-9]+ /\1 /' \
      >"$BATS_TEST_TMPDIR/$shares.results"
  done
  grep -q '^# socklab: lesson 06-concurrent, .*, bats runs side by side: 2$' "$BATS_TEST_TMPDIR/default/06-concurrent.log" ||
    fail "lesson 06 alone did not run as 2 bats runs: $(head -1 "$BATS_TEST_TMPDIR/default/06-concurrent.log")"
  grep -q '^# socklab: lesson 06-concurrent, .*, bats runs side by side: 1$' "$BATS_TEST_TMPDIR/1/06-concurrent.log" ||
    fail "LESSON_SHARES=1 did not run lesson 06 as one bats run: $(head -1 "$BATS_TEST_TMPDIR/1/06-concurrent.log")"
  # the same results, in the lesson file's order
  run diff "$BATS_TEST_TMPDIR/default.results" "$BATS_TEST_TMPDIR/1.results"
  assert_success
  run diff <(sed -E 's/^(ok|not ok) //' "$BATS_TEST_TMPDIR/default.results") <("$top/tests/grader/points" 06 | cut -f4)
  assert_success
  run diff "$BATS_TEST_TMPDIR/default/points.tsv" "$BATS_TEST_TMPDIR/1/points.tsv"
  assert_success
}

@test "the grader exits 2 with the reason on stderr when it cannot run" {
  run --separate-stderr "$top/tests/grader/run-lessons" "$top/build/solutions" 99-nothing
  assert_failure 2
  assert_regex "$stderr" "^grade: no tests for lesson 99-nothing"
  run --separate-stderr env PATH=/nonexistent /bin/bash "$top/tests/grader/run-lessons" "$top/build/solutions" 01-socket
  assert_failure 2
}

@test "make dist: the handout has no solutions, builds on its own, grades a copy and passes its make test" {
  run make -C "$top" --no-print-directory dist
  assert_success
  mkdir "$BATS_TEST_TMPDIR/unpacked"
  tar -C "$BATS_TEST_TMPDIR/unpacked" -xzf "$top/build/socklab-handout.tar.gz"
  lab="$BATS_TEST_TMPDIR/unpacked/socklab"
  [[ ! -e $lab/solutions && ! -e $lab/tests/grader/grade-class && ! -e $lab/tests/grader/classroom ]] ||
    fail "the handout holds instructor material: $(ls "$lab" "$lab/tests")"
  # nothing made from the solutions either: the zoo's patches quote them
  run solution_lines_in "$lab"
  assert_success
  [[ -z $output ]] || fail "the handout shows lines of solutions/: $(head -5 <<<"$output")"
  run solution_lines_in "$top/tests/selftest/mutants"
  [[ -n $output ]] || fail "solution_lines_in finds nothing even in tests/selftest/mutants/: the check is broken"
  # the students' READMEs go as they are, and name nothing a student cannot use: no solutions,
  # no CI, no instructor's command; the instructor's manual and the maintainer's guide stay out
  cmp -s "$top/README.md" "$lab/README.md" && cmp -s "$top/README.zh.md" "$lab/README.zh.md" ||
    fail "the handout's READMEs differ from the lab's"
  run grep -nE "solutions/|\.ci/|make (grade|dist|classroom)|tests/(grader/(grade-class|handout|classroom)|selftest/run )" \
    "$lab/README.md" "$lab/README.zh.md"
  assert_output ""
  for f in INSTRUCTORS.md INSTRUCTORS.zh.md CONTRIBUTING.md CONTRIBUTING.zh.md tests/selftest/mutation-test; do
    [[ -e $top/$f && ! -e $lab/$f ]] || fail "$f: in the lab and not in the handout, as it should be? (lab: $(ls "$top/$f" 2>&1), handout: $(ls "$lab/$f" 2>&1))"
  done
  run make -C "$lab" --no-print-directory grade SUBMISSIONS="$BATS_TEST_TMPDIR"
  assert_failure 2
  assert_output --partial "make grade is an instructor's command"
  run make -C "$lab" --no-print-directory
  assert_success
  [[ -x $lab/build/starter/01-socket/sockets ]] || fail "make did not build the starter"
  # lesson 05's benchmark is there and takes the student's own programs (the starter's, not
  # written yet: it says so before timing anything); the lab's own benchmark is not
  [[ ! -e $lab/tests/bench/check-floor.sh ]] || fail "the handout holds tests/bench/check-floor.sh"
  # lesson 07's oracle answers the whole exercise: its tests read the lines it wrote instead
  [[ ! -e $lab/tests/selftest/oracle/layers_oracle.c && ! -e $lab/tests/bench/layers-random.sh && ! -e $lab/tests/captures/make-random ]] ||
    fail "the handout holds lesson 07's oracle (tests/selftest/oracle/layers_oracle.c) or what runs it"
  compgen -G "$lab/tests/captures/random/*.expected" >/dev/null || fail "the handout lacks tests/captures/random/"
  run "$lab/tests/bench/download.sh" 1 1
  assert_failure 1
  assert_output --partial "$lab/build/starter/05-download: download_server and download_client do not download a file yet"
  lesson01_copy "$BATS_TEST_TMPDIR/student"
  run make -C "$lab" --no-print-directory check IMPL="$BATS_TEST_TMPDIR/student" LESSON=01
  assert_success
  assert_regex "$output" "01-socket +21 / 21 +PASS +26 / 26"
  run make -C "$lab" --no-print-directory test LESSON=01
  assert_success
  assert_output --partial "make test: the lab is set up"
}
