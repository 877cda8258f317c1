#!/usr/bin/env bash
# tests/bench/requests-random.sh [SEEDS [COUNT]]: lessons 05 and 06's servers against the
# peer dl_requests, on many seeds. For each seed from 1 to SEEDS (default 200), a server
# starts on an empty folder; dl_requests writes the folder's files and sends COUNT requests
# (default 300) drawn from the seed, checking every reply; then the server's log must hold
# the lines the rules give, in order (tests/harness/random_requests.bash does the same for a
# few fixed seeds in make check).
#
#   SERVER=PATH   the server to check (default build/solutions/05-download/download_server;
#                 build/solutions/06-concurrent/concurrent_server, a student's build, a mutant)
#
# Prints each seed whose reply or log differs (dl_requests' account, or the first differing
# log line), then a summary. A mismatch is a bug of the server, of dl_requests, or a place
# where the text is silent or ambiguous: each needs a decision, not a new seed.
# Exit status 0 no mismatch, 1 some, 2 usage or nothing built. It builds nothing: run `make`
# first. It is a benchmark, not a test: not part of make test.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
seeds=${1:-200} count=${2:-300}
[[ $seeds =~ ^[1-9][0-9]*$ && $count =~ ^[1-9][0-9]*$ ]] ||
  { echo "usage: tests/bench/requests-random.sh [SEEDS [COUNT]]" >&2; exit 2; }
server=${SERVER:-$top/build/solutions/05-download/download_server}
peers=$top/build/peers
for need in "$server" "$peers/dl_requests" "$peers/ports" "$peers/await" "$peers/tcp_client"; do
  [[ -x $need ]] || { echo "requests-random.sh: $need is missing: run make first" >&2; exit 2; }
done
work=$(mktemp -d)
pid=
trap '[[ -z $pid ]] || kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

bad=0 start=$SECONDS
for ((seed = 1; seed <= seeds; seed++)); do
  dir=$work/$seed
  mkdir "$dir"
  port=$("$peers/ports" free)
  "$server" -d "$dir" "$port" >"$work/log" 2>"$work/err" &
  pid=$!
  "$peers/await" tcp "$port" --pid "$pid" --ms 5000 || { echo "seed $seed: the server did not listen: $(cat "$work/err")"; exit 1; }
  if ! "$peers/dl_requests" "$seed" "$count" "$port" "$dir" "$work/want" 2>"$work/why"; then
    echo "seed $seed: a reply differs:"
    sed 's/^/    /' "$work/why"
    bad=$((bad + 1))
  else
    # the line of one request more comes after every other: the server has logged them all
    "$peers/tcp_client" 127.0.0.1 "$port" --send $'random-end\n' --out /dev/null 2>/dev/null || true
    "$peers/await" line "$work/log" '"random-end" refused' --pid "$pid" --ms 5000 || true
    if ! diff <(sed -n "2,$((count + 1))p" "$work/log") "$work/want" >"$work/diff"; then
      echo "seed $seed: the log differs (< the server's, > the rules'):"
      head -4 "$work/diff" | sed 's/^/    /'
      bad=$((bad + 1))
    fi
  fi
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=
  rm -rf "$dir"
done
echo "${server#"$top"/}: $seeds seeds of $count requests, $((seeds - bad)) right, $bad differ ($((SECONDS - start)) s)"
((bad == 0))
