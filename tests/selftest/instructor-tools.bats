#!/usr/bin/env bats
# The instructor's tools, checked by make test (tests/selftest/run), not by make check:
# points, make grade on a small class (submissions as they are downloaded, hostile archives,
# regrading one student, the CSV's byte-order mark, the class page in headless Chromium),
# make similar, the grader's budget and exit status, make dist, and the classroom
# configurations generated from the points.

setup() {
  bats_require_minimum_version 1.5.0
  bats_load_library bats-support
  bats_load_library bats-assert
  top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
}

teardown() {
  # copies graded here are laid out and built under build/; do not leave them behind
  local from copy key
  for from in "$top"/build/class-copies/*.from; do
    [[ -f $from && $(head -1 "$from") == "$BATS_TEST_TMPDIR"/* ]] || continue
    copy=${from%.from}
    key=$("$top/tests/grader/copy-key" "$copy")
    rm -rf "$top/build/reports/$key" "$top/build/impl$(tr / _ <<<"$copy")" "$top/build/$key" "$copy" "$from"
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

# csv_of FILE: grades.csv without its byte-order mark (UTF-8's, for Excel), which must be there.
csv_of() {
  [[ $(head -c3 "$1" | od -An -tx1 | tr -d ' ') == efbbbf ]] || fail "$1 does not start with UTF-8's byte-order mark"
  sed '1s/^\xef\xbb\xbf//' "$1"
}

# reports_of SUBMISSION: the reports folder of the copy make grade laid out from SUBMISSION.
reports_of() {
  local from
  for from in "$top"/build/class-copies/*.from; do
    [[ $(head -1 "$from") != "$1" ]] || echo "$top/build/reports/$("$top/tests/grader/copy-key" "${from%.from}")"
  done
}

# row_of OUT STUDENT: STUDENT's row of OUT/grades.json, on one line (jq).
row_of() {
  jq -c --arg s "$2" '.[] | select(.student == $s) | del(.graded_at)' "$BATS_TEST_TMPDIR/$1/grades.json"
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

@test "every test has its Chinese name: points --check fails on a test without one, or with one out of place" {
  local lesson=06-concurrent first second
  # every test of every lesson has it (the check above passes), and --zh lists it
  run "$top/tests/grader/points" --zh
  assert_success
  [[ $(grep -c . <<<"$output") == $(cat "$top"/tests/[0-9][0-9]-*.bats | grep -c '^@test ') ]] || fail "points --zh: not one row per test: $output"
  run awk -F'\t' '$3 == ""' <<<"$output"
  assert_output ""
  # a copy of a lesson's tests (its texts state the same total) without the first test's name
  mkdir -p "$BATS_TEST_TMPDIR/tests"
  first=$(grep -m1 '^@test "' "$top/tests/$lesson.bats" | sed 's/^@test "//; s/" *{ *$//')
  awk '/^# zh: / && !done { done = 1; next } { print }' "$top/tests/$lesson.bats" >"$BATS_TEST_TMPDIR/tests/$lesson.bats"
  run "$top/tests/grader/points" --check "$BATS_TEST_TMPDIR/tests/$lesson.bats"
  assert_failure 1
  assert_output --partial "points: $lesson: \"$first\" has no Chinese name"
  [[ $(grep -c 'has no Chinese name' <<<"$output") == 1 ]] || fail "one test without its name, not: $output"
  run "$top/tests/grader/points" --zh "$BATS_TEST_TMPDIR/tests/$lesson.bats"
  assert_line "$lesson	$first	"
  # the second test's name one line too high (above a blank line): not its name either
  second=$(grep '^@test "' "$top/tests/$lesson.bats" | sed -n '2{s/^@test "//; s/" *{ *$//; p}')
  awk '/^# zh: / { n++; if (n == 2) { print; print ""; next } } { print }' "$top/tests/$lesson.bats" >"$BATS_TEST_TMPDIR/tests/$lesson.bats"
  run "$top/tests/grader/points" --check "$BATS_TEST_TMPDIR/tests/$lesson.bats"
  assert_failure 1
  assert_output --partial "points: $lesson: \"$second\" has no Chinese name"
  # the same file as it is: no complaint
  cp "$top/tests/$lesson.bats" "$BATS_TEST_TMPDIR/tests/"
  run "$top/tests/grader/points" --check "$BATS_TEST_TMPDIR/tests/$lesson.bats"
  assert_success
  assert_output "$lesson $(awk -F'\t' '{ s += $2 } END { print s }' < <("$top/tests/grader/points" "$lesson"))"
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

@test "make grade on a small class: full marks, zero, a mix, one that does not compile, one that hangs, one that is no copy, a file that is no archive" {
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
  # a file that is no archive gets a row that says why it was not graded (as bob, without .zip); hidden files none
  echo "PK" >"$class/bob.zip"
  touch "$class/.DS_Store"
  SECONDS=0
  # (the hanging copy waits out its 20 s once)
  grade_class out JOBS=2
  elapsed=$SECONDS
  assert_success
  expected=$(cat <<'CSV'
student,01-socket,total,note
"Li Lei, 李雷 (mix)",19,19,
broken,0,0,01-socket did not compile
empty,,,"cannot be graded: no lesson folder (NN-name/), no starter/ and no program's .c file, at the top or one folder deeper"
full,26,26,
hang,24,24,
zero,0,0,
CSV
  )
  # (bob's note quotes bsdtar, whose words vary with its version)
  assert_equal "$(csv_of "$BATS_TEST_TMPDIR/out/grades.csv" | grep -v '^bob,')" "$expected"
  run grep '^bob,' "$BATS_TEST_TMPDIR/out/grades.csv"
  assert_output --partial 'bob,,,cannot be graded: bob.zip is not an archive bsdtar can read'
  run jq length "$BATS_TEST_TMPDIR/out/grades.json"
  assert_output 7
  assert_equal "$(row_of out "Li Lei, 李雷 (mix)")" '{"student":"Li Lei, 李雷 (mix)","points":{"01-socket":19},"possible":{"01-socket":26},"total":19,"total_possible":26,"note":""}'
  assert_equal "$(row_of out empty | jq -c '[.points, .total, .total_possible]')" '[{},null,26]'
  # the grades.json a spreadsheet or a script reads: one row per line, each with when it was graded
  run jq -r '.[].graded_at' "$BATS_TEST_TMPDIR/out/grades.json"
  assert_regex "${lines[0]}" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$'
  assert_equal "$(grep -c '^  {"student":' "$BATS_TEST_TMPDIR/out/grades.json")" 7
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

@test "make grade grades a lesson once for copies with the same files when all passed or the files are the starter's: the others reuse its results, say so, and name only their own folder; other failures and REUSE=0 are graded afresh" {
  lesson01_skips && skip "this machine skips some lesson 01 tests (no ::1 or no unshare -rn)"
  class="$BATS_TEST_TMPDIR/class"
  lesson01_copy "$class/alice"
  lesson01_copy "$class/bob"
  lesson01_copy "$class/carol" 's/"closed %d sockets\\n"/"closed %d socket!\\n"/'
  # dan handed in carol's copy: a failure may come from a loaded machine, so it is graded afresh
  cp -r "$class/carol" "$class/dan"
  # sam and tom did not touch the lesson: the starter's failures are reused
  mkdir -p "$class/sam" "$class/tom"
  cp -r "$top/starter/01-socket" "$class/sam/" && cp -r "$top/starter/01-socket" "$class/tom/"
  expected='student,01-socket,total,note
alice,26,26,
bob,26,26,
carol,19,19,
dan,19,19,
sam,0,0,
tom,0,0,'
  # one copy at a time: alice is graded before bob
  grade_class out JOBS=1
  assert_success
  assert_equal "$(csv_of "$BATS_TEST_TMPDIR/out/grades.csv")" "$expected"
  grep -q '01-socket: the same files as a copy graded before' "$BATS_TEST_TMPDIR/out/bob.log"
  # shown as make check shows it (not bats' raw report), with the scoreboard of bob's row
  run ! grep -q '^# explained_in\|^# (in test file' "$BATS_TEST_TMPDIR/out/bob.log"
  assert_equal "$(tail -1 "$BATS_TEST_TMPDIR/out/bob.log")" "total: 21 passed, 0 failed; points 26 / 26"
  run ! grep -q 'graded before' "$BATS_TEST_TMPDIR/out/alice.log" "$BATS_TEST_TMPDIR/out/carol.log" \
    "$BATS_TEST_TMPDIR/out/dan.log" "$BATS_TEST_TMPDIR/out/sam.log"
  grep -q '01-socket: the same files as a copy graded before' "$BATS_TEST_TMPDIR/out/tom.log"
  # bob's reports are complete, and name bob's build folder, never alice's
  run grep -c '<testcase ' "$BATS_TEST_TMPDIR/out/bob.junit.xml"
  assert_output "$(grep -c '^@test ' "$top/tests/01-socket.bats")"
  grep -q '<property name="points" value="26"/>' "$BATS_TEST_TMPDIR/out/bob.junit.xml"
  run grep -rl 'copy-alice-' "$(reports_of "$class/bob")" "$BATS_TEST_TMPDIR/out/bob.log" "$BATS_TEST_TMPDIR/out/bob.junit.xml"
  assert_failure
  # the rest needs alice, bob and carol only (each grading of the class takes time)
  rm -rf "$class/dan" "$class/sam" "$class/tom"
  expected=$(head -4 <<<"$expected")
  # REUSE=0: the same grades, each copy graded afresh
  grade_class out2 JOBS=2 REUSE=0
  assert_success
  assert_equal "$(csv_of "$BATS_TEST_TMPDIR/out2/grades.csv")" "$expected"
  run ! grep -q 'graded before' "$BATS_TEST_TMPDIR/out2/"*.log
  # a copy whose files changed is graded again (carol fixes her close line, and says so in a comment)
  sed -i -e 's/closed %d socket!/closed %d sockets/' -e '1i /* fixed: the close line */' "$class/carol/01-socket/sockets.c"
  grade_class out3 JOBS=2
  assert_success
  assert_equal "$(csv_of "$BATS_TEST_TMPDIR/out3/grades.csv" | sed -n 4p)" "carol,26,26,"
  grep -q 'graded before' "$BATS_TEST_TMPDIR/out3/alice.log"
  run ! grep -q 'graded before' "$BATS_TEST_TMPDIR/out3/carol.log"
  # other compiler flags may change a verdict: nothing graded with the old ones is reused
  grade_class out4 JOBS=2 WARNINGS="-std=c11 -Wall"
  assert_success
  run ! grep -q 'graded before' "$BATS_TEST_TMPDIR/out4/alice.log" "$BATS_TEST_TMPDIR/out4/bob.log"
}

@test "make grade takes each submission as it was handed in: a .zip, a .tar.gz, a copy one folder deeper, flat files, a folder holding one archive; a hostile archive's entries are left out and named" {
  lesson01_skips && skip "this machine skips some lesson 01 tests (no ::1 or no unshare -rn)"
  class="$BATS_TEST_TMPDIR/class"
  mkdir -p "$class"
  # carol zipped her clone's folder (one folder deeper in the archive); dave's lesson folders are a .tar.gz
  lesson01_copy "$BATS_TEST_TMPDIR/carol/carol-main"
  (cd "$BATS_TEST_TMPDIR/carol" && bsdtar --format zip -cf "$class/carol.zip" carol-main)
  lesson01_copy "$BATS_TEST_TMPDIR/dave"
  bsdtar -czf "$class/dave.tar.gz" -C "$BATS_TEST_TMPDIR/dave" 01-socket
  # erin's download is a folder with the repository's folder in it; frank dragged his program's file in, with notes
  lesson01_copy "$class/erin/socklab-main"
  mkdir -p "$class/frank" && cp "$top/solutions/01-socket/sockets.c" "$class/frank/" && echo "notes" >"$class/frank/notes.txt"
  # gina's course site gave a folder per student holding the file she uploaded: the archive counts
  lesson01_copy "$BATS_TEST_TMPDIR/gina"
  mkdir -p "$class/gina_1234" && bsdtar --format zip -cf "$class/gina_1234/socklab.zip" -C "$BATS_TEST_TMPDIR/gina" 01-socket
  # mallory's archive: a good copy, and an entry that climbs out, an absolute path, a link out, and a
  # zip bomb (32 MiB of zeros, a few KiB zipped)
  m="$BATS_TEST_TMPDIR/mallory"
  lesson01_copy "$m/work"
  echo 'int evil;' >"$m/evil.c"
  echo 'int absolute;' >"$m/absolute.c"
  ln -s /etc/passwd "$m/work/01-socket/passwd.h"
  head -c 32M /dev/zero >"$m/work/01-socket/bomb.h"
  (cd "$m/work" && bsdtar --format zip -cPf "$class/mallory.zip" 01-socket ../evil.c "$m/absolute.c")
  grade_class out JOBS=1
  assert_success
  # every copy laid out holds the same lesson folder, whatever the layout it came in: graded once
  # (carol's), reused for the five others
  run grep -l '01-socket: the same files as a copy graded before' "$BATS_TEST_TMPDIR/out/"*.log
  assert_equal "${#lines[@]}" 5
  expected='student,01-socket,total,note
carol,26,26,
dave,26,26,
erin,26,26,
frank,26,26,
gina_1234,26,26,'
  assert_equal "$(csv_of "$BATS_TEST_TMPDIR/out/grades.csv" | grep -v '^mallory,')" "$expected"
  run jq -r '.[] | select(.student == "mallory") | "\(.total) \(.note)"' "$BATS_TEST_TMPDIR/out/grades.json"
  assert_output "26 left out of the archive: ../evil.c (climbs out with ..), $m/absolute.c (an absolute path), 01-socket/passwd.h (a link), 01-socket/bomb.h (larger than 1024 KiB)"
  # what was graded of mallory's is the good file alone
  copy=$(grep -lx "$class/mallory.zip" "$top"/build/class-copies/*.from)
  run find "${copy%.from}" -type f
  assert_output "${copy%.from}/01-socket/sockets.c"
  # each log starts with what was taken
  assert_equal "$(head -1 "$BATS_TEST_TMPDIR/out/erin.log")" "socklab: $class/erin, as taken (tests/grader/take-copy):"
  grep -qx 'layout: lesson folders, one folder deeper: socklab-main' "$BATS_TEST_TMPDIR/out/erin.log"
  grep -qx 'layout: lesson folders, one folder deeper: carol-main' "$BATS_TEST_TMPDIR/out/carol.log"
  grep -qx 'layout: flat files' "$BATS_TEST_TMPDIR/out/frank.log"
  grep -qx 'layout: lesson folders' "$BATS_TEST_TMPDIR/out/gina_1234.log"
  grep -qx 'ignored: notes.txt' "$BATS_TEST_TMPDIR/out/frank.log"
  grep -q '^refused: ../evil.c (climbs out with ..)' "$BATS_TEST_TMPDIR/out/mallory.log"
  grep -q '^total: 21 passed, 0 failed; points 26 / 26' "$BATS_TEST_TMPDIR/out/dave.log"
}

@test "regrading one student updates their row of the class's grades and keeps the others'; FRESH=1 starts afresh" {
  lesson01_skips && skip "this machine skips some lesson 01 tests (no ::1 or no unshare -rn)"
  class="$BATS_TEST_TMPDIR/class"
  lesson01_copy "$class/alice"
  lesson01_copy "$class/bob" 's/"closed %d sockets\\n"/"closed %d socket!\\n"/'
  grade_class out
  assert_success
  assert_equal "$(csv_of "$BATS_TEST_TMPDIR/out/grades.csv" | tail -1)" "bob,19,19,"
  alice_log=$(cat "$BATS_TEST_TMPDIR/out/alice.log")
  # bob hands in a corrected copy, late, zipped: graded alone into the same folder
  lesson01_copy "$BATS_TEST_TMPDIR/bob-fixed"
  mkdir "$BATS_TEST_TMPDIR/late"
  bsdtar --format zip -cf "$BATS_TEST_TMPDIR/late/bob.zip" -C "$BATS_TEST_TMPDIR/bob-fixed" 01-socket
  class="$BATS_TEST_TMPDIR/late"
  grade_class out
  assert_success
  assert_output --partial "1 graded now, 1 kept from before (FRESH=1 starts afresh)"
  assert_equal "$(csv_of "$BATS_TEST_TMPDIR/out/grades.csv")" 'student,01-socket,total,note
alice,26,26,
bob,26,26,'
  assert_equal "$(cat "$BATS_TEST_TMPDIR/out/alice.log")" "$alice_log"
  grep -q "^socklab: $BATS_TEST_TMPDIR/late/bob.zip, as taken" "$BATS_TEST_TMPDIR/out/bob.log"
  grep -q '<p id="summary">2 students: 2 graded' "$BATS_TEST_TMPDIR/out/index.html"
  # FRESH=1: the students graded now only
  grade_class out FRESH=1
  assert_success
  assert_equal "$(csv_of "$BATS_TEST_TMPDIR/out/grades.csv")" 'student,01-socket,total,note
bob,26,26,'
  # a grades.json that make grade did not write is neither read nor overwritten
  echo '{"not": "grades"}' >"$BATS_TEST_TMPDIR/out/grades.json"
  grade_class out
  assert_failure 2
  assert_output --partial "grades.json is not a grades file that make grade wrote: its rows cannot be kept (FRESH=1 starts afresh)"
  assert_equal "$(cat "$BATS_TEST_TMPDIR/out/grades.json")" '{"not": "grades"}'
}

@test "the class page in headless Chromium: charts with ten bars, the test most students missed first, links to each student's log, names escaped" {
  lesson01_skips && skip "this machine skips some lesson 01 tests (no ::1 or no unshare -rn)"
  command -v chromium >/dev/null || skip "chromium is not installed (tests/setup installs it)"
  class="$BATS_TEST_TMPDIR/class"
  lesson01_copy "$class/full"
  lesson01_copy "$class/mix" 's/"closed %d sockets\\n"/"closed %d socket!\\n"/'
  name='<i>Zoë & "李雷" O'"'"'Neil'
  lesson01_copy "$class/$name"
  grade_class out
  assert_success
  run "$top/tests/selftest/check-class-page" "$BATS_TEST_TMPDIR/out/index.html" "$name" "$BATS_TEST_TMPDIR/page.png"
  assert_success
  page=$output
  # the totals and lesson 01, each a chart with a size on the page and its ten ranges of points
  run jq -c '[.charts[] | [.id, .bars, .width > 100, .height > 100]]' <<<"$page"
  assert_output '[["chart-total",10,true,true],["chart-01-socket",10,true,true]]'
  # first, a test that mix failed (2 of the 3 passed it): the one worth most points among them
  failed=$(awk '/<testcase / { name = $0; sub(/.* name="/, "", name); sub(/">$/, "", name) } /<failure / { print name }' "$BATS_TEST_TMPDIR/out/mix.junit.xml")
  [[ -n $failed ]] || fail "mix failed no test: the fixture is wrong"
  run jq -r '.tests[0] | "\(.rate)\n\(.name)"' <<<"$page"
  assert_line --index 0 '67 % (2 of 3)'
  grep -qxF "${lines[1]}" <<<"$failed" || fail "the first test, \"${lines[1]}\", is not one that mix failed: $failed"
  run jq -r '.tests[-1].rate' <<<"$page"
  assert_output '100 % (3 of 3)'
  # the names as they are, none turned into markup; the student's link lands on their log
  run jq -r '.students[]' <<<"$page"
  assert_output "$name
full
mix"
  assert_equal "$(jq -c .markup <<<"$page")" '[]'
  run jq -r '.log.text' <<<"$page"
  assert_line --index 0 "socklab: $class/$name, as taken (tests/grader/take-copy):"
  assert_equal "$(jq -r .log.url <<<"$page")" "file://$BATS_TEST_TMPDIR/out/$(jq -rn --arg n "$name.log" '$n | @uri')"
}

@test "make similar ranks a copied pair first, the starter's code left out: other names, comments and layout do not hide it" {
  command -v sim_c >/dev/null || skip "sim_c is not installed (similarity-tester: tests/setup installs it)"
  class="$BATS_TEST_TMPDIR/class"
  mkdir -p "$class/zero"
  # ivan and judy wrote theirs apart; zero handed in the starter as shipped
  cp -r "$top/tests/selftest/fixtures/similar/." "$class/"
  cp -r "$top/starter/01-socket" "$class/zero/"
  # alice changed the reference a little; bob copied alice's, renamed the variables, added
  # comments, indented with tabs, and zipped it
  lesson01_copy "$class/alice" 's/int result = 0;/int failed = 0;/; s/result = -1;/failed = 1;/; s/return result;/return failed ? -1 : 0;/'
  mkdir -p "$BATS_TEST_TMPDIR/bob/01-socket"
  sed -e 's/\baddr6\b/where6/g; s/\baddr\b/where/g; s/\bfd\b/sock/g; s/\bfailed\b/bad/g; s/\bss\b/storage/g; s/\bhost\b/text/g' \
    -e 's|^\(    [a-z].*;\)$|\1 /* mine */|' -e 's/^    /\t/' "$class/alice/01-socket/sockets.c" >"$BATS_TEST_TMPDIR/bob/01-socket/sockets.c"
  bsdtar --format zip -cf "$class/bob.zip" -C "$BATS_TEST_TMPDIR/bob" 01-socket
  run make -C "$top" --no-print-directory similar SUBMISSIONS="$class" GRADES="$BATS_TEST_TMPDIR/out" LESSON=01
  assert_success
  assert_line --index 0 --regexp '^01-socket: [0-9]+ pairs share code; the first [0-9]+:$'
  assert_line --index 1 --regexp '^  1\. (9[0-9]|100) %  alice <-> bob$'
  # every other pair shares far less; the starter as shipped is in no pair
  run awk -F'\t' '$2 > 1 && $5 >= 30' "$BATS_TEST_TMPDIR/out/similar.tsv"
  assert_output ""
  run grep -c zero "$BATS_TEST_TMPDIR/out/similar.tsv"
  assert_output 0
  grep -q '^== 01-socket: 5 submissions, 4 with code of their own ==$' "$BATS_TEST_TMPDIR/out/similar.txt"
  grep -qE '^   1 +(9[0-9]|100) %  .* alice <-> bob \(01-socket/sockets.c / 01-socket/sockets.c\)$' "$BATS_TEST_TMPDIR/out/similar.txt"
}

@test "make grade: a failed test's ladder in the student's log and JUnit XML, its packets where they say, for each copy" {
  class="$BATS_TEST_TMPDIR/class"
  local who pcap
  # a server that resets each connection instead of closing it (the zoo's mistake); bob hands in the
  # same files: a failure is graded afresh for each copy (a reused one could be load's), with packets of its own
  for who in alice bob; do
    mkdir -p "$class/$who"
    cp -r "$top/solutions/04-tcp" "$class/$who/"
    sed '/^# /d' "$top/tests/selftest/mutants/04-server-resets-instead-of-closing.patch" | patch -s -d "$class/$who" -p1
  done
  run env BATS_FLAGS="--filter server:.prints.the.client.s.line.with.its.address" make -C "$top" --no-print-directory grade \
    SUBMISSIONS="$class" GRADES="$BATS_TEST_TMPDIR/out" GRADE_CACHE="$BATS_TEST_TMPDIR/cache" LESSON=04 JOBS=1
  assert_success
  run ! grep -q '04-tcp: the same files as a copy graded before' "$BATS_TEST_TMPDIR/out/bob.log"
  for who in alice bob; do
    grep -qx '    the wire during this test (loopback; ms since the test began):' "$BATS_TEST_TMPDIR/out/$who.log" ||
      fail "no ladder in $who's log: $(cat "$BATS_TEST_TMPDIR/out/$who.log")"
    grep -qE -- '[|]-+ RST -+>[|]$' "$BATS_TEST_TMPDIR/out/$who.log" || fail "no RST in $who's log"
    grep -qE -- '[|]-+ RST -+&gt;[|]$' "$BATS_TEST_TMPDIR/out/$who.junit.xml" || fail "no ladder in $who's JUnit XML"
    # the file the log names is there, at the lab's top, in the copy's own reports
    pcap=$(sed -n 's/^    its packets: //p' "$BATS_TEST_TMPDIR/out/$who.log")
    [[ $pcap == build/reports/copy-$who-*/04-tcp/*.pcap && -s $top/$pcap ]] || fail "$who's packets are not at '$pcap'"
    grep -qF "its packets: $pcap" "$BATS_TEST_TMPDIR/out/$who.junit.xml" || fail "$who's JUnit XML names no '$pcap'"
  done
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
  tests=$(wc -l <"$BATS_TEST_TMPDIR/points")
  run cat "$BATS_TEST_TMPDIR/shares.row"
  assert_output "02-udp $((tests - 1)) $tests $((possible - fifth)) $possible fail 0"
  run grep -c -E '^(ok|not ok) [0-9]+ ' "$BATS_TEST_TMPDIR/shares.out.tap"
  assert_output "$tests"
  # after the summary line and the plan: test 5's message stays with it, test 6 comes next
  run sed -n '3p;9p;10p' "$BATS_TEST_TMPDIR/shares.out.tap"
  assert_line --index 0 "ok 1 $(cut -f4 "$BATS_TEST_TMPDIR/points" | sed -n 1p)"
  assert_line --index 1 "# expected: hello"
  assert_line --index 2 "ok 6 $(cut -f4 "$BATS_TEST_TMPDIR/points" | sed -n 6p)"
}

@test "graded alone, a lesson whose tests wait out timeouts runs them side by side: one report, the same results as one run" {
  # lesson 06's tests that wait (waits:S tags) and the cores decide the bats runs, each in a
  # sandbox of its own: one more than the tests that wait, at most one more than the cores
  local waiting cores want
  waiting=$("$top/tests/grader/points" 06 | cut -f3 | grep -c 'waits:')
  cores=$(nproc)
  want=$((waiting + 1 < cores + 1 ? waiting + 1 : cores + 1))
  ((want <= 8)) || want=8
  ((want >= 2)) || fail "lesson 06 has no test that waits: this test needs one"
  for shares in default 1; do
    setting=(-u LESSON_SHARES)
    [[ $shares == default ]] || setting=(LESSON_SHARES="$shares")
    run env "${setting[@]}" GRADE_REPORTS="$BATS_TEST_TMPDIR/$shares" "$top/tests/grader/run-lessons" "$top/build/starter" 06-concurrent
    assert_failure 1
    grep -E '^(ok|not ok) ' "$BATS_TEST_TMPDIR/$shares/06-concurrent.tap" | sed -E 's/^(ok|not ok) [0-9]+ /\1 /' \
      >"$BATS_TEST_TMPDIR/$shares.results"
  done
  grep -q "^# socklab: lesson 06-concurrent, .*, bats runs side by side: $want\$" "$BATS_TEST_TMPDIR/default/06-concurrent.log" ||
    fail "lesson 06 alone did not run as $want bats runs: $(head -1 "$BATS_TEST_TMPDIR/default/06-concurrent.log")"
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
  # the classroom's grading script stays (the handout's own workflow runs it); its generator and
  # the Gradescope files are the instructor's
  [[ ! -e $lab/solutions && ! -e $lab/tests/grader/grade-class && ! -e $lab/tests/grader/similar &&
     ! -e $lab/tests/grader/classroom/generate && ! -e $lab/tests/grader/classroom/gradescope &&
     ! -e $lab/INSTRUCTORS.md && ! -e $lab/CONTRIBUTING.md ]] ||
    fail "the handout holds instructor material: $(ls "$lab" "$lab/tests" "$lab/tests/grader" "$lab/tests/grader/classroom")"
  [[ -x $lab/tests/grader/classroom/github && -f $lab/.github/workflows/classroom.yml ]] ||
    fail "the handout lacks its GitHub Classroom workflow or the script it runs: $(ls -a "$lab" "$lab/tests/grader/classroom")"
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
  run make -C "$lab" --no-print-directory similar SUBMISSIONS="$BATS_TEST_TMPDIR"
  assert_failure 2
  assert_output --partial "make similar is an instructor's command"
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
