#!/usr/bin/env bats
# The student's loop, checked by make test (tests/selftest/run), not by make check: make hint
# (successive levels, both languages), make progress, what tests/student/show-results shows of a failed
# run, the harness's words in Chinese, a crash under the sanitizers, and make watch.
#
# Everything runs on fixtures in the test's temporary folder: lessons with their own hints
# files (SOCKLAB_LESSONS), reports and remembered levels in a build folder of their own
# (SOCKLAB_BUILD), student copies (IMPL). No lesson's real tests run here.

setup() {
  bats_require_minimum_version 1.5.0
  bats_load_library bats-support
  bats_load_library bats-assert
  top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
  tmp=$BATS_TEST_TMPDIR
  export SOCKLAB_LESSONS="$tmp/lessons" SOCKLAB_BUILD="$tmp/build" SOCKLAB_TESTS="$tmp/tests"
  export LANG=C.UTF-8
  unset LAB_LANG LC_ALL LC_MESSAGES VERBOSE LEVEL SANITIZE
}

teardown() {
  # the sanitizer test builds a copy under the real build/: do not leave it behind
  [[ -z ${san_copy:-} ]] || rm -rf "$top/build"/*"$(basename "$san_copy")"*
  # the Chinese test grades copies: their programs, reports and hint levels
  local copy
  for copy in ${zh_starter:-} ${zh_mistakes:-}; do
    rm -rf "$top/build/$("$top/tests/grader/copy-key" "$copy")" "$top/build/reports/$("$top/tests/grader/copy-key" "$copy")" \
      "$top/build/hints/$("$top/tests/grader/copy-key" "$copy")"
  done
}

# fixture_lesson: lesson 04-tcp with sections 3 and 5 in both languages, and hints for
# section 3 (three levels) and section 5 (level 1 only); its tests file names tap_04's tests,
# each with its Chinese name.
fixture_lesson() {
  local d="$SOCKLAB_LESSONS/04-tcp"
  mkdir -p "$d"
  fixture_tests
  printf '# Lesson 04\n\n## 3. The server\n\ntext\n\n## 5. A byte stream\n\ntext\n' >"$d/README.md"
  printf '# 第 4 课\n\n## 3. 服务器\n\n正文\n\n## 5. 字节流\n\n正文\n' >"$d/README.zh.md"
  cat >"$d/hints.md" <<'EOF'
# Hints: lesson 04, TCP

Ask for one at a time: `make hint LESSON=04`.

## 3. The server

### Hint 1: the idea

EN-3-IDEA the server must listen first.

### Hint 2: the calls and the trap

EN-3-CALLS name the calls.

### Hint 3: step by step

EN-3-STEPS in words.

## 5. A byte stream

### Hint 1: the idea

EN-5-IDEA
EOF
  cat >"$d/hints.zh.md" <<'EOF'
# 提示：第 04 课

## 3. 服务器

### 提示 1：思路

ZH-3-思路

### 提示 2：用哪些调用，小心什么

ZH-3-调用

### 提示 3：一步一步

ZH-3-步骤
EOF
}

# fixture_tests: tests/04-tcp.bats for tap_04's tests (SOCKLAB_TESTS), with Chinese names.
fixture_tests() {
  mkdir -p "$SOCKLAB_TESTS"
  # a line that starts with "@test" here would be rewritten by bats itself: they say "TEST"
  sed 's/^TEST /@test /' >"$SOCKLAB_TESTS/04-tcp.bats" <<'EOF'
# zh: 服务器：错误的选项是用法错误
# bats test_tags=starter-provides
TEST "server: a bad option is a usage error" {
  explained_in 9
}

# zh: 服务器：打印客户端的这一行并应答
# bats test_tags=points:2
TEST "server: prints the client's line and replies" {
  explained_in 3
}

# zh: 服务器：一次一个字节发来的一行仍是一条消息
# bats test_tags=points:1
TEST "server: a line sent one byte at a time is one message" {
  explained_in 5
}

# zh: 服务器：空行也是一条消息
# bats test_tags=points:1
TEST "server: an empty line is a message too" {
  explained_in 5
}

# zh: 客户端：打印应答
# bats test_tags=points:1
TEST "client: prints the reply" {
  explained_in 5
}
EOF
}

# fixture_copy NAME: a student's copy of lesson 04 whose files are older than its report.
fixture_copy() {
  local copy="$tmp/$1"
  mkdir -p "$copy/04-tcp"
  echo 'int main(void) { return 1; }' >"$copy/04-tcp/server.c"
  touch -d '1 hour ago' "$copy/04-tcp/server.c"
  echo "$copy"
}

# report IMPL LESSON: write stdin as IMPL's report of LESSON, where tests/grader/run-lessons keeps it.
report() {
  local dir="$SOCKLAB_BUILD/reports/$("$top/tests/grader/copy-key" "$1")"
  mkdir -p "$dir"
  cat >"$dir/$2.tap"
}

# A lesson 04 run as bats reports it: test 1 passes; 2, 3 and 4 fail because the server
# never listens (each on its own port); 5 fails with an expected/received pair.
tap_04() {
  cat <<'EOF'
1..5
ok 1 server: a bad option is a usage error
not ok 2 server: prints the client's line and replies
# (from function `_not_ready' in file tests/harness/test_helper.bash, line 246,
#  from function `wait_tcp' in file tests/harness/test_helper.bash, line 253,
#  in test file tests/04-tcp.bats, line 97)
#   `start_server srv "$port"' failed
# waited for srv to listen on TCP port 30343: the program exited first
# its stdout:
# its stderr: server: socket (port 30343): Function not implemented
#
# read: lessons/04-tcp/README.md     section 3. The server
# 读:   lessons/04-tcp/README.zh.md  第 3 节 服务器
# explained_in: 3
# stuck? make hint LESSON=04 gives a hint for the first failing test
not ok 3 server: a line sent one byte at a time is one message
# (from function `_not_ready' in file tests/harness/test_helper.bash, line 246,
#  in test file tests/04-tcp.bats, line 109)
#   `start_server srv "$port"' failed
# waited for srv to listen on TCP port 28377: the program exited first
# its stdout:
# its stderr: server: socket (port 28377): Function not implemented
#
# read: lessons/04-tcp/README.md     section 5. A byte stream
# 读:   lessons/04-tcp/README.zh.md  第 5 节 字节流
# explained_in: 5
# stuck? make hint LESSON=04 gives a hint for the first failing test
not ok 4 server: an empty line is a message too
# (in test file tests/04-tcp.bats, line 155)
#   `start_server srv "$port"' failed
# waited for srv to listen on TCP port 21491: the program exited first
# its stdout:
# its stderr: server: socket (port 21491): Function not implemented
#
# read: lessons/04-tcp/README.md     section 5. A byte stream
# explained_in: 5
# stuck? make hint LESSON=04 gives a hint for the first failing test
not ok 5 client: prints the reply
# (from function `flunk_wire' in file tests/harness/test_helper.bash, line 72,
#  in test file tests/04-tcp.bats, line 200)
#
# -- the client did not print the reply --
# expected : thank you !
# received : (nothing)
# --
#
# read: lessons/04-tcp/README.md     section 5. A byte stream
# explained_in: 5
# stuck? make hint LESSON=04 gives a hint for the first failing test
EOF
}

# ---- make hint ----

@test "hint: levels 1, 2, 3 of the first failing test's section, then no more, naming the test and the section" {
  fixture_lesson
  export IMPL
  IMPL=$(fixture_copy alice)
  tap_04 | report "$IMPL" 04-tcp
  run "$top/tests/student/hint" 04
  assert_success
  assert_output --partial "lesson 04-tcp, first failing test: \"server: prints the client's line and replies\""
  assert_output --partial "read: $SOCKLAB_LESSONS/04-tcp/README.md, section 3. The server"
  refute_output --partial "##"
  assert_output --partial "EN-3-IDEA"
  refute_output --partial "EN-3-CALLS"
  refute_output --partial "EN-5-IDEA" # the first failing test names section 3, not 5
  run "$top/tests/student/hint" 04
  assert_output --partial "EN-3-CALLS"
  refute_output --partial "EN-3-IDEA"
  run "$top/tests/student/hint" 04-tcp
  assert_output --partial "EN-3-STEPS"
  refute_output --partial "EN-3-CALLS"
  run "$top/tests/student/hint" 04
  assert_success
  assert_output --partial "No more hints for section 3"
  assert_output --partial "lessons/04-tcp/README.md"
  refute_output --partial "EN-3-"
  # LEVEL=N shows a level again
  LEVEL=1 run "$top/tests/student/hint" 04
  assert_output --partial "EN-3-IDEA"
}

@test "hint in Chinese (LAB_LANG=zh, or a zh LANG): hints.zh.md and Chinese words; levels are kept per implementation" {
  fixture_lesson
  local alice bob
  alice=$(fixture_copy alice) bob=$(fixture_copy bob)
  tap_04 | report "$alice" 04-tcp
  tap_04 | report "$bob" 04-tcp
  LAB_LANG=zh IMPL=$alice run "$top/tests/student/hint" 04
  assert_success
  assert_output --partial "第 04 课，第一个失败的测试：“服务器：打印客户端的这一行并应答”"
  assert_output --partial "请读：$SOCKLAB_LESSONS/04-tcp/README.zh.md，第 3 节 服务器"
  refute_output --partial "##"
  refute_output --partial "server: prints"
  assert_output --partial "ZH-3-思路"
  refute_output --partial "EN-3-"
  LANG=zh_CN.UTF-8 IMPL=$alice run "$top/tests/student/hint" 04
  assert_output --partial "ZH-3-调用"
  LAB_LANG=zh IMPL=$alice run "$top/tests/student/hint" 04
  assert_output --partial "ZH-3-步骤"
  LAB_LANG=zh IMPL=$alice run "$top/tests/student/hint" 04
  assert_output --partial "第 3 节没有更多提示了"
  refute_output --partial "ZH-3-"
  # another student's copy starts at level 1; LAB_LANG=en wins over a zh LANG
  LANG=zh_CN.UTF-8 LAB_LANG=en IMPL=$bob run "$top/tests/student/hint" 04
  assert_output --partial "EN-3-IDEA"
}

@test "hint: when every test of the lesson passes, it says so and shows no hint" {
  fixture_lesson
  export IMPL
  IMPL=$(fixture_copy alice)
  printf '1..2\nok 1 server: a\nok 2 client: b\n' | report "$IMPL" 04-tcp
  run "$top/tests/student/hint" 04
  assert_success
  assert_output --partial "Every test of lesson 04-tcp passes"
  refute_output --partial "EN-3-"
}

# ---- make progress ----

# progress_fixture: a copy with lesson 01 done, 02 partly done, 03 untouched (the starter's files).
progress_fixture() {
  export IMPL="$tmp/carol"
  mkdir -p "$SOCKLAB_LESSONS" "$IMPL" "$SOCKLAB_TESTS"
  for l in 01-socket 02-udp 03-udp-chat; do
    cp -r "$top/lessons/$l" "$SOCKLAB_LESSONS/"
    cp "$top/tests/$l.bats" "$SOCKLAB_TESTS/"
    cp -r "$top/starter/$l" "$IMPL/"
  done
  echo '/* mine */' >>"$IMPL/01-socket/sockets.c"
  echo '/* mine */' >>"$IMPL/02-udp/udp_ask.c"
  touch -d '1 hour ago' "$IMPL"/*/*.c
  printf '1..2\nok 1 sockets: one\nok 2 sockets: two\n' | report "$IMPL" 01-socket
  printf '1..3\nok 1 udp_send: sends\nnot ok 2 udp_ask: waits for the reply\n# boom\n# explained_in: 4\nnot ok 3 udp_recv: c\n' |
    report "$IMPL" 02-udp
}

@test "progress: each lesson's state in order, and the next thing to do: file, first failing test, section" {
  progress_fixture
  run "$top/tests/student/progress"
  assert_success
  refute_output --partial "grading" # the reports are up to date: nothing runs
  assert_line --regexp '^  01-socket +done \(2 of 2\)$'
  assert_line --regexp '^  02-udp +1 of 3 passing$'
  assert_line --regexp '^  03-udp-chat +not started$'
  assert_line "next: lesson 02-udp"
  assert_line "  edit:  $IMPL/02-udp/udp_ask.c"
  assert_line '  first failing test: "udp_ask: waits for the reply"'
  # the section's title as a terminal shows it: without the heading's Markdown backticks
  assert_line --regexp "^  read: .*/02-udp/README.md +section 4\. $(grep -m1 '^## 4\. ' "$top/lessons/02-udp/README.md" | sed 's/^## 4\. //; s/`//g; s/[][\.*^$()|+?{}]/\\&/g')$"
  assert_line --partial "make hint LESSON=02 IMPL=$IMPL"
}

@test "progress in Chinese; with lessons 01 and 02 done, the next thing is lesson 03's first test" {
  progress_fixture
  printf '1..1\nok 1 udp_ask: waits for the reply\n' | report "$IMPL" 02-udp
  LAB_LANG=zh run "$top/tests/student/progress"
  assert_success
  assert_line --regexp '^  01-socket +完成（2 / 2）$'
  assert_line --regexp '^  02-udp +完成（1 / 1）$'
  assert_line --regexp '^  03-udp-chat +尚未开始$'
  assert_line "下一步：第 03 课"
  # the test's Chinese name, and the section without Markdown
  assert_output --partial "第一个要通过的测试：“$(sed -n 's/^# zh: //p' "$top/tests/03-udp-chat.bats" | sed -n 2p)”"
  assert_line --regexp "^  阅读：.*03-udp-chat/README\.zh\.md +第 [0-9]+ 节 "
}

# ---- tests/student/show-results ----

@test "present: no stack frames, a shared reason said once on top, the other failure in full, make hint last" {
  tap_04 >"$tmp/04.tap"
  run "$top/tests/student/show-results" 04-tcp "$tmp/04.tap"
  assert_success
  refute_output --partial "from function"
  refute_output --partial "in test file"
  refute_output --partial "' failed"
  refute_output --partial "explained_in:"
  assert_output --partial "3 of the 4 failing tests fail for the same reason"
  [[ $(grep -c 'waited for srv to listen on TCP port' <<<"$output") == 1 ]] ||
    fail "the shared reason should appear once: $output"
  assert_line "ok 1 server: a bad option is a usage error"
  assert_line "not ok 4 server: an empty line is a message too"
  assert_output --partial "expected : thank you !"
  assert_output --partial "received : (nothing)"
  # each test keeps its own section
  assert_line --regexp '^    read: lessons/04-tcp/README.md +section 3\. The server$'
  [[ $(grep -c 'make hint LESSON=04' <<<"$output") == 1 ]] || fail "one hint line per lesson: $output"
  assert_regex "${lines[-1]}" 'make hint LESSON=04'
}

@test "present: VERBOSE=1 keeps the stack frames; LAB_LANG=zh says the shared reason and the hint in Chinese" {
  tap_04 >"$tmp/04.tap"
  VERBOSE=1 run "$top/tests/student/show-results" 04-tcp "$tmp/04.tap"
  assert_output --partial "(from function \`_not_ready' in file tests/harness/test_helper.bash, line 246,"
  fixture_tests
  LAB_LANG=zh run "$top/tests/student/show-results" 04-tcp "$tmp/04.tap"
  assert_output --partial "有 3 个测试（共 4 个失败）失败的原因相同"
  # each test by its Chinese name (its "# zh:" line); the grader's summary line in Chinese
  assert_line "ok 1 服务器：错误的选项是用法错误"
  assert_line "not ok 4 服务器：空行也是一条消息"
  refute_output --partial "server: an empty line"
  assert_regex "${lines[-1]}" '卡住了？运行 make hint LESSON=04'
}

# ---- what crossed the wire (tests/harness/wire.bash), wherever a failure is read ----

# tap_wire_04 [zh]: a lesson 04 run whose tests 2 and 3 fail for one reason (the client saw a
# reset), each with a ladder of its own (ports 41111 and 42222), and test 4 for another, with
# no packet; the wire blocks in English, or in Chinese.
tap_wire_04() {
  local title="the wire during this test (loopback; ms since the test began):" file="its packets:"
  local none="the wire during this test: no packet (nothing was sent over loopback)"
  local yours="server (your program)" peer="tcp_client (test peer)" ms=ms bytes=bytes n port
  if [[ ${1:-} == zh ]]; then
    title="本测试期间链路上的分组（环回接口；时间是测试开始后的毫秒数）：" file="抓包文件："
    none="本测试期间链路上没有分组（环回接口上什么也没有发送）"
    yours="server（你的程序）" peer="tcp_client（测试对端）" ms=毫秒 bytes=字节
  fi
  printf '1..4\nok 1 server: a bad option is a usage error\n'
  for n in 2 3; do
    port=$((41111 * (n - 1)))
    cat <<EOF
not ok $n server: test $n replies and closes
# (in test file tests/04-tcp.bats, line 10$n)
#   \`assert_thank_you srv' failed
#
# -- the test client did not receive the reply and then the server's close --
# expected : thank you !
# received : thank you ! (exit 1)
# --
#
# stderr of the last program run:
# tcp_client: sent 6 bytes, received 12 bytes, Connection reset by peer
#
# $title
#            $peer   $yours
#        $ms  127.0.0.1:5000$n          127.0.0.1:$port
#     1.000  |--------- SYN --------->|
#     1.500  |<-------- PSH ----------|  12 $bytes "thank you !\\n"
#     1.600  |<-------- RST ----------|
# $file build/reports/x/04-tcp/test-$n.pcap
# open them with: tcpdump -nn -r build/reports/x/04-tcp/test-$n.pcap
#
# read: lessons/04-tcp/README.md     ## 3. The server
# explained_in: 3
# stuck? make hint LESSON=04 gives a hint for the first failing test
EOF
  done
  cat <<EOF
not ok 4 client: prints the reply
# -- the client did not print the reply --
# expected : thank you !
# received : (nothing)
# --
#
# $none
#
# read: lessons/04-tcp/README.md     ## 5. A byte stream
# explained_in: 5
EOF
}

# between FROM TO ERE: a line of $output between the first line that starts with FROM and the
# next one that starts with TO (or the end) matches ERE.
between() {
  awk -v from="$1" -v to="$2" 'index($0, from) == 1 { on = 1; next } on && index($0, to) == 1 { exit } on' <<<"$output" |
    grep -qE -- "$3"
}

# assert_between FROM TO ERE / refute_between FROM TO ERE: between, as an assertion.
assert_between() {
  between "$@" || fail "$(printf 'no line /%s/ between "%s" and "%s" in:\n%s' "$3" "$1" "$2" "$output")"
}
refute_between() {
  ! between "$@" || fail "$(printf 'a line /%s/ between "%s" and "%s" in:\n%s' "$3" "$1" "$2" "$output")"
}

@test "present: failures that share a reason still show each its own wire, under its own name, in English and in Chinese" {
  for lang in en zh; do
    tap_wire_04 "$lang" >"$tmp/04.tap"
    LAB_LANG=$lang run "$top/tests/student/show-results" 04-tcp "$tmp/04.tap"
    assert_success
    # the ladders differ, the reason is the same: grouped, and the reason shown once, without a ladder
    if [[ $lang == zh ]]; then
      assert_output --partial "有 2 个测试（共 3 个失败）失败的原因相同"
    else
      assert_output --partial "2 of the 3 failing tests fail for the same reason"
    fi
    assert_between "(1) " "ok 1 " "Connection reset by peer"
    refute_between "(1) " "ok 1 " "RST"
    assert_between "not ok 2 " "not ok 3 " '\|<-+ RST -+\|$'
    assert_between "not ok 2 " "not ok 3 " '127\.0\.0\.1:41111$'
    assert_between "not ok 2 " "not ok 3 " 'build/reports/x/04-tcp/test-2\.pcap$'
    assert_between "not ok 2 " "not ok 3 " 'README\.md +## 3\. The server$'
    assert_between "not ok 3 " "not ok 4 " '127\.0\.0\.1:82222$'
    assert_between "not ok 3 " "not ok 4 " 'build/reports/x/04-tcp/test-3\.pcap$'
    refute_between "not ok 3 " "not ok 4 " '41111'
    if [[ $lang == zh ]]; then
      assert_between "not ok 4 " "stuck" "^ +本测试期间链路上没有分组"
    else
      assert_between "not ok 4 " "stuck" "^ +the wire during this test: no packet"
    fi
  done
}

@test "hint: after the hint, what crossed the wire during the first failing test" {
  fixture_lesson
  export IMPL
  IMPL=$(fixture_copy alice)
  tap_wire_04 | report "$IMPL" 04-tcp
  run "$top/tests/student/hint" 04
  assert_success
  assert_output --partial "EN-3-IDEA"
  assert_line "the wire during this test (loopback; ms since the test began):"
  assert_line --regexp '^ +ms  127\.0\.0\.1:50002 +127\.0\.0\.1:41111$'
  assert_line "its packets: build/reports/x/04-tcp/test-2.pcap"
  refute_output --partial "82222" # the first failing test's wire, not another's
}

@test "JUnit: a failure's text holds its ladder and the path of its packets" {
  tap_wire_04 >"$tmp/04.tap"
  printf '04-tcp\t%s\t\t%s\n' 1 "server: a bad option is a usage error" 3 "server: test 2 replies and closes" \
    3 "server: test 3 replies and closes" 2 "client: prints the reply" >"$tmp/points"
  awk -F'\t' -v lesson=04-tcp -v filters= -v notesfile= -v too_long=0 -v budget=600 -v tapfile="$tmp/out.tap" \
    -v junitfile="$tmp/04.junit.xml" -v rowfile="$tmp/row" -f "$top/tests/grader/reports.awk" "$tmp/points" "$tmp/04.tap"
  run grep -c '|&lt;-------- RST ----------|$' "$tmp/04.junit.xml"
  assert_output 2
  run grep -c '^its packets: build/reports/x/04-tcp/test-[23]\.pcap$' "$tmp/04.junit.xml"
  assert_output 2
  run grep -c 'no packet (nothing was sent over loopback)$' "$tmp/04.junit.xml"
  assert_output 1
}

# ---- the harness's words, and a crash under the sanitizers ----

# mini_lesson: a fixture lesson 01-socket next to links to the real harness, so that a tiny
# .bats file can load tests/harness/test_helper.bash as the lessons' tests do.
mini_lesson() {
  mkdir -p "$tmp/mini/tests/harness" "$tmp/mini/lessons/01-socket"
  for f in test_helper.bash lang.bash wire.bash sanitizer-report.awk; do ln -s "$top/tests/harness/$f" "$tmp/mini/tests/harness/$f"; done
  printf '## 2. Two\n' >"$tmp/mini/lessons/01-socket/README.md"
  printf '## 2. 第二节\n' >"$tmp/mini/lessons/01-socket/README.zh.md"
  # a line that starts with "@test" here would be rewritten by bats itself: they say "TEST"
  sed 's/^TEST /@test /' >"$tmp/mini/tests/01-socket.bats"
}

# mini_run BIN_DIR: run the mini lesson's tests on BIN_DIR's programs; the TAP goes to $tmp/mini.tap.
# The inner bats gets a clean environment and not our fd 3: the outer bats' variables
# confuse it (it finds no test), and it would write into our report.
mini_run() {
  local path # without bats' own libexec folder, which the outer bats put first
  path=$(tr : '\n' <<<"$PATH" | grep -v 'bats-core' | paste -sd:)
  env -i PATH="$path" HOME="$HOME" LANG="$LANG" ${LAB_LANG:+LAB_LANG=$LAB_LANG} \
    ${BATS_LIB_PATH:+BATS_LIB_PATH=$BATS_LIB_PATH} TMPDIR="$tmp" \
    SOCKLAB_BIN="$1" SOCKLAB_PEERS="$top/build/peers" SOCKLAB_LESSON=01-socket \
    bats --formatter tap "$tmp/mini/tests/01-socket.bats" >"$tmp/mini.tap" 3>&- || true
}

@test "harness words in Chinese with LAB_LANG=zh: expected/received, the section to read first, the hint line" {
  mini_lesson <<'EOF'
setup() { load harness/test_helper; }
teardown() { lab_teardown; }
TEST "a wire test" { explained_in 2; flunk_wire "the reply differs" "hello" "nothing"; }
EOF
  LAB_LANG=zh mini_run "$tmp"
  run cat "$tmp/mini.tap"
  assert_output --partial "期望"
  assert_output --partial "实际收到"
  assert_output --partial "请读：lessons/01-socket/README.zh.md  第 2 节 第二节"
  assert_output --partial "英文版：lessons/01-socket/README.md  第 2 节"
  refute_output --partial "Two"
  assert_output --partial "# explained_in: 2"
  assert_output --partial "卡住了？运行 make hint LESSON=01"
  mini_run "$tmp"
  run cat "$tmp/mini.tap"
  assert_output --partial "expected"
  assert_output --partial "received"
  assert_output --partial "stuck? make hint LESSON=01"
  refute_output --partial "期望"
}

# tap_test N: the lines of test N of $tmp/mini.tap (its result line and its comment lines).
tap_test() {
  awk -v n="$1" '/^(ok|not ok) / { inside = ($0 ~ "^(not )?ok " n " ") } inside' "$tmp/mini.tap"
}

@test "a wait for a line that a running program never flushed names the lesson's section on buffering" {
  mkdir -p "$tmp/bin"
  cat >"$tmp/buffered.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
  printf("first\n");
  if (argc > 1 && strcmp(argv[1], "flush") == 0)
    fflush(stdout); /* the first line goes out; the second stays in stdio's buffer */
  printf("second\n");
  sleep(30);
  return 0;
}
EOF
  cc -o "$tmp/bin/sockets" "$tmp/buffered.c"
  mini_lesson <<'EOF'
BUFFERING_EXPLAINED_IN=2
setup() { load harness/test_helper; READY_MS=1000; }
teardown() { lab_teardown; }
TEST "printed nothing" { explained_in 2; spawn_prog p sockets; wait_line p '^first$'; }
TEST "printed nothing since the last line found" { explained_in 2; spawn_prog p sockets flush; wait_line p '^first$'; wait_line p '^second$'; }
TEST "printed another line" { explained_in 2; spawn_prog p sockets flush; wait_line p '^third$'; }
EOF
  mini_run "$tmp/bin"
  for n in 1 2; do
    run tap_test "$n"
    assert_output --partial "Its lines may still be in stdio's buffer"
    assert_output --partial "Buffering is explained in the lesson's section 2. Two."
  done
  run tap_test 3
  assert_output --partial "did not happen within 1000 ms"
  refute_output --partial "buffer"
  LAB_LANG=zh mini_run "$tmp/bin"
  run tap_test 1
  assert_output --partial "它打印的行可能还在 stdio 的缓冲区里"
  assert_output --partial "缓冲在课文的这一节讲：第 2 节 第二节。"
}

@test "a program built with SANITIZE=1 that overflows the heap: the failure shows the kind and the student's file:line" {
  san_copy="$tmp/heapbug$$"
  mkdir -p "$san_copy/01-socket"
  cat >"$san_copy/01-socket/sockets.c" <<'EOF'
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
  (void)argv;
  char *name = malloc(8);
  memset(name, 'x', 8 + (size_t)argc); /* line 6: one byte too many for every argument */
  int first = name[0];
  free(name);
  return first == 0;
}
EOF
  make -C "$top" --no-print-directory impl IMPL="$san_copy" LESSON=01 SANITIZE=1 >/dev/null
  local bin
  bin=$(dirname "$(ls -d "$top"/build/*heapbug$$*-san/01-socket/sockets)")
  mini_lesson <<'EOF'
setup() { load harness/test_helper; }
teardown() { lab_teardown; }
TEST "sockets tcp prints a ready line" { explained_in 2; run_prog sockets tcp; assert_success; }
TEST "sockets udp prints a ready line" { explained_in 2; run_prog sockets udp; assert_success; }
EOF
  mini_run "$bin"
  run "$top/tests/student/show-results" 01-socket "$tmp/mini.tap"
  assert_output --partial "the program crashed under the sanitizers: AddressSanitizer: heap-buffer-overflow"
  assert_output --regexp "in your code at [^ ]*heapbug$$/01-socket/sockets\.c:6 \(main\)"
  assert_output --partial "2 of the 2 failing tests fail for the same reason"
  refute_output --partial "Shadow bytes"
}

# ---- everything a student reads in Chinese ----

# The checker itself: output as the lab printed it before its tools spoke Chinese (English test
# names, a test's English sentences, the harness's English phrases) has English sentences; the same
# with the student's program output, test data and commands only has none.
@test "check-zh-output finds the lab's English sentences and leaves programs' output, data and commands alone" {
  run "$top/tests/selftest/check-zh-output" <<'EOF'
not ok 5 server: prints the client's line with its address, replies "thank you !", exits 0
    -- the test client did not receive the reply and then the server's close --
    期望 : t   h   a   n   k       y   o   u       !  \n    (12 bytes, then end of stream; exit 0)
    the server (srv) printed so far:
# socklab: lesson 04-tcp points 64 / 64, tests 39 passed / 39
EOF
  assert_failure 1
  assert_output --partial "english: server: prints the client's line with its address"
  assert_output --partial "english: the test client did not receive the reply"
  assert_output --partial "english: bytes, then end of stream"
  assert_output --partial "english: the server (srv) printed so far"
  assert_output --partial "4 line(s) with an English sentence"
  run "$top/tests/selftest/check-zh-output" --source "$top/starter" <<'EOF'
not ok 5 服务器：打印客户端的这一行及其地址，应答“thank you !”，以状态 0 退出
    -- 输出不同 --
    期望 : received 5 bytes from 127.0.0.1:40000: hello there my friend
    实际 : nothing at all was printed here
    --
    等待 udp_chat 打印一行匹配 /^from 127\.0\.0\.1:[0-9]+: hello from the other side$/ 的输出：5000 毫秒内没有发生
    它的标准错误： udp_chat: this is what the student's program said
    client: connect to 127.0.0.1 port 7788: Connection refused
    卡住了？运行 make hint LESSON=04，获得第一个失败测试的提示
    见 `setvbuf(stdout, NULL, _IOLBF, 0)` 和 lessons/03-udp-chat/README.md
make: *** [Makefile:116: check] Error 1
EOF
  assert_success
}

# zh_copy DIR: a copy with one mistake in each of two lessons, as tests/selftest/mutants/ has them:
# lesson 03's udp_chat without line buffering, lesson 04's server taking an empty line for no message.
zh_copy() {
  mkdir -p "$1"
  cp -r "$top/solutions/03-udp-chat" "$top/solutions/04-tcp" "$1/"
  (cd "$1" && patch -s -p1 <"$top/tests/selftest/mutants/03-chat-not-line-buffered.patch" &&
    patch -s -p1 <"$top/tests/selftest/mutants/04-server-empty-line-is-no-message.patch")
}

# check_zh_output COPY WHAT: no English sentence of the lab's own in $output (what WHAT printed).
# What the copy's programs print is theirs (its sources), and so is what they should print: the
# expected lines a failure shows (the reference's sources, of the copy's lessons).
check_zh_output() {
  local sources=(--source "$1") lesson
  for lesson in "$1"/[0-9][0-9]-*/; do
    lesson=${lesson%/} lesson=${lesson##*/}
    sources+=(--source "$top/solutions/$lesson")
  done
  printf '%s\n' "$output" >"$tmp/shown"
  run "$top/tests/selftest/check-zh-output" "${sources[@]}" <"$tmp/shown"
  ((status == 0)) || fail "$2 printed English sentences of the lab's own in Chinese:
$output"
  output=$(<"$tmp/shown")
}

@test "in Chinese, make check, make progress and make hint say nothing in English: the starter, and a copy with mistakes" {
  # the lab's real lessons, tests and build folder; a copy of the starter and a copy with
  # mistakes each get their own reports and hint levels (removed in teardown)
  unset SOCKLAB_LESSONS SOCKLAB_BUILD SOCKLAB_TESTS GRADE_RAW # make test sets GRADE_RAW: raw TAP
  export LAB_LANG=zh
  export READY_MS=3000 # the harness's waits (5000 ms by default): lesson 03's copy fails 14 of them
  zh_starter=$tmp/starter-zh zh_mistakes=$tmp/mistakes-zh
  mkdir -p "$zh_starter"
  # the starter's lessons 01 and 07 (its lesson 04 fails as the copy's does, and step 3 of make
  # test grades the starter: in Chinese here, every failure of lesson 04 cost a minute more)
  cp -r "$top/starter/01-socket" "$top/starter/07-layers" "$zh_starter/"
  zh_copy "$zh_mistakes"
  local impl lessons last dir
  for impl in "$zh_starter" "$zh_mistakes"; do
    lessons="01 07"
    [[ $impl == "$zh_starter" ]] || lessons="03 04"
    last=${lessons#* }
    dir=$(cd "$impl" && echo "$last"-*)
    run make -C "$top" --no-print-directory check IMPL="$impl" LESSON="$lessons"
    assert_failure
    check_zh_output "$impl" "make check IMPL=$impl LESSON=\"$lessons\""
    assert_output --partial "socklab：第 $last 课 得分"
    assert_output --partial "请读：lessons/$dir/README.zh.md  第 "
    assert_output --partial "卡住了？运行 make hint LESSON="
    refute_output --regexp "^(not )?ok [0-9]+ (server|client)"
    if [[ $impl == "$zh_mistakes" ]]; then
      # lesson 03's chat without setvbuf: the wait names the section that teaches buffering
      assert_output --partial "它打印的行可能还在 stdio 的缓冲区里"
      assert_output --partial "缓冲在课文的这一节讲：第 4 节 "
      # lesson 04's server that answers no empty line: the test's own sentences, in Chinese
      assert_output --partial "测试客户端没有收到应答和随后服务器的关闭"
      # and the test peer's summary line, wherever it is shown, in Chinese (peer_words)
      assert_output --partial "最后运行的程序的标准错误："
      assert_output --partial "tcp_client：发出 1 字节，收到 0 字节，服务器关闭了连接"
      refute_output --partial "tcp_client: sent"
    fi
    run make -C "$top" --no-print-directory progress IMPL="$impl"
    check_zh_output "$impl" "make progress IMPL=$impl"
    assert_output --partial "下一步：第 "
    run make -C "$top" --no-print-directory hint LESSON="$last" IMPL="$impl"
    check_zh_output "$impl" "make hint LESSON=$last IMPL=$impl"
    assert_output --partial "第 $last 课，第一个失败的测试：“"
  done
}

# ---- make watch ----

# until_file_has FILE ERE: wait (at most 10 s) until FILE has a line matching ERE
# (the await peer polls it, with that deadline).
until_file_has() {
  "$top/build/peers/await" line "$1" "$2" --ms 10000 ||
    fail "waited 10 s for a line /$2/ in $1: $(cat "$1")"
}

@test "watch: runs the tests, then again when a .c file of the lesson changes (inotifywait, then polling)" {
  local copy="$tmp/dave" mode
  mkdir -p "$copy/01-socket" "$SOCKLAB_LESSONS/01-socket"
  echo 'int main(void) { return 0; }' >"$copy/01-socket/sockets.c"
  for mode in 0 1; do
    : >"$tmp/watch.out"
    # WATCH_CMD stands for make check; WATCH_RUNS=2 ends the watch after the second run
    IMPL=$copy WATCH_POLL=$mode WATCH_RUNS=2 WATCH_CMD='echo RUN' \
      timeout 30 "$top/tests/student/watch" 01 >"$tmp/watch.out" 2>&1 &
    until_file_has "$tmp/watch.out" RUN
    echo '/* saved */' >>"$copy/01-socket/sockets.c"
    wait $! || fail "watch (WATCH_POLL=$mode) did not end after the second run: $(cat "$tmp/watch.out")"
    run cat "$tmp/watch.out"
    assert_line --index 0 --partial "watching $copy/01-socket"
    assert_output --partial "changed: "
    [[ $(grep -c '^RUN$' <<<"$output") == 2 ]] || fail "expected two runs: $output"
  done
}
