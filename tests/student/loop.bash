# tests/student/loop.bash: where the student's loop finds things. Sourced by tests/student/hint, tests/student/progress
# and tests/student/watch, which make runs from the top folder of the repository.
#
#   SOCKLAB_LESSONS   the lessons folder (default lessons/): the texts and the hints files
#   SOCKLAB_BUILD     the build folder (default build/): reports and remembered hint levels
#   SOCKLAB_TESTS     the lesson tests' folder (default tests/): sections and names of tests
#   IMPL, SANITIZE    the implementation, as for make check (IMPL=starter by default)
#
#   lesson_name NN        the folder name of lesson NN (02 -> 02-udp), or fail
#   all_lessons           every lesson's folder name, in order
#   impl_dir              the folder that holds IMPL's lessons (starter/, or the copy)
#   reports_dir           build/reports/<impl-key>: tests/grader/run-lessons's reports of IMPL
#   report_is_fresh L     lesson L has a report newer than each of IMPL's L/*.c
#   grade L...            run make check for those lessons, quietly (it writes the reports)
#   section_title L N LANG   the "## N. Title" line of lesson L's README (or README.zh.md)
#   test_section L NAME   the section test NAME of lesson L names (explained_in), from its .bats
#   lesson_args N         "N", or "N IMPL=path" for a copy: what follows make hint LESSON=
#   shown PATH            PATH as a student types it: relative to the top folder when inside it

LOOP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LESSONS_DIR=${SOCKLAB_LESSONS:-$LOOP_TOP/lessons}
BUILD_DIR=${SOCKLAB_BUILD:-$LOOP_TOP/build}
TESTS_DIR=${SOCKLAB_TESTS:-$LOOP_TOP/tests}
IMPL=${IMPL:-starter}

lesson_name() {
  local found
  found=$(cd "$LESSONS_DIR" && for d in "$1" "$1"-*; do [[ -d $d ]] && echo "$d"; done | head -1)
  [[ -n $found ]] || {
    say no_lesson "$1" "$(all_lessons | tr '\n' ' ')" >&2
    return 2
  }
  echo "$found"
}

all_lessons() {
  (cd "$LESSONS_DIR" && for d in [0-9][0-9]-*; do [[ -d $d ]] && echo "$d"; done)
}

impl_dir() {
  local dir
  case $IMPL in
    starter | solutions) dir=$LOOP_TOP/$IMPL ;;
    /*) dir=$IMPL ;;
    *) dir=$LOOP_TOP/$IMPL ;;
  esac
  # a whole clone of the lab: its starter/, as make check grades it
  "$LOOP_TOP/tests/grader/find-copy" "$dir" || echo "$dir"
}

reports_dir() {
  echo "$BUILD_DIR/reports/$(SANITIZE=${SANITIZE:-} "$LOOP_TOP/tests/grader/copy-key" "$IMPL")"
}

report_is_fresh() {
  local tap src
  tap="$(reports_dir)/$1.tap"
  [[ -f $tap ]] || return 1
  for src in "$(impl_dir)/$1"/*.c; do
    [[ ! $src -nt $tap ]] || return 1
  done
}

grade() {
  make -C "$LOOP_TOP" --no-print-directory check IMPL="$IMPL" SANITIZE="${SANITIZE:-}" LESSON="$*" >/dev/null 2>&1
  return 0 # make check fails while a test fails: the report is what counts
}

section_title() {
  local file="$LESSONS_DIR/$1/README.md"
  [[ $3 == zh ]] && file="$LESSONS_DIR/$1/README.zh.md"
  grep -m1 -E "^## $2\. " "$file" 2>/dev/null
}

shown() {
  echo "${1#"$LOOP_TOP"/}"
}

# test_section LESSON NAME: the explained_in of test NAME, read from its .bats file (for a
# failure that happened before the test called explained_in).
test_section() {
  # the name through the environment: awk -v would turn its backslashes into escapes
  name=$2 awk '
    BEGIN { name = ENVIRON["name"] }
    /^@test "/ {
      t = $0
      sub(/^@test "/, "", t)
      sub(/" *\{ *$/, "", t)
      gsub(/\\"/, "\"", t)
      inside = (t == name)
      next
    }
    inside && match($0, /explained_in [0-9]+/) {
      print substr($0, RSTART + 13, RLENGTH - 13)
      exit
    }' "$TESTS_DIR/$1.bats" 2>/dev/null
}

lesson_args() {
  if [[ $IMPL == starter ]]; then echo "$1"; else echo "$1 IMPL=$IMPL"; fi
}
