# socklab test helper: the plumbing every lesson's tests share.
#
# Load it from setup() and call lab_teardown from teardown():
#
#     setup()    { load test_helper; }
#     teardown() { lab_teardown; }
#
# The environment comes from tests/grade (make check):
#   SOCKLAB_BIN     the built programs of one lesson (build/<impl>/<lesson>)
#   SOCKLAB_PEERS   the built test peers (build/peers)
#   SOCKLAB_LESSON  the lesson's name, e.g. 01-socket
#
# What it gives a test:
#   explained_in N           the lesson section a failure should send the student to
#   free_port                a port free for TCP and UDP, chosen now
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
#   wait_exit LABEL          wait for LABEL to end; sets status/output/stderr like run
#   send_signal LABEL SIG    signal LABEL's program
#   prog_pid LABEL           the process ID of LABEL's program
#   in_test_net CMD ARGS     run a tool (nc, say) in the test's network, where the programs are
#   net_table NAME           the kernel's table (tcp, tcp6, udp, udp6) of the test's network
#   flunk_wire WHAT EXPECTED RECEIVED   fail with an expected/received pair
#   assert_same_file EXPECTED ACTUAL    byte-for-byte comparison, with sizes and checksums
#
# How programs run (the sandbox, its limits and the environment that reaches a program):
# see tests/sandbox.bash.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

: "${SOCKLAB_BIN:?run the tests with make check (SOCKLAB_BIN is not set)}"
: "${SOCKLAB_PEERS:?run the tests with make check (SOCKLAB_PEERS is not set)}"
: "${SOCKLAB_LESSON:?run the tests with make check (SOCKLAB_LESSON is not set)}"

# How long one program may run before it counts as hung (seconds).
PROG_TIMEOUT=${PROG_TIMEOUT:-10}
# How long to wait for a program to get ready (milliseconds).
READY_MS=${READY_MS:-5000}

declare -gA _PID=() _INFD=()
declare -ga _PGIDS=() # every background process group, killed in teardown even after wait_exit
_SECTION=

source "${BASH_SOURCE[0]%/*}/sandbox.bash" # beside this file, wherever the test file is
sandbox_start

# ---- failure messages --------------------------------------------------------

# explained_in N: name the section of the lesson (## N. ...) that explains this test.
# On failure, teardown prints its heading in both languages.
explained_in() {
  _SECTION=$1
}

# _section_heading FILE N: the "## N. Title" line of a lesson file.
_section_heading() {
  grep -m1 -E "^## $2\. " "$1" || echo "(no section $2 in $1: the test names a section that does not exist)"
}

_print_section_hint() {
  [[ -n $_SECTION ]] || return 0
  local dir="$BATS_TEST_DIRNAME/../lessons/$SOCKLAB_LESSON"
  printf '\nread: lessons/%s/README.md     %s\n' "$SOCKLAB_LESSON" "$(_section_heading "$dir/README.md" "$_SECTION")"
  printf '读:   lessons/%s/README.zh.md  %s\n' "$SOCKLAB_LESSON" "$(_section_heading "$dir/README.zh.md" "$_SECTION")"
}

# flunk_wire WHAT EXPECTED RECEIVED: fail, showing what should have crossed the wire and what did.
flunk_wire() {
  batslib_print_kv_single_or_multi 10 "expected" "$2" "received" "$3" |
    batslib_decorate "$1" | fail
}

# _visible: show bytes so that a student can see them (newlines, NULs, UTF-8 as octal).
_visible() {
  od -An -c | sed 's/^ *//' | head -20
}

# assert_same_file EXPECTED ACTUAL [WHAT]: the two files hold the same bytes.
assert_same_file() {
  local what=${3:-the received file}
  if [[ ! -e $2 ]]; then
    flunk_wire "$what does not exist" "$(wc -c <"$1") bytes in $2" "no file"
  elif ! cmp -s "$1" "$2"; then
    local where
    where=$(cmp "$1" "$2" 2>&1 | head -1)
    flunk_wire "$what differs from what was sent ($where)" \
      "$(wc -c <"$1") bytes, sha256 $(sha256sum <"$1" | cut -c1-16)…" \
      "$(wc -c <"$2") bytes, sha256 $(sha256sum <"$2" | cut -c1-16)…"
  fi
}

# ---- programs ----------------------------------------------------------------

# lab_bin NAME: path of the lab program NAME, or fail with why it is not there (it did not compile).
lab_bin() {
  local bin="$SOCKLAB_BIN/$1"
  if [[ -x $bin ]]; then
    printf '%s\n' "$bin"
  elif [[ -f $bin.missing ]]; then
    fail "$1 was not built: $(cat "$bin.missing")"
  elif [[ -f $bin.error ]]; then
    { echo "$1 did not compile:"; cat "$bin.error"; } | fail
  else
    fail "$1 was not built: expected $bin (is $SOCKLAB_LESSON/$1.c there?)"
  fi
}

_peer_bin() {
  [[ -x $SOCKLAB_PEERS/$1 ]] || fail "test peer $1 was not built (run make peers)"
  printf '%s\n' "$SOCKLAB_PEERS/$1"
}

# free_port: print a port nobody uses now, for TCP and for UDP.
free_port() {
  in_test_net "$(_peer_bin ports)" free
}

# run_bounded [--in TEXT|--in-file F|--timeout S|--fd-limit N] CMD ARGS: run any command to
# completion under the timeout, sandboxed and limited like a lab program (run_prog uses it; a
# test may wrap a lab program, e.g. run_bounded unshare -rn "$(lab_bin sockets)" tcp).
# Standard input is /dev/null unless given. Sets status, output, stderr (bats run).
run_bounded() {
  _run_opts untrusted "$@"
}

# _run_opts KIND [options] CMD ARGS: run_bounded for a program of KIND (trusted: a peer).
_run_opts() {
  local kind=$1 input=/dev/null text= has_text= secs=$PROG_TIMEOUT fd_limit=
  shift
  while [[ $1 == --* ]]; do
    case $1 in
      --in) text=$2; has_text=1 ;;
      --in-file) input=$2 ;;
      --timeout) secs=$2 ;;
      --fd-limit) fd_limit=$2 ;;
      *) fail "helper: unknown option $1" ;;
    esac
    shift 2
  done
  local bin=$1
  if [[ -n $has_text ]]; then
    input="$BATS_TEST_TMPDIR/.stdin.$RANDOM"
    printf '%s\n' "$text" >"$input"
  fi
  _run_jailed "$kind" "$secs" "$input" "$fd_limit" "$@"
  if ((status == 124 || status == 137)); then
    fail "$(basename "$bin") did not finish within ${secs}s: it hangs (waiting for input or a peer that never comes?)
stdout so far: $output
stderr so far: $stderr"
  fi
}

run_prog() {
  local opts=()
  while [[ $1 == --* ]]; do opts+=("$1" "$2"); shift 2; done
  local bin
  bin=$(lab_bin "$1") || return 1
  shift
  _run_opts untrusted "${opts[@]}" "$bin" "$@"
}

run_peer() {
  local opts=()
  while [[ $1 == --* ]]; do opts+=("$1" "$2"); shift 2; done
  local bin
  bin=$(_peer_bin "$1") || return 1
  shift
  _run_opts trusted "${opts[@]}" "$bin" "$@"
}

# ---- background programs -----------------------------------------------------

# _spawn KIND LABEL BIN ARGS: start BIN in the background, under a timeout, in the test's
# sandbox (KIND: untrusted for a lab program, trusted for a peer or a tool). Its stdin is a
# FIFO that the test holds open (feed, close_input); stdout and stderr go to LABEL.out and
# LABEL.err. It inherits neither bats' fd 3 nor the FIFOs of other background programs, so
# that closing our end really is end of file.
_spawn() {
  local kind=$1 label=$2
  shift 2
  rm -f "$BATS_TEST_TMPDIR/$label.in"
  mkfifo "$BATS_TEST_TMPDIR/$label.in"
  _spawn_jailed "$kind" "$label" "$@"
  # Opening the FIFO for writing completes once the program opened it for reading.
  exec {_fd}>"$BATS_TEST_TMPDIR/$label.in"
  _INFD[$label]=$_fd
}

spawn_prog() {
  local label=$1 bin
  bin=$(lab_bin "$2") || return 1
  shift 2
  _spawn untrusted "$label" "$bin" "$@"
}

spawn_peer() {
  local label=$1 bin
  bin=$(_peer_bin "$2") || return 1
  shift 2
  _spawn trusted "$label" "$bin" "$@"
}

# spawn_cmd LABEL CMD ARGS: start a system tool (nc, say) in the background, like spawn_peer.
# The test is skipped, not failed, when the tool is not installed (tests/setup installs it).
spawn_cmd() {
  local label=$1 bin
  bin=$(command -v "$2") || skip "$2 is not installed (run tests/setup)"
  shift 2
  _spawn trusted "$label" "$bin" "$@"
}

# feed LABEL TEXT: TEXT and a newline on LABEL's standard input, in one write(): when TEXT
# holds several lines they all wait there together (bash's printf would write line by line).
feed() {
  printf '%s\n' "$2" >"$BATS_TEST_TMPDIR/.feed"
  # SIGPIPE is ignored in a subshell only: the programs under test must not inherit that.
  (
    trap '' PIPE
    cat "$BATS_TEST_TMPDIR/.feed" >&"${_INFD[$1]}"
  ) 2>/dev/null || fail "could not type \"$2\" to $1: it has closed its standard input or exited
its stdout: $(head -c 2000 "$BATS_TEST_TMPDIR/$1.out")
its stderr: $(head -c 2000 "$BATS_TEST_TMPDIR/$1.err")"
}

# close_input LABEL: end of file on LABEL's standard input.
close_input() {
  local fd=${_INFD[$1]:-}
  [[ -n $fd ]] && exec {fd}>&-
  unset "_INFD[$1]"
}

# _not_ready LABEL WHAT CODE: explain why waiting for LABEL failed.
_not_ready() {
  local why="did not happen within ${READY_MS} ms" status=0
  if [[ $3 == 3 ]]; then
    why="the program exited first"
    # it may not have exited by itself: its timeout may have stopped it
    wait "${_PID[$1]}" 2>/dev/null || status=$?
    unset "_PID[$1]"
    ((status == 124 || status == 137)) && why="$1 did not finish within ${PROG_TIMEOUT}s: it hangs, and its timeout stopped it"
    ((status == 152 || status == 153)) && _limit_verdict "$1" "$BATS_TEST_TMPDIR/$1" "$status"
  fi
  {
    echo "waited for $1 to $2: $why"
    echo "its stdout: $(head -c 2000 "$BATS_TEST_TMPDIR/$1.out")"
    echo "its stderr: $(head -c 2000 "$BATS_TEST_TMPDIR/$1.err")"
  } | fail
}

# wait_tcp LABEL PORT: until LABEL's program listens on PORT (it never connects).
wait_tcp() {
  local code=0
  "$(_peer_bin await)" tcp "$2" --pid "${_PID[$1]}" --ms "$READY_MS" || code=$?
  ((code == 0)) || _not_ready "$1" "listen on TCP port $2" "$code"
}

# wait_udp LABEL PORT: until LABEL's program has bound UDP port PORT.
wait_udp() {
  local code=0
  "$(_peer_bin await)" udp "$2" --pid "${_PID[$1]}" --ms "$READY_MS" || code=$?
  ((code == 0)) || _not_ready "$1" "bind UDP port $2" "$code"
}

# poll_line LABEL ERE [FILE]: wait until LABEL's program printed a line matching ERE on
# stdout (or in FILE); never fails the test. Status: 0 it did, 1 deadline, 3 it exited first.
poll_line() {
  local code=0
  "$(_peer_bin await)" line "${3:-$BATS_TEST_TMPDIR/$1.out}" "$2" --pid "${_PID[$1]}" --ms "$READY_MS" || code=$?
  return "$code"
}

# wait_line LABEL ERE: until LABEL's program printed (and flushed) a line matching ERE.
wait_line() {
  local code=0
  poll_line "$1" "$2" || code=$?
  ((code == 0)) || _not_ready "$1" "print a line matching /$2/" "$code"
}

# wait_err LABEL ERE: until LABEL's program wrote a line matching ERE on stderr.
wait_err() {
  local code=0
  poll_line "$1" "$2" "$BATS_TEST_TMPDIR/$1.err" || code=$?
  ((code == 0)) || _not_ready "$1" "print a line matching /$2/ on stderr" "$code"
}

# wait_exit LABEL: wait for LABEL's program to end (it is bounded by its timeout)
# and set status, output, lines and stderr from it, as bats' run does.
wait_exit() {
  local label=$1 pid=${_PID[$1]}
  close_input "$label"
  status=0
  wait "$pid" || status=$?
  unset "_PID[$label]"
  _spawned_end "$label" "$status"
  output=$(cat "$BATS_TEST_TMPDIR/$label.out")
  stderr=$(cat "$BATS_TEST_TMPDIR/$label.err")
  mapfile -t lines <<<"$output"
  if ((status == 124 || status == 137)); then
    fail "$label did not exit within ${PROG_TIMEOUT}s of starting: it hangs
stdout: $output
stderr: $stderr"
  fi
}

# prog_pid LABEL: the process ID of LABEL's program itself (not of the timeout around it).
prog_pid() {
  local pid=${_PID[$1]:-}
  [[ -n $pid && -e /proc/$pid ]] || fail "$1 is not running"
  pid=$(_find_prog "$pid" "${_BIN[$1]}")
  [[ $pid != "${_PID[$1]}" ]] || fail "$1 is not running"
  printf '%s\n' "$pid"
}

# send_signal LABEL SIG: deliver SIG to LABEL's program itself (not to the timeout around it,
# which would pass on only HUP, INT, QUIT and TERM).
send_signal() {
  kill -s "$2" "$(prog_pid "$1")"
}

# lab_teardown: kill every background program and its children, reap them,
# and on failure say which lesson section to read.
lab_teardown() {
  local label over_limit=0
  sandbox_kill_all || over_limit=1
  for label in "${!_INFD[@]}"; do close_input "$label"; done
  if [[ -z ${BATS_TEST_COMPLETED:-} ]]; then
    # bats-assert shows stdout; the program's own error message is on stderr
    [[ -z ${stderr:-} ]] || printf '\nstderr of the last program run:\n%s\n' "$(head -c 3000 <<<"$stderr")"
    _print_section_hint
  fi
  return "$over_limit"
}
