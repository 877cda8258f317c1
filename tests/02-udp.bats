#!/usr/bin/env bats
# Lesson 02 (UDP): the specification of udp_send, udp_ask and udp_receive, as tests.
# The contract is lessons/02-udp/README.md, section 7.

# The section that teaches flushing stdout (R7.13: the sent line, flushed): a wait for a line that never came
# names it when the program is still running and printed nothing new (tests/harness/test_helper.bash).
BUFFERING_EXPLAINED_IN=7

setup() {
  load harness/test_helper
  load harness/udp_sink
}
teardown() { lab_teardown; }

# bytes_file NAME PRINTF_FORMAT: a file holding the bytes printf makes of FORMAT; prints its path.
bytes_file() {
  printf "$2" >"$BATS_TEST_TMPDIR/$1"
  printf '%s\n' "$BATS_TEST_TMPDIR/$1"
}

# source_port: the local port udp_source reported in $output ("sent N bytes from port P").
source_port() {
  sed -n 's/^sent [0-9]* bytes from port \([0-9]*\)$/\1/p' <<<"$output" | head -1
}

# receive_from_peer PORT SPEC: run udp_receive on PORT, send SPEC to it with udp_source,
# and leave udp_receive's status/output/stderr in status/output/stderr; sender port in $sport.
receive_from_peer() {
  spawn_prog rx udp_receive "$1"
  wait_udp rx "$1"
  run_peer udp_source 127.0.0.1 "$1" "$2"
  assert_success
  sport=$(source_port)
  wait_exit rx
}

# ---- usage (the starter already provides these) ----

# zh: 参数个数不对时，每个程序都打印自己的用法说明，退出状态 2
# bats test_tags=starter-provides
@test "each program, given the wrong number of arguments, prints its usage line and exits with status 2" {
  explained_in 7
  covers R7.2
  for args in "udp_send" "udp_send 127.0.0.1" "udp_ask 127.0.0.1 1 2" "udp_receive" "udp_receive 1 2"; do
    run_prog $args
    assert_failure 2
    assert_equal "$output" ""
    assert_regex "$stderr" "^usage: ${args%% *} "
  done
}

# zh: 不是 1 到 65535 之间数字的 PORT 是用法错误，消息里要指出它
# bats test_tags=starter-provides
@test "a PORT that is not a number from 1 to 65535 is a usage error that names it" {
  explained_in 7
  covers R7.1 R7.3
  # 0x1f90 is a number to strtol with base 0 (8080), but a PORT is decimal digits only (R7.1)
  # 4294975084 is 2^32 + 7788: stored in an int, it would wrap round to port 7788
  for port in 0 65536 -1 80x abc "" 0x1f90 " 80" 4294975084; do
    run_prog --in hi udp_send 127.0.0.1 "$port"
    assert_failure 2
    assert_regex "$stderr" "udp_send: invalid port \"$port\""
    run_prog --in hi udp_ask 127.0.0.1 "$port"
    assert_failure 2
    assert_regex "$stderr" "udp_ask: invalid port \"$port\""
    run_prog udp_receive "$port"
    assert_failure 2
    assert_regex "$stderr" "udp_receive: invalid port \"$port\""
  done
}

# ---- udp_send ----

# zh: udp_send 把这一行作为一个数据报发出，不带换行，并报告字节数
# bats test_tags=points:2
@test "udp_send sends the line as one datagram, without its newline, and reports the byte count" {
  explained_in 3
  covers R7.6 R7.7 R7.8
  free_port port
  start_sink "$port"
  run_prog --in hello udp_send 127.0.0.1 "$port"
  assert_success
  assert_output "sent 5 bytes to 127.0.0.1:$port"
  expect_datagram_file 1 "$(bytes_file want 'hello')"
}

# zh: udp_send 把空行作为空数据报发出：0 字节的数据报是合法的
# bats test_tags=points:1
@test "udp_send sends an empty line as an empty datagram: 0 bytes is a legal datagram" {
  explained_in 3
  covers R7.6 R7.7 R7.8
  free_port port
  start_sink "$port"
  run_prog --in "" udp_send 127.0.0.1 "$port"
  assert_success
  assert_output "sent 0 bytes to 127.0.0.1:$port"
  expect_datagram_file 1 "$(bytes_file want '')"
}

# zh: udp_send 一个字节不差地发出 UTF-8 编码的中文行
# bats test_tags=points:1
@test "udp_send sends a UTF-8 Chinese line byte for byte" {
  explained_in 6
  covers R7.7
  free_port port
  start_sink "$port"
  run_prog --in "你好，世界" udp_send 127.0.0.1 "$port"
  assert_success
  assert_output "sent 15 bytes to 127.0.0.1:$port"
  expect_datagram_file 1 "$(bytes_file want '你好，世界')"
}

# zh: udp_send 把 65507 字节的一行（UDP/IPv4 载荷的最大长度）作为一个完整的数据报发出
# bats test_tags=points:2
@test "udp_send sends a 65507-byte line, the largest UDP/IPv4 payload, as one whole datagram" {
  explained_in 3
  covers R7.7 R7.9
  free_port port
  start_sink "$port"
  head -c 65507 /dev/zero | tr '\0' x >"$BATS_TEST_TMPDIR/big"
  run_prog --in-file "$BATS_TEST_TMPDIR/big" udp_send 127.0.0.1 "$port"
  assert_success
  assert_output "sent 65507 bytes to 127.0.0.1:$port"
  expect_datagram_file 1 "$BATS_TEST_TMPDIR/big"
}

# zh: udp_send 发不出 65508 字节：sendto 以“Message too long”失败，退出状态 1
# bats test_tags=points:1
@test "udp_send cannot send 65508 bytes: sendto fails with Message too long, status 1" {
  explained_in 3
  covers R7.4 R7.9
  free_port port
  head -c 65508 /dev/zero | tr '\0' x >"$BATS_TEST_TMPDIR/big"
  run_prog --in-file "$BATS_TEST_TMPDIR/big" udp_send 127.0.0.1 "$port"
  assert_failure 1
  assert_equal "$output" ""
  assert_regex "$stderr" 'udp_send: sendto: Message too long'
}

# zh: udp_send 拒绝不是点分十进制 IPv4 地址的 HOST：消息里指出它，退出状态 2
# bats test_tags=points:1
@test "udp_send rejects a HOST that is not a dotted IPv4 address: it names it, status 2" {
  explained_in 2
  covers R7.1 R7.3
  for host in 256.0.0.1 localhost 1.2.3 ""; do
    run_prog --in hi udp_send "$host" 9
    assert_failure 2
    assert_equal "$output" ""
    assert_regex "$stderr" "udp_send: invalid IPv4 address \"$host\""
  done
}

# ---- udp_receive ----

# zh: udp_receive 打印一个数据报及其大小和发送方，然后以状态 0 退出
# bats test_tags=points:2
@test "udp_receive prints one datagram with its size and sender, then exits 0" {
  explained_in 4
  covers R7.10
  free_port port
  receive_from_peer "$port" "text:hello"
  assert_success
  assert_output "received 5 bytes from 127.0.0.1:$sport: hello"
}

# zh: udp_receive 把空数据报报告为 0 字节
# bats test_tags=points:1
@test "udp_receive reports an empty datagram as 0 bytes" {
  explained_in 4
  covers R7.5 R7.10
  free_port port
  receive_from_peer "$port" empty
  assert_success
  assert_output "received 0 bytes from 127.0.0.1:$sport: "
}

# zh: udp_receive 一个字节不差地打印 UTF-8 编码的中文
# bats test_tags=points:1
@test "udp_receive prints UTF-8 Chinese text byte for byte" {
  explained_in 6
  covers R7.5
  free_port port
  receive_from_peer "$port" "text:中文消息"
  assert_success
  assert_output "received 12 bytes from 127.0.0.1:$sport: 中文消息"
}

# zh: udp_receive 不做解码：GBK 字节原样输出
# bats test_tags=points:1
@test "udp_receive does not decode: GBK bytes come out unchanged" {
  explained_in 6
  covers R7.5
  free_port port
  receive_from_peer "$port" "hex:c4e3bac3" # 你好 in GBK
  assert_success
  expected=$(bytes_file want "received 4 bytes from 127.0.0.1:$sport: \xc4\xe3\xba\xc3\n")
  printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/got"
  assert_same_file "$expected" "$BATS_TEST_TMPDIR/got" "$(en_zh "udp_receive's output line" "udp_receive 输出的那一行")"
}

# zh: udp_receive 把控制字节写成 \xNN、反斜杠写成 \\，一个数据报总在一行里
# bats test_tags=points:1
@test "udp_receive writes control bytes as \\xNN and a backslash as \\\\, so a datagram stays on one line" {
  explained_in 6
  covers R7.5
  free_port port
  receive_from_peer "$port" "hex:610a62095c00637f"
  assert_success
  assert_output 'received 8 bytes from 127.0.0.1:'"$sport"': a\x0ab\x09\\\x00c\x7f'
}

# zh: udp_receive 完整地保留 1024 字节的数据报，1024 个 NUL 字节的也一样（显示为 4096 个字符）
# bats test_tags=points:2
@test "udp_receive keeps a 1024-byte datagram whole, also one of 1024 NUL bytes (4096 characters shown)" {
  explained_in 4
  covers R7.5 R7.11
  free_port port
  receive_from_peer "$port" "fill:1024"
  assert_success
  assert_output "received 1024 bytes from 127.0.0.1:$sport: $(head -c 1024 < <(yes abcdefghijklmnopqrstuvwxyz | tr -d '\n'))"
  # each byte shown as \x00: a buffer of 4 * 1024 characters would have no room for the last one's end
  receive_from_peer "$port" "hex:$(printf '00%.0s' {1..1024})"
  assert_success
  assert_output "received 1024 bytes from 127.0.0.1:$sport: $(printf '\\x00%.0s' {1..1024})"
}

# zh: 数据报比 1024 字节的缓冲区大时，udp_receive 报告它被截断，退出状态 1
# bats test_tags=points:2
@test "udp_receive reports a datagram larger than its 1024-byte buffer as truncated, status 1" {
  explained_in 4
  covers R7.11
  free_port port
  receive_from_peer "$port" "fill:3000"
  assert_failure 1
  assert_output "received 1024 bytes from 127.0.0.1:$sport: $(head -c 1024 < <(yes abcdefghijklmnopqrstuvwxyz | tr -d '\n'))"
  assert_regex "$stderr" 'udp_receive: datagram truncated: it had 3000 bytes, the buffer holds 1024'
}

# zh: udp_receive 绑定所有本地地址：发往 127.0.0.2 的数据报也能收到；来自 127.100.100.100 的数据报，发送方的地址和端口完整显示
# bats test_tags=points:1
@test "udp_receive binds every local address: a datagram to 127.0.0.2 arrives too, and one from 127.100.100.100 is named whole" {
  explained_in 4
  covers R7.10
  free_port port
  spawn_prog rx udp_receive "$port"
  wait_udp rx "$port"
  run_peer udp_source 127.0.0.2 "$port" "text:any address"
  assert_success
  wait_exit rx
  assert_success
  assert_output --regexp '^received 11 bytes from 127\.0\.0\.[0-9]+:[0-9]+: any address$'
  # the longest sender, 15 characters and a port of 5 digits: named whole
  spawn_prog rx udp_receive "$port"
  wait_udp rx "$port"
  run_peer udp_source --from 127.100.100.100 127.0.0.1 "$port" "text:far"
  assert_success
  sport=$(source_port)
  wait_exit rx
  assert_success
  assert_output "received 3 bytes from 127.100.100.100:$sport: far"
}

# zh: 端口已被占用时，udp_receive 说明原因并以非 0 状态退出
# bats test_tags=points:1
@test "udp_receive on a port already in use names the cause and exits non-zero" {
  explained_in 4
  covers R7.4 R7.12
  free_port port
  start_sink "$port" --ms 60000
  run_prog udp_receive "$port"
  assert_failure 1
  assert_regex "$stderr" "udp_receive: bind port $port: Address already in use"
  # PORT written with a leading zero: the message names the port as a number (R7.4)
  run_prog udp_receive "0$port"
  assert_failure 1
  assert_regex "$stderr" "udp_receive: bind port $port: Address already in use"
  # and when the one that holds it is another udp_receive: two of them never share a port
  free_port port
  spawn_prog rx udp_receive "$port"
  wait_udp rx "$port"
  run_prog udp_receive "$port"
  ((status == 1)) && [[ $stderr == *"udp_receive: bind port $port: Address already in use"* ]] ||
    flunk_wire "$(en_zh "a second udp_receive on port $port, while a first one waits there" "第一个 udp_receive 在端口 $port 上等待时，再启动第二个")" \
      "$(en_zh "udp_receive: bind port $port: Address already in use, status 1 (no socket option lets two share it: R7.12)" "udp_receive: bind port $port: Address already in use，退出状态 1（udp_receive 不设任何套接字选项，两个 udp_receive 不能共用一个端口：R7.12）")" \
      "$(en_zh "status $status, stderr: ${stderr:-(nothing)}" "退出状态 $status，标准错误：${stderr:-（无）}")"
  # another cause, the one the kernel gives: port 80 to a user without the privilege (where
  # the program's user has it, as root outside the grader's sandbox, there is no such cause)
  run_peer --as program ports probe udp 80
  if [[ $stderr == *"Permission denied"* ]]; then
    run_prog udp_receive 80
    assert_failure 1
    assert_equal "$stderr" "udp_receive: bind port 80: Permission denied"
  fi
}

# zh: socket() 失败（没有可用的描述符）时，每个程序都打印 PROG: socket: REASON，退出状态 1，什么也不发
# bats test_tags=points:1
@test "when socket() fails (no descriptor left), each program says PROG: socket: REASON, status 1, and sends nothing" {
  explained_in 4
  covers R7.4
  load harness/faults
  free_port port
  start_sink "$port" --ms 10000
  local prog
  for prog in udp_send udp_ask udp_receive; do
    if [[ $prog == udp_receive ]]; then
      with_socket_emfile run_prog udp_receive "$port"
    else
      with_socket_emfile run_prog --in "hi" "$prog" 127.0.0.1 "$port"
    fi
    [[ $status == 1 && $stderr == "$prog: socket: Too many open files" && -z $output ]] ||
      flunk_wire "$(en_zh "$prog when socket() fails with EMFILE" "socket() 以 EMFILE 失败时的 $prog")" \
        "$(en_zh "status 1, stderr" "退出状态 1，标准错误")：$prog: socket: Too many open files$(en_zh ", nothing on stdout (R7.4: every call checked)" "，标准输出为空（R7.4：每个系统调用都要检查）")" \
        "$(en_zh "status $status, stdout: ${output:-nothing}, stderr: ${stderr:-nothing}" "退出状态 $status，标准输出：${output:-无}，标准错误：${stderr:-无}")"
  done
  [[ -z $(ls "$BATS_TEST_TMPDIR/sink") ]] ||
    flunk_wire "$(en_zh "datagrams sent without a socket" "没有套接字却发出的数据报")" "$(words none)" "$(ls "$BATS_TEST_TMPDIR/sink" | wc -l)"
}

# ---- udp_ask ----

# zh: udp_ask 发出这一行，然后打印应答及其来源的地址和端口
# bats test_tags=points:2
@test "udp_ask sends the line, then prints the reply and the address and port it came from" {
  explained_in 5
  covers R7.13 R7.15
  free_port port
  start_sink "$port" --reply "text:pong"
  run_prog --in ping udp_ask 127.0.0.1 "$port"
  assert_success
  assert_output "sent 4 bytes to 127.0.0.1:$port
received 4 bytes from 127.0.0.1:$port: pong"
  expect_datagram_file 1 "$(bytes_file want 'ping')"
}

# zh: udp_ask 一个字节不差地打印 UTF-8 编码的中文应答
# bats test_tags=points:1
@test "udp_ask prints a UTF-8 Chinese reply byte for byte" {
  explained_in 6
  covers R7.5 R7.15
  free_port port
  start_sink "$port" --reply "text:收到了"
  run_prog --in "你好" udp_ask 127.0.0.1 "$port"
  assert_success
  assert_line "received 9 bytes from 127.0.0.1:$port: 收到了"
  expect_datagram_file 1 "$(bytes_file want '你好')"
}

# zh: udp_ask 接受空应答：0 字节
# bats test_tags=points:1
@test "udp_ask accepts an empty reply: 0 bytes" {
  explained_in 5
  covers R7.15
  free_port port
  start_sink "$port" --reply empty
  run_prog --in ping udp_ask 127.0.0.1 "$port"
  assert_success
  assert_line "received 0 bytes from 127.0.0.1:$port: "
}

# zh: udp_ask 把输入的那一行只发一次，2 秒内没有应答就放弃：说明这一点，退出状态 1
# bats test_tags=points:2,waits:2
@test "udp_ask gives up after 2 seconds without a reply, having sent its line once: it says so and exits 1" {
  explained_in 5
  covers R7.13 R7.17
  free_port port
  start_sink "$port" --count 2 # receives (a second datagram too, if one comes), never replies
  run_prog --in "anyone there?" udp_ask 127.0.0.1 "$port"
  # counted from the request's arrival: the program's start is no part of its wait
  local waited_ms
  waited_ms=$(ms_since_datagram 1)
  assert_failure 1
  ((waited_ms >= 1900 && waited_ms <= 4500)) ||
    flunk_wire "$(en_zh "how long udp_ask waited for a reply" "udp_ask 等应答等了多久")" \
      "$(en_zh "2 seconds (1.9 s to 4.5 s counts)" "2 秒（1.9 秒到 4.5 秒都算对）")" "$waited_ms ms"
  assert_line "sent 13 bytes to 127.0.0.1:$port"
  assert_regex "$stderr" "udp_ask: no reply from 127\.0\.0\.1:$port within 2 seconds"
  expect_datagram_file 1 "$(bytes_file want 'anyone there?')"
  # one datagram: silence is no reason to send the line again (R7.13)
  (($(grep -c . "$BATS_TEST_TMPDIR/sink.out") == 1)) ||
    flunk_wire "$(en_zh "the datagrams udp_ask sent while it waited" "udp_ask 等待期间发出的数据报")" \
      "$(en_zh "1: the line, sent once" "1 个：这一行，只发一次")" "$(cat "$BATS_TEST_TMPDIR/sink.out")"
}

# zh: 其他发送方在 2 秒之后仍不停地发，udp_ask 也在发送之后 2 秒放弃
# bats test_tags=points:1,waits:2
@test "udp_ask still gives up 2 seconds after sending while a stranger keeps sending past that time" {
  explained_in 5
  covers R7.14 R7.17
  free_port port
  # a stray every 200 ms until 3 s after the request, and never a reply: each stray must
  # shorten the wait that is left, and the wait must end when nothing is left
  start_sink "$port" --stray "text:intruder" --strays 200:3000
  run_prog --in "anyone there?" udp_ask 127.0.0.1 "$port"
  local waited_ms
  waited_ms=$(ms_since_datagram 1)
  assert_failure 1
  # 4 s leaves room for a loaded machine: a program that waits 2 s again after each stray
  # (the last comes 2.8 s after the request) is still waiting at 4.8 s
  ((waited_ms >= 1900 && waited_ms <= 4000)) ||
    flunk_wire "$(en_zh "how long udp_ask waited while strangers kept sending" "其他发送方不停地发时，udp_ask 等了多久")" \
      "$(en_zh "2 seconds from sending (1.9 s to 4 s counts): set the timeout to what is left, and stop when nothing is" \
        "从发送算起 2 秒（1.9 秒到 4 秒都算对）：把超时设为剩下的时间，一点不剩时就停止")" \
      "$waited_ms ms"
  assert_regex "$stderr" "udp_ask: no reply from 127\.0\.0\.1:$port within 2 seconds"
  assert_regex "$stderr" 'udp_ask: ignored 8 bytes from 127\.0\.0\.1:[0-9]+ \(not the server\)'
}

# zh: udp_ask 忽略其他发送方的数据报，打印真正的应答
# bats test_tags=points:2
@test "udp_ask ignores a datagram from an unexpected sender and prints the real reply" {
  explained_in 5
  covers R7.14
  free_port port
  start_sink "$port" --stray "text:intruder" --reply "text:pong"
  run_prog --in ping udp_ask 127.0.0.1 "$port"
  assert_success
  assert_line "received 4 bytes from 127.0.0.1:$port: pong"
  refute_output --partial intruder
  assert_regex "$stderr" 'udp_ask: ignored 8 bytes from 127\.0\.0\.1:[0-9]+ \(not the server\)'
}

# zh: 应答比 1024 字节的缓冲区大时，udp_ask 报告它被截断，退出状态 1
# bats test_tags=points:1
@test "udp_ask reports a reply larger than its 1024-byte buffer as truncated, status 1" {
  explained_in 4
  covers R7.16
  free_port port
  start_sink "$port" --reply "fill:2000"
  run_prog --in ping udp_ask 127.0.0.1 "$port"
  assert_failure 1
  assert_line --regexp "^received 1024 bytes from 127\.0\.0\.1:$port: abc"
  assert_regex "$stderr" 'udp_ask: reply truncated: it had 2000 bytes, the buffer holds 1024'
}

# zh: udp_ask 拒绝不是点分十进制 IPv4 地址的 HOST：消息里指出它，退出状态 2
# bats test_tags=points:1
@test "udp_ask rejects a HOST that is not a dotted IPv4 address: it names it, status 2" {
  explained_in 2
  covers R7.1 R7.3
  run_prog --in hi udp_ask 127.0.0.256 9
  assert_failure 2
  assert_equal "$output" ""
  assert_regex "$stderr" 'udp_ask: invalid IPv4 address "127\.0\.0\.256"'
}

# ---- the edges of each rule ----

# zh: udp_send 只发第一行，连同其中的制表符、空格和回车，一个字节不差
# bats test_tags=points:1
@test "udp_send sends only the first line, with its tabs, spaces and carriage return, byte for byte" {
  explained_in 7
  covers R7.6 R7.7 R7.8
  free_port port
  start_sink "$port" --count 2
  run_prog --in-file "$(bytes_file in '\t two  spaces\r\nsecond line\n')" udp_send 127.0.0.1 "$port"
  assert_success
  assert_output "sent 14 bytes to 127.0.0.1:$port"
  expect_datagram_file 1 "$(bytes_file want '\t two  spaces\r')"
  # the newline ends the line: it goes out at once, while standard input is still open
  spawn_prog send udp_send 127.0.0.1 "$port"
  feed send "at once"
  expect_datagram_file 2 "$(bytes_file want2 'at once')"
  ended_with_input_open send 5 || flunk_wire "$(en_zh "udp_send 5 s after its line's newline, its standard input still open" "行的换行符到达 5 秒之后、标准输入仍然开着时的 udp_send")" \
    "$(en_zh "done: the line is whole at its newline, the rest of the input is not waited for (R7.6)" "已经结束：一行到换行符就完整了，不等其余的输入（R7.6）")" \
    "$(en_zh "still running, waiting for the end of its input" "仍在运行，在等输入结束")"
  wait_exit send
  assert_success
}

# zh: udp_send 把没有换行的最后一行原样发出，完全没有输入时发一个空数据报
# bats test_tags=points:1
@test "udp_send sends a last line without a newline as it is, and no input at all as an empty datagram" {
  explained_in 7
  covers R7.6 R7.7
  free_port port
  start_sink "$port" --count 2
  run_prog --in-file "$(bytes_file in 'no newline')" udp_send 127.0.0.1 "$port"
  assert_success
  assert_output "sent 10 bytes to 127.0.0.1:$port"
  expect_datagram_file 1 "$(bytes_file want1 'no newline')"
  run_prog udp_send 127.0.0.1 "$port" # standard input: /dev/null, no byte at all
  assert_success
  assert_output "sent 0 bytes to 127.0.0.1:$port"
  expect_datagram_file 2 "$(bytes_file want2 '')"
}

# zh: udp_send 一直读到换行为止，不管要读几次：分三次到达的一行仍是一个数据报
# bats test_tags=points:1
@test "udp_send reads its line up to the newline however many reads that takes: a line that arrives in three pieces is one datagram" {
  explained_in 7
  covers R7.6 R7.7
  free_port port
  start_sink "$port"
  spawn_prog snd udp_send 127.0.0.1 "$port"
  # each piece is read before the next is written: one read() returns "hel" alone
  feed_piece snd "hel"
  feed_piece snd "lo, "
  feed_piece snd $'world\n'
  wait_exit snd
  assert_success
  assert_output "sent 12 bytes to 127.0.0.1:$port"
  expect_datagram_file 1 "$(bytes_file want 'hello, world')"
}

# zh: udp_send 接受带前导零的 PORT，打印时去掉前导零
# bats test_tags=points:1
@test "udp_send takes a PORT with leading zeros and prints it without them" {
  explained_in 7
  covers R7.1 R7.8
  free_port port
  start_sink "$port"
  run_prog --in hi udp_send 127.0.0.1 "00$port"
  assert_success
  assert_output "sent 2 bytes to 127.0.0.1:$port"
  expect_datagram_file 1 "$(bytes_file want 'hi')"
}

# zh: 看起来像 IPv4 地址、却不是点分四段十进制的 HOST，每个程序都拒绝，退出状态 2
# bats test_tags=points:1
@test "HOST forms that look like IPv4 addresses but are not dotted quads are refused by all, status 2" {
  explained_in 7
  covers R7.1 R7.3
  free_port port
  start_sink "$port" # nothing may reach it
  for host in 127.1 0x7f.0.0.1 127.0.0.01 017.0.0.1 " 127.0.0.1" "127.0.0.1 " 127.0.0.1. ::1; do
    for prog in udp_send udp_ask; do
      run_prog --in hi "$prog" "$host" "$port"
      [[ $status == 2 && $stderr == *"$prog: invalid IPv4 address \"$host\""* ]] ||
        flunk_wire "$(en_zh "$prog \"$host\" $port (not a dotted IPv4 address)" "$prog “$host” $port（不是点分十进制的 IPv4 地址）")" \
          "$(en_zh "status 2" "退出状态 2")，“$prog: invalid IPv4 address \"$host\"”" "$(en_zh "status $status, ${stderr:-no message}" "退出状态 $status，${stderr:-没有消息}")"
    done
  done
  [[ -z $(ls "$BATS_TEST_TMPDIR/sink") ]] ||
    flunk_wire "$(en_zh "datagrams sent to a refused HOST" "发往被拒绝的 HOST 的数据报")" "$(words none)" "$(ls "$BATS_TEST_TMPDIR/sink" | wc -l)"
}

# zh: udp_receive 要等多久就等多久：6 秒后仍在等，然后打印数据报
# bats test_tags=points:1,waits:6
@test "udp_receive waits as long as it takes: still waiting after 6 seconds, then prints the datagram" {
  explained_in 7
  covers R7.10
  free_port port
  spawn_prog rx udp_receive "$port"
  wait_udp rx "$port"
  # 6 s: longer than udp_ask's 2 and than the few seconds a receive timeout copied from
  # elsewhere would give
  run_peer await line "$BATS_TEST_TMPDIR/rx.out" '.' --pid "$(prog_pid rx)" --ms 6000
  ((status == 1)) || flunk_wire "$(en_zh "udp_receive 6 s after it bound its port, with nothing sent" "绑定端口 6 秒之后、没有人发送时的 udp_receive")" \
    "$(en_zh "still waiting (no time limit)" "仍在等待（没有时间限制）")" \
    "$(en_zh "it has exited or printed:" "它已经退出，或者打印了：") $(cat "$BATS_TEST_TMPDIR/rx.out" "$BATS_TEST_TMPDIR/rx.err")"
  run_peer udp_source 127.0.0.1 "$port" "text:late"
  wait_exit rx
  assert_success
  assert_output --regexp '^received 4 bytes from 127\.0\.0\.1:[0-9]+: late$'
}

# zh: udp_receive：1025 字节，比缓冲区多一个字节，就已经被截断
# bats test_tags=points:1
@test "udp_receive: 1025 bytes, one more than its buffer, is already truncated" {
  explained_in 7
  covers R7.11
  free_port port
  receive_from_peer "$port" "fill:1025"
  assert_failure 1
  assert_output "received 1024 bytes from 127.0.0.1:$sport: $(head -c 1024 < <(yes abcdefghijklmnopqrstuvwxyz | tr -d '\n'))"
  assert_regex "$stderr" 'udp_receive: datagram truncated: it had 1025 bytes, the buffer holds 1024'
}

# zh: udp_ask 完整地保留 1024 字节的应答，截断 1025 字节的应答
# bats test_tags=points:1
@test "udp_ask keeps a 1024-byte reply whole and truncates a 1025-byte one" {
  explained_in 7
  covers R7.15 R7.16
  free_port port
  start_sink "$port" --reply "fill:1024"
  run_prog --in ping udp_ask 127.0.0.1 "$port"
  assert_success
  assert_line "received 1024 bytes from 127.0.0.1:$port: $(head -c 1024 < <(yes abcdefghijklmnopqrstuvwxyz | tr -d '\n'))"
  assert_equal "$stderr" ""
  wait_exit sink
  start_sink "$port" --reply "fill:1025"
  run_prog --in ping udp_ask 127.0.0.1 "$port"
  assert_failure 1
  assert_regex "$stderr" 'udp_ask: reply truncated: it had 1025 bytes, the buffer holds 1024'
}

# zh: udp_ask 在等待之前刷新“sent”那一行；每 250 毫秒来一个的其他数据报不会延长它的 2 秒
# bats test_tags=points:1,waits:2
@test "udp_ask flushes its sent line before it waits, and strays every 250 ms do not stretch its 2 seconds" {
  explained_in 5
  covers R7.13 R7.14 R7.17
  free_port port
  # A stranger writes to udp_ask's port every 250 ms for 3.5 s after the request (the sink's
  # other socket). A program that waits 2 s again after each one, instead of what is left of
  # the 2 s, is still waiting at 5.5 s.
  start_sink "$port" --stray "text:stray" --strays 250:3500 # receives, never replies
  spawn_prog ask udp_ask 127.0.0.1 "$port"
  feed ask "ping"
  await_datagram 1 "$(bytes_file want 'ping')"
  wait_line ask "^sent 4 bytes to 127\\.0\\.0\\.1:$port\$"
  wait_exit ask 10
  local waited_ms flushed_ms
  waited_ms=$(ms_since_datagram 1)
  # flushed: the line was written right after the request, not when udp_ask ended (2 s later)
  flushed_ms=$(ms_between "$BATS_TEST_TMPDIR/ask.out" 1)
  ((flushed_ms < 1500)) ||
    flunk_wire "$(en_zh "when udp_ask's sent line reached its standard output (a file here), after the request" "发出请求之后，udp_ask 的 sent 行何时到达它的标准输出（这里是文件）")" \
      "$(en_zh "at once, before it waits (flushed)" "立即，在等待之前（已刷新）")" "$(en_zh "$flushed_ms ms later: when it ended (not flushed)" "$flushed_ms 毫秒之后：在它结束时（没有刷新）")"
  assert_failure 1
  assert_regex "$stderr" "udp_ask: ignored 5 bytes from 127\\.0\\.0\\.1:[0-9]+ \\(not the server\\)"
  assert_regex "$stderr" "udp_ask: no reply from 127\\.0\\.0\\.1:$port within 2 seconds"
  ((waited_ms >= 1900 && waited_ms <= 4500)) ||
    flunk_wire "$(en_zh "how long udp_ask waited, counted from sending, while strays kept coming" "其他数据报不停地来时，udp_ask 从发送算起等了多久")" \
      "$(en_zh "2 seconds in all (1.9 s to 4.5 s counts)" "一共 2 秒（1.9 秒到 4.5 秒都算对）")" "$waited_ms ms"
}

# zh: udp_send 和 udp_ask 把除换行符以外的每一种字节（包括 NUL）原样发出
# bats test_tags=points:1
@test "udp_send and udp_ask send a line holding every byte value but the newline, NUL included, byte for byte" {
  explained_in 7
  covers R7.6 R7.7 R7.13
  free_port port
  start_sink "$port" --count 2 --reply empty
  every_byte_but_newline "$BATS_TEST_TMPDIR/line"
  { cat "$BATS_TEST_TMPDIR/line"; printf '\nnot this line\n'; } >"$BATS_TEST_TMPDIR/in"
  run_prog --in-file "$BATS_TEST_TMPDIR/in" udp_send 127.0.0.1 "$port"
  assert_success
  assert_output "sent 255 bytes to 127.0.0.1:$port"
  expect_datagram_file 1 "$BATS_TEST_TMPDIR/line"
  run_prog --in-file "$BATS_TEST_TMPDIR/in" udp_ask 127.0.0.1 "$port"
  assert_success
  assert_line "sent 255 bytes to 127.0.0.1:$port"
  expect_datagram_file 2 "$BATS_TEST_TMPDIR/line"
}

# zh: udp_receive 和 udp_ask 按 R7.5 打印 00 到 ff 的每一种字节
# bats test_tags=points:1
@test "udp_receive and udp_ask print each of the 256 byte values as R7.5 says: 00-1f and 7f as \\xNN, 5c as \\\\, the others unchanged" {
  explained_in 6
  covers R7.5 R7.10 R7.15
  free_port port sink_port
  printf -v hex '%02x' {0..255}
  receive_from_peer "$port" "hex:$hex"
  assert_success
  { printf 'received 256 bytes from 127.0.0.1:%s: ' "$sport"; escaped_every_byte; printf '\n'; } >"$BATS_TEST_TMPDIR/want"
  assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/rx.out" "$(en_zh "udp_receive's line for the bytes 00 01 02 ... fe ff" "udp_receive 为字节 00 01 02 ... fe ff 打印的一行")"
  start_sink "$sink_port" --reply "hex:$hex"
  spawn_prog ask udp_ask 127.0.0.1 "$sink_port"
  feed ask "ping"
  wait_exit ask
  assert_success
  { printf 'sent 4 bytes to 127.0.0.1:%s\nreceived 256 bytes from 127.0.0.1:%s: ' "$sink_port" "$sink_port"
    escaped_every_byte; printf '\n'; } >"$BATS_TEST_TMPDIR/want"
  assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/ask.out" "$(en_zh "udp_ask's lines for the reply 00 01 02 ... fe ff" "udp_ask 为应答 00 01 02 ... fe ff 打印的行")"
}

# zh: 读标准输入失败时，udp_send 和 udp_ask 报告 read(stdin): REASON，什么也不发，退出状态 1
# bats test_tags=starter-provides
@test "when reading standard input fails, udp_send and udp_ask say PROG: read(stdin): REASON, send nothing, status 1" {
  explained_in 7
  covers R7.4 R7.6 R7.13 R7.1
  free_port port
  for prog in udp_send udp_ask; do
    # a directory as standard input: read() on it fails with EISDIR
    run_prog --in-file "$BATS_TEST_TMPDIR" "$prog" 127.0.0.1 "$port"
    [[ $status == 1 && $stderr == "$prog: read(stdin): Is a directory" && -z $output ]] ||
      flunk_wire "$prog 127.0.0.1 $port$(en_zh ", with a standard input that cannot be read" "，标准输入无法读取")" \
        "$(en_zh "status 1, nothing on stdout, stderr" "退出状态 1，标准输出为空，标准错误")：$prog: read(stdin): Is a directory" \
        "$(en_zh "status $status, stdout: ${output:-nothing}, stderr: ${stderr:-nothing}" "退出状态 $status，标准输出：${output:-无}，标准错误：${stderr:-无}")"
    # standard input closed: descriptor 0 is free, and read(0) fails with EBADF (a socket made
    # before the line is read would take descriptor 0, and the program would read from it)
    run_prog --stdin closed "$prog" 127.0.0.1 "$port"
    [[ $status == 1 && $stderr == "$prog: read(stdin): Bad file descriptor" && -z $output ]] ||
      flunk_wire "$(en_zh "$prog 127.0.0.1 $port <&- (standard input closed)" "$prog 127.0.0.1 $port <&-（标准输入已关闭）")" \
        "$(en_zh "status 1, nothing on stdout, stderr: $prog: read(stdin): Bad file descriptor (R7.6, section 7)" "退出状态 1，标准输出为空，标准错误：$prog: read(stdin): Bad file descriptor（R7.6，第 7 节）")" \
        "$(en_zh "status $status, stdout: ${output:-nothing}, stderr: ${stderr:-nothing}" "退出状态 $status，标准输出：${output:-无}，标准错误：${stderr:-无}")"
    # a bad PORT as well: the command line is checked before standard input is read (R7.1)
    run_prog --in-file "$BATS_TEST_TMPDIR" "$prog" 127.0.0.1 80x
    [[ $status == 2 && $stderr == "$prog: invalid port \"80x\""* ]] ||
      flunk_wire "$(en_zh "$prog 127.0.0.1 80x, with a standard input that cannot be read" "$prog 127.0.0.1 80x，标准输入无法读取")" \
        "$(en_zh "status 2, $prog: invalid port \"80x\", then the usage lines (the command line is checked first, R7.1, section 7)" "退出状态 2，$prog: invalid port \"80x\"，然后是用法说明（先检查命令行，R7.1，第 7 节）")" \
        "$(en_zh "status $status, stderr: ${stderr:-nothing}" "退出状态 $status，标准错误：${stderr:-无}")"
  done
}

# zh: udp_ask 的标准输出堵住、sent 行 4 秒后才写得出去：截止时间照样从发送算起，3 秒时到的应答已经太晚
# bats test_tags=points:1,waits:4
@test "udp_ask: a sent line that cannot be written for 4 s does not move its deadline: a reply at 3 s is too late" {
  explained_in 7
  covers R7.13 R7.17
  free_port port
  start_sink "$port" --reply "text:answer" --reply-after 3000
  # stdout is a pipe already full (64 KiB) whose reader stalls 4 s: the sent line waits there
  # (await as a pause: a line /dev/null never has); udp_ask's exit status follows on stderr
  run_bounded bash -c '{ head -c 65536 /dev/zero; printf "q\n" | "$0" 127.0.0.1 "$1"; echo "exit status $?" >&2; } |
    { "$2" line /dev/null "^never$" --ms 4000; cat >/dev/null; }' "$(lab_bin udp_ask)" "$port" "$SOCKLAB_PEERS/await"
  [[ $stderr == *"udp_ask: no reply from 127.0.0.1:$port within 2 seconds"* && $stderr == *"exit status 1" ]] ||
    flunk_wire "$(en_zh "udp_ask whose stdout blocks for 4 s, with a reply 3 s after the request" "标准输出堵住 4 秒、应答在请求 3 秒后到达时的 udp_ask")" \
      "$(en_zh "no reply from 127.0.0.1:$port within 2 seconds, status 1: the 2 s count from the send, not from when the sent line could be written (R7.13, section 7)" "no reply from 127.0.0.1:$port within 2 seconds，退出状态 1：2 秒从发送算起，不从 sent 行写出去的时候算起（R7.13，第 7 节）")" \
      "$(en_zh "stderr, then udp_ask's exit status: ${stderr:-nothing}" "标准错误，然后是 udp_ask 的退出状态：${stderr:-无}")"
}

# zh: 三个程序都接受最大的端口 65535，udp_send 也接受最小的端口 1
# bats test_tags=points:1
@test "PORT 65535, the largest, is taken by all three programs, and PORT 1 by udp_send" {
  explained_in 7
  covers R7.1 R7.8 R7.10 R7.15
  run_peer ports probe udp 65535
  ((status != 1)) || skip "port 65535 is in use on this machine"
  spawn_prog rx udp_receive 65535
  wait_udp rx 65535
  run_peer udp_source 127.0.0.1 65535 "text:top"
  assert_success
  wait_exit rx
  assert_success
  assert_output --regexp '^received 3 bytes from 127\.0\.0\.1:[0-9]+: top$'
  start_sink 65535 --count 2 --reply "text:ok"
  run_prog --in top udp_send 127.0.0.1 65535
  assert_success
  assert_output "sent 3 bytes to 127.0.0.1:65535"
  run_prog --in top udp_ask 127.0.0.1 65535
  assert_success
  assert_line "received 2 bytes from 127.0.0.1:65535: ok"
  run_prog --in low udp_send 127.0.0.1 1 # nobody listens there: UDP sends all the same
  assert_success
  assert_output "sent 3 bytes to 127.0.0.1:1"
}

# zh: HOST 和 PORT 都无效时，消息说的是 PORT：先检查 PORT
# bats test_tags=starter-provides
@test "with both HOST and PORT invalid, udp_send and udp_ask name the PORT, which is checked first" {
  explained_in 7
  covers R7.1 R7.3
  for prog in udp_send udp_ask; do
    run_prog --in hi "$prog" 1.2.3 0
    [[ $status == 2 && $stderr == "$prog: invalid port \"0\""* && $stderr != *"invalid IPv4"* ]] ||
      flunk_wire "$prog 1.2.3 0 $(en_zh "(HOST and PORT both invalid)" "（HOST 和 PORT 都无效）")" \
        "$(en_zh "status 2" "退出状态 2")，$prog: invalid port \"0\"$(en_zh ", then the usage lines" "，然后是用法说明")" "$(en_zh "status $status, ${stderr:-no message}" "退出状态 $status，${stderr:-没有消息}")"
  done
}

# zh: 只有一个其他发送方的数据报，在剩下不到 1 秒时到达：udp_ask 仍然在发出后 2 秒放弃
# bats test_tags=points:1,waits:2
@test "udp_ask: after a single stray that leaves it less than a second, it still gives up 2 seconds after sending" {
  explained_in 5
  covers R7.14 R7.17
  free_port port
  # one stray, 1.3 s after the request, then nothing: 0.7 s are left. A timeout set in whole
  # seconds makes that {0, 0}, which means no limit at all.
  start_sink "$port" --stray "text:late" --stray-after 1300
  local started=$EPOCHREALTIME
  run_prog --timeout 8 --in "anyone there?" udp_ask 127.0.0.1 "$port"
  local waited_ms=$(((${EPOCHREALTIME//[.,]/} - ${started//[.,]/}) / 1000))
  assert_failure 1
  ((waited_ms >= 1900 && waited_ms <= 4500)) ||
    flunk_wire "$(en_zh "how long udp_ask waited after a stray that left it 0.7 s" "其他发送方的数据报到达、只剩 0.7 秒之后，udp_ask 又等了多久")" \
      "$(en_zh "2 seconds from sending (1.9 s to 4.5 s counts): what is left, in milliseconds" "从发送起共 2 秒（1.9 秒到 4.5 秒都算对）：剩下的时间，以毫秒计")" "$waited_ms $(en_zh ms 毫秒)"
  assert_regex "$stderr" "udp_ask: no reply from 127\\.0\\.0\\.1:$port within 2 seconds"
}

# zh: 2 秒从发出时算起：标准输入晚 2.5 秒才给出这一行，udp_ask 照样等到应答
# bats test_tags=points:1,waits:3
@test "udp_ask counts its 2 seconds from the send: a line that comes 2.5 s late still gets its reply" {
  explained_in 7
  covers R7.13 R7.15
  free_port port
  start_sink "$port" --reply "text:pong" --ms 15000
  spawn_prog ask udp_ask 127.0.0.1 "$port"
  # nothing to send yet: it must not send, print or give up while it waits for its line
  run_peer await line "$BATS_TEST_TMPDIR/ask.out" '.' --pid "${_PID[ask]}" --ms 2500
  ((status == 1)) || flunk_wire "$(en_zh "udp_ask before its standard input gave it a line" "标准输入给出一行之前的 udp_ask")" \
    "$(en_zh "still waiting for the line, nothing printed" "仍在等这一行，什么都没打印")" "$(cat "$BATS_TEST_TMPDIR/ask.out" "$BATS_TEST_TMPDIR/ask.err")"
  feed ask "late"
  wait_exit ask
  assert_success
  assert_line "sent 4 bytes to 127.0.0.1:$port"
  assert_line "received 4 bytes from 127.0.0.1:$port: pong"
}

# zh: udp_ask 在 0.9 秒时收到其他发送方的数据报后只剩 1.1 秒，不能向上取整成 2 秒：2.5 秒时才到的应答已经太晚
# bats test_tags=points:1,waits:3
@test "udp_ask: after a stray at 0.9 s what is left is 1.1 s, not 2 whole seconds: a reply that comes at 2.5 s is too late" {
  explained_in 5
  covers R7.14 R7.17
  free_port port
  start_sink "$port" --stray "text:early" --stray-after 900 --reply "text:too late" --reply-after 2500
  run_prog --timeout 8 --in "anyone there?" udp_ask 127.0.0.1 "$port"
  [[ $status == 1 && $output != *"too late"* ]] ||
    flunk_wire "$(en_zh "udp_ask, when a stranger's datagram came at 0.9 s and the reply at 2.5 s" "udp_ask，其他发送方的数据报在 0.9 秒时到达，应答在 2.5 秒时才到")" \
      "$(en_zh "no reply within 2 seconds, status 1: after the stray, the timeout is what is left, in milliseconds (section 5)" "2 秒内没有应答，退出状态 1：收到那个数据报之后，超时设为剩下的时间，以毫秒计（第 5 节）")" \
      "$(en_zh "status $status; stdout: $output" "退出状态 $status；标准输出：$output")"
  assert_regex "$stderr" "udp_ask: no reply from 127\\.0\\.0\\.1:$port within 2 seconds"
}

# zh: udp_ask 在等待中被暂停又继续（Ctrl-Z，再 fg），仍在发出请求 2 秒后放弃：2.5 秒时才到的应答已经太晚
# bats test_tags=points:1,waits:3
@test "udp_ask stopped and continued in its wait (Ctrl-Z, then fg) still gives up 2 seconds after sending: a reply that comes at 2.5 s is too late" {
  explained_in 5
  covers R7.13 R7.17
  free_port port
  start_sink "$port" --reply "text:too late" --reply-after 2500
  spawn_prog ask udp_ask 127.0.0.1 "$port"
  feed ask "anyone there?"
  wait_line sink '^1 ' # the request came: the 2 seconds run from here
  # a second into the wait, stop it and let it go on: a recvfrom with a timeout then fails
  # with EINTR, and what is left is then 1 second, not 2
  run_peer await line /dev/null '^never$' --ms 1000 || true
  local pid
  pid=$(prog_pid ask)
  kill -STOP "$pid"
  wait_until 3 in_state "$pid" T || true
  kill -CONT "$pid"
  wait_exit ask 6
  [[ $status == 1 && $output != *"too late"* ]] ||
    flunk_wire "$(en_zh "udp_ask, stopped and continued 1 s into its wait, when the reply came at 2.5 s" "udp_ask，等待到 1 秒时被暂停又继续，应答在 2.5 秒时才到")" \
      "$(en_zh "no reply within 2 seconds, status 1: after EINTR the timeout is set again to what is left (section 5)" "2 秒内没有应答，退出状态 1：以 EINTR 失败之后，把超时重新设为剩下的时间（第 5 节）")" \
      "$(en_zh "status $status; stdout: $output" "退出状态 $status；标准输出：$output")"
  assert_regex "$stderr" "udp_ask: no reply from 127\\.0\\.0\\.1:$port within 2 seconds"
}

# zh: udp_send 发往给定的 HOST：只绑定 127.0.0.2 的接收方能收到这个数据报
# bats test_tags=points:1
@test "udp_send sends to the HOST it is given: a receiver bound to 127.0.0.2 alone gets the datagram" {
  explained_in 3
  covers R7.7
  free_port port
  start_sink "$port" --bind 127.0.0.2
  run_prog --in hello udp_send 127.0.0.2 "$port"
  assert_success
  assert_output "sent 5 bytes to 127.0.0.2:$port"
  expect_datagram_file 1 "$(bytes_file want 'hello')"
}

# zh: 来自 127.0.0.2、端口和服务器相同的 2000 字节数据报不是应答：按真实大小报告并忽略
# bats test_tags=points:1
@test "udp_ask ignores a 2000-byte datagram from the server's port on 127.0.0.2, names its real size, and prints the reply" {
  explained_in 5
  covers R7.13 R7.14 R7.15 R7.16
  free_port port
  # the stray comes from 127.0.0.2:PORT: the server's port, another address
  start_sink "$port" --stray "fill:2000" --stray-from 127.0.0.2 --reply "text:pong"
  run_prog --in ping udp_ask 127.0.0.1 "$port"
  assert_success
  assert_line "received 4 bytes from 127.0.0.1:$port: pong"
  assert_regex "$stderr" "udp_ask: ignored 2000 bytes from 127\\.0\\.0\\.2:$port \\(not the server\\)"
  # the stray's size says nothing of the reply's: 4 bytes are not truncated (R7.16)
  [[ $stderr != *"truncated"* ]] || flunk_wire "$(en_zh "udp_ask's stderr for a 4-byte reply after a 2000-byte stray" "先收到其他发送方的 2000 字节数据报、再收到 4 字节应答时，udp_ask 的标准错误")" \
    "$(en_zh "the ignored line alone: only a reply larger than the buffer is truncated (R7.16)" "只有 ignored 那一行：只有比缓冲区大的应答才算截断（R7.16）")" "$stderr"
}

# zh: 信号打断 recvfrom（EINTR）时，udp_receive 和 udp_ask 重新调用它
# bats test_tags=points:1
@test "udp_receive and udp_ask under faults (EINTR): an interrupted recvfrom is called again" {
  explained_in 4
  covers R7.10 R7.13 R7.15
  load harness/faults
  free_port port sink_port
  with_faults spawn_prog rx udp_receive "$port"
  wait_udp rx "$port"
  run_peer udp_source 127.0.0.1 "$port" "text:after EINTR"
  assert_success
  wait_exit rx
  assert_success
  assert_output --regexp '^received 11 bytes from 127\.0\.0\.1:[0-9]+: after EINTR$'
  start_sink "$sink_port" --reply "text:pong"
  with_faults run_prog --in ping udp_ask 127.0.0.1 "$sink_port"
  assert_success
  assert_line "received 4 bytes from 127.0.0.1:$sink_port: pong"
  assert_faults_happened
}

# zh: udp_ask 发不出 65508 字节的行：sendto 失败，不打印 sent，不等待，退出状态 1
# bats test_tags=points:1
@test "udp_ask cannot send 65508 bytes: sendto: Message too long, no sent line, no wait, status 1" {
  explained_in 3
  covers R7.4 R7.9 R7.13
  free_port port
  head -c 65508 /dev/zero | tr '\0' x >"$BATS_TEST_TMPDIR/big"
  run_prog --in-file "$BATS_TEST_TMPDIR/big" udp_ask 127.0.0.1 "$port"
  assert_failure 1
  assert_equal "$output" ""
  assert_equal "$stderr" "udp_ask: sendto: Message too long"
}
