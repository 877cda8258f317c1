# socklab sandbox: how the harness runs programs. Loaded by tests/test_helper.bash.
#
# Each test gets a network namespace of its own (only loopback, up), held by a small
# bwrap "holder" started when the test loads test_helper and killed in its teardown.
# Every program of the test joins that network, so they talk over loopback as before, and
# no two tests (or two gradings) ever share a port.
#
#   a test peer or a tool (trusted)   timeout - nsenter (the test's network) - PEER
#   a lab program (untrusted)         timeout - nsenter - setpriv (nobody, when we are root)
#                                       - bwrap (own PID, IPC, UTS and mount namespaces: the
#                                         filesystem read-only, /tmp private, the working
#                                         directory the only writable folder; --die-with-parent)
#                                       - prlimit (CPU, memory, processes, file size, open files)
#                                       - PROGRAM, its stdout and stderr kept up to a bound
#
# The timeout is outside the sandbox, where the program cannot see or kill it; when it
# fires, bwrap dies and the kernel ends the program's PID namespace: every process the
# program started, daemons and new sessions too, is gone. The same happens as soon as the
# program itself exits.
#
# Where bwrap cannot make namespaces (SOCKLAB_SANDBOX=none, see tests/sandbox-probe) programs
# run as before (process groups, killed in teardown) but with the same limits; tests/check
# sweeps what is left at the end of the grading.
#
# Environment (all optional):
#   SOCKLAB_SANDBOX            ns or none (tests/check sets it once per grading)
#   SOCKLAB_LIMIT_CPU          seconds of CPU time per process (default 10)
#   SOCKLAB_LIMIT_MEM_MIB      address space in MiB (default 1024); for ASan builds, whose
#                              shadow memory needs terabytes of address space, the same number
#                              is ASan's own hard_rss_limit_mb instead
#   SOCKLAB_LIMIT_PROCS        processes and threads in one sandbox (default 64)
#   SOCKLAB_LIMIT_FSIZE_MIB    the largest file a program may write, in MiB (default 64)
#   SOCKLAB_LIMIT_FILES        open descriptors (default 256)
#   SOCKLAB_LIMIT_OUTPUT       bytes kept of each of stdout and stderr (default 1 MiB)
# The rest of the environment reaches the program unchanged (LD_PRELOAD, SOCKLAB_FAULTS, ...);
# the whole filesystem, build/ included, is readable inside.

LIMIT_CPU=${SOCKLAB_LIMIT_CPU:-10}
LIMIT_MEM_MIB=${SOCKLAB_LIMIT_MEM_MIB:-1024}
LIMIT_PROCS=${SOCKLAB_LIMIT_PROCS:-64}
LIMIT_FSIZE_MIB=${SOCKLAB_LIMIT_FSIZE_MIB:-64}
LIMIT_FILES=${SOCKLAB_LIMIT_FILES:-256}
LIMIT_OUTPUT=${SOCKLAB_LIMIT_OUTPUT:-1048576}

_SBX_TOP=$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)
_SBX_HOLDER= _SBX_HOLDER_BWRAP=
_SBX_ENTER=() # the command words that join the test's network namespace
_SBX_UID=     # the user lab programs run as (empty: ours)
declare -gA _CAPS=() _BIN=()

# _sandbox_mode: decide once per bats run (cached in BATS_RUN_TMPDIR): ns or none, and the uid.
_sandbox_mode() {
  local cache=$BATS_RUN_TMPDIR/.socklab-sandbox
  if [[ ! -s $cache ]]; then
    local mode=${SOCKLAB_SANDBOX:-$("$_SBX_TOP/tests/sandbox-probe" 2>/dev/null)} uid=
    # As root, programs run as nobody: RLIMIT_NPROC does not hold for root. Only if nobody
    # can reach the programs (a lab under /root cannot be): else they run as root, caps dropped.
    if [[ $mode == ns ]] && ((EUID == 0)) &&
      setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$SOCKLAB_BIN" -a -x "$SOCKLAB_PEERS" 2>/dev/null; then
      uid=65534
      chmod o+x "$BATS_RUN_TMPDIR" # bats made it 0700: nobody must reach the test folders
    fi
    echo "${mode:-none} $uid" >"$cache"
  fi
  read -r SOCKLAB_SANDBOX _SBX_UID <"$cache"
}

# sandbox_start: give this test its network namespace (called when test_helper is loaded).
sandbox_start() {
  _sandbox_mode
  [[ $SOCKLAB_SANDBOX == ns ]] || return 0
  local info=$BATS_TEST_TMPDIR/.holder userns=()
  ((EUID == 0)) || userns=(--unshare-user)
  rm -f "$info" && mkfifo "$info"
  bwrap --ro-bind / / --dev /dev "${userns[@]}" --unshare-net --unshare-ipc --die-with-parent \
    --info-fd 9 -- sleep infinity 9>"$info" </dev/null >/dev/null 2>&1 3>&- &
  _SBX_HOLDER_BWRAP=$!
  local json
  read -r -d '' json <"$info"
  _SBX_HOLDER=$(sed -n 's/.*"child-pid": *\([0-9]*\).*/\1/p' <<<"$json")
  [[ -n $_SBX_HOLDER ]] || fail "sandbox: bwrap could not make the test's network namespace"
  if ((EUID == 0)); then
    _SBX_ENTER=(nsenter "--net=/proc/$_SBX_HOLDER/ns/net" --)
  else
    _SBX_ENTER=(nsenter "--user=/proc/$_SBX_HOLDER/ns/user" "--net=/proc/$_SBX_HOLDER/ns/net" --preserve-credentials --)
  fi
}

# sandbox_stop: end the test's network namespace (from lab_teardown, after the programs).
sandbox_stop() {
  [[ -n $_SBX_HOLDER_BWRAP ]] || return 0
  kill -KILL "$_SBX_HOLDER_BWRAP" "$_SBX_HOLDER" 2>/dev/null
  wait "$_SBX_HOLDER_BWRAP" 2>/dev/null
  _SBX_HOLDER_BWRAP=
}

# in_test_net CMD ARGS: run a trusted command (nc, say) in the test's network, where the
# programs under test are. A test that talks to a program without a helper needs it.
in_test_net() {
  "${_SBX_ENTER[@]}" "$@"
}

# net_table NAME: the kernel's table NAME (tcp, tcp6, udp, udp6) of the test's network.
net_table() {
  if [[ -n $_SBX_HOLDER ]]; then
    printf '/proc/%s/net/%s\n' "$_SBX_HOLDER" "$1"
  else
    printf '/proc/net/%s\n' "$1"
  fi
}

# _workdir: set _WORK to the program's working directory, the only folder it may write: the
# test's current directory if the test made it (lesson 05 cds into one), else a scratch folder
# of the test. (No $(...) and no needless command here: under load every fork costs.)
_workdir() {
  _WORK=$PWD
  if [[ $_WORK != "$BATS_TEST_TMPDIR"/* ]]; then
    _WORK=$BATS_TEST_TMPDIR/work
    [[ -d $_WORK ]] || mkdir "$_WORK"
  fi
  # programs that run as nobody must write there; a folder already theirs is not ours (-O)
  [[ -z $_SBX_UID || ! -O $_WORK ]] || chown "$_SBX_UID" "$_WORK"
}

# _is_sanitized: are the lab programs under test an ASan build (a -san build folder)?
_is_sanitized() {
  [[ ${SOCKLAB_BIN%/} == *-san/* ]]
}

# _sanitizer_log_dirs: the folders that ASAN/UBSAN/LSAN_OPTIONS' log_path= write into.
_sanitizer_log_dirs() {
  local opts path
  for opts in "${ASAN_OPTIONS:-}" "${UBSAN_OPTIONS:-}" "${LSAN_OPTIONS:-}"; do
    path=$(grep -o 'log_path=[^:]*' <<<"$opts" | head -1)
    path=${path#log_path=}
    [[ $path == /* && -d ${path%/*} ]] && printf '%s\n' "${path%/*}"
  done
  return 0
}

# _jail KIND WORKDIR [FD_LIMIT]: set _JAIL to the words that run a program of KIND
# (trusted: a peer or a tool; untrusted: a lab program) in the test's sandbox.
_jail() {
  local kind=$1 work=$2 files=${3:-$LIMIT_FILES} dir logs=()
  _JAIL=("${_SBX_ENTER[@]}")
  [[ $kind == trusted ]] && return 0
  if [[ $SOCKLAB_SANDBOX == ns ]]; then
    # sanitizer reports must reach make test's folder (root's, 0700): an ASan build runs as us
    if _is_sanitized; then
      while read -r dir; do [[ -z $dir ]] || logs+=(--bind "$dir" "$dir"); done < <(_sanitizer_log_dirs)
    elif [[ -n $_SBX_UID ]]; then
      _JAIL+=(setpriv "--reuid=$_SBX_UID" "--regid=$_SBX_UID" --clear-groups)
    fi
    _JAIL+=(bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp
      --ro-bind "$_SBX_TOP" "$_SBX_TOP" --ro-bind "$SOCKLAB_BIN" "$SOCKLAB_BIN"
      --ro-bind "$BATS_RUN_TMPDIR" "$BATS_RUN_TMPDIR" "${logs[@]}" --bind "$work" "$work" --chdir "$work"
      --unshare-pid --unshare-ipc --unshare-uts --die-with-parent --new-session --)
  fi
  local memory=("--as=$((LIMIT_MEM_MIB << 20))")
  _is_sanitized && memory=()
  _JAIL+=(prlimit "--cpu=$LIMIT_CPU" "${memory[@]}" "--nproc=$LIMIT_PROCS"
    "--fsize=$((LIMIT_FSIZE_MIB << 20))" "--nofile=$files" --core=0 --)
}

# _exec_jailed KIND WORKDIR FD_LIMIT SECS BIN ARGS: (in a subshell whose redirections are
# set) become BIN under the timeout, in the sandbox. It keeps only descriptors 0, 1 and 2:
# not bats' (its fd 3, the test's output file), nor our ends of background programs' stdin
# FIFOs, so that closing our end really is end of file.
_exec_jailed() {
  local kind=$1 work=$2 files=$3 secs=$4 fd
  shift 4
  for fd in "/proc/$BASHPID/fd/"*; do
    fd=${fd##*/}
    ((fd <= 2)) || eval "exec $fd>&-" 2>/dev/null
  done
  _jail "$kind" "$work" "$files"
  if _is_sanitized; then
    # ASan keeps its own memory limit (RLIMIT_AS would starve its shadow memory)
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}hard_rss_limit_mb=$LIMIT_MEM_MIB"
    # every sandboxed program is pid 2 in its namespace: name its report files apart
    local tag=$RANDOM$RANDOM var
    for var in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
      [[ -z ${!var:-} ]] || export "$var=$(sed "s|log_path=\([^:]*\)|log_path=\1.$tag|" <<<"${!var}")"
    done
  fi
  cd "$work" || exit 2
  exec timeout -k 2 "$secs" "${_JAIL[@]}" "$@"
}

# _start_caps ID SECS: FIFOs ID.out.pipe and ID.err.pipe whose readers copy at most
# LIMIT_OUTPUT bytes of each to ID.out and ID.err. The readers are cat under a file size
# limit: cat writes each piece as soon as it arrives (the harness watches for ready lines),
# and signal XFSZ stops it at the bound; the program's next write then gets EPIPE or SIGPIPE,
# so a flood fills neither the disk nor the grader's memory. The readers end with the
# program's PID namespace; without a sandbox, where a daemon may keep the pipe open, SECS+3 s
# after starting at the latest. Their "pid:file" are in _CAP_PIDS.
_start_caps() {
  local id=$1 secs=$2 stream fd bound=()
  [[ $SOCKLAB_SANDBOX == ns ]] || bound=(timeout -k 1 $((secs + 3)))
  _CAP_PIDS=()
  rm -f "$id".{out,err}{,.cut,.pipe}
  mkfifo "$id".{out,err}.pipe
  for stream in out err; do
    (
      for fd in "${_INFD[@]}"; do eval "exec $fd>&-"; done
      exec "${bound[@]}" prlimit --fsize="$LIMIT_OUTPUT" cat <"$id.$stream.pipe" >"$id.$stream" 3>&-
    ) &
    _CAP_PIDS+=("$!:$id.$stream")
  done
}

# _wait_caps PID:FILE...: wait for the output readers of a program; where one stopped at the
# bound (status 153, signal XFSZ), end its FILE with a note and leave FILE.cut beside it.
_wait_caps() {
  local cap status
  for cap in "$@"; do
    status=0
    wait "${cap%%:*}" 2>/dev/null || status=$?
    if ((status == 153)); then
      printf '\n[socklab: output cut here: the program wrote more than %s bytes]\n' "$LIMIT_OUTPUT" >>"${cap#*:}"
      : >"${cap#*:}.cut"
    fi
  done
  return 0
}

# _limit_verdict WHAT ID STATUS: fail if the program WHAT (its output in ID.out and ID.err)
# went past a limit that always means failure; add a note naming a limit that its error
# message suggests (the note shows if the test fails).
_limit_verdict() {
  local what=$1 id=$2 status=$3 stream
  for stream in out err; do
    [[ ! -e $id.$stream.cut ]] ||
      fail "$what wrote more than $LIMIT_OUTPUT bytes on std$stream: the output limit (the rest was cut)"
  done
  ((status == 152)) && fail "$what was killed by the CPU time limit ($LIMIT_CPU s of CPU, signal XCPU)"
  ((status == 153)) && fail "$what was killed by the file size limit (it wrote a file over $LIMIT_FSIZE_MIB MiB, signal XFSZ)"
  if grep -qiE 'Cannot allocate memory|out of memory|rss limit exhausted|allocation-size-too-big' "$id.err" 2>/dev/null; then
    echo "note: $what ran with a memory limit of $LIMIT_MEM_MIB MiB"
  fi
  if grep -qE 'Resource temporarily unavailable' "$id.err" 2>/dev/null; then
    echo "note: $what ran with a limit of $LIMIT_PROCS processes and threads"
  fi
  return 0
}

# _replay OUT ERR STATUS: print what a program printed and end as it ended (for bats' run).
_replay() {
  cat "$1"
  cat "$2" >&2
  return "$3"
}

# _run_jailed KIND SECS INPUT FD_LIMIT BIN ARGS: run BIN to completion; sets status, output,
# lines, stderr (bats run). Lab programs' output is kept up to LIMIT_OUTPUT (_start_caps).
_run_jailed() {
  local kind=$1 secs=$2 input=$3 files=$4 id=$BATS_TEST_TMPDIR/.run.$RANDOM rc=0 work
  shift 4
  _workdir
  work=$_WORK
  if [[ $kind == untrusted ]]; then
    _start_caps "$id" "$secs"
    (_exec_jailed "$kind" "$work" "$files" "$secs" "$@") <"$input" >"$id.out.pipe" 2>"$id.err.pipe" || rc=$?
    _wait_caps "${_CAP_PIDS[@]}"
  else
    (_exec_jailed "$kind" "$work" "$files" "$secs" "$@") <"$input" >"$id.out" 2>"$id.err" || rc=$?
  fi
  run --separate-stderr _replay "$id.out" "$id.err" "$rc"
  [[ $kind == trusted ]] || _limit_verdict "$(basename "$1")" "$id" "$rc"
}

# _spawn_jailed KIND LABEL BIN ARGS: start BIN in the background (see _spawn).
_spawn_jailed() {
  local kind=$1 label=$2 dir=$BATS_TEST_TMPDIR work
  shift 2
  _workdir
  work=$_WORK
  _BIN[$label]=$1
  if [[ $kind == untrusted ]]; then
    _start_caps "$dir/$label" "$PROG_TIMEOUT"
    _CAPS[$label]=${_CAP_PIDS[*]}
    (_exec_jailed "$kind" "$work" "" "$PROG_TIMEOUT" "$@") <"$dir/$label.in" \
      >"$dir/$label.out.pipe" 2>"$dir/$label.err.pipe" &
  else
    (_exec_jailed "$kind" "$work" "" "$PROG_TIMEOUT" "$@") <"$dir/$label.in" \
      >"$dir/$label.out" 2>"$dir/$label.err" &
  fi
  _PID[$label]=$!
  _PGIDS+=("$!") # timeout(1) leads its own process group: its pid is the group's id
}

# _spawned_end LABEL STATUS: after LABEL's program ended: wait for its output, check its limits.
_spawned_end() {
  local caps=${_CAPS[$1]:-}
  unset "_CAPS[$1]"
  # shellcheck disable=SC2086 # two pid:file words
  [[ -z $caps ]] || { _wait_caps $caps; _limit_verdict "$1" "$BATS_TEST_TMPDIR/$1" "$2"; }
}

# _find_prog PID BIN: the process, PID or below it, that runs BIN (the sandbox adds bwrap's
# two processes between the timeout and the program); the deepest first child if none does.
_find_prog() {
  local pid=$1 want child depth exe
  want=$(realpath -e "$2" 2>/dev/null || echo "$2")
  for ((depth = 0; depth < 8; depth++)); do
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || true
    [[ $exe == "$want" ]] && break
    child=
    read -r child _ <"/proc/$pid/task/$pid/children" 2>/dev/null || true
    [[ -n $child ]] || break
    pid=$child
  done
  printf '%s\n' "$pid"
}

# sandbox_kill_all: kill every background program of the test and what it started, and wait
# for their output readers (the kill part of lab_teardown). Fails if one went over a limit.
sandbox_kill_all() {
  local label pgid over_limit=0
  # whole groups: a forking server's children die with it, even after wait_exit reaped it;
  # in the sandbox, bwrap's death ends the program's PID namespace, daemons included
  for pgid in "${_PGIDS[@]}"; do
    kill -KILL -- "-$pgid" 2>/dev/null || kill -KILL "$pgid" 2>/dev/null || true
  done
  for label in "${!_PID[@]}"; do
    wait "${_PID[$label]}" 2>/dev/null || true
  done
  local cap
  for label in "${!_CAPS[@]}"; do
    # without a sandbox, a daemon may hold the pipes open
    for cap in ${_CAPS[$label]}; do kill -KILL "${cap%%:*}" 2>/dev/null; done
    _spawned_end "$label" 0 || over_limit=1
  done
  sandbox_stop
  return "$over_limit"
}
