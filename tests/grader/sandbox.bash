# shellcheck shell=bash
# tests/grader/sandbox.bash: the system's part of the grader's sandboxes (bubblewrap), sourced by
# tests/grader/run-lessons (a lesson's tests) and tests/grader/compile (the compiler). $top must be
# the lab's top folder.
#
# SYSTEM_WORDS: bwrap words that show the system's programs and libraries and nothing of the
# machine's users: /usr and /etc read-only, /bin, /sbin, /lib... as they are (links to usr/ on
# most systems today). A lab kept under /usr or /etc (/usr/local/src/socklab) is covered by an
# empty folder, and what a sandbox needs of it is bound again by its caller.
SYSTEM_WORDS=(--ro-bind /usr /usr --ro-bind /etc /etc)
# (one find for the six: a grading sources this once per lesson, and each process costs)
while read -r _dir _type _target; do
  if [[ $_type == l ]]; then
    SYSTEM_WORDS+=(--symlink "$_target" "$_dir")
  elif [[ $_type == d ]]; then
    SYSTEM_WORDS+=(--ro-bind "$_dir" "$_dir")
  fi
done < <(find /bin /sbin /lib /lib32 /lib64 /libx32 -maxdepth 0 -printf '%p %y %l\n' 2>/dev/null)
unset _dir _type _target
case $top/ in /usr/* | /etc/*) SYSTEM_WORDS+=(--tmpfs "$top") ;; esac

# sandbox_works: can bwrap make the namespaces the sandboxes need here? (prints why not on stdout)
sandbox_works() {
  bwrap "${SYSTEM_WORDS[@]}" --dev /dev --proc /proc --tmpfs /tmp --unshare-pid --unshare-net --unshare-ipc \
    --die-with-parent -- true 2>&1
}
