#!/usr/bin/env bats
# Lesson 06 (the concurrent server): the specification of concurrent_server, as tests.
# The contract is lessons/06-concurrent/README.md, section 8; the protocol is lesson 05's.
# Processes are observed in /proc (children, states, descriptors), not in the server's output.

# The section that teaches flushing stdout (nothing in stdout's buffer at a fork): a wait for a line that never came
# names it when the program is still running and printed nothing new (tests/harness/test_helper.bash).
BUFFERING_EXPLAINED_IN=5

# The big file is made once for the whole file: random bytes cost time.
setup_file() {
  export SERVED="$BATS_FILE_TMPDIR/served"
  mkdir -p "$SERVED"
  head -c $((40 * 1024 * 1024)) /dev/urandom >"$SERVED/big.bin"
  head -c 100000 /dev/urandom >"$SERVED/small.bin"
  printf 'hello\n' >"$SERVED/hello.txt"
}

setup() {
  load harness/test_helper
  mkdir -p "$BATS_TEST_TMPDIR/got"
  cd "$BATS_TEST_TMPDIR/got" || exit 1
}

teardown() { lab_teardown; }

BIG_SIZE=$((40 * 1024 * 1024))
# the whole reply to a request of big.bin: "OK " SIZE "\n", then the file
BIG_REPLY=$((BIG_SIZE + ${#BIG_SIZE} + 4))

# start_server_under_sigstate OPTIONS: concurrent_server serving $SERVED on $port, started by the
# peer sigstate with OPTIONS (--block SIGS, --ignore SIGS): sigstate sets them, then runs the
# server in its own place (exec keeps the mask and the ignored signals), so the server starts
# with them, as under a parent that set them; then waits until it listens.
start_server_under_sigstate() {
  _peer sigstate || return 1
  spawn_server_under "$_PEER" "$@" --
  wait_tcp server "$port"
}

# spawn_server_under COMMAND...: start COMMAND... concurrent_server -d $SERVED $port in the
# background as the program "server", COMMAND being what runs the server in its own place
# (exec): sigstate OPTIONS --, or a shell that sets a limit first.
spawn_server_under() {
  _lab_bin concurrent_server || return 1
  _wire_ran yours concurrent_server server
  _LABPROG[server]=1
  _spawn server "$@" "$_BIN" -d "$SERVED" "$port"
  _NAME[server]=concurrent_server # COMMAND's pid becomes the server's: name it as such
}

# lesson05_tests GROUP: lesson 05's tests tagged concurrent:GROUP (tests/05-download.bats), run
# with concurrent_server in download_server's place (the tests that call it are tagged
# lesson-05-group: the zoo's variants of the parent's signal handling leave them out): its protocol, log and limits are lesson
# 05's (R8.1). On failure, what each failing test said, pointing at lesson 05's sections.
lesson05_tests() {
  # a server that never listens fails each of them after a wait: say it once, at once
  local dir=$BATS_TEST_TMPDIR/probe
  mkdir -p "$dir"
  free_port port
  spawn_prog probe concurrent_server -d "$dir" "$port"
  wait_tcp probe "$port"
  run env DOWNLOAD_SERVER=concurrent_server SOCKLAB_LESSON=05-download bats --tap --filter-tags "concurrent:$1" \
    "$BATS_TEST_DIRNAME/05-download.bats"
  ((status == 0)) && [[ $output == *"ok "* ]] && return 0
  # the failures and what they said (a report's "explained_in:" lines are this lesson's own)
  local failures
  failures=$(sed -n '/^not ok /,/^ok /{/^ok /d; /^# *explained_in: /d; s/^# \{0,1\}/  /; p}' <<<"$output")
  printf '%s\n' "$(en_zh "lesson 05's tests ($1), run with concurrent_server in place of download_server (R8.1: its protocol, log and limits are lesson 05's):" \
    "第 05 课的测试（$1），用 concurrent_server 代替 download_server 来运行（R8.1：它的协议、日志和各种限制都和第 05 课的一样）：")" \
    "${failures:-$output}" | fail
}

# start_server: concurrent_server serving $SERVED on a free port ($port), ready for clients.
start_server() {
  free_port port
  spawn_prog server concurrent_server -d "$SERVED" "$port"
  wait_tcp server "$port"
}

# assert_reply TEXT: ./reply holds exactly TEXT and a newline.
assert_reply() {
  printf '%s\n' "$1" >expected-reply
  if ! cmp -s expected-reply reply; then
    flunk_wire "$(en_zh "the server's reply" "服务器的应答")" "$(_visible <expected-reply)" "$(_visible <reply)"
  fi
}

# assert_served_meanwhile NAME: a client asking for NAME now gets "OK SIZE" and the file while
# other clients hold the server (they stall for 8 s: the reply must come within 5 s, which a
# correct server needs a small part of even on a loaded machine); the reply lands in ./reply.
assert_served_meanwhile() {
  run_peer tcp_client 127.0.0.1 "$port" --send "$1"$'\n' --idle-ms 5000 --out reply
  if ((status == 3)); then
    flunk_wire "$(en_zh "the reply to a client, while another one holds its connection" "另一个客户端占着连接时，这个客户端得到的应答")" \
      "$(en_zh "OK $(wc -c <"$SERVED/$1") and the file, at once (a child per client)" "立刻得到“OK $(wc -c <"$SERVED/$1")”和文件（每个客户端一个子进程）")" \
      "$(en_zh "nothing within 5 s: the server is busy with the other client" "5 秒内什么都没有：服务器正忙着服务另一个客户端")"
  fi
  assert_success
  { printf 'OK %s\n' "$(wc -c <"$SERVED/$1")"; cat "$SERVED/$1"; } >expected-reply
  assert_same_file expected-reply reply "$(en_zh "the reply to the second client" "给第二个客户端的应答")"
}

# children PID: the child processes of PID, one per line (zombies included).
children() {
  local kids
  read -ra kids 2>/dev/null <"/proc/$1/task/$1/children" || true
  ((${#kids[@]} == 0)) || printf '%s\n' "${kids[@]}"
}

# zombie_children PID: the children of PID that have ended and wait to be reaped (state Z).
zombie_children() {
  local child
  for child in $(children "$1"); do
    [[ $(cut -d' ' -f3 "/proc/$child/stat" 2>/dev/null) == Z ]] && echo "$child"
  done
  return 0
}

# childless PID: PID has no child left, not even a zombie. Leaves its children in $kids.
childless() {
  kids=$(children "$1")
  [[ -z $kids ]]
}

# reaped PID: PID has no zombie child. Leaves the zombies in $zombies.
reaped() {
  zombies=$(zombie_children "$1")
  [[ -z $zombies ]]
}

# reaped_down_to_one PID: PID has no zombie child, and one child at most. Leaves $kids, $zombies.
reaped_down_to_one() {
  kids=$(children "$1")
  reaped "$1" && (($(grep -c . <<<"$kids") <= 1))
}

# has_children PID COUNT: PID has COUNT children. Leaves them in $kids.
has_children() {
  kids=$(children "$1")
  (($(grep -c . <<<"$kids") == $2))
}

# another_child PID KNOWN...: PID has a child that is none of KNOWN. Leaves it in $another.
another_child() {
  local pid=$1 known
  shift
  another=$(children "$pid")
  for known; do
    another=$(grep -vxF -e "$known" <<<"$another")
  done
  [[ -n $another ]]
}

# logged COUNT REGEX: the server's log has COUNT lines that match REGEX (ERE). Leaves the
# number it has in $found.
logged() {
  found=$(grep -cE "$2" "$BATS_TEST_TMPDIR/server.out")
  ((found == $1))
}

# pausing_with_child PID: PID has forked a child and now sleeps in nanosleep (the fault
# shim's pause before the wait). Leaves the child in $kid.
pausing_with_child() {
  kid=$(children "$1")
  [[ -n $kid && $(cat "/proc/$1/wchan" 2>/dev/null) == *nanosleep* ]]
}

# stalled_client LABEL: a client that reads 64 KiB of big.bin, then stops reading for 8 s;
# returns once the server is in the middle of that transfer.
stalled_client() {
  spawn_peer "$1" dl_stall 127.0.0.1 "$port" --request $'big.bin\n' --read 65536 --stall-ms 8000
  wait_line "$1" '^read 65536 bytes$'
}

# stalled_children N: N stalled clients (slow1 ... slowN), each served by a child of the server; the
# children's pids in the array kids, which must hold N of them.
stalled_children() {
  local i
  for ((i = 1; i <= $1; i++)); do
    stalled_client "slow$i"
  done
  mapfile -t kids < <(children "$(prog_pid server)")
  ((${#kids[@]} == $1)) ||
    flunk_wire "$(en_zh "the server's children while it serves $1 stalled clients" "服务 $1 个停住的客户端时服务器的子进程")" \
      "$(en_zh "$1 children" "$1 个子进程")" "${#kids[@]}: ${kids[*]}"
}

# proc_field PID NAME: the value of NAME in /proc/PID/status ("gone" when there is none).
proc_field() {
  local name value
  while IFS=$':\t ' read -r name value; do
    [[ $name == "$2" ]] && { printf '%s\n' "$value"; return; }
  done 2>/dev/null <"/proc/$1/status"
  echo gone
}

# _sig_bit HEX N: whether bit N - 1 (signal N) is set in the hexadecimal mask HEX.
_sig_bit() {
  [[ $1 =~ ^[0-9a-fA-F]+$ ]] && (((16#${1: -15} >> ($2 - 1)) & 1))
}

# signal_blocked PID N: signal N is in PID's blocked mask (SigBlk).
signal_blocked() {
  _sig_bit "$(proc_field "$1" SigBlk)" "$2"
}

# signal_ignored PID N: signal N's action in PID is SIG_IGN (SigIgn).
signal_ignored() {
  _sig_bit "$(proc_field "$1" SigIgn)" "$2"
}

# signal_pending PID N: signal N waits for PID, blocked (ShdPnd: sent to the process).
signal_pending() {
  _sig_bit "$(proc_field "$1" ShdPnd)" "$2"
}

# assert_ends_within_2s PID WHAT [EXPECTED RECEIVED]: process PID exits (or becomes a zombie)
# within 2 s. EXPECTED and RECEIVED word the failure (default: a signal the child blocks or catches).
assert_ends_within_2s() {
  local code=0
  # await returns 3 as soon as the process has exited (gone, or a zombie), 1 at the deadline
  "$SOCKLAB_PEERS/await" line /dev/null '^never$' --pid "$1" --ms 2000 || code=$?
  ((code == 3)) || flunk_wire "$2" \
    "${3:-$(en_zh "ended by the signal (a child gets back the default action AND the signal mask the parent had before blocking)" \
      "被信号结束（子进程要恢复默认动作，还要恢复父进程阻塞信号之前的信号屏蔽字）")}" \
    "${4:-$(en_zh "still running 2 s later: the signal is blocked or caught in the child" "2 秒后仍在运行：这个信号在子进程里被阻塞了，或者被捕获了")}"
}

# blocked_beyond PID N...: the signals PID blocks (SigBlk) other than signals N..., as a
# 16-digit hexadecimal mask (all zeros when there are none).
blocked_beyond() {
  local mask allowed=0 n
  mask=$(proc_field "$1" SigBlk)
  shift
  for n; do allowed=$((allowed | 1 << (n - 1))); done
  printf '%016x' $((16#${mask: -15} & ~allowed))
}

# ---- lesson 05's server, brought over: the command line (given) and the protocol (yours) ----

# zh: concurrent_server 没有 PORT 时，在标准错误上打印用法说明，退出状态 2
# bats test_tags=starter-provides
@test "concurrent_server with no PORT prints a usage line on stderr and exits with status 2" {
  explained_in 8
  covers R8.1
  run_prog concurrent_server
  assert_failure 2
  assert_regex "$stderr" '^usage: concurrent_server '
}

# zh: 它在每个 IPv4 地址上使用第 05 课的协议：文件完整到达，不存在的文件被拒绝，每次都记入日志
# bats test_tags=points:3
@test "it speaks lesson 05's protocol on every IPv4 address: a file arrives whole, a missing one is refused, each logged" {
  explained_in 8
  covers R8.1
  start_server
  run_peer tcp_client 127.0.0.1 "$port" --send $'small.bin\n' --out reply
  assert_success
  { printf 'OK 100000\n'; cat "$SERVED/small.bin"; } >expected-reply
  assert_same_file expected-reply reply "$(en_zh "the reply" "应答")"
  run_peer tcp_client 127.0.0.1 "$port" --send $'missing.txt\n' --out reply
  assert_success
  assert_reply "ERR no such file"
  wait_line server '^127\.0\.0\.1:[0-9]+ "small\.bin" sent 100000 bytes$'
  wait_line server '^127\.0\.0\.1:[0-9]+ "missing\.txt" refused: no such file$'
  # every IPv4 address of the machine, as lesson 05 (R9.3): 127.0.0.2 is one more of them
  run_peer tcp_client 127.0.0.2 "$port" --send $'missing.txt\n' --out reply
  ((status == 0)) || flunk_wire "$(en_zh "a request through 127.0.0.2, another address of this machine" "经由本机的另一个地址 127.0.0.2 发出的请求")" \
    "$(en_zh "ERR no such file: the server listens on every IPv4 address (INADDR_ANY, lesson 05, R9.3)" "ERR no such file：服务器在每个 IPv4 地址上监听（INADDR_ANY，第 05 课 R9.3）")" "$stderr"
  assert_reply "ERR no such file"
}

# zh: 第 05 课关于请求和应答的服务器测试，用 concurrent_server 代替 download_server 也都通过：名字、拒绝的原因、日志、故障注入
# bats test_tags=points:3,lesson-05-group
@test "lesson 05's server tests of requests and replies pass with concurrent_server in download_server's place: names, refusals, the log, faults" {
  explained_in 8
  covers R8.1
  lesson05_tests requests
}

# zh: 第 05 课关于期限和连接关闭的服务器测试，用 concurrent_server 代替 download_server 也都通过：3 秒的期限、优雅关闭、发送期间变化的文件
# bats test_tags=points:3,waits:15,lesson-05-group
@test "lesson 05's server tests of deadlines and closes pass with concurrent_server in download_server's place: the 3 s, the graceful close, a changing file" {
  explained_in 8
  covers R8.1
  lesson05_tests timing
}

# zh: 第 05 课关于不再读数据的客户端的测试（10 秒没有进展就被放弃），用 concurrent_server 代替 download_server 也通过
# bats test_tags=points:1,waits:30,lesson-05-group
@test "lesson 05's test of a client that stops reading (dropped after 10 s without progress) passes with concurrent_server in download_server's place" {
  explained_in 8
  covers R8.1
  lesson05_tests stall
}

# zh: 端口已被另一个程序监听时，以服务器自己的名字报绑定错误：“concurrent_server: bind port PORT: REASON”，退出状态 1
# bats test_tags=points:1
@test "a port another program listens on is a bind error in the server's own name: concurrent_server: bind port PORT: REASON, status 1" {
  explained_in 8
  covers R8.1
  free_port port
  spawn_peer busy tcp_server "$port" --accept-ms 30000
  wait_tcp busy "$port"
  run_prog --timeout 5 concurrent_server -d "$SERVED" "$port"
  assert_failure 1
  assert_equal "$stderr" "concurrent_server: bind port $port: Address already in use"
}

# zh: 应答之后，子进程先记下日志行，最多再等一秒就关闭连接并退出，即使客户端读完之后迟迟不关闭自己这一方
# bats test_tags=points:1
@test "after its reply a child logs its line, waits a second at most for the client to close, then closes and exits, even when the client lingers" {
  explained_in 8
  covers R8.1 R8.10
  start_server
  server_pid=$(prog_pid server)
  # the client reads the reply to the end of the stream, then keeps its socket open for 8 s
  spawn_peer lingering tcp_client 127.0.0.1 "$port" --send $'hello.txt\n' --keep-open --linger-ms 8000 --out reply
  wait_err lingering '^tcp_client: end of stream$'
  assert_reply $'OK 6\nhello'
  # the child logs its line, then closes (R8.10): the line is there when the client sees the end
  grep -q '"hello\.txt" sent 6 bytes$' "$BATS_TEST_TMPDIR/server.out" ||
    flunk_wire "$(en_zh "the server's log when the client saw the end of the stream" "客户端读到流的结束时服务器的日志")" \
      "$(en_zh "the line for hello.txt already there: a child logs its line, then closes the connection (R8.10)" "hello.txt 那一行已经在了：子进程先记下日志行，再关闭连接（R8.10）")" \
      "$(en_zh "not yet:" "还没有：") $(_visible <"$BATS_TEST_TMPDIR/server.out")"
  local kids
  wait_until 3 childless "$server_pid" || flunk_wire "$(en_zh "the server's children 3 s after the reply, while the client has not closed yet" "应答之后 3 秒、客户端还没有关闭时服务器的子进程")" \
    "$(en_zh "none: the child waits one second at most for the client's end (lesson 05, R9.10), then closes and exits" "一个都没有：子进程最多等客户端关闭一秒（第 05 课 R9.10），然后关闭并退出")" \
    "$(en_zh "still there: $kids (it waits until the client closes)" "还在：$kids（它一直等到客户端关闭）")"
  # the same for a client that keeps sending, a byte every 200 ms for 14 s: the second is one
  # second in all after the reply, not one second of silence
  spawn_peer chatty tcp_client 127.0.0.1 "$port" --send "hello.txt"$'\n'"$(printf 'z%.0s' {1..60})" \
    --chunk 1 --pause-ms 200 --keep-open --out chatty-reply
  run_peer await line chatty-reply '^OK 6$' --ms 8000
  assert_success
  wait_until 4 childless "$server_pid" || flunk_wire "$(en_zh "the server's children 4 s after the reply, while the client still sends a byte every 200 ms" "应答之后 4 秒、客户端还在每 200 毫秒发一个字节时服务器的子进程")" \
    "$(en_zh "none: one second in all after the reply, however the client's bytes come (lesson 05, R9.10)" "一个都没有：应答之后总共最多一秒，不管客户端的字节怎么来（第 05 课 R9.10）")" \
    "$(en_zh "still there: $kids (each byte gives it a new second)" "还在：$kids（每来一个字节就重新等一秒）")"
}

# ---- a child per client ----

# zh: 一个客户端在大文件传到一半时卡住，第二个客户端照样得到服务；为它服务的子进程被暂停又继续运行之后，第三个客户端也一样
# bats test_tags=points:3
@test "while one client stalls in the middle of a big file, a second client is served, and so is a third once the stalled child was stopped and continued" {
  explained_in 5
  covers R8.3 R8.5
  start_server
  stalled_client slow
  assert_served_meanwhile small.bin
  prog_pid slow >/dev/null # the first client is still stalled, its transfer unfinished
  # stopped and continued, the child brings SIGCHLD twice, though it has not ended: a wait
  # that blocks there holds the parent until that download is over (section 6: WNOHANG)
  local kids
  mapfile -t kids < <(children "$(prog_pid server)")
  stop_pid "${kids[0]}" "the stalled client's child" "为卡住的客户端服务的子进程"
  kill -CONT "${kids[0]}"
  assert_served_meanwhile hello.txt
}

# zh: 连上后一声不吭的客户端不会耽误下一个客户端
# bats test_tags=points:2
@test "a client that connects and says nothing does not delay the next client" {
  explained_in 5
  covers R8.3
  start_server
  spawn_peer silent dl_stall 127.0.0.1 "$port" --stall-ms 8000
  wait_line silent '^connected$'
  assert_served_meanwhile hello.txt
  # served before the silent client's 3 s request timeout ran out, not after it: a server that
  # serves one client at a time logs the silent one's "refused: timeout" first
  wait_line server '^127\.0\.0\.1:[0-9]+ "hello\.txt" sent [0-9]+ bytes$'
  if grep -q 'refused: timeout$' "$BATS_TEST_TMPDIR/server.out"; then
    flunk_wire "$(en_zh "the server's log while a silent client holds a connection" "一个不说话的客户端占着连接时服务器的日志")" \
      "$(en_zh "the next client's download first (a child per client), the silent one refused 3 s after it came" "先是下一个客户端的下载（每个客户端一个子进程），然后才是那个不说话的客户端：连上 3 秒之后被拒绝")" \
      "$(cat "$BATS_TEST_TMPDIR/server.out")"
  fi
}

# zh: 在一个停住的客户端旁边服务了 20 个短客户端之后：只剩一个子进程，没有僵尸进程，没有描述符泄漏，只有一行 serving
# bats test_tags=points:3
@test "after 20 short clients beside a stalled one: one child left, no zombie, no descriptor leaked, one serving line" {
  explained_in 6
  covers R8.4 R8.5 R8.9
  PROG_TIMEOUT=40 # 20 clients and more: the server runs longer than the usual 10 s under the sanitizers
  free_port port
  # the server's standard output is a pipe (to cat): a line left in the stdio buffer before
  # a fork would be printed again by each child
  _spawn server bash -c '"$0" "$@" | cat' "$(lab_bin concurrent_server)" -d "$SERVED" "$port"
  wait_tcp server "$port"
  wait_line server "^serving .* on port $port\$"
  server_pid=$(pgrep -P "$(prog_pid server)" -f concurrent_server | head -1)
  [[ -n $server_pid ]] || fail "$(en_zh "cannot find concurrent_server under the pipe" "在管道下面找不到 concurrent_server")"
  stalled_client slow
  assert_served_meanwhile hello.txt
  # counted once the server runs (a sanitizer may hold a descriptor of its own while it starts)
  fds_before=$(ls "/proc/$server_pid/fd" | wc -l)
  for round in {1..5}; do
    assert_served_meanwhile hello.txt
    run_peer tcp_client 127.0.0.1 "$port" --send $'missing.txt\n' --idle-ms 5000 --out /dev/null
    assert_success
    run_peer tcp_client 127.0.0.1 "$port" --close-now
    run_peer tcp_client 127.0.0.1 "$port" --send $'small.bin\n' --read-max 10 --idle-ms 5000 --out /dev/null
  done
  # No more clients come: each child that ended must be reaped all the same.
  local kids zombies
  wait_until 4 reaped_down_to_one "$server_pid" || true
  [[ -z $zombies ]] || flunk_wire "$(en_zh "the server's children 4 s after the last short client ended (section 6)" "最后一个短客户端结束 4 秒后服务器的子进程（第 6 节）")" \
    "$(en_zh "reaped: no zombie, though no other client came" "都已回收：没有僵尸进程，尽管之后没有别的客户端来")" "$(en_zh "zombies:" "僵尸进程：") $zombies"
  # the stalled client's child, at most (on a loaded machine its send timeout may have ended it)
  (($(grep -c . <<<"$kids") <= 1)) ||
    flunk_wire "$(en_zh "the server's children once the short clients ended" "短客户端都结束之后服务器的子进程")" \
      "$(en_zh "the stalled client's child, at most" "至多剩下停住的那个客户端的子进程")" "$kids"
  # no more than before: fds_before may count a client's socket the parent had not closed yet
  fds_after=$(fds_settled "$server_pid" "$fds_before")
  ((fds_after <= fds_before)) ||
    flunk_wire "$(en_zh "open descriptors in the parent after the clients (a leak: one per client)" "客户端结束之后父进程打开的描述符（泄漏：每个客户端一个）")" \
      "$(en_zh "$fds_before or fewer" "$fds_before 个或更少")" "$fds_after"
  serving=$(grep -c '^serving ' "$BATS_TEST_TMPDIR/server.out")
  ((serving == 1)) ||
    flunk_wire "$(en_zh "\"serving\" lines (a line left in the stdio buffer is printed again by each child)" "“serving”行（留在 stdio 缓冲区里的一行会被每个子进程再打印一次）")" 1 "$serving"
}

# ---- signals ----

# zh: 服务客户端的子进程仍然响应 SIGTERM 和 SIGINT：收到哪一个都立刻结束，服务器对此不说什么
# bats test_tags=points:3
@test "a child serving a client still follows SIGTERM and SIGINT: each ends its child at once, and the server says nothing of it" {
  explained_in 4
  covers R8.6 R8.10 R8.7
  start_server
  stalled_children 2
  # started with no signal blocked, a child blocks none either: SIGCHLD, blocked in the parent
  # outside its wait, is not left blocked in a child (R8.7: none is added)
  local extra
  extra=$(blocked_beyond "${kids[0]}")
  [[ $extra == 0000000000000000 ]] ||
    flunk_wire "$(en_zh "the blocked signals of a child (SigBlk in /proc/${kids[0]}/status) of a server started with none blocked" "启动时没有阻塞任何信号的服务器，它的子进程阻塞的信号（/proc/${kids[0]}/status 的 SigBlk）")" \
      "$(en_zh "none: the child takes the mask the server was started with (section 7)" "一个都没有：子进程用的是服务器启动时的信号屏蔽字（第 7 节）")" \
      "SigBlk $(proc_field "${kids[0]}" SigBlk)"
  kill -TERM "${kids[0]}"
  assert_ends_within_2s "${kids[0]}" "$(en_zh "the child serving a stalled client, 2 s after SIGTERM" "服务停住的客户端的子进程，SIGTERM 之后 2 秒")"
  kill -INT "${kids[1]}"
  assert_ends_within_2s "${kids[1]}" "$(en_zh "the child serving a stalled client, 2 s after SIGINT" "服务停住的客户端的子进程，SIGINT 之后 2 秒")"
  # a child still waiting for its client's request follows them from its first moment too:
  # ended by SIGTERM, it sends nothing (not the ERR timeout of 3 s later)
  spawn_peer silent tcp_client 127.0.0.1 "$port" --keep-open --idle-ms 8000 --out silent.reply
  local another
  wait_until 5 another_child "$(prog_pid server)" "${kids[0]}" "${kids[1]}" || flunk_wire "$(en_zh "the server's children while a client that says nothing is connected" "一个不说话的客户端保持连接时服务器的子进程")" \
    "$(en_zh "a child for it" "为它服务的一个子进程")" "$(words none)"
  kill -TERM $another
  assert_ends_within_2s "$another" "$(en_zh "the child of a client that has not sent its request yet, 2 s after SIGTERM" "服务一个还没发请求的客户端的子进程，SIGTERM 之后 2 秒")"
  wait_exit silent 5
  [[ ! -s silent.reply ]] || flunk_wire "$(en_zh "what the client got from a child that SIGTERM ended while it waited for the request" "子进程还在等请求时被 SIGTERM 终止，客户端收到的内容")" \
    "$(en_zh "nothing: the child ends at once, from its first moment (R8.6)" "什么都没有：子进程从创建出来的那一刻起，收到 SIGTERM 就会立刻终止（R8.6）")" "$(_visible <silent.reply)"
  prog_pid server >/dev/null # the parent itself goes on
  assert_served_meanwhile hello.txt
  # reaping a child that a signal ended is no error: the server's stderr stays empty (R8.10)
  send_signal server TERM
  wait_exit server 5 "$(en_zh "after SIGTERM" "从 SIGTERM 算起")"
  assert_success
  [[ -z $stderr ]] || flunk_wire "$(en_zh "the server's standard error after two of its children were ended by signals" "两个子进程被信号结束之后服务器的标准错误")" \
    "$(en_zh "nothing (R8.10: a server at work writes nothing on stderr)" "什么都没有（R8.10：正常工作的服务器不在标准错误上写东西）")" "$stderr"
}

# zh: SIGTERM 让服务器停下：打印 stopped，以状态 0 退出，空出端口；服务过客户端之后，尽管有 TIME_WAIT，也能立刻在原端口重新启动
# bats test_tags=points:2
@test "SIGTERM stops the server: it prints stopped, exits 0 and frees the port; after serving it starts again there at once, despite TIME_WAIT" {
  explained_in 7
  covers R8.7 R8.1
  start_server
  send_signal server TERM
  wait_exit server 5 "$(en_zh "after SIGTERM" "从 SIGTERM 算起")"
  assert_success
  assert_line "stopped"
  run_peer ports probe tcp "$port"
  assert_success
  # a run that served a client leaves its connection in TIME_WAIT on the port: the next run
  # binds all the same (SO_REUSEADDR set before bind, lesson 05)
  spawn_prog server2 concurrent_server -d "$SERVED" "$port"
  wait_tcp server2 "$port"
  # --keep-open: the client does not close first, so the server's side ends in TIME_WAIT
  run_peer tcp_client 127.0.0.1 "$port" --send $'hello.txt\n' --keep-open --out reply
  assert_reply $'OK 6\nhello'
  wait_line server2 '"hello\.txt" sent 6 bytes$'
  send_signal server2 TERM
  wait_exit server2 5 "$(en_zh "after SIGTERM" "从 SIGTERM 算起")"
  assert_success
  spawn_prog server3 concurrent_server -d "$SERVED" "$port"
  wait_tcp server3 "$port"
}

# zh: SIGINT（Ctrl-C）同样让服务器停下，正在进行的下载仍会做完
# bats test_tags=points:2
@test "SIGINT (Ctrl-C) stops the server the same way, and a download under way goes on to its end" {
  explained_in 7
  covers R8.7 R8.8
  start_server
  spawn_peer slow dl_stall 127.0.0.1 "$port" --request $'big.bin\n' --read 65536 --stall-ms 1500
  wait_line slow '^read 65536 bytes$'
  send_signal server INT
  wait_exit server 5 "$(en_zh "after SIGINT" "从 SIGINT 算起")"
  assert_success
  assert_line --regexp '^serving .* on port [0-9]+$'
  assert_line "stopped"
  # SIGINT to the parent alone is no Ctrl-C at a terminal: its child is not told, and finishes
  wait_exit slow 30
  ((status == 0)) && [[ $output == *"received $BIG_REPLY bytes in all"* ]] ||
    flunk_wire "$(en_zh "a download under way when SIGINT stopped the server (sent to the server alone, not to its group)" "SIGINT（只发给服务器进程，不发给它的进程组）让服务器停下时正在进行的下载")" \
      "$(en_zh "the whole file, $BIG_REPLY bytes in all: a child still serving finishes (R8.8)" "整个文件，一共 $BIG_REPLY 字节：还在服务的子进程会把它发完（R8.8）")" \
      "$(en_zh "status $status:" "退出状态 $status：") $output $(peer_words "$stderr")"
}

# zh: SIGINT 和 SIGTERM 一起到达，服务器只停一次：一行 stopped，退出状态 0
# bats test_tags=points:1
@test "SIGINT and SIGTERM that arrive together stop the server once: one stopped line, status 0" {
  explained_in 7
  covers R8.7
  start_server
  server_pid=$(prog_pid server)
  # stopped (SIGSTOP), the server takes neither signal: both are pending when it goes on, and
  # both handlers run in its wait, one after the other
  kill -STOP "$server_pid"
  wait_until 5 in_state "$server_pid" T || true
  kill -INT "$server_pid"
  kill -TERM "$server_pid"
  kill -CONT "$server_pid"
  wait_exit server 5 "$(en_zh "after SIGINT and SIGTERM together" "从一起到达的 SIGINT 和 SIGTERM 算起")"
  assert_success
  local stops
  stops=$(grep -cx stopped <<<"$output" || true)
  ((stops == 1)) || flunk_wire "$(en_zh "the stopped lines of a server that got SIGINT and SIGTERM at once" "同时收到 SIGINT 和 SIGTERM 的服务器打印的 stopped 行")" \
    "$(en_zh "one: the handlers only note the stop, and the loop prints stopped when it ends (section 7)" "一行：信号处理函数只记下“要停止”，循环结束时才打印 stopped（第 7 节）")" \
    "$(en_zh "$stops lines:" "$stops 行：") $output"
}

# zh: 服务器启动时 SIGTERM 已处于未决状态（父进程阻塞了它，它随后到达）：先打印 serving，再打印 stopped，退出状态 0
# bats test_tags=points:1
@test "a SIGTERM already pending when the server starts (its parent blocked it, and it came): serving, then stopped, status 0" {
  explained_in 7
  covers R8.7
  free_port port
  _peer sigstate || return 1
  # the handlers must be in place before the three signals are let in: the pending SIGTERM
  # is then taken by the handler in the first wait, not by its default action
  spawn_server_under "$_PEER" --pending TERM --
  wait_exit server 5 "$(en_zh "after its start with SIGTERM pending" "从带着未决的 SIGTERM 启动算起")"
  [[ $status == 0 && $output == "serving $SERVED on port $port"$'\n'stopped ]] ||
    flunk_wire "$(en_zh "a server started with SIGTERM blocked and pending" "启动时 SIGTERM 被阻塞且处于未决状态的服务器")" \
      "$(en_zh "serving $SERVED on port $port, then stopped, status 0: the handlers first, then the mask (section 7)" "serving $SERVED on port $port，然后 stopped，退出状态 0：先装好信号处理函数，再改信号屏蔽字（第 7 节）")" \
      "$(en_zh "status $status$( ((status > 128)) && echo " (killed by signal $((status - 128)))"); stdout: $output" "退出状态 $status$( ((status > 128)) && echo "（被信号 $((status - 128)) 杀死）")；标准输出：$output")"
}

# zh: accept 因没有可用的描述符而失败（EMFILE）时，服务器停下：concurrent_server: accept: REASON，退出状态 1
# bats test_tags=points:1
@test "when accept fails for want of a descriptor (EMFILE), the server stops: concurrent_server: accept: REASON, status 1" {
  explained_in 5
  covers R8.10
  free_port port
  spawn_server_under "$BASH" -c 'ulimit -n 5 && exec "$0" "$@"'
  stops_at_emfile server "$port" concurrent_server R8.10
}

# zh: 服务器停止不会打断正在进行的下载，子进程被暂停又继续运行也不会：父进程以状态 0 退出，不再有进程接受新客户端，子进程把文件发完
# bats test_tags=points:2,waits:7
@test "a stop does not cut a running download, nor do stops and continues of its child: the parent exits 0, no one takes new clients, its child sends the file to the end" {
  explained_in 7
  covers R8.7 R8.8
  start_server
  # the client stalls 7 s: longer than the parent may take to stop, so a parent that waits for
  # its children before it stops is still there
  spawn_peer slow dl_stall 127.0.0.1 "$port" --request $'big.bin\n' --read 65536 --stall-ms 7000
  wait_line slow '^read 65536 bytes$'
  # stopped and continued three times while it waits to send (Ctrl-Z and fg, a debugger): a
  # send or sendfile interrupted that way (EINTR, or fewer bytes than asked) goes on (R8.1)
  local kids i
  mapfile -t kids < <(children "$(prog_pid server)")
  for i in 1 2 3; do
    stop_pid "${kids[0]}" "the stalled client's child" "为卡住的客户端服务的子进程"
    kill -CONT "${kids[0]}"
  done
  send_signal server TERM
  wait_exit server 5 "$(en_zh "after SIGTERM, while a child still serves (the parent does not wait for it, R8.8)" "从 SIGTERM 算起，这时还有子进程在服务（父进程不等它，R8.8）")"
  assert_success
  assert_line "stopped"
  # the child still serves; the listening socket must be closed in every process by now
  run_peer tcp_client 127.0.0.1 "$port" --send $'hello.txt\n' --idle-ms 1000 --out reply
  ((status == 1)) || flunk_wire "$(en_zh "a new client after the stop, while a child still sends its file" "停下之后、子进程还在发文件时来的新客户端")" \
    "$(en_zh "Connection refused: the parent closed the listening socket, and the child closed its copy at fork (section 5)" \
      "Connection refused：父进程关闭了监听套接字，子进程在 fork 之后关闭了自己的那一份（第 5 节）")" \
    "$(en_zh "status $status:" "退出状态 $status：") $(peer_words "$stderr")"
  # 7 s of stall, then 40 MiB: on a loaded machine (the stress benchmark's delays of 40 ms before
  # each socket call) that takes more than the usual 10 s
  wait_exit slow 30
  assert_success
  assert_line "received $BIG_REPLY bytes in all"
}

# zh: 终端里的 Ctrl-C（把 SIGINT 发给服务器所在的整个进程组，子进程也在组里）让服务器停下，并立刻结束每个下载
# bats test_tags=points:1
@test "Ctrl-C at a terminal, SIGINT to the server's whole process group, stops the server and ends every download at once" {
  explained_in 7
  covers R8.6 R8.7
  start_server
  stalled_children 1
  # the harness started the server in a process group of its own, as a shell starts a job
  kill -INT -- "-${_PID[server]}"
  assert_ends_within_2s "${kids[0]}" "$(en_zh "the child serving a stalled client, 2 s after SIGINT to the server's process group (Ctrl-C)" "Ctrl-C（把 SIGINT 发给服务器的进程组）2 秒之后，服务一个停住的客户端的子进程")" \
    "$(en_zh "ended: a child stays in its parent's process group, so Ctrl-C reaches it too (section 7)" "已经结束：子进程留在父进程的进程组里，Ctrl-C 也会送到它那里（第 7 节）")" \
    "$(en_zh "still running (process group $(ps -o pgid= -p "${kids[0]}" 2>/dev/null | tr -d ' '), the server's is ${_PID[server]})" "仍在运行（进程组 $(ps -o pgid= -p "${kids[0]}" 2>/dev/null | tr -d ' ')，服务器的是 ${_PID[server]}）")"
  wait_exit server 5 "$(en_zh "after SIGINT to its process group" "从 SIGINT 发给它的进程组算起")"
  assert_success
  assert_line "stopped"
}

# zh: 客户端在传输中途、或者在请求被读取之前复位连接，服务器安然无恙：子进程把中止记入日志，下一个客户端照样得到服务；父进程也忽略 SIGPIPE
# bats test_tags=points:2
@test "the server survives a client that resets mid-transfer or before its request is read: the child logs the abort, the next client is served; SIGPIPE is ignored in the parent too" {
  explained_in 2
  covers R8.2 R8.1
  start_server
  # it asks for 40 MiB, reads nothing, and aborts the connection with an RST 200 ms later
  run_peer tcp4_reset_client 127.0.0.1 "$port" --send $'big.bin\n' --wait-ms 200
  assert_success
  wait_line server "^127\\.0\\.0\\.1:[0-9]+ \"big\\.bin\" aborted after [0-9]+ of $BIG_SIZE bytes: "
  # and the same with a client that reads a little, then closes with unread data
  run_peer tcp_client 127.0.0.1 "$port" --send $'big.bin\n' --read-max 100000 --out /dev/null
  assert_failure 4 # the peer stopped reading on purpose
  prog_pid server >/dev/null
  assert_served_meanwhile hello.txt
  # a client whose request and reset both wait for its child (the parent is stopped, the
  # connection queued): the request is read whole, and only the status line fails, as in
  # lesson 05 (R9.6): not a bad request
  queued_reset server "$port" $'hello.txt\n'
  wait_line server '^127\.0\.0\.1:[0-9]+ "hello\.txt" aborted after 0 of 6 bytes: '
  # in the whole server (R8.2): the parent writes too (its stdout may be a pipe whose reader has gone)
  signal_ignored "$(prog_pid server)" 13 ||
    flunk_wire "$(en_zh "the parent's ignored signals (SigIgn in /proc/$(prog_pid server)/status)" "父进程忽略的信号（/proc/$(prog_pid server)/status 的 SigIgn）")" \
      "$(en_zh "SIGPIPE among them: ignored in the whole server, parent and children (section 2)" "其中有 SIGPIPE：整个服务器（父进程和子进程）都忽略它（第 2 节）")" \
      "SigIgn $(proc_field "$(prog_pid server)" SigIgn)"
  local found
  wait_until 3 logged 2 '"big\.bin" aborted after' || flunk_wire "$(en_zh "log lines \"aborted after\" for the two clients that left mid-transfer" "两个中途离开的客户端对应的“aborted after”日志行")" \
    "$(en_zh "2 (SIGPIPE ignored: send fails, the child logs it)" "2 行（SIGPIPE 被忽略：send 失败，子进程记下日志）")" \
    "$(en_zh "$found (a child killed by SIGPIPE logs nothing)" "$found 行（被 SIGPIPE 杀死的子进程什么都不记）")"
}

# ---- lesson 05's edges, the environment, events that coincide ----

# zh: 第 05 课的边界情况在每个子进程里同样成立：3 GiB 和 10 TB 文件的真实长度、立即拒绝 FIFO、不说话的客户端收到 ERR timeout
# bats test_tags=points:2
@test "lesson 05's edges hold in every child: the real size of files of 3 GiB and 10 TB, a FIFO refused at once, ERR timeout for a silent client" {
  explained_in 8
  covers R8.1
  srv="$BATS_TEST_TMPDIR/srv"
  mkdir -p "$srv"
  truncate -s 3221225472 "$srv/3g.bin" || skip "this file system has no sparse files of 3 GiB"
  # 14 digits: "OK 10000000000000\n" is 18 bytes, more than a status line buffer of 16 holds
  truncate -s 10000000000000 "$srv/10t.bin" || skip "this file system has no sparse files of 10 TB"
  mkfifo "$srv/pipe"
  free_port port
  spawn_prog server concurrent_server -d "$srv" "$port"
  wait_tcp server "$port"
  # a client that sends nothing: its child answers ERR timeout after 3 s (lesson 05, R2.11)
  spawn_peer silent tcp_client 127.0.0.1 "$port" --keep-open --idle-ms 8000 --out silent-reply
  run_peer tcp_client 127.0.0.1 "$port" --send $'3g.bin\n' --read-max 1000 --out reply
  [[ $(head -n 1 reply) == "OK 3221225472" ]] ||
    flunk_wire "$(en_zh "the status line for a file of 3 GiB" "3 GiB 文件的状态行")" "OK 3221225472" "$(head -c 60 reply | _visible)"
  run_peer tcp_client 127.0.0.1 "$port" --send $'10t.bin\n' --read-max 1000 --out reply
  cmp -s <(head -c 18 reply) <(printf 'OK 10000000000000\n') ||
    flunk_wire "$(en_zh "the status line for a file of 10 TB (sparse)" "10 TB 文件（稀疏文件）的状态行")" "OK 10000000000000" "$(head -c 60 reply | _visible)"
  run_peer tcp_client 127.0.0.1 "$port" --send $'pipe\n' --idle-ms 5000 --out reply
  ((status != 3)) || flunk_wire "$(en_zh "the reply for a FIFO in the served directory" "对提供服务的目录里一个 FIFO 的应答")" \
    "$(en_zh "ERR not a regular file at once (lesson 05, section 5: O_NONBLOCK)" "立即回 ERR not a regular file（第 05 课第 5 节：O_NONBLOCK）")" "$(en_zh "nothing for 5 s: the child waits in open for a writer" "5 秒什么都没有：子进程卡在 open 里等写者")"
  assert_reply "ERR not a regular file"
  wait_exit silent
  ((status != 3)) || flunk_wire "$(en_zh "the reply to a client that sends nothing" "对什么都不发送的客户端的应答")" "$(en_zh "ERR timeout after 3 s, then the close" "3 秒后回 ERR timeout，然后关闭")" \
    "$(en_zh "nothing for 8 s: the child waits for its request forever" "8 秒什么都没有：子进程永远等它的请求")"
  printf 'ERR timeout\n' >expected-reply
  cmp -s expected-reply silent-reply ||
    flunk_wire "$(en_zh "the reply to a client that sends nothing" "对什么都不发送的客户端的应答")" "$(_visible <expected-reply)" "$(_visible <silent-reply)"
}

# zh: 第 05 课对请求的规定在每个子进程里同样成立：255 字节的名字照样服务，UTF-8 字母和换行符前的回车都是名字的字节，名字里有 NUL 是 bad name，3 秒的期限针对整行请求
# bats test_tags=points:2
@test "lesson 05's request rules hold in every child: a name of 255 bytes is served, UTF-8 letters and a carriage return before the newline are bytes of the name, a NUL in a name is a bad name, the 3 s are for the whole line" {
  explained_in 8
  covers R8.1
  srv="$BATS_TEST_TMPDIR/srv"
  mkdir -p "$srv"
  long=$(printf 'n%.0s' {1..255})
  printf 'x\n' >"$srv/$long"
  cp "$SERVED/hello.txt" "$srv/"
  free_port port
  spawn_prog server concurrent_server -d "$srv" "$port"
  wait_tcp server "$port"
  # a request that drips in, a byte every 400 ms (4 s in all): ERR timeout 3 s after accept (R2.5)
  spawn_peer drip tcp_client 127.0.0.1 "$port" --send $'hello.txt\n' --chunk 1 --pause-ms 400 --idle-ms 8000 --out drip-reply
  run_peer tcp_client 127.0.0.1 "$port" --send "$long"$'\n' --idle-ms 5000 --out reply
  assert_reply $'OK 2\nx'
  printf 'hello.txt\0zz\n' >"$BATS_TEST_TMPDIR/nul-request"
  run_peer tcp_client 127.0.0.1 "$port" --send-file "$BATS_TEST_TMPDIR/nul-request" --idle-ms 5000 --out reply
  assert_reply "ERR bad name"
  # every other byte is a byte of the name (lesson 05, R2.2): UTF-8 letters are served, and a
  # carriage return before the newline makes another name, logged as \x0d (R9.6)
  printf '你好\n' >"$srv/中文.txt"
  run_peer tcp_client 127.0.0.1 "$port" --send $'中文.txt\n' --idle-ms 5000 --out reply
  assert_reply $'OK 7\n你好'
  run_peer tcp_client 127.0.0.1 "$port" --send $'hello.txt\r\n' --idle-ms 5000 --out reply
  assert_reply "ERR no such file"
  wait_line server '^127\.0\.0\.1:[0-9]+ "hello\.txt\\x0d" refused: no such file$'
  wait_exit drip
  printf 'ERR timeout\n' >expected-reply
  cmp -s expected-reply drip-reply ||
    flunk_wire "$(en_zh "the reply to a request that drips in, a byte every 400 ms" "请求每 400 毫秒到达一个字节时得到的应答")" \
      "$(en_zh "ERR timeout, 3 s after accept (lesson 05, R2.5: the 3 s are for the whole line)" "ERR timeout，accept 之后 3 秒（第 05 课 R2.5：3 秒的期限针对整行请求）")" "$(_visible <drip-reply)"
}

# zh: 随机请求，有正确的也有错误的，每个都由一个子进程服务：每个应答、每一行日志都是第 05 课的规则规定的那样
# bats test_tags=points:2
@test "random requests, good and bad, each served by a child: every reply and every log line is the one lesson 05's rules give" {
  explained_in 8
  covers R8.1
  load harness/random_requests
  # names of every byte value and of lengths 1 to 255, bad names, too long, ended early, in pieces
  random_requests concurrent_server 3 120
}

# zh: 父进程阻塞了 SIGTERM、SIGINT、SIGCHLD、SIGUSR1 和 SIGHUP 之后启动的服务器：子进程收到 SIGTERM 仍会结束并被回收，SIGUSR1 和 SIGHUP 在等待中和子进程里都仍被阻塞，SIGTERM 仍然让服务器停止
# bats test_tags=points:2
@test "started with SIGTERM, SIGINT, SIGCHLD, SIGUSR1 and SIGHUP blocked by its parent: a child still follows SIGTERM and is reaped, SIGUSR1 and SIGHUP stay blocked, and SIGTERM still stops the server" {
  explained_in 7
  covers R8.7 R8.6 R8.5
  free_port port
  # sigstate blocks the five, then runs the server in its place: exec keeps the mask
  start_server_under_sigstate --block TERM,INT,CHLD,USR1,HUP
  server_pid=$(prog_pid server)
  stalled_children 1
  # SIGUSR1 was blocked by the parent: only the three are taken out, in the child as in the wait
  signal_blocked "${kids[0]}" 10 ||
    flunk_wire "$(en_zh "the child's blocked signals (SigBlk in /proc/${kids[0]}/status)" "子进程阻塞的信号（/proc/${kids[0]}/status 的 SigBlk）")" \
      "$(en_zh "SIGUSR1 among them: the mask the server was started with, minus SIGINT, SIGTERM and SIGCHLD" "其中有 SIGUSR1：服务器启动时的信号屏蔽字，去掉 SIGINT、SIGTERM 和 SIGCHLD")" \
      "$(en_zh "SigBlk $(proc_field "${kids[0]}" SigBlk): SIGUSR1 unblocked" "SigBlk $(proc_field "${kids[0]}" SigBlk)：SIGUSR1 没有被阻塞")"
  # nor is SIGHUP, a stop signal of many servers, but not of this one (R8.7: only the three)
  signal_blocked "${kids[0]}" 1 ||
    flunk_wire "$(en_zh "the child's blocked signals (SigBlk in /proc/${kids[0]}/status)" "子进程阻塞的信号（/proc/${kids[0]}/status 的 SigBlk）")" \
      "$(en_zh "SIGHUP among them: the mask the server was started with, minus SIGINT, SIGTERM and SIGCHLD" "其中有 SIGHUP：服务器启动时的信号屏蔽字，去掉 SIGINT、SIGTERM 和 SIGCHLD")" \
      "$(en_zh "SigBlk $(proc_field "${kids[0]}" SigBlk): SIGHUP unblocked" "SigBlk $(proc_field "${kids[0]}" SigBlk)：SIGHUP 没有被阻塞")"
  # and none is added: nothing but SIGUSR1 (and SIGCHLD, which a child may keep blocked) in
  # the child; nothing but SIGUSR1 in the wait, and the three outside it (a look may fall there)
  local mask extra
  mask=$(proc_field "${kids[0]}" SigBlk)
  extra=$(blocked_beyond "${kids[0]}" 1 10 17)
  [[ $extra == 0000000000000000 ]] ||
    flunk_wire "$(en_zh "the child's blocked signals (SigBlk in /proc/${kids[0]}/status)" "子进程阻塞的信号（/proc/${kids[0]}/status 的 SigBlk）")" \
      "$(en_zh "SIGUSR1 and SIGHUP (and maybe SIGCHLD), nothing else: no signal the server was started without blocking" "SIGUSR1 和 SIGHUP（也许还有 SIGCHLD），没有别的：服务器启动时未被阻塞的信号，一个也不阻塞")" \
      "SigBlk $mask ($(en_zh "more: $extra" "多出：$extra"))"
  local look
  for look in 1 2 3 4; do
    mask=$(proc_field "$server_pid" SigBlk)
    extra=$(blocked_beyond "$server_pid" 1 10 2 15 17)
    [[ $extra == 0000000000000000 ]] ||
      flunk_wire "$(en_zh "the waiting server's blocked signals (SigBlk in /proc/$server_pid/status)" "等待中的服务器阻塞的信号（/proc/$server_pid/status 的 SigBlk）")" \
        "$(en_zh "SIGUSR1 and SIGHUP in the wait (the mask it was started with, minus the three; outside the wait the three too), nothing else" "等待期间只有 SIGUSR1 和 SIGHUP（启动时的信号屏蔽字去掉那三个信号；等待之外还要加上那三个），没有别的")" \
        "SigBlk $mask ($(en_zh "more: $extra" "多出：$extra"))"
    pause_50ms
  done
  send_signal server USR1
  send_signal server HUP
  kill -TERM "${kids[0]}"
  assert_ends_within_2s "${kids[0]}" "$(en_zh "the child serving a stalled client, 2 s after SIGTERM (the server was started with SIGTERM blocked)" "SIGTERM 之后 2 秒，服务一个卡住的客户端的子进程（服务器启动时 SIGTERM 被阻塞）")"
  wait_until 4 childless "$server_pid" || flunk_wire "$(en_zh "the server's children 4 s after its only child ended (it was started with SIGCHLD blocked)" "唯一的子进程结束 4 秒之后服务器的子进程（服务器启动时 SIGCHLD 被阻塞）")" \
    "$(en_zh "none: reaped, as the wait lets SIGCHLD in (section 7: the three taken out of the saved mask)" "没有：已被回收，因为等待期间 SIGCHLD 不被阻塞（第 7 节：从保存的信号屏蔽字中去掉那三个信号）")" "$(en_zh "still there: $kids" "还在：$kids")"
  # the server has waited since SIGUSR1 came (it reaped): blocked, the signal is still pending
  if [[ $(proc_field "$server_pid" State) == [ZX]* || $(proc_field "$server_pid" State) == gone ]]; then
    flunk_wire "$(en_zh "the server, after a SIGUSR1 its parent had blocked" "父进程阻塞了 SIGUSR1，服务器收到它之后")" \
      "$(en_zh "still running, SIGUSR1 pending (the wait's mask keeps it blocked)" "仍在运行，SIGUSR1 处于未决状态（等待时的信号屏蔽字仍然阻塞它）")" \
      "$(en_zh "ended: SIGUSR1's default action killed it, so the wait let SIGUSR1 in (section 7: only the three are taken out)" "已经结束：SIGUSR1 的默认动作终止了它，可见等待期间解除了对 SIGUSR1 的阻塞（第 7 节：只去掉那三个信号）")"
  fi
  signal_pending "$server_pid" 1 && signal_pending "$server_pid" 10 ||
    flunk_wire "$(en_zh "the server's pending signals (ShdPnd in /proc/$server_pid/status), after a SIGUSR1 its parent had blocked" "父进程阻塞了 SIGUSR1，服务器收到它之后的未决信号（/proc/$server_pid/status 的 ShdPnd）")" \
      "$(en_zh "SIGUSR1 and SIGHUP among them (the wait's mask keeps them blocked)" "其中有 SIGUSR1 和 SIGHUP（等待时的信号屏蔽字仍然阻塞它们）")" \
      "$(en_zh "ShdPnd $(proc_field "$server_pid" ShdPnd): SIGUSR1 was let in and handled (section 7: only the three are taken out)" "ShdPnd $(proc_field "$server_pid" ShdPnd)：SIGUSR1 被放行并处理了（第 7 节：只去掉那三个信号）")"
  send_signal server TERM
  wait_exit server 5 "after SIGTERM (it was started with SIGTERM blocked: the wait must let it in)"
  assert_success
  assert_line "stopped"
}

# zh: 父进程忽略了 SIGINT 和 SIGTERM 之后启动的服务器（就像脚本里的后台作业）：子进程收到这两个信号仍会结束，SIGINT 仍然让服务器停止
# bats test_tags=points:2
@test "started with SIGINT and SIGTERM ignored by its parent, as a script's background job is: a child still follows each, and SIGINT still stops the server" {
  explained_in 4
  covers R8.6 R8.7
  free_port port
  # sigstate ignores the two, then runs the server in its place: exec keeps ignored signals ignored
  start_server_under_sigstate --ignore INT,TERM
  stalled_children 2
  kill -INT "${kids[0]}"
  assert_ends_within_2s "${kids[0]}" "$(en_zh "the child serving a stalled client, 2 s after SIGINT (the server was started with SIGINT ignored)" "服务停住的客户端的子进程，SIGINT 之后 2 秒（服务器启动时 SIGINT 被忽略）")"
  kill -TERM "${kids[1]}"
  assert_ends_within_2s "${kids[1]}" "$(en_zh "the child serving a stalled client, 2 s after SIGTERM (the server was started with SIGTERM ignored)" "服务停住的客户端的子进程，SIGTERM 之后 2 秒（服务器启动时 SIGTERM 被忽略）")"
  send_signal server INT
  wait_exit server 5 "$(en_zh "after SIGINT (it was started with SIGINT ignored: sigaction replaces an ignored action, section 4)" "从 SIGINT 算起（服务器启动时 SIGINT 被忽略：sigaction 会替换被忽略的动作，第 4 节）")"
  assert_success
  assert_line "stopped"
}

# zh: 同时结束的几个子进程全部被回收：一个 SIGCHLD 可能代表好几个子进程
# bats test_tags=points:2
@test "children that end together are all reaped: one SIGCHLD may stand for several" {
  explained_in 6
  covers R8.5
  start_server
  server_pid=$(prog_pid server)
  stalled_children 3
  # the parent stopped, its three children killed: their SIGCHLD are one pending signal when it goes on
  kill -STOP "$server_pid"
  kill -KILL "${kids[@]}"
  local kid
  for kid in "${kids[@]}"; do
    "$SOCKLAB_PEERS/await" line /dev/null '^never$' --pid "$kid" --ms 2000 || true
  done
  kill -CONT "$server_pid"
  local zombies
  wait_until 4 reaped "$server_pid" || flunk_wire "$(en_zh "the server's children 4 s after three of them ended together, while it was stopped" "服务器被暂停（SIGSTOP）期间三个子进程一起结束，4 秒之后服务器的子进程")" \
    "$(en_zh "all reaped: one SIGCHLD for the three, so waitpid until it reaps no more (section 6)" "全部被回收：三个子进程只带来一个 SIGCHLD，所以要一直调用 waitpid，直到再也回收不到（第 6 节）")" \
    "$(en_zh "zombies: $(wc -w <<<"$zombies") ($zombies)" "僵尸进程：$(wc -w <<<"$zombies") 个（$zombies）")"
}

# zh: 恰好在等待开始之前结束的子进程也会被回收：SIGCHLD 在等待之外一直被阻塞
# bats test_tags=points:1,waits:8
@test "a child that ends just before the wait is reaped all the same: SIGCHLD stays blocked outside the wait" {
  explained_in 6
  covers R8.5
  load harness/faults
  free_port port
  # the fault shim pauses the server 3 s before each wait. A child that ends in that pause,
  # after the loop reaped and before the wait began, must still end the wait: its SIGCHLD stays
  # blocked until the wait unblocks it. A handler run in the pause leaves nothing to end it.
  with_wait_pause 3000 spawn_prog server concurrent_server -d "$SERVED" "$port"
  wait_tcp server "$port"
  local server_pid kid zombies
  server_pid=$(prog_pid server)
  spawn_peer stall dl_stall 127.0.0.1 "$port" --request $'big.bin\n' --read 65536 --stall-ms 30000 --idle-ms 30000
  # the parent has forked its child and pauses: it sleeps in nanosleep (if this is missed, the
  # child ends in the wait instead, which any server gets right: the test then proves less)
  wait_until 15 pausing_with_child "$server_pid" || true
  [[ -n $kid ]] || flunk_wire "$(en_zh "the server's children while a client waits for its file" "客户端等待文件时服务器的子进程")" "$(en_zh "one child" "一个子进程")" "$(words none)"
  kill -KILL $kid
  wait_until 6 reaped "$server_pid" || flunk_wire "$(en_zh "the server's children 6 s after a child ended just before the wait (in the shim's 3 s pause)" "子进程恰好在等待开始之前（故障注入库暂停的 3 秒里）结束，6 秒之后服务器的子进程")" \
    "$(en_zh "reaped: SIGCHLD blocked outside the wait, so the wait itself is interrupted (sections 6 and 7)" "已被回收：SIGCHLD 在等待之外一直被阻塞，所以等待本身会被打断（第 6、7 节）")" \
    "$(en_zh "zombies: $(wc -w <<<"$zombies") ($zombies)" "僵尸进程：$(wc -w <<<"$zombies") 个（$zombies）")"
}

# zh: 同时活着的 25 个子进程一起结束，全部被回收：记录子进程的表再大也可能不够
# bats test_tags=points:1,waits:3
@test "25 children alive at once and ending together are all reaped: no table of children is ever big enough" {
  explained_in 6
  covers R8.5
  start_server
  server_pid=$(prog_pid server)
  # 25 clients connect at once and say nothing for 2.5 s, then all close: 25 children wait for
  # a request together, then each sees the end of the stream, answers and exits
  spawn_peer crowd tcp_crowd 127.0.0.1 "$port" 25 --hold-ms 2500
  wait_line crowd '^tcp_crowd: 25 of 25 connections established'
  local kids zombies
  wait_until 3 has_children "$server_pid" 25 || flunk_wire "$(en_zh "the server's children while 25 clients are connected" "25 个客户端保持连接时服务器的子进程")" \
    "$(en_zh "25 (a child per client)" "25 个（每个客户端一个子进程）")" "$(grep -c . <<<"$kids")"
  wait_exit crowd 10
  wait_until 4 childless "$server_pid" || {
    zombies=$(zombie_children "$server_pid")
    flunk_wire "$(en_zh "the server's children 4 s after 25 clients closed together" "25 个客户端一起关闭 4 秒后服务器的子进程")" \
      "$(en_zh "none: every child ended and was reaped (section 6: waitpid(-1, ...) until it reaps no more, whatever their number)" "一个都没有：每个子进程都结束并被回收（第 6 节：waitpid(-1, ...) 一直调用到再也回收不到为止，不管有多少个）")" \
      "$(en_zh "$(grep -c . <<<"$kids") left, $(wc -w <<<"$zombies") of them zombies" "还剩 $(grep -c . <<<"$kids") 个，其中僵尸进程 $(wc -w <<<"$zombies") 个")"
  }
}

# zh: 40 个子进程同一时刻写下的日志行互不混杂：每一行一次 write 写出
# bats test_tags=points:1,waits:2
@test "the log lines of 40 children that log at the same moment never mix: each line leaves in one write" {
  explained_in 5
  covers R8.9 R8.1
  start_server
  server_pid=$(prog_pid server)
  # 40 clients ask at once for a file that is not there, by a 250-byte name: 40 children
  # answer and log together, and each log line is long (a line printed in pieces, unbuffered,
  # is one write per piece, even per byte of the name)
  local name
  name=$(printf 'n%.0s' {1..250})
  run_peer tcp_crowd 127.0.0.1 "$port" 40 --send "$name"$'\n' --hold-ms 1500
  assert_success
  local kids
  wait_until 4 childless "$server_pid" || true
  local log_re="^127\\.0\\.0\\.1:[0-9]+ \"$name\" refused: no such file\$" whole mixed
  whole=$(grep -cE "$log_re" "$BATS_TEST_TMPDIR/server.out")
  mixed=$(grep -vE "$log_re" "$BATS_TEST_TMPDIR/server.out" | grep -v '^serving ' | head -3 | cut -c1-160)
  ((whole == 40)) && [[ -z $mixed ]] || flunk_wire "$(en_zh "the log lines of 40 children that logged at the same moment" "40 个子进程同一时刻写下的日志行")" \
    "$(en_zh "40 whole lines ADDR:PORT \"NAME\" refused: no such file, none mixed with another: each line leaves in one write (stdout buffered, flushed after each line; section 5)" "40 个完整的行 ADDR:PORT \"NAME\" refused: no such file，互不混杂：每一行一次 write 写出（标准输出带缓冲，每行之后刷新；第 5 节）")" \
    "$(en_zh "$whole whole; mixed lines such as:" "完整的 $whole 行；混杂的行比如：")
$mixed"
}

# zh: 恰好在等待开始之前到达的 SIGTERM 不会漏掉：服务器立即停止
# bats test_tags=points:2
@test "a SIGTERM that arrives just before the wait is not missed: the server stops at once" {
  explained_in 7
  covers R8.7
  load harness/faults
  free_port port
  # the fault shim pauses the server 4 s before each wait (poll, select, pselect, a blocking
  # accept...) and says so in its log: the signal comes in that pause, after the loop looked
  # at its flag and before the wait began
  with_wait_pause 4000 spawn_prog server concurrent_server -d "$SERVED" "$port"
  wait_tcp server "$port"
  poll_line server ': pause ' "$BATS_TEST_TMPDIR/faults.log" || true # a wait the shim does not know: no pause
  send_signal server TERM
  wait_exit server 9 "after a SIGTERM that came just before its wait (section 7: unblock and wait in one step, pselect)"
  assert_success
  assert_line "stopped"
}

# zh: 子进程只服务一个客户端然后退出：下载、拒绝、中止之后，不剩子进程，服务器的标准错误保持为空
# bats test_tags=points:1
@test "a child serves one client and exits: after downloads, refusals and aborts no child is left and the server's stderr stays empty" {
  explained_in 5
  covers R8.10 R8.3
  start_server
  server_pid=$(prog_pid server)
  run_peer tcp_client 127.0.0.1 "$port" --send $'hello.txt\n' --out reply
  assert_success
  assert_reply $'OK 6\nhello'
  run_peer tcp_client 127.0.0.1 "$port" --send $'missing.txt\n' --out reply
  assert_success
  run_peer tcp_client 127.0.0.1 "$port" --send $'big.bin\n' --read-max 100000 --out /dev/null
  run_peer tcp_client 127.0.0.1 "$port" --close-now
  wait_line server '"hello\.txt" sent 6 bytes$'
  wait_line server '"missing\.txt" refused: no such file$'
  wait_line server "\"big\\.bin\" aborted after [0-9]+ of $BIG_SIZE bytes: "
  wait_line server ' - refused: bad request$'
  local kids
  wait_until 4 childless "$server_pid" || flunk_wire "$(en_zh "the server's children 4 s after its four clients were served" "四个客户端都服务完 4 秒之后服务器的子进程")" \
    "$(en_zh "none: each child exits after its one client" "没有：每个子进程服务完它的一个客户端就退出")" "$(en_zh "still there: $kids" "还在：$kids")"
  [[ ! -s $BATS_TEST_TMPDIR/server.err ]] || flunk_wire "$(en_zh "the server's standard error after four clients" "服务完四个客户端之后服务器的标准错误")" \
    "$(en_zh "nothing (a child exits after its client: it never returns to the accept loop)" "什么都没有（子进程服务完它的客户端就退出：决不回到 accept 循环）")" \
    "$(head -c 1000 "$BATS_TEST_TMPDIR/server.err")"
}

# zh: fork 失败（EAGAIN）时，父进程只放弃这一个客户端：不给应答就关闭连接，在标准错误上说明原因，不泄漏描述符，继续服务下一个客户端
# bats test_tags=points:2
@test "when fork fails (EAGAIN), the parent drops that one client: its connection closed with no reply, the reason on stderr, no descriptor kept, and the next client served" {
  explained_in 5
  covers R8.3 R8.4 R8.10
  load harness/faults
  free_port port
  # the server's second call of fork fails, as when the user has too many processes
  with_fork_fail 2 spawn_prog server concurrent_server -d "$SERVED" "$port"
  wait_tcp server "$port"
  server_pid=$(prog_pid server)
  run_peer tcp_client 127.0.0.1 "$port" --send $'hello.txt\n' --out reply
  assert_success
  assert_reply $'OK 6\nhello'
  wait_line server '"hello\.txt" sent 6 bytes$'
  fds_before=$(ls "/proc/$server_pid/fd" | wc -l)
  # it sends nothing: nothing is left unread, so its connection ends with a FIN, not a reset
  run_peer tcp_client 127.0.0.1 "$port" --idle-ms 5000 --out dropped
  grep -q 'fork: EAGAIN 2' "$BATS_TEST_TMPDIR/faults.log" 2>/dev/null ||
    flunk_wire "$(en_zh "the server's calls of fork" "服务器对 fork 的调用")" "$(en_zh "a second call, for the second client (it fails)" "为第二个客户端第二次调用（这次失败）")" \
      "$(en_zh "none: the second client was served without fork" "没有：第二个客户端没经过 fork 就被服务了")"
  # its connection ends at once, with a FIN: the end of the stream (R8.3; a reset only when a
  # request was left unread, and none was sent)
  ((status == 0)) && [[ ! -s dropped ]] ||
    flunk_wire "$(en_zh "the client whose fork failed, which sent nothing" "服务器为它 fork 失败、它也什么都没发送的那个客户端")" \
      "$(en_zh "its connection closed at once, no reply, the end of the stream (section 5: the parent drops that one client)" "连接立刻被关闭，没有应答，看到的是流结束（第 5 节：父进程放弃这一个客户端）")" \
      "$(en_zh "status $status, reply:" "退出状态 $status，应答：") $(_visible <dropped) $(peer_words "$stderr")"
  run_peer tcp_client 127.0.0.1 "$port" --send $'small.bin\n' --idle-ms 5000 --out reply
  { printf 'OK 100000\n'; cat "$SERVED/small.bin"; } >expected-reply
  [[ $status == 0 ]] && cmp -s expected-reply reply ||
    flunk_wire "$(en_zh "the reply to the next client, after the failed fork" "fork 失败之后下一个客户端得到的应答")" \
      "$(en_zh "OK 100000 and the file: the server goes on" "OK 100000 和文件：服务器继续工作")" \
      "$(en_zh "status $status, reply:" "退出状态 $status，应答：") $(head -c 60 reply | _visible) $(peer_words "$stderr")"
  wait_line server '"small\.bin" sent 100000 bytes$'
  fds_after=$(ls "/proc/$server_pid/fd" | wc -l)
  ((fds_after == fds_before)) ||
    flunk_wire "$(en_zh "the server's open descriptors after the failed fork and one more client" "fork 失败、又服务了一个客户端之后，服务器打开的描述符数")" \
      "$fds_before $(en_zh "(as before: the dropped connection closed)" "（和之前一样：被放弃的连接已关闭）")" "$fds_after"
  send_signal server TERM
  wait_exit server 5 "$(en_zh "after SIGTERM" "从 SIGTERM 算起")"
  assert_success
  assert_equal "$stderr" "concurrent_server: fork: Resource temporarily unavailable"
  refute_output --partial "fork"
}

# Three tests run a group of lesson 05's tests each (lesson05_tests), and each of those has the
# usual budget of its own (BATS_TEST_TIMEOUT): a test that calls lesson05_tests gets five times
# the usual, whatever its name. bats reads the budget after the file's top level has run, in
# the test's own process; here, at the end of the file, the test's function is defined.
if [[ -n ${BATS_TEST_NAME:-} && -n ${BATS_TEST_TIMEOUT:-} ]] &&
  [[ $(declare -f "$BATS_TEST_NAME" 2>/dev/null) == *$'\n'*lesson05_tests\ * ]]; then
  BATS_TEST_TIMEOUT=$((BATS_TEST_TIMEOUT * 5))
fi
