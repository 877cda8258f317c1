# tests/grader/reports.awk: turn one lesson's bats TAP output into its reports (tests/grader/run-lessons uses it).
#
#   awk -F'\t' -v lesson=L -v too_long=0|1 -v budget=S -v filters=EXPRS -v notesfile=F \
#       -v tapfile=F -v junitfile=F -v rowfile=F -f grade-report.awk POINTS TAP
#
# POINTS is what tests/grader/points prints for the lesson (lesson, points, tags, name); TAP is bats's output:
# one file, or one per share of the tests when tests/grader/run-lessons ran the lesson as several bats runs
# (their results come out in the lesson file's order, numbered anew, under one plan).
# When the lesson ran out of time (too_long=1), every test it should have run and did not report
# becomes "not ok ... lesson took too long". FILTERS is the --filter-tags expressions bats was
# given, separated by spaces ("" for none), so that only tests bats would have run count.
#
# NOTESFILE (may be empty) holds what the compiler said about programs graded all the same
# (warnings, files not compiled): comment lines before the first test in TAPFILE, and the
# suite's system-err in JUNITFILE.
#
# Writes TAPFILE (a summary comment line, then the TAP), JUNITFILE and ROWFILE
# ("lesson passed total points possible state skipped"; state is pass, fail or too-long).

function xml(s) {
  gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); gsub(/"/, "\\&quot;", s)
  gsub(/[\001-\010\013\014\016-\037]/, "?", s)
  return s
}

# selected(tags): bats would run a test with these tags under the filters (any one of them).
function selected(tags,   nf, f, i, nt, t, j, ok, want, neg, has) {
  if (filters == "") return 1
  nt = split(tags, t, ",")
  nf = split(filters, f, " ")
  for (i = 1; i <= nf; i++) {
    ok = 1
    n = split(f[i], want, ",")
    for (j = 1; j <= n; j++) {
      neg = (substr(want[j], 1, 1) == "!")
      w = neg ? substr(want[j], 2) : want[j]
      has = 0
      for (k = 1; k <= nt; k++) if (t[k] == w) has = 1
      if (has == neg) ok = 0
    }
    if (ok) return 1
  }
  return 0
}

# summary(msg): for JUnit's message attribute, the failure's first line that says what went
# wrong (not bats' location lines "(in test file ...", "(from function ...", "`cmd' failed", nor
# blank lines or bats-assert's dashes), and the program's first line of stderr when the
# message shows it.
function summary(msg,   n, l, i, line, first, err) {
  n = split(msg, l, "\n")
  for (i = 1; i <= n; i++) {
    line = l[i]
    if (err == "" && i < n && line ~ /^(stderr of .+:|.+的标准错误：|its stderr:)[ \t]*$/ && l[i + 1] !~ /^[ \t]*$/)
      err = l[i + 1]
    if (line ~ /^[ \t]*$/ || line ~ /^\((in|from) (test file|function) / || line ~ /^[ \t]*`.*' failed( with status [0-9]+)?$/ || line ~ /^[ \t]*--[ \t]*$/) continue
    sub(/^[ \t]*(-- )?/, "", line); sub(/ --[ \t]*$/, "", line)
    if (first == "") first = line
  }
  if (first == "") first = l[1]
  return err == "" ? first : first " (stderr: " err ")"
}

BEGIN { MSG_LINES = 400; MSG_BYTES = 40000 }

FNR == NR {
  order[++ntests] = $4
  points[$4] = $2
  wanted[$4] = selected($3)
  next
}

# ---- the TAP ----
# Each result keeps the lines that follow it (its failure message) in rlines[n]; lines before a
# file's first result go first. A file's plan adds to the whole plan.
FNR == 1 { last = 0 }
/^1\.\.[0-9]+/ { planned += substr($0, 4) + 0; plans++; next }
/^(ok|not ok) [0-9]+/ {
  line = $0
  ok = (line ~ /^ok /)
  name = line
  sub(/^(ok|not ok) [0-9]+ /, "", name)
  sub(/ # in [0-9]+ ?ms$/, "", name)
  sub(/ # timeout after [0-9]+s$/, "", name) # bats' own BATS_TEST_TIMEOUT
  skip = 0
  if (name ~ / # [Ss][Kk][Ii][Pp]( |$)/) { skip = 1; sub(/ # [Ss][Kk][Ii][Pp]( .*)?$/, "", name) }
  n = ++nres
  rname[n] = name; rok[n] = ok; rskip[n] = skip; rmsg[n] = ""; rlines[n] = ""
  rest[n] = line; sub(/^(ok|not ok) [0-9]+/, "", rest[n])
  if (!(name in result_of)) result_of[name] = n
  last = n
  next
}
# A message is kept up to MSG_LINES lines and MSG_BYTES bytes, the rest counted: a program that
# floods its stderr (a loop that prints the same error) must not make a report of megabytes,
# nor take awk minutes (each line is appended to the message so far).
last && (nlines[last] >= MSG_LINES || length(rlines[last]) >= MSG_BYTES) { cut[last]++; next }
/^#/ && last { rmsg[last] = rmsg[last] (rmsg[last] == "" ? "" : "\n") substr($0, 3) }
last { rlines[last] = rlines[last] "\n" $0; nlines[last]++; next }
{ pre[++npre] = $0 }

END {
  for (n = 1; n <= nres; n++) if (cut[n]) {
    line = "... " cut[n] " more lines of this message not shown"
    rmsg[n] = rmsg[n] "\n" line
    rlines[n] = rlines[n] "\n# " line
  }
  if (too_long) {
    for (i = 1; i <= ntests; i++) {
      name = order[i]
      if ((name in result_of) || !wanted[name]) continue
      n = ++nres
      rname[n] = name; rok[n] = 0; rskip[n] = 0; rest[n] = " " name
      rmsg[n] = "lesson took too long: " lesson " ran out of its " budget " s before this test finished"
      rlines[n] = "\n# " rmsg[n]
      result_of[name] = n
    }
  }
  # the results in the lesson file's order (a result no test of the file has, last), numbered anew
  nplaced = 0
  for (i = 1; i <= ntests; i++)
    if (order[i] in result_of) { n = result_of[order[i]]; place[++nplaced] = n; placed[n] = 1 }
  for (n = 1; n <= nres; n++) if (!placed[n]) place[++nplaced] = n
  passed = failed = skipped = earned = possible = 0
  for (i = 1; i <= nres; i++) {
    p = points[rname[i]] + 0
    if (rskip[i]) { skipped++; continue }
    possible += p
    if (rok[i]) { passed++; earned += p } else failed++
  }
  total = passed + failed
  if (planned - skipped > total && !too_long) { failed += planned - skipped - total; total = planned - skipped }
  state = (too_long ? "too-long" : (failed == 0 && total > 0 ? "pass" : "fail"))

  printf "# socklab: lesson %s points %d / %d, tests %d passed / %d%s\n", lesson, earned, possible, passed, total,
    (too_long ? ", took too long" : "") >tapfile
  if (plans) print "1.." planned >tapfile
  notes = ""
  while (notesfile != "" && (getline line < notesfile) > 0) {
    print "# " line >tapfile
    notes = notes line "\n"
  }
  for (i = 1; i <= npre; i++) print pre[i] >tapfile
  for (i = 1; i <= nplaced; i++) {
    n = place[i]
    printf "%s %d%s%s\n", (rok[n] ? "ok" : "not ok"), i, rest[n], rlines[n] >tapfile
  }

  print "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" >junitfile
  printf "<testsuites name=\"socklab\" tests=\"%d\" failures=\"%d\" skipped=\"%d\">\n", nres, failed, skipped >junitfile
  printf "  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" skipped=\"%d\">\n", xml(lesson), nres, failed, skipped >junitfile
  printf "    <properties>\n      <property name=\"points\" value=\"%d\"/>\n      <property name=\"points_possible\" value=\"%d\"/>\n    </properties>\n", earned, possible >junitfile
  for (j = 1; j <= nplaced; j++) {
    i = place[j]
    p = points[rname[i]] + 0
    printf "    <testcase classname=\"%s\" name=\"%s\">\n", xml(lesson), xml(rname[i]) >junitfile
    printf "      <properties><property name=\"points\" value=\"%d\"/><property name=\"points_earned\" value=\"%d\"/></properties>\n",
      p, (rok[i] && !rskip[i]) ? p : 0 >junitfile
    if (rskip[i]) print "      <skipped/>" >junitfile
    else if (!rok[i]) {
      first = summary(rmsg[i])
      printf "      <failure message=\"%s\">%s</failure>\n", xml(first), xml(rmsg[i]) >junitfile
    }
    print "    </testcase>" >junitfile
  }
  if (notes != "") printf "    <system-err>%s</system-err>\n", xml(notes) >junitfile
  print "  </testsuite>\n</testsuites>" >junitfile

  print lesson, passed, total, earned, possible, state, skipped >rowfile
}
