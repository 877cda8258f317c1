#!/usr/bin/env bash
# tests/bench/layers-random.sh [SEEDS [PACKETS]]: lesson 07's layers against the oracle, on
# many random captures. For each seed from 1 to SEEDS (default 500), build/peers/pcap_gen
# writes a capture of PACKETS packets (default 50), and what build/solutions/07-layers/layers
# prints for it (standard output, standard error, exit status) must be what
# build/selftest/layers_oracle prints: the lesson's rules, written from its text alone.
#
# make check runs a few fixed seeds (tests/captures/make-random); this runs many, for
# maintainers: after a change to the solution, the oracle, the generator or the lesson's
# rules. A mismatch is a bug of the solution, a bug of the oracle, or a place where the
# text is silent or ambiguous: each needs a decision, not a new seed.
#
#   LAYERS=PATH   the program to check instead of the solution (a student's build, a mutant)
#
# Prints each mismatching seed (the first line that differs, with its packet), then a
# summary, then how often the oracle's lines reached each case of the rules
# (tests/bench/layers-cases.awk; a case at 0 is named: the generator never made it).
# Exit status 0 no mismatch, 1 some, 2 usage or nothing built. It builds nothing: run
# `make` first. It is a benchmark, not a test: not part of make test.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
seeds=${1:-500} packets=${2:-50}
usage() { echo "usage: tests/bench/layers-random.sh [SEEDS [PACKETS]]" >&2; exit 2; }
[[ $seeds =~ ^[1-9][0-9]*$ && $packets =~ ^[0-9]+$ ]] || usage
layers=${LAYERS:-$top/build/solutions/07-layers/layers}
gen=$top/build/peers/pcap_gen oracle=$top/build/selftest/layers_oracle
for need in "$layers" "$gen" "$oracle"; do
  [[ -x $need ]] || { echo "layers-random.sh: $need is missing: run make first" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# transcript PROGRAM CAPTURE OUT: PROGRAM's lines for CAPTURE into OUT, as tests/07-layers.bats
# compares them: standard output, "exit status N", standard error after "stderr: ".
transcript() {
  local status=0 line
  "$1" "$2" >"$3" 2>"$work/err" || status=$?
  echo "exit status $status" >>"$3"
  while IFS= read -r line; do printf 'stderr: %s\n' "${line//"$2"/FILE}"; done <"$work/err" >>"$3"
}

# first_difference WANT GOT: "packet N" (or "the end of the file"), the oracle's line and
# layers' line where the two files first differ, one per line.
first_difference() {
  awk 'NR == FNR { want[FNR] = $0; n = FNR; next }
    { got[FNR] = $0; m = FNR }
    END {
      for (i = 1; i <= n || i <= m; i++) {
        if (want[i] ~ /^packet [0-9]+:/) { where = want[i]; sub(/:.*/, "", where) }
        if (want[i] ~ /^(exit status|stderr:)/) where = "the end of the file"
        if (i > n || i > m || want[i] != got[i]) {
          print (where == "" ? "the start of the file" : where)
          print (i > n ? "(no line)" : want[i]); print (i > m ? "(no line)" : got[i]); exit
        }
      }
    }' "$1" "$2"
}

bad=0
for ((seed = 1; seed <= seeds; seed++)); do
  "$gen" "$seed" "$packets" "$work/capture.pcap"
  transcript "$oracle" "$work/capture.pcap" "$work/want"
  transcript "$layers" "$work/capture.pcap" "$work/got"
  cat "$work/want" >>"$work/all"
  cmp -s "$work/want" "$work/got" && continue
  bad=$((bad + 1))
  {
    IFS= read -r where
    IFS= read -r want
    IFS= read -r got
  } < <(first_difference "$work/want" "$work/got")
  printf 'seed %d, %s:\n  oracle: %s\n  layers: %s\n' "$seed" "$where" "$want" "$got"
done
echo "layers-random: $seeds seeds x $packets packets, $bad seeds where $layers and the oracle differ"
echo "the cases the captures reached (tests/bench/layers-cases.awk):"
awk -f "$top/tests/bench/layers-cases.awk" "$work/all" | tee "$work/cases"
awk '$1 == 0 { printf "never reached: %s\n", $2 }' "$work/cases"
((bad == 0))
