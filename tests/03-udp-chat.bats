#!/usr/bin/env bats
# Lesson 03 (UDP chat): the specification of udp_menu_chat and udp_chat, as tests.
# The contract is lessons/03-udp-chat/README.md, section 5.
#
# The menu chat's prompts ("choice> ", "message> ", ...) end without a newline, so
# the line that follows a prompt starts with it: the tests match such lines by
# their end (/...: hello$/), not by their start.

# The section that teaches flushing stdout (line buffering, setvbuf): a wait for a line that never came
# names it when the program is still running and printed nothing new (tests/harness/test_helper.bash).
BUFFERING_EXPLAINED_IN=4

setup() {
  load harness/test_helper
  load harness/udp_sink
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
    flunk_wire "$(en_zh "sender of datagram $1" "第 $1 个数据报的发送方")" "127.0.0.1:$2 $(en_zh "(the chat's own bound port)" "（聊天程序自己绑定的端口）")" "${line##* }"
}

# send_from_peer PORT TEXT [OPTION...]: send TEXT to 127.0.0.1:PORT from udp_source (with its
# OPTIONs, --from ADDR say); its port in $sport.
send_from_peer() {
  run_peer udp_source "${@:3}" 127.0.0.1 "$1" "text:$2"
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
    flunk_wire "$(en_zh "the $3-byte datagram as $1 showed it" "$1 显示的 $3 字节数据报")" \
      "$(en_zh "from 127.0.0.1:$2: and $3 bytes abcdefghij... (nothing truncated)" "“from 127.0.0.1:$2: ”加上 $3 字节 abcdefghij...（什么都不截断）")" \
      "$(en_zh "${#shown} bytes:" "${#shown} 字节：") ${shown:0:30}..."
}

# chat_and_sink PROGRAM [SINK_OPTION...]: two free ports, port for the chat and sink_port for
# a sink (started with the options given), both ready: PROGRAM is labelled m if it is
# udp_menu_chat, c if it is udp_chat.
chat_and_sink() {
  local program=$1 label=c
  shift
  [[ $program == udp_menu_chat ]] && label=m
  free_port port sink_port
  start_sink "$sink_port" "$@"
  start_chat "$label" "$program" "$port"
}

# chat_to_sink [SINK_OPTION...]: chat_and_sink for udp_chat, then /to the sink.
chat_to_sink() {
  chat_and_sink udp_chat "$@"
  feed c "/to 127.0.0.1 $sink_port"
}

# two_ports: set port_a and port_b to two different free ports.
two_ports() {
  free_port port_a port_b
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

# expect_default_port LABEL PROGRAM: PROGRAM, started without PORT, says it is on port 7890.
# 7890 is the contract, so it cannot be a free_port: the tests that use it take turns, on
# the whole machine (tests run several at a time, and several gradings at once), through a
# lock held until the test ends (make check gives each lesson a network of its own: there,
# nothing else holds it). If another program holds the port anyway (the test's own probe
# says so, not the program's words), the test is skipped, not failed.
expect_default_port() {
  if exec {port_lock}>>"${TMPDIR:-/tmp}/socklab-port-7890.lock"; then
    flock -w 60 "$port_lock" || true
  fi 2>/dev/null
  run_peer ports probe udp 7890
  ((status != 1)) || skip "$(en_zh "port 7890 is in use on this machine" "这台机器上的 7890 号端口已被占用")"
  spawn_prog "$1" "$2"
  local code=0
  poll_line "$1" "^$2 on port 7890\$" || code=$?
  ((code == 0)) || _not_ready "$1" "print a line matching /^$2 on port 7890\$/" "$code" stdout
}

# ---- usage (the starter already provides these) ----

# zh: PORT 不在 1 到 65535 之间，或者参数多于一个时，两个聊天程序都打印用法说明，退出状态 2
# bats test_tags=starter-provides
@test "both chats, given a PORT that is not 1 to 65535 or more than one argument, print usage and exit 2" {
  explained_in 5
  covers R5.1
  for prog in udp_menu_chat udp_chat; do
    # one argument each, a sign or a blank in it too; the last two are two arguments
    for args in "0" "65536" "abc" "+7891" " 7891" "4294975084" "7890|7891" "80x|9"; do
      IFS='|' read -ra argv <<<"$args"
      run_prog "$prog" "${argv[@]}"
      assert_failure 2
      assert_regex "$stderr" "usage: $prog \[PORT\]"
      # two arguments are a usage error whatever they hold: no port is looked at
      ((${#argv[@]} == 1)) || [[ $stderr != *"invalid port"* ]] ||
        flunk_wire "$(en_zh "$prog's stderr for the two arguments ${argv[*]}" "$prog 带两个参数 ${argv[*]} 运行时的标准错误")" \
          "$(en_zh "the usage lines alone (more than one argument, R5.1, section 5)" "只有用法说明（参数多于一个，R5.1，第 5 节）")" "$stderr"
    done
  done
}

# ---- the menu chat ----

# zh: 菜单式聊天程序先说明它绑定了哪个端口，再显示菜单
# bats test_tags=points:1
@test "the menu chat says which port it bound, then shows the menu" {
  explained_in 5
  covers R5.3 R5.10
  free_port port
  start_chat m udp_menu_chat "$port"
  wait_line m "^udp_menu_chat on port $port$"
  wait_line m '^3: quit$'
  wait_exit m
  assert_success
  assert_line "1: send a message"
  assert_line "2: receive a message"
}

# zh: 菜单选项 1 从聊天程序自己的端口，把消息发到它问到的 IP 和端口
# bats test_tags=points:2
@test "menu choice 1 sends the message from the chat's own port to the IP and port it asks for" {
  explained_in 1
  covers R5.6 R5.11
  chat_and_sink udp_menu_chat
  menu_send m "hello, sink" 127.0.0.1 "$sink_port"
  expect_datagram 1 "hello, sink"
  expect_sender 1 "$port"
  wait_line m "sent 11 bytes to 127\.0\.0\.1:$sink_port$"
}

# zh: 菜单选项 2 显示一条消息，以及它来自的地址和端口
# bats test_tags=points:2
@test "menu choice 2 shows one message with the address and port it came from" {
  explained_in 1
  covers R5.4 R5.14
  free_port port
  start_chat m udp_menu_chat "$port"
  feed m 2
  send_from_peer "$port" "hi there"
  wait_line m "from 127\.0\.0\.1:$sport: hi there$"
  wait_exit m
  assert_success
}

# zh: 菜单等待期间到达的消息由内核保存，在下一次选 2 时显示
# bats test_tags=points:2
@test "a message that arrives while the menu waits is kept by the kernel and shown at the next choice 2" {
  explained_in 2
  covers R5.14
  free_port port
  start_chat m udp_menu_chat "$port"
  wait_line m 'choice> '
  send_from_peer "$port" "sent while you were reading the menu"
  feed m 2
  wait_line m "from 127\.0\.0\.1:$sport: sent while you were reading the menu$"
}

# zh: 菜单式聊天程序一个字节不差地发送和显示 UTF-8 编码的中文
# bats test_tags=points:1
@test "the menu chat sends and shows UTF-8 Chinese text byte for byte" {
  explained_in 5
  covers R5.4 R5.11
  chat_and_sink udp_menu_chat
  menu_send m "你好，朋友" 127.0.0.1 "$sink_port"
  expect_datagram 1 "你好，朋友"
  feed m 2
  send_from_peer "$port" "收到，谢谢"
  wait_line m "from 127\.0\.0\.1:$sport: 收到，谢谢$"
}

# zh: 菜单选项 1 把空消息作为空数据报发出
# bats test_tags=points:1
@test "menu choice 1 sends an empty message as an empty datagram" {
  explained_in 5
  covers R5.11
  chat_and_sink udp_menu_chat
  menu_send m "" 127.0.0.1 "$sink_port"
  expect_datagram 1 ""
  wait_line m "sent 0 bytes to 127\.0\.0\.1:$sink_port$"
}

# zh: 菜单式聊天程序完整地显示空数据报和 65507 字节的数据报：什么都不截断
# bats test_tags=points:1
@test "the menu chat shows an empty datagram and a 65507-byte one whole: nothing is truncated" {
  explained_in 5
  covers R5.4 R5.5
  free_port port
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

# zh: sendto 失败时报告错误，后面没有 sent 行，菜单式聊天程序继续运行
# bats test_tags=points:1
@test "a failed sendto is reported, no sent line follows it, and the menu chat keeps running" {
  explained_in 5
  covers R5.7 R5.11
  chat_and_sink udp_menu_chat
  menu_send m "to everyone" 255.255.255.255 9 # a broadcast address: refused without SO_BROADCAST
  wait_err m 'udp_menu_chat: sendto 255\.255\.255\.255:9: '
  menu_send m "to one" 127.0.0.1 "$sink_port"
  expect_datagram 1 "to one"
  # stdout is written at once (R5.28): by the second send's line, a first one would be there
  wait_line m "sent 6 bytes to 127\\.0\\.0\\.1:$sink_port\$"
  local sent
  sent=$(grep -a -o 'sent [0-9]* bytes to [0-9.:]*' "$BATS_TEST_TMPDIR/m.out")
  [[ $sent == "sent 6 bytes to 127.0.0.1:$sink_port" ]] ||
    flunk_wire "$(en_zh "the sent lines (R5.11: only a datagram that went out is reported sent)" "sent 行（R5.11：只有真正发出去的数据报才报告 sent）")" \
      "sent 6 bytes to 127.0.0.1:$sink_port" "$sent"
}

# zh: 无效的菜单选项是错误，菜单再次出现
# bats test_tags=points:1
@test "an invalid menu choice is an error and the menu comes back" {
  explained_in 5
  covers R5.7 R5.16
  chat_and_sink udp_menu_chat
  feed m 9
  wait_err m 'udp_menu_chat: invalid choice "9"'
  feed m ""
  wait_err m 'udp_menu_chat: invalid choice ""'
  menu_send m "still here" 127.0.0.1 "$sink_port"
  expect_datagram 1 "still here"
  feed m 3
  wait_exit m
  assert_success
  # the menu at the start, after each invalid choice and after the send: four times (R5.16)
  local menus
  menus=$(grep -c '3: quit$' "$BATS_TEST_TMPDIR/m.out")
  ((menus == 4)) || flunk_wire "$(en_zh "how many times the menu was printed for the answers 9, an empty line, 1 (a send) and 3" "依次回答 9、空行、1（发送）和 3 时，菜单打印的次数")" \
    "$(en_zh "4: at the start, after each invalid choice, after the send (R5.16, section 5)" "4 次：开始时、每个无效选项之后、发送之后（R5.16，第 5 节）")" "$menus"
}

# zh: 无效的 IP 是错误，菜单式聊天程序继续运行
# bats test_tags=points:1
@test "an invalid IP is an error and the menu chat keeps running" {
  explained_in 5
  covers R5.7 R5.12
  chat_and_sink udp_menu_chat
  feed m 1
  feed m "lost"
  feed m "300.1.2.3"
  wait_err m 'udp_menu_chat: invalid IP address "300\.1\.2\.3"'
  menu_send m "found" 127.0.0.1 "$sink_port"
  expect_datagram 1 "found"
  wait_exit m
  assert_success
}

# zh: 无效的端口是错误，菜单式聊天程序继续运行
# bats test_tags=points:1
@test "an invalid port is an error and the menu chat keeps running" {
  explained_in 5
  covers R5.13 R5.1
  chat_and_sink udp_menu_chat
  for bad in 0 70000 abc 80x "" +7891; do
    menu_send m "lost" 127.0.0.1 "$bad"
    wait_err m "udp_menu_chat: invalid port \"${bad//+/\\+}\""
  done
  menu_send m "found" 127.0.0.1 "$sink_port"
  expect_datagram 1 "found"
  wait_exit m
  assert_success
}

# zh: 菜单选项 3 退出：打印 bye，退出状态 0
# bats test_tags=points:1
@test "menu choice 3 quits: bye, status 0" {
  explained_in 5
  covers R5.8 R5.15
  free_port port
  start_chat m udp_menu_chat "$port"
  feed m 3
  wait_line m 'bye$'
  wait_exit m
  assert_success
}

# zh: 输入结束时，菜单式聊天程序正常退出，状态 0：无论是在菜单处，还是问到一半
# bats test_tags=points:1
@test "end of input ends the menu chat cleanly with status 0, at the menu or in the middle of a question" {
  explained_in 5
  covers R5.8 R5.17
  free_port port
  start_chat m udp_menu_chat "$port"
  wait_exit m 5 # end of input at "choice> ": it ends at once
  assert_success
  assert_output --regexp 'bye$'
  start_chat m2 udp_menu_chat "$port"
  feed m2 1
  feed m2 "never sent"
  wait_exit m2 5 # end of input at "to IP> "
  assert_success
  assert_output --regexp 'bye$'
}

# zh: 端口已被占用时，菜单式聊天程序说明原因并以非 0 状态退出
# bats test_tags=points:1
@test "the menu chat on a port already in use names the cause and exits non-zero" {
  explained_in 1
  covers R5.2 R5.3
  free_port port
  start_sink "$port" --ms 60000
  run_prog udp_menu_chat "$port"
  assert_failure 1
  assert_regex "$stderr" "udp_menu_chat: bind port $port: Address already in use"
  [[ -z $output ]] || flunk_wire "$(en_zh "udp_menu_chat's stdout when its bind failed" "菜单式聊天程序绑定失败时的标准输出")" \
    "$(en_zh "nothing: the on port line comes after the bind (R5.3)" "什么都没有：on port 这一行在绑定成功之后才打印（R5.3）")" "$output"
}

# zh: 没有 PORT 时，菜单式聊天程序绑定 7890 号端口
# bats test_tags=points:1
@test "without PORT the menu chat binds port 7890" {
  explained_in 5
  covers R5.2 R5.3
  expect_default_port m udp_menu_chat
}

# ---- the poll() chat ----

# zh: 什么都没输入时，消息一到，udp_chat 就立刻显示
# bats test_tags=points:2
@test "udp_chat shows a message the moment it arrives, while nothing is typed" {
  explained_in 3
  covers R5.18 R5.28 R5.4
  free_port port
  start_chat c udp_chat "$port"
  wait_line c "^udp_chat on port $port$"
  send_from_peer "$port" "knock knock"
  wait_line c "^from 127\.0\.0\.1:$sport: knock knock$"
  send_from_peer "$port" "and again"
  wait_line c "^from 127\.0\.0\.1:$sport: and again$"
  # 127.100.100.100: 15 characters, the longest an IPv4 address has (INET_ADDRSTRLEN is 16,
  # with the NUL); every 127.x.y.z is this machine's
  send_from_peer "$port" "from afar" --from 127.100.100.100
  wait_line c "^from 127\.100\.100\.100:$sport: from afar$"
}

# zh: udp_chat 把输入的每一行作为一个数据报，从自己的端口发给用 /to 选定的对端
# bats test_tags=points:2
@test "udp_chat sends each typed line as one datagram, from its own port, to the peer chosen with /to" {
  explained_in 5
  covers R5.6 R5.19 R5.24
  chat_to_sink --count 2
  wait_line c "^peer is 127\.0\.0\.1:$sink_port$"
  feed c "first line"
  feed c "second line"
  expect_datagram 1 "first line"
  expect_datagram 2 "second line"
  expect_sender 1 "$port"
}

# zh: 同时到达 udp_chat 的几行，仍然每行一个数据报
# bats test_tags=points:2
@test "lines that reach udp_chat together are still sent one datagram each" {
  explained_in 4
  covers R5.4 R5.5 R5.18
  chat_and_sink udp_chat --count 3
  feed c "/to 127.0.0.1 $sink_port"$'\none\ntwo\nthree' # four lines in one write()
  expect_datagram 1 "one"
  expect_datagram 2 "two"
  expect_datagram 3 "three"
}

# zh: 空行 udp_chat 什么也不发
# bats test_tags=points:1
@test "udp_chat sends nothing for an empty line" {
  explained_in 5
  covers R5.23
  chat_to_sink
  feed c ""
  feed c "not empty"
  expect_datagram 1 "not empty"
}

# zh: udp_chat 把超过 65507 字节的一行按 65507 字节一段分开发送，每一段都当作单独的一行处理：以 / 开头的第一段是命令
# bats test_tags=points:1
@test "udp_chat sends a line longer than 65507 bytes in pieces of 65507 bytes, each handled as a line: a first piece that starts with / is a command" {
  explained_in 5
  covers R5.26
  chat_to_sink --count 3
  feed c "$(fill 70000)"
  expect_datagram 1 "$(fill 65507)"
  expect_datagram 2 "$(fill 70000 | tail -c 4493)"
  # each piece is handled as a line of its own: a first piece that starts with / is a command
  feed c "/$(fill 65506)tail"
  wait_err c '^udp_chat: unknown command "/abc'
  expect_datagram 3 "tail"
}

# zh: 分几次读到的一长行照样按 65507 字节一段发出，后面的一行也照样发出
# bats test_tags=points:1
@test "udp_chat sends a long line that arrives over several reads in pieces of 65507 bytes, and the line after it" {
  explained_in 5
  covers R5.26 R5.25
  chat_to_sink --count 3
  fill 70000 >"$BATS_TEST_TMPDIR/long"
  # the line's first 40000 bytes, no newline yet; a pause, so that the chat reads them alone
  head -c 40000 "$BATS_TEST_TMPDIR/long" >&"${_INFD[c]}"
  run_peer await line /dev/null '^never$' --ms 300 || true
  # then the other 30000 bytes, its newline and one more line
  { tail -c 30000 "$BATS_TEST_TMPDIR/long"; printf '\nafter\n'; } >&"${_INFD[c]}"
  expect_datagram 1 "$(fill 65507)"
  expect_datagram 2 "$(tail -c 4493 "$BATS_TEST_TMPDIR/long")"
  expect_datagram 3 "after"
}

# zh: udp_chat 完整地显示空数据报和 65507 字节的数据报：什么都不截断
# bats test_tags=points:1
@test "udp_chat shows an empty datagram and a 65507-byte one whole: nothing is truncated" {
  explained_in 5
  covers R5.4 R5.5
  free_port port
  start_chat c udp_chat "$port"
  run_peer udp_source 127.0.0.1 "$port" empty fill:65507 text:end
  assert_success
  sport=$(sed -n 's/^sent [0-9]* bytes from port \([0-9]*\)$/\1/p' <<<"$output" | head -1)
  wait_line c "^from 127\.0\.0\.1:$sport: end$"
  wait_line c "^from 127\.0\.0\.1:$sport: $"
  expect_fill_shown c "$sport" 65507
}

# zh: udp_chat 像第 02 课那样打印字节；不是 UTF-8 的数据报不会让它停下
# bats test_tags=points:1
@test "udp_chat prints bytes as lesson 02 does, and a datagram that is not UTF-8 does not stop it" {
  explained_in 5
  covers R5.4
  free_port port
  start_chat c udp_chat "$port"
  run_peer udp_source 127.0.0.1 "$port" hex:c4e3bac3 hex:610a5c09 text:still # GBK 你好; a \n \\ \t
  assert_success
  sport=$(sed -n 's/^sent [0-9]* bytes from port \([0-9]*\)$/\1/p' <<<"$output" | head -1)
  wait_line c "^from 127\.0\.0\.1:$sport: still$"
  wait_line c '^from 127\.0\.0\.1:'"$sport"': a\\x0a\\\\\\x09$'
  printf 'from 127.0.0.1:%s: \xc4\xe3\xba\xc3\n' "$sport" >"$BATS_TEST_TMPDIR/want"
  LC_ALL=C grep -a -m1 "^from 127\.0\.0\.1:$sport: " "$BATS_TEST_TMPDIR/c.out" >"$BATS_TEST_TMPDIR/got" || true
  assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" "$(en_zh "the line for the GBK bytes c4 e3 ba c3 (shown unchanged)" "GBK 字节 c4 e3 ba c3 对应的那一行（原样显示）")"
}

# zh: sendto 失败时报告错误，udp_chat 继续运行
# bats test_tags=points:1
@test "a failed sendto is reported and udp_chat keeps running" {
  explained_in 5
  covers R5.7
  chat_and_sink udp_chat
  feed c "/to 255.255.255.255 9" # a broadcast address: refused without SO_BROADCAST
  feed c "to everyone"
  wait_err c 'udp_chat: sendto 255\.255\.255\.255:9: '
  feed c "/to 127.0.0.1 $sink_port"
  feed c "to one"
  expect_datagram 1 "to one"
}

# zh: 在任何 /to 之前输入的一行是错误，不发送，聊天程序继续运行
# bats test_tags=points:1
@test "a line typed before any /to is an error, is not sent, and the chat keeps running" {
  explained_in 5
  covers R5.24 R5.23
  chat_and_sink udp_chat
  feed c ""
  feed c "too early"
  wait_err c 'udp_chat: no peer yet'
  feed c ""
  feed c "/to 127.0.0.1 $sink_port"
  feed c "on time"
  expect_datagram 1 "on time"
  # the empty lines around it are ignored (R5.23), peer or no peer: one line for "too early" alone
  local early
  early=$(grep -c 'udp_chat: no peer yet' "$BATS_TEST_TMPDIR/c.err")
  ((early == 1)) || flunk_wire "$(en_zh "udp_chat's no-peer-yet lines for an empty line, \"too early\" and an empty line, before any /to" "在任何 /to 之前输入空行、“too early”、空行，udp_chat 打印的 no peer yet 行")" \
    "$(en_zh "one, for \"too early\": an empty line is ignored, even before /to (R5.23, section 5)" "一行，只有“too early”那一行：空行一律忽略，在 /to 之前也一样（R5.23，第 5 节）")" "$(cat "$BATS_TEST_TMPDIR/c.err")"
}

# zh: /to 里无效的 IP 是错误，udp_chat 继续运行
# bats test_tags=points:1
@test "an invalid IP in /to is an error and udp_chat keeps running" {
  explained_in 5
  covers R5.20
  chat_to_sink
  feed c "/to 1.2.3.400 $sink_port"
  wait_err c 'udp_chat: invalid IP address "1\.2\.3\.400"'
  feed c "the peer did not change"
  expect_datagram 1 "the peer did not change"
}

# zh: /to 里无效的端口是错误，udp_chat 继续运行
# bats test_tags=points:1
@test "an invalid port in /to is an error and udp_chat keeps running" {
  explained_in 5
  covers R5.20 R5.1
  chat_and_sink udp_chat
  for bad in 0 65536 12ab +7891 4294975084; do
    feed c "/to 127.0.0.1 $bad"
    wait_err c "udp_chat: invalid port \"${bad//+/\\+}\""
  done
  feed c "/to 127.0.0.1"
  wait_err c 'udp_chat: usage: /to IP PORT'
  feed c "/to 127.0.0.1 $sink_port"
  feed c "made it"
  expect_datagram 1 "made it"
}

# zh: 任意长度的 /to 行（词的前后有空格和制表符）都能设定对端；错误的 /to 不改变原来的对端，连 IP 也不变
# bats test_tags=points:1
@test "a /to line of any length (spaces and tabs around the words) sets the peer; a bad /to leaves it as it was, its IP too" {
  explained_in 5
  covers R5.19 R5.20
  chat_and_sink udp_chat --count 2
  spaces=$(printf '%300s' '')
  feed c "/to${spaces}127.0.0.1"$'\t'"$sink_port$spaces"
  wait_line c "^peer is 127\.0\.0\.1:$sink_port\$"
  feed c "first"
  expect_datagram 1 "first"
  feed c "/to 127.0.0.1 0"
  wait_err c 'udp_chat: invalid port "0"'
  # a good IP with a bad port: the IP must not be taken either (192.0.2.1 leads nowhere)
  feed c "/to 192.0.2.1 65536"
  wait_err c 'udp_chat: invalid port "65536"'
  feed c "second"
  expect_datagram 2 "second"
}

# zh: 未知的命令是错误，udp_chat 继续运行
# bats test_tags=points:1
@test "an unknown command is an error and udp_chat keeps running" {
  explained_in 5
  covers R5.22
  free_port port
  start_chat c udp_chat "$port"
  feed c "/shout hello"
  wait_err c 'udp_chat: unknown command "/shout"'
  send_from_peer "$port" "still listening"
  wait_line c "^from 127\.0\.0\.1:$sport: still listening$"
}

# zh: /quit 结束 udp_chat：打印 bye，退出状态 0
# bats test_tags=points:1
@test "/quit ends udp_chat: bye, status 0" {
  explained_in 5
  covers R5.8 R5.21
  free_port port
  start_chat c udp_chat "$port"
  feed c "/quit"
  wait_line c '^bye$'
  wait_exit c
  assert_success
}

# zh: 输入结束时，udp_chat 正常退出，状态 0
# bats test_tags=points:1
@test "end of input ends udp_chat cleanly with status 0" {
  explained_in 4
  covers R5.8 R5.27
  free_port port
  start_chat c udp_chat "$port"
  wait_exit c
  assert_success
  assert_line "bye"
}

# zh: 最后一行没有换行就到了输入结束：这一行照样发出，然后打印 bye
# bats test_tags=points:1
@test "end of input after a last line without a newline: the line is sent, then bye" {
  explained_in 5
  covers R5.27
  chat_to_sink
  wait_line c "^peer is 127\.0\.0\.1:$sink_port\$"
  printf '%s' 'last words' >&"${_INFD[c]}" # no newline, then end of input
  wait_exit c
  assert_success
  assert_line "bye"
  expect_datagram 1 "last words"
}

# zh: 两个 udp_chat 双向对话，包括 UTF-8 编码的文字
# bats test_tags=points:2
@test "two udp_chats talk to each other in both directions, UTF-8 included" {
  explained_in 3
  covers R5.18 R5.19 R5.24
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

# zh: 菜单式聊天程序和 udp_chat 互相对话
# bats test_tags=points:1
@test "the menu chat and udp_chat talk to each other" {
  explained_in 3
  covers R5.11 R5.14 R5.24
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

# zh: 端口已被别的程序或另一个 udp_chat 占用时，udp_chat 说明原因并以非 0 状态退出
# bats test_tags=points:1
@test "udp_chat on a port already in use, by another program or another udp_chat, names the cause and exits non-zero" {
  explained_in 1
  covers R5.2 R5.3
  free_port port
  start_sink "$port" --ms 60000
  run_prog udp_chat "$port"
  assert_failure 1
  assert_regex "$stderr" "udp_chat: bind port $port: Address already in use"
  [[ -z $output ]] || flunk_wire "$(en_zh "udp_chat's stdout when its bind failed" "udp_chat 绑定失败时的标准输出")" \
    "$(en_zh "nothing: the on port line comes after the bind (R5.3)" "什么都没有：on port 这一行在绑定成功之后才打印（R5.3）")" "$output"
  # a second udp_chat on the port of a first one: two programs never share a port (a socket
  # option such as SO_REUSEADDR on both would let them, and one would take the other's datagrams)
  free_port port
  start_chat first udp_chat "$port"
  run_prog udp_chat "$port"
  assert_failure 1
  assert_regex "$stderr" "udp_chat: bind port $port: Address already in use"
}

# zh: 没有 PORT 时，udp_chat 绑定 7890 号端口
# bats test_tags=points:1
@test "without PORT udp_chat binds port 7890" {
  explained_in 5
  covers R5.2 R5.3
  expect_default_port c udp_chat
}

# ---- the edges of each rule ----

# zh: /to 在制表符和连续的空白处分出三个词；行尾的空白不会让这一行变得太长
# bats test_tags=points:1
@test "/to takes its three words apart at tabs and runs of blanks, and trailing blanks do not make it too long" {
  explained_in 5
  covers R5.19
  chat_and_sink udp_chat --count 2
  feed c "/to 127.0.0.1 9"
  wait_line c '^peer is 127\.0\.0\.1:9$'
  # 300 blanks after the port: the line is 320 bytes long, and still three words.
  feed c "/to 127.0.0.1 $sink_port$(printf ' %.0s' {1..300})"
  feed c "after a long /to"
  expect_datagram 1 "after a long /to"
  feed c "/to 127.0.0.1 9"
  feed c $'/to\t127.0.0.1 \t  '"$sink_port"$'\t'
  feed c "after tabs"
  expect_datagram 2 "after tabs"
  [[ $(grep -c "^peer is 127\\.0\\.0\\.1:$sink_port\$" "$BATS_TEST_TMPDIR/c.out") == 2 ]] ||
    flunk_wire "$(en_zh "the lines \"peer is 127.0.0.1:$sink_port\"" "“peer is 127.0.0.1:$sink_port”这样的行")" "$(en_zh "2 (one per /to)" "2 行（每个 /to 一行）")" \
      "$(cat "$BATS_TEST_TMPDIR/c.out" "$BATS_TEST_TMPDIR/c.err")"
}

# zh: /to 多一个词或少一个词，或者地址只是看起来像地址，都被拒绝，对端不变
# bats test_tags=points:1
@test "/to with a word too many or too few, or an address look-alike, is refused and the peer stays" {
  explained_in 5
  covers R5.20 R5.7
  chat_to_sink
  wait_line c "^peer is 127\\.0\\.0\\.1:$sink_port\$"
  feed c "/to 127.0.0.1 9 extra"
  wait_err c '^udp_chat: usage: /to IP PORT$'
  feed c "/to"
  for ip in 127.1 127.0.0.01 0x7f.0.0.1 ::1; do
    feed c "/to $ip 9"
    wait_err c "^udp_chat: invalid IP address \"$ip\"\$"
  done
  feed c "/to 127.0.0.1 65536"
  wait_err c '^udp_chat: invalid port "65536"$'
  feed c "still to the first peer"
  expect_datagram 1 "still to the first peer"
  usage_lines=$(grep -c '^udp_chat: usage: /to IP PORT$' "$BATS_TEST_TMPDIR/c.err")
  ((usage_lines == 2)) || flunk_wire "$(en_zh "usage lines for \"/to 127.0.0.1 9 extra\" and \"/to\"" "“/to 127.0.0.1 9 extra”和“/to”的用法说明行")" 2 "$usage_lines"
  [[ $(grep -c '^peer is' "$BATS_TEST_TMPDIR/c.out") == 1 ]] ||
    flunk_wire "$(en_zh "peer changes" "对端的改变")" "$(en_zh "only the first /to: one \"peer is\" line" "只有第一个 /to：一行“peer is”")" "$(grep '^peer is' "$BATS_TEST_TMPDIR/c.out")"
}

# zh: 一次到达的几行输入逐行处理：先是 /to，然后每行一个数据报；结尾没写完的那一行由下一次读到的内容补全
# bats test_tags=points:1
@test "typed lines that arrive in one piece are handled one by one: a /to, then each line its own datagram, and the line begun at its end is finished by the next read" {
  explained_in 5
  covers R5.25 R5.24
  chat_and_sink udp_chat --count 3
  wait_line c "^udp_chat on port $port\$"
  # one write (cat: bash's printf may write in pieces), which ends in the middle of a line:
  # its rest comes in the next read
  printf '/to 127.0.0.1 %s\nfirst\n\tsecond,  with a tab\r\nthi' "$sink_port" >"$BATS_TEST_TMPDIR/typed"
  cat "$BATS_TEST_TMPDIR/typed" >&"${_INFD[c]}"
  expect_datagram 1 "first"
  expect_datagram 2 $'\tsecond,  with a tab\r'
  feed c "rd"
  expect_datagram 3 "third"
}

# zh: udp_chat 发出没有换行的最后一行，然后打印 bye
# bats test_tags=points:1
@test "udp_chat sends a last line that ends without a newline, then says bye" {
  explained_in 5
  covers R5.27 R5.8
  chat_to_sink
  wait_line c "^peer is 127\\.0\\.0\\.1:$sink_port\$"
  printf 'the last words' >&"${_INFD[c]}"
  wait_exit c
  assert_success
  assert_line "bye"
  expect_datagram 1 "the last words"
}

# zh: 没有换行符的最后一行也和别的行一样处理：命令就是命令，不会当作消息发出
# bats test_tags=points:1
@test "a last line without a newline is handled like any line: a command there is a command, not a message" {
  explained_in 5
  covers R5.27 R5.22
  chat_to_sink --count 2
  feed c "before the end"
  expect_datagram 1 "before the end"
  printf '/nope' >&"${_INFD[c]}" # no newline, then end of input
  wait_exit c
  assert_success
  assert_line "bye"
  assert_regex "$stderr" 'udp_chat: unknown command "/nope"'
  expect_marker_next 2 # "/nope" did not go out as a message
}

# zh: 65507 字节的一行和它前面的短行在同一次读取中读到时，仍然作为一个数据报发出
# bats test_tags=points:1
@test "a line of 65507 bytes read together with a short line before it still goes out as one datagram" {
  explained_in 5
  covers R5.26 R5.25
  chat_to_sink --count 3
  wait_line c "^peer is 127\\.0\\.0\\.1:$sink_port\$"
  { printf 'hi\n'; fill 65507; printf '\nafter\n'; } >"$BATS_TEST_TMPDIR/typed"
  # all of it waits in the pipe before the chat reads again (65516 bytes fit in a pipe's 64 KiB):
  # the short line and most of the long one come in one read
  send_signal c STOP
  cat "$BATS_TEST_TMPDIR/typed" >&"${_INFD[c]}"
  send_signal c CONT
  expect_datagram 1 "hi"
  expect_datagram 2 "$(fill 65507)"
  expect_datagram 3 "after"
}

# zh: 数据报蜂拥而至时，键入的一行照样轮得到：/quit 在排队的 50 个数据报显示完之前就结束聊天
# bats test_tags=points:1
@test "a line typed while datagrams pour in gets its turn: /quit ends the chat before 50 queued datagrams are all shown" {
  explained_in 3
  covers R5.18 R5.21
  free_port port
  start_chat c udp_chat "$port"
  # stopped, the chat reads nothing: 50 datagrams and the /quit line all wait for it
  stop_pid "$(prog_pid c)" udp_chat "udp_chat "
  local specs=() i shown
  for i in {1..50}; do specs+=("text:flood $i"); done
  run_peer udp_source 127.0.0.1 "$port" "${specs[@]}"
  assert_success
  feed c "/quit"
  send_signal c CONT
  wait_exit c
  assert_success
  shown=$(grep -c '^from ' "$BATS_TEST_TMPDIR/c.out" || true)
  ((shown < 50)) || flunk_wire "$(en_zh "udp_chat's from lines before bye, for 50 datagrams and /quit that were all waiting" "50 个数据报和 /quit 都已排队等候时，udp_chat 在 bye 之前打印的 from 行")" \
    "$(en_zh "fewer than 50: one datagram per wake-up of poll, then back to poll, so the keyboard gets its turn (section 3)" "少于 50 行：poll 每醒来一次只处理一个数据报，然后回到 poll，这样键盘也能轮到（第 3 节）")" \
    "$(en_zh "all $shown, and only then bye" "全部 $shown 行，之后才是 bye")"
}

# zh: 数据报和键入的一行或输入结束同时待处理时，先显示数据报，再处理那一行，最后打印 bye
# bats test_tags=points:1
@test "a datagram waiting beside a typed line or the end of input is shown first, then the line is handled, then bye" {
  explained_in 3
  covers R5.18 R5.27
  free_port port
  start_chat c udp_chat "$port"
  # stopped, the chat sees both at its next wake-up: the datagram came first, then a typed line
  stop_pid "$(prog_pid c)" udp_chat "udp_chat "
  run_peer udp_source 127.0.0.1 "$port" "text:first come"
  assert_success
  feed c "/to 127.0.0.1 7"
  send_signal c CONT
  wait_line c '^peer is 127\.0\.0\.1:7$'
  # and again, with the end of input beside the datagram
  stop_pid "$(prog_pid c)" udp_chat "udp_chat "
  run_peer udp_source 127.0.0.1 "$port" "text:just in time"
  assert_success
  close_input c
  send_signal c CONT
  wait_exit c
  assert_success
  [[ $output =~ from\ 127\.0\.0\.1:[0-9]+:\ first\ come$'\n'peer\ is\ 127\.0\.0\.1:7$'\n'from\ 127\.0\.0\.1:[0-9]+:\ just\ in\ time$'\n'bye$ ]] ||
    flunk_wire "$(en_zh "udp_chat's output when a datagram was waiting beside a typed /to, then beside the end of input" "数据报先后与键入的 /to、与输入结束同时待处理时 udp_chat 的输出")" \
      "$(en_zh "from ...: first come, peer is 127.0.0.1:7, from ...: just in time, bye (each datagram first: R5.18)" "from ...: first come、peer is 127.0.0.1:7、from ...: just in time、bye（每次都先处理数据报：R5.18）")" \
      "$output"
}

# zh: 标准输入一直有数据可读时，到达的数据报也照样立刻显示
# bats test_tags=points:1
@test "a datagram is shown as it arrives even while standard input never runs dry" {
  explained_in 3
  covers R5.18
  free_port port
  # standard input is /dev/zero: always readable, an endless line of NUL bytes whose pieces
  # go nowhere (no peer yet), so the keyboard always has something to say
  _lab_bin udp_chat || return 1
  _wire_ran yours udp_chat c
  _LABPROG[c]=1
  _spawn c bash -c 'exec "$0" "$@" </dev/zero' "$_BIN" "$port"
  _NAME[c]=udp_chat # bash's pid becomes the chat's: name it as such
  wait_udp c "$port"
  wait_err c 'udp_chat: no peer yet'
  send_from_peer "$port" "through the flood"
  wait_line c "from 127\\.0\\.0\\.1:$sport: through the flood\$"
}

# zh: udp_chat 把恰好 65507 字节的一行作为一个数据报发出，65508 字节的作为两个
# bats test_tags=points:1
@test "udp_chat sends a line of exactly 65507 bytes as one datagram, and one of 65508 as two" {
  explained_in 5
  covers R5.26
  chat_to_sink --count 4
  feed c "$(fill 65507)"
  feed c "$(fill 65508)"
  feed c "end"
  expect_datagram 1 "$(fill 65507)"
  expect_datagram 2 "$(fill 65507)"
  expect_datagram 3 "$(fill 65508 | tail -c 1)"
  expect_datagram 4 "end"
}

# zh: 读标准输入失败时，两个聊天程序都打印“read(stdin): REASON”，不打印 bye，退出状态 1
# bats test_tags=points:1
@test "when reading standard input fails, both chats say read(stdin): REASON, no bye, status 1" {
  explained_in 5
  covers R5.9
  for prog in udp_chat udp_menu_chat; do
    free_port port
    # A directory as standard input: read() on it fails with EISDIR.
    run_prog --in-file "$BATS_TEST_TMPDIR" "$prog" "$port"
    [[ $status == 1 && $stderr == *"$prog: read(stdin): Is a directory"* && $output != *bye* && $output == *"$prog on port $port"* ]] ||
      flunk_wire "$(en_zh "$prog $port, with a standard input that cannot be read" "$prog $port，标准输入读不了")" \
        "$(en_zh "$prog on port $port; then $prog: read(stdin): Is a directory; no bye; status 1" "“$prog on port $port”；然后“$prog: read(stdin): Is a directory”；没有 bye；退出状态 1")" \
        "$(en_zh "status $status; stdout: $output; stderr: $stderr" "退出状态 $status；标准输出：$output；标准错误：$stderr")"
    # The write end of a pipe whose reader is gone as standard input: poll() reports POLLERR
    # alone, not POLLIN (section 3), and read() fails with EBADF.
    _lab_bin "$prog"
    run_bounded --timeout 4 "$BASH" -c 'exec 0> >(:); exec "$@"' stdin-write-end "$_BIN" "$port"
    [[ $status == 1 && $stderr == *"$prog: read(stdin): Bad file descriptor"* && $output != *bye* ]] ||
      flunk_wire "$(en_zh "$prog $port, with the write end of a pipe as standard input (poll: POLLERR, not POLLIN)" "$prog $port，标准输入是一个管道的写端（poll：POLLERR，不是 POLLIN）")" \
        "$(en_zh "$prog: read(stdin): Bad file descriptor; no bye; status 1 (call read() whenever revents is not zero, section 3)" "“$prog: read(stdin): Bad file descriptor”；没有 bye；退出状态 1（只要 revents 不是零就调用 read()，第 3 节）")" \
        "$(en_zh "status $status; stdout: $output; stderr: $stderr" "退出状态 $status；标准输出：$output；标准错误：$stderr")"
  done
}

# zh: 菜单式聊天程序接受 65535 号端口和 017470（带前导零也按十进制）、拒绝 65536；前后带空白的回答不算选项
# bats test_tags=points:1
@test "the menu chat takes port 65535 and 017470 (decimal, leading zero and all), refuses 65536; an answer with a blank around it is not a choice" {
  explained_in 5
  covers R5.1 R5.3 R5.11 R5.13 R5.16
  free_port port
  # a port is decimal digits: a leading zero does not make it octal (as strtol's base 0 would)
  spawn_prog m udp_menu_chat "0$port"
  wait_udp m "$port"
  wait_line m "^udp_menu_chat on port $port\$"
  menu_send m "to the last port" 127.0.0.1 65535
  wait_line m 'sent 16 bytes to 127\.0\.0\.1:65535$'
  menu_send m "zero" 127.0.0.1 017470
  wait_line m 'sent 4 bytes to 127\.0\.0\.1:17470$'
  menu_send m "lost" 127.0.0.1 65536
  wait_err m '^udp_menu_chat: invalid port "65536"$'
  # 2^32 + 7788: a number kept in an int would wrap round to port 7788
  menu_send m "wrapped" 127.0.0.1 4294975084
  wait_err m '^udp_menu_chat: invalid port "4294975084"$'
  feed m "1 "
  wait_err m '^udp_menu_chat: invalid choice "1 ": type 1, 2 or 3$'
  feed m $'\t3'
  wait_err m $'^udp_menu_chat: invalid choice "\t3": type 1, 2 or 3$'
  feed m "3"
  wait_exit m
  assert_success
  assert_line --regexp 'bye$'
}

# zh: 菜单式聊天程序接受输入结束时没有换行的最后一个回答：端口一个字符也不少，然后打印 bye
# bats test_tags=points:1
@test "the menu chat takes a last answer that ends at end of input without a newline: the port whole, then bye" {
  explained_in 5
  covers R5.10 R5.11 R5.17
  chat_and_sink udp_menu_chat
  printf '1\nno newline after the port\n127.0.0.1\n%s' "$sink_port" >&"${_INFD[m]}"
  close_input m
  expect_datagram 1 "no newline after the port"
  wait_exit m
  assert_success
  assert_line --regexp "sent 25 bytes to 127\\.0\\.0\\.1:$sink_port\$"
  assert_line --regexp 'bye$'
}

# zh: 菜单式聊天程序拒绝只是看起来像地址的 IP，而且不再问端口
# bats test_tags=points:1
@test "the menu chat refuses an IP that only looks like an address, and does not ask for the port" {
  explained_in 5
  covers R5.12
  free_port port
  start_chat m udp_menu_chat "$port"
  for ip in 127.1 127.0.0.01 " 127.0.0.1"; do
    feed m 1
    feed m "lost"
    feed m "$ip"
    wait_err m "^udp_menu_chat: invalid IP address \"$ip\"\$"
  done
  feed m 3
  wait_exit m
  assert_success
  refute_output --partial 'to port>'
}

# expect_marker_next N: nothing else reached the sink before now: send it a marker from
# udp_source, which must be its datagram N. (On loopback a socket's datagrams are queued in
# the order they were sent: a datagram sent before the marker would be datagram N.)
expect_marker_next() {
  run_peer udp_source 127.0.0.1 "$sink_port" "text:marker from the test"
  assert_success
  expect_datagram "$1" "marker from the test"
}

# zh: 含 NUL 等每一种字节（换行符除外）的一行原样发出，同一次读到的后面几行也各自发出
# bats test_tags=points:1
@test "a typed line holding every byte value but the newline, NUL included, goes out whole, and the lines after it too" {
  explained_in 4
  covers R5.24 R5.25
  chat_to_sink --count 3
  wait_line c "^peer is 127\\.0\\.0\\.1:$sink_port\$"
  every_byte_but_newline "$BATS_TEST_TMPDIR/line"
  { cat "$BATS_TEST_TMPDIR/line"; printf '\nsecond\nthird\n'; } >"$BATS_TEST_TMPDIR/typed"
  cat "$BATS_TEST_TMPDIR/typed" >&"${_INFD[c]}" # one write: three lines, the first with a NUL
  expect_datagram_file 1 "$BATS_TEST_TMPDIR/line"
  expect_datagram 2 "second"
  expect_datagram 3 "third"
}

# zh: /quit 之后、同一次读到的几行不再处理：对端什么也收不到
# bats test_tags=points:1
@test "the lines that come in the same read as /quit, after it, are not sent" {
  explained_in 5
  covers R5.21 R5.25
  chat_and_sink udp_chat --count 2
  feed c "/to 127.0.0.1 $sink_port"$'\nbefore\n/quit\nafter the quit\nand this' # one write
  expect_datagram 1 "before"
  wait_line c '^bye$' # /quit, not the end of input: that stays open until now
  wait_exit c 5
  assert_success
  assert_line "bye"
  expect_marker_next 2 # not "after the quit"
}

# zh: 检查顺序：先查词数，再查 IP，最后查端口
# bats test_tags=points:1
@test "/to checks in order: the number of words first (even with a bad IP or PORT), then the IP, then the PORT" {
  explained_in 5
  covers R5.20 R5.7
  free_port port
  start_chat c udp_chat "$port"
  feed c "/to 1.2.3 80 extra"
  feed c "/to 127.0.0.1 0 extra"
  feed c "/to 1.2.3"
  feed c "/to 1.2.3.400 0"
  feed c "/to 127.0.0.1 0"
  feed c "/sentinel"
  wait_err c '^udp_chat: unknown command "/sentinel"'
  want='udp_chat: usage: /to IP PORT
udp_chat: usage: /to IP PORT
udp_chat: usage: /to IP PORT
udp_chat: invalid IP address "1.2.3.400"
udp_chat: invalid port "0"
udp_chat: unknown command "/sentinel": the commands are /to IP PORT and /quit'
  got=$(<"$BATS_TEST_TMPDIR/c.err")
  [[ $got == "$want" ]] ||
    flunk_wire "$(en_zh "stderr for" "依次输入以下各行后的标准错误：") /to 1.2.3 80 extra, /to 127.0.0.1 0 extra, /to 1.2.3, /to 1.2.3.400 0, /to 127.0.0.1 0, /sentinel" \
      "$want" "$got"
}

# zh: 以 \r\n 结尾输入的 /to 和 /quit 照样有效：回车符也是词之间的空白
# bats test_tags=points:1
@test "/to and /quit typed with \\r\\n still work: a carriage return is a blank between words" {
  explained_in 5
  covers R5.19 R5.21
  chat_and_sink udp_chat
  feed c "/to 127.0.0.1 $sink_port"$'\r'
  wait_line c "^peer is 127\\.0\\.0\\.1:$sink_port\$"
  feed c $'a message keeps its carriage return\r'
  expect_datagram 1 $'a message keeps its carriage return\r'
  feed c $'/quit\r'
  wait_line c '^bye$' # /quit, not the end of input: that stays open until now
  wait_exit c 5
  assert_success
  assert_line "bye"
}

# zh: /to 接受端口 1 和 65535，peer 行里的端口不带前导零
# bats test_tags=points:1
@test "/to takes PORT 1 and 65535, and the peer line shows PORT without leading zeros" {
  explained_in 5
  covers R5.19 R5.20
  free_port port
  start_chat c udp_chat "$port"
  feed c "/to 127.0.0.1 65535"
  wait_line c '^peer is 127\.0\.0\.1:65535$'
  feed c "/to 127.0.0.1 1"
  wait_line c '^peer is 127\.0\.0\.1:1$'
  feed c "/to 127.0.0.1 007891"
  wait_line c '^peer is 127\.0\.0\.1:7891$'
  wait_exit c
  assert_success
  [[ $stderr == "" ]] || flunk_wire "$(en_zh "errors for /to with PORT 65535, 1 and 007891" "PORT 为 65535、1 和 007891 时 /to 报的错")" "$(en_zh none 没有)" "$stderr"
}

# zh: 命令是整个第一个词：/tobias 和 /quitting 是未知命令，/quit now 退出
# bats test_tags=points:1
@test "a command is its whole first word: /tobias and /quitting are unknown commands, /quit now quits" {
  explained_in 5
  covers R5.21 R5.22
  free_port port
  start_chat c udp_chat "$port"
  feed c "/tobias 127.0.0.1 9"
  wait_err c '^udp_chat: unknown command "/tobias": the commands are /to IP PORT and /quit$'
  feed c "/quitting"
  wait_err c '^udp_chat: unknown command "/quitting": the commands are /to IP PORT and /quit$'
  feed c "/"
  wait_err c '^udp_chat: unknown command "/": the commands are /to IP PORT and /quit$'
  prog_pid c >/dev/null # still running
  feed c "/quit now"
  wait_line c '^bye$' # /quit, not the end of input: that stays open until now
  wait_exit c 5
  assert_success
  assert_line "bye"
}

# zh: 两个聊天程序都绑定本机所有地址：发到 127.0.0.2 的数据报也能显示
# bats test_tags=points:1
@test "both chats bind every local address: a datagram sent to 127.0.0.2 is shown" {
  explained_in 5
  covers R5.2 R5.14 R5.18
  two_ports
  start_chat c udp_chat "$port_a"
  start_chat m udp_menu_chat "$port_b"
  run_peer udp_source 127.0.0.2 "$port_a" "text:to the other address"
  assert_success
  wait_line c '^from 127\.0\.0\.[0-9]+:[0-9]+: to the other address$'
  feed m 2
  run_peer udp_source 127.0.0.2 "$port_b" "text:to the other address"
  assert_success
  wait_line m 'from 127\.0\.0\.[0-9]+:[0-9]+: to the other address$'
}

# zh: 两个聊天程序都按第 02 课的规则显示 00 到 ff 的每一种字节
# bats test_tags=points:1
@test "both chats show each of the 256 byte values as lesson 02 does: 00-1f and 7f as \\xNN, 5c as \\\\, the others unchanged" {
  explained_in 5
  covers R5.4 R5.14 R5.18
  two_ports
  start_chat c udp_chat "$port_a"
  start_chat m udp_menu_chat "$port_b"
  printf -v hex '%02x' {0..255}
  run_peer udp_source 127.0.0.1 "$port_a" "hex:$hex" "text:end"
  assert_success
  sport=$(sed -n 's/^sent [0-9]* bytes from port \([0-9]*\)$/\1/p' <<<"$output" | head -1)
  wait_line c "^from 127\\.0\\.0\\.1:$sport: end\$"
  { printf 'from 127.0.0.1:%s: ' "$sport"; escaped_every_byte; printf '\n'; } >"$BATS_TEST_TMPDIR/want"
  LC_ALL=C grep -a -m1 "^from 127\\.0\\.0\\.1:$sport: " "$BATS_TEST_TMPDIR/c.out" >"$BATS_TEST_TMPDIR/got" || true
  assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" "$(en_zh "udp_chat's line for the bytes 00 01 02 ... fe ff" "udp_chat 为字节 00 01 02 ... fe ff 打印的一行")"
  feed m 2
  run_peer udp_source 127.0.0.1 "$port_b" "hex:$hex"
  assert_success
  sport=$(sed -n 's/^sent [0-9]* bytes from port \([0-9]*\)$/\1/p' <<<"$output" | head -1)
  feed m 3
  wait_exit m
  assert_success
  { printf 'from 127.0.0.1:%s: ' "$sport"; escaped_every_byte; printf '\n'; } >"$BATS_TEST_TMPDIR/want"
  LC_ALL=C grep -a -o -m1 "from 127\\.0\\.0\\.1:$sport: .*" "$BATS_TEST_TMPDIR/m.out" >"$BATS_TEST_TMPDIR/got" || true
  assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" "$(en_zh "udp_menu_chat's line for the bytes 00 01 02 ... fe ff" "udp_menu_chat 为字节 00 01 02 ... fe ff 打印的一行")"
}

# zh: 在故障注入下（EINTR）：被打断的 poll 和 recvfrom 会重新调用，两个聊天程序照常工作
# bats test_tags=points:1
@test "both chats under faults (EINTR): an interrupted poll or recvfrom is called again, and the chat goes on" {
  explained_in 3
  covers R5.9 R5.14 R5.18 R5.24
  load harness/faults
  free_port port port_m sink_port
  start_sink "$sink_port" --count 2
  with_faults start_chat c udp_chat "$port"
  feed c "/to 127.0.0.1 $sink_port"
  send_from_peer "$port" "one"
  wait_line c "^from 127\\.0\\.0\\.1:$sport: one\$"
  send_from_peer "$port" "two"
  wait_line c "^from 127\\.0\\.0\\.1:$sport: two\$"
  feed c "typed"
  expect_datagram 1 "typed"
  with_faults start_chat m udp_menu_chat "$port_m"
  feed m 2
  send_from_peer "$port_m" "to the menu"
  wait_line m "from 127\\.0\\.0\\.1:$sport: to the menu\$"
  menu_send m "from the menu" 127.0.0.1 "$sink_port"
  expect_datagram 2 "from the menu"
  prog_pid c >/dev/null # udp_chat still running
  assert_faults_happened
}

# zh: 菜单选项 1 把含 NUL 字节、末尾带回车符的消息完整发出
# bats test_tags=points:1
@test "menu choice 1 sends a message with a NUL byte in it and a carriage return at its end whole" {
  explained_in 5
  covers R5.11
  chat_and_sink udp_menu_chat
  feed m 1
  # the carriage return is a byte of the message (a line typed as \r\n keeps it), not a newline
  printf 'a\x00b\r\n' >&"${_INFD[m]}"
  feed m 127.0.0.1
  feed m "$sink_port"
  printf 'a\x00b\r' >"$BATS_TEST_TMPDIR/want"
  expect_datagram_file 1 "$BATS_TEST_TMPDIR/want"
  wait_line m "sent 4 bytes to 127\\.0\\.0\\.1:$sink_port\$"
}

# zh: 在 message> 或 to port> 处输入结束：立刻 bye，不再提问，什么也不发
# bats test_tags=points:1
@test "end of input at message> or at to port> ends the menu chat there: bye, nothing more asked, nothing sent" {
  explained_in 5
  covers R5.17 R5.8
  chat_and_sink udp_menu_chat
  feed m 1
  wait_exit m 5 # end of input at "message> "
  assert_success
  [[ $output == *"choice> message> bye" ]] ||
    flunk_wire "$(en_zh "the end of the menu chat's output after end of input at message>" "在 message> 处输入结束后菜单式聊天程序输出的结尾")" "...choice> message> bye" "...${output: -60}"
  start_chat m2 udp_menu_chat "$port"
  feed m2 1
  feed m2 "never sent"
  feed m2 127.0.0.1
  wait_exit m2 5 # end of input at "to port> "
  assert_success
  [[ $output == *"to IP> to port> bye" ]] ||
    flunk_wire "$(en_zh "the end of the menu chat's output after end of input at to port>" "在 to port> 处输入结束后菜单式聊天程序输出的结尾")" "...to IP> to port> bye" "...${output: -60}"
  # no destination, so no send was tried: nothing failed either
  [[ -z $stderr ]] || flunk_wire "$(en_zh "the menu chat's standard error after end of input at to port>" "在 to port> 处输入结束后菜单式聊天程序的标准错误")" \
    "$(en_zh "nothing: the message is not sent, so no send fails (R5.17)" "什么都没有：消息不发送，也就没有发送失败（R5.17）")" "$stderr"
  expect_marker_next 1 # not "never sent"
}

# zh: udp_chat 的标准输出正好是约定的那几行：发送时不打印，错误只在标准错误
# bats test_tags=points:1
@test "udp_chat's stdout is exactly its lines: on port, peer is, from, bye; nothing for a sent line; errors on stderr only" {
  explained_in 5
  covers R5.3 R5.7 R5.24 R5.28
  chat_to_sink
  wait_line c "^peer is 127\\.0\\.0\\.1:$sink_port\$"
  feed c "hi"
  expect_datagram 1 "hi"
  send_from_peer "$port" "yo"
  wait_line c "^from 127\\.0\\.0\\.1:$sport: yo\$"
  feed c "/bogus"
  feed c "/quit"
  wait_exit c 5
  assert_success
  want="udp_chat on port $port
peer is 127.0.0.1:$sink_port
from 127.0.0.1:$sport: yo
bye"
  [[ $output == "$want" ]] || flunk_wire "$(en_zh "udp_chat's whole standard output" "udp_chat 的全部标准输出")" "$want" "$output"
  [[ $stderr == 'udp_chat: unknown command "/bogus": the commands are /to IP PORT and /quit' ]] ||
    flunk_wire "$(en_zh "udp_chat's whole standard error" "udp_chat 的全部标准错误")" "udp_chat: unknown command \"/bogus\": ... $(en_zh "(one line)" "（一行）")" "$stderr"
}

# zh: 菜单聊天程序的标准输出正好是菜单、提示符和约定的那几行
# bats test_tags=points:1
@test "the menu chat's stdout is exactly the menu, the prompts and its lines, as R5.10 shows them" {
  explained_in 5
  covers R5.3 R5.10 R5.11 R5.15
  chat_and_sink udp_menu_chat
  menu_send m "hello" 127.0.0.1 "$sink_port"
  expect_datagram 1 "hello"
  feed m 3
  wait_exit m 5
  assert_success
  menu=$'1: send a message\n2: receive a message\n3: quit'
  want="udp_menu_chat on port $port
$menu
choice> message> to IP> to port> sent 5 bytes to 127.0.0.1:$sink_port
$menu
choice> bye"
  [[ $output == "$want" ]] || flunk_wire "$(en_zh "the menu chat's whole standard output" "菜单式聊天程序的全部标准输出")" "$want" "$output"
  assert_equal "$stderr" ""
}

# zh: 选 2 之后不限时地等：6 秒后仍在等，然后显示到达的数据报
# bats test_tags=points:1,waits:6
@test "menu choice 2 waits as long as it takes: still waiting after 6 seconds, then shows the datagram" {
  explained_in 2
  covers R5.14
  free_port port
  start_chat m udp_menu_chat "$port"
  feed m 2
  # 6 s: longer than a receive timeout a student might choose (5 s is a common one)
  run_peer await line "$BATS_TEST_TMPDIR/m.out" 'from ' --pid "$(prog_pid m)" --ms 6000
  ((status == 1)) || flunk_wire "$(en_zh "the menu chat 6 s after choice 2, with nothing sent" "选择 2 之后 6 秒、没有人发送时的菜单式聊天程序")" \
    "$(en_zh "still waiting (no time limit)" "仍在等待（没有时间限制）")" "$(cat "$BATS_TEST_TMPDIR/m.out" "$BATS_TEST_TMPDIR/m.err")"
  [[ ! -s $BATS_TEST_TMPDIR/m.err ]] || flunk_wire "$(en_zh "stderr after 6 s at choice 2" "选择 2 之后等了 6 秒时的标准错误")" "$(en_zh nothing 什么都没有)" "$(cat "$BATS_TEST_TMPDIR/m.err")"
  send_from_peer "$port" "at last"
  wait_line m "from 127\\.0\\.0\\.1:$sport: at last\$"
}

# zh: 只有空白的行、以空白开头的行、只有回车符的行都不是空行：原样发出
# bats test_tags=points:1
@test "a line of blanks, a line that starts with a blank and a lone carriage return are messages: each is sent as it is" {
  explained_in 5
  covers R5.23 R5.24
  chat_to_sink --count 4
  wait_line c "^peer is 127\\.0\\.0\\.1:$sink_port\$"
  feed c "   "
  feed c " /quit"
  feed c $'\r'
  feed c "end"
  expect_datagram 1 "   "
  expect_datagram 2 " /quit"
  expect_datagram 3 $'\r'
  expect_datagram 4 "end"
}
