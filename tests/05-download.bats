#!/usr/bin/env bats
# Lesson 05 (file download): the specification of download_server and download_client, as tests.
# The contract is lessons/05-download/README.md: the protocol in section 2, each program in section 9.

# The section that teaches flushing stdout (the log, flushed at once): a wait for a line that never came
# names it when the program is still running and printed nothing new (tests/harness/test_helper.bash).
BUFFERING_EXPLAINED_IN=3

# The big files are made once for the whole file: random bytes cost time.
setup_file() {
  export SERVED="$BATS_FILE_TMPDIR/served"
  mkdir -p "$SERVED"
  head -c $((40 * 1024 * 1024)) /dev/urandom >"$SERVED/big.bin"
  head -c 100000 /dev/urandom >"$SERVED/small.bin"
  printf 'hello\n' >"$SERVED/hello.txt"
}

setup() {
  load harness/test_helper
  # The client saves into its current directory: give each test an empty one.
  mkdir -p "$BATS_TEST_TMPDIR/got"
  cd "$BATS_TEST_TMPDIR/got" || exit 1
}

teardown() { lab_teardown; }

BIG_SIZE=$((40 * 1024 * 1024))

# The server the tests start. Lesson 06 runs the tests tagged concurrent:GROUP again with its
# concurrent_server in download_server's place (DOWNLOAD_SERVER=concurrent_server): its
# protocol, log and limits are this lesson's (lesson 06, R8.1). A test that needs this
# lesson's client, or one client at a time, has no such tag.
DOWNLOAD_SERVER=${DOWNLOAD_SERVER:-download_server}

# start_server DIR: the server ($DOWNLOAD_SERVER) serving DIR on a free port ($port), ready for clients.
start_server() {
  free_port port
  spawn_prog server "$DOWNLOAD_SERVER" -d "$1" "$port"
  wait_tcp server "$port"
}

# download ARGS: download_client 127.0.0.1 $port ARGS, run to completion in the current directory.
download() {
  run_prog download_client 127.0.0.1 "$port" "$@"
}

# log_line ERE: wait until the server logged a line matching ERE.
log_line() {
  wait_line server "$1"
}

# raw_request TEXT: send TEXT as it is to the server with tcp_client; the reply lands in ./reply.
raw_request() {
  run_peer tcp_client 127.0.0.1 "$port" --send "$1" --out reply
  assert_success
}

# assert_reply TEXT: ./reply holds exactly TEXT and a newline.
assert_reply() {
  printf '%s\n' "$1" >expected-reply
  if ! cmp -s expected-reply reply; then
    flunk_wire "$(en_zh "the server's reply" "服务器的应答")" "$(_visible <expected-reply)" "$(_visible <reply)"
  fi
}

# files_here: the names in the current directory, one per line, sorted.
files_here() {
  ls -A | LC_ALL=C sort
}

# assert_files_here [NAME...]: the client's directory holds exactly these files (none if no NAME).
assert_files_here() {
  local expected actual
  expected=$(printf '%s\n' "$@" | LC_ALL=C sort | sed '/^$/d')
  actual=$(files_here)
  [[ $actual == "$expected" ]] ||
    flunk_wire "$(en_zh "the files in the client's directory" "客户端目录里的文件")" "${expected:-$(en_zh "(none)" "（没有）")}" "${actual:-$(en_zh "(none)" "（没有）")}"
}

# peak_memory_kib PID: the largest VmHWM (peak resident memory) of PID and its children, in KiB.
peak_memory_kib() {
  local pid peak=0 kib
  for pid in "$1" $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
    kib=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || continue
    [[ -n $kib ]] && ((kib > peak)) && peak=$kib
  done
  echo "$peak"
}

# ---- usage (the starter already provides these) ----

# zh: download_server 没有 PORT 时，在标准错误上打印用法说明，退出状态 2
# bats test_tags=starter-provides
@test "download_server with no PORT prints a usage line on stderr and exits with status 2" {
  explained_in 9
  covers R9.1
  run_prog download_server
  assert_failure 2
  assert_regex "$stderr" '^usage: download_server '
}

# zh: download_server 拒绝不是 1 到 65535 之间数字的 PORT（退出状态 2）
# bats test_tags=starter-provides
@test "download_server refuses a PORT that is not a number from 1 to 65535 (status 2)" {
  explained_in 9
  covers R9.1
  # 4294985186 is 2^32 + 17890: a conversion to 32 bits would take it for 17890
  for bad in abc 0 65536 -5 80x '' +80 ' 80' '80 ' 0x50 4294985186; do
    run_prog download_server "$bad"
    assert_failure 2
    assert_regex "$stderr" '^usage: download_server '
  done
  # a usage error is told before DIR is even looked at (R9.1 comes before R9.2)
  run_prog download_server -d "$BATS_TEST_TMPDIR/none" 0
  assert_failure 2
  assert_regex "$stderr" '^usage: download_server '
}

# zh: download_client 没有 HOST PORT NAME 时，在标准错误上打印用法说明，退出状态 2
# bats test_tags=starter-provides
@test "download_client without HOST PORT NAME prints a usage line on stderr and exits with status 2" {
  explained_in 9
  covers R9.12
  run_prog download_client 127.0.0.1 7
  assert_failure 2
  assert_regex "$stderr" '^usage: download_client '
}

# zh: download_client 拒绝发不出去的 NAME：空的、含有“/”的、超过 255 字节的（退出状态 2）
# bats test_tags=starter-provides
@test "download_client refuses a NAME it cannot send: empty, with a '/' or a newline, over 255 bytes (status 2)" {
  explained_in 9
  covers R9.12
  for bad in '' '../x' 'a/b' $'a\nb' "$(printf 'n%.0s' {1..256})"; do
    run_prog download_client 127.0.0.1 7 "$bad"
    assert_failure 2
    assert_regex "$stderr" '^usage: download_client '
  done
  assert_files_here
}

# ---- whole files, byte for byte ----

# zh: 0 字节、1 字节、65536 字节和 65537 字节的文件都一个字节不差地到达
# bats test_tags=points:3
@test "files of 0 bytes, 1 byte, 65536 bytes and 65537 bytes arrive byte for byte" {
  explained_in 7
  covers R2.6 R9.14 R2.8
  mkdir "$BATS_TEST_TMPDIR/srv"
  for size in 0 1 65536 65537; do
    head -c "$size" /dev/urandom >"$BATS_TEST_TMPDIR/srv/f$size.bin"
  done
  start_server "$BATS_TEST_TMPDIR/srv"
  for size in 0 1 65536 65537; do
    download "f$size.bin"
    assert_success
    assert_output "saved [接收]f$size.bin ($size bytes)"
    assert_same_file "$BATS_TEST_TMPDIR/srv/f$size.bin" "[接收]f$size.bin"
  done
  # with standard input closed, the socket may get descriptor 0: a descriptor like any other
  rm "[接收]f1.bin"
  run_prog --stdin closed download_client 127.0.0.1 "$port" f1.bin
  [[ $status == 0 ]] || flunk_wire "$(en_zh "download_client 127.0.0.1 PORT f1.bin <&- (standard input closed)" "download_client 127.0.0.1 PORT f1.bin <&-（标准输入已关闭）")" \
    "$(en_zh "saved [接收]f1.bin (1 bytes), status 0: socket() returns the lowest free descriptor, 0 here, and 0 is not an error (only -1 is)" "saved [接收]f1.bin (1 bytes)，退出状态 0：socket() 返回最小的空闲描述符，这里是 0，而 0 不是错误（只有 -1 才是）")" \
    "$(en_zh "status $status, stderr: ${stderr:-nothing}" "退出状态 $status，标准错误：${stderr:-无}")"
  assert_same_file "$BATS_TEST_TMPDIR/srv/f1.bin" "[接收]f1.bin"
}

# zh: 40 MiB 的随机字节文件一个字节不差地到达
# bats test_tags=points:3
@test "a 40 MiB file of random bytes arrives byte for byte" {
  explained_in 6
  covers R2.6 R9.8 R9.14
  start_server "$SERVED"
  download big.bin
  assert_success
  assert_output "saved [接收]big.bin ($BIG_SIZE bytes)"
  assert_same_file "$SERVED/big.bin" "[接收]big.bin"
}

# zh: 含有 0 到 255 每个字节值和成串 NUL 字节的二进制文件，一个字节不差地到达
# bats test_tags=points:3
@test "a binary file with every byte value 0 to 255 and runs of NUL bytes arrives byte for byte" {
  explained_in 7
  covers R2.6 R9.14
  mkdir "$BATS_TEST_TMPDIR/srv"
  # one block of every byte value and 1000 NULs, 40 times over (three processes: a loaded
  # machine made 80 of them take a quarter of the test's budget)
  local block=$BATS_TEST_TMPDIR/block
  printf "$(printf '\\%03o' {0..255})" >"$block"
  head -c 1000 /dev/zero >>"$block"
  cat $(printf "$block %.0s" {1..40}) >"$BATS_TEST_TMPDIR/srv/all-bytes.bin"
  start_server "$BATS_TEST_TMPDIR/srv"
  download all-bytes.bin
  assert_success
  assert_same_file "$BATS_TEST_TMPDIR/srv/all-bytes.bin" "[接收]all-bytes.bin"
}

# zh: 服务器把每次下载记为：“ADDRESS:PORT "NAME" sent N bytes”
# bats test_tags=points:2
@test "the server listens on every IPv4 address and logs each download as ADDRESS:PORT, the name in quotes, sent N bytes" {
  explained_in 3
  covers R9.3 R9.6
  start_server "$SERVED"
  download hello.txt
  assert_success
  log_line '^127\.0\.0\.1:[0-9]+ "hello\.txt" sent 6 bytes$'
  # every IPv4 address of the machine: 127.0.0.2 is loopback too, and reaches only a server bound to all
  run_prog download_client -o other.txt 127.0.0.2 "$port" hello.txt
  [[ $status == 0 ]] || flunk_wire "$(en_zh "a download through 127.0.0.2, another address of this machine" "经由本机的另一个地址 127.0.0.2 下载")" \
    "$(en_zh "saved other.txt: the server listens on every IPv4 address (INADDR_ANY)" "保存了 other.txt：服务器在每个 IPv4 地址上监听（INADDR_ANY）")" "$(en_zh "status $status: $stderr" "退出状态 $status：$stderr")"
}

# zh: 没有 -d 时，服务器提供它的当前目录；-d 也可以是指向目录的符号链接
# bats test_tags=points:2,concurrent:requests
@test "without -d the server serves its current directory, and -d may name a symbolic link to a directory" {
  explained_in 3
  covers R9.2
  printf 'from the current directory\n' >here.txt
  free_port port
  spawn_prog server "$DOWNLOAD_SERVER" "$port"
  wait_tcp server "$port"
  run_peer tcp_client 127.0.0.1 "$port" --send $'here.txt\n' --out reply
  assert_success
  { printf 'OK 27\n'; cat here.txt; } >expected-reply
  assert_same_file expected-reply reply "$(en_zh "the reply" "应答")"
  # DIR through a symbolic link: it opens as the directory it points to (R9.2)
  ln -s "$PWD" "$BATS_TEST_TMPDIR/link"
  free_port port2
  spawn_prog server2 "$DOWNLOAD_SERVER" -d "$BATS_TEST_TMPDIR/link" "$port2"
  wait_tcp server2 "$port2"
  run_peer tcp_client 127.0.0.1 "$port2" --send $'here.txt\n' --out reply
  assert_success
  assert_same_file expected-reply reply "$(en_zh "the reply of a server whose -d names a symbolic link to the directory" "-d 指向目录的符号链接时服务器的应答")"
}

# zh: 日志把名字里的控制字节、双引号和反斜杠写成 \xHH：一个请求，一行日志
# bats test_tags=points:2,concurrent:requests
@test "the log shows control bytes, quotes and backslashes in a name as hex escapes: one request, one line" {
  explained_in 3
  covers R9.6
  start_server "$SERVED"
  raw_request $'fake" sent 1 bytes\x01\\x\n'
  assert_reply "ERR no such file"
  log_line '^127\.0\.0\.1:[0-9]+ "fake\\x22 sent 1 bytes\\x01\\x5cx" refused: no such file$'
}

# zh: 给了 -o PATH 时，客户端就保存到那里；UTF-8 名字原样使用
# bats test_tags=points:2
@test "the client saves under -o PATH when asked, and takes UTF-8 names as they are" {
  explained_in 9
  covers R9.14 R2.2
  mkdir "$BATS_TEST_TMPDIR/srv"
  printf '你好，世界\n' >"$BATS_TEST_TMPDIR/srv/中文.txt"
  start_server "$BATS_TEST_TMPDIR/srv"
  download -o copy.txt 中文.txt
  assert_success
  assert_output "saved copy.txt (16 bytes)"
  assert_same_file "$BATS_TEST_TMPDIR/srv/中文.txt" copy.txt
  download 中文.txt
  assert_success
  assert_same_file "$BATS_TEST_TMPDIR/srv/中文.txt" "[接收]中文.txt"
}

# zh: 255 字节的名字得到服务；256 字节、没有换行的请求行因为太长被拒绝
# bats test_tags=points:2
@test "a name of 255 bytes is served; a request line of 256 bytes without a newline is refused as too long" {
  explained_in 4
  covers R2.1 R2.4 R2.10 R9.6
  mkdir "$BATS_TEST_TMPDIR/srv"
  long=$(printf 'n%.0s' {1..255})
  printf 'long name\n' >"$BATS_TEST_TMPDIR/srv/$long"
  start_server "$BATS_TEST_TMPDIR/srv"
  download -o long.txt "$long"
  assert_success
  assert_same_file "$BATS_TEST_TMPDIR/srv/$long" long.txt
  raw_request "${long}n"$'\n'
  assert_reply "ERR name too long"
  log_line '^127\.0\.0\.1:[0-9]+ - refused: name too long$'
  download -o again.txt "$long" # and the server goes on
  assert_success
  assert_same_file "$BATS_TEST_TMPDIR/srv/$long" again.txt
}

# ---- what the server refuses ----

# zh: 文件不存在，或者名字被服务器拒绝（. 和 ..）：客户端带着服务器给的原因以状态 1 退出，不留文件；服务器记下日志并继续运行
# bats test_tags=points:2
@test "a missing file, or a name the server refuses (. and ..): the client exits 1 with the server's reason and leaves no file; the server logs it and goes on" {
  explained_in 7
  covers R2.13 R9.16 R9.6 R9.13 R9.12
  start_server "$SERVED"
  download no-such-file.txt
  assert_failure 1
  assert_equal "$stderr" 'download_client: the server refused "no-such-file.txt": no such file'
  assert_files_here
  log_line '^127\.0\.0\.1:[0-9]+ "no-such-file\.txt" refused: no such file$'
  # the client sends . and .. as they are (R9.12 refuses only /, the newline, the empty name
  # and more than 255 bytes): the server is the one that refuses them
  local name
  for name in . ..; do
    download -o got "$name"
    assert_failure 1
    assert_equal "$stderr" "download_client: the server refused \"$name\": bad name"
  done
  assert_files_here
  download hello.txt
  assert_success
  assert_same_file "$SERVED/hello.txt" "[接收]hello.txt"
}

# zh: 想跑出目录的名字恰好得到“ERR bad name”，记入日志，服务器继续运行
# bats test_tags=points:2,concurrent:requests
@test "names that escape the directory get exactly ERR bad name, are logged, and the server goes on" {
  explained_in 5
  covers R2.9 R2.1 R2.7 R9.6
  srv="$BATS_TEST_TMPDIR/srv"
  mkdir -p "$srv/sub"
  printf 'inside\n' >"$srv/sub/inner.txt"
  printf 'hello\n' >"$srv/hello.txt"
  printf 'outside\n' >"$BATS_TEST_TMPDIR/secret.txt"
  start_server "$srv"
  for name in ../secret.txt /etc/passwd sub/inner.txt ./sub/inner.txt . .. ''; do
    raw_request "$name"$'\n'
    assert_reply "ERR bad name"
  done
  printf 'hello.txt\0../secret.txt\n' >"$BATS_TEST_TMPDIR/nul-request"
  run_peer tcp_client 127.0.0.1 "$port" --send-file "$BATS_TEST_TMPDIR/nul-request" --out reply
  assert_reply "ERR bad name"
  log_line '^127\.0\.0\.1:[0-9]+ "\.\./secret\.txt" refused: bad name$'
  log_line '^127\.0\.0\.1:[0-9]+ "/etc/passwd" refused: bad name$'
  log_line '^127\.0\.0\.1:[0-9]+ - refused: bad name$'
  log_line '^127\.0\.0\.1:[0-9]+ "hello\.txt\\x00\.\./secret\.txt" refused: bad name$' # the NUL is logged, not an end
  raw_request $'hello.txt\n'
  assert_reply $'OK 6\nhello'
  # only . and .. themselves are bad names (R2.1): dots inside a name, or at its start, are bytes of it
  printf 'dots\n' >"$srv/v1..2.txt"
  printf 'hid\n' >"$srv/..hidden"
  printf 'dot\n' >"$srv/.hidden"
  printf 'd3\n' >"$srv/..."
  raw_request $'v1..2.txt\n'
  assert_reply $'OK 5\ndots'
  raw_request $'..hidden\n'
  assert_reply $'OK 4\nhid'
  raw_request $'.hidden\n'
  assert_reply $'OK 4\ndot'
  raw_request $'...\n'
  assert_reply $'OK 3\nd3'
}

# zh: 提供服务的目录里的符号链接（包括指向不存在文件的）、子目录或设备文件，因为不是普通文件而被拒绝
# bats test_tags=points:2,concurrent:requests
@test "a symbolic link (one that points nowhere too), a directory or a device in the served directory is refused as not a regular file" {
  explained_in 5
  covers R2.14
  srv="$BATS_TEST_TMPDIR/srv"
  mkdir -p "$srv/folder"
  printf 'outside\n' >"$BATS_TEST_TMPDIR/secret.txt"
  ln -s "$BATS_TEST_TMPDIR/secret.txt" "$srv/link.txt"
  ln -s /etc/passwd "$srv/passwd"
  ln -s "$BATS_TEST_TMPDIR/nowhere" "$srv/dangling" # a link that points nowhere is still a link
  start_server "$srv"
  for name in link.txt passwd dangling folder; do
    raw_request "$name"$'\n'
    assert_reply "ERR not a regular file"
  done
  log_line '"link\.txt" refused: not a regular file$'
  # a device is neither a directory nor a FIFO, and not a regular file either
  free_port port
  spawn_prog devices "$DOWNLOAD_SERVER" -d /dev "$port"
  wait_tcp devices "$port"
  raw_request $'null\n'
  assert_reply "ERR not a regular file"
}

# ---- clients that misbehave ----

# zh: 一次一个字节到达的请求，得到“OK SIZE”和整个文件
# bats test_tags=points:3,concurrent:requests
@test "a request that arrives one byte at a time is answered with OK SIZE and the whole file" {
  explained_in 4
  covers R2.3 R2.8
  start_server "$SERVED"
  run_peer tcp_client 127.0.0.1 "$port" --send $'small.bin\n' --chunk 1 --pause-ms 20 --keep-open --out reply
  assert_success
  header=$(head -n 1 reply)
  assert_equal "$header" "OK 100000"
  tail -c +11 reply >body
  assert_same_file "$SERVED/small.bin" body "$(en_zh "the bytes after the status line" "状态行之后的字节")"
}

# zh: 传输中途消失的客户端杀不死服务器：服务器把中止记入日志，接着服务下一个客户端，并把它记为 sent
# bats test_tags=points:3
@test "a client that vanishes mid-transfer does not kill the server: it logs the abort, then serves and logs the next client as sent" {
  explained_in 6
  covers R9.9 R9.6
  start_server "$SERVED"
  run_peer tcp_client 127.0.0.1 "$port" --send $'big.bin\n' --read-max 100000 --out /dev/null
  assert_failure 4 # the peer stopped reading on purpose
  log_line "^127\\.0\\.0\\.1:[0-9]+ \"big\\.bin\" aborted after [0-9]+ of $BIG_SIZE bytes: "
  download hello.txt
  assert_success
  assert_same_file "$SERVED/hello.txt" "[接收]hello.txt"
  # nothing of the aborted client's outcome (its error) is left for the next one's log line
  log_line '^127\.0\.0\.1:[0-9]+ "hello\.txt" sent 6 bytes$'
}

# zh: 状态行发不出去（客户端已经复位了连接）时，日志记为“aborted after 0 of SIZE bytes”，文件照样关闭
# bats test_tags=points:1,waits:4
@test "a status line that cannot be sent (the client reset the connection) is logged as aborted after 0 of SIZE bytes, and the file is closed" {
  explained_in 6
  covers R9.6 R9.11
  start_server "$SERVED"
  fds_before=$(ls "/proc/$(prog_pid server)/fd" | wc -l)
  # A silent client holds the server for its 3 seconds (R9.5); the next one, queued behind it,
  # sends its request and resets the connection. When the server takes it, the request is
  # there to read, and the status line can no longer be sent.
  spawn_peer silent dl_stall 127.0.0.1 "$port" --stall-ms 8000
  wait_line silent '^connected$'
  run_peer tcp4_reset_client 127.0.0.1 "$port" --send $'hello.txt\n' --wait-ms 0
  assert_success
  log_line '^127\.0\.0\.1:[0-9]+ - refused: timeout$'
  log_line '^127\.0\.0\.1:[0-9]+ "hello\.txt" aborted after 0 of 6 bytes: .+$'
  # the file was open when the status line failed: it is closed all the same (R9.11)
  fds_after=$(fds_settled "$(prog_pid server)" "$fds_before")
  assert_equal "$fds_after open descriptors" "$fds_before open descriptors"
}

# zh: accept 因为没有可用的描述符（EMFILE）而失败时，服务器停下：download_server: accept: REASON，退出状态 1
# bats test_tags=points:1
@test "when accept fails for want of a descriptor (EMFILE), the server stops: download_server: accept: REASON, status 1" {
  explained_in 3
  covers R9.2
  free_port port
  SPAWN_FD_LIMIT=5 spawn_prog server "$DOWNLOAD_SERVER" -d "$SERVED" "$port"
  stops_at_emfile server "$port" download_server R9.2
}

# zh: 连上后什么都不发的客户端，大约 3 秒后得到“ERR timeout”
# bats test_tags=points:2,waits:3,concurrent:timing
@test "a client that connects and sends nothing gets ERR timeout after about 3 seconds" {
  explained_in 4
  covers R2.5 R2.11
  start_server "$SERVED"
  started=$(date +%s%N)
  run_peer tcp_client 127.0.0.1 "$port" --keep-open --idle-ms 8000 --out reply
  waited_ms=$((($(date +%s%N) - started) / 1000000))
  if ((status == 3)); then
    flunk_wire "$(en_zh "the server's answer to a client that sends nothing" "服务器对什么都不发的客户端的应答")" \
      "$(en_zh "ERR timeout after 3 s, then the close" "3 秒后“ERR timeout”，然后关闭")" "$(en_zh "nothing for 8 s" "8 秒内什么都没有")"
  fi
  assert_success
  assert_reply "ERR timeout"
  ((waited_ms >= 2500)) || flunk_wire "$(en_zh "when the silent client was dropped" "一声不吭的客户端何时被放弃")" \
    "$(en_zh "after about 3000 ms" "大约 3000 毫秒之后")" "$(en_zh "after $waited_ms ms" "$waited_ms 毫秒之后")"
  log_line '^127\.0\.0\.1:[0-9]+ - refused: timeout$'
}

# unread_on PORT CPORT: the bytes that wait, unread, on the server's side of the connection
# between its PORT and the test client's CPORT (/proc/net/tcp's rx_queue); status 1 if there is
# no such connection. all_read_on and some_unread_on: none, or some.
unread_on() {
  local line rx
  line=$(grep -E "^ *[0-9]+: [0-9A-F]+:$(printf '%04X' "$1") [0-9A-F]+:$(printf '%04X' "$2") 01 " /proc/net/tcp) || return 1
  read -r _ _ _ _ rx _ <<<"$line"
  printf '%d\n' "0x${rx#*:}"
}
all_read_on() { [[ $(unread_on "$1" "$2") == 0 ]]; }
some_unread_on() { local n; n=$(unread_on "$1" "$2") && ((n > 0)); }

# zh: 服务器被暂停、错过了 3 秒的期限，请求的后半截在这期间到达：继续运行后立即回 ERR timeout，不会永远等下去
# bats test_tags=points:1,waits:5
@test "a server stopped past its 3 seconds, while the rest of the request came: ERR timeout at once when it goes on, not a wait for ever" {
  explained_in 4
  covers R2.5 R2.11
  start_server "$SERVED"
  # hel at once, lo 4 s later, no newline, and the connection kept open
  spawn_peer c tcp_client 127.0.0.1 "$port" --send hello --chunk 3 --pause-ms 4000 --keep-open \
    --idle-ms 8000 --say-port --out reply
  wait_err c '^tcp_client: local port [0-9]+$'
  local cport rx
  cport=$(grep -o 'local port [0-9]*' "$BATS_TEST_TMPDIR/c.err" | grep -o '[0-9]*$')
  # the server took the connection and read hel; stopped, it sees its deadline pass and lo come
  wait_until 3 all_read_on "$port" "$cport" ||
    fail "$(en_zh "the server did not read the first bytes of the request: this test cannot go on" "服务器没有读取请求的头几个字节：这个测试无法继续")"
  kill -STOP "$(prog_pid server)"
  wait_until 8 some_unread_on "$port" "$cport" ||
    fail "$(en_zh "the rest of the request did not arrive: this test cannot go on" "请求的后半截没有到达：这个测试无法继续")"
  kill -CONT "$(prog_pid server)"
  wait_exit c
  ((status != 3)) || flunk_wire "$(en_zh "the reply once the server went on, 4 s after accept, with hello and no newline waiting" "accept 之后 4 秒服务器继续运行、hello（没有换行符）正等着它时的应答")" \
    "$(en_zh "ERR timeout at once: the 3 s are over, whatever is left is less than nothing (poll's timeout is never negative: -1 waits for ever)" "立即回 ERR timeout：3 秒已经过去，剩下的时间小于零（poll 的超时不能是负数：-1 表示永远等待）")" \
    "$(en_zh "nothing for 8 s: the server waits for ever" "8 秒什么都没有：服务器永远等下去")"
  assert_reply "ERR timeout"
  log_line '^127\.0\.0\.1:[0-9]+ - refused: timeout$'
}

# zh: 3 秒是对整行计时：每 250 毫秒来一个字节的请求得到“ERR timeout”
# bats test_tags=points:2,waits:3,concurrent:timing
@test "the 3 seconds are for the whole line: a request dripping in a byte every 250 ms gets ERR timeout" {
  explained_in 4
  covers R2.5 R9.7
  start_server "$SERVED"
  # 20 bytes, no newline: 5 s of dripping. The peer stops as soon as a reply begins.
  spawn_peer drip dl_stall 127.0.0.1 "$port" --request aaaaaaaaaaaaaaaaaaaa --drip-ms 250 --idle-ms 4000 \
    --out reply
  wait_exit drip
  if [[ $output == *"dripped 20 of 20"* ]]; then
    late=$(en_zh "a reply only after all 20 bytes (5 s): the 3 s restarted at each byte" "20 个字节全部到达（5 秒）之后才应答：3 秒在每个字节到达时都重新计时")
    ((status == 3)) && late=$(en_zh "no reply at all" "根本没有应答")
    flunk_wire "$(en_zh "the server's answer to a client that drips its request" "服务器对一点一点发送请求的客户端的应答")" \
      "$(en_zh "ERR timeout 3 s after the connection, while the bytes still came in" "连接后 3 秒收到 ERR timeout，此时请求的字节还在陆续到达")" "$late"
  fi
  assert_success
  assert_reply "ERR timeout"
  log_line '^127\.0\.0\.1:[0-9]+ - refused: timeout$'
}

# zh: 十个客户端一个接一个，有好有坏，第十一个照样得到服务；没有描述符泄漏
# bats test_tags=points:2
@test "twelve clients one after another, good and bad, and the thirteenth is served; no descriptor leaks" {
  explained_in 9
  covers R9.11
  srv="$BATS_TEST_TMPDIR/srv"
  mkdir -p "$srv/folder"
  cp "$SERVED/hello.txt" "$SERVED/small.bin" "$srv/"
  start_server "$srv"
  fds_before=$(ls "/proc/$(prog_pid server)/fd" | wc -l)
  for round in 1 2; do
    download hello.txt
    assert_success
    download missing.txt
    assert_failure 1
    download folder # opened, then refused: its descriptor must be closed too
    assert_failure 1
    run_peer tcp_client 127.0.0.1 "$port" --close-now
    run_peer tcp_client 127.0.0.1 "$port" --send $'../x\n' --out /dev/null
    run_peer tcp_client 127.0.0.1 "$port" --send $'small.bin\n' --read-max 10 --out /dev/null
  done
  download -o thirteenth.bin small.bin
  assert_success
  assert_same_file "$SERVED/small.bin" thirteenth.bin
  # the last connection may still be open for the second its graceful close waits (R9.10)
  fds_after=$(fds_settled "$(prog_pid server)" "$fds_before")
  assert_equal "$fds_after open descriptors" "$fds_before open descriptors"
}

# zh: 一个接一个的随机请求，有正确的也有错误的：每个应答都是第 2 节的表规定的那个，每一行日志都是 R9.6 规定的那一行
# bats test_tags=points:3,concurrent:requests
@test "random requests, good and bad, one after another: every reply is the one section 2's table gives, every log line the one R9.6 gives" {
  explained_in 2
  covers R2.1 R2.2 R2.3 R2.4 R2.6 R2.8 R2.9 R2.10 R2.12 R2.13 R9.6 R9.7
  load harness/random_requests
  # names of every byte value and of lengths 1 to 255, bad names, too long, ended early, in pieces
  random_requests "$DOWNLOAD_SERVER" 1 100
  random_requests "$DOWNLOAD_SERVER" 2 100
}

# zh: 一次服务一个客户端：一声不吭的客户端占住服务器 3 秒，然后下一个得到服务
# bats test_tags=points:2,waits:4
@test "one client at a time: a client that says nothing holds the server 3 s, then the next one is served" {
  explained_in 8
  covers R9.4 R9.5 R2.11
  start_server "$SERVED"
  spawn_peer silent dl_stall 127.0.0.1 "$port" --stall-ms 8000
  wait_line silent '^connected$'
  run_peer tcp_client 127.0.0.1 "$port" --send $'hello.txt\n' --idle-ms 7000 --out reply
  ((status != 3)) || flunk_wire "$(en_zh "the reply to a second client, behind a silent one" "排在一声不吭的客户端后面的第二个客户端得到的应答")" \
    "$(en_zh "OK 6 and the file, once the silent client got ERR timeout (3 s)" "一声不吭的客户端得到“ERR timeout”（3 秒）之后，“OK 6”和文件")" \
    "$(en_zh "nothing for 7 s" "7 秒内什么都没有")"
  assert_success
  assert_reply $'OK 6\nhello'
  log_line '^127\.0\.0\.1:[0-9]+ - refused: timeout$'
}

# zh: 服务器上一次运行留下的连接还处于 TIME_WAIT 时，它能立刻在同一个端口上重新启动（SO_REUSEADDR）
# bats test_tags=points:2
@test "the server starts again at once on its port while its last run's connections are in TIME_WAIT (SO_REUSEADDR)" {
  explained_in 3
  covers R9.3
  start_server "$SERVED"
  # A client that closes only once the server has closed (--keep-open: no FIN of its own before
  # the end of the reply): the server's FIN is the first (R9.10), whatever the load, so its end
  # of the connection waits in TIME_WAIT. (A client that knows SIZE may close first, and then
  # the TIME_WAIT is the client's: the restart below would prove nothing.)
  run_peer tcp_client 127.0.0.1 "$port" --send $'hello.txt\n' --keep-open --out reply
  assert_success
  assert_equal "$(cat reply)" "$(printf 'OK 6\nhello')"
  time_wait_on "$port" ||
    fail "$(en_zh "no TIME_WAIT connection on port $port: this test cannot check the restart" "端口 $port 上没有处于 TIME_WAIT 的连接：这个测试检查不了重新启动")"
  send_signal server TERM
  wait_exit server
  spawn_prog again "$DOWNLOAD_SERVER" -d "$SERVED" "$port"
  wait_tcp again "$port"
  download -o again.txt hello.txt
  assert_success
  assert_same_file "$SERVED/hello.txt" again.txt
}

# zh: 内存保持平稳：发送 40 MiB 的文件时，服务器的内存峰值增加不到 8 MiB
# bats test_tags=points:2,waits:2
@test "memory stays flat: serving a 40 MiB file raises the server's peak memory by less than 8 MiB" {
  explained_in 6
  covers R9.8
  start_server "$SERVED"
  before=$(peak_memory_kib "$(prog_pid server)")
  # The reader takes 64 KiB, then stops: a server that loads whole files has loaded it by now.
  # It stalls 2 s, so that the child serving it is still there when we look (on a busy machine,
  # looking takes longer than 300 ms: the child had finished and a whole-file server passed).
  spawn_peer slow dl_stall 127.0.0.1 "$port" --request $'big.bin\n' --read 65536 --stall-ms 2000 --out reply
  wait_line slow '^read 65536 bytes$'
  during=$(peak_memory_kib "$(prog_pid server)")
  wait_exit slow
  assert_success
  tail -c +$((${#BIG_SIZE} + 5)) reply >body
  assert_same_file "$SERVED/big.bin" body "$(en_zh "the bytes after the status line" "状态行之后的字节")"
  growth=$((during - before))
  ((growth < 8192)) || flunk_wire "$(en_zh "the server's peak memory (VmHWM) while it sends a 40 MiB file" "服务器发送 40 MiB 文件期间的内存峰值（VmHWM）")" \
    "$(en_zh "less than 8192 KiB above the $before KiB it had before" "比原来的 $before KiB 多出不到 8192 KiB")" \
    "$(en_zh "$growth KiB more ($during KiB)" "多出 $growth KiB（$during KiB）")"
}

# ---- the client, against a test server ----

# zh: 客户端发出 NAME 和一个换行，并能接收一次只到五个字节的应答
# bats test_tags=points:2
@test "the client sends NAME and a newline, and takes a reply that arrives five bytes at a time" {
  explained_in 7
  covers R9.14 R2.18
  free_port port
  head -c 3000 /dev/urandom >data
  { printf 'OK 3000\n'; cat data; } >"$BATS_TEST_TMPDIR/reply"
  spawn_peer server tcp_server "$port" --reply-file "$BATS_TEST_TMPDIR/reply" --chunk 5 --pause-ms 1 \
    --save "$BATS_TEST_TMPDIR/request"
  wait_tcp server "$port"
  download -o copy.bin file.bin
  assert_success
  assert_output "saved copy.bin (3000 bytes)"
  assert_same_file data copy.bin
  printf 'file.bin\n' >"$BATS_TEST_TMPDIR/expected-request"
  assert_same_file "$BATS_TEST_TMPDIR/expected-request" "$BATS_TEST_TMPDIR/request" "$(en_zh "the request the server received" "服务器收到的请求")"
}

# zh: 提前结束的应答是错误：退出状态 1，报告收到的字节数，这个名字下原有的文件不动
# bats test_tags=points:2
@test "a reply that ends early is an error: status 1, bytes counted, the older file under the name untouched" {
  explained_in 7
  covers R9.18 R9.14
  free_port port
  { printf 'OK 100000\n'; head -c 5000 /dev/urandom; } >"$BATS_TEST_TMPDIR/reply"
  spawn_peer server tcp_server "$port" --reply-file "$BATS_TEST_TMPDIR/reply"
  wait_tcp server "$port"
  printf 'the old copy\n' >"[接收]data.bin"
  cp "[接收]data.bin" "$BATS_TEST_TMPDIR/old"
  download data.bin
  assert_failure 1
  assert_regex "$stderr" 'closed after 5000 of 100000 bytes'
  assert_same_file "$BATS_TEST_TMPDIR/old" "[接收]data.bin" "$(en_zh "the older [接收]data.bin" "原来的 [接收]data.bin")"
  assert_files_here "[接收]data.bin" # and no temporary file left behind
}

# zh: 新的下载完成之后，才替换已有的 [接收] 文件
# bats test_tags=points:2
@test "an existing [接收] file is replaced once the new download is complete" {
  explained_in 7
  covers R9.14
  start_server "$SERVED"
  printf 'the old copy\n' >"[接收]small.bin"
  download small.bin
  assert_success
  assert_same_file "$SERVED/small.bin" "[接收]small.bin"
  assert_files_here "[接收]small.bin"
}

# zh: 保存的文件得到新建文件的权限：0666 清掉 umask 里的位（022 下是 0644，077 下是 0600，002 下是 0664），而不是临时文件的 0600
# bats test_tags=points:2
@test "the saved file gets the mode of a new file: 0666 with the umask's bits cleared (0644 under 022, 0600 under 077, 0664 under 002), not the temporary file's 0600" {
  explained_in 7
  covers R9.15
  start_server "$SERVED"
  local mask want
  for mask in 022:644 077:600 002:664 000:666; do
    want=${mask#*:}
    umask "${mask%:*}"
    download -o "mode-$want" hello.txt
    umask 022
    assert_success
    mode=$(stat -c %a "mode-$want")
    [[ $mode == "$want" ]] || flunk_wire "$(en_zh "the mode of the saved file under umask ${mask%:*}" "umask ${mask%:*} 下保存的文件的权限")" "$want" "$mode"
  done
}

# zh: 既不是 OK 也不是 ERR 的应答是错误：退出状态 1，bad reply，不留文件
# bats test_tags=points:2
@test "a reply that is neither OK nor ERR is an error: status 1, bad reply, no file" {
  explained_in 7
  covers R9.17
  free_port port
  spawn_peer server tcp_server "$port" --reply $'HTTP/1.0 200 OK\r\n\r\nhello'
  wait_tcp server "$port"
  download page.html
  assert_failure 1
  assert_regex "$stderr" 'bad reply'
  assert_files_here
}

# zh: 没有服务器在监听，或者建不了套接字时，客户端说明原因：退出状态 1，打印原因，不留文件
# bats test_tags=points:2
@test "the client says why when no server listens, or no socket can be made: status 1, the reason, no file" {
  explained_in 7
  covers R9.20
  free_port port
  download hello.txt
  assert_failure 1
  assert_equal "$stderr" "download_client: connect 127.0.0.1 port $port: Connection refused"
  assert_files_here
  # socket() failing (EMFILE) for the address: its reason is the last one (R9.20)
  load harness/faults
  with_socket_emfile download hello.txt
  assert_failure 1
  assert_equal "$stderr" "download_client: connect 127.0.0.1 port $port: Too many open files"
  assert_files_here
}

# zh: 客户端像第 04 课那样依次尝试 HOST 的每一个地址：服务器只在 localhost 的 127.0.0.1 或 ::1 之一上监听时，都能下载；一个都连不上时，给出最后一个地址失败的原因
# bats test_tags=points:1
@test "the client tries each address of HOST in turn: with localhost at 127.0.0.1 and ::1, a server on either one alone is reached; when none connects, the last one's reason is given" {
  explained_in 7
  covers R9.20 R9.14
  two_localhosts "$BATS_TEST_TMPDIR/hosts"
  printf 'OK 5\nhello' >"$BATS_TEST_TMPDIR/reply"
  # the first address the client tries is refused in one of the two runs, whatever the order
  local family addr ipv6
  for family in 4 6; do
    free_port port
    addr=127.0.0.1 ipv6=()
    ((family == 6)) && addr=::1 ipv6=(--ipv6 yes)
    spawn_peer "srv$family" tcp_server "$port" --reply-file "$BATS_TEST_TMPDIR/reply" "${ipv6[@]}"
    wait_tcp "srv$family" "$port"
    run_prog_with_hosts "$BATS_TEST_TMPDIR/hosts" download_client -o "got$family" localhost "$port" hello.txt
    [[ $status == 0 && $output == "saved got$family (5 bytes)" ]] ||
      flunk_wire "$(en_zh "download_client -o got$family localhost $port hello.txt, with the server on $addr only (localhost: 127.0.0.1 and ::1)" "download_client -o got$family localhost $port hello.txt，服务器只在 $addr 上监听（localhost：127.0.0.1 和 ::1）")" \
        "$(en_zh "status 0" "退出状态 0")，saved got$family (5 bytes)" "$(en_zh "status $status, stdout: $output, stderr: $stderr" "退出状态 $status，标准输出：$output，标准错误：$stderr")"
    [[ $(cat "got$family") == hello ]] || flunk_wire "got$family" "hello" "$(_visible <"got$family")"
  done
  # no address connects: the message gives the last one's reason. 255.255.255.255 has no
  # route (Network is unreachable, at once), so getaddrinfo puts it after 127.0.0.1, where
  # nothing listens (Connection refused)
  printf '127.0.0.1 twoaddr\n255.255.255.255 twoaddr\n' >"$BATS_TEST_TMPDIR/hosts2"
  chmod 644 "$BATS_TEST_TMPDIR/hosts2"
  free_port port
  run_prog_with_hosts "$BATS_TEST_TMPDIR/hosts2" download_client -o got twoaddr "$port" hello.txt
  [[ $status == 1 && $stderr == "download_client: connect twoaddr port $port: Network is unreachable" ]] ||
    flunk_wire "$(en_zh "download_client twoaddr $port hello.txt, twoaddr being 127.0.0.1 (nothing listens) then 255.255.255.255 (no route)" "download_client twoaddr $port hello.txt，twoaddr 依次解析为 127.0.0.1（没有程序监听）和 255.255.255.255（没有路由）")" \
      "$(en_zh "status 1, download_client: connect twoaddr port $port: Network is unreachable (the last address's reason, R9.20)" "退出状态 1，download_client: connect twoaddr port $port: Network is unreachable（最后一个地址失败的原因，R9.20）")" \
      "$(en_zh "status $status, stderr: $stderr" "退出状态 $status，标准错误：$stderr")"
  assert_files_here got4 got6 # and no got
}

# ---- under fault injection: short sends and receives, EINTR (tests/harness/faults.bash) ----
# Any send or recv may move fewer bytes than asked, and a blocking call may fail with EINTR
# (sections 6 and 7): only programs that loop until everything moved pass these.

# zh: 故障注入下的服务器（部分读、部分写、EINTR）：给两个客户端都发出“OK SIZE”和每一个字节
# bats test_tags=points:1,concurrent:requests
@test "server under faults (short recv and send, EINTR): OK SIZE and every byte, to two clients" {
  explained_in 6
  covers R2.3 R2.8 R9.6 R9.7
  load harness/faults
  free_port port
  with_faults spawn_prog server "$DOWNLOAD_SERVER" -d "$SERVED" "$port"
  wait_tcp server "$port"
  raw_request $'small.bin\n'
  { printf 'OK 100000\n'; cat "$SERVED/small.bin"; } >expected-reply
  assert_same_file expected-reply reply "$(en_zh "the reply to the first client" "给第一个客户端的应答")"
  run_peer tcp_client 127.0.0.1 "$port" --send $'hello.txt\n' --chunk 2 --out reply
  assert_success
  assert_reply $'OK 6\nhello'
  log_line '"hello\.txt" sent 6 bytes'
  assert_regex "$(cat "$BATS_TEST_TMPDIR/server.out")" '"small\.bin" sent 100000 bytes'
  assert_faults_happened
}

# zh: 故障注入下的客户端（部分写、部分读、EINTR）：状态行和文件的每一个字节
# bats test_tags=points:1
@test "client under faults (short send and recv, EINTR): the status line and every byte of the file" {
  explained_in 7
  covers R2.1 R9.14
  load harness/faults
  free_port port
  # a megabyte: the client's loop makes many calls, and some of them are interrupted
  head -c 1000000 /dev/urandom >data
  { printf 'OK 1000000\n'; cat data; } >"$BATS_TEST_TMPDIR/reply"
  spawn_peer server tcp_server "$port" --reply-file "$BATS_TEST_TMPDIR/reply" \
    --save "$BATS_TEST_TMPDIR/request"
  wait_tcp server "$port"
  name=$(head -c 200 /dev/zero | tr '\0' 'n')
  with_faults download -o copy.bin "$name"
  assert_success
  assert_output "saved copy.bin (1000000 bytes)"
  assert_same_file data copy.bin
  printf '%s\n' "$name" >"$BATS_TEST_TMPDIR/expected-request"
  assert_same_file "$BATS_TEST_TMPDIR/expected-request" "$BATS_TEST_TMPDIR/request" "$(en_zh "the request the server received" "服务器收到的请求")"
  assert_faults_happened
}

# ---- the edges of each rule ----

# zh: 没有换行、直接以流结束收尾的名字，或者根本没有名字，得到“ERR bad request”；客户端在换行之前复位连接，日志也记为 bad request
# bats test_tags=points:1,concurrent:requests
@test "a name ending at end of stream, without its newline, or no name at all, gets ERR bad request; a reset there is logged as a bad request too" {
  explained_in 2
  covers R2.12 R2.7 R9.6
  start_server "$SERVED"
  # a reset before the newline closes the connection before it too: a bad request, whatever
  # reason recv gives
  run_peer tcp4_reset_client 127.0.0.1 "$port" --send 'hel' --wait-ms 200
  assert_success
  log_line '^127\.0\.0\.1:[0-9]+ - refused: bad request$'
  raw_request 'hello.txt' # tcp_client then shuts down its writing side: end of stream, no newline
  assert_reply "ERR bad request"
  raw_request ''
  assert_reply "ERR bad request"
  log_line '^127\.0\.0\.1:[0-9]+ - refused: bad request$'
}

# zh: 回车、空格和制表符都是名字的字节；换行之后的字节被忽略
# bats test_tags=points:1,concurrent:requests
@test "a carriage return, spaces and tabs are bytes of the name; bytes after the newline are ignored" {
  explained_in 2
  covers R2.2 R2.3
  srv="$BATS_TEST_TMPDIR/srv"
  mkdir -p "$srv"
  printf 'cr\n' >"$srv/name"$'\r'
  printf 'blanks\n' >"$srv/ two  words"$'\t'
  printf 'plain\n' >"$srv/plain.txt"
  start_server "$srv"
  raw_request $'name\r\n'
  assert_reply $'OK 3\ncr'
  raw_request $' two  words\t\n'
  assert_reply $'OK 7\nblanks'
  raw_request $'plain.txt\r\n'
  assert_reply "ERR no such file" # the name is "plain.txt\r": the \r is not part of the line's end
  raw_request $'plain.txt\nthis line is ignored\n'
  assert_reply $'OK 6\nplain'
}

# zh: 服务器无权读取的文件得到“ERR permission denied”
# bats test_tags=points:1,concurrent:requests
@test "a file the server may not read gets ERR permission denied" {
  explained_in 2
  covers R2.15
  srv="$BATS_TEST_TMPDIR/srv"
  mkdir -p "$srv"
  # the user nobody (below) must be able to reach it: o+x on the test's folders
  for d in "$srv" "$BATS_TEST_TMPDIR" "$(dirname "$BATS_TEST_TMPDIR")" "$BATS_RUN_TMPDIR"; do chmod o+rx "$d"; done
  printf 'secret\n' >"$srv/locked.txt"
  printf 'open\n' >"$srv/open.txt"
  chmod 000 "$srv/locked.txt"
  chmod 644 "$srv/open.txt"
  start_server "$srv"
  raw_request $'locked.txt\n'
  if [[ $(head -c 3 reply) == "OK " ]] && (($(id -u) == 0)); then
    # The server runs as root, who may read anything: run it again as nobody, who may not.
    command -v setpriv >/dev/null || skip "$(en_zh "the server runs as root, and setpriv (util-linux) is missing" "服务器以 root 身份运行，而且没有 setpriv（util-linux）")"
    send_signal server TERM
    wait_exit server
    free_port port
    _spawn server2 "$(command -v setpriv)" --reuid=65534 --regid=65534 --clear-groups \
      "$(lab_bin "$DOWNLOAD_SERVER")" -d "$srv" "$port"
    wait_tcp server2 "$port"
    raw_request $'locked.txt\n'
  fi
  assert_reply "ERR permission denied"
  raw_request $'open.txt\n'
  assert_reply $'OK 5\nopen'
}

# zh: openat 因其他原因打不开的名字（Unix 域套接字：ENXIO）得到“ERR cannot open”
# bats test_tags=points:1,concurrent:requests
@test "a name that openat cannot open for another reason (a Unix socket: ENXIO) gets ERR cannot open" {
  explained_in 2
  covers R2.16
  command -v perl >/dev/null || skip "$(en_zh "perl is not installed (it makes the Unix socket)" "没有安装 perl（要用它创建 Unix 域套接字）")"
  srv="$BATS_TEST_TMPDIR/srv"
  mkdir -p "$srv"
  # A bound Unix socket leaves its name in the directory after the program exits.
  perl -MIO::Socket::UNIX -e 'IO::Socket::UNIX->new(Local => $ARGV[0], Listen => 1) or die "$!\n"' "$srv/socket" ||
    fail "$(en_zh "could not make a Unix socket in $srv" "无法在 $srv 里创建 Unix 域套接字")"
  [[ -S $srv/socket ]] || fail "$(en_zh "no Unix socket at $srv/socket" "$srv/socket 不是 Unix 域套接字")"
  start_server "$srv"
  raw_request $'socket\n'
  assert_reply "ERR cannot open"
  log_line '^127\.0\.0\.1:[0-9]+ "socket" refused: cannot open$'
}

# zh: 打开了却 fstat 失败的文件（EIO：磁盘出故障）得到“ERR cannot open”
# bats test_tags=points:1,concurrent:requests
@test "a file that opens but whose fstat fails (EIO: a failing disk) gets ERR cannot open" {
  explained_in 5
  covers R2.16
  load harness/faults
  free_port port
  # the fault library makes the server's fstat of a regular file fail with EIO
  with_fstat_eio spawn_prog server "$DOWNLOAD_SERVER" -d "$SERVED" "$port"
  wait_tcp server "$port"
  raw_request $'hello.txt\n'
  assert_reply "ERR cannot open"
  log_line '^127\.0\.0\.1:[0-9]+ "hello\.txt" refused: cannot open$'
}

# zh: 应答之后，服务器在一秒之内关闭连接，即使客户端一直不关闭自己这一方
# bats test_tags=points:1,concurrent:timing
@test "after its reply the server closes within a second, even when the client keeps its side open" {
  explained_in 2
  covers R2.18 R9.10 R2.7
  start_server "$SERVED"
  # --keep-open: no end of stream from the client; --idle-ms 2500: give up 2.5 s after the reply.
  run_peer tcp_client 127.0.0.1 "$port" --send $'hello.txt\n' --keep-open --idle-ms 2500 --out reply
  ((status != 3)) || flunk_wire "$(en_zh "the end of the connection after the reply" "应答之后连接的结束")" \
    "$(en_zh "the server closes within 1 s" "服务器在 1 秒之内关闭")" "$(en_zh "still open 2.5 s after the reply" "应答之后 2.5 秒仍然没有关闭")"
  assert_success
  assert_reply $'OK 6\nhello'
  run_peer tcp_client 127.0.0.1 "$port" --send $'missing.txt\n' --keep-open --idle-ms 2500 --out reply
  assert_success
  assert_reply "ERR no such file" # and nothing after it
}

# zh: 读完应答却迟迟不关闭的客户端最多占住服务器一秒：它的日志行先写出，下一个客户端照样得到服务
# bats test_tags=points:1,concurrent:timing
@test "a client that has read the reply and is slow to close holds the server a second at most: its log line is out first, and the next client is served" {
  explained_in 4
  covers R9.10 R9.6 R2.18
  start_server "$SERVED"
  # the client reads to the end of the stream, then keeps its socket open for 8 s
  spawn_peer lingering tcp_client 127.0.0.1 "$port" --send $'hello.txt\n' --keep-open --linger-ms 8000 --out reply
  wait_err lingering '^tcp_client: end of stream$'
  assert_reply $'OK 6\nhello'
  # the log line is written before the graceful close (R9.10): out by the time the client sees
  # the server's FIN, not a second later
  grep -qE '^127\.0\.0\.1:[0-9]+ "hello\.txt" sent 6 bytes$' "$BATS_TEST_TMPDIR/server.out" ||
    flunk_wire "$(en_zh "the server's log when the client saw the end of the reply" "客户端看到应答结束时服务器的日志")" \
      "$(en_zh "127.0.0.1:CPORT \"hello.txt\" sent 6 bytes, written before shutdown (R9.10)" "127.0.0.1:CPORT \"hello.txt\" sent 6 bytes，在 shutdown 之前写出（R9.10）")" \
      "$(cat "$BATS_TEST_TMPDIR/server.out")"
  run_peer tcp_client 127.0.0.1 "$port" --send $'missing.txt\n' --idle-ms 4000 --out reply
  ((status != 3)) || flunk_wire "$(en_zh "the reply to the next client, while the last one has not closed yet" "上一个客户端还没关闭时，下一个客户端得到的应答")" \
    "$(en_zh "ERR no such file, about a second later (R9.10: read until the client closes, one second at most)" "大约一秒后得到 ERR no such file（R9.10：读到客户端关闭为止，最多一秒）")" \
    "$(en_zh "nothing within 4 s: the server still waits for the last client to close" "4 秒内什么都没有：服务器还在等上一个客户端关闭")"
  assert_success
  assert_reply "ERR no such file"
}

# zh: 3 秒的期限从 accept 算起，而不是从第一个字节算起：先沉默 2 秒、然后一点一点发送请求的客户端收到 ERR timeout
# bats test_tags=points:1,waits:3,concurrent:timing
@test "the 3 seconds count from accept, not from the first byte: a client silent for 2 s that then drips its request gets ERR timeout" {
  explained_in 4
  covers R2.5 R9.7
  start_server "$SERVED"
  # 2 s of silence, then hello.txt and its newline a byte every 200 ms: complete 4 s after accept
  spawn_peer late dl_stall 127.0.0.1 "$port" --wait-ms 2000 --request $'hello.txt\n' --drip-ms 200 --idle-ms 4000 \
    --out reply
  wait_exit late
  [[ $output != *"dripped 10 of 10"* ]] ||
    flunk_wire "$(en_zh "the server's answer to a client that starts its request 2 s after connecting" "服务器对连接 2 秒后才开始发送请求的客户端的应答")" \
      "$(en_zh "ERR timeout 3 s after accept, while the bytes still came in" "accept 之后 3 秒收到 ERR timeout，此时请求的字节还在陆续到达")" \
      "$(en_zh "the whole request taken (4 s after accept): the 3 s began at the first byte" "整个请求都被接收了（accept 之后 4 秒）：3 秒是从第一个字节开始算的")"
  assert_success
  assert_reply "ERR timeout"
  log_line '^127\.0\.0\.1:[0-9]+ - refused: timeout$'
}

# zh: 带正负号、多一个空格、带回车符、用小写、SIZE 超过 off_t 最大值、或者长达 128 字节的状态行都是错误的应答；前导零也算数字，状态行最长可到 127 字节
# bats test_tags=points:1
@test "a status line with a sign, a space too many, a carriage return, lower case, a size over the largest off_t or 128 bytes is a bad reply; leading zeros are digits, up to 127 bytes" {
  explained_in 2
  covers R2.6 R2.17 R9.17 R9.14
  local i=0
  # 9223372036854775808 is one more than the largest off_t: strtoll says ERANGE, and gives
  # the largest, which a client that does not look at errno takes for a size.
  # The last: OK, 123 zeros and 5 are 127 bytes, 128 with the newline: one byte over R2.17's limit
  for reply in 'OK +5' 'OK  5' 'OK 5 ' $'OK 5\r' 'OK -5' 'OK 0x5' 'ok 5' 'OK' 'OK 5x' "OK $(printf '1%.0s' {1..200})" \
    'OK 9223372036854775808' 'OK 99999999999999999999' \
    "OK $(printf '0%.0s' {1..123})5"; do
    i=$((i + 1))
    free_port port
    printf '%s\nhello' "$reply" >"$BATS_TEST_TMPDIR/reply"
    spawn_peer "srv$i" tcp_server "$port" --reply-file "$BATS_TEST_TMPDIR/reply"
    wait_tcp "srv$i" "$port"
    download -o got.txt hello.txt
    [[ $status == 1 && $stderr == *"bad reply"* ]] ||
      flunk_wire "$(en_zh "the client's answer to the status line" "客户端对这个状态行的处理：") \"$(printf '%s' "$reply" | head -c 60 | _visible)\"" \
        "$(en_zh "status 1, a message with bad reply" "退出状态 1，消息里有“bad reply”")" "$(en_zh "status $status:" "退出状态 $status：") $output $stderr"
    assert_files_here
  done
  free_port port
  printf 'OK 0005\nhello' >"$BATS_TEST_TMPDIR/reply"
  spawn_peer zeros tcp_server "$port" --reply-file "$BATS_TEST_TMPDIR/reply"
  wait_tcp zeros "$port"
  download -o got.txt hello.txt
  assert_success
  assert_output "saved got.txt (5 bytes)"
  # 127 bytes with the newline: the longest status line there is (R2.17), a good one
  rm -f got.txt
  free_port port
  printf 'OK %s5\nhello' "$(printf '0%.0s' {1..122})" >"$BATS_TEST_TMPDIR/reply"
  spawn_peer longest tcp_server "$port" --reply-file "$BATS_TEST_TMPDIR/reply"
  wait_tcp longest "$port"
  download -o got.txt hello.txt
  assert_success
  assert_output "saved got.txt (5 bytes)"
}

# zh: 永不结束的状态行（1000 字节，没有换行）是错误的应答，不会卡住也不会崩溃
# bats test_tags=points:1
@test "a status line of 127 bytes is read whole; one that never ends (1000 bytes, no newline) is a bad reply, not a hang or a crash" {
  explained_in 2
  covers R2.17 R9.17 R9.16
  free_port port
  head -c 1000 /dev/zero | tr '\0' 'O' >"$BATS_TEST_TMPDIR/reply"
  spawn_peer srv tcp_server "$port" --reply-file "$BATS_TEST_TMPDIR/reply"
  wait_tcp srv "$port"
  download hello.txt
  assert_failure 1
  assert_regex "$stderr" 'bad reply'
  assert_files_here
  # "ERR ", a reason of 122 bytes, the newline: 127 bytes, the longest status line
  local reason
  reason=$(printf 'r%.0s' {1..122})
  free_port port
  spawn_peer longest tcp_server "$port" --reply "ERR $reason"$'\n'
  wait_tcp longest "$port"
  download hello.txt
  assert_failure 1
  assert_equal "$stderr" "download_client: the server refused \"hello.txt\": $reason"
  assert_files_here
}

# zh: 原因为空的 ERR 行（“ERR ”加换行）、含有 NUL 字节的状态行、换行之前就因流结束而截断的状态行，都是错误的应答：退出状态 1，不留文件
# bats test_tags=points:1
@test "an ERR line with an empty reason, a status line with a NUL byte, or one the end of the stream cuts before its newline, is a bad reply: status 1, no file" {
  explained_in 7
  covers R2.7 R2.17 R9.17
  local i=0 reply
  # printf formats: \0 is a NUL byte, which a shell string cannot hold
  # the last two end before their newline: the end of the stream does not end a status line
  for reply in 'ERR \nhello' 'ERR no\0such file\n' 'OK 5\0\nhello' 'OK 5\0 7\nhello' '\0OK 5\nhello' 'OK 0' 'ERR gone'; do
    i=$((i + 1))
    free_port port
    printf "$reply" >"$BATS_TEST_TMPDIR/reply"
    spawn_peer "srv$i" tcp_server "$port" --reply-file "$BATS_TEST_TMPDIR/reply"
    wait_tcp "srv$i" "$port"
    download -o got.txt hello.txt
    [[ $status == 1 && $stderr == *"bad reply"* ]] ||
      flunk_wire "$(en_zh "the client's answer to the status line" "客户端对这个状态行的处理：") $(_visible <"$BATS_TEST_TMPDIR/reply" | head -1)" \
        "$(en_zh "status 1, a message with bad reply" "退出状态 1，消息里有“bad reply”")" "$(en_zh "status $status:" "退出状态 $status：") $output $stderr"
    assert_files_here
  done
}

# zh: 解析不了的 HOST：“download_client: HOST port PORT: REASON”，退出状态 1，不留文件
# bats test_tags=points:1
@test "a HOST that cannot be resolved: download_client: HOST port PORT: REASON, status 1, no file" {
  explained_in 9
  covers R9.19
  run_prog --timeout 30 download_client no-such-host.invalid 9 hello.txt
  assert_failure 1
  assert_regex "$stderr" '^download_client: no-such-host\.invalid port 9: .+'
  assert_files_here
}

# zh: 谁都不会无限期地等：一声不吭的服务器在 10 秒后被放弃；文件一点一点发了 11 秒的服务器则等到底
# bats test_tags=points:1,waits:13
@test "nobody waits forever: a server silent before its status line, or in the middle of the file, is given up after 10 s; a file that trickles for 11 s is waited for" {
  explained_in 9
  covers R2.19 R9.21
  PROG_TIMEOUT=25 # the clients run for more than the usual 10 s
  # two servers that accept: one says nothing, the other sends 5001 of 100000 bytes, then nothing
  free_port silent_port half_port
  spawn_cmd quiet nc -l 127.0.0.1 "$silent_port"
  # the second: its status line and 5001 bytes, then silence for 40 s (never seen: the client
  # has given up by then), then 5000 bytes more and its close
  { printf 'OK 100000\n'; printf 'x%.0s' {1..10001}; } >"$BATS_TEST_TMPDIR/half-reply"
  spawn_peer half tcp_server "$half_port" --reply-file "$BATS_TEST_TMPDIR/half-reply" --chunk 5011 --pause-ms 40000
  # the third: 30 bytes, 2 every 0.9 s, the file's 24 in the last 10.8 s; never 10 s of silence,
  # so it is waited for, however long the whole file takes
  free_port slow_port
  { printf 'OK 24\n'; printf 'abcdefghijklmnopqrstuvwx'; } >"$BATS_TEST_TMPDIR/slow-reply"
  spawn_peer slow tcp_server "$slow_port" --reply-file "$BATS_TEST_TMPDIR/slow-reply" --chunk 2 --pause-ms 900
  wait_tcp quiet "$silent_port"
  wait_tcp half "$half_port"
  wait_tcp slow "$slow_port"
  mkdir -m 777 before middle trickle # the clients may run as the lesson's own user
  local started=$SECONDS
  spawn_prog before download_client -o before/hello.txt 127.0.0.1 "$silent_port" hello.txt
  spawn_prog middle download_client -o middle/data.bin 127.0.0.1 "$half_port" data.bin
  spawn_prog trickle download_client -o trickle/slow.txt 127.0.0.1 "$slow_port" slow.txt
  local who
  for who in before middle; do
    wait_exit "$who" 20 "$(en_zh "of its start: a client waits 10 s for a byte, not forever" "从它启动算起：客户端等一个字节等 10 秒，不会永远等下去")"
    local waited=$((SECONDS - started))
    [[ $status == 1 ]] || flunk_wire "$(en_zh "download_client's exit status after 10 s without a byte ($who the file)" "10 秒没收到一个字节之后 download_client 的退出状态（$who）")" 1 "$status"
    ((waited >= 9)) || flunk_wire "$(en_zh "how long download_client waited for a silent server ($who the file)" "download_client 等一声不吭的服务器等了多久（$who）")" \
      "$(en_zh "about 10 s" "大约 10 秒")" "$(en_zh "${waited} s" "${waited} 秒")"
    [[ -n $stderr ]] || flunk_wire "$(en_zh "download_client's message after 10 s without a byte ($who the file)" "10 秒没收到一个字节之后 download_client 的消息（$who）")" \
      "$(en_zh "a message on stderr" "标准错误上的一条消息")" "$(words none)"
    [[ -z $(ls -A "$who") ]] || flunk_wire "$(en_zh "the files left after a download given up ($who the file)" "放弃下载之后留下的文件（$who）")" "$(words none)" "$(ls -A "$who")"
  done
  # the 10 s are for each wait, not for the whole file (R2.19)
  wait_exit trickle 20
  [[ $status == 0 && $(cat trickle/slow.txt 2>/dev/null) == abcdefghijklmnopqrstuvwx ]] ||
    flunk_wire "$(en_zh "download_client for a file that trickles in, 2 bytes every 0.9 s, 10.8 s after its status line" "文件一点点到达（每 0.9 秒 2 个字节，状态行之后 10.8 秒）时的 download_client")" \
      "$(en_zh "status 0 and the 24 bytes saved: it gives up only after 10 s without a byte (R2.19, section 7)" "退出状态 0，24 个字节都保存下来：只有 10 秒收不到一个字节才放弃（R2.19，第 7 节）")" \
      "$(en_zh "status $status, stderr: ${stderr:-nothing}" "退出状态 $status，标准错误：${stderr:-无}")"
}

# zh: 日志一行一行地进入管道：serving 那一行和每个客户端的那一行都立刻出现
# bats test_tags=points:1
@test "the log reaches a pipe line by line: the serving line and each client's line at once" {
  explained_in 9
  covers R9.3 R9.6
  free_port port
  # the server's standard output is a pipe (to cat), not a file: stdio would hold the lines back
  _spawn server bash -c '"$0" "$@" | cat' "$(lab_bin "$DOWNLOAD_SERVER")" -d "$SERVED" "$port"
  wait_tcp server "$port"
  wait_line server "^serving .* on port $port\$"
  download hello.txt
  assert_success
  download missing.txt
  log_line '^127\.0\.0\.1:[0-9]+ "hello\.txt" sent 6 bytes$'
  log_line '^127\.0\.0\.1:[0-9]+ "missing\.txt" refused: no such file$'
}

# ---- the edges of types, buffers and stated limits; the second time round ----

# zh: 2 GiB 以上的文件（稀疏文件）：状态行和日志给出真实长度
# bats test_tags=points:2
@test "files of 2 GiB and more (sparse): the status line and the log give their real size" {
  explained_in 2
  covers R2.6 R9.6
  srv="$BATS_TEST_TMPDIR/srv"
  mkdir -p "$srv"
  local size
  # 3 GiB overflows an int, 4 GiB wraps an unsigned one to 0, 5 GiB to 1 GiB; 10 TB has 14
  # digits, and its status line 18 bytes: sparse files, no disk used
  local sizes=(2147483648 3221225472 4294967296 5368709120 10000000000000)
  for size in "${sizes[@]}"; do
    truncate -s "$size" "$srv/$size.bin" || skip "this file system has no sparse files of $size bytes"
  done
  start_server "$srv"
  for size in "${sizes[@]}"; do
    # a client that takes the status line and a little of the file, then leaves: no GiB cross the wire
    run_peer tcp_client 127.0.0.1 "$port" --send "$size.bin"$'\n' --read-max 1000 --out reply
    local header
    header=$(head -n 1 reply)
    [[ $header == "OK $size" ]] ||
      flunk_wire "$(en_zh "the status line for a file of $size bytes" "$size 字节的文件的状态行")" "OK $size" "$(head -c 60 reply | _visible)"
    log_line "^127\\.0\\.0\\.1:[0-9]+ \"$size\\.bin\" aborted after [0-9]+ of $size bytes: "
  done
}

# zh: 客户端接受 2 GiB 以上的长度：提前结束的应答按真实长度计数
# bats test_tags=points:1
@test "the client takes sizes of 2 GiB and more: a reply that ends early is counted against the real size" {
  explained_in 7
  covers R2.6 R9.18
  local size i=0
  # 9223372036854775807, the largest off_t, is a size too: only what is over it is a bad reply
  for size in 2147483648 3221225472 4294967296 5368709120 9223372036854775807; do
    i=$((i + 1))
    free_port port
    printf 'OK %s\nhello' "$size" >"$BATS_TEST_TMPDIR/reply"
    spawn_peer "srv$i" tcp_server "$port" --reply-file "$BATS_TEST_TMPDIR/reply"
    wait_tcp "srv$i" "$port"
    download -o got.bin big.bin
    [[ $status == 1 && $stderr == *"closed after 5 of $size bytes"* ]] ||
      flunk_wire "$(en_zh "the client's answer to OK $size and 5 bytes, then the end" "收到 OK $size 和 5 个字节、随后连接结束时客户端的反应")" \
        "$(en_zh "status 1" "退出状态 1")，connection closed after 5 of $size bytes" "$(en_zh "status $status: $output $stderr" "退出状态 $status：$output $stderr")"
    assert_files_here
  done
}

# zh: 目录里没有写者的 FIFO：立即应答 ERR not a regular file，下一个客户端照常得到服务
# bats test_tags=points:2,concurrent:requests
@test "a FIFO with no writer in the served directory gets ERR not a regular file at once, and the next client is served" {
  explained_in 5
  covers R2.14 R9.5
  srv="$BATS_TEST_TMPDIR/srv"
  mkdir -p "$srv"
  mkfifo "$srv/pipe"
  printf 'hello\n' >"$srv/hello.txt"
  start_server "$srv"
  run_peer tcp_client 127.0.0.1 "$port" --send $'pipe\n' --idle-ms 5000 --out reply
  ((status != 3)) || flunk_wire "$(en_zh "the reply for a FIFO in the served directory" "对提供服务的目录里一个 FIFO 的应答")" \
    "$(en_zh "ERR not a regular file at once (O_NONBLOCK: opening a FIFO does not wait for a writer)" "立即回 ERR not a regular file（O_NONBLOCK：打开 FIFO 不会等写者）")" \
    "$(en_zh "nothing for 5 s: the server waits in open for a writer that never comes" "5 秒什么都没有：服务器卡在 open 里，等一个永远不会来的写者")"
  assert_success
  assert_reply "ERR not a regular file"
  raw_request $'hello.txt\n'
  assert_reply $'OK 6\nhello'
}

# zh: 发送期间变长或变短的文件：恰好 SIZE 个字节，或者提前结束，绝不多发；服务器继续工作
# bats test_tags=points:2,concurrent:timing
@test "a file that grows or shrinks while it is sent: exactly SIZE bytes or an early end, never more, and the server goes on" {
  explained_in 6
  covers R2.6 R9.6
  srv="$BATS_TEST_TMPDIR/srv"
  mkdir -p "$srv"
  # 16 MiB and 1000 bytes: no buffer size divides it, so the last read must ask for what is
  # left of SIZE, not for a whole buffer that the grown file would fill
  local size=$((16 * 1024 * 1024 + 1000))
  head -c "$size" "$SERVED/big.bin" >"$srv/grow.bin"
  cp "$srv/grow.bin" "$BATS_TEST_TMPDIR/original"
  cp "$SERVED/big.bin" "$srv/shrink.bin"
  printf 'hello\n' >"$srv/hello.txt"
  start_server "$srv"
  # 16 MiB and 40 MiB: far more than the socket buffers hold (a few MiB for a reader that stalls at
  # once), so the server is mid-file while the reader stalls
  spawn_peer grow dl_stall 127.0.0.1 "$port" --request $'grow.bin\n' --read 65536 --stall-ms 2000 --out grown
  wait_line grow '^read 65536 bytes$'
  head -c 1000000 /dev/urandom >>"$srv/grow.bin"
  wait_exit grow
  assert_success
  { printf 'OK %s\n' "$size"; cat "$BATS_TEST_TMPDIR/original"; } >expected-reply
  assert_same_file expected-reply grown "$(en_zh "the reply for a file that grew by 1000000 bytes after OK $size" "发出 OK $size 之后又增长了 1000000 字节的文件所得到的应答")"
  log_line "^127\\.0\\.0\\.1:[0-9]+ \"grow\\.bin\" sent $size bytes\$"
  spawn_peer shrink dl_stall 127.0.0.1 "$port" --request $'shrink.bin\n' --read 65536 --stall-ms 3000 --out shrunk
  wait_line shrink '^read 65536 bytes$'
  : >"$srv/shrink.bin" # emptied: the server's next read returns 0, before SIZE bytes
  wait_exit shrink
  ((status != 3)) || flunk_wire "$(en_zh "the end of the connection for a file that became empty after OK $BIG_SIZE" "发出 OK $BIG_SIZE 之后文件变空时，连接如何结束")" \
    "$(en_zh "the server closes early: read returned 0" "服务器提前关闭：read 返回了 0")" "$(en_zh "nothing more for 5 s, and no end" "5 秒里再没有数据，连接也没有结束")"
  assert_success
  local got
  got=$(wc -c <shrunk)
  ((got < BIG_SIZE)) || flunk_wire "$(en_zh "the bytes sent of a file that became empty during the transfer" "传输中变空的文件所发出的字节数")" \
    "$(en_zh "fewer than $BIG_SIZE" "少于 $BIG_SIZE")" "$got"
  log_line "^127\\.0\\.0\\.1:[0-9]+ \"shrink\\.bin\" aborted after [0-9]+ of $BIG_SIZE bytes: "
  # cut to 20 MiB and 100 bytes, beyond what the server has read by then (the socket buffers hold
  # a few MiB): its last read returns 100 bytes, not a full buffer, and only those 100 go out
  local cut=$((20 * 1024 * 1024 + 100))
  cp "$SERVED/big.bin" "$srv/cut.bin"
  spawn_peer cut dl_stall 127.0.0.1 "$port" --request $'cut.bin\n' --read 65536 --stall-ms 3000 --out cut-reply
  wait_line cut '^read 65536 bytes$'
  truncate -s "$cut" "$srv/cut.bin"
  wait_exit cut
  assert_success
  { printf 'OK %s\n' "$BIG_SIZE"; head -c "$cut" "$SERVED/big.bin"; } >expected-reply
  assert_same_file expected-reply cut-reply "$(en_zh "the reply for a file cut to $cut bytes after OK $BIG_SIZE (the bytes read, and no more)" "发出 OK $BIG_SIZE 之后被截断为 $cut 字节的文件所得到的应答（读到的字节，一个也不多）")"
  log_line "^127\\.0\\.0\\.1:[0-9]+ \"cut\\.bin\" aborted after $cut of $BIG_SIZE bytes: "
  raw_request $'hello.txt\n'
  assert_reply $'OK 6\nhello'
}

# zh: 不再读数据的客户端会被放弃（10 秒没有进展，内核可能拉长到 40 秒），下一个客户端得到服务
# bats test_tags=points:2,waits:30,concurrent:stall
@test "a client that stops reading is dropped (10 s without progress, which the kernel may stretch to 40), and the next one is served" {
  explained_in 6
  covers R2.19 R9.6 R9.4
  PROG_TIMEOUT=120 # the server, the stalled reader: more than a minute
  start_server "$SERVED"
  spawn_peer stalled dl_stall 127.0.0.1 "$port" --request $'big.bin\n' --read 65536 --stall-ms 110000 --idle-ms 110000
  wait_line stalled '^read 65536 bytes$'
  local started=$SECONDS code=0
  # each send that waits counts its own 10 s, and the reader's kernel still takes a little now and
  # then: a correct server gives up 10 to 40 s after the reader stopped (section 6)
  READY_MS=75000 poll_line server "^127\\.0\\.0\\.1:[0-9]+ \"big\\.bin\" aborted after [0-9]+ of $BIG_SIZE bytes: " || code=$?
  local waited=$((SECONDS - started))
  ((code == 0)) || flunk_wire "$(en_zh "the server's log for a client that stopped reading mid-file" "客户端在文件传到一半时不再读取，服务器的日志")" \
    "aborted after N of $BIG_SIZE bytes$(en_zh ", 10 to 40 s later (SO_SNDTIMEO, section 6)" "，在 10 到 40 秒之后（SO_SNDTIMEO，第 6 节）")" \
    "$(en_zh "nothing after ${waited} s: the server waits for it forever" "${waited} 秒后还什么都没有：服务器永远等下去")"
  ((waited >= 8)) || flunk_wire "$(en_zh "when the server gave up on a client that stopped reading" "服务器何时放弃一个不再读取的客户端")" \
    "$(en_zh "after 10 s without progress (or more)" "10 秒（或更久）没有进展之后")" "$(en_zh "after ${waited} s" "${waited} 秒之后")"
  raw_request $'hello.txt\n'
  assert_reply $'OK 6\nhello'
}

# zh: 长名字之后的短名字按它自己查找，换行之后的字节不会留给下一个客户端
# bats test_tags=points:1,concurrent:requests
@test "a shorter name after a longer one is looked up as itself, and the bytes after a newline do not carry over" {
  explained_in 4
  covers R2.3 R9.4
  srv="$BATS_TEST_TMPDIR/srv"
  mkdir -p "$srv"
  printf 'hello\n' >"$srv/hello.txt"
  printf 'old\n' >"$srv/hello.txt.bak"
  start_server "$srv"
  raw_request $'hello.txt.bak\nhello.txt.bak.and.more\n'
  assert_reply $'OK 4\nold'
  raw_request $'hello.txt\n'
  assert_reply $'OK 6\nhello'
  raw_request $'x\n'
  assert_reply "ERR no such file"
  log_line '^127\.0\.0\.1:[0-9]+ "hello\.txt" sent 6 bytes$'
  log_line '^127\.0\.0\.1:[0-9]+ "x" refused: no such file$'
}

# name_with_every_byte: the bytes 0x01 to 0xff but "/" and the newline, in order (253 bytes).
name_with_every_byte() {
  local i
  for i in {1..255}; do
    ((i == 10 || i == 47)) || printf "\\$(printf '%03o' "$i")"
  done
}

# logged_name NAME: NAME as the log writes it (R9.6): below 0x20, 0x7f, " and \ as \xHH.
logged_name() {
  LC_ALL=C awk 'BEGIN { for (i = 0; i < 256; i++) code[sprintf("%c", i)] = i }
    { for (i = 1; i <= length($0); i++) {
        c = substr($0, i, 1); n = code[c]
        if (n < 32 || n == 127 || c == "\"" || c == "\\") printf "\\x%02x", n; else printf "%s", c } }' <<<"$1"
}

# zh: 含有 0x01 到 0xff 每个字节值（/ 和换行除外）的名字：照原样发送、查找，并按 R9.6 写进日志
# bats test_tags=points:1
@test "a name with every byte value from 0x01 to 0xff but / and the newline is sent, served, and logged as R9.6 says" {
  explained_in 3
  covers R2.2 R9.6 R9.14
  srv="$BATS_TEST_TMPDIR/srv"
  mkdir -p "$srv"
  local name line want
  name=$(name_with_every_byte)
  printf 'every byte\n' >"$srv/$name"
  start_server "$srv"
  download -o every.txt "$name"
  assert_success
  assert_output "saved every.txt (11 bytes)"
  assert_same_file "$srv/$name" every.txt
  log_line ' sent 11 bytes$'
  line=$(LC_ALL=C grep -a ' sent 11 bytes$' "$BATS_TEST_TMPDIR/server.out" | head -1)
  want="\"$(logged_name "$name")\" sent 11 bytes"
  [[ ${line#* } == "$want" ]] || flunk_wire "$(en_zh "the log line of a name with every byte value (after ADDR:PORT)" "含有每一种字节值的名字的日志行（ADDR:PORT 之后）")" \
    "$(printf '%s' "$want" | _visible)" "$(printf '%s' "${line#* }" | _visible)"
}

# zh: 默认 PATH 下 235 字节的 NAME 能保存，236 字节的以 File name too long 失败；多层目录的 PATH 可以超过 255 字节
# bats test_tags=points:1
@test "with the default PATH a NAME of 235 bytes is saved and one of 236 fails with File name too long; a PATH of folders may pass 255 bytes" {
  explained_in 9
  covers R9.13 R9.14
  srv="$BATS_TEST_TMPDIR/srv"
  mkdir -p "$srv"
  local n235 n236 folder
  n235=$(printf 'n%.0s' {1..235})
  n236=$(printf 'm%.0s' {1..236})
  printf 'fits\n' >"$srv/$n235"
  printf 'too long\n' >"$srv/$n236"
  start_server "$srv"
  download "$n235" # [接收] (8 bytes) + 235 + .part-XXXXXX (12): 255 bytes, the most a file name holds
  assert_success
  assert_output "saved [接收]$n235 (5 bytes)"
  assert_same_file "$srv/$n235" "[接收]$n235"
  download "$n236"
  [[ $status == 1 && $stderr == *"File name too long"* ]] ||
    flunk_wire "$(en_zh "the client's answer to a NAME of 236 bytes without -o" "不带 -o、NAME 为 236 字节时客户端的反应")" \
      "$(en_zh "status 1, a message with File name too long ([接收]NAME.part-XXXXXX has 256 bytes)" "退出状态 1，消息中有 File name too long（[接收]NAME.part-XXXXXX 有 256 字节）")" "$(en_zh "status $status: $output $stderr" "退出状态 $status：$output $stderr")"
  assert_files_here "[接收]$n235"
  folder=$(printf 'd%.0s' {1..200})
  mkdir -p "$folder/$folder"
  chmod -R a+rwx "$folder" # the client may run as the lesson's own user
  download -o "$folder/$folder/$n235" "$n235" # 637 bytes in all: only each part is limited
  assert_success
  assert_same_file "$srv/$n235" "$folder/$folder/$n235"
}

# zh: 客户端恰好保存 SIZE 个字节：服务器在它们之后发来的字节不属于文件
# bats test_tags=points:1
@test "the client saves exactly SIZE bytes: what a server sends after them is not the file's" {
  explained_in 7
  covers R9.14 R2.6
  free_port port
  spawn_peer server tcp_server "$port" --reply $'OK 5\nhelloEXTRA BYTES AFTER THE FILE'
  wait_tcp server "$port"
  download -o got.txt hello.txt
  assert_success
  assert_output "saved got.txt (5 bytes)"
  printf 'hello' >"$BATS_TEST_TMPDIR/expected"
  assert_same_file "$BATS_TEST_TMPDIR/expected" got.txt "$(en_zh "the saved file (OK 5, then 30 bytes more)" "保存的文件（OK 5，之后多出 30 字节）")"
}

# zh: 服务器在传输中途复位连接：状态 1，消息给出已收字节数，临时文件删除，旧文件保持原样
# bats test_tags=points:1
@test "a server that resets the connection mid-file: status 1, the bytes counted, no temporary file, the older file untouched" {
  explained_in 7
  covers R9.18
  free_port port
  { printf 'OK 100000\n'; head -c 5000 /dev/urandom; } >"$BATS_TEST_TMPDIR/reply"
  # in five pieces, then an RST instead of a FIN: recv fails, it does not return 0
  spawn_peer server tcp_server "$port" --reply-file "$BATS_TEST_TMPDIR/reply" --chunk 1000 --pause-ms 50 --reset yes
  wait_tcp server "$port"
  printf 'the old copy\n' >"[接收]data.bin"
  cp "[接收]data.bin" "$BATS_TEST_TMPDIR/old"
  download data.bin
  assert_failure 1
  # recv failed: its reason, not the words of an ordinary end (R9.18's second sentence)
  assert_regex "$stderr" '^download_client: recv: Connection reset by peer after [0-9]+ of 100000 bytes$'
  assert_same_file "$BATS_TEST_TMPDIR/old" "[接收]data.bin" "the older [接收]data.bin"
  assert_files_here "[接收]data.bin"
}

# zh: download_server 说明它为什么不能提供服务：DIR 不存在或不是目录、PORT 已被占用（被别的服务器或它自己的另一个副本）、没有描述符可建套接字（状态 1）
# bats test_tags=points:1,concurrent:requests
@test "download_server says why it cannot serve: a DIR that is missing or not a directory, a PORT in use (by another server or a copy of itself), no descriptor for a socket (status 1)" {
  explained_in 9
  covers R9.2
  free_port port
  run_prog "$DOWNLOAD_SERVER" -d "$BATS_TEST_TMPDIR/none" "$port"
  assert_failure 1
  assert_equal "$stderr" "$DOWNLOAD_SERVER: $BATS_TEST_TMPDIR/none: No such file or directory"
  printf 'a file\n' >"$BATS_TEST_TMPDIR/file"
  run_prog "$DOWNLOAD_SERVER" -d "$BATS_TEST_TMPDIR/file" "$port"
  assert_failure 1
  assert_equal "$stderr" "$DOWNLOAD_SERVER: $BATS_TEST_TMPDIR/file: Not a directory"
  spawn_peer busy tcp_server "$port" --accept-ms 30000
  wait_tcp busy "$port"
  run_prog --timeout 5 "$DOWNLOAD_SERVER" -d "$SERVED" "$port"
  assert_failure 1
  assert_equal "$stderr" "$DOWNLOAD_SERVER: bind port $port: Address already in use"
  # a copy of itself: SO_REUSEADDR lets it restart over TIME_WAIT, never listen beside
  # another (SO_REUSEPORT on both would)
  start_server "$SERVED"
  run_prog --timeout 5 "$DOWNLOAD_SERVER" -d "$SERVED" "$port"
  assert_failure 1
  assert_equal "$stderr" "$DOWNLOAD_SERVER: bind port $port: Address already in use"
  # socket() failing (EMFILE): <call> port PORT too (R9.2)
  load harness/faults
  with_socket_emfile run_prog --timeout 5 "$DOWNLOAD_SERVER" -d "$SERVED" "$port"
  assert_failure 1
  assert_equal "$stderr" "$DOWNLOAD_SERVER: socket port $port: Too many open files"
}

# zh: 请求之后一直发送字节的客户端：服务器最多一秒后关闭连接，下一个客户端得到服务
# bats test_tags=points:1,concurrent:timing
@test "a client that goes on sending after its request is closed within a second all the same, and the next client is served" {
  explained_in 4
  covers R9.10 R2.18
  start_server "$SERVED"
  # the request, then a byte every 200 ms for 12 s: never 1 s of silence, but 1 s in all is the limit
  spawn_peer chatty tcp_client 127.0.0.1 "$port" --send "hello.txt"$'\n'"$(printf 'z%.0s' {1..60})" \
    --chunk 1 --pause-ms 200 --keep-open --out chatty-reply
  run_peer tcp_client 127.0.0.1 "$port" --send $'hello.txt\n' --idle-ms 8000 --out reply
  ((status != 3)) || flunk_wire "$(en_zh "the reply to the next client, while the previous one keeps sending" "上一个客户端还在不停发送时，对下一个客户端的应答")" \
    "$(en_zh "OK 6 and the file, about 1 s after the first reply (the graceful close waits 1 s in all)" "OK 6 和文件，在第一个应答之后约 1 秒（优雅关闭一共只等 1 秒）")" \
    "$(en_zh "nothing for 8 s: the server drains the first client as long as bytes come" "8 秒什么都没有：只要还有字节到来，服务器就一直读取并丢弃第一个客户端发来的字节")"
  assert_success
  assert_reply $'OK 6\nhello'
}

# zh: 客户端在请求之后又发来的字节不会让它丢掉大文件的结尾：优雅关闭会读掉这些字节（不发复位）
# bats test_tags=points:1,concurrent:timing
@test "bytes a client sends after its request do not cost it the end of a big file: the graceful close reads them, no reset" {
  explained_in 4
  covers R9.10 R2.18
  start_server "$SERVED"
  # "big.bin\n", then 300 ms later "extra\n": the server has read its line by then, and the
  # extra bytes wait unread while it sends. Only then does the client read. A server that
  # closes with them unread sends a reset, and the megabytes still in its send buffer are lost.
  run_peer tcp_client 127.0.0.1 "$port" --send $'big.bin\nextra\n' --chunk 8 --pause-ms 300 \
    --keep-open --idle-ms 8000 --out reply
  { printf 'OK %s\n' "$BIG_SIZE"; cat "$SERVED/big.bin"; } >expected-reply
  [[ $status == 0 ]] || flunk_wire "$(en_zh "the end of the reply to a client that sent 6 bytes after its request" "客户端在请求之后多发 6 个字节时，应答的结尾")" \
    "$(en_zh "OK $BIG_SIZE, the whole file, then the end of stream (FIN)" "OK $BIG_SIZE、整个文件，然后是流结束（FIN）")" \
    "$(peer_words "$stderr") ($(wc -c <reply) $(en_zh "bytes" "字节"))"
  assert_same_file expected-reply reply "$(en_zh "the reply" "应答")"
  # 2400 bytes after the request, in the same send: more than one recv of a small buffer
  # takes, and the graceful close reads until the client closes (R9.10), not once
  run_peer tcp_client 127.0.0.1 "$port" --send "big.bin"$'\n'"$(printf 'extra %.0s' {1..400})" \
    --keep-open --idle-ms 8000 --out reply
  [[ $status == 0 ]] || flunk_wire "$(en_zh "the end of the reply to a client that sent 2400 bytes after its request" "客户端在请求之后多发 2400 个字节时，应答的结尾")" \
    "$(en_zh "OK $BIG_SIZE, the whole file, then the end of stream (FIN)" "OK $BIG_SIZE、整个文件，然后是流结束（FIN）")" \
    "$(peer_words "$stderr") ($(wc -c <reply) $(en_zh "bytes" "字节"))"
  assert_same_file expected-reply reply "$(en_zh "the reply" "应答")"
}
