#!/usr/bin/env bats
# Lesson 04 (TCP client and server): the specification of `server` and `client`, as tests.
# The contract is lessons/04-tcp/README.md, section 9.

setup() { load harness/test_helper; }
teardown() { lab_teardown; }

# out LABEL / err LABEL: what a background program printed so far.
out() { cat "$BATS_TEST_TMPDIR/$1.out"; }
err() { cat "$BATS_TEST_TMPDIR/$1.err"; }

# start_server LABEL PORT [OPTIONS]: start the lab's server on PORT and wait until it listens.
start_server() {
  local label=$1 port=$2
  shift 2
  spawn_prog "$label" server "$@" "$port"
  wait_tcp "$label" "$port"
}

# assert_thank_you SERVER: the test client just run (run_peer tcp_client) received exactly
# "thank you !\n", 12 bytes, and then end of stream. If not, show what it received and
# what the lab's server (the background program SERVER) printed so far.
assert_thank_you() {
  [[ $status -eq 0 && $output == "thank you !" && $stderr == *"received 12 bytes, closed by the server"* ]] &&
    return 0
  flunk_wire "the test client did not receive the reply and then the server's close" \
    "$(printf 'thank you !\n' | _visible)    (12 bytes, then end of stream; exit 0)" \
    "$(printf '%s' "$output" | _visible)    (exit $status; ${stderr:-no message})
the server ($1) printed so far: $(out "$1") $(err "$1")"
}

# assert_printed LABEL EXPECTED: the background program LABEL wrote exactly EXPECTED on stdout.
assert_printed() {
  local want got
  want=$(printf '%s' "$2" | _visible)
  got=$(_visible <"$BATS_TEST_TMPDIR/$1.out")
  [[ $got == "$want" ]] || flunk_wire "$1 did not print exactly the bytes that arrived" "$want" "$got"
}

# time_wait_on PORT: is a TCP connection with local port PORT in TIME_WAIT (state 06)?
time_wait_on() {
  local hex
  hex=$(printf '%04X' "$1")
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
    grep -qE "^ *[0-9]+: [0-9A-F]+:$hex [0-9A-F]+:[0-9A-F]+ 06 "
}

# ---- usage (the starter already provides these) ----

# bats test_tags=starter-provides
@test "server: a bad option or a bad port is a usage error: status 2" {
  explained_in 9
  covers R9.4
  run_prog server -x
  assert_failure 2
  assert_regex "$stderr" '^usage: server'
  run_prog server 99999
  assert_failure 2
  assert_regex "$stderr" '^usage: server'
  run_prog server 7788 7789
  assert_failure 2
  assert_regex "$stderr" '^usage: server'
}

# bats test_tags=starter-provides
@test "client: without HOST and PORT it prints a usage line and exits with status 2" {
  explained_in 9
  covers R9.20
  run_prog client 127.0.0.1
  assert_failure 2
  assert_regex "$stderr" '^usage: client'
  run_prog client -t 0 127.0.0.1 7788
  assert_failure 2
  assert_regex "$stderr" '^usage: client'
}

# bats test_tags=starter-provides
@test "client: with nothing on standard input it says so and exits with status 1" {
  explained_in 9
  covers R9.23
  run_prog client 127.0.0.1 9
  assert_failure 1
  assert_regex "$stderr" '^client: standard input is empty'
}

# bats test_tags=starter-provides
@test "client: a line longer than 4095 bytes is refused before connecting: status 1" {
  explained_in 9
  covers R9.24
  head -c 5000 /dev/zero | tr '\0' 'a' >"$BATS_TEST_TMPDIR/long"
  run_prog --in-file "$BATS_TEST_TMPDIR/long" client 127.0.0.1 9
  assert_failure 1
  assert_regex "$stderr" '^client: the line is longer than 4095 bytes'
}

# ---- the server ----

# bats test_tags=points:3
@test "server: prints the client's line with its address, replies \"thank you !\", exits 0" {
  explained_in 3
  covers R9.5 R9.6 R9.7 R9.8 R9.9 R9.15 R5.1
  free_port port
  start_server srv "$port"
  run_peer tcp_client 127.0.0.1 "$port" --send $'hello\n'
  assert_thank_you srv
  wait_exit srv
  assert_success
  assert_line "listening on port $port"
  assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: hello$'
}

# bats test_tags=points:3
@test "server: a line sent one byte at a time is still one message (TCP is a byte stream)" {
  explained_in 5
  covers R5.1 R9.7
  free_port port
  start_server srv "$port"
  run_peer tcp_client 127.0.0.1 "$port" --send $'one byte at a time\n' --chunk 1 --pause-ms 15
  assert_thank_you srv
  wait_exit srv
  assert_success
  assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: one byte at a time$'
}

# assert_thank_you_then_end SERVER: like assert_thank_you, but the connection may end with a
# reset instead of the FIN after the whole reply: the server closed with the client's extra
# line unread (section 5 allows it).
assert_thank_you_then_end() {
  # (if the server closed before the second line left, the test client's send failed: status 1)
  [[ $output == "thank you !" && $status -le 1 && ($stderr == *"received 12 bytes, closed by the server"* ||
    $stderr == *"received 12 bytes, Connection reset by peer"*) ]] && return 0
  flunk_wire "the test client did not receive the reply and then the end of the connection" \
    "$(printf 'thank you !\n' | _visible)    (12 bytes, then end of stream or a reset)" \
    "$(printf '%s' "$output" | _visible)    (exit $status; ${stderr:-no message})
the server ($1) printed so far: $(out "$1") $(err "$1")"
}

# bats test_tags=points:2
@test "server: the message ends at the first newline; what follows is ignored" {
  explained_in 5
  covers R5.4 R5.1
  # both lines in one segment, then the second line 100 ms after the first: the server
  # may close with the second line unread, so the client may see a reset after the reply
  for pacing in "" "--chunk 11 --pause-ms 100"; do
    free_port port
    start_server srv "$port"
    # shellcheck disable=SC2086 # two words or none
    run_peer tcp_client 127.0.0.1 "$port" --send $'first line\nsecond line\n' $pacing
    assert_thank_you_then_end srv
    wait_exit srv
    assert_success
    assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: first line$'
    refute_line --partial 'second line'
  done
}

# bats test_tags=points:3
@test "server: replies as soon as the newline arrives, while the client keeps its side open" {
  explained_in 5
  covers R5.1 R9.7
  free_port port
  start_server srv "$port"
  # --keep-open: no end of stream from the client; only the "\n" ends the message.
  run_peer tcp_client 127.0.0.1 "$port" --send $'still here\n' --keep-open --idle-ms 3000
  assert_thank_you srv
  wait_exit srv
  assert_success
  assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: still here$'
}

# bats test_tags=points:3
@test "server: without a newline, the client's end of stream ends the message" {
  explained_in 5
  covers R5.2
  free_port port
  start_server srv "$port"
  run_peer tcp_client 127.0.0.1 "$port" --send 'no newline' --chunk 3 --pause-ms 10
  assert_thank_you srv
  wait_exit srv
  assert_success
  assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: no newline$'
}

# bats test_tags=points:2
@test "server: an empty line is a message too: it prints \"from ADDR:PORT: \" and replies" {
  explained_in 5
  covers R5.5 R9.8
  free_port port
  start_server srv "$port"
  run_peer tcp_client 127.0.0.1 "$port" --send $'\n' --keep-open
  assert_thank_you srv
  wait_exit srv
  assert_success
  assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: $'
}

# bats test_tags=points:2
@test "server: a client that connects and closes without sending does not crash it (status 1, reason on stderr)" {
  explained_in 6
  covers R9.10 R9.11 R9.15
  free_port port
  start_server srv "$port"
  run_peer tcp_client 127.0.0.1 "$port" --close-now
  assert_success
  wait_exit srv
  assert_failure 1
  assert_regex "$stderr" 'server: 127\.0\.0\.1:[0-9]+: closed without sending a message'
  refute_line --partial 'from '
}

# bats test_tags=points:2
@test "server: a silent client that never closes is dropped after -t SECONDS" {
  explained_in 6
  covers R9.3 R9.10 R9.12
  free_port port
  start_server srv "$port" -t 1
  # The peer sends nothing and keeps the connection open; it waits up to 5 s for the server.
  run_peer tcp_client 127.0.0.1 "$port" --keep-open --idle-ms 5000
  assert_success # the server closed the connection: the peer saw end of stream
  assert_equal "$output" ""
  wait_exit srv
  assert_failure 1
  # one line on stderr for the failed client (R9.10), not the recv error and then this
  assert_regex "$stderr" '^server: 127\.0\.0\.1:[0-9]+: nothing received for 1 s$'
}

# bats test_tags=points:2
@test "server: a message longer than 4096 bytes without a newline gets no reply" {
  explained_in 6
  covers R5.3 R9.13
  free_port port
  head -c 5000 /dev/zero | tr '\0' 'a' >"$BATS_TEST_TMPDIR/long"
  start_server srv "$port"
  run_peer tcp_client 127.0.0.1 "$port" --send-file "$BATS_TEST_TMPDIR/long" --idle-ms 3000
  [[ $output != *"thank you"* ]] || flunk_wire "a reply to a message that is too long" "no reply" "$output"
  wait_exit srv
  assert_failure 1
  assert_regex "$stderr" 'server: 127\.0\.0\.1:[0-9]+: message longer than 4096 bytes'
}

# bats test_tags=points:3
@test "server -k: serves clients one after another and goes on after a client that failed" {
  explained_in 7
  covers R9.2
  free_port port
  start_server srv "$port" -k -t 1
  run_peer tcp_client 127.0.0.1 "$port" --send $'first\n'
  assert_thank_you srv
  run_peer tcp_client 127.0.0.1 "$port" --close-now
  run_peer tcp_client 127.0.0.1 "$port" --keep-open --idle-ms 5000
  run_peer tcp_client 127.0.0.1 "$port" --send $'second\n' --chunk 2 --pause-ms 5
  assert_thank_you srv
  run_peer tcp_client 127.0.0.1 "$port" --send $'third\n'
  assert_thank_you srv
  wait_line srv '^from 127\.0\.0\.1:[0-9]+: third$'
  run grep -c '^from ' "$BATS_TEST_TMPDIR/srv.out"
  assert_output 3
  run_peer await tcp "$port" --pid "$(prog_pid srv)" --ms 100
  assert_success # still listening
}

# bats test_tags=points:2
@test "server -k: a client that resets the connection (RST) is reported and the server goes on" {
  explained_in 6
  covers R9.2 R9.14
  free_port port
  start_server srv "$port" -k
  run_peer tcp4_reset_client 127.0.0.1 "$port" --send 'half a li'
  assert_success
  run_peer tcp4_reset_client 127.0.0.1 "$port" --wait-ms 0
  assert_success
  run_peer tcp_client 127.0.0.1 "$port" --send $'after the resets\n'
  assert_thank_you srv
  wait_line srv '^from 127\.0\.0\.1:[0-9]+: after the resets$'
  assert_regex "$(err srv)" 'server: 127\.0\.0\.1:[0-9]+: recv: Connection reset by peer'
}

# bats test_tags=points:2
@test "server: restarts on the same port right after it exits, despite TIME_WAIT (SO_REUSEADDR)" {
  explained_in 8
  covers R9.5
  free_port port
  start_server srv1 "$port"
  # --keep-open: the client does not close first, so the server's close starts the four-way close.
  run_peer tcp_client 127.0.0.1 "$port" --send $'before\n' --keep-open
  assert_thank_you srv1
  wait_exit srv1
  assert_success
  # The server closed first, so its end of that connection waits in TIME_WAIT now.
  time_wait_on "$port" || fail "no TIME_WAIT connection on port $port: this test cannot check the restart"
  spawn_prog srv2 server "$port"
  wait_tcp srv2 "$port"
  run_peer tcp_client 127.0.0.1 "$port" --send $'after\n'
  assert_thank_you srv2
  wait_exit srv2
  assert_success
  assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: after$'
}

# bats test_tags=points:2
@test "server: answers nc (printf 'hi from nc\\n' | nc -N 127.0.0.1 PORT)" {
  explained_in 10
  covers R9.8 R9.9
  command -v nc >/dev/null || skip "nc (netcat-openbsd) is not installed"
  free_port port
  start_server srv "$port"
  run bash -c 'printf "hi from nc\n" | timeout 5 nc -N 127.0.0.1 "$1"' _ "$port"
  assert_success
  assert_output "thank you !"
  wait_exit srv
  assert_success
  assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: hi from nc$'
}

# ---- the client ----

# bats test_tags=points:3
@test "client: sends the first line of standard input and prints the reply, exit 0" {
  explained_in 4
  covers R9.18 R9.21 R9.22
  free_port port
  spawn_peer srv tcp_server "$port" --reply $'thank you !\n' --save "$BATS_TEST_TMPDIR/got"
  wait_tcp srv "$port"
  run_prog --in $'hello\nnot this one' client 127.0.0.1 "$port"
  assert_success
  assert_output "thank you !"
  printf 'hello\n' >"$BATS_TEST_TMPDIR/want"
  assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" "what the server received"
}

# bats test_tags=points:2
@test "client: adds the newline when standard input ends without one" {
  explained_in 4
  covers R9.21
  free_port port
  spawn_peer srv tcp_server "$port" --reply $'ok\n' --save "$BATS_TEST_TMPDIR/got"
  wait_tcp srv "$port"
  printf 'no newline' >"$BATS_TEST_TMPDIR/in"
  run_prog --in-file "$BATS_TEST_TMPDIR/in" client localhost "$port"
  assert_success
  assert_output "ok"
  printf 'no newline\n' >"$BATS_TEST_TMPDIR/want"
  assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" "what the server received"
}

# bats test_tags=points:3
@test "client: a reply that arrives one byte at a time is printed whole (read until the server closes)" {
  explained_in 5
  covers R5.6 R9.22
  free_port port
  reply=$'thank you !\nand a second line\n'
  spawn_peer srv tcp_server "$port" --reply "$reply" --chunk 1 --pause-ms 10
  wait_tcp srv "$port"
  spawn_prog cli client 127.0.0.1 "$port"
  feed cli 'hello'
  wait_exit cli
  assert_success
  assert_printed cli "$reply"
}

# bats test_tags=points:3
@test "client: shuts down its writing side after the line (the server sees end of stream)" {
  explained_in 4
  covers R9.22
  free_port port
  # This server replies only after the client's end of stream, not after the newline:
  # a client that does not shut down gives up (-t 2) before the peer does (5 s).
  spawn_peer srv tcp_server "$port" --reply $'got it\n' --until eof --idle-ms 5000 \
    --save "$BATS_TEST_TMPDIR/got"
  wait_tcp srv "$port"
  run_prog --in 'over' client -t 2 127.0.0.1 "$port"
  assert_success
  assert_output "got it"
  wait_exit srv
  assert_line "client sent 5 bytes"
}

# bats test_tags=points:2
@test "client: a server that stalls for longer than -t SECONDS makes it give up: status 1" {
  explained_in 6
  covers R9.19 R9.27
  free_port port
  spawn_peer srv tcp_server "$port" --reply 'thank you !' --chunk 5 --pause-ms 3000
  wait_tcp srv "$port"
  run_prog --in 'hello' client -t 1 127.0.0.1 "$port"
  assert_failure 1
  assert_output "thank"
  assert_regex "$stderr" 'client: nothing received for 1 s'
}

# bats test_tags=points:2
@test "client: nobody listening is a connect error: status 1, the reason on stderr" {
  explained_in 4
  covers R9.26
  free_port port
  run_prog --in 'hello' client 127.0.0.1 "$port"
  assert_failure 1
  assert_equal "$output" ""
  assert_regex "$stderr" "^client: connect to 127\.0\.0\.1 port $port: Connection refused"
}

# bats test_tags=points:2
@test "client: talks to nc -l (nc prints the line, the client prints what nc sends)" {
  explained_in 10
  covers R9.22
  free_port port
  spawn_cmd ncl nc -N -l 127.0.0.1 "$port"
  wait_tcp ncl "$port"
  # The reply waits in nc's input before the client connects: this nc quits as soon as
  # the client's FIN arrives. -N: at the end of its input, nc shuts down its writing side.
  feed ncl "thank you from nc"
  close_input ncl
  run_prog --in 'hello nc' client 127.0.0.1 "$port"
  assert_success
  assert_output "thank you from nc"
  wait_exit ncl
  assert_success
  assert_output "hello nc"
}

# ---- both together ----

# bats test_tags=points:2
@test "client and server talk to each other" {
  explained_in 9
  covers R9.22 R9.9
  free_port port
  start_server srv "$port"
  run_prog --in 'hello, server' client 127.0.0.1 "$port"
  assert_success
  assert_output "thank you !"
  wait_exit srv
  assert_success
  assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: hello, server$'
}

# ---- under fault injection: short sends and receives, EINTR (tests/harness/faults.bash) ----
# Any send or recv may move fewer bytes than asked, and a blocking call may fail with EINTR
# (section 5): only programs that loop until everything moved pass these.

# bats test_tags=points:1
@test "server under faults (short recv and send, EINTR): the whole line is one message, the whole reply is sent" {
  explained_in 5
  covers R5.1 R9.2 R9.7 R9.9
  load harness/faults
  free_port port
  with_faults start_server srv "$port" -k
  run_peer tcp_client 127.0.0.1 "$port" --send $'a line that comes in pieces\n'
  assert_thank_you srv
  run_peer tcp_client 127.0.0.1 "$port" --send $'second client\n' --keep-open
  assert_thank_you srv
  wait_line srv '^from 127\.0\.0\.1:[0-9]+: second client$'
  run cat "$BATS_TEST_TMPDIR/srv.out"
  assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: a line that comes in pieces$'
  assert_equal "$(grep -c '^from ' <<<"$output")" 2
  assert_faults_happened
}

# bats test_tags=points:1
@test "client under faults (short send and recv, EINTR): sends the whole line, prints the whole reply" {
  explained_in 5
  covers R9.21 R9.22
  load harness/faults
  free_port port
  line=$(head -c 3000 /dev/zero | tr '\0' 'x')
  reply=$'thank you !\nand a second line of the reply\n'
  spawn_peer srv tcp_server "$port" --reply "$reply" --save "$BATS_TEST_TMPDIR/got"
  wait_tcp srv "$port"
  with_faults run_prog --in "$line" client 127.0.0.1 "$port"
  assert_success
  printf '%s' "$reply" >"$BATS_TEST_TMPDIR/want-reply"
  printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/got-reply"
  assert_same_file "$BATS_TEST_TMPDIR/want-reply" "$BATS_TEST_TMPDIR/got-reply" "what the client printed"
  printf '%s\n' "$line" >"$BATS_TEST_TMPDIR/want"
  assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" "what the server received"
  assert_faults_happened
}

# ---- the edges of each rule ----

# bats test_tags=points:1
@test "server: 4095 bytes and the newline (4096 in all) are a message; 4096 bytes before the newline are too long" {
  explained_in 5
  covers R5.3 R5.2 R9.13
  free_port port
  start_server srv "$port" -k -t 2
  head -c 4095 /dev/zero | tr '\0' a >"$BATS_TEST_TMPDIR/a4095"
  head -c 4096 /dev/zero | tr '\0' b >"$BATS_TEST_TMPDIR/b4096"
  { cat "$BATS_TEST_TMPDIR/a4095"; echo; } >"$BATS_TEST_TMPDIR/line4096"
  { cat "$BATS_TEST_TMPDIR/b4096"; echo; } >"$BATS_TEST_TMPDIR/line4097"
  run_peer tcp_client 127.0.0.1 "$port" --send-file "$BATS_TEST_TMPDIR/line4096"
  assert_thank_you srv
  # the server prints its line before it replies (R9.8, R9.9): it is there by now
  grep -qE "^from 127\\.0\\.0\\.1:[0-9]+: a{4095}\$" "$BATS_TEST_TMPDIR/srv.out" ||
    flunk_wire "the server's line for a 4095-byte message" "from 127.0.0.1:CPORT: aaa... (4095 a)" "$(cut -c1-80 "$BATS_TEST_TMPDIR/srv.out")"
  run_peer tcp_client 127.0.0.1 "$port" --send-file "$BATS_TEST_TMPDIR/a4095" # no newline: the end of stream ends it
  assert_thank_you srv
  run_peer tcp_client 127.0.0.1 "$port" --send-file "$BATS_TEST_TMPDIR/line4097"
  [[ $output != *"thank you"* ]] || flunk_wire "the reply to 4096 bytes before the newline" "none (too long)" "$output"
  wait_err srv 'server: 127\.0\.0\.1:[0-9]+: message longer than 4096 bytes'
  run_peer tcp_client 127.0.0.1 "$port" --send-file "$BATS_TEST_TMPDIR/b4096" # 4096 bytes, then end of stream
  [[ $output != *"thank you"* ]] || flunk_wire "the reply to 4096 bytes and no newline" "none (too long)" "$output"
  run_peer await line "$BATS_TEST_TMPDIR/srv.out" '^from .*: b' --pid "$(prog_pid srv)" --ms 300
  assert_failure 1 # no "from" line for either too-long message
}

# bats test_tags=points:1,waits:3
@test "server: the receive timeout is per recv: a line that trickles in for 2.7 s is served under -t 1" {
  explained_in 6
  covers R9.3 R9.6 R9.12
  free_port port
  start_server srv "$port" -t 1
  # 10 pieces, 300 ms apart: never 1 s without a byte (700 ms to spare on a loaded machine),
  # 2.7 s in all.
  run_peer tcp_client 127.0.0.1 "$port" --send $'slow line\n' --chunk 1 --pause-ms 300
  assert_thank_you srv
  wait_exit srv
  assert_success
  assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: slow line$'
}

# bats test_tags=points:1
@test "server: -t 3600 is taken, -t 0 and -t 3601 are usage errors" {
  explained_in 9
  covers R9.3 R9.4
  free_port port
  for bad in 0 3601 -1 1x; do
    run_prog server -t "$bad" "$port"
    [[ $status == 2 && $stderr == usage:* ]] ||
      flunk_wire "server -t $bad $port" "status 2 and the usage line" "status $status, ${stderr:-no message}"
  done
  start_server srv "$port" -t 3600
  run_peer tcp_client 127.0.0.1 "$port" --send $'hi\n'
  assert_thank_you srv
  wait_exit srv
  assert_success
}

# bats test_tags=points:1
@test "server: listens on every local address (a client of 127.0.0.2 is served), and on 7788 without PORT" {
  explained_in 9
  covers R9.1 R9.5
  free_port port
  start_server srv "$port"
  run_peer tcp_client 127.0.0.2 "$port" --send $'to another address\n'
  assert_thank_you srv
  wait_exit srv
  assert_success
  # the skip depends on the test's own probe, never on what the program says
  run_peer ports probe tcp 7788
  ((status != 1)) || skip "port 7788 is in use on this machine"
  spawn_prog def server
  local code=0
  _peer await || return 1
  "$_PEER" tcp 7788 --pid "${_PID[def]}" --ms "$READY_MS" || code=$?
  ((code == 0)) || _not_ready def "listen on TCP port 7788 (the default)" "$code"
  wait_line def '^listening on port 7788$'
}

# bats test_tags=points:1
@test "server: a port another program listens on is a bind error: server: bind (port PORT): REASON, status 1" {
  explained_in 9
  covers R9.16 R9.5
  free_port port
  spawn_peer other tcp_server "$port" --accept-ms 5000
  wait_tcp other "$port"
  run_prog server "$port"
  assert_failure 1
  assert_regex "$stderr" "^server: bind \\(port $port\\): Address already in use"
  refute_output --partial listening
}

# bats test_tags=points:1
@test "server -k: clients that send a line and reset at once never kill it (no SIGPIPE); the next client is served" {
  explained_in 6
  covers R9.17 R9.14 R9.2
  free_port port
  start_server srv "$port" -k
  for i in 1 2 3 4 5 6 7 8 9 10; do
    run_peer tcp4_reset_client 127.0.0.1 "$port" --send $'here and gone\n' --wait-ms 0
    assert_success
  done
  run_peer tcp_client 127.0.0.1 "$port" --send $'still served\n'
  assert_thank_you srv
  pid=$(prog_pid srv)
  [[ $(cut -d' ' -f3 "/proc/$pid/stat") != Z ]] || flunk_wire "the server process" "alive" "a zombie"
}

# bats test_tags=points:1
@test "client: a 4095-byte line is sent whole; a 4096-byte line is refused and nothing is sent" {
  explained_in 9
  covers R9.24 R9.21
  free_port port
  spawn_peer srv tcp_server "$port" --reply $'ok\n' --save "$BATS_TEST_TMPDIR/got"
  wait_tcp srv "$port"
  head -c 4096 /dev/zero | tr '\0' a >"$BATS_TEST_TMPDIR/line4096"
  run_prog --in-file "$BATS_TEST_TMPDIR/line4096" client 127.0.0.1 "$port"
  assert_failure 1
  assert_regex "$stderr" '^client: the line is longer than 4095 bytes'
  head -c 4095 "$BATS_TEST_TMPDIR/line4096" >"$BATS_TEST_TMPDIR/line4095"
  run_prog --in-file "$BATS_TEST_TMPDIR/line4095" client 127.0.0.1 "$port"
  assert_success
  assert_output "ok"
  { cat "$BATS_TEST_TMPDIR/line4095"; echo; } >"$BATS_TEST_TMPDIR/want"
  assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" "what the server received (the refused line never came)"
}

# bats test_tags=points:1
@test "client: sends the first line with its tabs and carriage return as it is; a lone newline is a line, not empty input" {
  explained_in 9
  covers R9.21 R9.22 R9.23
  free_port port
  spawn_peer srv tcp_server "$port" --reply $'ok\n' --save "$BATS_TEST_TMPDIR/got" --clients 2
  wait_tcp srv "$port"
  printf '\tone  two\r\nthree\n' >"$BATS_TEST_TMPDIR/in"
  run_prog --in-file "$BATS_TEST_TMPDIR/in" client 127.0.0.1 "$port"
  assert_success
  printf '\tone  two\r\n' >"$BATS_TEST_TMPDIR/want"
  assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" "what the server received"
  printf '\n' >"$BATS_TEST_TMPDIR/in"
  run_prog --in-file "$BATS_TEST_TMPDIR/in" client 127.0.0.1 "$port"
  assert_success
  assert_output "ok"
  assert_same_file "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/got" "what the server received for a lone newline"
}

# bats test_tags=points:1,waits:2
@test "client: the timeout is per recv: a reply that trickles in for 1.8 s arrives whole under -t 1; -t 3601 is refused" {
  explained_in 6
  covers R9.19 R9.20 R9.27
  free_port port
  # 6 pieces, 360 ms apart: never 1 s without a byte (640 ms to spare), 1.8 s in all
  spawn_peer srv tcp_server "$port" --reply $'thank you !\n' --chunk 2 --pause-ms 360
  wait_tcp srv "$port"
  run_prog --in 'hello' client -t 1 127.0.0.1 "$port"
  assert_success
  assert_output "thank you !"
  run_prog --in 'hello' client -t 3601 127.0.0.1 "$port"
  assert_failure 2
  assert_regex "$stderr" '^usage: client'
}

# bats test_tags=points:1
@test "client: a PORT that names no service is a resolution error: client: HOST port PORT: REASON, status 1" {
  explained_in 9
  covers R9.25
  run_prog --in 'hello' client 127.0.0.1 no-such-service
  assert_failure 1
  assert_equal "$output" ""
  assert_regex "$stderr" '^client: 127\.0\.0\.1 port no-such-service: .+'
}

# bats test_tags=points:1
@test "client: talks to a server on the IPv6 loopback, ::1" {
  explained_in 9
  covers R9.18 R9.22
  grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null || skip "this machine has no IPv6 loopback address"
  free_port port
  spawn_cmd ncl nc -N -6 -l ::1 "$port"
  wait_tcp ncl "$port"
  feed ncl "hello over IPv6"
  close_input ncl
  run_prog --in 'from the client' client ::1 "$port"
  assert_success
  assert_output "hello over IPv6"
  wait_exit ncl
  assert_output "from the client"
}

# bats test_tags=points:1
@test "client: a server that resets the connection: client: CALL: REASON, status 1, not killed by a signal" {
  explained_in 9
  covers R9.28 R9.29
  free_port port
  spawn_peer srv tcp_server "$port" --reset yes
  wait_tcp srv "$port"
  run_prog --in 'hello' client 127.0.0.1 "$port"
  ((status == 1)) || flunk_wire "the client's exit status after a reset" "1 (and a message)" "$status$( ((status > 128)) && echo " (killed by signal $((status - 128)))")"
  # the reset may come before the client's shutdown or during its recv: either call may report it
  assert_regex "$stderr" '^client: (shutdown|recv): (Connection reset by peer|Transport endpoint is not connected)'
}

# hex_of FILE: the bytes of FILE as one string of hex digits.
hex_of() {
  od -An -tx1 -v "$1" | tr -d ' \n'
}

# zh: 服务器逐字节打印消息：\n 前的回车符留着，NUL 字节也一样
# bats test_tags=points:1
@test "server: MESSAGE is printed byte for byte: a carriage return before the newline stays, and so does a NUL byte" {
  explained_in 9
  covers R9.8 R5.1
  free_port port
  start_server srv "$port"
  printf 'a\x00b\tc\r\nnot this\n' >"$BATS_TEST_TMPDIR/line"
  run_peer tcp_client 127.0.0.1 "$port" --send-file "$BATS_TEST_TMPDIR/line"
  assert_thank_you_then_end srv
  wait_exit srv
  assert_success
  # stdout: "listening on port P\nfrom 127.0.0.1:CPORT: " then 61 00 62 09 63 0d and the newline
  got=$(hex_of "$BATS_TEST_TMPDIR/srv.out")
  printf 'listening on port %s\nfrom 127.0.0.1:' "$port" >"$BATS_TEST_TMPDIR/head"
  [[ $got == "$(hex_of "$BATS_TEST_TMPDIR/head")"* && $got == *3a2061006209630d0a && $(tr -cd '\n' <"$BATS_TEST_TMPDIR/srv.out" | wc -c) == 2 ]] ||
    flunk_wire "the server's stdout for the request a 00 b \\t c \\r \\n" \
      "listening on port $port / from 127.0.0.1:CPORT: a\\0b\\tc\\r  (then the newline)" \
      "$(_visible <"$BATS_TEST_TMPDIR/srv.out")"
}

# zh: -t 限制的是客户端的沉默，不是等待客户端：2.5 秒没有客户端（-t 1）之后，第一个客户端照样得到服务
# bats test_tags=points:1,waits:3
@test "server: -t bounds a client's silence, not the wait for one: no client for 2.5 s under -t 1, then one is served" {
  explained_in 6
  covers R9.6 R9.16 R9.3
  free_port port
  start_server srv "$port" -t 1
  # no client yet: it must wait in accept, saying nothing (SO_RCVTIMEO on the listener would
  # make accept fail after 1 s)
  run_peer await line "$BATS_TEST_TMPDIR/srv.err" '.' --pid "$(prog_pid srv)" --ms 2500
  ((status == 1)) || flunk_wire "the server 2.5 s after it started listening, with no client yet (-t 1)" \
    "still waiting in accept, nothing on stderr" "$(err srv) (exited: $( ((status == 3)) && echo yes || echo no))"
  run_peer tcp_client 127.0.0.1 "$port" --send $'late\n'
  assert_thank_you srv
  wait_exit srv
  assert_success
  assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: late$'
}

# zh: 服务器服务一个不说话的客户端时，另外 128 个客户端能完成三次握手（backlog 128）
# bats test_tags=points:1
@test "server: while it serves a silent client, 128 more complete their handshake and wait (backlog 128)" {
  explained_in 2
  covers R9.5
  free_port port
  start_server srv "$port" -t 30
  spawn_peer silent tcp_client 127.0.0.1 "$port" --keep-open --idle-ms 30000
  # the kernel completes each handshake while the accept queue has room; a backlog of 5 leaves
  # room for 6, and the SYNs of the others are dropped until the server accepts again
  run_peer tcp_crowd 127.0.0.1 "$port" 128 --ms 10000
  [[ $status == 0 ]] || flunk_wire "connections that finished their handshake while the server served a silent client" \
    "128 of 128 (listen's backlog: 128)" "$output $stderr"
}

# zh: 不给 -t 时，服务器和客户端都在 5 秒后放弃（默认值）
# bats test_tags=points:1,waits:6
@test "server and client without -t give up after the default 5 s: nothing received for 5 s, one line, status 1" {
  explained_in 9
  covers R9.3 R9.12 R9.19 R9.27
  free_port port port2
  start_server srv "$port"
  spawn_peer silent tcp_client 127.0.0.1 "$port" --keep-open --idle-ms 9000
  spawn_peer stall tcp_server "$port2" --reply 'thank you !' --chunk 5 --pause-ms 9000
  wait_tcp stall "$port2"
  spawn_prog cli client 127.0.0.1 "$port2"
  feed cli "hello"
  wait_exit srv
  assert_failure 1
  assert_regex "$stderr" '^server: 127\.0\.0\.1:[0-9]+: nothing received for 5 s$'
  wait_exit cli
  assert_failure 1
  assert_equal "$output" "thank"
  assert_equal "$stderr" "client: nothing received for 5 s"
}

# zh: 没有描述符可用时 accept 失败：打印 server: accept: REASON，退出状态 1，加 -k 也一样
# bats test_tags=points:1
@test "server: when accept fails (no descriptor left) it prints server: accept: REASON and exits 1, with -k too" {
  explained_in 9
  covers R9.16 R9.15
  free_port port
  # room for the listening socket only (descriptor 3): accept() fails with EMFILE at once (the
  # kernel takes the new descriptor before it waits for a client), and -k does not go on
  bin=$(lab_bin server) || return 1
  run_bounded --timeout 5 bash -c 'ulimit -n 4 && exec "$0" "$@"' "$bin" -k "$port"
  assert_failure 1
  assert_equal "$output" "listening on port $port"
  assert_equal "$stderr" "server: accept: Too many open files"
}

# zh: 服务器一个字节也不发就关闭连接：空应答，什么也不打印，退出状态 0
# bats test_tags=points:1
@test "client: a server that closes without sending a byte has sent an empty reply: nothing printed, status 0" {
  explained_in 5
  covers R5.6 R9.22
  free_port port
  spawn_peer srv tcp_server "$port" --reply '' --save "$BATS_TEST_TMPDIR/got"
  wait_tcp srv "$port"
  run_prog --in 'hello' client 127.0.0.1 "$port"
  assert_success
  assert_equal "$output" ""
  assert_equal "$stderr" ""
}

# zh: 客户端原样发出含 NUL 等各种字节的一行，并原样打印含全部 256 种字节的应答
# bats test_tags=points:1
@test "client: sends a line with every byte value but the newline, NUL included, and prints a reply of all 256 byte values, byte for byte" {
  explained_in 9
  covers R9.21 R9.22
  free_port port
  local b h
  for b in {0..255}; do
    printf -v h %02x "$b"
    ((b == 10)) || printf "\\x$h" >>"$BATS_TEST_TMPDIR/line"
    printf "\\x$h" >>"$BATS_TEST_TMPDIR/reply"
  done
  cat "$BATS_TEST_TMPDIR/reply" "$BATS_TEST_TMPDIR/reply" "$BATS_TEST_TMPDIR/reply" >"$BATS_TEST_TMPDIR/reply3"
  spawn_peer srv tcp_server "$port" --reply-file "$BATS_TEST_TMPDIR/reply3" --save "$BATS_TEST_TMPDIR/got"
  wait_tcp srv "$port"
  spawn_prog cli client 127.0.0.1 "$port"
  { cat "$BATS_TEST_TMPDIR/line"; printf '\nnot this\n'; } >&"${_INFD[cli]}"
  wait_exit cli
  assert_success
  { cat "$BATS_TEST_TMPDIR/line"; printf '\n'; } >"$BATS_TEST_TMPDIR/want"
  assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" "what the server received"
  assert_same_file "$BATS_TEST_TMPDIR/reply3" "$BATS_TEST_TMPDIR/cli.out" "what the client printed"
}

# zh: 输入为空或行太长时不去看 HOST 和 PORT：报告的是输入的错误
# bats test_tags=starter-provides
@test "client: with empty input or a line too long, a PORT that names no service is not looked at: the input error is reported" {
  explained_in 9
  covers R9.23 R9.24 R9.25
  run_prog client 127.0.0.1 no-such-service # standard input: /dev/null
  assert_failure 1
  assert_equal "$stderr" "client: standard input is empty: nothing to send"
  head -c 5000 /dev/zero | tr '\0' a >"$BATS_TEST_TMPDIR/long"
  run_prog --in-file "$BATS_TEST_TMPDIR/long" client 127.0.0.1 no-such-service
  assert_failure 1
  assert_equal "$stderr" "client: the line is longer than 4095 bytes"
}

# zh: 读标准输入失败：client: standard input: REASON，退出状态 1，什么也不发
# bats test_tags=starter-provides
@test "client: when reading standard input fails it says client: standard input: REASON, status 1" {
  explained_in 9
  covers R9.28
  free_port port
  # a directory as standard input: read() on it fails with EISDIR
  run_prog --in-file "$BATS_TEST_TMPDIR" client 127.0.0.1 "$port"
  assert_failure 1
  assert_equal "$output" ""
  assert_equal "$stderr" "client: standard input: Is a directory"
}

# zh: 端口和 -t 的边界：服务器拒绝端口 0、接受 65535；客户端接受 -t 3600
# bats test_tags=points:1
@test "server refuses PORT 0 and listens on 65535; client takes -t 3600" {
  explained_in 9
  covers R9.1 R9.4 R9.19 R9.20
  run_prog server 0
  assert_failure 2
  assert_regex "$stderr" '^usage: server'
  run_peer ports probe tcp 65535
  ((status != 1)) || skip "port 65535 is in use on this machine"
  start_server srv 65535
  run_prog --in 'to the last port' client -t 3600 127.0.0.1 65535
  assert_success
  assert_output "thank you !"
  wait_exit srv
  assert_success
  assert_line "listening on port 65535"
  assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: to the last port$'
}

# run_client_with_hosts HOSTS_FILE [--in TEXT] ARGS: run `client ARGS` like run_prog, but with
# HOSTS_FILE as its /etc/hosts: in a mount namespace of its own (unshare -rm), where that file is
# bound over /etc/hosts. The machine's own /etc/hosts may give localhost one address only.
run_client_with_hosts() {
  local hosts=$1 bin opts=()
  shift
  while [[ $1 == --* ]]; do opts+=("$1" "$2"); shift 2; done
  bin=$(lab_bin client) || return 1
  run_bounded "${opts[@]}" "$(command -v unshare)" -rm sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' \
    "$hosts" "$bin" "$@"
}

# zh: localhost 有 ::1 和 127.0.0.1 两个地址：服务器只在其中一个上监听时，客户端依次尝试，连上另一个
# bats test_tags=points:1
@test "client: localhost has two addresses; whichever one the server listens on, the client tries each in turn and gets there" {
  explained_in 4
  covers R9.18 R9.22 R9.26
  grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null || skip "this machine has no IPv6 loopback address"
  printf '127.0.0.1 localhost\n::1 localhost\n' >"$BATS_TEST_TMPDIR/hosts"
  chmod 644 "$BATS_TEST_TMPDIR/hosts"
  unshare -rm sh -c 'mount --bind "$0" /etc/hosts' "$BATS_TEST_TMPDIR/hosts" 2>/dev/null ||
    skip "this machine cannot give a program an /etc/hosts of its own (unshare -rm)"
  # the first address the client tries is refused in one of the two runs, whatever the order
  for family in 4 6; do
    free_port port
    addr=127.0.0.1
    ((family == 6)) && addr=::1
    spawn_cmd "nc$family" nc -N "-$family" -l "$addr" "$port"
    wait_tcp "nc$family" "$port"
    feed "nc$family" "hello over IPv$family"
    close_input "nc$family"
    run_client_with_hosts "$BATS_TEST_TMPDIR/hosts" --in "to IPv$family" localhost "$port"
    [[ $status == 0 && $output == "hello over IPv$family" ]] ||
      flunk_wire "client localhost $port, with the server on $addr only (localhost: 127.0.0.1 and ::1)" \
        "status 0, hello over IPv$family" "status $status, stdout: $output, stderr: $stderr"
    wait_exit "nc$family"
    assert_output "to IPv$family"
  done
  # nobody on either address: one line, for the last address tried
  free_port port
  run_client_with_hosts "$BATS_TEST_TMPDIR/hosts" --in "anyone?" localhost "$port"
  assert_failure 1
  assert_equal "$stderr" "client: connect to localhost port $port: Connection refused"
}
