#!/usr/bin/env bats
# The wire, seen by the harness (issue 24): tests/harness/peers/ladder.c draws a pcap file as a
# ladder diagram, tests/harness/peers/capture.c writes one in a sandbox of its own. These are
# the two tools' own tests, not a lesson's:
#
#     make peers && bats tests/selftest/ladder.bats
#
# The captures are tests/captures/*.pcap (tests/captures/make-live and make-crafted say what
# each holds); a few more are written here, byte by byte, for what those do not show (other
# link types, ICMP errors, UTF-8). The live tests run capture in a bubblewrap sandbox with a
# network of its own, as root and as an unprivileged user, and skip when bwrap cannot.

setup() {
  bats_require_minimum_version 1.5.0
  bats_load_library bats-support
  bats_load_library bats-assert
  top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
  peers=${SOCKLAB_PEERS:-$top/build/peers}
  captures=$top/tests/captures
  [[ -x $peers/ladder && -x $peers/capture ]] || fail "the tools are not built in $peers: run make peers"
  live= built=()
  harness=$top/tests/harness
  # the unprivileged tests run the tools as nobody: a lab in a folder nobody may enter (a clone
  # made under mktemp -d, mode 0700) lends them a copy nobody can reach
  if ((EUID == 0)) && ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$peers/capture" 2>/dev/null; then
    local shared
    shared=$(mktemp -d /tmp/ladder-tools.XXXXXX) && chmod 755 "$shared" &&
      cp -p "$peers"/* "$harness/with-capture" "$shared/" || fail "cannot copy the tools to $shared"
    built+=("$shared")
    peers=$shared harness=$shared
  fi
}

teardown() {
  [[ -z $live ]] || rm -rf "$live"
  rm -rf "${built[@]}"
}

# ladder ARGS...: run the ladder maker; its stdout in $output, its stderr in $stderr.
ladder() {
  run --separate-stderr "$peers/ladder" "$@"
}

# assert_in_order ERE...: each ERE matches a line of $output, each one below the one before.
assert_in_order() {
  local re at=0 i
  for re; do
    for ((i = at; i < ${#lines[@]}; i++)); do
      [[ ${lines[i]} =~ $re ]] && break
    done
    ((i < ${#lines[@]})) || fail "$(printf 'no line matching (after line %d)\n  %s\nin the ladder:\n%s' "$at" "$re" "$output")"
    at=$((i + 1))
  done
}

# Arrows, with the word on them: right (left column to right column) and left.
right() { printf '[|]-+ %s -+>[|]' "$1"; }
left() { printf '[|]<-+ %s -+[|]' "$1"; }

# ---- files written byte by byte --------------------------------------------------------

# hex N BYTES: N as BYTES bytes, big-endian, in hex.
hex() { printf "%0$(($2 * 2))x" "$1"; }
# le32 N: N as 4 bytes, little-endian, in hex (the pcap file's own numbers, from x86).
le32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
# udp4 SPORT DPORT PAYLOAD_HEX: an IPv4 packet from 127.0.0.1 to 127.0.0.1 with a UDP datagram.
udp4() {
  local n=$((${#3} / 2))
  echo "4500$(hex $((28 + n)) 2)00004000401100007f0000017f000001$(hex "$1" 2)$(hex "$2" 2)$(hex $((8 + n)) 2)0000$3"
}
# udp6 SPORT DPORT PAYLOAD_HEX: the same over IPv6, from ::1 to ::1.
udp6() {
  local n=$((${#3} / 2)) one=00000000000000000000000000000001
  echo "60000000$(hex $((8 + n)) 2)1140$one$one$(hex "$1" 2)$(hex "$2" 2)$(hex $((8 + n)) 2)0000$3"
}
# eth IP_HEX: an Ethernet frame (zero addresses, as on loopback) around an IPv4 packet.
eth() { echo "000000000000000000000000${2:-0800}$1"; }
# pcap FILE LINK FRAME_HEX...: a little-endian microsecond pcap file, a frame a second from 1700000000.
pcap() {
  local file=$1 link=$2 frame t=1700000000 bytes
  shift 2
  bytes="d4c3b2a102000400000000000000000000000400$(le32 "$link")"
  for frame; do
    bytes+="$(le32 $t)00000000$(le32 $((${#frame} / 2)))$(le32 $((${#frame} / 2)))$frame"
    t=$((t + 1))
  done
  xxd -r -p <<<"$bytes" >"$file"
}

# ---- the shipped captures -----------------------------------------------------------------

@test "a TCP exchange over IPv4: handshake, request, FIN, reply, FIN, one line each, in order, pure ACKs counted" {
  ladder "$captures/tcp-thank-you.pcap"
  assert_success
  assert_line --regexp '^ +ms  127\.0\.0\.1:34240 +127\.0\.0\.1:7701$'
  assert_in_order "^ +0\.000  $(right SYN)\$" "^ +0\.015  $(left SYN-ACK)\$" \
    "$(right PSH)  6 bytes \"hello\\\\n\"\$" "$(right FIN)\$" "$(left PSH)  12 bytes \"thank you !\\\\n\"\$" \
    "^ +4\.149  $(left FIN)\$" '^ +\(\+4 pure ACKs not shown\)$'
  assert_equal "${#lines[@]}" 8 # the head, six packets, the count: the ACKs are not drawn
}

@test "a TCP exchange over IPv6: columns [::1]:PORT, the server's line before the client's" {
  ladder "$captures/tcp6-thank-you.pcap"
  assert_success
  assert_line --regexp '^ +ms  \[::1\]:45298 +\[::1\]:7703$'
  assert_in_order "$(right SYN)" "$(left SYN-ACK)" "$(left PSH)  12 bytes \"thank you !\\\\n\"" \
    "$(right PSH)  6 bytes \"hello\\\\n\"" "$(right FIN)" "$(left FIN)" '\(\+4 pure ACKs not shown\)'
}

@test "a UDP exchange: one line per datagram with its bytes; big-endian and nanosecond files give the same ladder" {
  ladder "$captures/udp-ask.pcap"
  assert_success
  assert_in_order "^ +0\.000  $(right UDP)  4 bytes \"ping\"\$" "^ +4\.743  $(left UDP)  4 bytes \"pong\"\$"
  refute_output --partial "pure ACK"
  local little=$output
  ladder "$captures/udp-ask-big-endian.pcap"
  assert_success
  assert_equal "$output" "$little"
  ladder "$captures/udp-ask-nanoseconds.pcap"
  assert_success
  assert_equal "$output" "$little"
}

@test "--from and --to keep the window's packets only, and times count from --from" {
  # the request is at .932679, the client's last ACK of the reply at .932976 (tcpdump -tt)
  ladder --from 1795586466.932679 --to 1795586466.932976 "$captures/tcp-thank-you.pcap"
  assert_success
  assert_in_order "^ +0\.000  $(right PSH)  6 bytes" "^ +0\.012  $(right FIN)\$" "^ +0\.292  $(left PSH)  12 bytes" \
    '\(\+2 pure ACKs not shown\)'
  refute_output --partial SYN
  ladder --from 1795586466.9326795 --to 1795586466.9326795 "$captures/tcp-thank-you.pcap"
  assert_success
  assert_line --regexp '^ +\(no packets in this time window\)$'
}

@test "--max N draws N packet lines, then says how many more there are" {
  ladder --max 2 "$captures/tcp-thank-you.pcap"
  assert_success
  assert_in_order "$(right SYN)" "$(left SYN-ACK)" '^ +\.\.\. 4 more packets in the capture$' '\(\+4 pure ACKs not shown\)'
  refute_output --partial PSH
  ladder --max 5 "$captures/tcp-thank-you.pcap"
  assert_line --regexp '^ +\.\.\. 1 more packet in the capture$'
}

@test "--label names a column above its endpoint, and a column named in full is there before it sends" {
  ladder --label '127.0.0.1:34240=client (your program)' --label 7701='test peer' "$captures/tcp-thank-you.pcap"
  assert_success
  # the name stands right above the endpoint it names
  local names=${lines[0]} ends=${lines[1]} name_at end_at
  for pair in "client (your program)=127.0.0.1:34240" "test peer=127.0.0.1:7701"; do
    name_at=${names%%"${pair%=*}"*} end_at=${ends%%"${pair#*=}"*}
    ((${#name_at} == ${#end_at})) || fail "$(printf 'not one above the other:\n%s\n%s' "$names" "$ends")"
  done
  ladder --label '127.0.0.1:40001=test peer' --from 1 --to 2 "$captures/tcp-thank-you.pcap"
  assert_success
  assert_line --regexp '^ +test peer$'
  assert_line --regexp '^ +ms  127\.0\.0\.1:40001$'
  ladder --label '[::1]:7703=server' "$captures/tcp6-thank-you.pcap"
  assert_line --regexp '^ +server$'
}

@test "--lang zh: the ladder's words in Chinese, the protocol's names as they are" {
  ladder --lang zh --max 3 --label '127.0.0.1:34240=客户端（你的程序）' "$captures/tcp-thank-you.pcap"
  assert_success
  assert_line --regexp '^ +毫秒  127\.0\.0\.1:34240 +127\.0\.0\.1:7701$'
  assert_line --regexp '^ +客户端（你的程序）$'
  assert_in_order "$(right SYN)" "$(left SYN-ACK)" "$(right PSH)  6 字节 \"hello\\\\n\"" '^ +…… 抓包中还有 3 个分组$' \
    '^ +（另有 4 个纯 ACK 未显示）$'
  refute_output --partial bytes
}

@test "-w writes the window's packets, pure ACKs too, as a pcap file that tcpdump reads back" {
  command -v tcpdump >/dev/null || skip "tcpdump is not installed"
  ladder --from 1795586466.932679 --to 1795586466.932976 -w "$BATS_TEST_TMPDIR/slice.pcap" "$captures/tcp-thank-you.pcap"
  assert_success
  local window=$output
  run --separate-stderr tcpdump -nn -tt -r "$BATS_TEST_TMPDIR/slice.pcap"
  assert_success
  assert_equal "${#lines[@]}" 5
  assert_line --index 0 --regexp '^1795586466\.932679 IP 127\.0\.0\.1\.34240 > 127\.0\.0\.1\.7701: Flags \[P\.\].* length 6$'
  assert_line --index 4 --regexp '^1795586466\.932976 IP 127\.0\.0\.1\.34240 > 127\.0\.0\.1\.7701: Flags \[\.\], ack 13,'
  ladder "$BATS_TEST_TMPDIR/slice.pcap"
  assert_equal "$output" "$window"
  # the whole file, sliced, is the file itself, whatever its byte order
  ladder -w "$BATS_TEST_TMPDIR/whole.pcap" "$captures/udp-ask-big-endian.pcap"
  cmp "$BATS_TEST_TMPDIR/whole.pcap" "$captures/udp-ask-big-endian.pcap"
  # not onto the capture itself
  ladder -w "$BATS_TEST_TMPDIR/whole.pcap" "$BATS_TEST_TMPDIR/whole.pcap"
  assert_failure 1
  assert_equal "$stderr" "ladder: $BATS_TEST_TMPDIR/whole.pcap: the slice would overwrite the capture it is cut from"
  cmp "$BATS_TEST_TMPDIR/whole.pcap" "$captures/udp-ask-big-endian.pcap"
}

@test "malformed.pcap: a line per broken packet saying why, the good packets drawn, status 0" {
  ladder --max 100 "$captures/malformed.pcap"
  assert_success
  assert_in_order '! packet 1: frame shorter than its Ethernet header$' '! packet 2: not IPv4/IPv6 \(EtherType 0x0806\)$' \
    '! packet 3: IPv4 header cut short$' '! packet 4: impossible IPv4 header$' \
    "$(right PSH).*  5 bytes \"hello\"\$" '! packet 6: TCP header cut short$' '! packet 7: impossible TCP header$' \
    '! packet 8: TCP header cut short$' '! packet 9: impossible TCP header$' '! packet 10: impossible UDP header$' \
    'ICMP echo request \(to itself\)$' 'IPv4 fragment at offset 1480 \(to itself\)$' \
    '! packet 13: impossible IPv4 header$' '! packet 14: IPv6 header cut short$' "$(right UDP).*  3 bytes \"abc\"\$" \
    '\[127\.0\.0\.1:5000 > 127\.0\.0\.1:6000\] 2 bytes "hi"$' \
    '100 bytes "(\\x00){10}"\.\.\.$' '\(\+1 pure ACK not shown\)$'
  # the padded ACK (packet 17) is a pure ACK: Ethernet's padding is not data
  refute_output --partial "6 bytes"
}

@test "a capture cut inside a packet: the packets before it, then a note; not when the cut is past --to" {
  ladder "$captures/tcp-cut-short.pcap"
  assert_success
  assert_in_order "$(right SYN)" "$(left SYN-ACK)" '\(\+1 pure ACK not shown\)' '^ +! capture ends inside a packet$'
  # a file still being written ends in the middle of a record that the window does not need
  ladder --to 1795586466.932613 "$captures/tcp-cut-short.pcap"
  assert_success
  refute_output --partial "capture ends"
  assert_output --partial "SYN-ACK"
  head -c 116 "$captures/tcp-thank-you.pcap" >"$BATS_TEST_TMPDIR/cut-in-header.pcap" # 24 + 16 + 74 + 2
  ladder "$BATS_TEST_TMPDIR/cut-in-header.pcap"
  assert_success
  assert_in_order "$(right SYN)" 'capture ends inside a packet'
}

@test "a record longer than any capture keeps: the packets before it, then a note, status 0" {
  pcap "$BATS_TEST_TMPDIR/long.pcap" 1 "$(eth "$(udp4 5000 6000 6869)")"
  printf '\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\x7f\xff\xff\xff\x7f' >>"$BATS_TEST_TMPDIR/long.pcap"
  ladder "$BATS_TEST_TMPDIR/long.pcap"
  assert_success
  assert_in_order "$(right UDP)  2 bytes \"hi\"" '! a record of 2147483647 bytes is impossible: the rest of the file is not read'
}

@test "a file that is not a capture: a message naming it and why, status 1" {
  head -c 20 "$captures/udp-ask.pcap" >"$BATS_TEST_TMPDIR/short.pcap"
  ladder "$BATS_TEST_TMPDIR/short.pcap"
  assert_failure 1
  assert_equal "$stderr" "ladder: $BATS_TEST_TMPDIR/short.pcap: not a pcap file (20 bytes, shorter than the 24-byte file header)"
  ladder "$BATS_TEST_TMPDIR"
  assert_failure 1
  assert_equal "$stderr" "ladder: $BATS_TEST_TMPDIR: Is a directory"
  ladder "$BATS_TEST_TMPDIR/none.pcap"
  assert_failure 1
  assert_equal "$stderr" "ladder: $BATS_TEST_TMPDIR/none.pcap: No such file or directory"
  printf 'hello world, not a capture' >"$BATS_TEST_TMPDIR/text"
  ladder "$BATS_TEST_TMPDIR/text"
  assert_failure 1
  assert_equal "$stderr" "ladder: $BATS_TEST_TMPDIR/text: not a pcap file (magic number 68656c6c)"
  pcap "$BATS_TEST_TMPDIR/ppp.pcap" 9
  ladder "$BATS_TEST_TMPDIR/ppp.pcap"
  assert_failure 1
  assert_equal "$stderr" "ladder: $BATS_TEST_TMPDIR/ppp.pcap: link type 9 is not supported"
  assert_equal "$output" ""
}

@test "wrong arguments: the usage line, status 2" {
  for args in "" "--max 0 f" "--max 10001 f" "--lang fr f" "--from 2 --to 1 f" "--from 1.x f" \
    "--label 7788 f" "--label 1.2.3:80=x f" "--label [::1]80=x f" "f --max 3" "-w"; do
    ladder $args
    assert_failure 2
    assert_equal "$stderr" "usage: ladder [--from SEC.USEC] [--to SEC.USEC] [--label ADDR:PORT=NAME]... [--lang en|zh] [--max N] [-w SLICE] FILE"
  done
}

# ---- packets written here ------------------------------------------------------------------

@test "the same datagram under every link type read: Ethernet, raw IP, IPv4, IPv6, Linux cooked v1 and v2" {
  local ip=$(udp4 5000 6000 70696e67) sll=00000304000600000000000000000800 sll2=0800000000000001030400060000000000000000
  pcap "$BATS_TEST_TMPDIR/1.pcap" 1 "$(eth "$ip")"
  pcap "$BATS_TEST_TMPDIR/101.pcap" 101 "$ip"
  pcap "$BATS_TEST_TMPDIR/228.pcap" 228 "$ip"
  pcap "$BATS_TEST_TMPDIR/113.pcap" 113 "$sll$ip"
  pcap "$BATS_TEST_TMPDIR/276.pcap" 276 "$sll2$ip"
  for link in 1 101 228 113 276; do
    ladder "$BATS_TEST_TMPDIR/$link.pcap"
    assert_success
    assert_line --regexp "^ +0\.000  $(right UDP)  4 bytes \"ping\"\$"
    assert_line --regexp '^ +ms  127\.0\.0\.1:5000 +127\.0\.0\.1:6000$'
  done
  pcap "$BATS_TEST_TMPDIR/229.pcap" 229 "$(udp6 5000 6000 70696e67)"
  pcap "$BATS_TEST_TMPDIR/raw6.pcap" 101 "$(udp6 5000 6000 70696e67)"
  for file in 229 raw6; do
    ladder "$BATS_TEST_TMPDIR/$file.pcap"
    assert_line --regexp "^ +0\.000  $(right UDP)  4 bytes \"ping\"\$"
    assert_line --regexp '^ +ms  \[::1\]:5000 +\[::1\]:6000$'
  done
}

@test "ICMP port unreachable goes back from the closed port to the sender, and names the port" {
  local datagram=$(udp4 40000 7790 68690a)
  # ICMP type 3 code 3, quoting the datagram's IP header and first 8 bytes
  local icmp="4500$(hex $((20 + 8 + 28)) 2)00000000400100007f0000017f0000010303000000000000${datagram:0:56}"
  pcap "$BATS_TEST_TMPDIR/icmp.pcap" 1 "$(eth "$datagram")" "$(eth "$icmp")"
  ladder "$BATS_TEST_TMPDIR/icmp.pcap"
  assert_success
  assert_in_order "^ +0\.000  $(right UDP)  3 bytes \"hi\\\\n\"\$" \
    "^ +1000\.000  $(left ICMP)  ICMP port unreachable \(no socket on UDP port 7790\)\$"
  ladder --lang zh "$BATS_TEST_TMPDIR/icmp.pcap"
  assert_line --regexp "$(left ICMP)  ICMP 端口不可达（UDP 端口 7790 上没有套接字）\$"
  # over IPv6: ICMPv6 type 1 code 4, quoting the datagram
  local datagram6=$(udp6 40000 7790 68690a) one=00000000000000000000000000000001
  local icmp6="60000000$(hex $((8 + ${#datagram6} / 2)) 2)3a40$one${one}0104000000000000$datagram6"
  pcap "$BATS_TEST_TMPDIR/icmp6.pcap" 229 "$datagram6" "$icmp6"
  ladder "$BATS_TEST_TMPDIR/icmp6.pcap"
  assert_line --regexp "$(left ICMPv6)  ICMPv6 port unreachable \(no socket on UDP port 7790\)\$"
}

@test "payload bytes: text with its UTF-8 letters as they are and controls escaped; binary bytes all escaped" {
  local long=$(printf '%s' 'GET /a-long-name HTTP/1.0' | xxd -p -c 256)
  # 你好 (UTF-8), a tab, \x01, a quote, a backslash | GBK's 你 (c4e3), then UTF-8's | 18 bytes, then 你 cut
  # by the 20 bytes shown | a Hebrew letter (right to left) | a line longer than 20 bytes | nothing
  pcap "$BATS_TEST_TMPDIR/bytes.pcap" 1 "$(eth "$(udp4 1 2 e4bda0e5a5bd0901225c)")" "$(eth "$(udp4 1 2 c4e3e4bda0)")" \
    "$(eth "$(udp4 1 2 "$(printf 'a%.0s' {1..18} | xxd -p)e4bda0")")" "$(eth "$(udp4 1 2 d7a9)")" \
    "$(eth "$(udp4 1 2 "$long")")" "$(eth "$(udp4 1 2 "")")"
  ladder "$BATS_TEST_TMPDIR/bytes.pcap"
  assert_success
  assert_in_order '  10 bytes "你好\\t\\x01\\"\\\\"$' '  5 bytes "\\xc4\\xe3\\xe4\\xbd\\xa0"$' \
    '  21 bytes "a{18}\\xe4\\xbd"\.\.\.$' '  2 bytes "\\xd7\\xa9"$' '  25 bytes "GET /a-long-name HTT"\.\.\.$' \
    "$(right UDP)  0 bytes\$"
}

@test "more endpoints than columns: the last column is shared, and each of its lines names its endpoints" {
  local frames=() port
  for port in 1 2 3 4 5 6 7; do frames+=("$(eth "$(udp4 5000 $((6000 + port)) 78)")"); done
  pcap "$BATS_TEST_TMPDIR/many.pcap" 1 "${frames[@]}"
  ladder "$BATS_TEST_TMPDIR/many.pcap"
  assert_success
  assert_line --regexp '^ +\(others\)$'
  assert_line --regexp '^ +ms  127\.0\.0\.1:5000 +127\.0\.0\.1:6001 +127\.0\.0\.1:6002 +127\.0\.0\.1:6003 +127\.0\.0\.1:6004$'
  for port in 6005 6006 6007; do
    assert_line --regexp "$(right UDP)  \\[127\\.0\\.0\\.1:5000 > 127\\.0\\.0\\.1:$port\\] 1 byte \"x\"\$"
  done
  refute_output --partial "6004]"
}

@test "--label '*=NAME' names the endpoints that speak first and no other label names; not a port that only receives" {
  ladder --label 7701='test peer' --label '*=client (your program)' "$captures/tcp-thank-you.pcap"
  assert_success
  assert_line --regexp '^ +client \(your program\) +test peer$'
  # a datagram to a closed port, and the port unreachable back: the closed port is not a talker
  local datagram=$(udp4 40000 7790 68690a)
  local icmp="4500$(hex $((20 + 8 + 28)) 2)00000000400100007f0000017f0000010303000000000000${datagram:0:56}"
  pcap "$BATS_TEST_TMPDIR/icmp.pcap" 1 "$(eth "$datagram")" "$(eth "$icmp")"
  ladder --label '*=udp_send (your program)' "$BATS_TEST_TMPDIR/icmp.pcap"
  assert_success
  assert_line --regexp '^ +udp_send \(your program\)$'
  assert_line --regexp '^ +ms  127\.0\.0\.1:40000 +127\.0\.0\.1:7790$'
  assert_equal "$(grep -c 'your program' <<<"$output")" 1
}

# ---- capture, live -------------------------------------------------------------------------

# live_dir: a folder every user may write, for the sandbox's files ($live, removed in teardown).
live_dir() {
  live=$(mktemp -d /tmp/ladder-live.XXXXXX)
  chmod 777 "$live"
  # in the sandbox: capture lo while a datagram goes to a closed port and a TCP exchange ends
  # in a reset; the file is read once while capture still runs; then SIGTERM
  cat >"$live/run.sh" <<'EOF'
d=$1 p=$2
"$p/capture" -w "$d/c.pcap" --ready "$d/ready" 2>"$d/err" &
cap=$!
if ! "$p/await" line "$d/ready" '^capturing on lo$' --pid $cap --ms 5000; then
  wait $cap
  echo $? >"$d/status"
  exit 0
fi
date +%s.%N >"$d/from"
echo hello >/dev/udp/127.0.0.1/7790 # nobody is there: the kernel answers "port unreachable"
for ((i = 0; i < 200; i++)); do # while capture runs, the file already holds the datagram
  "$p/ladder" "$d/c.pcap" >"$d/during" 2>&1 && grep -q '"hello\\n"' "$d/during" && break
  "$p/await" line /dev/null '^never$' --ms 10 || true # a 10 ms pause with await's own deadline
done
"$p/tcp_server" 7791 --reply 'thank you !' --reset yes >/dev/null &
server=$!
"$p/await" tcp 7791 --pid $server --ms 5000
"$p/tcp_client" 127.0.0.1 7791 --send 'hello' >/dev/null 2>&1
wait $server
date +%s.%N >"$d/to"
kill -TERM $cap
wait $cap
echo $? >"$d/status"
EOF
}

# sandbox [BWRAP OPTIONS...]: set $sandbox to the command that runs run.sh in a sandbox with a
# network of its own.
sandbox() {
  sandbox=(bwrap --ro-bind / / --dev /dev --proc /proc --bind "$live" "$live" --unshare-net --unshare-pid
    --die-with-parent "$@" -- bash "$live/run.sh" "$live" "$peers")
}

# as_user CMD...: CMD as an unprivileged user (nobody when we are root; else ourselves).
as_user() {
  if ((EUID == 0)); then
    setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
  else
    "$@"
  fi
}

# assert_live_ladder: capture ended well, and the window's ladder has the datagram, the ICMP
# port unreachable it caused, the exchange and its reset; the file was readable while it ran.
assert_live_ladder() {
  [[ $(cat "$live/status" 2>/dev/null) == 0 ]] ||
    fail "capture ended with status $(cat "$live/status" 2>/dev/null), saying: $(cat "$live/err")"
  ladder --from "$(cat "$live/from")" --to "$(cat "$live/to")" --label 127.0.0.1:7791='test server' "$live/c.pcap"
  assert_success
  assert_line --regexp '^ +test server$'
  assert_in_order "$(right UDP).*  6 bytes \"hello\\\\n\"\$" "$(left ICMP).*  ICMP port unreachable \(no socket on UDP port 7790\)\$" \
    "$(left SYN)" "$(right SYN-ACK)" "$(left PSH).*  5 bytes \"hello\"\$" "$(right PSH).*  11 bytes \"thank you !\"\$" \
    "$(right RST)"
  # loopback shows each packet twice to a packet socket (going out, coming in): one is kept
  assert_equal "$(grep -c -- '- UDP -' <<<"$output")" 1
  assert_equal "$(grep -c -- '- ICMP -' <<<"$output")" 1
  run grep -c '"hello\\n"' "$live/during"
  assert_output 1
}

@test "capture as root in a sandbox with only CAP_NET_RAW: the datagram, the ICMP port unreachable, the reset" {
  ((EUID == 0)) || skip "needs root"
  command -v bwrap >/dev/null || skip "bwrap is not installed"
  live_dir
  sandbox --cap-drop ALL --cap-add CAP_NET_RAW
  "${sandbox[@]}"
  assert_live_ladder
}

@test "capture as an unprivileged user, root of a user namespace with CAP_NET_RAW: the same exchange" {
  command -v bwrap >/dev/null || skip "bwrap is not installed"
  as_user bwrap --unshare-user --ro-bind / / -- true 2>/dev/null || skip "no user namespaces here"
  live_dir
  # --gid 0 too: with --uid 0 alone and --dev, bwrap nests a second user namespace for the
  # sandbox, and CAP_NET_RAW there does not reach the network namespace (EPERM)
  sandbox --unshare-user --uid 0 --gid 0 --cap-add CAP_NET_RAW
  as_user "${sandbox[@]}"
  assert_live_ladder
}

# capture_run_sh [CAPTURE OPTIONS...] <<<BODY: write $live/run.sh: start capture on lo with these
# options, wait for its ready line, run BODY ($d the folder, $p the peers, $cap capture's pid),
# then stop capture and keep its exit status in $d/status.
capture_run_sh() {
  {
    echo 'd=$1 p=$2'
    echo "\"\$p/capture\" $* -w \"\$d/c.pcap\" --ready \"\$d/ready\" 2>\"\$d/err\" &"
    cat <<'EOF'
cap=$!
"$p/await" line "$d/ready" '^capturing on lo$' --pid $cap --ms 5000 || exit 0
EOF
    cat
    cat <<'EOF'
kill -TERM $cap
wait $cap
echo $? >"$d/status"
EOF
  } >"$live/run.sh"
}

@test "capture stops writing at --max-mib, keeps its file whole, and says how many packets it left out" {
  command -v bwrap >/dev/null || skip "bwrap is not installed"
  as_user bwrap --unshare-user --ro-bind / / -- true 2>/dev/null || skip "no user namespaces here"
  live_dir
  # 2 MiB of TCP data, the packets kept whole (snap length 65535), into a file of at most 1 MiB
  capture_run_sh -s 65535 --max-mib 1 <<'EOF'
head -c 2097152 /dev/zero >"$d/zeros"
"$p/tcp_server" 7791 --reply-file "$d/zeros" --until nothing >/dev/null &
server=$!
"$p/await" tcp 7791 --pid $server --ms 5000
"$p/tcp_client" 127.0.0.1 7791 --out /dev/null 2>/dev/null
wait $server
EOF
  sandbox --unshare-user --uid 0 --gid 0 --cap-add CAP_NET_RAW
  as_user "${sandbox[@]}"
  assert_equal "$(cat "$live/status")" 0
  run stat -c %s "$live/c.pcap"
  ((output <= 1048576 && output > 500000)) || fail "the file holds $output bytes; expected at most 1 MiB, more than half of it"
  run cat "$live/err"
  assert_output --regexp '^capture: [0-9]+ packets not written: the file reached its limit \(--max-mib\)$'
  ladder --max 1000 "$live/c.pcap"
  assert_success
  refute_output --partial "capture ends inside a packet"
  assert_line --regexp "$(left '(PSH|ACK)').*  [0-9]+ bytes \"(\\\\x00){20}\"\\.\\.\\.\$"
}

@test "capture keeps every packet of a burst while it is not scheduled at all: none dropped, each cut to the snap length with its real length kept" {
  command -v bwrap >/dev/null || skip "bwrap is not installed"
  as_user bwrap --unshare-user --ro-bind / / -- true 2>/dev/null || skip "no user namespaces here"
  live_dir
  # A loaded machine may leave capture waiting for a core while packets pass. A packet
  # socket's receive buffer (net.core.rmem_max) holds a few dozen big packets: a capture that
  # read them one by one from it lost most of a burst (lesson 05's transfers lost hundreds).
  # Here capture is stopped (SIGSTOP) while 2000 datagrams of 8000 bytes pass, one packet
  # each on loopback; the kernel keeps the first 256 bytes of each for it.
  capture_run_sh <<'EOF'
kill -STOP $cap
specs=()
for ((i = 0; i < 2000; i++)); do specs+=(fill:8000); done
"$p/udp_source" 127.0.0.1 7790 "${specs[@]}" >/dev/null
kill -CONT $cap
EOF
  sandbox --unshare-user --uid 0 --gid 0 --cap-add CAP_NET_RAW
  as_user "${sandbox[@]}"
  assert_equal "$(cat "$live/status")" 0
  run cat "$live/err"
  assert_output "" # not "the kernel dropped N packets"
  ladder --max 10000 "$live/c.pcap"
  assert_success
  assert_equal "$(grep -c -- '- UDP -.*  8000 bytes "abcdefghijklmnopqrst"\.\.\.$' <<<"$output")" 2000
  # each record is the first 256 bytes of its packet: a datagram, or the port unreachable it earned
  (($(stat -c %s "$live/c.pcap") <= 24 + 4000 * (16 + 256))) || fail "the file holds more than the first 256 bytes of each packet"
}

@test "capture without CAP_NET_RAW: status 3 and a message saying so, no file" {
  live=$(mktemp -d /tmp/ladder-live.XXXXXX)
  chmod 777 "$live"
  run --separate-stderr as_user "$peers/capture" -w "$live/c.pcap"
  assert_failure 3
  assert_equal "$stderr" "capture: cannot open a packet socket: Operation not permitted (capturing needs CAP_NET_RAW)"
  [[ ! -e $live/c.pcap ]] || fail "capture wrote $live/c.pcap"
  command -v bwrap >/dev/null || skip "bwrap is not installed"
  # root of a user namespace, but without the capability
  run --separate-stderr as_user bwrap --ro-bind / / --dev /dev --bind "$live" "$live" --unshare-user --uid 0 --gid 0 \
    --unshare-net -- "$peers/capture" -w "$live/c.pcap"
  assert_failure 3
  assert_output ""
  assert_equal "$stderr" "capture: cannot open a packet socket: Operation not permitted (capturing needs CAP_NET_RAW)"
}

@test "capture: wrong arguments give the usage line and status 2; an unknown interface, status 1" {
  run --separate-stderr "$peers/capture"
  assert_failure 2
  assert_equal "$stderr" "usage: capture [-i IFACE] [-s SNAPLEN] [--max-mib N] [--ready FILE] -w FILE"
  run --separate-stderr "$peers/capture" -w x -s 10
  assert_failure 2
  ((EUID == 0)) || skip "needs root for the rest"
  run --separate-stderr "$peers/capture" -i nosuch0 -w "$BATS_TEST_TMPDIR/c.pcap"
  assert_failure 1
  assert_equal "$stderr" "capture: interface nosuch0: No such device"
}

# ---- the wire in a failed test's message (tests/harness/with-capture, tests/harness/wire.bash) ----

@test "with-capture where capture cannot run: the command runs all the same, its status kept, told why there is no capture" {
  live=$(mktemp -d /tmp/ladder-live.XXXXXX)
  chmod 777 "$live"
  # outside any sandbox, as a user without CAP_NET_RAW
  run --separate-stderr as_user env SOCKLAB_PEERS="$peers" "$harness/with-capture" "$live/wire" -- \
    bash -c 'echo "off: $SOCKLAB_WIRE_OFF; file: ${SOCKLAB_WIRE:-none}"; exit 7'
  assert_failure 7
  assert_output "off: cannot open a packet socket: Operation not permitted (capturing needs CAP_NET_RAW); file: none"
  # where it can: the capture file, and no reason
  command -v bwrap >/dev/null || skip "bwrap is not installed"
  as_user bwrap --unshare-user --ro-bind / / -- true 2>/dev/null || skip "no user namespaces here"
  rm -rf "$live/wire"
  run --separate-stderr as_user bwrap --ro-bind / / --dev /dev --proc /proc --bind "$live" "$live" --unshare-net \
    --unshare-pid --unshare-user --uid 0 --gid 0 --cap-add CAP_NET_RAW --cap-add CAP_SETFCAP --die-with-parent -- \
    env SOCKLAB_PEERS="$peers" "$harness/with-capture" "$live/wire" --as "$(as_user id -u):$(as_user id -g)" -- \
    bash -c 'echo "off: ${SOCKLAB_WIRE_OFF:-none}; file: $SOCKLAB_WIRE; uid $(id -u); $(grep CapEff /proc/self/status)"
      "$SOCKLAB_PEERS/capture" -w /dev/null 2>&1; exit 5'
  assert_failure 5
  # the command is the user it was, without the capability: capture works for with-capture, not for it
  assert_line --index 0 "off: none; file: $live/wire/capture.pcap; uid $(as_user id -u); CapEff:	0000000000000000"
  assert_line --index 1 "capture: cannot open a packet socket: Operation not permitted (capturing needs CAP_NET_RAW)"
}

# wire_copy NAME LESSON [MUTANT]: a student's copy of LESSON ($copy), the solution with the zoo's
# MUTANT applied (tests/selftest/mutants/MUTANT.patch); its folders under build/ go in teardown.
wire_copy() {
  copy=$BATS_TEST_TMPDIR/$1
  mkdir -p "$copy"
  cp -r "$top/solutions/$2" "$copy/"
  if [[ -n ${3:-} ]]; then
    sed '/^# /d' "$top/tests/selftest/mutants/$3.patch" | patch -s -d "$copy" -p1 || fail "the patch $3 does not apply"
  fi
  key=$("$top/tests/grader/copy-key" "$copy")
  built+=("$top/build/$key" "$top/build/reports/$key")
}

# wire_check LESSON FILTER: grade the copy's LESSON, the tests FILTER matches, as make check does;
# $output is what make check prints, $pcap the file the failure names (its packets), if any.
# BATS_FLAGS is split into words: a space of FILTER goes as "." (any character).
wire_check() {
  # as the student sees it: make test sets GRADE_RAW (raw TAP), which make check never has
  BATS_FLAGS="--filter ${2// /.}" run --separate-stderr env -u GRADE_RAW "$top/tests/grader/check" "$copy" "$1"
  pcap=$(sed -n 's/^ *\(its packets\|抓包文件\)[:：] *//p' <<<"$output" | head -1)
}

@test "make check, a server that resets instead of closing: its failure shows a ladder with an RST where the FIN was due, and keeps the packets" {
  wire_copy wire-rst 04-tcp 04-server-resets-instead-of-closing
  LAB_LANG=en wire_check 04-tcp "server: prints the client.s line with its address"
  assert_failure 1
  assert_line --regexp "^not ok 1 server: prints the client's line with its address"
  assert_line "    the wire during this test (loopback; ms since the test began):"
  # the columns named by role: the student's server on the port the test waited on, the test's
  # client from the port it spoke first from
  assert_line --regexp '^ +server \(your program\) +tcp_client \(test peer\)$'
  assert_in_order "$(left SYN)" "$(right SYN-ACK)" "$(left PSH)  6 bytes \"hello\\\\n\"\$" \
    "$(right PSH)  12 bytes \"thank you !\\\\n\"\$" "$(right RST)\$"
  refute_line --regexp "$(right FIN)"
  assert_equal "$pcap" "build/reports/$key/04-tcp/server-prints-the-client-s-line-with-its-address-replies.pcap"
  assert_line "    open them with: tcpdump -nn -r $pcap   (or Wireshark, or your lesson 07 layers)"
  [[ -s $top/$pcap ]] || fail "no file $top/$pcap"
  ladder "$top/$pcap" # no labels: the client first, as it spoke first
  assert_line --regexp "$(left RST)\$"
  # the reports a grader reads: the TAP and the JUnit XML hold the ladder too
  grep -qE -- '[|]-+ RST -+>[|]$' "$top/build/reports/$key/04-tcp.tap" || fail "no ladder in the TAP report"
  grep -qE -- '[|]-+ RST -+&gt;[|]$' "$top/build/reports/$key/04-tcp.junit.xml" || fail "no ladder in the JUnit report"
}

@test "make check in Chinese, a chat that sends to the wrong port: the ladder shows that port and the ICMP port unreachable" {
  wire_copy wire-udp 03-udp-chat 03-menu-port-without-htons
  LAB_LANG=zh wire_check 03-udp-chat "menu choice 1 sends the message"
  assert_failure 1
  assert_line "    本测试期间链路上的分组（环回接口；时间是测试开始后的毫秒数）："
  # the sink's column, that nothing reaches; the chat's; the port the datagram went to
  assert_line --regexp '^ +udp_sink（测试对端） +udp_menu_chat（你的程序）$'
  assert_line --regexp '^ +毫秒  127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:[0-9]+$'
  assert_in_order "[|] +[|]-+ UDP -+>[|]  11 字节 \"hello, sink\"\$" "[|] +[|]<-+ ICMP -+[|]  ICMP 端口不可达（UDP 端口 [0-9]+ 上没有套接字）\$"
  # the port it went to is the sink's with its two bytes swapped (no htons)
  local wrong sink ports
  wrong=$(grep -o 'UDP 端口 [0-9]* 上没有套接字' <<<"$output" | grep -o '[0-9]*')
  ports=$(grep -o '毫秒  .*' <<<"$output" | grep -o ':[0-9]*' | tr -d :)
  for sink in $ports; do
    (((sink >> 8 | (sink & 255) << 8) == wrong)) && break
  done
  (((sink >> 8 | (sink & 255) << 8) == wrong)) || fail "port $wrong is no column's port byte-swapped: $ports"
  assert_line --regexp "抓包文件：build/reports/$key/03-udp-chat/menu-choice-1-sends-the-message-from-the-chat-s-own-port-to\.pcap"
  # the ladder's words in Chinese (the test's own expected line may say "bytes")
  refute_output --regexp '[|]  [0-9]+ bytes '
}

@test "make check, a passing test keeps no packets, and a new grading drops the packets of the last one" {
  wire_copy wire-pass 04-tcp
  mkdir -p "$top/build/reports/$key/04-tcp"
  : >"$top/build/reports/$key/04-tcp/an-old-failure.pcap"
  wire_check 04-tcp "server: prints the client.s line with its address"
  assert_success
  assert_line --regexp "^ok 1 server: prints the client's line with its address"
  [[ ! -e $top/build/reports/$key/04-tcp ]] || fail "left: $(ls -R "$top/build/reports/$key/04-tcp")"
}

@test "make check without a sandbox: nothing to capture, the grading goes on, the same verdict, each failure says so in a line" {
  wire_copy wire-nosandbox 04-tcp 04-server-resets-instead-of-closing
  SANDBOX=0 LAB_LANG=en wire_check 04-tcp "server: (prints the client.s line with its address|a line sent one byte at a time)"
  assert_failure 1
  assert_line --regexp "^not ok 1 server: prints the client's line with its address"
  assert_line --regexp '^ +04-tcp +0 / 2 +FAIL'
  assert_equal "$(grep -c '^    the wire during this test: not captured (no sandbox, so no loopback of the lesson.s own)$' <<<"$output")" 2
  refute_output --partial "|--"
  assert_equal "$pcap" ""
  [[ ! -e $top/build/reports/$key/04-tcp ]] || fail "packets kept without a capture: $(ls "$top/build/reports/$key/04-tcp")"
}
