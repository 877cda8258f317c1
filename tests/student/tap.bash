# shellcheck shell=bash disable=SC2034 # the T_* arrays are for the scripts that source this file
# tests/student/tap.bash: read a lesson's TAP report (bats --report-formatter tap, as tests/grader/run-lessons
# saves it in build/reports/<impl-key>/<lesson>.tap). Sourced by tests/student/show-results, tests/student/hint
# and tests/student/progress.
#
#   tap_load FILE       fills T_NUM T_NAME T_STATE (ok, fail or skip) T_BODY (the test's
#                       comment lines without their "# ") and T_PLAN (the number of tests);
#                       lines that belong to no test go to T_OTHER
#   tap_message BODY    the lines a student reads: BODY without bats' stack frames, the
#                       explained_in line and the make hint line (tests/harness/test_helper.bash
#                       prints those two; tests/student/show-results says the hint once per lesson)
#   tap_section BODY    the section the failed test named (its explained_in line), or nothing
#   tap_first_failing   the index in T_* of the first failing test, or nothing
#   tap_names BATS      fills T_SHOWN: each test's name as the student reads it, its Chinese
#                       name ("# zh:" in BATS) in Chinese, else its English name; a skipped
#                       test's "# skip REASON" is kept, and said in the student's language
#   test_name_shown BATS NAME   the same for one English test name, to be shown between “”
#   tap_wire            (stdin: a message) its wire block, what crossed the wire during the test
#                       (tests/harness/wire.bash); tap_without_wire: the message without it

tap_load() {
  T_NUM=() T_NAME=() T_STATE=() T_BODY=() T_OTHER=() T_PLAN=0
  local line i=-1 re_test='^(not )?ok ([0-9]+) (.*)$'
  while IFS= read -r line || [[ -n $line ]]; do
    if [[ $line =~ ^1\.\.([0-9]+)$ ]]; then
      T_PLAN=${BASH_REMATCH[1]}
    elif [[ $line =~ $re_test ]]; then
      i=$((i + 1))
      T_NUM[i]=${BASH_REMATCH[2]} T_NAME[i]=${BASH_REMATCH[3]} T_BODY[i]=
      if [[ -n ${BASH_REMATCH[1]} ]]; then
        T_STATE[i]=fail
      elif [[ ${T_NAME[i]} == *' # skip'* ]]; then
        T_STATE[i]=skip
      else
        T_STATE[i]=ok
      fi
    elif [[ $line == '#'* && $i -ge 0 ]]; then
      line=${line#\#}
      T_BODY[i]+=${line# }$'\n'
    else
      T_OTHER+=("$line")
    fi
  done <"$1"
}

# Bats' stack frames and its "`cmd' failed" line: the harness's plumbing, not the student's.
_TAP_FRAME='^(\(|  *)(from function `|in test file |in file )|^  `.*'"'"' failed'
# The line tests/harness/test_helper.bash ends a failure with: make hint, in either language.
_TAP_HINT='make hint LESSON=[0-9]'

tap_message() {
  local line
  while IFS= read -r line; do
    [[ $line =~ $_TAP_FRAME || $line =~ $_TAP_HINT || $line =~ ^explained_in:\ [0-9]+$ ]] && continue
    printf '%s\n' "$line"
  done <<<"$1"
}

tap_section() {
  sed -n 's/^explained_in: \([0-9][0-9]*\)$/\1/p' <<<"$1" | head -1
}

tap_first_failing() {
  local i
  for i in "${!T_STATE[@]}"; do
    [[ ${T_STATE[i]} == fail ]] && { echo "$i"; return 0; }
  done
  return 0
}

# _tap_zh_names BATS: fill the associative array _ZH (English name -> Chinese name) from BATS,
# as tests/grader/points reads it; nothing when the student reads English.
_tap_zh_names() {
  _ZH=()
  [[ $(lab_lang) == zh && -f $1 ]] || return 0
  local name zh
  while IFS=$'\t' read -r _ name zh; do
    [[ -z $zh ]] || _ZH[$name]=$zh
  done < <("${BASH_SOURCE[0]%/*}/../grader/points" --zh "$1" 2>/dev/null)
}

tap_names() {
  local i name skip
  declare -gA _ZH
  _tap_zh_names "$1"
  T_SHOWN=()
  for i in "${!T_NAME[@]}"; do
    name=${T_NAME[i]} skip=
    if [[ ${T_STATE[i]} == skip && $name == *' # '[Ss][Kk][Ii][Pp]* ]]; then
      skip=${name#* # [Ss][Kk][Ii][Pp]}
      name=${name%% # [Ss][Kk][Ii][Pp]*}
      skip=" # $(words skipped)${skip}"
    fi
    T_SHOWN[i]=${_ZH[$name]:-$name}$skip
  done
}

test_name_shown() {
  declare -gA _ZH
  _tap_zh_names "$1"
  local name=${_ZH[$2]:-$2}
  name=${name//“/‘} # it is shown between quotes: quotes inside it become the inner ones
  printf '%s' "${name//”/’}"
}

# The wire block starts with a line that begins with the words wire_start of
# tests/harness/lang.bash (sourced before this file), in either language, and ends at a blank line.
tap_wire() {
  awk -v en="$(LAB_LANG=en words wire_start)" -v zh="$(LAB_LANG=zh words wire_start)" '
    index($0, en) == 1 || index($0, zh) == 1 { wire = 1 } !NF { wire = 0 } wire'
}

tap_without_wire() {
  awk -v en="$(LAB_LANG=en words wire_start)" -v zh="$(LAB_LANG=zh words wire_start)" '
    index($0, en) == 1 || index($0, zh) == 1 { wire = 1 } !NF { wire = 0 } !wire'
}
