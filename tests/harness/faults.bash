# tests/harness/faults.bash: run a lab program under fault injection (tests/harness/faults.c).
#
#   load faults
#   with_faults spawn_prog srv server "$port"     # or run_prog, start_server, ...
#
# For that one call, the lab program's send/write/recv/read on a stream socket may move
# fewer bytes than asked, and its blocking calls may fail with EINTR, as the kernel is
# allowed to (lessons/04-tcp/README.md, section 5). The test peers, timeout and bash
# are left alone: the library acts only in programs of $SOCKLAB_BIN.
#
# The seed is random; a failing test prints it. Replay with SOCKLAB_FAULTS_SEED=N make check ...
# Under ASan (SANITIZE=1) the preloaded library comes before ASan's runtime in the list of
# libraries, which ASan refuses unless told that the order is fine: verify_asan_link_order=0.

# with_faults CMD ARGS: run CMD (a helper function such as spawn_prog) with faults on.
with_faults() {
  local lib=$SOCKLAB_PEERS/../faults/libfaults.so
  [[ -f $lib ]] || fail "$(words faults_lib "$lib")"
  local seed=${SOCKLAB_FAULTS_SEED:-$((RANDOM * 32768 + RANDOM))}
  # shown by bats only when the test fails
  echo "# $(words faults_seed "$seed" "$seed" "$BATS_TEST_TMPDIR/faults.log")"
  LD_PRELOAD="$lib${LD_PRELOAD:+:$LD_PRELOAD}" SOCKLAB_FAULTS=$seed \
    SOCKLAB_FAULTS_LOG="$BATS_TEST_TMPDIR/faults.log" \
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$@"
}

# assert_faults_happened: the library did cut or interrupt some call (else the test proved nothing).
assert_faults_happened() {
  [[ -s $BATS_TEST_TMPDIR/faults.log ]] ||
    flunk_wire "$(words faults_none)" "$(words faults_some "$BATS_TEST_TMPDIR/faults.log")" "$(words none)"
}

# with_library SETTING CMD ARGS: run CMD (spawn_prog, run_prog ...) with the fault library
# preloaded, its log in $BATS_TEST_TMPDIR/faults.log, and SETTING (NAME=VALUE) in the
# environment: the library does in the lab program only what SETTING asks (tests/harness/faults.c).
with_library() {
  local lib=$SOCKLAB_PEERS/../faults/libfaults.so
  [[ -f $lib ]] || fail "$(words faults_lib "$lib")"
  local -x "$1" LD_PRELOAD="$lib${LD_PRELOAD:+:$LD_PRELOAD}" SOCKLAB_FAULTS_LOG="$BATS_TEST_TMPDIR/faults.log" \
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
  shift
  "$@"
}

# with_socket_emfile CMD ARGS: run CMD with no descriptor left for a socket: the lab program's
# socket() fails with EMFILE, nothing else changes.
with_socket_emfile() {
  with_library SOCKLAB_SOCKET_EMFILE=1 "$@"
}

# with_fstat_eio CMD ARGS: run CMD with a failing disk: the lab program's fstat on a regular
# file fails with EIO, nothing else changes.
with_fstat_eio() {
  with_library SOCKLAB_FSTAT_EIO=1 "$@"
}

# with_wait_pause MS CMD ARGS: run CMD (spawn_prog, say) so that its lab program pauses MS
# milliseconds before each poll, ppoll, select or pselect that may wait (and each blocking
# accept), after writing "pid N: CALL: pause MS" to the log. A signal sent once that line is
# there arrives just before the program's wait (lesson 06, section 7).
with_wait_pause() {
  local ms=$1
  shift
  with_library SOCKLAB_WAIT_PAUSE="$ms" "$@"
}

# with_send_pause MS CMD ARGS: run CMD (run_prog, say) so that its lab program pauses MS
# milliseconds before its first send, write or sendto on a stream socket: what the peer does at
# once after accept, a close say, has reached the program before it sends.
with_send_pause() {
  local ms=$1
  shift
  with_library SOCKLAB_SEND_PAUSE="$ms" "$@"
}

# with_fork_fail N CMD ARGS: run CMD (spawn_prog, say) so that its lab program's Nth call of fork
# fails with EAGAIN, as when the user has reached its limit of processes; the others are real. The
# failure is written to the log ("pid P: fork: EAGAIN N").
with_fork_fail() {
  local n=$1
  shift
  with_library SOCKLAB_FORK_FAIL="$n" "$@"
}
