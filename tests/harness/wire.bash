# shellcheck shell=bash
# tests/harness/wire.bash: what crossed the wire during a test (issue 24), shown when it fails.
# Sourced by tests/harness/test_helper.bash.
#
# tests/grader/run-lessons runs a lesson's bats under tests/harness/with-capture, which captures
# the sandbox's loopback into one file from before the first test to after the last. Here a
# test notes when it began and ended (wall clock, as the capture's time stamps) and who is on
# which port; when it fails, teardown cuts its packets out of the capture (ladder -w) and prints
# them as a ladder diagram (tests/harness/peers/ladder), in the student's language:
#
#     the wire during this test (loopback; ms since the test began):
#                      tcp_client (test peer)   server (your program)
#            ms  127.0.0.1:41290              127.0.0.1:38211
#         0.412  |---------- SYN ----------->|
#         ...
#     its packets: build/reports/<impl-key>/04-tcp/server-prints-the-client-s-line-with-its-address.pcap
#     open them with: tcpdump -nn -r build/reports/...pcap (or Wireshark, or your lesson 07 layers)
#
# A column is named by the test's own label for the program behind it: a port some wait_tcp or
# wait_udp waited on, or the port a listening peer (tcp_server, udp_sink) was given; and, when
# only the student's programs or only the test's peers spoke first from ports nobody named
# (clients), those. Other endpoints are shown as address:port.
#
# Environment (from tests/grader/run-lessons and tests/harness/with-capture):
#   SOCKLAB_WIRE          the capture file (while capture runs), SOCKLAB_WIRE_PID its process
#   SOCKLAB_WIRE_SLICES   where a failed test's packets go (run-lessons moves them to its reports)
#   SOCKLAB_WIRE_SHOWN    that folder as the student finds it (build/reports/<impl-key>/<lesson>)
#   SOCKLAB_WIRE_OFF      why there is no capture (then a networked test's failure says so)

# when the test began: test_helper is loaded by the test's setup
_WIRE_FROM=${EPOCHREALTIME/,/.}
_WIRE_NET=                      # the test used the network (ports, peers): a failure speaks of the wire
declare -gA _WIRE_PORT=()       # port -> the label of the program on it
declare -ga _WIRE_PORTS=()      # those ports, in the order they were named
declare -gA _WIRE_TALKS=()      # "yours NAME" / "peer NAME": programs that may speak first from any port
declare -gA _WIRE_STARTED=()    # label -> "yours NAME" / "peer NAME", for the ones that got a port
_WIRE_LISTENERS=" tcp_server udp_sink " # test peers whose first argument is the port they listen on
_WIRE_CLIENTS=" tcp_client udp_source dl_stall tcp4_reset_client " # test peers that speak first

# _wire_port LABEL PORT: LABEL's program is on PORT (wait_tcp, wait_udp).
_wire_port() {
  [[ -n ${_WIRE_PORT[$2]:-} ]] || _WIRE_PORTS+=("$2")
  _WIRE_PORT[$2]=$1
  _WIRE_NET=1
}

# _wire_ran ROLE NAME [LABEL [ARGS...]]: a program was started: ROLE is yours (a lab program) or
# peer (a test peer, a tool such as nc); NAME its file name; LABEL its label when it runs in the
# background; ARGS its arguments (a listening peer's first one is its port).
_wire_ran() {
  local role=$1 name=${2##*/} label=${3:-}
  case $role:$name in
    peer:ports | peer:await) return 0 ;; # the harness's own helpers: no traffic
  esac
  _WIRE_NET=1
  if [[ $role == peer && $_WIRE_LISTENERS == *" $name "* && ${4:-} =~ ^[0-9]+$ ]]; then
    _wire_port "$label" "$4"
  elif [[ $role == yours || $_WIRE_CLIENTS == *" $name "* || $name == nc ]]; then
    if [[ -n $label ]]; then _WIRE_STARTED[$label]="$role $name"; else _WIRE_TALKS["$role $name"]=1; fi
  fi
}

# _wire_labels: set _LABELS to ladder's --label words: each recorded port with its program's
# name and role (on 127.0.0.1, where the tests talk: a column even if nothing reaches it; and
# on any other address), and "*" for the programs that speak first from ports nobody named,
# when they are all of one role.
_wire_labels() {
  local port label role name roles='' names='' talker
  _LABELS=()
  for port in "${_WIRE_PORTS[@]:0:7}"; do # ladder takes 16 labels
    label=${_WIRE_PORT[$port]}
    if [[ -n ${_LABPROG[$label]:-} ]]; then role=wire_yours; else role=wire_peer; fi
    name=$(words "$role" "$(_who "$label")")
    _LABELS+=(--label "127.0.0.1:$port=$name" --label "$port=$name")
  done
  # a background program that got no port may be a client; one that got a port is not
  for label in "${!_WIRE_STARTED[@]}"; do
    [[ " ${_WIRE_PORT[*]} " == *" $label "* ]] || _WIRE_TALKS[${_WIRE_STARTED[$label]}]=1
  done
  for talker in "${!_WIRE_TALKS[@]}"; do
    role=${talker%% *} name=${talker#* }
    [[ " $roles " == *" $role "* ]] || roles+=" $role"
    [[ "/$names/" == *"/$name/"* ]] || names+=${names:+/}$name
  done
  if [[ $roles == " yours" ]]; then
    _LABELS+=(--label "*=$(words wire_yours "$names")")
  elif [[ $roles == " peer" ]]; then
    _LABELS+=(--label "*=$(words wire_peer "$names")")
  fi
}

# _wire_caught_up: wait (at most 2 s) until the capture holds every packet sent so far: send a
# datagram that names this test to the discard port, and wait for the capture file to hold it
# as a line of its own (capture writes what it has each time it wakes up). Returns 1 if it did
# not in time. The datagram goes out in one write (cat): bash's printf would write its first
# line alone, and the port unreachable it earns would refuse the second.
_wire_caught_up() {
  local mark="socklab-wire-mark $BASHPID.$RANDOM$RANDOM"
  printf '\n%s\n' "$mark" >"$BATS_TEST_TMPDIR/.wire-mark"
  cat "$BATS_TEST_TMPDIR/.wire-mark" 2>/dev/null >/dev/udp/127.0.0.1/9 || return 1
  "$SOCKLAB_PEERS/await" line "$SOCKLAB_WIRE" "^$mark\$" --pid "${SOCKLAB_WIRE_PID:-0}" --ms 2000
}

# _wire_slice_name: a file name for this test's packets: its name, letters and digits, the rest
# as dashes, at most 60 characters (whole words).
_wire_slice_name() {
  local name=${BATS_TEST_DESCRIPTION:-$BATS_TEST_NAME}
  name=${name//[^A-Za-z0-9]/-}
  while [[ $name == *--* ]]; do name=${name//--/-}; done
  name=${name#-}
  ((${#name} <= 60)) || { name=${name:0:61}; name=${name%-*}; } # a whole word last
  printf '%s.pcap' "${name%-}"
}

# _wire_show: for a failed test, what crossed the wire during it (see above), after a blank
# line; for a networked test with no capture, or no packet, one line that says so.
_wire_show() {
  local to=${EPOCHREALTIME/,/.} late='' slice out rc=0 shown
  if [[ -z ${SOCKLAB_WIRE:-} || ! -f ${SOCKLAB_WIRE:-} ]]; then
    [[ -z $_WIRE_NET ]] || printf '\n%s\n' "$(words wire_off "${SOCKLAB_WIRE_OFF:-$(words wire_no_harness)}")"
    return 0
  fi
  _wire_caught_up || late=1
  _wire_labels
  slice=${SOCKLAB_WIRE_SLICES:-$BATS_TEST_TMPDIR}/$(_wire_slice_name)
  out=$("$SOCKLAB_PEERS/ladder" --from "$_WIRE_FROM" --to "$to" --lang "$(lab_lang)" --max 24 \
    "${_LABELS[@]}" -w "$slice" "$SOCKLAB_WIRE" 2>&1) || rc=$?
  if ((rc != 0)); then
    rm -f "$slice"
    printf '\n%s\n' "$(words wire_off "$out")"
  elif (($(stat -c %s "$slice" 2>/dev/null || echo 0) <= 24)); then
    rm -f "$slice" # the file header alone: no packet in the window
    [[ -z $_WIRE_NET ]] || printf '\n%s\n' "$(words wire_none)"
  else
    shown=${SOCKLAB_WIRE_SHOWN:+$SOCKLAB_WIRE_SHOWN/${slice##*/}}
    printf '\n%s\n%s\n' "$(words wire_title)" "$out"
    [[ -z $late ]] || say wire_late
    say wire_file "${shown:-$slice}"
    say wire_open "${shown:-$slice}"
  fi
}
