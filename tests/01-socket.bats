#!/usr/bin/env bats
# Lesson 01 (sockets): the specification of `sockets`, as tests.
# The contract is lessons/01-socket/README.md, section 7.

# The section that teaches flushing stdout (R7.6: the ready line, flushed): a wait for a line that never came
# names it when the program is still running and printed nothing new (tests/harness/test_helper.bash).
BUFFERING_EXPLAINED_IN=7

setup() { load harness/test_helper; }
teardown() { lab_teardown; }

# field LINE KEY: the value of KEY=value in one line of the program's output.
field() {
  sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"
}

# report_for KIND: the line `sockets` printed for KIND (the first one).
report_for() {
  grep -m1 "^$1 " <<<"$output" ||
    flunk_wire "$(en_zh "no line for $1" "没有 $1 的那一行")" "$(en_zh "a line starting with \"$1 fd=\"" "以“$1 fd=”开头的一行")" "$output"
}

# has_ipv6_loopback: this machine has the address ::1 (the kernel lists it in /proc/net/if_inet6).
has_ipv6_loopback() {
  grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null
}

# kernel_udp_address PID FD: the local address that the kernel's own tables of UDP sockets
# (/proc/net/udp, /proc/net/udp6) list for the socket behind descriptor FD of process PID,
# written the way `sockets` writes it (127.0.0.1:PORT, [::1]:PORT); nothing if there is none.
# In those tables a socket is known by its inode, its port is in hexadecimal and its address
# in the kernel's byte order. (A TCP socket that is bound but neither listens nor is connected
# is in no such table: the tests check TCP ports by trying to bind them, with the ports peer.)
kernel_udp_address() {
  local link inode table laddr ino addr
  link=$(readlink "/proc/$1/fd/$2") || return 0
  [[ $link =~ ^socket:\[([0-9]+)\]$ ]] || return 0
  inode=${BASH_REMATCH[1]}
  for table in udp udp6; do
    while read -r _ laddr _ _ _ _ _ _ _ ino _; do
      [[ $ino == "$inode" ]] || continue
      case ${laddr%:*} in
        0100007F | 7F000001) addr=127.0.0.1 ;;
        00000000000000000000000001000000 | 00000000000000000000000000000001) addr='[::1]' ;;
        *) addr=${laddr%:*} ;;
      esac
      echo "$addr:$((16#${laddr##*:}))"
      return 0
    done < <(tail -n +2 "/proc/net/$table" 2>/dev/null)
  done
}

# can_hide_loopback: this machine can run a program in a network namespace of its own
# (unshare -rn) where the loopback interface is down, so that ::1 does not exist there.
can_hide_loopback() {
  has_ipv6_loopback && [[ -z $(unshare -rn cat /proc/net/if_inet6 2>/dev/null || echo no) ]]
}

# run_without_loopback KIND...: run `sockets KIND...` like run_prog, but in such a namespace:
# there, bind() to [::1] fails with EADDRNOTAVAIL.
run_without_loopback() {
  local bin
  bin=$(lab_bin sockets) || return 1
  run_bounded "$(command -v unshare)" -rn "$bin" "$@"
}

# ---- usage (the starter already provides these) ----

# zh: 没有 KIND 时，在标准错误上打印用法说明，退出状态 2
# bats test_tags=starter-provides
@test "with no KIND it prints a usage line on stderr and exits with status 2" {
  explained_in 7
  covers R7.9
  run_prog sockets
  assert_failure 2
  assert_equal "$output" ""
  assert_regex "$stderr" '^usage: sockets KIND'
}

# zh: 未知的 KIND 是用法错误：退出状态 2，什么也不创建
# bats test_tags=starter-provides
@test "an unknown KIND is a usage error: status 2, nothing created" {
  explained_in 7
  covers R7.9
  run_prog sockets tcp carrier-pigeon
  assert_failure 2
  assert_equal "$output" ""
  assert_regex "$stderr" '^usage: sockets KIND'
  # a KIND is one of the table's words, whole: not a piece of one, nor one with more after it
  local kind
  for kind in tc t "" unix udp6x tcp66 TCP unix-streams unix-dgramX; do
    run_prog sockets udp "$kind"
    ((status == 2)) && [[ -z $output && $stderr == "usage: sockets KIND"* ]] ||
      flunk_wire "$(en_zh "sockets udp \"$kind\"" "sockets udp \"$kind\"")" \
        "$(en_zh "status 2, the usage line, nothing on stdout: \"$kind\" is no KIND of the table (R7.9)" "退出状态 2、用法说明、标准输出上什么也没有：\"$kind\" 不是表里的 KIND（R7.9）")" \
        "$(en_zh "status $status, stdout: ${output:-(nothing)}" "退出状态 $status，标准输出：${output:-（无）}")"
  done
  # there are no options: -- and -x are words like any other, unknown KINDs (getopt would take
  # -- for the end of options, and say something of its own about -x)
  for kind in -- -x; do
    run_prog sockets "$kind" tcp
    assert_failure 2
    assert_equal "$output" ""
    assert_regex "$stderr" '^usage: sockets KIND'
  done
}

# zh: 超过 64 个 KIND 是用法错误：退出状态 2
# bats test_tags=starter-provides
@test "more than 64 KINDs is a usage error: status 2" {
  explained_in 7
  covers R7.9
  # 257 and 320: a count kept in an unsigned char would be 1 and 64
  local n
  for n in 65 257 320; do
    run_prog sockets $(printf 'udp %.0s' $(seq "$n"))
    assert_failure 2
    assert_equal "$output" ""
    assert_regex "$stderr" '^usage: sockets KIND'
  done
}

# ---- what the kernel says about each socket ----

# zh: tcp 套接字是 AF_INET、SOCK_STREAM，协议号 6（TCP）
# bats test_tags=points:2
@test "a tcp socket is AF_INET, SOCK_STREAM, protocol 6 (TCP)" {
  explained_in 3
  covers R7.1 R7.2 R7.4
  run_prog sockets tcp
  assert_success
  line=$(report_for tcp)
  assert_equal "$(field "$line" domain) $(field "$line" type) $(field "$line" protocol)" "AF_INET SOCK_STREAM 6"
}

# zh: udp 套接字是 AF_INET、SOCK_DGRAM，协议号 17（UDP）
# bats test_tags=points:2
@test "a udp socket is AF_INET, SOCK_DGRAM, protocol 17 (UDP)" {
  explained_in 3
  covers R7.1 R7.2 R7.4
  run_prog sockets udp
  assert_success
  line=$(report_for udp)
  assert_equal "$(field "$line" domain) $(field "$line" type) $(field "$line" protocol)" "AF_INET SOCK_DGRAM 17"
}

# zh: tcp6 和 udp6 套接字是 AF_INET6，绑定在 [::1] 上
# bats test_tags=points:2
@test "tcp6 and udp6 sockets are AF_INET6 and bound to [::1]" {
  explained_in 4
  covers R7.1 R7.4 R7.5
  has_ipv6_loopback || skip "$(en_zh "this machine has no IPv6 loopback address" "这台机器没有 IPv6 环回地址")"
  run_prog sockets tcp6 udp6
  assert_success
  tcp6=$(report_for tcp6)
  udp6=$(report_for udp6)
  assert_equal "$(field "$tcp6" domain) $(field "$tcp6" type) $(field "$tcp6" protocol)" "AF_INET6 SOCK_STREAM 6"
  assert_equal "$(field "$udp6" domain) $(field "$udp6" type) $(field "$udp6" protocol)" "AF_INET6 SOCK_DGRAM 17"
  assert_regex "$(field "$tcp6" local)" '^\[::1\]:[1-9][0-9]*$'
  assert_regex "$(field "$udp6" local)" '^\[::1\]:[1-9][0-9]*$'
}

# zh: unix-stream 和 unix-dgram 套接字是 AF_UNIX，协议号 0，没有名字
# bats test_tags=points:2
@test "unix-stream and unix-dgram sockets are AF_UNIX, protocol 0, with no name" {
  explained_in 3
  covers R7.1 R7.4 R7.5
  run_prog sockets unix-stream unix-dgram
  assert_success
  stream=$(report_for unix-stream)
  dgram=$(report_for unix-dgram)
  assert_equal "$(field "$stream" domain) $(field "$stream" type) $(field "$stream" protocol)" "AF_UNIX SOCK_STREAM 0"
  assert_equal "$(field "$dgram" domain) $(field "$dgram" type) $(field "$dgram" protocol)" "AF_UNIX SOCK_DGRAM 0"
  assert_equal "$(field "$stream" local) $(field "$dgram" local)" "unnamed unnamed"
}

# zh: tcp 和 udp 套接字绑定在 127.0.0.1 上，端口由内核选择
# bats test_tags=points:2
@test "Internet sockets are bound to 127.0.0.1 on a port the kernel chose" {
  explained_in 4
  covers R7.1 R7.5
  run_prog sockets tcp udp
  assert_success
  assert_regex "$(field "$(report_for tcp)" local)" '^127\.0\.0\.1:[1-9][0-9]*$'
  assert_regex "$(field "$(report_for udp)" local)" '^127\.0\.0\.1:[1-9][0-9]*$'
}

# zh: 套接字按命令行里的顺序列出，各有自己的描述符和端口
# bats test_tags=points:2
@test "sockets are reported in command-line order, each with its own descriptor and port" {
  explained_in 7
  covers R7.1 R7.2 R7.3
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

# zh: 列出的每个 fd 都是进程在等待期间确实持有的套接字
# bats test_tags=points:2
@test "each reported fd is a socket the process really holds while it waits" {
  explained_in 1
  covers R7.3 R7.6 R7.7
  spawn_prog sk sockets tcp udp unix-stream
  wait_line sk '^ready: 3 sockets open$'
  pid=$(prog_pid sk)
  fds=$(grep -o ' fd=[0-9]*' "$BATS_TEST_TMPDIR/sk.out" | cut -d= -f2)
  [[ $(wc -w <<<"$fds") == 3 ]] ||
    flunk_wire "$(en_zh "not one fd= per socket" "不是每个套接字一个 fd=")" "$(en_zh "3 lines with fd=N" "3 行带 fd=N 的输出")" "$(cat "$BATS_TEST_TMPDIR/sk.out")"
  for fd in $fds; do
    target=$(readlink "/proc/$pid/fd/$fd" || echo "no fd $fd")
    [[ $target == socket:* ]] || flunk_wire "$(en_zh "fd $fd of the program is not a socket" "程序的 fd $fd 不是套接字")" "socket:[inode]" "$target"
  done
  wait_exit sk
  assert_success
}

# zh: 程序等待期间，列出的端口都被占用，设了 SO_REUSEADDR 和 SO_REUSEPORT 的套接字也绑定不了；标准输入关闭之后，端口就空出来了
# bats test_tags=points:2
@test "a reported port is in use while the program waits, even to a socket that sets SO_REUSEADDR and SO_REUSEPORT, and free once stdin closes" {
  explained_in 5
  covers R7.1 R7.5 R7.7 R7.8
  spawn_prog sk sockets tcp udp
  wait_line sk '^ready: 2 sockets open$'
  tcp_port=$(grep '^tcp ' "$BATS_TEST_TMPDIR/sk.out" | grep -o 'local=[^ ]*' | cut -d: -f2)
  udp_port=$(grep '^udp ' "$BATS_TEST_TMPDIR/sk.out" | grep -o 'local=[^ ]*' | cut -d: -f2)
  run_peer ports probe tcp "$tcp_port" 127.0.0.1
  assert_failure 1 # in use: our bind(2) gets EADDRINUSE
  run_peer ports probe udp "$udp_port" 127.0.0.1
  assert_failure 1
  # not even a socket that sets SO_REUSEADDR and SO_REUSEPORT shares them: sockets sets no option (R7.1)
  local proto
  for proto in tcp udp; do
    local probed=${proto}_port
    # as the program's own user: SO_REUSEPORT shares a port only between one user's sockets
    run_peer --as program ports probe --reuse "$proto" "${!probed}" 127.0.0.1
    ((status == 1)) || flunk_wire "$(en_zh "another program's bind of the $proto port ${!probed}, with SO_REUSEADDR and SO_REUSEPORT, while sockets holds it" "sockets 占着 $proto 端口 ${!probed} 时，另一个程序设了 SO_REUSEADDR 和 SO_REUSEPORT 再绑定它")" \
      "$(en_zh "Address already in use: the port is the socket's alone (section 4, R7.1: no socket option)" "Address already in use：这个端口只归 sockets 的那个套接字（第 4 节，R7.1：不设任何套接字选项）")" \
      "$(en_zh "bound: both sockets set SO_REUSEADDR or SO_REUSEPORT, so they share it" "绑定成功：两个套接字都设了 SO_REUSEADDR 或 SO_REUSEPORT，于是共用了这个端口")"
  done

  wait_exit sk
  assert_success
  assert_line "closed 2 sockets"
  run_peer ports probe tcp "$tcp_port" 127.0.0.1
  assert_success
  run_peer ports probe udp "$udp_port" 127.0.0.1
  assert_success
}

# zh: 为 udp 或 udp6 套接字打印的地址，正是内核为这个描述符列出的地址
# bats test_tags=points:1
@test "the address printed for a udp or udp6 socket is the one the kernel lists for that descriptor" {
  explained_in 4
  covers R7.5
  # a Unix socket between them, and IPv6 after IPv4: each getsockname needs its address
  # length set afresh (a length kept from the socket before is too short for this one)
  kinds=(udp unix-dgram udp) udps=2
  has_ipv6_loopback && kinds+=(udp6 unix-stream udp6) udps=4
  spawn_prog sk sockets "${kinds[@]}"
  wait_line sk "^ready: ${#kinds[@]} sockets open$"
  pid=$(prog_pid sk)
  mapfile -t reports < <(sed -n 's/^\(udp6\{0,1\}\) fd=\([0-9]*\) .*local=\([^ ]*\).*/\1 \2 \3/p' "$BATS_TEST_TMPDIR/sk.out")
  ((${#reports[@]} == udps)) ||
    flunk_wire "$(en_zh "not one line per udp or udp6 socket" "不是每个 udp 或 udp6 套接字一行")" \
      "$(en_zh "$udps lines like \"udp fd=N ... local=ADDR:PORT\"" "$udps 行，形如“udp fd=N ... local=ADDR:PORT”")" "$(cat "$BATS_TEST_TMPDIR/sk.out")"
  for report in "${reports[@]}"; do
    read -r kind fd printed <<<"$report"
    kernel=$(kernel_udp_address "$pid" "$fd")
    [[ $printed == "$kernel" ]] ||
      flunk_wire "$(en_zh "$kind fd=$fd: the kernel lists another local address for it (a port printed without ntohs() comes out byte-swapped; a length not set to the whole structure before each getsockname() cuts the address short)" \
        "$kind fd=$fd：内核为它列出的本地地址不是这个（没有经过 ntohs() 就打印的端口，两个字节是反的；每次调用 getsockname() 之前没有把长度重新设为整个结构的大小，地址就会被截短）")" \
        "local=${kernel:-$(en_zh "(no UDP socket behind fd $fd)" "（fd $fd 背后没有 UDP 套接字）")}   $(en_zh "(from /proc/net/$kind)" "（取自 /proc/net/$kind）")" "local=$printed"
  done
  wait_exit sk
  assert_success
}

# zh: 它打印 ready 之后就等待：输入结束之前不退出
# bats test_tags=points:1
@test "it prints ready and then waits: it does not exit before end of input" {
  explained_in 7
  covers R7.6 R7.7 R7.8
  spawn_prog sk sockets udp
  wait_line sk '^ready: 1 sockets open$'
  # the whole line is out while it waits, its newline too: a reader of lines sees it now
  [[ $(tail -c 1 "$BATS_TEST_TMPDIR/sk.out" | od -An -tx1 | tr -d ' \n') == 0a ]] ||
    flunk_wire "$(en_zh "the last byte on stdout while sockets waits after its ready line" "sockets 打印 ready 行之后等待时，标准输出的最后一个字节")" \
      "$(en_zh "0a, the newline that ends ready: 1 sockets open (a line is flushed whole, R7.6)" "0a，即结束 ready: 1 sockets open 的换行符（一行要整行刷新，R7.6）")" \
      "$(tail -c 1 "$BATS_TEST_TMPDIR/sk.out" | od -An -tx1)"
  feed sk "not yet"
  run_peer await line "$BATS_TEST_TMPDIR/sk.out" '^closed' --pid "$(prog_pid sk)" --ms 300
  assert_failure 1 # still waiting 300 ms after a line of input: no "closed" yet
  wait_exit sk
  assert_success
  assert_line "closed 1 sockets"
}

# zh: 64 个 KIND（最多能接受的数量）全部创建：“ready: 64 sockets open”
# bats test_tags=points:1
@test "64 KINDs, the most it takes, are all made: ready: 64 sockets open" {
  explained_in 7
  covers R7.9 R7.6 R7.8
  run_prog sockets $(printf 'udp %.0s' {1..64})
  assert_success
  made=$(grep -c '^udp fd=' <<<"$output" || true)
  ((made == 64)) || flunk_wire "$(en_zh "lines for 64 udp sockets (64 is allowed; 65 is the usage error)" "64 个 udp 套接字，每个一行（64 个是允许的；65 个才是用法错误）")" \
    "$(en_zh "64 lines \"udp fd=...\"" "64 行“udp fd=...”")" "$made"
  assert_line "ready: 64 sockets open"
  assert_line "closed 64 sockets"
}

# zh: 文件结束之前的输入都被忽略，空行、没有换行的最后一行也一样
# bats test_tags=points:1
@test "input before end of file is ignored, empty lines and a last line without a newline too" {
  explained_in 7
  covers R7.7 R7.8
  spawn_prog sk sockets udp tcp
  wait_line sk '^ready: 2 sockets open$'
  feed sk $'\t  spaces, tabs and a carriage return\r'
  feed sk "" # an empty line: a scanf("%[^\n]") that matches nothing would stop there
  feed sk ""
  printf 'no newline at the end' >&"${_INFD[sk]}"
  wait_exit sk
  assert_success
  assert_line "closed 2 sockets"
  assert_equal "$stderr" ""
}

# ---- errors ----

# zh: socket() 失败时打印“sockets: socket(KIND): REASON”，退出状态 1
# bats test_tags=points:1
@test "when socket() fails it prints sockets: socket(KIND): REASON and exits with status 1" {
  explained_in 6
  covers R7.10
  # 16 descriptors in all: some of the 40 sockets must fail with EMFILE.
  run_prog --fd-limit 16 sockets $(printf 'tcp %.0s' {1..40})
  assert_failure 1 # 1: a system call failed (2 is for usage errors)
  # the first failure ends it: one line on stderr, though 27 more sockets() would fail too
  [[ $stderr == "sockets: socket(tcp): Too many open files" ]] ||
    flunk_wire "$(en_zh "stderr when socket() fails for KIND 14 of 40 (and would fail for every KIND after it)" "40 个 KIND 中第 14 个的 socket() 失败（之后的每个 KIND 也都会失败）时的标准错误")" \
      "$(en_zh "one line" "一行")：sockets: socket(tcp): Too many open files" "$(head -c 600 <<<"$stderr") ($(grep -c . <<<"$stderr") $(en_zh lines 行))"
  refute_line --regexp '^ready'
  # the longest KINDs are named whole: socket(unix-stream), 19 characters
  local kind
  for kind in unix-stream unix-dgram; do
    run_prog --fd-limit 4 sockets tcp "$kind"
    assert_failure 1
    assert_equal "$stderr" "sockets: socket($kind): Too many open files"
  done
  # the line starts with sockets: whatever name the program was started under (argv[0]:
  # warn() and perror-style helpers that print it would say lab01)
  run_bounded --fd-limit 4 bash -c 'exec -a lab01 "$0" tcp tcp' "$(lab_bin sockets)"
  assert_failure 1
  assert_equal "$stderr" "sockets: socket(tcp): Too many open files"
}

# zh: bind() 失败时打印“sockets: bind(KIND): REASON”，退出状态 1
# bats test_tags=points:1
@test "when bind() fails it prints sockets: bind(KIND): REASON and exits with status 1" {
  explained_in 6
  covers R7.10 R7.1
  can_hide_loopback || skip "$(en_zh "this machine cannot run a program without ::1 (unshare -rn)" "这台机器不能让程序在没有 ::1 的环境里运行（unshare -rn）")"
  run_without_loopback unix-dgram udp6 unix-stream
  assert_failure 1
  assert_equal "$stderr" "sockets: bind(udp6): Cannot assign requested address"
  refute_line --regexp '^ready'
  # each KIND is made and bound before the next is made (R7.1): with room for two sockets,
  # the bind of udp6 fails first, before a third socket() could fail for want of descriptors
  run_bounded --fd-limit 5 "$(command -v unshare)" -rn "$(lab_bin sockets)" udp6 tcp tcp
  assert_failure 1
  assert_equal "$stderr" "sockets: bind(udp6): Cannot assign requested address"
}

# zh: 读标准输入失败时打印“sockets: read(stdin): REASON”，不打印 closed 那一行，退出状态 1
# bats test_tags=points:1
@test "when reading standard input fails it prints sockets: read(stdin): REASON, no closed line, status 1" {
  explained_in 7
  covers R7.11
  # A directory as standard input: read() on it fails with EISDIR.
  run_prog --in-file "$BATS_TEST_TMPDIR" sockets udp
  assert_line "ready: 1 sockets open"
  assert_failure 1
  assert_equal "$stderr" "sockets: read(stdin): Is a directory"
  refute_line --regexp '^closed'
}

# ---- the edges of each rule ----

# zh: 输入里的 0xff、NUL 等任何字节都不会结束等待，只有输入结束才会
# bats test_tags=points:1
@test "a 0xff byte, a NUL or any other byte of input does not end the wait: only end of input does" {
  explained_in 7
  covers R7.7 R7.8
  spawn_prog sk sockets udp
  wait_line sk '^ready: 1 sockets open$'
  # 0xff is the byte that a char compared with EOF (-1) takes for the end; 04 is Ctrl-D at a
  # terminal, but in a pipe only a byte
  printf 'x\xff\x00\x04\x1a\xfe\n' >&"${_INFD[sk]}"
  run_peer await line "$BATS_TEST_TMPDIR/sk.out" '^closed' --pid "$(prog_pid sk)" --ms 300
  ((status == 1)) || flunk_wire "$(en_zh "sockets after the bytes 78 ff 00 04 1a fe 0a on its standard input, input still open" "标准输入收到字节 78 ff 00 04 1a fe 0a、但还没有关闭时的 sockets")" \
    "$(en_zh "still waiting (no closed line, not exited)" "仍在等待（没有 closed 行，也没有退出）")" "$(cat "$BATS_TEST_TMPDIR/sk.out")"
  # more input than any buffer: 70000 bytes more, the wait goes on (each read gets a whole buffer)
  head -c 70000 /dev/zero | tr '\0' 'y' >&"${_INFD[sk]}" || true # (a program that ended: tr's EPIPE)
  run_peer await line "$BATS_TEST_TMPDIR/sk.out" '^closed' --pid "$(prog_pid sk)" --ms 300
  ((status == 1)) || flunk_wire "$(en_zh "sockets after 70000 more bytes on its standard input, input still open" "标准输入又收到 70000 个字节、但还没有关闭时的 sockets")" \
    "$(en_zh "still waiting: only end of input ends it, however much came before (R7.7)" "仍在等待：只有标准输入读到文件结束（EOF）才结束等待，不管之前来了多少字节（R7.7）")" "$(cat "$BATS_TEST_TMPDIR/sk.out")"
  wait_exit sk
  assert_success
  assert_line "closed 1 sockets"
}

# zh: FD 是 socket() 真正返回的编号：描述符 3 已被占用时，第一个套接字拿到的不是 3
# bats test_tags=points:1
@test "FD is the number socket() returned, also when descriptor 3 is already open before it starts" {
  explained_in 5
  covers R7.3
  bin=$(lab_bin sockets) || return 1
  # bash opens descriptor 3 on /dev/null, then becomes the program: its sockets get 4, 5, 6
  spawn_cmd sk bash -c 'exec 3</dev/null && exec "$0" "$@"' "$bin" udp tcp unix-dgram
  wait_line sk '^ready: 3 sockets open$'
  pid=$(prog_pid sk)
  fds=$(grep -o ' fd=[0-9]*' "$BATS_TEST_TMPDIR/sk.out" | cut -d= -f2)
  [[ $(wc -w <<<"$fds") == 3 ]] || flunk_wire "$(en_zh "not one fd= per socket" "不是每个套接字一个 fd=")" "$(en_zh "3 lines with fd=N" "3 行带 fd=N 的输出")" "$(cat "$BATS_TEST_TMPDIR/sk.out")"
  for fd in $fds; do
    target=$(readlink "/proc/$pid/fd/$fd" || echo "no descriptor $fd")
    [[ $target == socket:* ]] ||
      flunk_wire "$(en_zh "fd=$fd, printed by the program started with descriptor 3 open on /dev/null, is not a socket" "程序启动时描述符 3 已指向 /dev/null，它打印的 fd=$fd 不是套接字")" \
        "$(en_zh "fd=N where N is what socket() returned (3 was taken: 4, 5, 6)" "fd=N，N 是 socket() 的返回值（3 已被占用：4、5、6）")" "$(en_zh "fd=$fd, which is $target" "fd=$fd，它是 $target")"
  done
  wait_exit sk
  assert_success
}

# zh: 标准输出正好是：每个 KIND 一行（按命令行顺序），然后 ready，然后 closed，别无其他
# bats test_tags=points:1
@test "stdout is exactly one line per KIND in order, then ready, then closed, even into a file" {
  explained_in 7
  covers R7.2 R7.6 R7.8
  run_prog sockets udp unix-stream tcp
  assert_success
  want='^udp fd=[0-9]+ domain=AF_INET type=SOCK_DGRAM protocol=17 local=127\.0\.0\.1:[0-9]+
unix-stream fd=[0-9]+ domain=AF_UNIX type=SOCK_STREAM protocol=0 local=unnamed
tcp fd=[0-9]+ domain=AF_INET type=SOCK_STREAM protocol=6 local=127\.0\.0\.1:[0-9]+
ready: 3 sockets open
closed 3 sockets$'
  [[ $output =~ $want ]] || flunk_wire "$(en_zh "the whole standard output of sockets udp unix-stream tcp (a file, not a terminal)" "sockets udp unix-stream tcp 的全部标准输出（是文件，不是终端）")" \
    "udp fd=... / unix-stream fd=... / tcp fd=... / ready: 3 sockets open / closed 3 sockets$(en_zh ", in this order, nothing else" "，按这个顺序，没有别的")" "$output"
  assert_equal "$stderr" ""
}
