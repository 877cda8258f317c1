# Shared by lessons 05 and 06: random requests, good and bad, to a download server, from a
# seed. The peer dl_requests draws them, writes the files they name and checks every reply;
# this file words what it found in the student's language and compares the server's log with
# the lines the rules give. Load it after test_helper: load harness/random_requests.

# random_requests PROG SEED COUNT: start PROG (download_server or concurrent_server) on an
# empty folder; dl_requests fills the folder and sends COUNT requests drawn from SEED (names
# of every byte value and of lengths 1 to 255, bad names, 256 bytes without a newline, a
# stream that ends early, a request in pieces, bytes after the newline). Every reply must be
# the one lesson 05's section 2 gives; then every log line the one R9.6 gives, in order.
random_requests() {
  local prog=$1 seed=$2 count=$3 label=random$2 dir=$BATS_TEST_TMPDIR/random-$2
  mkdir -p "$dir"
  free_port port
  spawn_prog "$label" "$prog" -d "$dir" "$port"
  wait_tcp "$label" "$port"
  # a request is a few ms; under a loaded grader's delays (tests/bench/stress.sh), tens of ms
  run_peer --timeout 45 dl_requests "$seed" "$count" "$port" "$dir" "$dir.log"
  ((status == 1)) && _random_reply_differs
  ((status == 0)) || fail "$(en_zh "the test peer dl_requests failed: $stderr" "测试用的对端程序 dl_requests 失败了：$stderr")"
  # one request more, whose line comes after every other: the server has logged them all
  run_peer tcp_client 127.0.0.1 "$port" --send "random-end-$seed"$'\n' --out /dev/null
  wait_line "$label" "^127\\.0\\.0\\.1:[0-9]+ \"random-end-$seed\" refused: no such file\$"
  _random_log_is_wanted "$label" "$seed" "$count" "$dir.log"
}

# _random_reply_differs: fail with what dl_requests sent, expected and received (its
# "KEY VALUE" lines on stderr), the rules of that kind of request and lesson 05's section.
_random_reply_differs() {
  local -A f
  local line kind rules section sent_as expected received
  while IFS= read -r line; do f[${line%% *}]=${line#* }; done <<<"$stderr"
  [[ -n ${f[kind]-} ]] || return 0 # not a wrong reply: the caller says the peer failed
  case ${f[kind]} in
    file) kind=$(en_zh "the name of a file in the folder" "目录里某个文件的名字") rules="R2.3 R2.6 R2.8" section=6 ;;
    missing) kind=$(en_zh "a name no file has" "没有哪个文件叫这个名字") rules="R2.2 R2.13" section=5 ;;
    empty) kind=$(en_zh "an empty name" "空名字") rules="R2.9" section=5 ;;
    dot) kind=$(en_zh "the name ." "名字 .") rules="R2.1 R2.9" section=5 ;;
    dotdot) kind=$(en_zh "the name .." "名字 ..") rules="R2.1 R2.9" section=5 ;;
    nul) kind=$(en_zh "a name with a NUL byte in it" "含有 NUL 字节的名字") rules="R2.1 R2.9" section=5 ;;
    slash) kind=$(en_zh "a name with a / in it" "含有 / 的名字") rules="R2.1 R2.9" section=5 ;;
    too-long) kind=$(en_zh "256 bytes or more, no newline among the first 256" "256 个或更多字节，前 256 个里没有换行符") rules="R2.4 R2.10" section=4 ;;
    closed) kind=$(en_zh "bytes without a newline, then the client ended its stream" "没有换行符的字节，然后客户端结束了它的字节流") rules="R2.12" section=4 ;;
    *) kind=${f[kind]} rules="R2.7" section=2 ;;
  esac
  ((${f[pieces]:-1} > 1)) && section=4
  [[ $SOCKLAB_LESSON == 05-* ]] && explained_in "$section"
  sent_as=$(en_zh "in one write" "一次发出")
  ((${f[pieces]:-1} > 1)) && sent_as=$(en_zh "in ${f[pieces]} pieces a few ms apart" "分 ${f[pieces]} 段发出，每段相隔几毫秒")
  ((${f[end-of-stream]:-0})) && sent_as+=$(en_zh ", then the end of the client's stream (shutdown)" "，然后客户端结束了它的字节流（shutdown）")
  expected=${f[expected]}
  ((${f[file-bytes]:-0})) && expected+=$(en_zh " then the file's ${f[file-bytes]} bytes" "，然后是文件的 ${f[file-bytes]} 个字节")
  expected+=$(en_zh ", then the end of the stream" "，然后是流结束")
  received=${f[received]}
  [[ -n ${f[error]-} ]] && received+=$(en_zh ", then: ${f[error]}" "，然后：${f[error]}")
  flunk_wire "$(en_zh "random request ${f[request]} (seed ${f[seed]}): ${kind}, sent ${sent_as}:
  ${f[sent]}
the reply (lesson 05, section $section, rules $rules)" "随机请求 ${f[request]}（种子 ${f[seed]}）：${kind}，${sent_as}：
  ${f[sent]}
服务器的应答（第 05 课第 $section 节，规则 $rules）")" "$expected" "$received"
}

# _random_log_is_wanted LABEL SEED COUNT WANT_FILE: the server's log, after its "serving"
# line, holds the COUNT lines of WANT_FILE in order, then the last request's line.
_random_log_is_wanted() {
  local want=() got=() i
  mapfile -t want <"$4"
  mapfile -t got <"$BATS_TEST_TMPDIR/$1.out"
  got=("${got[@]:1}") # the "serving DIR on port PORT" line
  for ((i = 0; i <= $3; i++)); do
    if ((i == $3)); then
      [[ ${got[i]-} == *' "random-end-'"$2"'" refused: no such file' ]] && return 0
      want[i]=$(en_zh "the line of the request after them, \"random-end-$2\"" "它们之后那个请求 \"random-end-$2\" 的一行")
    fi
    [[ ${got[i]-} == "${want[i]}" ]] && continue
    [[ $SOCKLAB_LESSON == 05-* ]] && explained_in 3
    local where=""
    if [[ -n ${got[i]+set} ]]; then # a byte the terminal may not show (0x7f, say): name it
      read -r where <<<"$(cmp -l <(printf '%s\n' "${want[i]}") <(printf '%s\n' "${got[i]}") 2>/dev/null | head -1)"
      # shellcheck disable=SC2086 # "BYTE OCTAL OCTAL"
      [[ -n $where ]] && where=$(set -- $where && printf "$(en_zh "; they part at byte %d: 0x%02x expected, 0x%02x received" "；从第 %d 个字节起不同：期望 0x%02x，实际收到 0x%02x")" "$1" "0$2" "0$3")
    fi
    flunk_wire "$(en_zh "the server's log line for random request $((i + 1)) of $3 (seed $2; lesson 05, R9.6: one line per client, the name escaped)$where" \
      "服务器为随机请求 $((i + 1))（共 $3 个，种子 $2）记下的日志行（第 05 课 R9.6：每个客户端一行，名字经过转义）$where")" \
      "${want[i]}" "${got[i]-$(en_zh "(no line)" "（没有这一行）")}"
  done
}
