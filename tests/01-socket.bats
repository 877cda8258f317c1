#!/usr/bin/env bats
# Lesson 01 (sockets): the specification of `sockets`, as tests.
# The contract is lessons/01-socket/README.md, section 7.

setup() { load test_helper; }
teardown() { lab_teardown; }

# field LINE KEY: the value of KEY=value in one line of the program's output.
field() {
  sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"
}

# report_for KIND: the line `sockets` printed for KIND (the first one).
report_for() {
  grep -m1 "^$1 " <<<"$output" || flunk_wire "no line for $1" "a line starting with \"$1 fd=\"" "$output"
}

has_ipv6_loopback() {
  grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null
}

# ---- usage (the starter already provides these) ----

# bats test_tags=starter-provides
@test "with no KIND it prints a usage line on stderr and exits with status 2" {
  explained_in 7
  run_prog sockets
  assert_failure 2
  assert_equal "$output" ""
  assert_regex "$stderr" '^usage: sockets KIND'
}

# bats test_tags=starter-provides
@test "an unknown KIND is a usage error: status 2, nothing created" {
  explained_in 7
  run_prog sockets tcp carrier-pigeon
  assert_failure 2
  assert_equal "$output" ""
  assert_regex "$stderr" '^usage: sockets KIND'
}

# ---- what the kernel says about each socket ----

@test "a tcp socket is AF_INET, SOCK_STREAM, protocol 6 (TCP)" {
  explained_in 3
  run_prog sockets tcp
  assert_success
  line=$(report_for tcp)
  assert_equal "$(field "$line" domain) $(field "$line" type) $(field "$line" protocol)" "AF_INET SOCK_STREAM 6"
}

@test "a udp socket is AF_INET, SOCK_DGRAM, protocol 17 (UDP)" {
  explained_in 3
  run_prog sockets udp
  assert_success
  line=$(report_for udp)
  assert_equal "$(field "$line" domain) $(field "$line" type) $(field "$line" protocol)" "AF_INET SOCK_DGRAM 17"
}

@test "tcp6 and udp6 sockets are AF_INET6 and bound to [::1]" {
  explained_in 4
  has_ipv6_loopback || skip "this machine has no IPv6 loopback address"
  run_prog sockets tcp6 udp6
  assert_success
  tcp6=$(report_for tcp6)
  udp6=$(report_for udp6)
  assert_equal "$(field "$tcp6" domain) $(field "$tcp6" type) $(field "$tcp6" protocol)" "AF_INET6 SOCK_STREAM 6"
  assert_equal "$(field "$udp6" domain) $(field "$udp6" type) $(field "$udp6" protocol)" "AF_INET6 SOCK_DGRAM 17"
  assert_regex "$(field "$tcp6" local)" '^\[::1\]:[1-9][0-9]*$'
  assert_regex "$(field "$udp6" local)" '^\[::1\]:[1-9][0-9]*$'
}

@test "unix-stream and unix-dgram sockets are AF_UNIX, protocol 0, with no name" {
  explained_in 3
  run_prog sockets unix-stream unix-dgram
  assert_success
  stream=$(report_for unix-stream)
  dgram=$(report_for unix-dgram)
  assert_equal "$(field "$stream" domain) $(field "$stream" type) $(field "$stream" protocol)" "AF_UNIX SOCK_STREAM 0"
  assert_equal "$(field "$dgram" domain) $(field "$dgram" type) $(field "$dgram" protocol)" "AF_UNIX SOCK_DGRAM 0"
  assert_equal "$(field "$stream" local) $(field "$dgram" local)" "unnamed unnamed"
}

@test "Internet sockets are bound to 127.0.0.1 on a port the kernel chose" {
  explained_in 4
  run_prog sockets tcp udp
  assert_success
  assert_regex "$(field "$(report_for tcp)" local)" '^127\.0\.0\.1:[1-9][0-9]*$'
  assert_regex "$(field "$(report_for udp)" local)" '^127\.0\.0\.1:[1-9][0-9]*$'
}

@test "sockets are reported in command-line order, each with its own descriptor and port" {
  explained_in 7
  run_prog sockets tcp udp tcp udp
  assert_success
  kinds=$(grep ' fd=' <<<"$output" | cut -d' ' -f1 | tr '\n' ' ')
  assert_equal "$kinds" "tcp udp tcp udp "
  fds=$(grep -o ' fd=[0-9]*' <<<"$output" | sort -u | wc -l)
  assert_equal "$fds" 4
  tcp_ports=$(grep '^tcp ' <<<"$output" | grep -o 'local=[^ ]*' | sort -u | wc -l)
  assert_equal "$tcp_ports" 2
}

# ---- a socket is a file descriptor that the kernel keeps until close ----

@test "each reported fd is a socket the process really holds while it waits" {
  explained_in 1
  spawn_prog sk sockets tcp udp unix-stream
  wait_line sk '^ready: 3 sockets open$'
  pid=$(prog_pid sk)
  for fd in $(grep -o ' fd=[0-9]*' "$BATS_TEST_TMPDIR/sk.out" | cut -d= -f2); do
    target=$(readlink "/proc/$pid/fd/$fd" || echo "no fd $fd")
    [[ $target == socket:* ]] || flunk_wire "fd $fd of the program is not a socket" "socket:[inode]" "$target"
  done
  wait_exit sk
  assert_success
}

@test "a reported port is in use while the program waits, and free once stdin closes" {
  explained_in 5
  spawn_prog sk sockets tcp udp
  wait_line sk '^ready: 2 sockets open$'
  tcp_port=$(grep '^tcp ' "$BATS_TEST_TMPDIR/sk.out" | grep -o 'local=[^ ]*' | cut -d: -f2)
  udp_port=$(grep '^udp ' "$BATS_TEST_TMPDIR/sk.out" | grep -o 'local=[^ ]*' | cut -d: -f2)
  run_peer ports probe tcp "$tcp_port" 127.0.0.1
  assert_failure 1 # in use: our bind(2) gets EADDRINUSE
  run_peer ports probe udp "$udp_port" 127.0.0.1
  assert_failure 1

  wait_exit sk
  assert_success
  assert_line "closed 2 sockets"
  run_peer ports probe tcp "$tcp_port" 127.0.0.1
  assert_success
  run_peer ports probe udp "$udp_port" 127.0.0.1
  assert_success
}

@test "it prints ready and then waits: it does not exit before end of input" {
  explained_in 7
  spawn_prog sk sockets udp
  wait_line sk '^ready: 1 sockets open$'
  feed sk "not yet"
  run_peer await line "$BATS_TEST_TMPDIR/sk.out" '^closed' --pid "$(prog_pid sk)" --ms 300
  assert_failure 1 # still waiting 300 ms after a line of input: no "closed" yet
  wait_exit sk
  assert_success
  assert_line "closed 1 sockets"
}

# ---- errors ----

@test "when socket() fails it names the cause (strerror) and exits non-zero" {
  explained_in 6
  # 16 descriptors in all: some of the 40 sockets must fail with EMFILE.
  run_prog --fd-limit 16 sockets $(printf 'tcp %.0s' {1..40})
  assert_failure
  assert_regex "$status" '^[1-9]'
  ((status != 2)) || fail "status 2 is for usage errors; a failed system call is another non-zero status"
  assert_regex "$stderr" 'sockets: socket\(tcp\): Too many open files'
}
