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
  [no_section]="(no section %s in %s: the test names a section that does not exist)"
  [hint_line]="stuck? make hint LESSON=%s gives a hint for the first failing test"
  [san_crash]="the program crashed under the sanitizers: %s"
  [san_where]="  in your code at %s"
  [san_nowhere]="  (no stack frame in your .c files: see the full report in the program's stderr)"
  # tests/student/show-results
  [common_reason]="%s of the %s failing tests fail for the same reason, shown once here:"
  [same_reason]="the same reason as above (%s)"
  [verbose_tip]="(VERBOSE=1 shows the harness's stack frames too)"
  [no_results]="no test results in %s: the tests did not run (see the messages above)"
  # tests/student/hint
  [hint_about]="lesson %s, first failing test: \"%s\""
  [hint_section]="section: %s   (%s)"
  [hint_last]="That was the last hint for this section (make hint LESSON=%s LEVEL=N shows hint N again)."
  [hint_next]="Asked again, make hint LESSON=%s shows hint %s for this section."
  [hint_no_more]="No more hints for section %s: you have seen all three."
  [hint_reread]="Read the section again: %s   %s"
  [hint_again]="(make hint LESSON=%s LEVEL=N shows hint N again)"
  [hint_none_file]="There are no hints for this section yet (no \"## %s.\" in %s)."
  [hint_no_section]="This test names no lesson section; read the lesson: %s"
  [hint_all_pass]="Every test of lesson %s passes: no hint needed."
  [hint_running]="No up-to-date results for lesson %s: running its tests first ..."
  [hint_no_report]="The tests of lesson %s left no report in %s."
  # tests/student/progress
  [progress_title]="socklab progress: %s"
  [state_done]="done (%s of %s)"
  [state_partial]="%s of %s passing"
  [state_not_started]="not started"
  [state_no_result]="no results (the tests did not run)"
  [progress_grading]="grading %s (no results yet, or the sources changed since) ..."
  [next_title]="next: lesson %s"
  [next_edit]="  edit:  %s"
  [next_test]="  first failing test: \"%s\""
  [next_first_test]="  first test to pass: \"%s\""
  [next_read]="  read:  %s  %s"
  [next_hint]="  stuck? make hint LESSON=%s"
  [all_done]="Every lesson passes. Well done."
  # tests/student/watch
  [watch_start]="watching %s: the tests of lesson %s run again on every change (Ctrl-C stops)"
  [watch_poll]="(checking for changes once a second: inotifywait is not installed, or WATCH_POLL=1)"
  [watch_changed]="changed: %s"
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
  [read_en]="英文：lessons/%s/README.md     %s"
  [read_zh]="请读：lessons/%s/README.zh.md  %s"
  [no_section]="（没有第 %s 节，%s 中找不到：测试指向了一个不存在的小节）"
  [hint_line]="卡住了？运行 make hint LESSON=%s，获得第一个失败测试的提示"
  [san_crash]="程序在检查器（sanitizer）下崩溃：%s"
  [san_where]="  出错位置在你的代码 %s"
  [san_nowhere]="  （栈帧里没有你的 .c 文件：完整报告见程序的标准错误）"
  [common_reason]="有 %s 个测试（共 %s 个失败）失败的原因相同，这里只显示一次："
  [same_reason]="原因同上（%s）"
  [verbose_tip]="（VERBOSE=1 会同时显示测试框架的调用栈）"
  [no_results]="%s 里没有测试结果：测试没有运行（见上面的信息）"
  [hint_about]="课程 %s，第一个失败的测试：“%s”"
  [hint_section]="小节：%s   （%s）"
  [hint_last]="这是这一节的最后一条提示（make hint LESSON=%s LEVEL=N 可以再看第 N 条）。"
  [hint_next]="再运行一次 make hint LESSON=%s，会显示这一节的提示 %s。"
  [hint_no_more]="第 %s 节没有更多提示了：三条提示你都看过了。"
  [hint_reread]="请再读一遍这一节：%s   %s"
  [hint_again]="（make hint LESSON=%s LEVEL=N 可以再看第 N 条提示）"
  [hint_none_file]="第 %s 节还没有提示（%s 中没有这一节）。"
  [hint_no_section]="这个测试没有指明课文小节，请读课文：%s"
  [hint_all_pass]="课程 %s 的测试全部通过：不需要提示。"
  [hint_running]="课程 %s 没有最新的测试结果：先运行它的测试……"
  [hint_no_report]="课程 %s 的测试没有在 %s 留下报告。"
  [progress_title]="socklab 学习进度：%s"
  [state_done]="完成（%s / %s）"
  [state_partial]="通过 %s / %s"
  [state_not_started]="尚未开始"
  [state_no_result]="没有结果（测试没有运行）"
  [progress_grading]="正在评测 %s（还没有结果，或源文件在那之后改过了）……"
  [next_title]="下一步：课程 %s"
  [next_edit]="  修改：%s"
  [next_test]="  第一个失败的测试：“%s”"
  [next_first_test]="  第一个要通过的测试：“%s”"
  [next_read]="  阅读：%s  %s"
  [next_hint]="  卡住了？make hint LESSON=%s"
  [all_done]="所有课程的测试都通过了。干得好！"
  [watch_start]="正在监视 %s：每次改动后重新运行课程 %s 的测试（按 Ctrl-C 停止）"
  [watch_poll]="（每秒检查一次改动：没有安装 inotifywait，或者设置了 WATCH_POLL=1）"
  [watch_changed]="有改动：%s"
)

# words KEY ARGS...: the words KEY in the student's language, without a newline.
words() {
  local key=$1 fmt
  shift
  if _lang_is_zh; then fmt=${_WORDS_zh[$key]:-${_WORDS_en[$key]:-$key}}; else fmt=${_WORDS_en[$key]:-$key}; fi
  # shellcheck disable=SC2059 # the format is ours, from the tables above
  printf "$fmt" "$@"
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
