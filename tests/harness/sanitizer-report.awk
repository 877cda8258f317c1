# tests/harness/sanitizer-report.awk: the first sanitizer report in a program's stderr, in one line:
#
#     KIND<TAB>FILE:LINE (FUNCTION)
#
# KIND is e.g. "AddressSanitizer: heap-buffer-overflow" or "UndefinedBehaviorSanitizer:
# signed integer overflow: ...". FILE:LINE is the first stack frame in the student's code:
# a .c file named after one of the lesson's programs (awk -v progs=" server client ");
# failing that, the first .c frame outside the C library and the sanitizer runtime.
# Nothing is printed when there is no report. Used by tests/harness/test_helper.bash.

# "==123==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x... at pc ..."
!kind && /^==[0-9]+==ERROR: / {
  kind = $0
  sub(/^==[0-9]+==ERROR: /, "", kind)
  sub(/ on (unknown )?address.*/, "", kind)
  in_stack = 1
  next
}

# UBSan: "server.c:42:5: runtime error: signed integer overflow: ..." names the place itself
!kind && / runtime error: / {
  kind = $0
  sub(/.* runtime error: /, "", kind)
  kind = "UndefinedBehaviorSanitizer: " substr(kind, 1, 100)
  place = $0
  sub(/: runtime error: .*/, "", place)
  sub(/:[0-9]+$/, "", place) # the column
  in_stack = 1
  next
}

# "    #1 0x559be9e76164 in main /path/to/server.c:6" (a column may follow the line)
in_stack && /^ *#[0-9]+ 0x[0-9a-f]+ in / {
  fn = $4
  loc = $5
  if (loc !~ /\.c:[0-9]+/)
    next
  sub(/:[0-9]+$/, "", loc) # keep FILE:LINE, drop a column
  if (loc !~ /\.c:[0-9]+$/)
    loc = $5
  file = loc
  sub(/:[0-9]+$/, "", file)
  base = file
  sub(/.*\//, "", base)
  sub(/\.c$/, "", base)
  if (!mine && index(progs, " " base " "))
    mine = loc " (" fn ")"
  if (!other && file !~ /^\.\.\// && file !~ /libsanitizer|sysdeps|csu\//)
    other = loc " (" fn ")"
  next
}

# the crash's own stack ends at the first blank line ("allocated by ..." stacks follow)
in_stack && /^[ \t]*$/ && (mine || other) { in_stack = 0 }

END {
  if (!kind)
    exit
  where = mine ? mine : (place ? place : other)
  printf "%s\t%s\n", kind, where
}
