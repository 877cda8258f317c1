#!/usr/bin/env bash
# tests/bench/download.sh [SIZE_MIB] [ROUNDS]: lesson 05's download_server and download_client
# against netcat, on the same file, over loopback, in the same run.
#
#   IMPL      (environment) whose programs: solutions, the reference (the default when
#             build/solutions/ exists), or starter, your own (the default in the students'
#             handout, which has no solutions)
#   SIZE_MIB  size of the file, default 1024 (1 GiB)
#   ROUNDS    transfers per program pair, default 5; the best round of each is compared
#
# It builds nothing: run `make` first (it uses build/IMPL/05-download/ and build/peers/).
# It needs nc (netcat-openbsd) and GNU time (/usr/bin/time) for the peak memory.
# The file is made from /dev/urandom in a temporary directory and read once beforehand,
# so that both pairs read it from the page cache, and `sync` runs before each transfer,
# so that neither pays for the other's writes. Each copy is checked with cmp.
#
# Prints, per pair: the time and throughput of each round, the best throughput, and the
# peak resident memory (max RSS) of the sending and the receiving side; then the ratio
# IMPL / nc (target: >= 1.0) and whether IMPL's programs stayed under 4 MiB.
# It is a benchmark, not a test: it is not part of make test.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
impl=${IMPL:-solutions}
[[ -n ${IMPL:-} || -d $top/build/solutions ]] || impl=starter
bin="$top/build/$impl/05-download"
peers="$top/build/peers"
size_mib=${1:-1024}
rounds=${2:-5}

for need in "$bin/download_server" "$bin/download_client" "$peers/ports" "$peers/await"; do
  [[ -x $need ]] || { echo "download.sh: $need is missing: run make first" >&2; exit 2; }
done
command -v nc >/dev/null || { echo "download.sh: nc (netcat-openbsd) is not installed" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "download.sh: GNU time (/usr/bin/time) is not installed" >&2; exit 2; }

work=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

mkdir "$work/served"

# works: IMPL's programs download a small file correctly (before any timing: a program that
# is not written yet gets one clear message, not a benchmark's)
works() {
  local port pid ok=0
  head -c 100000 /dev/urandom >"$work/served/check.bin"
  port=$("$peers/ports" free)
  "$bin/download_server" -d "$work/served" "$port" >/dev/null 2>&1 &
  pid=$!
  if "$peers/await" tcp "$port" --pid "$pid" --ms 5000 2>/dev/null &&
    timeout 10 "$bin/download_client" -o "$work/check.out" 127.0.0.1 "$port" check.bin >/dev/null 2>&1 &&
    cmp -s "$work/served/check.bin" "$work/check.out"; then
    ok=1
  fi
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$work/served/check.bin" "$work/check.out"
  ((ok))
}
works || {
  echo "download.sh: $bin: download_server and download_client do not download a file yet (make check LESSON=05 says why)" >&2
  exit 1
}
file="$work/served/file.bin"
size=$((size_mib * 1024 * 1024))
echo "making a file of $size_mib MiB in $work ..."
head -c "$size" /dev/urandom >"$file"
cat "$file" >/dev/null # into the page cache: neither pair pays for reading the disk
sync                   # and no writeback of the new file slows down whichever pair runs first
# The first 1 GiB written in a run is slow (the kernel finds memory for the new pages):
# one untimed copy takes that cost, so that it does not fall on whichever pair runs first.
cp "$file" "$work/warm-up.bin" && rm "$work/warm-up.bin" && sync

# now_ns: a clock in nanoseconds.
now_ns() { date +%s%N; }

# child_of PID: the process that PID (a /usr/bin/time) runs. Called once the server listens,
# so the child is there already.
child_of() {
  local child=
  read -r child _ <"/proc/$1/task/$1/children" || true
  [[ -n $child ]] || { echo "download.sh: no child of /usr/bin/time (pid $1)" >&2; exit 1; }
  echo "$child"
}

# mib_per_s NS: the throughput of one file transfer that took NS nanoseconds.
mib_per_s() {
  awk -v mib="$size_mib" -v ns="$1" 'BEGIN { printf "%.1f", mib / (ns / 1e9) }'
}

# max_kib FILE...: the largest number among the /usr/bin/time -f %M outputs.
max_kib() {
  cat "$@" | sort -n | tail -1
}

# run_reference ROUND: one download with IMPL's download_server and download_client; prints nanoseconds.
run_reference() {
  local port out="$work/out.bin"
  port=$("$peers/ports" free)
  /usr/bin/time -f %M -o "$work/ref-server.$1" "$bin/download_server" -d "$work/served" "$port" \
    >"$work/ref-server.log" &
  server_pid=$!
  "$peers/await" tcp "$port" --ms 5000
  local t0 t1
  t0=$(now_ns)
  /usr/bin/time -f %M -o "$work/ref-client.$1" "$bin/download_client" -o "$out" 127.0.0.1 "$port" file.bin >/dev/null
  t1=$(now_ns)
  # SIGTERM to the server itself (not to time), so that it exits 0 and time writes its report
  kill -TERM "$(child_of "$server_pid")"
  wait "$server_pid"
  server_pid=
  cmp -s "$file" "$out" || { echo "download.sh: the $impl copy differs from the file" >&2; exit 1; }
  rm -f "$out"
  sync
  echo $((t1 - t0))
}

# run_nc ROUND: one transfer with nc -l (sending) and nc (receiving); prints nanoseconds.
run_nc() {
  local port out="$work/out.bin"
  port=$("$peers/ports" free)
  # -N: shut down the socket at end of input, so that the receiver sees end of file
  /usr/bin/time -f %M -o "$work/nc-server.$1" nc -N -l 127.0.0.1 "$port" <"$file" &
  server_pid=$!
  "$peers/await" tcp "$port" --ms 5000
  local t0 t1
  t0=$(now_ns)
  # -d: do not read standard input; receive until the sender closes
  /usr/bin/time -f %M -o "$work/nc-client.$1" nc -d 127.0.0.1 "$port" >"$out"
  t1=$(now_ns)
  wait "$server_pid"
  server_pid=
  cmp -s "$file" "$out" || { echo "download.sh: the nc copy differs from the file" >&2; exit 1; }
  rm -f "$out"
  sync
  echo $((t1 - t0))
}

best_ref=0 best_nc=0
# seconds NS: nanoseconds as seconds, for printing.
seconds() {
  awk -v ns="$1" 'BEGIN { printf "%.3f", ns / 1e9 }'
}

# Odd rounds run IMPL's programs first, even rounds nc first: neither always goes first.
for round in $(seq "$rounds"); do
  if ((round % 2)); then
    ref_ns=$(run_reference "$round")
    nc_ns=$(run_nc "$round")
  else
    nc_ns=$(run_nc "$round")
    ref_ns=$(run_reference "$round")
  fi
  ref=$(mib_per_s "$ref_ns")
  nc=$(mib_per_s "$nc_ns")
  echo "round $round  $impl: $(seconds "$ref_ns") s, $ref MiB/s    nc: $(seconds "$nc_ns") s, $nc MiB/s"
  best_ref=$(awk -v a="$best_ref" -v b="$ref" 'BEGIN { print (b > a ? b : a) }')
  best_nc=$(awk -v a="$best_nc" -v b="$nc" 'BEGIN { print (b > a ? b : a) }')
done

ref_server_kib=$(max_kib "$work"/ref-server.*)
ref_client_kib=$(max_kib "$work"/ref-client.*)
nc_server_kib=$(max_kib "$work"/nc-server.*)
nc_client_kib=$(max_kib "$work"/nc-client.*)

echo
echo "file: $size_mib MiB over 127.0.0.1, best of $rounds rounds"
printf '  %-45s %10s MiB/s   peak memory: server %6d KiB, client %6d KiB\n' \
  "download_server + download_client ($impl)" "$best_ref" "$ref_server_kib" "$ref_client_kib"
printf '  %-45s %10s MiB/s   peak memory: server %6d KiB, client %6d KiB\n' \
  "nc -N -l + nc -d" "$best_nc" "$nc_server_kib" "$nc_client_kib"
ratio=$(awk -v a="$best_ref" -v b="$best_nc" 'BEGIN { printf "%.2f", a / b }')
echo "ratio $impl / nc: $ratio (target >= 1.00)"
if ((ref_server_kib < 4096 && ref_client_kib < 4096)); then
  echo "$impl peak memory: under 4 MiB on both sides (target met)"
else
  echo "$impl peak memory: over 4 MiB on one side (target missed)"
fi
