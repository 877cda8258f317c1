#!/usr/bin/env bats
# The classroom platforms, as they really run (make test, tests/selftest/run):
#   - GitHub Classroom: the workflow make dist puts in the handout, its steps run as a runner
#     would run them, as a user who is not root, where bubblewrap cannot make namespaces
#     (Ubuntu 24.04's AppArmor) and sudo is refused; and on a student's repository whose
#     grading files were changed.

setup_file() {
  top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
  make -C "$top" --no-print-directory dist >/dev/null
}

setup() {
  bats_require_minimum_version 1.5.0
  bats_load_library bats-support
  bats_load_library bats-assert
  top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
  # a folder any user may enter: the simulated runner's user is not root
  runner=$(mktemp -d /tmp/socklab-runner.XXXXXX)
  chmod 755 "$runner"
}

teardown() {
  rm -rf "$runner"
}

# repository DIR: the handout unpacked as a student's repository in DIR.
repository() {
  mkdir -p "$1"
  tar -C "$1" --strip-components=1 -xzf "$top/build/socklab-handout.tar.gz"
}

# step_script NAME FILE: the shell script of the workflow step NAME (its run: block, or its one
# run: line), from the workflow FILE as GitHub Actions reads it (the block's indentation removed).
step_script() {
  awk -v name="      - name: $1" '
    $0 == name { in_step = 1; next }
    in_step && /^      - name: / { exit }
    in_step && /^        run: \|$/ { block = 1; next }
    in_step && /^        run: / { sub(/^        run: /, ""); print; exit }
    block && /^          / { print substr($0, 11); next }
    block && /^$/ { print ""; next }
    block { exit }' "$2"
}

# as_runner CMD...: run CMD in the repository $repo as a GitHub runner's user would: not root
# (user 65534 when we are root), bwrap unable to make namespaces, sudo refused.
as_runner() {
  local fake=$runner/fake-bin
  mkdir -p "$fake" "$runner/home"
  printf '#!/bin/sh\necho "bwrap: setting up uid map: Permission denied" >&2\nexit 1\n' >"$fake/bwrap"
  printf '#!/bin/sh\necho "sudo: a password is required" >&2\nexit 1\n' >"$fake/sudo"
  chmod 755 "$fake/bwrap" "$fake/sudo"
  local who=() path
  # without bats' own libexec folder, which this bats put first (the runner's bats would run
  # no test), and without our fd 3 (it would write into our report)
  path=$(tr : '\n' <<<"$PATH" | grep -v 'bats-core' | paste -sd:)
  if ((EUID == 0)); then
    chown -R 65534:65534 "$repo" "$runner/home" "$runner"/github-*
    who=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  fi
  run "${who[@]}" env -i PATH="$fake:$path" HOME="$runner/home" LANG=C.UTF-8 \
    ${BATS_LIB_PATH:+BATS_LIB_PATH=$BATS_LIB_PATH} GITHUB_OUTPUT="$runner/github-output" \
    GITHUB_STEP_SUMMARY="$runner/github-summary" bash -ec "cd \"\$1\" && shift && \"\$@\"" _ "$repo" "$@" 3>&-
}

# result LESSON: the reporter's JSON of LESSON, decoded from the step outputs.
result() {
  sed -n "s/^lesson-$1=//p" "$runner/github-output" | tail -1 | base64 -d
}

@test "GitHub Classroom: the workflow grades every test with its points where the sandbox cannot start, and says so" {
  repo=$runner/repo
  repository "$repo"
  : >"$runner/github-output"
  : >"$runner/github-summary"
  workflow=$repo/.github/workflows/classroom.yml
  # lesson 01 solved, with one mistake: the close line (7 points of its 26 are lost)
  sed 's/"closed %d sockets\\n"/"closed %d socket!\\n"/' "$top/solutions/01-socket/sockets.c" >"$repo/starter/01-socket/sockets.c"
  # a build/ folder committed by the student counts for nothing: the first step removes it
  mkdir -p "$repo/build/peers"
  printf '#!/bin/sh\nexit 0\n' >"$repo/build/peers/await"

  step_script "Check that the grading files are the template's" "$workflow" >"$runner/check.sh"
  as_runner bash -e "$runner/check.sh"
  assert_success
  assert_equal "$(cat "$runner/github-output")" "intact=yes"
  [[ ! -e $repo/build ]] || fail "the check step left the repository's build/ folder"

  # the install step, but for the packages (this machine has them): make peers
  assert_equal "$(step_script "Install what grading needs" "$workflow")" "sudo tests/setup --grading && make peers"
  as_runner make --no-print-directory peers
  assert_success

  # the grading step runs tests/grader/classroom/github on every lesson; here on lesson 01 only
  grade=$(step_script "Grade every lesson" "$workflow")
  assert_equal "$grade" "tests/grader/classroom/github $(cd "$top/lessons" && echo [0-9][0-9]-*)"
  as_runner tests/grader/classroom/github 01-socket
  assert_success
  graded=$output
  run result 01-socket
  assert_success
  json=$output
  # what the reporter reads: max_score, and each test's name, status and score
  assert_equal "$(jq '.max_score' <<<"$json")" 26
  [[ $(jq '[.tests[].score] | add' <<<"$json") == 19 ]] ||
    fail "the result does not give 19 of lesson 01's 26 points: $(jq -c '[.tests[] | {name, score}]' <<<"$json")
the grading said: $graded"
  assert_equal "$(jq '.status' <<<"$json")" '"fail"'
  assert_equal "$(jq '[.tests[] | select(.name and .status and (.score | type == "number"))] | length' <<<"$json")" \
    "$(($(grep -c '^@test ' "$top/tests/01-socket.bats") + 1))"
  # the failed test's message is the student's, without the harness's insides
  failed=$(jq -r '.tests[] | select(.status == "fail" and .score == 0 and (.name | startswith("grading:") | not)) | .message' <<<"$json")
  [[ $failed == *"closed 3 socket!"* || $failed == *"closed"* ]] || fail "the failed test's message does not show what the program printed: $failed"
  [[ $failed != *"(in test file"* && $failed != *"explained_in"* ]] || fail "the message shows the harness's insides: $failed"
  # the sandbox could not start: a test worth no points says so, and the step summary too
  sandbox=$(jq -r '.tests[] | select(.name == "grading: the sandbox (no points)") | .status + ": " + .message' <<<"$json")
  [[ $sandbox == "fail: the sandbox is off: bwrap cannot make namespaces here (bwrap: setting up uid map: Permission denied)"* ]] ||
    fail "no failing sandbox entry in the result: $sandbox"
  grep -q "The sandbox is off" "$runner/github-summary" || fail "the step summary does not say the sandbox was off: $(cat "$runner/github-summary")"
  # without a sandbox there is no loopback of the lesson's own to capture: the summary says so
  grep -q "Capture of the wire\*\*: off: " "$runner/github-summary" || fail "the step summary does not say the wire was not captured: $(cat "$runner/github-summary")"
}

@test "GitHub Classroom: a repository whose grading files were changed gets no points in any lesson, the files named" {
  repo=$runner/repo
  repository "$repo"
  : >"$runner/github-output"
  : >"$runner/github-summary"
  # the student makes lesson 01's tests pass whatever, and adds a GNUmakefile that make would read first
  sed -i 's/assert_failure 2/true/' "$repo/tests/01-socket.bats"
  printf 'check:\n\t@echo all passed\n' >"$repo/GNUmakefile"
  printf '# mine\n' >"$repo/tests/harness/extra.bash"
  step_script "Check that the grading files are the template's" "$repo/.github/workflows/classroom.yml" >"$runner/check.sh"
  as_runner bash -e "$runner/check.sh"
  assert_success # the reporter, not this step, fails the run
  grep -qx "intact=no" "$runner/github-output" || fail "the check step did not say the grading files changed: $(cat "$runner/github-output")"
  for lesson in $(cd "$top/lessons" && echo [0-9][0-9]-*); do
    run result "$lesson"
    assert_success
    assert_equal "$(jq '[.tests[].score] | add' <<<"$output")" 0
    assert_equal "$(jq '.max_score' <<<"$output")" "$("$top/tests/grader/points" --totals | awk -v l="$lesson" '$1 == l { print $2 }')"
    message=$(jq -r '.tests[0].message' <<<"$output")
    for named in "tests/01-socket.bats (changed or missing)" "GNUmakefile (not in the template)" "tests/harness/extra.bash (not in the template)"; do
      [[ $message == *"$named"* ]] || fail "lesson $lesson's result does not name $named: $message"
    done
  done
}

# autograder: a Gradescope autograder tree in $runner/ag: the handout unpacked as
# source/socklab (built as setup.sh builds it), run_autograder grading lesson 01 only (as an
# instructor sets one lesson per assignment), an empty submission/ and results/.
autograder() {
  ag=$runner/ag
  mkdir -p "$ag/source/socklab" "$ag/submission" "$ag/results"
  tar -C "$ag/source/socklab" --strip-components=1 -xzf "$top/build/socklab-handout.tar.gz"
  cp "$top/tests/grader/classroom/gradescope/setup.sh" "$top/tests/grader/classroom/gradescope/run_autograder" "$ag/"
  sed -i 's/^lessons=(.*)$/lessons=(01-socket)/' "$ag/run_autograder"
  make -C "$ag/source/socklab" --no-print-directory peers >/dev/null
}

# gradescope [PATH_FIRST]: run the autograder on what submission/ holds; PATH_FIRST is put
# before PATH (a folder of fake tools). Sets output and json (results.json).
gradescope() {
  rm -rf "$ag/results"/*
  run env PATH="${1:+$1:}$PATH" AUTOGRADER="$ag" "$ag/run_autograder" 3>&-
  json=$(cat "$ag/results/results.json")
}

# score: the points results.json gives, in all.
score() {
  jq '[.tests[].score] | add' <<<"$json"
}

@test "Gradescope: every way a student hands in lesson 01 gets its points, and results.json says what was graded" {
  autograder
  # the programs' .c files dragged in as they are
  cp "$top/solutions/01-socket/sockets.c" "$ag/submission/"
  printf 'my notes\n' >"$ag/submission/notes.txt"
  gradescope
  assert_equal "$(score)" 26
  assert_equal "$(jq -r '.output_format, .test_output_format, .visibility' <<<"$json" | paste -sd' ')" "md md visible"
  assert_equal "$(jq '.execution_time | type' <<<"$json")" '"number"'
  assert_equal "$(jq '[.tests[] | select(.name and .max_score != null and .status)] | length' <<<"$json")" \
    "$(grep -c '^@test ' "$top/tests/01-socket.bats")"
  output=$(jq -r .output <<<"$json")
  assert_output --partial "**layout**: flat files"
  assert_output --partial "**used**: 01-socket/sockets.c"
  assert_output --partial "**ignored**: notes.txt"
  assert_output --partial "**sandbox**: on"
  assert_output --partial "01-socket               21 / 21  PASS   26 / 26"
  # lesson folders, one folder deeper (a zipped parent folder, unzipped by Gradescope)
  rm -rf "$ag/submission"/*
  mkdir -p "$ag/submission/socklab-work/01-socket"
  cp "$top/solutions/01-socket/sockets.c" "$ag/submission/socklab-work/01-socket/"
  gradescope
  assert_equal "$(score)" 26
  [[ $(jq -r .output <<<"$json") == *"lesson folders, one folder deeper: socklab-work"* ]] || fail "$(jq -r .output <<<"$json")"
  # a whole clone of the lab, one folder deeper too
  rm -rf "$ag/submission"/*
  mkdir -p "$ag/submission/socklab-main"
  tar -C "$ag/submission/socklab-main" --strip-components=1 -xzf "$top/build/socklab-handout.tar.gz"
  cp "$top/solutions/01-socket/sockets.c" "$ag/submission/socklab-main/starter/01-socket/"
  gradescope
  assert_equal "$(score)" 26
  [[ $(jq -r .output <<<"$json") == *"a whole clone (its starter/), one folder deeper: socklab-main"* ]] || fail "$(jq -r .output <<<"$json")"
  # a zip of the lesson folder, uploaded inside another zip (it stays a .zip in submission/)
  rm -rf "$ag/submission"/*
  mkdir -p "$runner/zip/01-socket"
  cp "$top/solutions/01-socket/sockets.c" "$runner/zip/01-socket/"
  (cd "$runner/zip" && bsdtar -cf "$ag/submission/lesson01.zip" --format zip 01-socket)
  gradescope
  assert_equal "$(score)" 26
}

@test "Gradescope: failure messages are the student's, without the harness's insides; nothing to grade says why; no sandbox says so" {
  autograder
  # one mistake in the close line, and a warning: 19 of 26, the warning shown on top
  sed -e 's/"closed %d sockets\\n"/"closed %d socket!\\n"/' -e 's/^int main(/static int unused_helper(void) { int unused_x; return 0; }\nint main(/' \
    "$top/solutions/01-socket/sockets.c" >"$ag/submission/sockets.c"
  gradescope
  assert_equal "$(score)" 19
  failed=$(jq -r '.tests[] | select(.status == "failed") | .output' <<<"$json")
  [[ -n $failed && $failed != *"(in test file"* && $failed != *"explained_in"* && $failed != *"from function"* ]] ||
    fail "the failure messages show the harness's insides: $failed"
  [[ $(jq -r .output <<<"$json") == *"warning: unused variable"* ]] || fail "no compiler warning on top: $(jq -r .output <<<"$json")"
  # a submission with no program in it: no points, and the output says what to hand in
  rm -rf "$ag/submission"/*
  printf 'hello\n' >"$ag/submission/report.pdf"
  gradescope
  assert_equal "$(score)" 0
  [[ $(jq -r .output <<<"$json") == *"Nothing was graded"* ]] || fail "$(jq -r .output <<<"$json")"
  # where bwrap cannot make namespaces: graded all the same, and results.json says the sandbox was off
  cp "$top/solutions/01-socket/sockets.c" "$ag/submission/"
  mkdir -p "$runner/fake-bin"
  printf '#!/bin/sh\necho "bwrap: setting up uid map: Permission denied" >&2\nexit 1\n' >"$runner/fake-bin/bwrap"
  chmod 755 "$runner/fake-bin/bwrap"
  gradescope "$runner/fake-bin"
  assert_equal "$(score)" 26
  [[ $(jq -r .output <<<"$json") == *"**sandbox**: off: bwrap cannot make namespaces here (bwrap: setting up uid map: Permission denied)"* ]] ||
    fail "results.json does not say the sandbox was off: $(jq -r .output <<<"$json")"
}

@test "Gradescope: a failed networked test's output holds its ladder diagram in its code block, and the top says the wire was captured" {
  autograder
  sed -i 's/^lessons=(.*)$/lessons=(04-tcp)/' "$ag/run_autograder"
  # a server that resets the connection instead of closing it (the zoo's mistake), one test graded
  cp -r "$top/solutions/04-tcp" "$ag/submission/"
  sed '/^# /d' "$top/tests/selftest/mutants/04-server-resets-instead-of-closing.patch" | patch -s -d "$ag/submission" -p1
  BATS_FLAGS="--filter server:.prints.the.client.s.line.with.its.address" gradescope
  failed=$(jq -r '.tests[] | select(.name | startswith("04-tcp: server: prints the client")) | .status + "\n" + .output' <<<"$json")
  assert_equal "$(head -1 <<<"$failed")" failed
  assert_equal "$(sed -n 2p <<<"$failed")" '```'
  assert_equal "$(tail -1 <<<"$failed")" '```'
  grep -qx 'the wire during this test (loopback; ms since the test began):' <<<"$failed" || fail "no ladder: $failed"
  grep -qE '^ +server \(your program\) +tcp_client \(test peer\)$' <<<"$failed" || fail "no named columns: $failed"
  grep -qE -- '[|]-+ RST -+>[|]$' <<<"$failed" || fail "no RST in the ladder: $failed"
  grep -qE '^its packets: build/reports/[^ ]+/04-tcp/[^ ]+\.pcap$' <<<"$failed" || fail "no packets' file: $failed"
  [[ $(jq -r .output <<<"$json") == *"**capture of the wire**: on"* ]] || fail "$(jq -r .output <<<"$json")"
}
