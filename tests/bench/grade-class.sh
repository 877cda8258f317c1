#!/usr/bin/env bash
# tests/bench/grade-class.sh [-n COPIES] [-l LESSONS] [-j JOBS] [-r ROUNDS] [REF]: make grade's time for a
# class of COPIES distinct copies (default 30), beside the same class graded by the lab as it
# was at the git commit REF (default: the commit before make grade took submissions as handed
# in, found by its message), in one run.
#
# Every copy is the reference solution of LESSONS (default 01) with a comment line of its own,
# so that no two copies have the same files and nothing is reused between them: each copy is
# graded in full, by both labs. The class is laid out as lesson folders, which both take. Each
# lab grades it ROUNDS times (default 2), alternating (REF, this, REF, this), each time with an empty cache of
# its own (REUSE stays on: that is how instructors run it; with distinct copies it finds
# nothing to reuse), JOBS copies at a time (default 2).
# Prints each grading's wall time, then the best of each and the ratio this / REF, and the same
# ratio per test: the two labs run the tests each has (lesson 01 had 18 at REF, 21 now).
# A benchmark, not a test: not part of make test. Run it on an otherwise idle machine.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
n=30 lessons=01 jobs=2 rounds=2
usage() { echo "usage: tests/bench/grade-class.sh [-n COPIES] [-l LESSONS] [-j JOBS] [-r ROUNDS] [REF]" >&2; exit 2; }
while getopts n:l:j:r: opt; do
  case $opt in
    n) n=$OPTARG ;;
    l) lessons=$OPTARG ;;
    j) jobs=$OPTARG ;;
    r) rounds=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
(($# <= 1)) || usage
[[ $n =~ ^[1-9][0-9]*$ && $jobs =~ ^[1-9][0-9]*$ && $rounds =~ ^[1-9][0-9]*$ ]] || usage
cd "$top"
ref=${1:-$(git log --format=%H -1 --grep='^make grade (issue 20): every submission taken')~1}
git rev-parse --verify -q "$ref^{commit}" >/dev/null || { echo "grade-class.sh: no commit $ref" >&2; exit 2; }

work=$(mktemp -d "$top/build/.bench-grade-XXXXXX")
chmod 755 "$work"
cleanup() {
  git -C "$top" worktree remove --force "$work/ref" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# the lab at REF, built (its own build/, peers and solutions)
git worktree add -q --detach "$work/ref" "$ref"
make -s -C "$work/ref" >/dev/null
make -s -C "$top" >/dev/null

# the class: COPIES distinct copies of the solutions of LESSONS
dirs=()
for l in $lessons; do dirs+=("$(cd solutions && ls -d "$l"-*)"); done
for ((i = 1; i <= n; i++)); do
  s=$(printf 'student%02d' "$i")
  for d in "${dirs[@]}"; do
    mkdir -p "$work/class/$s/$d"
    for f in solutions/"$d"/*.c; do
      { printf '/* %s: copy %d */\n' "$s" "$i"; cat "$f"; } >"$work/class/$s/$d/${f##*/}"
    done
  done
done

# grade LAB NAME: one make grade of the class by LAB; prints NAME and the wall time in seconds
grade() {
  local lab=$1 name=$2 out=$work/out-$2-$RANDOM start end
  start=$(date +%s.%N)
  make -s --no-print-directory -C "$lab" grade SUBMISSIONS="$work/class" JOBS="$jobs" \
    LESSON="$lessons" GRADES="$out" GRADE_CACHE="$out.cache" FRESH=1 >"$out.txt" 2>&1 ||
    { echo "grade-class.sh: make grade failed in $lab:" >&2; tail -5 "$out.txt" >&2; exit 1; }
  end=$(date +%s.%N)
  # every copy got full marks: the timing is of a real grading
  local rows
  rows=$(grep -c ',$' "$out/grades.csv" || true)
  printf '%-5s %7.1f s  (%s rows)\n' "$name" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$rows"
}

echo "make grade of $n distinct copies, lessons $lessons, JOBS=$jobs; ref = $(git log --format='%h %s' -1 "$ref" | cut -c1-70)"
results=()
for ((round = 1; round <= rounds; round++)); do
  results+=("$(grade "$work/ref" ref)") && echo "${results[-1]}"
  results+=("$(grade "$top" this)") && echo "${results[-1]}"
done
best() { printf '%s\n' "${results[@]}" | awk -v w="$1" '$1 == w { if (b == "" || $2 < b) b = $2 } END { print b }'; }
b_ref=$(best ref) b_this=$(best this)
echo "best: ref $b_ref s, this $b_this s, ratio this / ref $(awk -v a="$b_this" -v b="$b_ref" 'BEGIN { printf "%.2f", a / b }')"
# the two labs may not run the same tests: the ratio per test is the machinery's own
tests_in() { local lab=$1 t=0 l; for l in $lessons; do t=$((t + $(grep -c '^@test ' "$lab"/tests/"$l"-*.bats))); done; echo "$t"; }
t_ref=$(tests_in "$work/ref") t_this=$(tests_in "$top")
echo "tests per copy: ref $t_ref, this $t_this; per test, ratio this / ref $(awk -v a="$b_this" -v b="$b_ref" -v x="$t_this" -v y="$t_ref" 'BEGIN { printf "%.2f", (a / x) / (b / y) }')"
