#!/usr/bin/env bats
# Lesson 04 (TCP client and server): the specification of `server` and `client`, as tests.
# The contract is lessons/04-tcp/README.md, section 9.

setup() { load test_helper; }
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
  cat "$(net_table tcp)" "$(net_table tcp6)" 2>/dev/null |
    grep -qE "^ *[0-9]+: [0-9A-F]+:$hex [0-9A-F]+:[0-9A-F]+ 06 "
}

# ---- usage (the starter already provides these) ----

# bats test_tags=starter-provides
@test "server: a bad option or a bad port is a usage error: status 2" {
  explained_in 9
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
  run_prog client 127.0.0.1 9
  assert_failure 1
  assert_regex "$stderr" '^client: standard input is empty'
}

# bats test_tags=starter-provides
@test "client: a line longer than 4095 bytes is refused before connecting: status 1" {
  explained_in 9
  head -c 5000 /dev/zero | tr '\0' 'a' >"$BATS_TEST_TMPDIR/long"
  run_prog --in-file "$BATS_TEST_TMPDIR/long" client 127.0.0.1 9
  assert_failure 1
  assert_regex "$stderr" '^client: the line is longer than 4095 bytes'
}

# ---- the server ----

@test "server: prints the client's line with its address, replies \"thank you !\", exits 0" {
  explained_in 3
  port=$(free_port)
  start_server srv "$port"
  run_peer tcp_client 127.0.0.1 "$port" --send $'hello\n'
  assert_thank_you srv
  wait_exit srv
  assert_success
  assert_line "listening on port $port"
  assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: hello$'
}

@test "server: a line sent one byte at a time is still one message (TCP is a byte stream)" {
  explained_in 5
  port=$(free_port)
  start_server srv "$port"
  run_peer tcp_client 127.0.0.1 "$port" --send $'one byte at a time\n' --chunk 1 --pause-ms 15
  assert_thank_you srv
  wait_exit srv
  assert_success
  assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: one byte at a time$'
}

@test "server: the message ends at the first newline; what follows is ignored" {
  explained_in 5
  port=$(free_port)
  start_server srv "$port"
  run_peer tcp_client 127.0.0.1 "$port" --send $'first line\nsecond line\n'
  assert_thank_you srv
  wait_exit srv
  assert_success
  assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: first line$'
  refute_line --partial 'second line'
}

@test "server: replies as soon as the newline arrives, while the client keeps its side open" {
  explained_in 5
  port=$(free_port)
  start_server srv "$port"
  # --keep-open: no end of stream from the client; only the "\n" ends the message.
  run_peer tcp_client 127.0.0.1 "$port" --send $'still here\n' --keep-open --idle-ms 3000
  assert_thank_you srv
  wait_exit srv
  assert_success
  assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: still here$'
}

@test "server: without a newline, the client's end of stream ends the message" {
  explained_in 5
  port=$(free_port)
  start_server srv "$port"
  run_peer tcp_client 127.0.0.1 "$port" --send 'no newline' --chunk 3 --pause-ms 10
  assert_thank_you srv
  wait_exit srv
  assert_success
  assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: no newline$'
}

@test "server: an empty line is a message too: it prints \"from ADDR:PORT: \" and replies" {
  explained_in 5
  port=$(free_port)
  start_server srv "$port"
  run_peer tcp_client 127.0.0.1 "$port" --send $'\n' --keep-open
  assert_thank_you srv
  wait_exit srv
  assert_success
  assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: $'
}

@test "server: a client that connects and closes without sending does not crash it (status 1, reason on stderr)" {
  explained_in 6
  port=$(free_port)
  start_server srv "$port"
  run_peer tcp_client 127.0.0.1 "$port" --close-now
  assert_success
  wait_exit srv
  assert_failure 1
  assert_regex "$stderr" 'server: 127\.0\.0\.1:[0-9]+: closed without sending a message'
  refute_line --partial 'from '
}

@test "server: a silent client that never closes is dropped after -t SECONDS" {
  explained_in 6
  port=$(free_port)
  start_server srv "$port" -t 1
  # The peer sends nothing and keeps the connection open; it waits up to 5 s for the server.
  run_peer tcp_client 127.0.0.1 "$port" --keep-open --idle-ms 5000
  assert_success # the server closed the connection: the peer saw end of stream
  assert_equal "$output" ""
  wait_exit srv
  assert_failure 1
  assert_regex "$stderr" 'server: 127\.0\.0\.1:[0-9]+: nothing received for 1 s'
}

@test "server: a message longer than 4096 bytes without a newline gets no reply" {
  explained_in 6
  port=$(free_port)
  head -c 5000 /dev/zero | tr '\0' 'a' >"$BATS_TEST_TMPDIR/long"
  start_server srv "$port"
  run_peer tcp_client 127.0.0.1 "$port" --send-file "$BATS_TEST_TMPDIR/long" --idle-ms 3000
  [[ $output != *"thank you"* ]] || flunk_wire "a reply to a message that is too long" "no reply" "$output"
  wait_exit srv
  assert_failure 1
  assert_regex "$stderr" 'server: 127\.0\.0\.1:[0-9]+: message longer than 4096 bytes'
}

@test "server -k: serves clients one after another and goes on after a client that failed" {
  explained_in 7
  port=$(free_port)
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

@test "server -k: a client that resets the connection (RST) is reported and the server goes on" {
  explained_in 6
  port=$(free_port)
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

@test "server: restarts on the same port right after it exits, despite TIME_WAIT (SO_REUSEADDR)" {
  explained_in 8
  port=$(free_port)
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

@test "server: answers nc (printf 'hi from nc\\n' | nc -N 127.0.0.1 PORT)" {
  explained_in 10
  command -v nc >/dev/null || skip "nc (netcat-openbsd) is not installed"
  port=$(free_port)
  start_server srv "$port"
  run in_test_net bash -c 'printf "hi from nc\n" | timeout 5 nc -N 127.0.0.1 "$1"' _ "$port"
  assert_success
  assert_output "thank you !"
  wait_exit srv
  assert_success
  assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: hi from nc$'
}

# ---- the client ----

@test "client: sends the first line of standard input and prints the reply, exit 0" {
  explained_in 4
  port=$(free_port)
  spawn_peer srv tcp_server "$port" --reply $'thank you !\n' --save "$BATS_TEST_TMPDIR/got"
  wait_tcp srv "$port"
  run_prog --in $'hello\nnot this one' client 127.0.0.1 "$port"
  assert_success
  assert_output "thank you !"
  printf 'hello\n' >"$BATS_TEST_TMPDIR/want"
  assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" "what the server received"
}

@test "client: adds the newline when standard input ends without one" {
  explained_in 4
  port=$(free_port)
  spawn_peer srv tcp_server "$port" --reply $'ok\n' --save "$BATS_TEST_TMPDIR/got"
  wait_tcp srv "$port"
  printf 'no newline' >"$BATS_TEST_TMPDIR/in"
  run_prog --in-file "$BATS_TEST_TMPDIR/in" client localhost "$port"
  assert_success
  assert_output "ok"
  printf 'no newline\n' >"$BATS_TEST_TMPDIR/want"
  assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" "what the server received"
}

@test "client: a reply that arrives one byte at a time is printed whole (read until the server closes)" {
  explained_in 5
  port=$(free_port)
  reply=$'thank you !\nand a second line\n'
  spawn_peer srv tcp_server "$port" --reply "$reply" --chunk 1 --pause-ms 10
  wait_tcp srv "$port"
  spawn_prog cli client 127.0.0.1 "$port"
  feed cli 'hello'
  wait_exit cli
  assert_success
  assert_printed cli "$reply"
}

@test "client: shuts down its writing side after the line (the server sees end of stream)" {
  explained_in 4
  port=$(free_port)
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

@test "client: a server that stalls for longer than -t SECONDS makes it give up: status 1" {
  explained_in 6
  port=$(free_port)
  spawn_peer srv tcp_server "$port" --reply 'thank you !' --chunk 5 --pause-ms 3000
  wait_tcp srv "$port"
  run_prog --in 'hello' client -t 1 127.0.0.1 "$port"
  assert_failure 1
  assert_output "thank"
  assert_regex "$stderr" 'client: nothing received for 1 s'
}

@test "client: nobody listening is a connect error: status 1, the reason on stderr" {
  explained_in 4
  port=$(free_port)
  run_prog --in 'hello' client 127.0.0.1 "$port"
  assert_failure 1
  assert_equal "$output" ""
  assert_regex "$stderr" "^client: connect to 127\.0\.0\.1 port $port: Connection refused"
}

@test "client: talks to nc -l (nc prints the line, the client prints what nc sends)" {
  explained_in 10
  port=$(free_port)
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

@test "client and server talk to each other" {
  explained_in 9
  port=$(free_port)
  start_server srv "$port"
  run_prog --in 'hello, server' client 127.0.0.1 "$port"
  assert_success
  assert_output "thank you !"
  wait_exit srv
  assert_success
  assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: hello, server$'
}
