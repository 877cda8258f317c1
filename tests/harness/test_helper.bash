# socklab test helper: the plumbing every lesson's tests share.
#
# Load it from setup() and call lab_teardown from teardown():
#
#     setup()    { load test_helper; }
#     teardown() { lab_teardown; }
#
# The environment comes from tests/grader/run-lessons (make check):
#   SOCKLAB_BIN     the built programs of one lesson (build/<impl>/<lesson>)
#   SOCKLAB_PEERS   the built test peers (build/peers)
#   SOCKLAB_LESSON  the lesson's name, e.g. 01-socket
#   SOCKLAB_IMPL    (optional) the IMPL of make check, for the make hint line of a failure
#   SOCKLAB_HINT_IMPL (optional) the IMPL that line names instead (starter: none), for gradings
#                   whose student runs make hint in a copy of their own (make grade, Gradescope)
#   SOCKLAB_UID     (optional) the user lab programs run as (tests/grader/run-lessons sets it when root)
#
# What it gives a test:
#   explained_in N           the lesson section a failure should send the student to
#   covers R7.3 [R7.4 ...]   the numbered rules of the lesson's contract this test checks
#   free_port VAR...         set each VAR to a port free for TCP and UDP, chosen now
#   run_prog [opts] P ARGS   run lab program P to completion under a timeout (sets status/output/stderr)
#   run_peer [opts] P ARGS   the same for a test peer (run_bounded: for any command)
#   lab_bin P                the path of lab program P (fails with the compiler's words if it did not build)
#   spawn_prog LABEL P ARGS  start lab program P in the background (spawn_peer for a peer,
#                            spawn_cmd for a system tool such as nc)
#   feed LABEL TEXT          write TEXT and a newline to its standard input (one write)
#   close_input LABEL        close its standard input (end of file)
#   wait_tcp / wait_udp LABEL PORT   wait until LABEL listens on / has bound PORT
#   wait_line LABEL ERE      wait until LABEL printed a line matching ERE (wait_err: on stderr;
#                            poll_line: the same, but returns a status instead of failing)
#   wait_exit LABEL [SECS]   close its input, wait for LABEL to end (within SECS, PROG_TIMEOUT by default);
#                            sets status/output/stderr like run
#   send_signal LABEL SIG    signal LABEL's program
#   prog_pid LABEL           the process ID of LABEL's program
#   fds_settled PID WANT     how many descriptors PID holds, waiting up to 3 s for WANT or fewer
#   time_wait_on PORT        is a connection of local port PORT in TIME_WAIT (or FIN_WAIT2)? up to 2 s
#   flunk_wire WHAT EXPECTED RECEIVED   fail with an expected/received pair
#   assert_same_file EXPECTED ACTUAL    byte-for-byte comparison, with sizes and checksums
#
# How programs run (the sandbox, confine, limits, the lesson's user): see "how programs run" below.
#
# A failure's fixed words (expected/received, waited for ..., did not compile, the section
# to read, the make hint line) are in the student's language: LAB_LANG=zh or a zh LANG
# (tests/harness/lang.bash). A crash under the sanitizers is summed up as its kind and the line of
# the student's .c file (tests/harness/sanitizer-report.awk). tests/student/show-results shows it all to students.

bats_require_minimum_version 1.5.0

# bats runs a trap before every command of a test and of every function it calls (a DEBUG
# trap, inherited through set -T), to say where a failed test stopped. Inside the harness's
# helpers, and while these files load, that trap cost more than the work itself (about 0.3 ms
# a command: a fifth of lesson 03's time). Only the test's own lines are traced now, and a
# failure is located at the line of the test that failed, not inside the helper it called.
set +T
[[ -z ${BATS_TEST_NAME:-} ]] || declare -ft "$BATS_TEST_NAME"
# bats-support and bats-assert, file by file: their load.bash files run $(dirname) once per
# file, a process each, and every test loads them again. On a machine where starting a
# process is slow that cost more than most tests (0.4 s a test against 0.03 s this way).
_lab_load_libraries() {
  local dir f
  for dir in ${BATS_LIB_PATH//:/ }; do
    [[ -f $dir/bats-support/src/output.bash && -f $dir/bats-assert/src/assert.bash ]] || continue
    for f in "$dir"/bats-support/src/{output,error,lang}.bash "$dir"/bats-assert/src/*.bash; do
      source "$f" || return 1
    done
    return 0
  done
  bats_load_library bats-support && bats_load_library bats-assert
}
_lab_load_libraries
# _lab_copy_function OLD NEW: define NEW as a copy of the function OLD (through a file: no
# subshell, which would cost a process every time a test loads this file)
_lab_copy_function() {
  local file=${BATS_TEST_TMPDIR:-${BATS_FILE_TMPDIR:-$BATS_RUN_TMPDIR}}/.function text=
  declare -f "$1" >"$file" || return 1
  IFS= read -r -d '' text <"$file" || true
  eval "$2${text#"$1"}"
}
# bats-assert's assert_line and refute_line stop with bash's "lines: parameter not set" when a
# program printed nothing (an empty array counts as unset): assert_line says so instead, and
# refute_line passes, as no line can match.
_lab_copy_function assert_line _bats_assert_line
_lab_copy_function refute_line _bats_refute_line
assert_line() {
  if declare -p lines &>/dev/null && ((${#lines[@]} == 0)); then
    say no_output "$*" | fail
    return
  fi
  _bats_assert_line "$@"
}
refute_line() {
  declare -p lines &>/dev/null && ((${#lines[@]} == 0)) && return 0
  _bats_refute_line "$@"
}
# this folder (tests/harness/), whichever test file loads it
_LAB_HARNESS=${BASH_SOURCE[0]%/*}
# the student's language (LAB_LANG, LANG) and the harness's fixed words in English and Chinese
source "$_LAB_HARNESS/lang.bash"
# what crossed the wire during a test, shown when it fails (the _wire_* calls below)
source "$_LAB_HARNESS/wire.bash"

: "${SOCKLAB_BIN:?run the tests with make check (SOCKLAB_BIN is not set)}"
: "${SOCKLAB_PEERS:?run the tests with make check (SOCKLAB_PEERS is not set)}"
: "${SOCKLAB_LESSON:?run the tests with make check (SOCKLAB_LESSON is not set)}"

# How long one program run to completion may take before it counts as hung (seconds), and how
# long a program in the background has to exit once its input is closed (wait_exit).
PROG_TIMEOUT=${PROG_TIMEOUT:-10}
# How long a program in the background may live in all (seconds): the test's own budget. It is
# no check of a hang (the waits with deadlines are: READY_MS, wait_exit), only a bound that no
# program outlives its test by: a correct server of a long test on a loaded machine must not be
# killed half-way through (a lifetime of PROG_TIMEOUT from its start did that).
SPAWN_TIMEOUT=${SPAWN_TIMEOUT:-${BATS_TEST_TIMEOUT:-60}}
# How long to wait for a program to get ready (milliseconds).
READY_MS=${READY_MS:-5000}

declare -gA _PID=() _INFD=() _NAME=() _LABPROG=() # _LABPROG: labels of lab programs (not peers)
declare -gA _LAST_ERE=() # per label, the last line a wait_line found on its stdout
declare -ga _PGIDS=() # every background process group, killed in teardown even after wait_exit
_SECTION=
_RULES=

# ---- failure messages --------------------------------------------------------

# explained_in N: name the section of the lesson (## N. ...) that explains this test.
# On failure, teardown prints its heading in both languages.
explained_in() {
  _SECTION=$1
}

# covers R7.3 [R7.4 ...]: the rules of the lesson's contract ("- **R7.3** ..." in its text)
# that this test checks. tests/selftest/check-rules reads these lines to find rules that no test
# checks; at run time the call only remembers the IDs (in _RULES) for a failure message.
covers() {
  _RULES="$*"
}

# _section_heading FILE N: the "## N. Title" line of a lesson file.
_section_heading() {
  grep -m1 -E "^## $2\. " "$1" || words no_section "$2" "$1"
}

# _print_section_hint: the section to read, in the student's language first ("section 3. The
# server", "第 3 节 服务器"; in Chinese the English text is named by its number only), then the
# "explained_in: N" line that tests/student/show-results and make hint read (present hides it),
# then the pointer at make hint. Printed in teardown when the test failed.
_print_section_hint() {
  local n=${SOCKLAB_LESSON%%-*}
  if [[ -n $_SECTION ]]; then
    local dir="$_LAB_HARNESS/../../lessons/$SOCKLAB_LESSON" zh
    zh=$(section_name "$(_section_heading "$dir/README.zh.md" "$_SECTION")" zh)
    printf '\n'
    if [[ $(lab_lang) == zh ]]; then
      say read_zh "$SOCKLAB_LESSON" "$zh"
      say read_en "$SOCKLAB_LESSON" "$(section_name "## $_SECTION." zh)"
    else
      say read_en "$SOCKLAB_LESSON" "$(section_name "$(_section_heading "$dir/README.md" "$_SECTION")" en)"
      say read_zh "$SOCKLAB_LESSON" "$zh"
    fi
    printf 'explained_in: %s\n' "$_SECTION"
  fi
  say_hint_line "$n"
}

# _sanitizer_summary: when a program of this test crashed under ASan/UBSan (make check
# SANITIZE=1), say what kind of error it was and where in the student's .c file: the full
# report is long, and its first frames are inside the C library or the sanitizer itself.
_sanitizer_summary() {
  local progs found kind where
  progs=$(cd "$SOCKLAB_BIN" 2>/dev/null && ls)
  found=$({
    printf '%s\n' "${stderr:-}"
    cat "$BATS_TEST_TMPDIR"/*.err 2>/dev/null
  } | awk -v progs=" ${progs//$'\n'/ } " -f "$_LAB_HARNESS/sanitizer-report.awk")
  [[ -n $found ]] || return 0
  IFS=$'\t' read -r kind where <<<"$found"
  printf '\n'
  say san_crash "$kind"
  if [[ -n $where ]]; then say san_where "$where"; else say san_nowhere; fi
}

# _sanitizer_trim: a program's stderr without the sanitizer's shadow-byte map, which tells a
# student nothing and would push the rest out of sight.
_sanitizer_trim() {
  awk '/^Shadow bytes around the buggy address:/ { skip = 1 } !skip { print } /^==[0-9]+==ABORTING/ { skip = 0 }'
}

# flunk_wire WHAT EXPECTED RECEIVED: fail, showing what should have crossed the wire and what did.
flunk_wire() {
  batslib_print_kv_single_or_multi 10 "$(words expected)" "$2" "$(words received)" "$3" |
    batslib_decorate "$1" | fail
}

# _visible: show bytes so that a student can see them (newlines, NULs, UTF-8 as octal).
_visible() {
  od -An -c | sed 's/^ *//' | head -20
}

# assert_same_file EXPECTED ACTUAL [WHAT]: the two files hold the same bytes. WHAT names the
# file in the student's language (en_zh), "the received file" by default.
assert_same_file() {
  local what=${3:-$(words file_received)}
  if [[ ! -e $2 ]]; then
    flunk_wire "$(words file_missing "$what")" "$(words file_bytes_in "$(wc -c <"$1")" "$2")" "$(words no_file)"
  elif ! cmp -s "$1" "$2"; then
    local where
    # cmp says "A B differ: byte N, line L", or "EOF on B after byte N" (B is shorter)
    where=$(cmp "$1" "$2" 2>&1 | head -1 | grep -oE 'byte [0-9]+' | head -1)
    where=${where#byte }
    [[ $(cmp "$1" "$2" 2>&1) != *EOF* ]] || where=$((where + 1))
    flunk_wire "$(words file_differs "$what" "${where:-?}")" \
      "$(words file_bytes_sum "$(wc -c <"$1")" "$(sha256sum <"$1" | cut -c1-16)")" \
      "$(words file_bytes_sum "$(wc -c <"$2")" "$(sha256sum <"$2" | cut -c1-16)")"
  fi
}

# ---- programs ----------------------------------------------------------------

# A test's helpers find files and read output without starting processes where bash can do
# it alone: on a machine where a process costs milliseconds, a test starts dozens of them.

# _lab_bin NAME: set _BIN to the path of lab program NAME, or fail with why it is not there
# (it did not compile). lab_bin NAME prints that path.
_lab_bin() {
  _BIN="$SOCKLAB_BIN/$1"
  if [[ -x $_BIN ]]; then
    return 0
  elif [[ -f $_BIN.error ]]; then
    { say did_not_compile "$1"; cat "$_BIN.error"; } | fail
  elif [[ -f $_BIN.missing ]]; then
    # tests/grader/compile wrote the file (lesson/prog.c) and the copy, one line each
    local file copy
    { IFS= read -r file; IFS= read -r copy; } <"$_BIN.missing"
    fail "$(words missing_source "$file" "$copy")"
  else
    fail "$(words not_built "$1" "$_BIN" "$SOCKLAB_LESSON/$1.c")"
  fi
}

lab_bin() {
  _lab_bin "$1" && printf '%s\n' "$_BIN"
}

# _peer NAME: set _PEER to the path of test peer NAME, or fail if it was not built.
_peer() {
  _PEER=$SOCKLAB_PEERS/$1
  [[ -x $_PEER ]] || fail "$(words peer_not_built "$1")"
}

# free_port VAR...: set each VAR to a port nobody uses now, for TCP and for UDP, all
# different, from one run of the ports peer.
free_port() {
  (($# > 0)) || fail "helper: free_port VAR... (the variables to set)"
  _peer ports || return 1
  _WIRE_NET=1
  local got
  got=$("$_PEER" free "$#") || fail "$(words ports_none "$#")"
  local -a picked
  mapfile -t picked <<<"$got"
  ((${#picked[@]} == $#)) || fail "the ports peer printed ${#picked[@]} ports, not $#"
  local i=0 var
  for var in "$@"; do
    printf -v "$var" '%s' "${picked[i]}"
    i=$((i + 1))
  done
}

# time_wait_on PORT: is a TCP connection with local port PORT closing on the side that closed
# first: in TIME_WAIT (state 06), or still in FIN_WAIT2 (05) when the peer's FIN is late on a
# loaded machine (a bind without SO_REUSEADDR fails in both)? Looked at for up to 2 s.
time_wait_on() {
  local hex deadline=$((SECONDS + 2))
  hex=$(printf '%04X' "$1")
  until cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -qE "^ *[0-9]+: [0-9A-F]+:$hex [0-9A-F]+:[0-9A-F]+ 0[56] "; do
    ((SECONDS < deadline)) || return 1
    run_peer await line /dev/null '^never$' --ms 50 || true
  done
}

# none_established_on PORT: no TCP connection whose local port is PORT is ESTABLISHED (a
# server's end, in its accept queue or accepted): one that took an RST has left the table.
none_established_on() {
  local hex
  hex=$(printf '%04X' "$1")
  ! cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -qE "^ *[0-9]+: [0-9A-F]+:$hex [0-9A-F]+:[0-9A-F]+ 01 "
}

# stops_at_emfile LABEL PORT PROG RULE: LABEL's server, started with room for five descriptors
# only (0 to 2, its directory and its listening socket), finds its accept failing with EMFILE,
# before any client comes (accept takes its descriptor before it waits) or when one does; it
# must stop: PROG: CALL: Too many open files, status 1 (RULE). (A server that needs more
# descriptors stops sooner, for the same reason, named after another call: that is right too.)
stops_at_emfile() {
  local code=0
  run_peer await tcp "$2" --pid "${_PID[$1]}" --ms "$READY_MS" || code=$?
  ((code == 0 || code == 3)) || _not_ready "$1" "listen on TCP port $2" "$code"
  ((code == 3)) || run_peer tcp_client 127.0.0.1 "$2" --send $'hello.txt\n' --idle-ms 5000 --out reply
  wait_exit "$1" 5 "$(en_zh "after accept failed for want of a descriptor" "从 accept 因没有可用描述符而失败算起")"
  [[ $status == 1 && $stderr =~ ^$3:\ [a-z_]+:\ Too\ many\ open\ files$ ]] ||
    flunk_wire "$(en_zh "the server, when accept fails with EMFILE" "accept 以 EMFILE 失败时的服务器")" \
      "$(en_zh "$3: accept: Too many open files on stderr, status 1: a failure it cannot go on after ($4)" "标准错误上是 $3: accept: Too many open files，退出状态 1：这种失败让它没法继续下去（$4）")" \
      "$(en_zh "status $status; stderr: $stderr" "退出状态 $status；标准错误：$stderr")"
}

# stop_pid PID WHO_EN WHO_ZH: SIGSTOP to PID, and wait until it is stopped (state T); if it
# never is, the test cannot go on (WHO names the process, in English and in Chinese).
stop_pid() {
  kill -STOP "$1"
  wait_until 3 in_state "$1" T ||
    fail "$(en_zh "$2 did not stop: this test cannot go on" "$3没有被暂停：这个测试无法继续")"
}

# queued_reset LABEL PORT TEXT: while LABEL's program is stopped, a test client connects to PORT
# on 127.0.0.1, sends TEXT and resets the connection; once the kernel has taken the RST, the
# program goes on. The connection waits in its accept queue meanwhile: reset, TEXT unread.
queued_reset() {
  kill -STOP "$(prog_pid "$1")"
  run_peer tcp4_reset_client 127.0.0.1 "$2" --send "$3" --wait-ms 0
  assert_success
  wait_until 3 none_established_on "$2" ||
    fail "$(en_zh "the test client's reset did not end its connection: this test cannot go on" "测试客户端的复位没有结束连接：这个测试无法继续")"
  kill -CONT "$(prog_pid "$1")"
}

# every_byte_but_newline FILE: write the 255 byte values 00 to ff but 0a (the newline) to FILE.
every_byte_but_newline() {
  local b h
  for b in {0..255}; do
    ((b == 10)) && continue
    printf -v h %02x "$b"
    printf "\\x$h"
  done >"$1"
}

# escaped_every_byte: the bytes 00 to ff as lesson 02's R7.5 prints them, the slow, obvious way.
escaped_every_byte() {
  local b h
  for b in {0..255}; do
    printf -v h %02x "$b"
    if ((b == 0x5c)); then
      printf '\\\\'
    elif ((b < 0x20 || b == 0x7f)); then
      printf '\\x%s' "$h"
    else
      printf "\\x$h"
    fi
  done
}

# ---- how programs run (the sandbox) -------------------------------------------
#
# tests/grader/run-lessons runs each lesson's tests in a bubblewrap sandbox of their own (own network with
# its own loopback, own PID namespace, the lab read-only, a private /tmp). Inside it, every
# program a test starts runs under tests/harness/peers/confine: a time limit it cannot escape, and
# only descriptors 0-2. A lab program (any command whose words name a file of SOCKLAB_BIN)
# also gets the limits below and, when the grader is root, runs as the lesson's own user
# (SOCKLAB_UID), which can neither signal bats nor read its descriptors; when the test ends,
# every process of that user is killed (confine --sweep), new sessions and daemons too.
#
# Limits of a lab program (environment, optional):
#   SOCKLAB_LIMIT_CPU        seconds of CPU time (default 10)
#   SOCKLAB_LIMIT_MEM_MIB    address space in MiB (default 1024; ASan builds: ASan's own
#                            hard_rss_limit_mb instead, its shadow memory needs terabytes)
#   SOCKLAB_LIMIT_PROCS      processes and threads of the lesson's user (default 64; as root
#                            without SOCKLAB_UID the kernel does not apply it)
#   SOCKLAB_LIMIT_FSIZE_MIB  the largest file it may write, its output files too (default 64)
#   SOCKLAB_LIMIT_FILES      open descriptors (default 1024)
#   SOCKLAB_LIMIT_OUTPUT     bytes of stdout and of stderr a test reads (default 1 MiB);
#                            a program that writes more fails its test
LIMIT_CPU=${SOCKLAB_LIMIT_CPU:-10}
LIMIT_MEM_MIB=${SOCKLAB_LIMIT_MEM_MIB:-1024}
LIMIT_PROCS=${SOCKLAB_LIMIT_PROCS:-64}
LIMIT_FSIZE_MIB=${SOCKLAB_LIMIT_FSIZE_MIB:-64}
LIMIT_FILES=${SOCKLAB_LIMIT_FILES:-1024}
LIMIT_OUTPUT=${SOCKLAB_LIMIT_OUTPUT:-1048576}
_CONFINE=$SOCKLAB_PEERS/confine
_SWEEP= # set once a lab program ran as SOCKLAB_UID in this test

# _confine_words SECS FILES [--as-program] CMD ARGS: set _CONF to the words that run CMD under
# confine, with a lab program's limits and user if CMD is (or runs) a lab program; with
# --as-program, any CMD runs as the lab programs' user (without their limits).
_confine_words() {
  local secs=$1 files=$2 word as_program=
  shift 2
  [[ $1 != --as-program ]] || { as_program=1; shift; }
  _CONF=("$_CONFINE" --timeout "$secs")
  for word in "$@"; do
    if [[ $word == "$SOCKLAB_BIN"/* ]]; then
      _CONF+=(--cpu "$LIMIT_CPU" --procs "$LIMIT_PROCS" --fsize-mib "$LIMIT_FSIZE_MIB" --files "${files:-$LIMIT_FILES}")
      if [[ ${SOCKLAB_BIN%/} == *-san/* ]]; then
        _CONF+=(--mem-mib 0) # ASan: hard_rss_limit_mb, set by tests/grader/run-lessons
      else
        _CONF+=(--mem-mib "$LIMIT_MEM_MIB")
      fi
      if [[ -n ${SOCKLAB_UID:-} ]]; then
        _CONF+=(--uid "$SOCKLAB_UID")
        _SWEEP=1
        # bats made its folder 0700: the user must reach the test's folders (once per lesson)
        [[ -e $BATS_RUN_TMPDIR/.open ]] || { chmod o+x "$BATS_RUN_TMPDIR" && : >"$BATS_RUN_TMPDIR/.open"; }
        # the fault-injection log (tests/harness/faults.bash) is written by the program
        if [[ -n ${SOCKLAB_FAULTS_LOG:-} ]]; then
          [[ -e $SOCKLAB_FAULTS_LOG ]] || : >"$SOCKLAB_FAULTS_LOG"
          [[ ! -O $SOCKLAB_FAULTS_LOG ]] || chown "$SOCKLAB_UID" "$SOCKLAB_FAULTS_LOG"
        fi
        # the folder it runs in is the one it may write (lesson 05's downloads): the test's own
        [[ $PWD != "$BATS_TEST_TMPDIR"* || ! -O $PWD ]] || chown "$SOCKLAB_UID" "$PWD"
      fi
      break
    fi
  done
  [[ -n ${files:-} && ${#_CONF[@]} == 3 ]] && _CONF+=(--files "$files")
  if [[ -n $as_program && -n ${SOCKLAB_UID:-} && " ${_CONF[*]} " != *" --uid "* ]]; then
    _CONF+=(--uid "$SOCKLAB_UID")
    _SWEEP=1
  fi
  _CONF+=(--)
}

# _read_capped FILE: set _TEXT to FILE's first LIMIT_OUTPUT characters, trailing newlines
# removed (as $(...) does), without a fork; _CUT=1 if FILE holds more.
_read_capped() {
  _TEXT= _CUT=
  IFS= read -r -d '' -N "$LIMIT_OUTPUT" _TEXT <"$1" || true
  ((${#_TEXT} < LIMIT_OUTPUT)) || _CUT=1
  _TEXT=${_TEXT%"${_TEXT##*[!$'\n']}"}
}

# _set_results OUT ERR STATUS [run]: set status, output, lines and stderr from a program's
# files; each stream read up to LIMIT_OUTPUT. With "run", lines and stderr_lines skip empty
# lines, as bats' run does (run_bounded); without, they keep them (wait_exit, as before).
_set_results() {
  status=$3
  _read_capped "$1"
  output=$_TEXT
  local cut=$_CUT
  _read_capped "$2"
  stderr=$_TEXT
  cut+=$_CUT
  if [[ ${4:-} == run ]]; then
    IFS=$'\n' read -d '' -r -a lines <<<"$output" || true
    IFS=$'\n' read -d '' -r -a stderr_lines <<<"$stderr" || true
  else
    mapfile -t lines <<<"$output"
    mapfile -t stderr_lines <<<"$stderr"
  fi
  _OUTPUT_CUT=$cut
}

# _limit_verdict WHAT STATUS: fail if the program WHAT went past a limit (the status says
# which: 152 CPU time, 153 file size), or wrote more than LIMIT_OUTPUT on a stream.
_limit_verdict() {
  ((${2} == 152)) && fail "$(words limit_cpu "$1" "$LIMIT_CPU")"
  ((${2} == 153)) && fail "$(words limit_fsize "$1" "$LIMIT_FSIZE_MIB")"
  [[ -z $_OUTPUT_CUT ]] || fail "$(words limit_output "$1" "$LIMIT_OUTPUT")"
  # a note beside the failure a limit may explain (shown only if the test fails)
  case $stderr in
    *"Cannot allocate memory"* | *"out of memory"* | *"rss limit exhausted"*)
      say note_mem "$1" "$LIMIT_MEM_MIB" ;;
    *"Resource temporarily unavailable"*)
      say note_procs "$1" "$LIMIT_PROCS" ;;
  esac
  return 0
}

# run_bounded [--in TEXT|--in-file F|--stdin closed|--as program|--timeout S|--fd-limit N] CMD ARGS:
# run any command to completion under the timeout (run_prog and run_peer use it; a test may wrap
# a lab program, e.g. run_bounded unshare -rn "$(lab_bin sockets)" tcp).
# Standard input is /dev/null unless given; with --stdin closed it is not open at all, so
# descriptor 0 is free for the program's first socket. With --as program a peer runs as the
# user the lab's programs run as (where the kernel shares only between one user's sockets:
# SO_REUSEPORT). Sets status, output, lines, stderr (as bats run).
run_bounded() {
  local input=/dev/null text= has_text= secs=$PROG_TIMEOUT fd_limit= closed= as_program=
  while [[ $1 == --* ]]; do
    case $1 in
      --in) text=$2; has_text=1 ;;
      --stdin) [[ $2 == closed ]] || fail "helper: --stdin takes only closed"; closed=1 ;;
      --as) [[ $2 == program ]] || fail "helper: --as takes only program"; as_program=1 ;;
      --in-file) input=$2 ;;
      --timeout) secs=$2 ;;
      --fd-limit) fd_limit=$2 ;;
      *) fail "helper: unknown option $1" ;;
    esac
    shift 2
  done
  if [[ -n $has_text ]]; then
    input="$BATS_TEST_TMPDIR/.stdin.$RANDOM"
    printf '%s\n' "$text" >"$input"
  fi
  local id=$BATS_TEST_TMPDIR/.run.$RANDOM rc=0 name=${1##*/}
  # closed by a shell inside the confine, just before exec: the confine itself may open files
  [[ -z $closed ]] || set -- bash -c 'exec "$@" <&-' closed-stdin "$@"
  _confine_words "$secs" "$fd_limit" ${as_program:+--as-program} "$@"
  # in the background, waited for at once: teardown kills its process group too (what the
  # program left running in it)
  "${_CONF[@]}" "$@" <"$input" >"$id.out" 2>"$id.err" &
  _PGIDS+=("$!")
  wait "$!" || rc=$?
  _set_results "$id.out" "$id.err" "$rc" run
  if ((status == 124 || status == 137)); then
    fail "$(words hangs "$name" "$secs")
$(words so_far_stdout) ${output:0:2000}
$(words so_far_stderr) ${stderr:0:2000}"
  fi
  _limit_verdict "$name" "$status"
}

run_prog() {
  local opts=()
  while [[ $1 == --* ]]; do opts+=("$1" "$2"); shift 2; done
  _lab_bin "$1" || return 1
  _wire_ran yours "$1"
  shift
  run_bounded "${opts[@]}" "$_BIN" "$@"
}

run_peer() {
  local opts=()
  while [[ $1 == --* ]]; do opts+=("$1" "$2"); shift 2; done
  _peer "$1" || return 1
  _wire_ran peer "$1"
  shift
  run_bounded "${opts[@]}" "$_PEER" "$@"
}

# two_localhosts FILE: write a hosts file in which localhost has two addresses, 127.0.0.1
# then ::1, for run_prog_with_hosts; skip the test where the machine has no IPv6 loopback or
# cannot give a program an /etc/hosts of its own.
two_localhosts() {
  grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null ||
    skip "$(en_zh "this machine has no IPv6 loopback address" "这台机器没有 IPv6 环回地址")"
  printf '127.0.0.1 localhost\n::1 localhost\n' >"$1"
  chmod 644 "$1"
  unshare -rm sh -c 'mount --bind "$0" /etc/hosts' "$1" 2>/dev/null ||
    skip "$(en_zh "this machine cannot give a program an /etc/hosts of its own (unshare -rm)" "这台机器不能给程序一个自己的 /etc/hosts（unshare -rm）")"
}

# run_prog_with_hosts HOSTS_FILE [--in TEXT | --in-file F] PROG ARGS: run_prog, but with
# HOSTS_FILE as the program's /etc/hosts: in a mount namespace of its own (unshare -rm), where
# that file is bound over /etc/hosts. The machine's own /etc/hosts may give localhost one
# address only.
run_prog_with_hosts() {
  local hosts=$1 opts=()
  shift
  while [[ $1 == --* ]]; do opts+=("$1" "$2"); shift 2; done
  _lab_bin "$1" || return 1
  _wire_ran yours "$1"
  shift
  run_bounded "${opts[@]}" "$(command -v unshare)" -rm sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' \
    "$hosts" "$_BIN" "$@"
}

# ---- background programs -----------------------------------------------------

# _spawn LABEL BIN ARGS: start BIN in the background, under confine (see run_bounded), in
# its own process group (SPAWN_FD_LIMIT=N before spawn_prog: at most N descriptors). Its
# stdin is a FIFO that the test holds open (feed, close_input); stdout and stderr go to files. confine keeps neither bats' fd 3 nor the FIFOs of other
# background programs, so that closing our end really is end of file.
_spawn() {
  local label=$1 dir=$BATS_TEST_TMPDIR
  shift
  [[ ! -e $dir/$label.in ]] || rm -f "$dir/$label.in"
  mkfifo "$dir/$label.in"
  _confine_words "$SPAWN_TIMEOUT" "${SPAWN_FD_LIMIT:-}" "$@"
  "${_CONF[@]}" "$@" <"$dir/$label.in" >"$dir/$label.out" 2>"$dir/$label.err" &
  _PID[$label]=$!
  _NAME[$label]=${1##*/}
  _PGIDS+=("$!") # confine leads its own process group: its pid is the group's id
  # Opening the FIFO for writing completes once the program opened it for reading.
  exec {_fd}>"$dir/$label.in"
  _INFD[$label]=$_fd
}

spawn_prog() {
  local label=$1
  _lab_bin "$2" || return 1
  _wire_ran yours "$2" "$label"
  shift 2
  _LABPROG[$label]=1
  _spawn "$label" "$_BIN" "$@"
}

spawn_peer() {
  local label=$1
  _peer "$2" || return 1
  _wire_ran peer "$2" "$label" "${@:3}"
  shift 2
  _spawn "$label" "$_PEER" "$@"
}

# spawn_cmd LABEL CMD ARGS: start a system tool (nc, say) in the background, like spawn_peer.
# The test is skipped, not failed, when the tool is not installed (tests/setup installs it).
spawn_cmd() {
  local label=$1 bin
  bin=$(command -v "$2") || skip "$(words tool_missing "$2")"
  _wire_ran peer "$2" "$label"
  shift 2
  _spawn "$label" "$bin" "$@"
}

# feed LABEL TEXT: TEXT and a newline on LABEL's standard input, in one write(): when TEXT
# holds several lines they all wait there together.
feed() {
  local fd=${_INFD[$1]} ok=1
  if [[ $2 != *$'\n'* ]] && ((${#2} < 4000)); then
    # One short line: bash's printf writes it with one write(), and no process starts. SIGPIPE
    # is ignored for that write only (no program is started meanwhile to inherit it): a
    # program that closed its input makes the write fail instead of killing the test.
    trap '' PIPE
    printf '%s\n' "$2" >&"$fd" 2>/dev/null || ok=
    trap - PIPE
  else
    # Several lines or a long one: bash's printf would write line by line, and in pieces of
    # its buffer; cat writes the whole file at once. SIGPIPE is ignored in its subshell only.
    printf '%s\n' "$2" >"$BATS_TEST_TMPDIR/.feed"
    (
      trap '' PIPE
      cat "$BATS_TEST_TMPDIR/.feed" >&"$fd"
    ) 2>/dev/null || ok=
  fi
  [[ -n $ok ]] || fail "$(words cannot_type "$2" "$(_who "$1")")
$(words its_stdout) $(head -c 2000 "$BATS_TEST_TMPDIR/$1.out")
$(words its_stderr) $(head -c 2000 "$BATS_TEST_TMPDIR/$1.err")"
}

# feed_piece LABEL TEXT: TEXT as it is (no newline added) on LABEL's standard input in one
# write, then wait until the program has read all of it, or ended (await read): what comes next
# reaches it in another read, as a line typed or piped in pieces does.
feed_piece() {
  local fd=${_INFD[$1]}
  trap '' PIPE
  printf '%s' "$2" >&"$fd" 2>/dev/null
  trap - PIPE
  _peer await || return 1
  "$_PEER" read "$BATS_TEST_TMPDIR/$1.in" --pid "${_PID[$1]}" --ms $((PROG_TIMEOUT * 1000)) >/dev/null 2>&1 || true
}

# close_input LABEL: end of file on LABEL's standard input.
close_input() {
  local fd=${_INFD[$1]:-}
  [[ -n $fd ]] && exec {fd}>&-
  unset "_INFD[$1]"
}

# _who LABEL: how a message names LABEL's program: by its file name (udp_chat), with the test's
# label beside it when the test started that program more than once (udp_chat (a)).
_who() {
  local name=${_NAME[$1]:-$1} other
  for other in "${!_NAME[@]}"; do
    if [[ $other != "$1" && ${_NAME[$other]} == "$name" ]]; then
      printf '%s (%s)' "$name" "$1"
      return
    fi
  done
  printf '%s' "$name"
}

# _not_ready LABEL WHAT CODE [stdout]: explain why waiting for LABEL failed. With "stdout"
# (wait_line), a program still running that printed nothing, or nothing since the last line a
# wait found, may hold its lines in stdio's buffer: the message says so, and names the section
# of the lesson that teaches flushing (BUFFERING_EXPLAINED_IN, set at the top of the lesson's
# test file).
_not_ready() {
  local why rc=0
  why=$(words within_ms "$READY_MS")
  if [[ $3 == 3 ]]; then
    why=$(words exited_first)
    # how it ended: its time limit, or another limit, is the reason to give
    wait "${_PID[$1]}" 2>/dev/null || rc=$?
    unset "_PID[$1]"
    _set_results "$BATS_TEST_TMPDIR/$1.out" "$BATS_TEST_TMPDIR/$1.err" "$rc"
    ((rc != 124)) || fail "$(words never_ready "$(_who "$1")" "$SPAWN_TIMEOUT")
$(words stdout_is) $(head -c 2000 "$BATS_TEST_TMPDIR/$1.out")
$(words stderr_is) $(head -c 2000 "$BATS_TEST_TMPDIR/$1.err")"
    _limit_verdict "$(_who "$1")" "$rc"
  fi
  {
    say waited_for "$(_who "$1")" "$(_waited_what "$2")" "$why"
    echo "$(words its_stdout) $(head -c 2000 "$BATS_TEST_TMPDIR/$1.out")"
    echo "$(words its_stderr) $(_sanitizer_trim <"$BATS_TEST_TMPDIR/$1.err" | head -c 2000)"
    [[ $3 != 1 || ${4:-} != stdout ]] || ! _printed_nothing_new "$1" || _buffering_note
  } | fail
}

# _printed_nothing_new LABEL: LABEL's stdout is empty, or ends with the last line a wait found.
_printed_nothing_new() {
  local text last
  _read_capped "$BATS_TEST_TMPDIR/$1.out"
  text=$_TEXT
  [[ -n $text ]] || return 0
  [[ -n ${_LAST_ERE[$1]:-} ]] || return 1
  last=${text##*$'\n'}
  [[ $last =~ ${_LAST_ERE[$1]} ]]
}

# _buffering_note: why a running program's lines may not have come, and the section to read.
_buffering_note() {
  local n=${BUFFERING_EXPLAINED_IN:-} heading title=
  if [[ -n $n ]]; then
    local dir="$_LAB_HARNESS/../../lessons/$SOCKLAB_LESSON"
    heading=$(grep -m1 -E "^## $n\. " "$dir/README.md")
    [[ $(lab_lang) != zh ]] || heading=$(grep -m1 -E "^## $n\. " "$dir/README.zh.md")
    [[ -z $heading ]] || title=$(section_name "$heading")
  fi
  printf '\n'
  say buffered
  [[ -z $title ]] || say buffered_read "$title"
}

# _waited_what WHAT: the wait_* helpers' English phrase (e.g. "listen on TCP port 5000")
# in the student's language; a phrase not known here is shown as it is.
_waited_what() {
  local re_tcp='^listen on TCP port (.*)$' re_udp='^bind UDP port (.*)$'
  local re_err='^print a line matching /(.*)/ on stderr$' re_line='^print a line matching /(.*)/$'
  if [[ $1 =~ $re_tcp ]]; then words wait_tcp "${BASH_REMATCH[1]}"
  elif [[ $1 =~ $re_udp ]]; then words wait_udp "${BASH_REMATCH[1]}"
  elif [[ $1 =~ $re_err ]]; then words wait_err "${BASH_REMATCH[1]}"
  elif [[ $1 =~ $re_line ]]; then words wait_line "${BASH_REMATCH[1]}"
  else printf '%s' "$1"; fi
}

# wait_tcp LABEL PORT: until LABEL's program listens on PORT (it never connects).
wait_tcp() {
  local code=0
  _peer await || return 1
  _wire_port "$1" "$2"
  "$_PEER" tcp "$2" --pid "${_PID[$1]}" --ms "$READY_MS" || code=$?
  ((code == 0)) || _not_ready "$1" "listen on TCP port $2" "$code"
}

# wait_udp LABEL PORT: until LABEL's program has bound UDP port PORT.
wait_udp() {
  local code=0
  _peer await || return 1
  _wire_port "$1" "$2"
  "$_PEER" udp "$2" --pid "${_PID[$1]}" --ms "$READY_MS" || code=$?
  ((code == 0)) || _not_ready "$1" "bind UDP port $2" "$code"
}

# poll_line LABEL ERE [FILE]: wait until LABEL's program printed a line matching ERE on
# stdout (or in FILE); never fails the test. Status: 0 it did, 1 deadline, 3 it exited first.
poll_line() {
  local code=0
  _peer await || return 1
  "$_PEER" line "${3:-$BATS_TEST_TMPDIR/$1.out}" "$2" --pid "${_PID[$1]}" --ms "$READY_MS" || code=$?
  return "$code"
}

# wait_line LABEL ERE: until LABEL's program printed (and flushed) a line matching ERE.
wait_line() {
  local code=0
  poll_line "$1" "$2" || code=$?
  ((code == 0)) || _not_ready "$1" "print a line matching /$2/" "$code" stdout
  _LAST_ERE[$1]=$2
}

# wait_err LABEL ERE: until LABEL's program wrote a line matching ERE on stderr.
wait_err() {
  local code=0
  poll_line "$1" "$2" "$BATS_TEST_TMPDIR/$1.err" || code=$?
  ((code == 0)) || _not_ready "$1" "print a line matching /$2/ on stderr" "$code"
}

# wait_exit LABEL [SECONDS [AFTER]]: close LABEL's standard input, wait for its program to end
# within SECONDS of that (default PROG_TIMEOUT), and set status, output, lines and stderr from
# it, as bats' run does. A short SECONDS is for a program the lesson says ends at once (at end
# of input, or AFTER something, e.g. "after SIGTERM", in the student's language: en_zh): one
# that goes on fails then.
wait_exit() {
  local label=$1 pid=${_PID[$1]} rc=0 code=0 secs=${2:-$PROG_TIMEOUT}
  close_input "$label"
  # a line that /dev/null never has: await returns 3 when the program ends, 1 at the deadline
  _peer await || return 1
  "$_PEER" line /dev/null '^never$' --pid "$pid" --ms $((secs * 1000)) || code=$?
  if ((code == 1)); then
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true # killed: its status is ours, not a failure of this line
    unset "_PID[$label]"
    fail "$(words exit_late "$(_who "$label")" "$secs" "${3:-$(words exit_late_when)}")
$(words first_stdout) $(head -c 2000 "$BATS_TEST_TMPDIR/$label.out")
$(words first_stderr) $(head -c 2000 "$BATS_TEST_TMPDIR/$label.err")"
  fi
  wait "$pid" || rc=$?
  unset "_PID[$label]"
  _set_results "$BATS_TEST_TMPDIR/$label.out" "$BATS_TEST_TMPDIR/$label.err" "$rc"
  if ((status == 124 || status == 137)); then
    fail "$(words exit_hangs "$(_who "$label")" "$SPAWN_TIMEOUT")
$(words stdout_is) ${output:0:2000}
$(words stderr_is) ${stderr:0:2000}"
  fi
  _limit_verdict "$label" "$status"
}

# ended_with_input_open LABEL SECONDS: LABEL's program ends by itself within SECONDS while its
# standard input is still open (a line is whole at its newline: no program waits for the end of input).
ended_with_input_open() {
  run_peer await line /dev/null '^never$' --pid "${_PID[$1]}" --ms $(($2 * 1000))
  ((status == 3)) # await's status when the program ended first
}

# prog_pid LABEL: the process ID of LABEL's program itself (not of the confine around it).
prog_pid() {
  local tpid=${_PID[$1]} child
  read -r child _ <"/proc/$tpid/task/$tpid/children" || true
  [[ -n $child ]] || fail "$(words not_running "$(_who "$1")")"
  printf '%s\n' "$child"
}

# pause_50ms: a short pause before looking at /proc again (await's deadline, not sleep).
pause_50ms() {
  run_peer await line /dev/null '^never$' --ms 50 || true
}

# wait_until SECONDS COMMAND...: run COMMAND until it succeeds, every 50 ms, SECONDS at most;
# fails if it never did. COMMAND runs in this shell: what it leaves in variables (the
# predicates below leave what they saw) is there for the failure message.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    pause_50ms
  done
}

# in_state PID STATE: PID's state in /proc (the third field of its stat) is STATE.
in_state() {
  [[ $(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) == "$2" ]]
}

# fds_settled PID WANT: the number of descriptors PID holds, once it is WANT or fewer, or after
# 3 s: a server may still hold a client's socket for a moment (a graceful close, a parent that
# closes its copy after fork) on a loaded machine.
fds_settled() {
  local count deadline=$((SECONDS + 3))
  while count=$(ls "/proc/$1/fd" 2>/dev/null | wc -l) && ((count > $2 && SECONDS < deadline)); do
    "$SOCKLAB_PEERS/await" line /dev/null '^never$' --ms 50 || true
  done
  printf '%s\n' "$count"
}

# send_signal LABEL SIG: deliver SIG to LABEL's program itself (not to the confine around it,
# which would pass on only HUP, INT and TERM).
send_signal() {
  kill -s "$2" "$(prog_pid "$1")"
}

# _peer_lines: standard input, a test peer's summary line in the student's language (peer_words),
# any other line as it is; nothing stays nothing.
_peer_lines() {
  local text
  text=$(cat)
  [[ -z $text ]] || peer_words "$text"
}

# lab_teardown: kill every background program and its children, reap them,
# and on failure show what crossed the wire (tests/harness/wire.bash) and say which lesson
# section to read.
lab_teardown() {
  local label pgid
  {
    # whole groups: a forking server's children die with it, even after wait_exit reaped it
    for pgid in "${_PGIDS[@]}"; do
      kill -KILL -- "-$pgid" || kill -KILL "$pgid" || true
    done
    # and every process of the lesson's user: daemons, new sessions, orphans
    [[ -z $_SWEEP ]] || "$_CONFINE" --sweep "$SOCKLAB_UID"
    for label in "${!_PID[@]}"; do
      wait "${_PID[$label]}" || true
    done
  } 2>/dev/null # nor bash's "Killed" notices in the failure messages
  for label in "${!_INFD[@]}"; do close_input "$label"; done
  if [[ -z ${BATS_TEST_COMPLETED:-} ]]; then
    # bats-assert shows stdout; the program's own error message is on stderr (a test peer's
    # summary line in the student's language: peer_words; any other line as it is)
    _sanitizer_summary
    if [[ -n ${stderr:-} ]]; then
      printf '\n%s\n%s\n' "$(words last_stderr)" "$(_sanitizer_trim <<<"$stderr" | head -c 3000 | _peer_lines)"
    else
      # no program ran to its end: what the ones started in the background said (a wait for
      # a peer that failed does not show it)
      for label in "${!_LABPROG[@]}"; do
        [[ -s $BATS_TEST_TMPDIR/$label.err ]] || continue
        printf '\n%s\n%s\n' "$(words prog_stderr "$(_who "$label")")" \
          "$(_sanitizer_trim <"$BATS_TEST_TMPDIR/$label.err" | head -c 3000 | _peer_lines)"
      done
    fi
    _wire_show
    _print_section_hint
  fi
}
