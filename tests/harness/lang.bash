# tests/harness/lang.bash: the language a student reads (English or Simplified Chinese), and the
# fixed words of the harness and of the student's tools in both. Sourced by
# tests/harness/test_helper.bash (failure messages) and by tests/student/show-results, tests/student/hint, tests/student/progress.
#
#   LAB_LANG=zh or LAB_LANG=en   chooses; otherwise the first of LC_ALL, LC_MESSAGES, LANG
#                                that is set decides: zh... means Chinese, anything else English.
#
#   lab_lang          prints zh or en
#   say KEY ARGS...   prints the words KEY in that language, printf-style, with a newline
#   words KEY ARGS... the same without the newline (to build a line)

# shellcheck disable=SC1111 # the Chinese quotation marks below are meant
lab_lang() {
  if _lang_is_zh; then echo zh; else echo en; fi
}

# _lang_is_zh: the same as a status, without a subshell (words runs often).
_lang_is_zh() {
  local l=${LAB_LANG:-}
  [[ -n $l ]] || l=${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}
  [[ $l == zh* || $l == ZH* ]]
}

# Each entry is a printf format. %s are filled in by the caller, in the order given.
declare -gA _WORDS_en=(
  # the harness's failure messages (tests/harness/test_helper.bash)
  [expected]="expected"
  [received]="received"
  [did_not_compile]="%s did not compile:"
  [not_built]="%s was not built: expected %s (is %s there?)"
  [waited_for]="waited for %s to %s: %s"
  [within_ms]="did not happen within %s ms"
  [exited_first]="the program exited first"
  [wait_tcp]="listen on TCP port %s"
  [wait_udp]="bind UDP port %s"
  [wait_line]="print a line matching /%s/"
  [wait_err]="print a line matching /%s/ on stderr"
  [its_stdout]="its stdout:"
  [its_stderr]="its stderr:"
  [last_stderr]="stderr of the last program run:"
  [prog_stderr]="stderr of %s:"
  [no_output]="expected a line of output (%s), but the program printed nothing on stdout"
  [read_en]="read: lessons/%s/README.md     %s"
  [read_zh]="读:   lessons/%s/README.zh.md  %s"
  [limit_cpu]="%s was killed by the CPU time limit (%s s of CPU time, signal XCPU)"
  [limit_fsize]="%s was killed by the file size limit (a file or its output over %s MiB, signal XFSZ)"
  [limit_output]="%s wrote more than %s bytes on stdout or stderr: the output limit (the rest was not read)"
  [note_mem]="note: %s ran with a memory limit of %s MiB"
  [note_procs]="note: %s ran with a limit of %s processes and threads"
  [hangs]="%s did not finish within %ss: it hangs (waiting for input or a peer that never comes?)"
  [so_far_stdout]="stdout so far:"
  [so_far_stderr]="stderr so far:"
  [stdout_is]="stdout:"
  [stderr_is]="stderr:"
  [first_stdout]="stdout (first 2000 bytes):"
  [first_stderr]="stderr (first 2000 bytes):"
  [cannot_type]="could not type \"%s\" to %s: it has closed its standard input or exited"
  [never_ready]="%s did not finish within %ss of starting (its time limit), and never got ready"
  [exit_late]="%s did not exit within %ss %s: it goes on (it hangs?)"
  [exit_late_when]="of the end of its input"
  [exit_hangs]="%s did not exit within %ss of starting, its time limit: it hangs"
  [not_running]="%s is not running"
  [peer_not_built]="test peer %s was not built (run make peers)"
  [tool_missing]="%s is not installed (run tests/setup)"
  [ports_none]="the ports peer found no %s free ports"
  [file_received]="the received file"
  [file_missing]="%s does not exist"
  [file_bytes_in]="%s bytes in %s"
  [no_file]="no file"
  [file_differs]="%s differs from what was sent (from byte %s on)"
  [file_bytes_sum]="%s bytes, sha256 %s…"
  [faults_seed]="faults: seed %s (replay: SOCKLAB_FAULTS_SEED=%s); the faults: %s"
  [faults_none]="fault injection did nothing (the test cannot check the loops)"
  [faults_lib]="the fault-injection library was not built: expected %s (run make peers)"
  [faults_some]="some short or interrupted calls in %s"
  [none]="none"
  [no_message]="no message"
  [missing_source]="%s is missing from %s"
  [no_section]="(no section %s in %s: the test names a section that does not exist)"
  [hint_line]="stuck? make hint LESSON=%s gives a hint for the first failing test"
  [san_crash]="the program crashed under the sanitizers: %s"
  [san_where]="  in your code at %s"
  [san_nowhere]="  (no stack frame in your .c files: see the full report in the program's stderr)"
  [buffered]="Its lines may still be in stdio's buffer: when stdout is a pipe or a file it is fully buffered, and what printf wrote goes out only when the buffer fills, at fflush(stdout) or at exit."
  [buffered_read]="Buffering is explained in the lesson's %s."
  # tests/student/show-results
  [common_reason]="%s of the %s failing tests fail for the same reason, shown once here:"
  [same_reason]="the same reason as above (%s)"
  [verbose_tip]="(VERBOSE=1 shows the harness's stack frames too)"
  [no_results]="no test results in %s: the tests did not run (see the messages above)"
  [summary]="socklab: lesson %s points %s / %s, tests %s passed / %s"
  [summary_too_long]=", took too long"
  [too_long]="lesson took too long: %s ran out of its %s s before this test finished"
  [skipped]="skip"
  # tests/student/hint
  [hint_about]="%s, first failing test: \"%s\""
  [hint_section]="read: %s, %s"
  [hint_last]="That was the last hint for this section (make hint LESSON=%s LEVEL=N shows hint N again)."
  [hint_next]="Asked again, make hint LESSON=%s shows hint %s for this section."
  [hint_no_more]="No more hints for section %s: you have seen all three."
  [hint_reread]="Read the section again: %s   %s"
  [hint_again]="(make hint LESSON=%s LEVEL=N shows hint N again)"
  [hint_none_file]="There are no hints for this section yet (no \"## %s.\" in %s)."
  [hint_no_section]="This test names no lesson section; read the lesson: %s"
  [hint_all_pass]="Every test of %s passes: no hint needed."
  [hint_running]="No up-to-date results for %s: running its tests first ..."
  [hint_no_report]="The tests of %s left no report in %s."
  [hint_usage]="usage: make hint LESSON=NN [IMPL=path] [LEVEL=N]"
  [hint_level]="make hint: LEVEL is 1, 2 or 3"
  [no_lesson]="no lesson matches LESSON=%s; the lessons are: %s"
  # tests/student/progress
  [progress_title]="socklab progress: %s"
  [state_done]="done (%s of %s)"
  [state_partial]="%s of %s passing"
  [state_not_started]="not started"
  [state_no_result]="no results (the tests did not run)"
  [progress_grading]="grading %s (no results yet, or the sources changed since) ..."
  [next_title]="next: %s"
  [next_edit]="  edit:  %s"
  [next_test]="  first failing test: \"%s\""
  [next_first_test]="  first test to pass: \"%s\""
  [next_read]="  read:  %s  %s"
  [next_hint]="  stuck? make hint LESSON=%s"
  [all_done]="Every lesson passes. Well done."
  # tests/student/watch
  [watch_start]="watching %s: the tests of %s run again on every change (Ctrl-C stops)"
  [watch_usage]="usage: make watch LESSON=NN [IMPL=path]"
  [watch_no_dir]="watch: %s does not exist"
  [watch_poll]="(checking for changes once a second: inotifywait is not installed, or WATCH_POLL=1)"
  [watch_changed]="changed: %s"
  # tests/grader/run-lessons, tests/grader/check, tests/grader/compile, the Makefile
  [reports]="reports: %s"
  [sandbox_off]="sandbox: %s: the programs ran with limits only"
  [sandbox_off_start]="grade: the sandbox is %s: programs run with limits only"
  [sandbox_off_env]="off: SANDBOX=0"
  [sandbox_off_bwrap]="off: bwrap is not installed (tests/setup installs bubblewrap)"
  [sandbox_off_ns]="off: bwrap cannot make namespaces here (%s)"
  [build_prefix]="  build: "
  [whole_clone]="check: %s is a whole clone of the lab: grading its starter/"
  [check_no_folder]="check: %s: no such folder (IMPL is a folder laid out like starter/)"
  [check_no_cc]="check: no C compiler (%s): run tests/setup"
  [warnings_count]="%s: %s compiler warning(s): built and graded all the same (they are shown with the lesson's results)"
  [not_graded]="%s: %s not compiled: each program of a lesson is one file of its own (%s), and other .c files are left out (README.md, \"One program, one file\")"
  [missing_copy]="%s: missing from the copy"
  [note]="note: %s"
  [make_no_solutions]="make: no solutions/ here (a students' handout): built the starter and the peers"
  [make_instructor]="make %s is an instructor's command: this copy of the lab (the students' handout) has no %s"
)

declare -gA _WORDS_zh=(
  [expected]="期望"
  [received]="实际收到"
  [did_not_compile]="%s 没有编译通过："
  [not_built]="%s 没有生成：应当是 %s（%s 在吗？）"
  [waited_for]="等待 %s %s：%s"
  [within_ms]="%s 毫秒内没有发生"
  [exited_first]="程序先退出了"
  [wait_tcp]="在 TCP 端口 %s 上监听"
  [wait_udp]="绑定 UDP 端口 %s"
  [wait_line]="打印一行匹配 /%s/ 的输出"
  [wait_err]="在标准错误上打印一行匹配 /%s/ 的输出"
  [its_stdout]="它的标准输出："
  [its_stderr]="它的标准错误："
  [last_stderr]="最后运行的程序的标准错误："
  [prog_stderr]="%s 的标准错误："
  [no_output]="期望输出中有一行（%s），但程序在标准输出上什么也没有打印"
  [read_en]="英文版：lessons/%s/README.md  %s"
  [read_zh]="请读：lessons/%s/README.zh.md  %s"
  [limit_cpu]="%s 超出了 CPU 时间限制，被终止（CPU 时间 %s 秒，信号 XCPU）"
  [limit_fsize]="%s 超出了文件大小限制，被终止（某个文件或它的输出超过 %s MiB，信号 XFSZ）"
  [limit_output]="%s 在标准输出或标准错误上写了超过 %s 字节：超出了输出限制（其余部分没有读取）"
  [note_mem]="注意：%s 运行时的内存限制是 %s MiB"
  [note_procs]="注意：%s 运行时最多只能有 %s 个进程和线程"
  [hangs]="%s 在 %s 秒内没有结束：它卡住了（在等输入，还是在等一个永远不会来的对端？）"
  [so_far_stdout]="到目前为止的标准输出："
  [so_far_stderr]="到目前为止的标准错误："
  [stdout_is]="标准输出："
  [stderr_is]="标准错误："
  [first_stdout]="标准输出（前 2000 字节）："
  [first_stderr]="标准错误（前 2000 字节）："
  [cannot_type]="无法把“%s”输入给 %s：它已经关闭了标准输入，或者已经退出"
  [never_ready]="%s 启动后 %s 秒内没有结束（这是它的时间限制），而且始终没有准备好"
  [exit_late]="%s 没有在 %s 秒内退出（%s）：它还在运行（卡住了？）"
  [exit_late_when]="从输入结束算起"
  [exit_hangs]="%s 启动后 %s 秒内没有退出（这是它的时间限制）：它卡住了"
  [not_running]="%s 没有在运行"
  [peer_not_built]="测试用的对端程序 %s 没有编译（运行 make peers）"
  [tool_missing]="没有安装 %s（运行 tests/setup）"
  [ports_none]="测试用的 ports 程序找不到 %s 个空闲端口"
  [file_received]="收到的文件"
  [file_missing]="%s 不存在"
  [file_bytes_in]="%s 字节，在 %s"
  [no_file]="没有文件"
  [file_differs]="%s 和发出的内容不同（从第 %s 个字节起）"
  [file_bytes_sum]="%s 字节，sha256 %s…"
  [faults_seed]="故障注入：种子 %s（重现：SOCKLAB_FAULTS_SEED=%s）；注入的故障记在：%s"
  [faults_none]="故障注入什么也没做（这个测试检查不了循环）"
  [faults_lib]="故障注入库没有编译：应当是 %s（运行 make peers）"
  [faults_some]="%s 里记有一些被截短或被中断的调用"
  [none]="没有"
  [no_message]="没有消息"
  [missing_source]="%s 不在 %s 里"
  [no_section]="（没有第 %s 节，%s 中找不到：测试指向了一个不存在的小节）"
  [hint_line]="卡住了？运行 make hint LESSON=%s，获得第一个失败测试的提示"
  [san_crash]="程序在检测器（sanitizer）下崩溃：%s"
  [san_where]="  出错位置在你的代码 %s"
  [san_nowhere]="  （栈帧里没有你的 .c 文件：完整报告见程序的标准错误）"
  [buffered]="它打印的行可能还在 stdio 的缓冲区里：标准输出是管道或文件时是全缓冲的，printf 写下的内容要等缓冲区满了、调用 fflush(stdout) 或者程序退出时才真正写出去。"
  [buffered_read]="缓冲在课文的这一节讲：%s。"
  [common_reason]="有 %s 个测试（共 %s 个失败）失败的原因相同，这里只显示一次："
  [same_reason]="原因同上（%s）"
  [verbose_tip]="（VERBOSE=1 会同时显示测试框架的调用栈）"
  [no_results]="%s 里没有测试结果：测试没有运行（见上面的信息）"
  [summary]="socklab：第 %s 课 得分 %s / %s，测试通过 %s / %s"
  [summary_too_long]="，用时太长"
  [too_long]="这一课用时太长：%s 在这个测试完成之前就用完了它的 %s 秒"
  [skipped]="跳过"
  [hint_about]="%s，第一个失败的测试：“%s”"
  [hint_section]="请读：%s，%s"
  [hint_last]="这是这一节的最后一条提示（make hint LESSON=%s LEVEL=N 可以再看第 N 条）。"
  [hint_next]="再运行一次 make hint LESSON=%s，会显示这一节的提示 %s。"
  [hint_no_more]="第 %s 节没有更多提示了：三条提示你都看过了。"
  [hint_reread]="请再读一遍这一节：%s   %s"
  [hint_again]="（make hint LESSON=%s LEVEL=N 可以再看第 N 条提示）"
  [hint_none_file]="第 %s 节还没有提示（%s 中没有这一节）。"
  [hint_no_section]="这个测试没有指明课文小节，请读课文：%s"
  [hint_all_pass]="%s的测试全部通过：不需要提示。"
  [hint_running]="%s还没有最新的测试结果：先运行它的测试……"
  [hint_no_report]="%s的测试没有在 %s 留下报告。"
  [hint_usage]="用法：make hint LESSON=NN [IMPL=path] [LEVEL=N]"
  [hint_level]="make hint：LEVEL 只能是 1、2 或 3"
  [no_lesson]="没有和 LESSON=%s 对应的课；现有的课：%s"
  [progress_title]="socklab 学习进度：%s"
  [state_done]="完成（%s / %s）"
  [state_partial]="通过 %s / %s"
  [state_not_started]="尚未开始"
  [state_no_result]="没有结果（测试没有运行）"
  [progress_grading]="正在评测 %s（还没有结果，或源文件在那之后改过了）……"
  [next_title]="下一步：%s"
  [next_edit]="  修改：%s"
  [next_test]="  第一个失败的测试：“%s”"
  [next_first_test]="  第一个要通过的测试：“%s”"
  [next_read]="  阅读：%s  %s"
  [next_hint]="  卡住了？make hint LESSON=%s"
  [all_done]="所有课程的测试都通过了。干得好！"
  [watch_start]="正在监视 %s：每次改动后重新运行%s的测试（按 Ctrl-C 停止）"
  [watch_usage]="用法：make watch LESSON=NN [IMPL=path]"
  [watch_no_dir]="watch：%s 不存在"
  [watch_poll]="（每秒检查一次改动：没有安装 inotifywait，或者设置了 WATCH_POLL=1）"
  [watch_changed]="有改动：%s"
  [reports]="报告：%s"
  [sandbox_off]="沙箱：%s：程序运行时只有资源限制"
  [sandbox_off_start]="评分：沙箱%s：程序运行时只有资源限制"
  [sandbox_off_env]="已关闭：SANDBOX=0"
  [sandbox_off_bwrap]="已关闭：没有安装 bwrap（tests/setup 会安装 bubblewrap）"
  [sandbox_off_ns]="已关闭：bwrap 在这里建不了命名空间（%s）"
  [build_prefix]="  编译："
  [whole_clone]="check：%s 是整个实验的克隆：评的是它的 starter/"
  [check_no_folder]="check：没有 %s 这个文件夹（IMPL 是一个结构和 starter/ 一样的文件夹）"
  [check_no_cc]="check：没有 C 编译器（%s）：运行 tests/setup"
  [warnings_count]="%s：编译器警告 %s 条：照常编译和评分（警告和这一课的测试结果一起显示）"
  [not_graded]="%s：%s 没有编译：一课的每个程序各是一个文件（%s），其他 .c 文件不参与编译（README.zh.md，“一个程序，一个文件”）"
  [missing_copy]="%s：副本里没有这个文件"
  [note]="注意：%s"
  [make_no_solutions]="make：这里没有 solutions/（这是发给学生的版本）：已编译起步代码和测试用的对端程序"
  [make_instructor]="make %s 是教师用的命令：这份实验（发给学生的版本）里没有 %s"
)

# words KEY ARGS...: the words KEY in the student's language, without a newline.
words() {
  local key=$1 fmt
  shift
  if _lang_is_zh; then fmt=${_WORDS_zh[$key]:-${_WORDS_en[$key]:-$key}}; else fmt=${_WORDS_en[$key]:-$key}; fi
  # shellcheck disable=SC2059 # the format is ours, from the tables above
  printf "$fmt" "$@"
}

# section_name HEADING [LANG]: a lesson's "## N. Title" line as a student reads it: "section N.
# Title" in English, "第 N 节 Title" in Chinese (LANG, else the heading's own: a Chinese
# title reads 第 N 节 even when the student reads English).
section_name() {
  local re='^##+ *([0-9]+)\. *(.*)$' lang=${2:-}
  [[ $1 =~ $re ]] || { printf '%s' "$1"; return; }
  # a terminal shows no Markdown: `poll()` in a heading reads poll() there
  local n=${BASH_REMATCH[1]} title=${BASH_REMATCH[2]//\`/}
  if [[ -z $lang ]]; then
    lang=en
    [[ $title != *[![:ascii:]]* ]] || lang=zh
  fi
  if [[ $lang == zh ]]; then
    printf '第 %s 节%s' "$n" "${title:+ $title}"
  else
    printf 'section %s.%s' "$n" "${title:+ $title}"
  fi
}

# lesson_words LESSON: how a sentence names a lesson: "lesson 04-tcp", "第 04 课".
lesson_words() {
  if _lang_is_zh; then printf '第 %s 课' "${1%%-*}"; else printf 'lesson %s' "$1"; fi
}

# lessons_words LESSON...: several lessons: "01-socket 02-udp", "第 01、02 课".
lessons_words() {
  if _lang_is_zh; then
    local IFS=、 nums=("${@%%-*}")
    printf '第 %s 课' "${nums[*]}"
  else
    printf '%s' "$*"
  fi
}

# peer_words TEXT: what a test peer wrote on stderr, in the student's language: tcp_client's
# last line ("tcp_client: sent S bytes, received R bytes, HOW") is the lab's own sentence; the
# C library's error strings in it stay as they are. Nothing at all: "no message".
peer_words() {
  [[ -n $1 ]] || { words no_message; return; }
  _lang_is_zh || { printf '%s' "$1"; return; }
  local line out='' how re='^tcp_client: sent ([0-9]+) bytes, received ([0-9]+) bytes, (.*)$'
  while IFS= read -r line; do
    if [[ $line =~ $re ]]; then
      how=${BASH_REMATCH[3]}
      case $how in
        "closed by the server") how="服务器关闭了连接" ;;
        "closed at once") how="立刻关闭" ;;
        "gave up: nothing arrived for --idle-ms") how="放弃：--idle-ms 时间内什么都没收到" ;;
        "stopped reading at --read-max and closed") how="读到 --read-max 就停止读取并关闭" ;;
        "could not write what arrived") how="写不出收到的内容" ;;
      esac
      line="tcp_client：发出 ${BASH_REMATCH[1]} 字节，收到 ${BASH_REMATCH[2]} 字节，$how"
    fi
    out+=${out:+$'\n'}$line
  done <<<"$1"
  printf '%s' "$out"
}

# en_zh EN ZH: a test's own sentence in the student's language: EN, or ZH in Chinese.
en_zh() {
  if _lang_is_zh; then printf '%s' "$2"; else printf '%s' "$1"; fi
}

# say KEY ARGS...: the same, as a line.
say() {
  words "$@"
  printf '\n'
}

# say_hint_line N: the line that points at make hint for lesson N. A copy graded with make
# check IMPL=path gets its hints with the same IMPL; SOCKLAB_HINT_IMPL names another one when
# the student runs make hint in a copy of their own (make grade, Gradescope; starter: none).
say_hint_line() {
  local n=$1 impl=${SOCKLAB_HINT_IMPL:-${SOCKLAB_IMPL:-starter}}
  [[ $impl == starter ]] || n="$n IMPL=$impl"
  say hint_line "$n"
}

# What crossed the wire during a failed test (tests/harness/wire.bash). The line that begins a
# wire block (wire_title, wire_none, wire_off) starts with the words wire_start: that is how
# tests/student/show-results and tests/student/hint find the block (it ends at a blank line).
_WORDS_en+=(
  [wire_start]="the wire during this test"
  [wire_title]="the wire during this test (loopback; ms since the test began):"
  [wire_none]="the wire during this test: no packet (nothing was sent over loopback)"
  [wire_off]="the wire during this test: not captured (%s)"
  [wire_no_harness]="the tests were not run by make check"
  [wire_late]="(the capture had not caught up after 2 s: the last packets may be missing)"
  [wire_file]="its packets: %s"
  [wire_open]="open them with: tcpdump -nn -r %s   (or Wireshark, or your lesson 07 layers)"
  [wire_yours]="%s (your program)"
  [wire_peer]="%s (test peer)"
)
_WORDS_zh+=(
  [wire_start]="本测试期间链路上"
  [wire_title]="本测试期间链路上的分组（环回接口；时间是测试开始后的毫秒数）："
  [wire_none]="本测试期间链路上没有分组（环回接口上什么也没有发送）"
  [wire_off]="本测试期间链路上的分组：没有抓包（%s）"
  [wire_no_harness]="测试不是由 make check 运行的"
  [wire_late]="（等了 2 秒抓包仍没有跟上：最后几个分组可能不在其中）"
  [wire_file]="抓包文件：%s"
  [wire_open]="打开它：tcpdump -nn -r %s   （也可以用 Wireshark，或你在第 07 课写的 layers）"
  [wire_yours]="%s（你的程序）"
  [wire_peer]="%s（测试对端）"
)
