# Shared by lessons 02 and 03: a udp_sink peer that keeps each datagram it receives,
# and checks on what it received. Load it after test_helper: setup() { load test_helper; load udp_sink; }

# start_sink PORT [OPTIONS]: a udp_sink peer on 127.0.0.1:PORT that keeps what it receives
# in $BATS_TEST_TMPDIR/sink/1.bin, 2.bin, ... (see tests/harness/peers/udp_sink.c for OPTIONS)
start_sink() {
  mkdir -p "$BATS_TEST_TMPDIR/sink"
  spawn_peer sink udp_sink "$1" "$BATS_TEST_TMPDIR/sink" "${@:2}"
  wait_udp sink "$1"
}

# await_datagram N FILE: wait until the sink has received its datagram N, which should
# hold the bytes of FILE; if it never comes, fail with what was expected and what came.
await_datagram() {
  local code=0 got
  poll_line sink "^$1 " || code=$?
  ((code == 0)) && return 0
  got=$(grep -c . "$BATS_TEST_TMPDIR/sink.out" || true)
  flunk_wire "$(en_zh "datagram $1 did not reach the peer" "第 $1 个数据报没有到达对端")" \
    "$(en_zh "datagram $1: $(wc -c <"$2") bytes:" "第 $1 个数据报：$(wc -c <"$2") 字节：") $(head -c 40 "$2")$( (($(wc -c <"$2") > 40)) && echo ...)" \
    "$(en_zh "$got datagram(s) within $READY_MS ms" "$READY_MS 毫秒内收到 $got 个数据报") $(tr '\n' ' ' <"$BATS_TEST_TMPDIR/sink.out")"
}

# expect_datagram_file N FILE: the sink's datagram N holds exactly the bytes of FILE.
expect_datagram_file() {
  await_datagram "$1" "$2"
  assert_same_file "$2" "$BATS_TEST_TMPDIR/sink/$1.bin" "$(en_zh "datagram $1 as the peer received it" "对端收到的第 $1 个数据报")"
}

# ms_since_datagram N: milliseconds from the moment the sink kept datagram N (its file's time) to
# now. A wait counted from there leaves out the program's start, which a loaded machine
# stretches: what remains is what the program itself waited after sending.
ms_since_datagram() {
  local kept now
  kept=$(stat -c %.3Y "$BATS_TEST_TMPDIR/sink/$1.bin") || fail "the sink kept no datagram $1"
  now=$EPOCHREALTIME
  printf '%d\n' $(((${now//[.,]/} / 1000) - ${kept//./}))
}

# ms_between FILE N: milliseconds from the moment the sink kept datagram N to FILE's last write.
ms_between() {
  local kept written
  kept=$(stat -c %.3Y "$BATS_TEST_TMPDIR/sink/$2.bin") && written=$(stat -c %.3Y "$1") ||
    fail "no time for $1 or for the sink's datagram $2"
  printf '%d\n' $((${written//./} - ${kept//./}))
}
