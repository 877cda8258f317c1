#!/usr/bin/env bats
# Lesson 03 (UDP chat): the specification of udp_menu_chat and udp_chat, as tests.
# The contract is lessons/03-udp-chat/README.md, section 5.
#
# The menu chat's prompts ("choice> ", "message> ", ...) end without a newline, so
# the line that follows a prompt starts with it: the tests match such lines by
# their end (/...: hello$/), not by their start.

setup() {
  load test_helper
  load udp_sink
}
teardown() { lab_teardown; }

# expect_datagram N TEXT: the sink's datagram N holds exactly the bytes of TEXT.
expect_datagram() {
  printf '%s' "$2" >"$BATS_TEST_TMPDIR/want.$1"
  expect_datagram_file "$1" "$BATS_TEST_TMPDIR/want.$1"
}

# expect_sender N PORT: the sink's datagram N came from 127.0.0.1:PORT.
expect_sender() {
  local line
  line=$(grep "^$1 " "$BATS_TEST_TMPDIR/sink.out")
  [[ ${line##* } == "127.0.0.1:$2" ]] ||
    flunk_wire "sender of datagram $1" "127.0.0.1:$2 (the chat's own bound port)" "${line##* }"
}

# send_from_peer PORT TEXT: send TEXT to 127.0.0.1:PORT from udp_source; its port in $sport.
send_from_peer() {
  run_peer udp_source 127.0.0.1 "$1" "text:$2"
  assert_success
  sport=$(sed -n 's/^sent [0-9]* bytes from port \([0-9]*\)$/\1/p' <<<"$output")
}

# fill N: the N bytes of udp_source's fill:N pattern, abcdefghijklmnopqrstuvwxyzabc...
fill() {
  head -c "$1" < <(yes abcdefghijklmnopqrstuvwxyz | tr -d '\n')
}

# expect_fill_shown LABEL SPORT N: LABEL showed the whole N-byte fill:N datagram from
# 127.0.0.1:SPORT on one line: "from 127.0.0.1:SPORT: abcdef..." with all N bytes.
expect_fill_shown() {
  local shown
  shown=$(grep -a -o "from 127\.0\.0\.1:$2: abc[a-z]*" "$BATS_TEST_TMPDIR/$1.out" | head -1)
  shown=${shown#"from 127.0.0.1:$2: "}
  [[ $shown == "$(fill "$3")" ]] ||
    flunk_wire "the $3-byte datagram as $1 showed it" \
      "from 127.0.0.1:$2: and $3 bytes abcdefghij... (nothing truncated)" "${#shown} bytes: ${shown:0:30}..."
}

# two_ports: set port_a and port_b to two different free ports.
two_ports() {
  port_a=$(free_port)
  port_b=$(free_port)
  while [[ $port_b == "$port_a" ]]; do port_b=$(free_port); done
}

# start_chat LABEL PROGRAM PORT: start a chat on PORT and wait until it has bound it.
start_chat() {
  spawn_prog "$1" "$2" "$3"
  wait_udp "$1" "$3"
}

# menu_send LABEL TEXT IP PORT: answer the menu chat's questions for choice 1.
menu_send() {
  feed "$1" 1
  feed "$1" "$2"
  feed "$1" "$3"
  feed "$1" "$4"
}

# expect_default_port LABEL PROGRAM: PROGRAM, started without PORT, binds port 7890 and says so.
# 7890 is the contract, so it cannot be a free_port. Each test has a network of its own, where
# 7890 is free; where the harness has no sandbox, another program may hold it: the test's own
# probe (never the program's words) decides to skip.
expect_default_port() {
  run_peer ports probe udp 7890
  ((status == 0)) || skip "port 7890 is in use on this machine (the test's probe could not bind it)"
  spawn_prog "$1" "$2"
  wait_udp "$1" 7890
  local code=0
  poll_line "$1" "^$2 on port 7890\$" || code=$?
  ((code == 0)) || _not_ready "$1" "print \"$2 on port 7890\"" "$code"
}

# ---- usage (the starter already provides these) ----

# bats test_tags=starter-provides
@test "both chats, given a PORT that is not 1 to 65535 or more than one argument, print usage and exit 2" {
  explained_in 5
  for prog in udp_menu_chat udp_chat; do
    for args in "0" "65536" "abc" "7890 7891"; do
      run_prog "$prog" $args
      assert_failure 2
      assert_regex "$stderr" "usage: $prog \[PORT\]"
    done
  done
}

# ---- the menu chat ----

@test "the menu chat says which port it bound, then shows the menu" {
  explained_in 5
  port=$(free_port)
  start_chat m udp_menu_chat "$port"
  wait_line m "^udp_menu_chat on port $port$"
  wait_line m '^3: quit$'
  wait_exit m
  assert_success
  assert_line "1: send a message"
  assert_line "2: receive a message"
}

@test "menu choice 1 sends the message from the chat's own port to the IP and port it asks for" {
  explained_in 1
  port=$(free_port) sink_port=$(free_port)
  start_sink "$sink_port"
  start_chat m udp_menu_chat "$port"
  menu_send m "hello, sink" 127.0.0.1 "$sink_port"
  expect_datagram 1 "hello, sink"
  expect_sender 1 "$port"
  wait_line m "sent 11 bytes to 127\.0\.0\.1:$sink_port$"
}

@test "menu choice 2 shows one message with the address and port it came from" {
  explained_in 1
  port=$(free_port)
  start_chat m udp_menu_chat "$port"
  feed m 2
  send_from_peer "$port" "hi there"
  wait_line m "from 127\.0\.0\.1:$sport: hi there$"
  wait_exit m
  assert_success
}

@test "a message that arrives while the menu waits is kept by the kernel and shown at the next choice 2" {
  explained_in 2
  port=$(free_port)
  start_chat m udp_menu_chat "$port"
  wait_line m 'choice> '
  send_from_peer "$port" "sent while you were reading the menu"
  feed m 2
  wait_line m "from 127\.0\.0\.1:$sport: sent while you were reading the menu$"
}

@test "the menu chat sends and shows UTF-8 Chinese text byte for byte" {
  explained_in 5
  port=$(free_port) sink_port=$(free_port)
  start_sink "$sink_port"
  start_chat m udp_menu_chat "$port"
  menu_send m "你好，朋友" 127.0.0.1 "$sink_port"
  expect_datagram 1 "你好，朋友"
  feed m 2
  send_from_peer "$port" "收到，谢谢"
  wait_line m "from 127\.0\.0\.1:$sport: 收到，谢谢$"
}

@test "menu choice 1 sends an empty message as an empty datagram" {
  explained_in 5
  port=$(free_port) sink_port=$(free_port)
  start_sink "$sink_port"
  start_chat m udp_menu_chat "$port"
  menu_send m "" 127.0.0.1 "$sink_port"
  expect_datagram 1 ""
  wait_line m "sent 0 bytes to 127\.0\.0\.1:$sink_port$"
}

@test "the menu chat shows an empty datagram and a 65507-byte one whole: nothing is truncated" {
  explained_in 5
  port=$(free_port)
  start_chat m udp_menu_chat "$port"
  run_peer udp_source 127.0.0.1 "$port" empty fill:65507
  assert_success
  sport=$(sed -n 's/^sent [0-9]* bytes from port \([0-9]*\)$/\1/p' <<<"$output" | head -1)
  feed m 2
  wait_line m "from 127\.0\.0\.1:$sport: $"
  feed m 2
  feed m 3
  wait_exit m
  assert_success
  expect_fill_shown m "$sport" 65507
}

@test "a failed sendto is reported and the menu chat keeps running" {
  explained_in 5
  port=$(free_port) sink_port=$(free_port)
  start_sink "$sink_port"
  start_chat m udp_menu_chat "$port"
  menu_send m "to everyone" 255.255.255.255 9 # a broadcast address: refused without SO_BROADCAST
  wait_err m 'udp_menu_chat: sendto 255\.255\.255\.255:9: '
  menu_send m "to one" 127.0.0.1 "$sink_port"
  expect_datagram 1 "to one"
}

@test "an invalid menu choice is an error and the menu comes back" {
  explained_in 5
  port=$(free_port) sink_port=$(free_port)
  start_sink "$sink_port"
  start_chat m udp_menu_chat "$port"
  feed m 9
  wait_err m 'udp_menu_chat: invalid choice "9"'
  feed m ""
  wait_err m 'udp_menu_chat: invalid choice ""'
  menu_send m "still here" 127.0.0.1 "$sink_port"
  expect_datagram 1 "still here"
  feed m 3
  wait_exit m
  assert_success
}

@test "an invalid IP is an error and the menu chat keeps running" {
  explained_in 5
  port=$(free_port) sink_port=$(free_port)
  start_sink "$sink_port"
  start_chat m udp_menu_chat "$port"
  feed m 1
  feed m "lost"
  feed m "300.1.2.3"
  wait_err m 'udp_menu_chat: invalid IP address "300\.1\.2\.3"'
  menu_send m "found" 127.0.0.1 "$sink_port"
  expect_datagram 1 "found"
  wait_exit m
  assert_success
}

@test "an invalid port is an error and the menu chat keeps running" {
  explained_in 5
  port=$(free_port) sink_port=$(free_port)
  start_sink "$sink_port"
  start_chat m udp_menu_chat "$port"
  for bad in 0 70000 abc; do
    menu_send m "lost" 127.0.0.1 "$bad"
    wait_err m "udp_menu_chat: invalid port \"$bad\""
  done
  menu_send m "found" 127.0.0.1 "$sink_port"
  expect_datagram 1 "found"
  wait_exit m
  assert_success
}

@test "menu choice 3 quits: bye, status 0" {
  explained_in 5
  port=$(free_port)
  start_chat m udp_menu_chat "$port"
  feed m 3
  wait_line m 'bye$'
  wait_exit m
  assert_success
}

@test "end of input ends the menu chat cleanly with status 0, at the menu or in the middle of a question" {
  explained_in 5
  port=$(free_port)
  start_chat m udp_menu_chat "$port"
  wait_exit m # end of input at "choice> "
  assert_success
  assert_output --regexp 'bye$'
  start_chat m2 udp_menu_chat "$port"
  feed m2 1
  feed m2 "never sent"
  wait_exit m2 # end of input at "to IP> "
  assert_success
  assert_output --regexp 'bye$'
}

@test "the menu chat on a port already in use names the cause and exits non-zero" {
  explained_in 1
  port=$(free_port)
  start_sink "$port" --ms 3000
  run_prog udp_menu_chat "$port"
  assert_failure 1
  assert_regex "$stderr" "udp_menu_chat: bind port $port: Address already in use"
}

@test "without PORT the menu chat binds port 7890" {
  explained_in 5
  expect_default_port m udp_menu_chat
}

# ---- the poll() chat ----

@test "udp_chat shows a message the moment it arrives, while nothing is typed" {
  explained_in 3
  port=$(free_port)
  start_chat c udp_chat "$port"
  wait_line c "^udp_chat on port $port$"
  send_from_peer "$port" "knock knock"
  wait_line c "^from 127\.0\.0\.1:$sport: knock knock$"
  send_from_peer "$port" "and again"
  wait_line c "^from 127\.0\.0\.1:$sport: and again$"
}

@test "udp_chat sends each typed line as one datagram, from its own port, to the peer chosen with /to" {
  explained_in 5
  port=$(free_port) sink_port=$(free_port)
  start_sink "$sink_port" --count 2
  start_chat c udp_chat "$port"
  feed c "/to 127.0.0.1 $sink_port"
  wait_line c "^peer is 127\.0\.0\.1:$sink_port$"
  feed c "first line"
  feed c "second line"
  expect_datagram 1 "first line"
  expect_datagram 2 "second line"
  expect_sender 1 "$port"
}

@test "lines that reach udp_chat together are still sent one datagram each" {
  explained_in 4
  port=$(free_port) sink_port=$(free_port)
  start_sink "$sink_port" --count 3
  start_chat c udp_chat "$port"
  feed c "/to 127.0.0.1 $sink_port"$'\none\ntwo\nthree' # four lines in one write()
  expect_datagram 1 "one"
  expect_datagram 2 "two"
  expect_datagram 3 "three"
}

@test "udp_chat sends nothing for an empty line" {
  explained_in 5
  port=$(free_port) sink_port=$(free_port)
  start_sink "$sink_port"
  start_chat c udp_chat "$port"
  feed c "/to 127.0.0.1 $sink_port"
  feed c ""
  feed c "not empty"
  expect_datagram 1 "not empty"
}

@test "udp_chat sends a line longer than 65507 bytes in pieces of 65507 bytes" {
  explained_in 5
  port=$(free_port) sink_port=$(free_port)
  start_sink "$sink_port" --count 2
  start_chat c udp_chat "$port"
  feed c "/to 127.0.0.1 $sink_port"
  feed c "$(fill 70000)"
  expect_datagram 1 "$(fill 65507)"
  expect_datagram 2 "$(fill 70000 | tail -c 4493)"
}

@test "udp_chat shows an empty datagram and a 65507-byte one whole: nothing is truncated" {
  explained_in 5
  port=$(free_port)
  start_chat c udp_chat "$port"
  run_peer udp_source 127.0.0.1 "$port" empty fill:65507 text:end
  assert_success
  sport=$(sed -n 's/^sent [0-9]* bytes from port \([0-9]*\)$/\1/p' <<<"$output" | head -1)
  wait_line c "^from 127\.0\.0\.1:$sport: end$"
  wait_line c "^from 127\.0\.0\.1:$sport: $"
  expect_fill_shown c "$sport" 65507
}

@test "udp_chat prints bytes as lesson 02 does, and a datagram that is not UTF-8 does not stop it" {
  explained_in 5
  port=$(free_port)
  start_chat c udp_chat "$port"
  run_peer udp_source 127.0.0.1 "$port" hex:c4e3bac3 hex:610a5c09 text:still # GBK 你好; a \n \\ \t
  assert_success
  sport=$(sed -n 's/^sent [0-9]* bytes from port \([0-9]*\)$/\1/p' <<<"$output" | head -1)
  wait_line c "^from 127\.0\.0\.1:$sport: still$"
  wait_line c '^from 127\.0\.0\.1:'"$sport"': a\\x0a\\\\\\x09$'
  printf 'from 127.0.0.1:%s: \xc4\xe3\xba\xc3\n' "$sport" >"$BATS_TEST_TMPDIR/want"
  LC_ALL=C grep -a -m1 "^from 127\.0\.0\.1:$sport: " "$BATS_TEST_TMPDIR/c.out" >"$BATS_TEST_TMPDIR/got" || true
  assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" "the line for the GBK bytes c4 e3 ba c3 (shown unchanged)"
}

@test "a failed sendto is reported and udp_chat keeps running" {
  explained_in 5
  port=$(free_port) sink_port=$(free_port)
  start_sink "$sink_port"
  start_chat c udp_chat "$port"
  feed c "/to 255.255.255.255 9" # a broadcast address: refused without SO_BROADCAST
  feed c "to everyone"
  wait_err c 'udp_chat: sendto 255\.255\.255\.255:9: '
  feed c "/to 127.0.0.1 $sink_port"
  feed c "to one"
  expect_datagram 1 "to one"
}

@test "a line typed before any /to is an error, is not sent, and the chat keeps running" {
  explained_in 5
  port=$(free_port) sink_port=$(free_port)
  start_sink "$sink_port"
  start_chat c udp_chat "$port"
  feed c "too early"
  wait_err c 'udp_chat: no peer yet'
  feed c "/to 127.0.0.1 $sink_port"
  feed c "on time"
  expect_datagram 1 "on time"
}

@test "an invalid IP in /to is an error and udp_chat keeps running" {
  explained_in 5
  port=$(free_port) sink_port=$(free_port)
  start_sink "$sink_port"
  start_chat c udp_chat "$port"
  feed c "/to 127.0.0.1 $sink_port"
  feed c "/to 1.2.3.400 $sink_port"
  wait_err c 'udp_chat: invalid IP address "1\.2\.3\.400"'
  feed c "the peer did not change"
  expect_datagram 1 "the peer did not change"
}

@test "an invalid port in /to is an error and udp_chat keeps running" {
  explained_in 5
  port=$(free_port) sink_port=$(free_port)
  start_sink "$sink_port"
  start_chat c udp_chat "$port"
  for bad in 0 65536 12ab; do
    feed c "/to 127.0.0.1 $bad"
    wait_err c "udp_chat: invalid port \"$bad\""
  done
  feed c "/to 127.0.0.1"
  wait_err c 'udp_chat: usage: /to IP PORT'
  feed c "/to 127.0.0.1 $sink_port"
  feed c "made it"
  expect_datagram 1 "made it"
}

@test "an unknown command is an error and udp_chat keeps running" {
  explained_in 5
  port=$(free_port)
  start_chat c udp_chat "$port"
  feed c "/shout hello"
  wait_err c 'udp_chat: unknown command "/shout"'
  send_from_peer "$port" "still listening"
  wait_line c "^from 127\.0\.0\.1:$sport: still listening$"
}

@test "/quit ends udp_chat: bye, status 0" {
  explained_in 5
  port=$(free_port)
  start_chat c udp_chat "$port"
  feed c "/quit"
  wait_line c '^bye$'
  wait_exit c
  assert_success
}

@test "end of input ends udp_chat cleanly with status 0" {
  explained_in 4
  port=$(free_port)
  start_chat c udp_chat "$port"
  wait_exit c
  assert_success
  assert_line "bye"
}

@test "two udp_chats talk to each other in both directions, UTF-8 included" {
  explained_in 3
  two_ports
  start_chat a udp_chat "$port_a"
  start_chat b udp_chat "$port_b"
  feed a "/to 127.0.0.1 $port_b"
  feed b "/to 127.0.0.1 $port_a"
  feed a "hello from a"
  wait_line b "^from 127\.0\.0\.1:$port_a: hello from a$"
  feed b "你好，我是 b"
  wait_line a "^from 127\.0\.0\.1:$port_b: 你好，我是 b$"
  feed a "bye then"
  wait_line b "^from 127\.0\.0\.1:$port_a: bye then$"
  wait_exit a
  assert_success
  wait_exit b
  assert_success
}

@test "the menu chat and udp_chat talk to each other" {
  explained_in 3
  two_ports
  start_chat m udp_menu_chat "$port_a"
  start_chat c udp_chat "$port_b"
  menu_send m "hello, poll chat" 127.0.0.1 "$port_b"
  wait_line c "^from 127\.0\.0\.1:$port_a: hello, poll chat$"
  feed c "/to 127.0.0.1 $port_a"
  feed c "hello, menu chat"
  feed m 2
  wait_line m "from 127\.0\.0\.1:$port_b: hello, menu chat$"
}

@test "udp_chat on a port already in use names the cause and exits non-zero" {
  explained_in 1
  port=$(free_port)
  start_sink "$port" --ms 3000
  run_prog udp_chat "$port"
  assert_failure 1
  assert_regex "$stderr" "udp_chat: bind port $port: Address already in use"
}

@test "without PORT udp_chat binds port 7890" {
  explained_in 5
  expect_default_port c udp_chat
}
