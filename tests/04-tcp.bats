#!/usr/bin/env bats
# Lesson 04 (TCP client and server): the specification of `server` and `client`, as tests.
# The contract is lessons/04-tcp/README.md, section 9.

# The section that teaches flushing stdout (R9.5, R9.8: each line flushed): a wait for a line that never came
# names it when the program is still running and printed nothing new (tests/harness/test_helper.bash).
BUFFERING_EXPLAINED_IN=9

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
  flunk_wire "$(en_zh "the test client did not receive the reply and then the server's close" "测试客户端没有收到应答和随后服务器的关闭")" \
    "$(printf 'thank you !\n' | _visible)    $(en_zh "(12 bytes, then end of stream; exit 0)" "（12 字节，然后是流结束；退出状态 0）")" \
    "$(printf '%s' "$output" | _visible)    $(en_zh "(exit $status; " "（退出状态 $status；")$(peer_words "$stderr")$(en_zh ")" "）")
$(en_zh "the server ($1) printed so far:" "服务器（$1）到目前为止打印了：") $(out "$1") $(err "$1")"
}

# assert_printed LABEL EXPECTED: the background program LABEL wrote exactly EXPECTED on stdout.
assert_printed() {
  local want got
  want=$(printf '%s' "$2" | _visible)
  got=$(_visible <"$BATS_TEST_TMPDIR/$1.out")
  [[ $got == "$want" ]] || flunk_wire "$(en_zh "$1 did not print exactly the bytes that arrived" "$1 打印的不正好是到达的那些字节")" "$want" "$got"
}

# ---- usage (the starter already provides these) ----

# zh: 服务器：错误的选项或端口是用法错误：退出状态 2
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

# zh: 客户端：没有 HOST 和 PORT 时，打印用法说明，退出状态 2
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
  # a bad -t is a usage error even when a good one follows: the last one does not win
  run_prog --in hi client -t 0 -t 3 127.0.0.1 7788
  assert_failure 2
  assert_regex "$stderr" '^usage: client'
}

# zh: 客户端：标准输入什么都没有时，说明这一点，退出状态 1
# bats test_tags=starter-provides
@test "client: with nothing on standard input it says so and exits with status 1" {
  explained_in 9
  covers R9.23
  run_prog client 127.0.0.1 9
  assert_failure 1
  assert_regex "$stderr" '^client: standard input is empty'
}

# zh: 客户端：超过 4095 字节的一行在连接之前就被拒绝：退出状态 1
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

# zh: 服务器：打印客户端的这一行及其地址，应答“thank you !”，以状态 0 退出
# bats test_tags=points:3
@test "server: prints the client's line with its address, replies \"thank you !\", exits 0" {
  explained_in 3
  covers R9.5 R9.6 R9.7 R9.8 R9.9 R9.15 R5.1
  free_port port
  start_server srv "$port"
  run_peer tcp_client 127.0.0.1 "$port" --send $'hello\n' --say-port
  assert_thank_you srv
  cport=$(sed -n 's/^tcp_client: local port //p' <<<"$stderr")
  wait_exit srv
  assert_success
  assert_line "listening on port $port"
  # CPORT is the client's port, as accept() gave it (the test client's, $cport), not the server's own
  [[ ${lines[1]:-} == "from 127.0.0.1:$cport: hello" ]] ||
    flunk_wire "$(en_zh "the server's line for the test client of port $cport" "服务器为端口 $cport 的测试客户端打印的一行")" \
      "from 127.0.0.1:$cport: hello" "${lines[1]:-}"
}

# zh: 服务器：一次一个字节发来的一行仍是一条消息（TCP 是字节流）
# bats test_tags=points:3
@test "server: a line sent one byte at a time is still one message (TCP is a byte stream)" {
  explained_in 5
  covers R5.1 R9.7
  free_port port
  start_server srv "$port"
  # --keep-open: the newline ends the message, not the end of the stream; each byte is a recv of
  # its own, so a server that looks for the newline anywhere but in the bytes just received
  # (the first ones, say) never sees it, and waits
  run_peer tcp_client 127.0.0.1 "$port" --send $'one byte at a time\n' --chunk 1 --pause-ms 15 --keep-open
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
  flunk_wire "$(en_zh "the test client did not receive the reply and then the end of the connection" "测试客户端没有收到应答和随后连接的结束")" \
    "$(printf 'thank you !\n' | _visible)    $(en_zh "(12 bytes, then end of stream or a reset)" "（12 字节，然后是流结束或复位）")" \
    "$(printf '%s' "$output" | _visible)    $(en_zh "(exit $status; " "（退出状态 $status；")$(peer_words "$stderr")$(en_zh ")" "）")
$(en_zh "the server ($1) printed so far:" "服务器（$1）到目前为止打印了：") $(out "$1") $(err "$1")"
}

# zh: 服务器：消息在第一个换行处结束；之后的内容被忽略
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

# zh: 服务器：换行一到就应答，即使客户端一直不关闭自己这一方
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

# zh: 服务器：没有换行时，客户端的流结束就是消息的结束
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

# zh: 服务器：空行也是一条消息：打印“from ADDR:PORT: ”并应答
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

# zh: 服务器：客户端连上后什么都不发就关闭，服务器不会崩溃（退出状态 1，原因打印在标准错误上）
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

# zh: 服务器：一声不吭、又从不关闭的客户端，在 -t SECONDS 之后被放弃；只发了几个字节就不再发送的客户端也一样
# bats test_tags=points:2
@test "server: a silent client that never closes is dropped after -t SECONDS, and so is one that sent a few bytes and then nothing" {
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
  # some bytes, then silence: the timeout still fails the client; what came is no message
  free_port port
  start_server srv2 "$port" -t 1
  run_peer tcp_client 127.0.0.1 "$port" --send 'hel' --keep-open --idle-ms 5000
  assert_success
  [[ -z $output ]] || flunk_wire "$(en_zh "the reply to a client that sent 'hel' and then nothing, under -t 1" "客户端发出“hel”后再不发送，在 -t 1 下得到的应答")" \
    "$(en_zh "none: the connection closed (nothing received for 1 s, a failed client)" "没有：连接被关闭（1 秒内什么都没收到，客户端失败）")" "$(_visible <<<"$output")"
  wait_exit srv2
  assert_failure 1
  assert_regex "$stderr" '^server: 127\.0\.0\.1:[0-9]+: nothing received for 1 s$'
  refute_output --partial 'hel'
}

# zh: 服务器：超过 4095 字节的消息（5000 字节，没有换行）得不到应答，一次发来或分两段发来都一样
# bats test_tags=points:2
@test "server: a message longer than 4095 bytes (5000 bytes, no newline) gets no reply, at once or in two pieces" {
  explained_in 6
  covers R5.3 R9.13
  free_port port
  head -c 5000 /dev/zero | tr '\0' 'a' >"$BATS_TEST_TMPDIR/long"
  start_server srv "$port"
  run_peer tcp_client 127.0.0.1 "$port" --send-file "$BATS_TEST_TMPDIR/long" --idle-ms 3000
  [[ $output != *"thank you"* ]] || flunk_wire "$(en_zh "a reply to a message that is too long" "对太长的消息发了应答")" "$(en_zh "no reply" "没有应答")" "$output"
  wait_exit srv
  assert_failure 1
  assert_regex "$stderr" 'server: 127\.0\.0\.1:[0-9]+: message longer than 4095 bytes'
  # the same 5000 bytes in two pieces of 2500: the second recv may take only the room left
  free_port port
  start_server srv2 "$port"
  run_peer tcp_client 127.0.0.1 "$port" --send-file "$BATS_TEST_TMPDIR/long" --chunk 2500 --pause-ms 200 --idle-ms 3000
  [[ $output != *"thank you"* ]] || flunk_wire "$(en_zh "a reply to a message that is too long, sent in two pieces" "对分两段发来的太长的消息发了应答")" "$(en_zh "no reply" "没有应答")" "$output"
  wait_exit srv2
  assert_failure 1
  assert_regex "$stderr" '^server: 127\.0\.0\.1:[0-9]+: message longer than 4095 bytes$'
  # the same 5000 bytes from a client that then stays connected and silent: the 4096th byte
  # settles it (R5.3); a server that reads on, looking for the newline, times out instead
  free_port port
  start_server srv3 "$port" -t 2
  run_peer tcp_client 127.0.0.1 "$port" --send-file "$BATS_TEST_TMPDIR/long" --keep-open --idle-ms 4000
  wait_exit srv3
  assert_failure 1
  assert_regex "$stderr" '^server: 127\.0\.0\.1:[0-9]+: message longer than 4095 bytes$'
}

# zh: server -k：一个接一个地服务客户端，某个客户端失败之后继续服务；不留下打开的描述符
# bats test_tags=points:3
@test "server -k: serves clients one after another and goes on after a client that failed; no descriptor is left open" {
  explained_in 7
  covers R9.2 R9.10
  free_port port
  start_server srv "$port" -k -t 1
  local fds_before fds_after
  fds_before=$(ls "/proc/$(prog_pid srv)/fd" | wc -l)
  # "extra" comes in the same segment as the line: ignored (R5.4), and gone with that client
  run_peer tcp_client 127.0.0.1 "$port" --send $'first\nextra'
  assert_thank_you_then_end srv
  run_peer tcp_client 127.0.0.1 "$port" --close-now
  run_peer tcp_client 127.0.0.1 "$port" --keep-open --idle-ms 5000
  # a client that failed has its connection closed too (R9.10): this silent one sees its end
  ((status == 0)) || flunk_wire "$(en_zh "the connection of a silent client, under -k -t 1" "在 -k -t 1 下，一个不发送数据的客户端的连接")" \
    "$(en_zh "closed by the server after 1 s (a failed client's connection is closed too)" "1 秒后被服务器关闭（失败的客户端的连接也要关闭）")" \
    "$(en_zh "still open 5 s later ($(peer_words "$stderr"))" "5 秒后仍未关闭（$(peer_words "$stderr")）")"
  # after that timeout, nothing of it is carried over (errno included): a client that closes at
  # once has closed without a message, and one that ends its line with its end of stream is served
  run_peer tcp_client 127.0.0.1 "$port" --close-now
  run_peer tcp_client 127.0.0.1 "$port" --send 'partial'
  assert_thank_you srv
  [[ $(grep -c 'closed without sending a message$' "$BATS_TEST_TMPDIR/srv.err") == 2 &&
    $(grep -c 'nothing received for 1 s$' "$BATS_TEST_TMPDIR/srv.err") == 1 ]] ||
    flunk_wire "$(en_zh "the server's stderr after a client that closed at once, a silent one (1 s), then another that closed at once" "依次来了一个立刻关闭的客户端、一个不说话的客户端（1 秒）和另一个立刻关闭的客户端之后，服务器的标准错误")" \
      "$(en_zh "closed without sending a message, nothing received for 1 s, closed without sending a message" "closed without sending a message、nothing received for 1 s、closed without sending a message")" \
      "$(err srv)"
  run_peer tcp_client 127.0.0.1 "$port" --send $'second\n' --chunk 2 --pause-ms 5
  assert_thank_you srv
  run_peer tcp_client 127.0.0.1 "$port" --send $'third\n'
  assert_thank_you srv
  wait_line srv '^from 127\.0\.0\.1:[0-9]+: third$'
  run grep -c '^from ' "$BATS_TEST_TMPDIR/srv.out"
  assert_output 4
  # each client's message is its own: nothing of an earlier client's is carried over
  grep -qE '^from 127\.0\.0\.1:[0-9]+: second$' "$BATS_TEST_TMPDIR/srv.out" ||
    flunk_wire "$(en_zh "the server's line for the client that sent second, after one that sent first and extra" "前一个客户端发了 first 和 extra 之后，服务器为发 second 的客户端打印的那一行")" \
      "from 127.0.0.1:CPORT: second" "$(grep -E '^from ' "$BATS_TEST_TMPDIR/srv.out" | tr '\n' '|')"
  # the listening line is printed once, before the first client, not before each accept (R9.5)
  run grep -c '^listening on port' "$BATS_TEST_TMPDIR/srv.out"
  assert_output 1
  run_peer await tcp "$port" --pid "$(prog_pid srv)" --ms 100
  assert_success # still listening
  # each connection was closed, not only shut down: no descriptor is left behind (R9.10)
  fds_after=$(fds_settled "$(prog_pid srv)" "$fds_before")
  ((fds_after == fds_before)) ||
    flunk_wire "$(en_zh "the server's open descriptors after five clients (ls /proc/PID/fd)" "服务完五个客户端后，服务器打开的描述符（ls /proc/PID/fd）")" \
      "$(en_zh "$fds_before, as before the first: each connection closed (R9.10)" "$fds_before 个，和第一个客户端到来之前一样：每个连接都关闭了（R9.10）")" "$fds_after"
}

# zh: server -k：客户端复位连接（RST）时，不管是发了半行之后还是什么都没发，都报告错误，服务器继续运行
# bats test_tags=points:2
@test "server -k: a client that resets the connection (RST), after half a line or none, is reported and the server goes on" {
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
  # both resets are recv failures (R9.14): the one before any byte too, which is not a close (R9.11)
  local resets
  resets=$(grep -c 'server: 127\.0\.0\.1:[0-9]*: recv: Connection reset by peer' "$BATS_TEST_TMPDIR/srv.err")
  ((resets == 2)) || flunk_wire "$(en_zh "the server's lines for two clients that reset, after half a line and before any byte" "两个客户端复位连接（一个在发了半行之后，一个在发出任何字节之前），服务器打印的行")" \
    "$(en_zh "server: ADDR:CPORT: recv: Connection reset by peer, twice (a reset is not a close, section 6)" "server: ADDR:CPORT: recv: Connection reset by peer，出现两次（复位不是关闭，第 6 节）")" "$(err srv)"
  # half a line and then a reset is a failed client (R9.14), not a message that ended
  ! grep -q 'half a li' "$BATS_TEST_TMPDIR/srv.out" && ! grep -q ': send: ' "$BATS_TEST_TMPDIR/srv.err" ||
    flunk_wire "$(en_zh "the server's lines for a client that sent 'half a li' and reset" "客户端发出“half a li”后复位连接，服务器打印的行")" \
      "$(en_zh "server: ADDR:CPORT: recv: Connection reset by peer, and no from line (a reset is not the end of a message, section 6)" "server: ADDR:CPORT: recv: Connection reset by peer，没有 from 行（复位不是消息的结束，第 6 节）")" \
      "$(en_zh "stdout:" "标准输出：") $(cat "$BATS_TEST_TMPDIR/srv.out"), $(en_zh "stderr:" "标准错误：") $(err srv)"
}

# zh: 服务器：客户端发完一行、在应答之前复位连接：from 行先写出，然后报告 send 失败；退出状态 1，带 -k 时继续运行
# bats test_tags=points:1
@test "server: a client that sends its line and resets before the reply: the from line is out first, then send: REASON; status 1, and under -k it goes on" {
  explained_in 9
  covers R9.8 R9.14 R9.15
  free_port port
  start_server srv "$port"
  # Stopped, the server cannot reply first: the kernel completes the handshake, takes the line
  # and then the RST, and the connection waits in the accept queue, reset, its line unread.
  queued_reset srv "$port" $'hi\n'
  wait_exit srv
  # the line arrived whole before the reset: it is printed (step 3), and only the reply fails (step 4)
  printf '%s\n' "$output" | grep -qE '^from 127\.0\.0\.1:[0-9]+: hi$' ||
    flunk_wire "$(en_zh "the server's stdout for a client that sent hi and a newline, then reset before the reply" "客户端发出 hi 和换行符后、在应答之前复位连接，服务器的标准输出")" \
      "$(en_zh "from 127.0.0.1:CPORT: hi (R9.8 prints the message before R9.9 sends the reply, section 9)" "from 127.0.0.1:CPORT: hi（R9.8 先打印消息，R9.9 再发送应答，第 9 节）")" "$output"
  assert_regex "$stderr" '^server: 127\.0\.0\.1:[0-9]+: send: (Connection reset by peer|Broken pipe)$'
  ((status == 1)) || flunk_wire "$(en_zh "the server's exit status when its reply could not be sent" "应答发送失败时服务器的退出状态")" "1 (R9.15)" "$status"
  # under -k the server goes on: its from line is in the file (flushed, R9.8) by the time the
  # failed send is reported, not only when the server leaves
  free_port kport
  start_server srvk "$kport" -k
  queued_reset srvk "$kport" $'hi\n'
  wait_err srvk '^server: 127\.0\.0\.1:[0-9]+: send: '
  grep -qE '^from 127\.0\.0\.1:[0-9]+: hi$' "$BATS_TEST_TMPDIR/srvk.out" ||
    flunk_wire "$(en_zh "server -k's stdout (a file) when it reported the failed send" "server -k 报告 send 失败时它的标准输出（一个文件）")" \
      "$(en_zh "from 127.0.0.1:CPORT: hi, flushed before the reply was tried (R9.8)" "from 127.0.0.1:CPORT: hi，在尝试应答之前就已刷新（R9.8）")" "$(cat "$BATS_TEST_TMPDIR/srvk.out")"
}

# zh: 服务器：退出后立刻在同一个端口上重新启动，不受 TIME_WAIT 影响（SO_REUSEADDR）
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
  time_wait_on "$port" ||
    fail "$(en_zh "no TIME_WAIT connection on port $port: this test cannot check the restart" "端口 $port 上没有处于 TIME_WAIT 的连接：这个测试检查不了重新启动")"
  spawn_prog srv2 server "$port"
  wait_tcp srv2 "$port"
  run_peer tcp_client 127.0.0.1 "$port" --send $'after\n'
  assert_thank_you srv2
  wait_exit srv2
  assert_success
  assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: after$'
}

# zh: 服务器：应答 nc（printf 'hi from nc\n' | nc -N 127.0.0.1 PORT）
# bats test_tags=points:2
@test "server: answers nc (printf 'hi from nc\\n' | nc -N 127.0.0.1 PORT)" {
  explained_in 10
  covers R9.8 R9.9
  command -v nc >/dev/null || skip "$(words tool_missing "nc (netcat-openbsd)")"
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

# zh: 客户端：发出标准输入的第一行，打印应答，退出状态 0
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
  assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" "$(en_zh "what the server received" "服务器收到的内容")"
}

# zh: 客户端：第一行分几段经过管道到达，照样完整发出
# bats test_tags=points:1
@test "client: a first line that comes through a pipe in pieces is sent whole" {
  explained_in 4
  covers R9.21
  free_port port
  spawn_peer srv tcp_server "$port" --reply $'thank you !\n' --save "$BATS_TEST_TMPDIR/got"
  wait_tcp srv "$port"
  spawn_prog c client 127.0.0.1 "$port"
  feed_piece c "hel" # read by the client before the rest is written
  feed_piece c $'lo\n'
  # the newline ends the line: the client goes on at once, its input still open, as at a terminal
  ended_with_input_open c 5 || flunk_wire "$(en_zh "the client 5 s after its first line's newline, its standard input still open" "第一行的换行符到达 5 秒之后、标准输入仍然开着时的客户端")" \
    "$(en_zh "done: the first line is whole at its newline, the rest of the input is not waited for (R9.21)" "已经结束：第一行到换行符就完整了，不等其余的输入（R9.21）")" \
    "$(en_zh "still running, waiting for the end of its input" "仍在运行，在等输入结束")"
  wait_exit c
  assert_success
  assert_output "thank you !"
  printf 'hello\n' >"$BATS_TEST_TMPDIR/want"
  assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" "$(en_zh "what the server received" "服务器收到的内容")"
}

# zh: 客户端：标准输入最后没有换行时，补上换行
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
  assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" "$(en_zh "what the server received" "服务器收到的内容")"
}

# zh: 客户端：一次一个字节到达的应答被完整地打印出来（一直读到服务器关闭）
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

# zh: 客户端：发完这一行就关闭自己的写方向（服务器看到流结束）
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

# zh: 客户端：服务器停顿超过 -t SECONDS，客户端就放弃：退出状态 1
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

# zh: 客户端：没有人监听，或者没有描述符可建套接字，都是连接错误：退出状态 1，原因打印在标准错误上
# bats test_tags=points:2
@test "client: nobody listening, or no descriptor for a socket, is a connect error: status 1, the reason on stderr" {
  explained_in 4
  covers R9.26
  free_port port
  run_prog --in 'hello' client 127.0.0.1 "$port"
  assert_failure 1
  assert_equal "$output" ""
  assert_regex "$stderr" "^client: connect to 127\.0\.0\.1 port $port: Connection refused"
  # socket() failing (EMFILE) for the address is its reason: the last address's (R9.26)
  load harness/faults
  with_socket_emfile run_prog --in 'hello' client 127.0.0.1 "$port"
  assert_failure 1
  assert_equal "$output" ""
  assert_equal "$stderr" "client: connect to 127.0.0.1 port $port: Too many open files"
}

# zh: 客户端：和 nc -l 对话（nc 打印这一行，客户端打印 nc 发来的内容）
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

# zh: 客户端和服务器互相对话
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

# zh: 故障注入下的服务器（部分读、部分写、EINTR）：整行是一条消息，整个应答都发出去
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

# zh: 故障注入下的客户端（部分写、部分读、EINTR）：发出整行，打印整个应答
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
  assert_same_file "$BATS_TEST_TMPDIR/want-reply" "$BATS_TEST_TMPDIR/got-reply" "$(en_zh "what the client printed" "客户端打印的内容")"
  printf '%s\n' "$line" >"$BATS_TEST_TMPDIR/want"
  assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" "$(en_zh "what the server received" "服务器收到的内容")"
  assert_faults_happened
}

# ---- the edges of each rule ----

# zh: 服务器：4095 字节加换行（共 4096 字节）是一条消息；换行之前有 4096 字节就太长了
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
    flunk_wire "$(en_zh "the server's line for a 4095-byte message" "服务器为 4095 字节的消息打印的那一行")" "from 127.0.0.1:CPORT: aaa... $(en_zh "(4095 a)" "（4095 个 a）")" \
      "$(cut -c1-80 "$BATS_TEST_TMPDIR/srv.out")"
  run_peer tcp_client 127.0.0.1 "$port" --send-file "$BATS_TEST_TMPDIR/a4095" # no newline: the end of stream ends it
  assert_thank_you srv
  run_peer tcp_client 127.0.0.1 "$port" --send-file "$BATS_TEST_TMPDIR/line4097"
  [[ $output != *"thank you"* ]] ||
    flunk_wire "$(en_zh "the reply to 4096 bytes before the newline" "对换行之前有 4096 字节的消息的应答")" "$(en_zh "none (too long)" "没有（太长了）")" "$output"
  wait_err srv 'server: 127\.0\.0\.1:[0-9]+: message longer than 4095 bytes'
  run_peer tcp_client 127.0.0.1 "$port" --send-file "$BATS_TEST_TMPDIR/b4096" # 4096 bytes, then end of stream
  [[ $output != *"thank you"* ]] ||
    flunk_wire "$(en_zh "the reply to 4096 bytes and no newline" "对 4096 字节、没有换行的消息的应答")" "$(en_zh "none (too long)" "没有（太长了）")" "$output"
  run_peer await line "$BATS_TEST_TMPDIR/srv.out" '^from .*: b' --pid "$(prog_pid srv)" --ms 300
  assert_failure 1 # no "from" line for either too-long message
}

# zh: 服务器：接收超时针对每次 recv：在 -t 2 下，用 3.6 秒一点点到达的一行照样得到服务
# bats test_tags=points:1,waits:4
@test "server: the receive timeout is per recv: a line that trickles in for 3.6 s is served under -t 2" {
  explained_in 6
  covers R9.3 R9.6 R9.12
  free_port port
  start_server srv "$port" -t 2
  # 10 pieces, 400 ms apart: never 2 s without a byte (1.6 s to spare on a loaded machine, where
  # a pause of 400 ms may last 900), 3.6 s in all: more than the 2 s a whole-request timeout allows.
  run_peer tcp_client 127.0.0.1 "$port" --send $'slow line\n' --chunk 1 --pause-ms 400
  assert_thank_you srv
  wait_exit srv
  assert_success
  assert_line --regexp '^from 127\.0\.0\.1:[0-9]+: slow line$'
}

# zh: 服务器：接受 -t 3600，-t 0 和 -t 3601 是用法错误
# bats test_tags=points:1
@test "server: -t 3600 is taken, -t 0 and -t 3601 are usage errors" {
  explained_in 9
  covers R9.3 R9.4
  free_port port
  # 2^32 + 1: a number kept in an int would wrap round to 1
  for bad in 0 3601 -1 1x 4294967297; do
    run_prog server -t "$bad" "$port"
    [[ $status == 2 && $stderr == usage:* ]] ||
      flunk_wire "server -t $bad $port" "$(en_zh "status 2 and the usage line" "退出状态 2 和用法说明")" "$(en_zh "status $status, ${stderr:-no message}" "退出状态 $status，${stderr:-没有消息}")"
  done
  start_server srv "$port" -t 3600
  run_peer tcp_client 127.0.0.1 "$port" --send $'hi\n'
  assert_thank_you srv
  wait_exit srv
  assert_success
}

# zh: 服务器：在所有本地地址上监听（连到 127.0.0.2 的客户端也得到服务），没有 PORT 时监听 7788
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
  # 7788 is the contract: tests that use it take turns on the whole machine (without a sandbox,
  # several tests or gradings at once), through a lock held until the test ends; the skip
  # depends on the test's own probe, never on what the program says
  if exec {port_lock}>>"${TMPDIR:-/tmp}/socklab-port-7788.lock"; then
    flock -w 60 "$port_lock" || true
  fi 2>/dev/null
  run_peer ports probe tcp 7788
  ((status != 1)) || skip "$(en_zh "port 7788 is in use on this machine" "这台机器上的 7788 号端口已被占用")"
  spawn_prog def server
  local code=0
  _peer await || return 1
  "$_PEER" tcp 7788 --pid "${_PID[def]}" --ms "$READY_MS" || code=$?
  ((code == 0)) || _not_ready def "listen on TCP port 7788" "$code" # the default port
  wait_line def '^listening on port 7788$'
}

# zh: 服务器：端口已被别的程序或另一个服务器监听时，报绑定错误：“server: bind (port PORT): REASON”，退出状态 1；socket() 失败时也一样
# bats test_tags=points:1
@test "server: a port another program, or another server, listens on is a bind error: server: bind (port PORT): REASON, status 1; so is a socket() that fails" {
  explained_in 9
  covers R9.16 R9.5
  free_port port
  spawn_peer other tcp_server "$port" --accept-ms 60000
  wait_tcp other "$port"
  run_prog server "$port"
  assert_failure 1
  assert_regex "$stderr" "^server: bind \\(port $port\\): Address already in use"
  refute_output --partial listening
  # no descriptor left for the listening socket: the same line, for socket (R9.16)
  load harness/faults
  with_socket_emfile run_prog server "$port"
  assert_failure 1
  assert_equal "$stderr" "server: socket (port $port): Too many open files"
  refute_output --partial listening
  # another copy of the server itself: SO_REUSEADDR lets a server restart over TIME_WAIT, it
  # never lets two servers listen on one port (SO_REUSEPORT would)
  free_port port
  start_server first "$port"
  run_prog server "$port"
  assert_failure 1
  assert_regex "$stderr" "^server: bind \\(port $port\\): Address already in use"
}

# zh: server -k：发一行就立刻复位的客户端杀不死它（没有 SIGPIPE）；下一个客户端照样得到服务
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
  # the server stopped meanwhile (SIGSTOP): the line, the client's FIN and its RST all wait for
  # it, so that the server reads the whole line and only its reply meets the reset connection
  pid=$(prog_pid srv)
  kill -STOP "$pid"
  run_peer tcp4_reset_client 127.0.0.1 "$port" --send $'gone before the reply\n' --half-close --wait-ms 0
  kill -CONT "$pid"
  assert_success
  run_peer tcp_client 127.0.0.1 "$port" --send $'still served\n'
  assert_thank_you srv
  pid=$(prog_pid srv)
  [[ $(cut -d' ' -f3 "/proc/$pid/stat") != Z ]] || flunk_wire "$(en_zh "the server process" "服务器进程")" "$(en_zh "alive" "活着")" "$(en_zh "a zombie" "僵尸进程")"
}

# zh: 客户端：4095 字节的一行完整发出；4096 字节的一行被拒绝，什么也不发
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
  assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" "$(en_zh "what the server received (the refused line never came)" "服务器收到的内容（被拒绝的那一行从没到达）")"
}

# zh: 客户端：第一行连同其中的制表符和回车原样发出；单独一个换行也是一行，不是空输入
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
  assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" "$(en_zh "what the server received" "服务器收到的内容")"
  printf '\n' >"$BATS_TEST_TMPDIR/in"
  run_prog --in-file "$BATS_TEST_TMPDIR/in" client 127.0.0.1 "$port"
  assert_success
  assert_output "ok"
  assert_same_file "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/got" "$(en_zh "what the server received for a lone newline" "单独一个换行时服务器收到的内容")"
}

# zh: 客户端：超时针对每次 recv：在 -t 2 下，用 4.4 秒一点点到达的应答完整收到；-t 3601 被拒绝
# bats test_tags=points:1,waits:5
@test "client: the timeout is per recv: a reply that trickles in for 4.4 s arrives whole under -t 2; -t 3601 is refused" {
  explained_in 6
  covers R9.19 R9.20 R9.27
  free_port port
  # 12 pieces, 400 ms apart: never 2 s without a byte (1.6 s to spare on a loaded machine),
  # 4.4 s in all: more than the 2 s a whole-reply timeout allows
  spawn_peer srv tcp_server "$port" --reply $'thank you !\n' --chunk 1 --pause-ms 400
  wait_tcp srv "$port"
  run_prog --in 'hello' client -t 2 127.0.0.1 "$port"
  assert_success
  assert_output "thank you !"
  run_prog --in 'hello' client -t 3601 127.0.0.1 "$port"
  assert_failure 2
  assert_regex "$stderr" '^usage: client'
}

# zh: 客户端：不对应任何服务的 PORT 是解析错误：“client: HOST port PORT: REASON”，退出状态 1
# bats test_tags=points:1
@test "client: a PORT that names no service is a resolution error: client: HOST port PORT: REASON, status 1" {
  explained_in 9
  covers R9.25
  run_prog --in 'hello' client 127.0.0.1 no-such-service
  assert_failure 1
  assert_equal "$output" ""
  # REASON is gai_strerror's text (getaddrinfo does not set errno: strerror would say Success)
  assert_regex "$stderr" '^client: 127\.0\.0\.1 port no-such-service: (Servname not supported for ai_socktype|Name or service not known)$'
}

# zh: 客户端：和 IPv6 环回地址 ::1 上的服务器对话
# bats test_tags=points:1
@test "client: talks to a server on the IPv6 loopback, ::1" {
  explained_in 9
  covers R9.18 R9.22
  grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null || skip "$(en_zh "this machine has no IPv6 loopback address" "这台机器没有 IPv6 环回地址")"
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

# zh: 客户端：服务器复位连接时打印“client: CALL: REASON”，退出状态 1，不会被信号杀死
# bats test_tags=points:1
@test "client: a server that resets the connection: client: CALL: REASON, status 1, not killed by a signal" {
  explained_in 9
  covers R9.28 R9.29
  free_port port
  # --until eof: the server replies and resets only after the client's FIN, so the reset
  # always meets the client in its recv loop, never before its shutdown, whatever the load
  spawn_peer srv tcp_server "$port" --until eof --reset yes
  wait_tcp srv "$port"
  run_prog --in 'hello' client 127.0.0.1 "$port"
  ((status == 1)) || flunk_wire "$(en_zh "the client's exit status after a reset" "复位之后客户端的退出状态")" \
    "$(en_zh "1 and client: recv: Connection reset by peer (a reset is a failed recv, not the end of the reply, section 6)" "1，以及 client: recv: Connection reset by peer（复位是 recv 失败，不是应答的结束，第 6 节）")" \
    "$status$( ((status > 128)) && en_zh " (killed by signal $((status - 128)))" "（被信号 $((status - 128)) 杀死）")"
  assert_regex "$stderr" '^client: recv: Connection reset by peer'
}

# zh: 客户端：服务器接受连接后立刻关闭，之后的 send 失败：打印 client: CALL: REASON，退出状态 1，不被 SIGPIPE 杀死
# bats test_tags=points:1
@test "client: a server that closes at once makes a later send fail: client: CALL: REASON, status 1, not killed by SIGPIPE" {
  explained_in 6
  covers R9.29 R9.28
  load harness/faults
  free_port port
  spawn_peer srv tcp_server "$port" --until nothing
  wait_tcp srv "$port"
  # The client pauses before its first send, so the server's FIN is there first. Under faults
  # that send moves a few bytes only, and the server's kernel answers them with an RST: the
  # next send fails with EPIPE, which raises SIGPIPE unless the send says MSG_NOSIGNAL.
  with_send_pause 300 with_faults run_prog --in "$(printf 'x%.0s' {1..2000})" client 127.0.0.1 "$port"
  ((status == 1)) || flunk_wire "$(en_zh "the client's exit status when the server closed before the line was sent" "服务器在这一行发完之前就关闭了，客户端的退出状态")" \
    "$(en_zh "1 and a message: a send to a server that has gone fails with EPIPE, and MSG_NOSIGNAL keeps SIGPIPE away (section 6)" "1，外加一条消息：向已经离开的服务器 send 会以 EPIPE 失败，而 MSG_NOSIGNAL 使它不会引发 SIGPIPE（第 6 节）")" \
    "$status$( ((status > 128)) && en_zh " (killed by signal $((status - 128)))" "（被信号 $((status - 128)) 杀死）")"
  assert_regex "$stderr" '^client: [a-z]+: '
}

# hex_of FILE: the bytes of FILE as one string of hex digits.
hex_of() {
  od -An -tx1 -v "$1" | tr -d ' \n'
}

# zh: 服务器逐字节打印消息：换行符前的回车符保留，NUL、ESC 和 0x80～0xff 的字节也都保留
# bats test_tags=points:1
@test "server: MESSAGE is printed byte for byte: a carriage return before the newline stays, and so do NUL, ESC and bytes 0x80 to 0xff" {
  explained_in 9
  covers R9.8 R5.1
  free_port port
  start_server srv "$port"
  # a 00 b \t c, then every byte value but the newline (ESC, UTF-8's bytes, 0x80 to 0xff), \r, the newline
  { printf 'a\x00b\tc'; every_byte_but_newline /dev/stdout; printf '\r\nnot this\n'; } >"$BATS_TEST_TMPDIR/line"
  run_peer tcp_client 127.0.0.1 "$port" --send-file "$BATS_TEST_TMPDIR/line"
  assert_thank_you_then_end srv
  wait_exit srv
  assert_success
  # stdout: "listening on port P\nfrom 127.0.0.1:CPORT: " then the line's bytes as sent, and the newline
  got=$(hex_of "$BATS_TEST_TMPDIR/srv.out")
  printf 'listening on port %s\nfrom 127.0.0.1:' "$port" >"$BATS_TEST_TMPDIR/head"
  head -n 1 "$BATS_TEST_TMPDIR/line" >"$BATS_TEST_TMPDIR/message" # the message and its newline
  [[ $got == "$(hex_of "$BATS_TEST_TMPDIR/head")"* && $got == *3a20"$(hex_of "$BATS_TEST_TMPDIR/message")" &&
    $(tr -cd '\n' <"$BATS_TEST_TMPDIR/srv.out" | wc -c) == 2 ]] ||
    flunk_wire "$(en_zh "the server's stdout for the request a 00 b \\t c, the 255 byte values but the newline, \\r \\n" "请求为 a 00 b \\t c、除换行符以外的 255 种字节、\\r \\n 时服务器的标准输出")" \
      "listening on port $port / from 127.0.0.1:CPORT: $(_visible <"$BATS_TEST_TMPDIR/message")" \
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
  ((status == 1)) || flunk_wire "$(en_zh "the server 2.5 s after it started listening, with no client yet (-t 1)" "开始监听 2.5 秒之后、还没有客户端时的服务器（-t 1）")" \
    "$(en_zh "still waiting in accept, nothing on stderr" "仍在 accept 中等待，标准错误上什么都没有")" "$(err srv) ($(en_zh "exited: " "已退出：")$( ((status == 3)) && en_zh yes 是 || en_zh no 否))"
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
  # room for 6, and the SYNs of the others are dropped until the server accepts again. More
  # than 128 is fine (SOMAXCONN: a correct variant in the zoo): the rule is that 128 can wait.
  run_peer tcp_crowd 127.0.0.1 "$port" 128 --ms 10000
  [[ $status == 0 ]] || flunk_wire "$(en_zh "connections that finished their handshake while the server served a silent client" "服务器服务一个不说话的客户端时，完成了握手的连接")" \
    "$(en_zh "128 of 128 (listen's backlog: 128)" "128 个中的 128 个（listen 的 backlog：128）")" "$output $stderr"
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
  # the 256 values 40 times over: 10240 bytes, more than a 4096-byte buffer holds (R9.22 has no limit)
  for b in {1..40}; do cat "$BATS_TEST_TMPDIR/reply"; done >"$BATS_TEST_TMPDIR/reply40"
  spawn_peer srv tcp_server "$port" --reply-file "$BATS_TEST_TMPDIR/reply40" --save "$BATS_TEST_TMPDIR/got"
  wait_tcp srv "$port"
  spawn_prog cli client 127.0.0.1 "$port"
  # in one write (cat's): bash's printf writes line by line, and a client that has sent its line
  # and ended may have closed its input before "not this" is written (seen under load: the
  # test failed, not the program)
  { cat "$BATS_TEST_TMPDIR/line"; printf '\nnot this\n'; } >"$BATS_TEST_TMPDIR/typed"
  cat "$BATS_TEST_TMPDIR/typed" >&"${_INFD[cli]}"
  wait_exit cli
  assert_success
  { cat "$BATS_TEST_TMPDIR/line"; printf '\n'; } >"$BATS_TEST_TMPDIR/want"
  assert_same_file "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" "$(en_zh "what the server received" "服务器收到的内容")"
  assert_same_file "$BATS_TEST_TMPDIR/reply40" "$BATS_TEST_TMPDIR/cli.out" "$(en_zh "what the client printed (a reply of 10240 bytes)" "客户端打印的内容（10240 字节的应答）")"
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

# zh: 端口和 -t 的边界：服务器拒绝端口 0 和 65536，能在 65535 上监听，1023 由内核决定；客户端拒绝 -t 2s 和 -t 1.9，接受 -t 3600
# bats test_tags=points:1
@test "server refuses PORT 0 and 65536, listens on 65535 and leaves 1023 to the kernel; client refuses -t 2s and -t 1.9 and takes -t 3600" {
  explained_in 9
  covers R9.1 R9.4 R9.19 R9.20
  local bad
  for bad in 0 65536 4295014607; do # 2^32 + 47311: an int would wrap round to 47311
    run_prog server "$bad"
    assert_failure 2
    assert_regex "$stderr" '^usage: server'
  done
  # 1023 is a port too (R9.1): only the kernel may refuse it, to a user without the privilege
  # (the program's own user in the grader's sandbox; as root there is no such refusal)
  run_peer --as program ports probe tcp 1023
  if [[ $stderr == *"Permission denied"* ]]; then
    run_prog server 1023
    assert_failure 1
    assert_equal "$stderr" "server: bind (port 1023): Permission denied"
  fi
  for bad in 2s 1.9 4294967297; do # SECONDS is a whole number, all of it, 1 to 3600 (R9.19)
    run_prog --in 'not sent' client -t "$bad" 127.0.0.1 7
    assert_failure 2
    assert_regex "$stderr" '^usage: client'
  done
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

# zh: localhost 有 ::1 和 127.0.0.1 两个地址：服务器只在其中一个上监听时，客户端依次尝试，连上另一个
# bats test_tags=points:1
@test "client: localhost has two addresses; whichever one the server listens on, the client tries each in turn and gets there" {
  explained_in 4
  covers R9.18 R9.22 R9.26
  two_localhosts "$BATS_TEST_TMPDIR/hosts"
  # the first address the client tries is refused in one of the two runs, whatever the order
  for family in 4 6; do
    free_port port
    addr=127.0.0.1
    ((family == 6)) && addr=::1
    spawn_cmd "nc$family" nc -N "-$family" -l "$addr" "$port"
    wait_tcp "nc$family" "$port"
    feed "nc$family" "hello over IPv$family"
    close_input "nc$family"
    run_prog_with_hosts "$BATS_TEST_TMPDIR/hosts" --in "to IPv$family" client localhost "$port"
    [[ $status == 0 && $output == "hello over IPv$family" ]] ||
      flunk_wire "$(en_zh "client localhost $port, with the server on $addr only (localhost: 127.0.0.1 and ::1)" "client localhost $port，服务器只在 $addr 上监听（localhost：127.0.0.1 和 ::1）")" \
        "$(en_zh "status 0" "退出状态 0")，hello over IPv$family" "$(en_zh "status $status, stdout: $output, stderr: $stderr" "退出状态 $status，标准输出：$output，标准错误：$stderr")"
    wait_exit "nc$family"
    assert_output "to IPv$family"
  done
  # nobody on either address: one line, for the last address tried
  free_port port
  run_prog_with_hosts "$BATS_TEST_TMPDIR/hosts" --in "anyone?" client localhost "$port"
  assert_failure 1
  assert_equal "$stderr" "client: connect to localhost port $port: Connection refused"
}
