#!/usr/bin/env bats
# Lesson 07 (the TCP/IP layers): the specification of `layers`, as tests.
# The contract is lessons/07-layers/README.md, section 7. The capture files are in
# tests/captures/ (made by tests/captures/make-live and make-crafted, which say how).

setup() { load harness/test_helper; }
teardown() { lab_teardown; }

CAPTURES="$BATS_TEST_DIRNAME/captures"

# layers_of NAME: run `layers` on tests/captures/NAME.pcap.
layers_of() {
  run_prog layers "$CAPTURES/$1.pcap"
}

# packet_lines N: the lines `layers` printed for packet N (its "packet N:" line and the indented ones).
packet_lines() {
  awk -v n="$1" '/^packet / { on = ($2 == n ":") } on' <<<"$output"
}

# assert_packet N EXPECTED: packet N's lines are exactly EXPECTED.
assert_packet() {
  local got
  got=$(packet_lines "$1")
  [[ $got == "$2" ]] || flunk_wire "$(en_zh "the lines of packet $1" "分组 $1 的各行")" "$2" "${got:-$(en_zh "(no lines for packet $1)" "（分组 $1 没有任何一行）")}"
}

# assert_same_as_expected NAME: the whole output equals tests/captures/NAME.expected.
assert_same_as_expected() {
  # the whole output compared first: diff's own status, not head's, decides
  printf '%s\n' "$output" | cmp -s - "$CAPTURES/$1.expected" && return 0
  flunk_wire "$(en_zh "layers $1.pcap, line by line (< yours, > expected)" "\`layers $1.pcap\`，逐行比较（< 你的，> 期望的）")" \
    "$(en_zh "the lines of tests/captures/$1.expected" "tests/captures/$1.expected 的各行")" \
    "$(diff <(printf '%s\n' "$output") "$CAPTURES/$1.expected" | head -20)"
}

ETH_IPV4='  link: Ethernet 00:00:00:00:00:00 > 00:00:00:00:00:00, type 0x0800 (IPv4)'
ETH_IPV6='  link: Ethernet 00:00:00:00:00:00 > 00:00:00:00:00:00, type 0x86dd (IPv6)'

# zh: layers 的 FILE 不是恰好一个时，打印用法说明，退出状态 2
# bats test_tags=starter-provides
@test "layers without exactly one FILE prints its usage line and exits with status 2" {
  explained_in 7
  covers R7.7
  run_prog layers
  assert_failure 2
  assert_equal "$stderr" "usage: layers FILE"
  run_prog layers a b
  assert_failure 2
}

# zh: 打不开或读不了的文件、太短或不是 pcap 的文件、链路类型不对的文件：消息说明原因，退出状态 1
# bats test_tags=starter-provides
@test "a file that cannot be opened or read, is too short or not pcap, or has another link type: a message naming the cause, status 1" {
  explained_in 7
  covers R7.6
  run_prog layers "$BATS_TEST_TMPDIR/none.pcap"
  assert_failure 1
  assert_equal "$stderr" "layers: $BATS_TEST_TMPDIR/none.pcap: No such file or directory"
  printf 'hello world, not a capture' >"$BATS_TEST_TMPDIR/text"
  run_prog layers "$BATS_TEST_TMPDIR/text"
  assert_failure 1
  assert_equal "$stderr" "layers: $BATS_TEST_TMPDIR/text: not a pcap file (magic number 68656c6c)"
  # a pcapng file (Wireshark's default format) starts 0a 0d 0d 0a: eight hex digits, its zero too
  { printf '\x0a\x0d\x0d\x0a\x1c\0\0\0\x4d\x3c\x2b\x1a\x01\0\0\0'; head -c 12 /dev/zero; } >"$BATS_TEST_TMPDIR/new.pcapng"
  run_prog layers "$BATS_TEST_TMPDIR/new.pcapng"
  assert_failure 1
  assert_equal "$stderr" "layers: $BATS_TEST_TMPDIR/new.pcapng: not a pcap file (magic number 0a0d0d0a)"
  # a little-endian pcap header whose link type is 113 (Linux "cooked" capture)
  printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\0\0\0\0\0\0\0\0\0\0\x04\0\x71\0\0\0' >"$BATS_TEST_TMPDIR/sll"
  run_prog layers "$BATS_TEST_TMPDIR/sll"
  assert_failure 1
  assert_equal "$stderr" "layers: $BATS_TEST_TMPDIR/sll: link type 113 is not supported (only 1, Ethernet)"
  # shorter than a file header (empty too): not a pcap file; a folder opens, but cannot be read
  head -c 20 "$CAPTURES/udp-ask.pcap" >"$BATS_TEST_TMPDIR/short"
  : >"$BATS_TEST_TMPDIR/empty"
  for f in short empty; do
    run_prog layers "$BATS_TEST_TMPDIR/$f"
    assert_failure 1
    assert_equal "$stderr" "layers: $BATS_TEST_TMPDIR/$f: not a pcap file (shorter than its 24-byte header)"
  done
  mkdir "$BATS_TEST_TMPDIR/folder"
  run_prog layers "$BATS_TEST_TMPDIR/folder"
  assert_failure 1
  assert_equal "$stderr" "layers: $BATS_TEST_TMPDIR/folder: Is a directory"
}

# zh: 三次握手：SYN、SYN-ACK、ACK，每个报文段都有它的各层、端口、标志位和序号
# bats test_tags=points:3
@test "the handshake: SYN, SYN-ACK, ACK, each with its layers, ports, flags and numbers" {
  explained_in 4
  covers R7.1 R7.2
  layers_of tcp-thank-you
  assert_success
  assert_packet 1 "packet 1: 74 of 74 bytes
$ETH_IPV4
  network: IPv4 127.0.0.1 > 127.0.0.1, ttl 64, protocol 6 (TCP), header 20 bytes, total length 60 bytes
  transport: TCP 34240 > 7701, flags [S], seq 220914696, ack 0, window 65495, header 40 bytes, payload 0 bytes"
  assert_packet 2 "packet 2: 74 of 74 bytes
$ETH_IPV4
  network: IPv4 127.0.0.1 > 127.0.0.1, ttl 64, protocol 6 (TCP), header 20 bytes, total length 60 bytes
  transport: TCP 7701 > 34240, flags [S.], seq 139473193, ack 220914697, window 65483, header 40 bytes, payload 0 bytes"
  assert_packet 3 "packet 3: 66 of 66 bytes
$ETH_IPV4
  network: IPv4 127.0.0.1 > 127.0.0.1, ttl 64, protocol 6 (TCP), header 20 bytes, total length 52 bytes
  transport: TCP 34240 > 7701, flags [.], seq 220914697, ack 139473194, window 64, header 32 bytes, payload 0 bytes"
}

# zh: 数据和关闭：载荷长度按首部里的长度计算，然后是两个方向的 FIN 和 ACK
# bats test_tags=points:3
@test "the data and the close: payloads counted from the headers' lengths, then FIN and ACK each way" {
  explained_in 4
  covers R7.1 R7.3
  layers_of tcp-thank-you
  assert_success
  assert_line "  transport: TCP 34240 > 7701, flags [P.], seq 220914697, ack 139473194, window 64, header 32 bytes, payload 6 bytes"
  assert_line "  transport: TCP 7701 > 34240, flags [P.], seq 139473194, ack 220914704, window 64, header 32 bytes, payload 12 bytes"
  assert_line "  transport: TCP 34240 > 7701, flags [F.], seq 220914703, ack 139473194, window 64, header 32 bytes, payload 0 bytes"
  assert_line "  transport: TCP 7701 > 34240, flags [F.], seq 139473206, ack 220914704, window 64, header 32 bytes, payload 0 bytes"
  assert_same_as_expected tcp-thank-you
}

# zh: 一次 UDP 交换：每个方向一个数据报，长度和载荷取自 UDP 首部
# bats test_tags=points:2
@test "a UDP exchange: one datagram each way, length and payload from the UDP header" {
  explained_in 3
  covers R7.1 R7.3
  layers_of udp-ask
  assert_success
  assert_packet 1 "packet 1: 46 of 46 bytes
$ETH_IPV4
  network: IPv4 127.0.0.1 > 127.0.0.1, ttl 64, protocol 17 (UDP), header 20 bytes, total length 32 bytes
  transport: UDP 55105 > 7702, length 12 bytes, payload 4 bytes"
  assert_same_as_expected udp-ask
}

# zh: IPv6：地址用简写形式，跳数限制、下一个首部、有效载荷长度
# bats test_tags=points:2
@test "IPv6: addresses in their short form, hop limit, next header, payload length" {
  explained_in 5
  covers R7.1 R7.2
  layers_of tcp6-thank-you
  assert_success
  assert_packet 1 "packet 1: 94 of 94 bytes
$ETH_IPV6
  network: IPv6 ::1 > ::1, hop limit 64, next header 6 (TCP), payload length 40 bytes
  transport: TCP 45298 > 7703, flags [S], seq 1204999944, ack 0, window 65476, header 40 bytes, payload 0 bytes"
  assert_same_as_expected tcp6-thank-you
  layers_of malformed
  assert_line "  network: IPv6 ::ffff:127.0.0.1 > 2001:db8::1:0:0:1, hop limit 64, next header 17 (UDP), payload length 8 bytes"
}

# zh: 文件本身的字节序和时间单位不改变打印的内容
# bats test_tags=points:2
@test "the file's own byte order and time unit do not change what is printed" {
  explained_in 6
  covers R7.7
  layers_of udp-ask
  local little=$output
  layers_of udp-ask-big-endian
  assert_success
  assert_line "  transport: UDP 55105 > 7702, length 12 bytes, payload 4 bytes"
  [[ $output == "$little" ]] || flunk_wire "$(en_zh "layers of a big-endian pcap file" "对大端字节序 pcap 文件运行 layers")" "$little" "$output"
  layers_of udp-ask-nanoseconds
  assert_success
  [[ $output == "$little" ]] || flunk_wire "$(en_zh "layers of a pcap file with nanosecond time stamps" "对纳秒时间戳的 pcap 文件运行 layers")" "$little" "$output"
}

# zh: 被抓包截短的首部：这个分组打印一行错误，下一个分组照常解码
# bats test_tags=points:3
@test "headers cut short by the capture: an error line for that packet, and the next packet is decoded" {
  explained_in 5
  covers R7.4 R7.5
  layers_of malformed
  assert_success
  assert_packet 1 "packet 1: 10 of 10 bytes
  error: truncated Ethernet header: 10 of 14 bytes"
  assert_packet 3 "packet 3: 26 of 26 bytes
$ETH_IPV4
  error: truncated IPv4 header: 12 of 20 bytes"
  assert_packet 6 "packet 6: 44 of 54 bytes
$ETH_IPV4
  network: IPv4 127.0.0.1 > 127.0.0.1, ttl 64, protocol 6 (TCP), header 20 bytes, total length 40 bytes
  error: truncated TCP header: 10 of 20 bytes"
  assert_packet 8 "packet 8: 54 of 94 bytes
$ETH_IPV4
  network: IPv4 127.0.0.1 > 127.0.0.1, ttl 64, protocol 6 (TCP), header 20 bytes, total length 80 bytes
  error: truncated TCP header: 20 of 60 bytes"
  assert_packet 14 "packet 14: 44 of 44 bytes
$ETH_IPV6
  error: truncated IPv6 header: 30 of 40 bytes"
}

# zh: 不可能的首部字段得到一行指出它们的错误；程序继续运行
# bats test_tags=points:3
@test "impossible header fields get an error line that names them; the program goes on" {
  explained_in 5
  covers R7.4 R7.5 R7.2
  layers_of malformed
  assert_success
  assert_line "  error: bad IPv4 header: version 4, header length 12 bytes, total length 40 bytes"
  assert_line "  error: bad IPv4 header: version 6, header length 20 bytes, total length 40 bytes"
  assert_line "  error: bad TCP header: header length 16 bytes"
  assert_line "  error: bad TCP header: header length 32 bytes, segment 20 bytes"
  assert_line "  error: bad UDP header: length 4 bytes"
  assert_same_as_expected malformed
}

# zh: IPv4 选项会挪动 TCP 首部：它的位置由 IPv4 首部长度决定
# bats test_tags=points:2
@test "IPv4 options move the TCP header: its place comes from the IPv4 header length" {
  explained_in 5
  covers R7.3
  layers_of malformed
  assert_packet 5 "packet 5: 63 of 63 bytes
$ETH_IPV4
  network: IPv4 127.0.0.1 > 127.0.0.1, ttl 64, protocol 6 (TCP), header 24 bytes, total length 49 bytes
  transport: TCP 40000 > 7788, flags [P.], seq 7, ack 9, window 512, header 20 bytes, payload 5 bytes"
}

# zh: 载荷长度取自首部，而不是抓包里有多少字节
# bats test_tags=points:2
@test "payload lengths come from the headers, not from how many bytes the capture holds" {
  explained_in 5
  covers R7.3
  layers_of malformed
  # Ethernet pads short frames to 60 bytes: the padding is not payload
  assert_packet 17 "packet 17: 60 of 60 bytes
$ETH_IPV4
  network: IPv4 127.0.0.1 > 127.0.0.1, ttl 64, protocol 6 (TCP), header 20 bytes, total length 40 bytes
  transport: TCP 40000 > 7788, flags [.], seq 5, ack 6, window 512, header 20 bytes, payload 0 bytes"
  assert_packet 18 "packet 18: 60 of 60 bytes
$ETH_IPV4
  network: IPv4 127.0.0.1 > 127.0.0.1, ttl 64, protocol 17 (UDP), header 20 bytes, total length 30 bytes
  transport: UDP 5000 > 6000, length 10 bytes, payload 2 bytes"
  # a capture may keep only the first bytes of a packet: the payload is what was sent
  assert_packet 20 "packet 20: 64 of 154 bytes
$ETH_IPV4
  network: IPv4 127.0.0.1 > 127.0.0.1, ttl 64, protocol 6 (TCP), header 20 bytes, total length 140 bytes
  transport: TCP 40000 > 7788, flags [P.], seq 5, ack 6, window 512, header 20 bytes, payload 100 bytes"
}

# zh: 超出 IP 层长度的抓包字节照样往上交：放不进这个长度的首部是错误的，而不是被截短
# bats test_tags=points:2
@test "bytes captured past the IP layer's length are handed on: a header that does not fit in that length is bad, not truncated" {
  explained_in 5
  covers R7.3 R7.4 R7.5
  layers_of malformed
  # the IPv4 packet carries 10 bytes; the other 10 of the TCP header are in the frame's padding
  assert_packet 21 "packet 21: 60 of 60 bytes
$ETH_IPV4
  network: IPv4 127.0.0.1 > 127.0.0.1, ttl 64, protocol 6 (TCP), header 20 bytes, total length 30 bytes
  error: bad TCP header: header length 20 bytes, segment 10 bytes"
  # the same with UDP: 4 bytes carried, the UDP header's other 4 in the padding
  assert_packet 22 "packet 22: 60 of 60 bytes
$ETH_IPV4
  network: IPv4 127.0.0.1 > 127.0.0.1, ttl 64, protocol 17 (UDP), header 20 bytes, total length 24 bytes
  error: bad UDP header: length 8 bytes, datagram 4 bytes"
}

# zh: UDP 长度超过 IP 层承载的长度是错误，第一个分片除外
# bats test_tags=points:2
@test "a UDP length above what the IP layer carries is an error, except in a first fragment" {
  explained_in 7
  covers R7.4 R7.5
  layers_of malformed
  assert_line "  error: bad UDP header: length 20 bytes, datagram 10 bytes"
  assert_line "  error: bad UDP header: length 30 bytes, datagram 11 bytes"
  # more fragments follow (flag MF): the datagram goes on in them
  assert_packet 24 "packet 24: 142 of 142 bytes
$ETH_IPV4
  network: IPv4 127.0.0.1 > 127.0.0.1, ttl 64, protocol 17 (UDP), header 20 bytes, total length 128 bytes
  transport: UDP 5000 > 6000, length 3000 bytes, payload 2992 bytes"
}

# zh: 不解码的东西要说出名字：ARP、ICMP、后面的分片、没有标志位的报文段
# bats test_tags=points:2
@test "what is not decoded is named: ARP, ICMP, a later fragment, a segment with no flags" {
  explained_in 7
  covers R7.1 R7.2
  layers_of malformed
  assert_packet 2 "packet 2: 42 of 42 bytes
  link: Ethernet 00:00:00:00:00:00 > 00:00:00:00:00:00, type 0x0806, not decoded"
  assert_line "  transport: protocol 1 (ICMP), not decoded"
  assert_line "  transport: fragment at offset 1480, not decoded"
  assert_line "  transport: fragment at offset 800, not decoded"
  assert_line "  transport: TCP 1 > 2, flags [none], seq 1000, ack 0, window 512, header 20 bytes, payload 0 bytes"
}

# zh: 在分组中间结束的文件：先打印之前的分组，然后一条消息，退出状态 1
# bats test_tags=points:2
@test "a file that ends inside a packet: the packets before it, then a message and status 1" {
  explained_in 7
  covers R7.6
  layers_of tcp-cut-short
  assert_failure 1
  assert_line "  transport: TCP 34240 > 7701, flags [.], seq 220914697, ack 139473194, window 64, header 32 bytes, payload 0 bytes"
  refute_line --regexp '^packet 4'
  assert_equal "$stderr" "layers: $CAPTURES/tcp-cut-short.pcap: packet 4 is cut short: the file ends inside it"
}

# tcpdump_view FILE: tcpdump's reading of FILE, one line per TCP or UDP packet:
#   "SRC SPORT > DST DPORT tcp FLAGS SEQ ACK WIN LEN" or "SRC SPORT > DST DPORT udp LEN".
# tcpdump shows SEQ only for a segment with data or with S, F or R, and ACK only with the
# ACK flag; where it shows none, the view has "-".
tcpdump_view() {
  tcpdump -nn -S -r "$1" 2>/dev/null | awk '
    $2 != "IP" && $2 != "IP6" { next }
    {
      src = $3; dst = $5; sub(/:$/, "", dst)
      sport = src; sub(/.*\./, "", sport); sub(/\.[0-9]+$/, "", src)
      dport = dst; sub(/.*\./, "", dport); sub(/\.[0-9]+$/, "", dst)
      line = $0
      if ($6 == "UDP,") { n = split(line, w, " "); print src, sport, ">", dst, dport, "udp", w[n]; next }
      if ($6 != "Flags") next
      flags = $7; gsub(/[][,]/, "", flags)
      seq = "-"; ack = "-"; win = "-"; len = "-"
      for (i = 8; i <= NF; i++) {
        v = $(i + 1); sub(/,$/, "", v)
        if ($i == "seq") { seq = v; sub(/:.*/, "", seq) }
        if ($i == "ack") ack = v
        if ($i == "win") win = v
        if ($i == "length") len = v
      }
      print src, sport, ">", dst, dport, "tcp", flags, seq, ack, win, len
    }'
}

# layers_view: the same view of what `layers` printed ($output).
layers_view() {
  awk '
    function bare(s) { sub(/,$/, "", s); return s }
    /^  network: IPv[46] / { src = $3; dst = bare($5) }
    /^  transport: TCP / {
      flags = $7; gsub(/[][,]/, "", flags); if (flags == "none") flags = "none"
      payload = $18
      seq = (payload > 0 || flags ~ /[SFR]/) ? bare($9) : "-"
      ack = (flags ~ /\./) ? bare($11) : "-"
      print src, $3, ">", dst, bare($5), "tcp", flags, seq, ack, bare($13), payload }
    /^  transport: UDP / { print src, $3, ">", dst, bare($5), "udp", $10 }' <<<"$output"
}

# zh: 对每个抓包文件，layers 给出的地址、端口、标志位、序号和长度都和 tcpdump -r 一致
# bats test_tags=points:3
@test "layers agrees with tcpdump -r on addresses, ports, flags, numbers and lengths of every capture" {
  explained_in 2
  covers R7.1 R7.2
  command -v tcpdump >/dev/null || skip "$(words tool_missing tcpdump)"
  local name
  for name in tcp-thank-you tcp6-thank-you udp-ask udp-ask-big-endian; do
    layers_of "$name"
    assert_success
    local ours theirs
    ours=$(layers_view)
    theirs=$(tcpdump_view "$CAPTURES/$name.pcap")
    [[ -n $theirs ]] || fail "$(en_zh "tcpdump read nothing from $name.pcap" "tcpdump 从 $name.pcap 里什么也没读出来")"
    [[ $ours == "$theirs" ]] ||
      flunk_wire "$(en_zh "$name.pcap as layers and tcpdump -nn -S -r see it (src sport > dst dport proto flags seq ack win len)" "layers 和 tcpdump -nn -S -r 看到的 $name.pcap（各列依次为：\`src sport > dst dport proto flags seq ack win len\`）")" \
        "$theirs" "$ours"
  done
}

# random_transcript FILE: the lines of what a program printed for the capture FILE ($output,
# $status, $stderr of the last run), as tests/captures/random/*.expected holds them: its
# standard output, "exit status N", then each line of its standard error after "stderr: "
# with FILE's name written FILE. Sets the array TRANSCRIPT.
random_transcript() {
  TRANSCRIPT=()
  [[ -z $output ]] || mapfile -t TRANSCRIPT <<<"$output"
  TRANSCRIPT+=("exit status $status")
  local line
  [[ -z $stderr ]] || while IFS= read -r line; do TRANSCRIPT+=("stderr: ${line//"$1"/FILE}"); done <<<"$stderr"
}

# transcript_is_wanted: TRANSCRIPT and WANT hold the same lines.
transcript_is_wanted() {
  local IFS=$'\n'
  [[ ${#TRANSCRIPT[@]} == "${#WANT[@]}" && ${TRANSCRIPT[*]} == "${WANT[*]}" ]]
}

# flunk_random SEED PACKETS EXPECTED_FILE I: fail at line I, the first that differs between
# the expected lines (WANT) and layers' (TRANSCRIPT), naming the seed, the packet, both lines,
# and the lesson's rule and section for that kind of line.
flunk_random() {
  local i=$4 want_line=${WANT[$4]-$(en_zh "(no line: the rules give ${#WANT[@]} lines in all)" "（没有这一行：规则一共给出 ${#WANT[@]} 行）")}
  local got_line=${TRANSCRIPT[$4]-$(en_zh "(no line: layers printed ${#TRANSCRIPT[@]} in all)" "（没有这一行：layers 一共打印了 ${#TRANSCRIPT[@]} 行）")}
  local line=${WANT[i]-$got_line} where rules="R7.6 R7.7" j
  where=$(en_zh "the end of the file" "文件末尾")
  for ((j = i; j >= 0; j--)); do
    [[ $line == "exit status"* || $line == "stderr: "* ]] && break
    if [[ ${WANT[j]} =~ ^packet\ ([0-9]+): ]]; then where=$(en_zh "packet ${BASH_REMATCH[1]}" "分组 ${BASH_REMATCH[1]}") && break; fi
  done
  case $line in
    "  error: "*) explained_in 5 && rules="R7.4 R7.5" ;;
    "  transport: TCP "*) explained_in 4 && rules="R7.2 R7.3" ;;
    "  transport: UDP "*) explained_in 3 && rules="R7.3" ;;
    "  "*) explained_in 7 && rules="R7.1 R7.2" ;;
    *) explained_in 6 ;;
  esac
  flunk_wire "$(en_zh "layers on the random capture of seed $1, $where: the first line that differs (rules $rules)
(to see it yourself: build/peers/pcap_gen $1 $2 r.pcap, then run your layers on r.pcap;
every line the rules give is in tests/captures/random/$3)" "layers 处理种子 $1 的随机抓包文件，$where：第一个不同的行（规则 $rules）
（自己看看：build/peers/pcap_gen $1 $2 r.pcap，然后对 r.pcap 运行你的 layers；
规则给出的每一行都在 tests/captures/random/$3 里）")" "$want_line" "$got_line"
}

# zh: 随机的抓包文件，有正确的也有损坏的，两种字节序都有：每一行都是规则给出的那一行
# bats test_tags=points:4
@test "random captures, valid and broken, in either byte order: every line is the one the rules give" {
  explained_in 7
  covers R7.1 R7.2 R7.3 R7.4 R7.5 R7.6 R7.7
  local expected seed packets capture i
  for expected in "$CAPTURES"/random/*.expected; do
    mapfile -t WANT <"$expected"
    read -r _ _ seed packets <<<"${WANT[0]}" # "# pcap_gen SEED PACKETS"
    WANT=("${WANT[@]:1}")
    capture=$BATS_TEST_TMPDIR/random-$seed.pcap
    # the lab's own programs run without the harness's limits: three processes fewer per file
    "$SOCKLAB_PEERS/pcap_gen" "$seed" "$packets" "$capture" || fail "$(en_zh "the test peer pcap_gen failed" "测试用的对端程序 pcap_gen 失败了")"
    run_prog layers "$capture"
    random_transcript "$capture"
    transcript_is_wanted && continue
    for ((i = 0; i < ${#WANT[@]} || i < ${#TRANSCRIPT[@]}; i++)); do
      [[ ${WANT[i]-} == "${TRANSCRIPT[i]-}" && -n ${WANT[i]+set} && -n ${TRANSCRIPT[i]+set} ]] ||
        flunk_random "$seed" "$packets" "${expected##*/}" "$i"
    done
  done
}

# ---- every byte value, the order of the checks, the edges of a record, one file for both streams ----

# zh: 0x80 及以上的字节和其他字节一样是数：MAC 地址、IPv4 地址、TTL 和端口
# bats test_tags=points:1
@test "bytes of 0x80 and more are numbers like any other: MAC and IPv4 addresses, TTL and ports" {
  explained_in 5
  covers R7.2
  layers_of malformed
  assert_packet 27 "packet 27: 44 of 44 bytes
  link: Ethernet 02:80:c0:ff:fe:9a > aa:bb:cc:dd:ee:ff, type 0x0800 (IPv4)
  network: IPv4 192.168.1.200 > 10.128.255.129, ttl 255, protocol 17 (UDP), header 20 bytes, total length 30 bytes
  transport: UDP 65535 > 32768, length 10 bytes, payload 2 bytes"
}

# zh: 检查的顺序决定报哪个错误：先检查首部的字段，再检查整个首部是否抓到，最后才是 IP 层的长度
# bats test_tags=points:2
@test "the order of the checks decides the error: a header's fields before its whole length, its whole length before the IP layer's" {
  explained_in 7
  covers R7.5 R7.4
  layers_of malformed
  assert_success
  # IPv4: bad fields in a header cut short are bad, not truncated
  assert_packet 28 "packet 28: 44 of 74 bytes
$ETH_IPV4
  error: bad IPv4 header: version 4, header length 40 bytes, total length 30 bytes"
  assert_packet 29 "packet 29: 38 of 66 bytes
$ETH_IPV4
  error: bad IPv4 header: version 7, header length 32 bytes, total length 52 bytes"
  # TCP: a header cut short that would not fit the IP layer's length either is truncated
  assert_packet 30 "packet 30: 54 of 94 bytes
$ETH_IPV4
  network: IPv4 127.0.0.1 > 127.0.0.1, ttl 64, protocol 6 (TCP), header 20 bytes, total length 50 bytes
  error: truncated TCP header: 20 of 60 bytes"
  # UDP: a length below 8 is bad for that, before it is compared with the IP layer's length
  assert_packet 31 "packet 31: 60 of 60 bytes
$ETH_IPV4
  network: IPv4 127.0.0.1 > 127.0.0.1, ttl 64, protocol 17 (UDP), header 20 bytes, total length 24 bytes
  error: bad UDP header: length 6 bytes"
}

# le32 N: the text of a printf format that writes N as 4 bytes, little-endian (a pcap file's own numbers).
le32() {
  printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255))
}

# record CAPTURED ORIGINAL: a record header (little-endian, time stamp 0) for CAPTURED of ORIGINAL bytes.
record() {
  printf "$(le32 0)$(le32 0)$(le32 "$1")$(le32 "$2")"
}

# zh: 记录的边界：0 字节的记录也是分组，262144 字节照常读取，262145 字节被拒绝，文件在记录首部里结束算截断
# bats test_tags=points:2
@test "the edges of a record: 0 captured bytes is a packet, 262144 bytes are read, 262145 are refused, a file that ends inside a record header is cut short" {
  explained_in 7
  covers R7.6 R7.1
  local udp="$CAPTURES/udp-ask.pcap" f=$BATS_TEST_TMPDIR
  local udp_lines
  udp_lines=$(sed -n '2,4p' "$CAPTURES/udp-ask.expected") # packet 1's layers
  # a record of 0 bytes, then udp-ask's first packet: two packets, the file read to its end
  { head -c 24 "$udp"; record 0 60; tail -c +25 "$udp" | head -c 62; } >"$f/zero.pcap"
  run_prog layers "$f/zero.pcap"
  assert_success
  assert_packet 1 "packet 1: 0 of 60 bytes
  error: truncated Ethernet header: 0 of 14 bytes"
  assert_packet 2 "packet 2: 46 of 46 bytes
$udp_lines"
  # a record of 262144 bytes (udp-ask's first frame, then zeros), then one of 262145
  {
    head -c 24 "$udp"
    record 262144 262144
    tail -c +41 "$udp" | head -c 46
    head -c $((262144 - 46)) /dev/zero
    record 262145 262145
    head -c 100 /dev/zero
  } >"$f/largest.pcap"
  run_prog layers "$f/largest.pcap"
  assert_failure 1
  assert_packet 1 "packet 1: 262144 of 262144 bytes
$udp_lines"
  refute_line --regexp '^packet 2'
  assert_equal "$stderr" "layers: $f/largest.pcap: packet 2: bad record length 262145"
  # udp-ask's two packets, then 7 bytes of a third record header
  { cat "$udp"; head -c 7 /dev/zero; } >"$f/header-cut.pcap"
  run_prog layers "$f/header-cut.pcap"
  assert_failure 1
  assert_line "  transport: UDP 7702 > 55105, length 12 bytes, payload 4 bytes"
  assert_equal "$stderr" "layers: $f/header-cut.pcap: packet 3 is cut short: the file ends inside it"
  # 12 bytes of a record header, its captured length (bytes 8 to 11) among them, saying 262145:
  # the header is not whole, so the file is cut short; its length is not looked at
  { cat "$udp"; printf "$(le32 0)$(le32 0)$(le32 262145)"; } >"$f/length-cut.pcap"
  run_prog layers "$f/length-cut.pcap"
  assert_failure 1
  assert_equal "$stderr" "layers: $f/length-cut.pcap: packet 3 is cut short: the file ends inside it"
}

# zh: 标准输出和标准错误写到同一个文件时，消息排在各个分组的行之后
# bats test_tags=points:1
@test "with standard output and standard error in one file, the message comes after the packets' lines" {
  explained_in 7
  covers R7.6
  cd "$BATS_TEST_TMPDIR" || fail "$(en_zh "no test folder" "没有测试目录")"
  # both streams to one file: stdout is written in blocks there, stderr at once
  run_bounded bash -c '"$0" "$1" >both 2>&1' "$(lab_bin layers)" "$CAPTURES/tcp-cut-short.pcap"
  assert_failure 1
  { head -n 12 "$CAPTURES/tcp-thank-you.expected"
    echo "layers: $CAPTURES/tcp-cut-short.pcap: packet 4 is cut short: the file ends inside it"; } >expected-both
  cmp -s expected-both both ||
    flunk_wire "$(en_zh "layers tcp-cut-short.pcap >both 2>&1, line by line (< expected, > yours)" "\`layers tcp-cut-short.pcap >both 2>&1\`，逐行比较（< 期望的，> 你的）")" \
      "$(en_zh "the 3 packets' lines, then the message (flush stdout before writing to stderr)" "先是 3 个分组的各行，然后是那条消息（写标准错误之前先刷新标准输出）")" \
      "$(diff expected-both both | head -20)"
  # the same for every message of R7.6: here udp-ask's two packets, then a record too long
  { cat "$CAPTURES/udp-ask.pcap"; record 262145 262145; head -c 100 /dev/zero; } >too-long.pcap
  run_bounded bash -c '"$0" "$1" >both 2>&1' "$(lab_bin layers)" too-long.pcap
  assert_failure 1
  { cat "$CAPTURES/udp-ask.expected"; echo "layers: too-long.pcap: packet 3: bad record length 262145"; } >expected-both
  cmp -s expected-both both ||
    flunk_wire "$(en_zh "layers too-long.pcap >both 2>&1 (udp-ask.pcap, then a record of 262145 bytes), line by line (< expected, > yours)" "\`layers too-long.pcap >both 2>&1\`（udp-ask.pcap 之后是一个 262145 字节的记录），逐行比较（< 期望的，> 你的）")" \
      "$(en_zh "the 2 packets' lines, then the message (flush stdout before writing to stderr)" "先是 2 个分组的各行，然后是那条消息（写标准错误之前先刷新标准输出）")" \
      "$(diff expected-both both | head -20)"
}

# zh: FILE 可以是管道（/dev/stdin）：从头到尾只读一遍，每一行都和普通文件给出的一样
# bats test_tags=points:1
@test "FILE may be a pipe (/dev/stdin): it is read once from start to end, and every line is the one a regular file gives" {
  explained_in 7
  covers R7.7
  run_bounded bash -c 'cat "$1" | "$0" /dev/stdin' "$(lab_bin layers)" "$CAPTURES/tcp-thank-you.pcap"
  assert_success
  diff <(printf '%s\n' "$output") "$CAPTURES/tcp-thank-you.expected" >"$BATS_TEST_TMPDIR/diff" ||
    flunk_wire "$(en_zh "cat tcp-thank-you.pcap | layers /dev/stdin, line by line (< yours, > expected)" "\`cat tcp-thank-you.pcap | layers /dev/stdin\`，逐行比较（< 你的，> 期望的）")" \
      "$(en_zh "the lines of tcp-thank-you.expected, status 0: a pipe cannot be measured or rewound, only read (section 7)" "tcp-thank-you.expected 的各行，退出状态 0：管道求不出长度，也不能倒回开头，只能顺序读（第 7 节）")" \
      "$(head -20 "$BATS_TEST_TMPDIR/diff") ($(en_zh "status $status, stderr: ${stderr:-nothing}" "退出状态 $status，标准错误：${stderr:-无}"))"
}
