# tests/bench/layers-cases.awk: which cases of lesson 07's rules a run of layers reached.
#
#   awk -f tests/bench/layers-cases.awk OUTPUT...
#
# Reads what layers (or tests/selftest/oracle/layers_oracle) printed for some captures, the lines of
# section 7's tables, and counts each case the rules name: each line and each error,
# IPv4 options, TCP options, each flag, payloads of 0 bytes, IPv6 addresses with :: or a
# dotted tail, records cut short or with other original lengths. A file's last lines may be
# "exit status N" and "stderr: MESSAGE" (tests/captures/random/*.expected, and
# tests/bench/layers-random.sh's outputs): the file-level cases come from those.
# Prints "COUNT CASE" per case, in a fixed order; a case never reached shows 0 (tests/bench/
# layers-random.sh names those; tests/captures/make-random prints the counts of its seeds).

function count(name) { seen[name]++ }

BEGIN {
  n = split("packet:C<O packet:C>O packet:C=0 packet:C=262144 " \
    "link:IPv4 link:IPv6 link:not-decoded error:truncated-Ethernet " \
    "network:IPv4 network:IPv4-options error:truncated-IPv4-20 error:truncated-IPv4-IHL " \
    "error:bad-IPv4-version error:bad-IPv4-IHL error:bad-IPv4-total " \
    "network:IPv6 ipv6:compressed ipv6:dotted-tail ipv6:uncompressed " \
    "error:truncated-IPv6 error:bad-IPv6-version " \
    "transport:fragment transport:ICMP transport:ICMPv6 transport:unnamed " \
    "transport:TCP tcp:options tcp:payload-0 tcp:payload>0 tcp:flags-none " \
    "tcp:F tcp:S tcp:R tcp:P tcp:. tcp:U tcp:E tcp:W " \
    "error:truncated-TCP-20 error:truncated-TCP-offset error:bad-TCP-offset error:bad-TCP-segment " \
    "transport:UDP udp:payload-0 error:truncated-UDP error:bad-UDP-length error:bad-UDP-datagram " \
    "file:read-to-its-end file:cut-short file:bad-record-length file:not-pcap file:link-type file:too-short",
    order, " ")
  for (i = 1; i <= n; i++) seen[order[i]] = 0
}

/^packet [0-9]+: / {
  if ($3 + 0 < $5 + 0) count("packet:C<O")
  if ($3 + 0 > $5 + 0) count("packet:C>O")
  if ($3 == "0") count("packet:C=0")
  if ($3 == "262144") count("packet:C=262144")
}
/^  link: .*\(IPv4\)$/ { count("link:IPv4") }
/^  link: .*\(IPv6\)$/ { count("link:IPv6") }
/^  link: .*not decoded$/ { count("link:not-decoded") }
/^  network: IPv4 / {
  count("network:IPv4")
  if ($0 !~ /header 20 bytes/) count("network:IPv4-options")
}
/^  network: IPv6 / {
  count("network:IPv6")
  for (i = 3; i <= 5; i += 2) {
    a = $i; sub(/,$/, "", a)
    if (a ~ /::/) count("ipv6:compressed"); else count("ipv6:uncompressed")
    if (a ~ /\./) count("ipv6:dotted-tail")
  }
}
/^  transport: fragment / { count("transport:fragment") }
/^  transport: protocol .*\(ICMP\)/ { count("transport:ICMP") }
/^  transport: protocol .*\(ICMPv6\)/ { count("transport:ICMPv6") }
/^  transport: protocol [0-9]+, not decoded/ { count("transport:unnamed") }
/^  transport: TCP / {
  count("transport:TCP")
  if ($0 !~ /header 20 bytes/) count("tcp:options")
  if ($0 ~ /payload 0 bytes$/) count("tcp:payload-0"); else count("tcp:payload>0")
  flags = $0; sub(/.*flags \[/, "", flags); sub(/\].*/, "", flags)
  if (flags == "none") count("tcp:flags-none")
  else for (i = 1; i <= length(flags); i++) count("tcp:" substr(flags, i, 1))
}
/^  transport: UDP / {
  count("transport:UDP")
  if ($0 ~ /payload 0 bytes$/) count("udp:payload-0")
}
/^  error: truncated Ethernet / { count("error:truncated-Ethernet") }
/^  error: truncated IPv4 header: [0-9]+ of 20 / { count("error:truncated-IPv4-20") }
/^  error: truncated IPv4 header: [0-9]+ of ([3-9][0-9]|2[1-9]) / { count("error:truncated-IPv4-IHL") }
/^  error: bad IPv4 header: / {
  if ($0 !~ /version 4,/) count("error:bad-IPv4-version")
  else if ($0 ~ /header length ([0-9]|1[0-9]) bytes/) count("error:bad-IPv4-IHL")
  else count("error:bad-IPv4-total")
}
/^  error: truncated IPv6 / { count("error:truncated-IPv6") }
/^  error: bad IPv6 / { count("error:bad-IPv6-version") }
/^  error: truncated TCP header: [0-9]+ of 20 / { count("error:truncated-TCP-20") }
/^  error: truncated TCP header: [0-9]+ of ([3-9][0-9]|2[1-9]) / { count("error:truncated-TCP-offset") }
/^  error: bad TCP header: header length [0-9]+ bytes$/ { count("error:bad-TCP-offset") }
/^  error: bad TCP header: .*segment/ { count("error:bad-TCP-segment") }
/^  error: truncated UDP / { count("error:truncated-UDP") }
/^  error: bad UDP header: length [0-9]+ bytes$/ { count("error:bad-UDP-length") }
/^  error: bad UDP header: .*datagram/ { count("error:bad-UDP-datagram") }
/^exit status 0$/ { count("file:read-to-its-end") }
/^stderr: .*is cut short/ { count("file:cut-short") }
/^stderr: .*bad record length/ { count("file:bad-record-length") }
/^stderr: .*magic number/ { count("file:not-pcap") }
/^stderr: .*link type/ { count("file:link-type") }
/^stderr: .*shorter than/ { count("file:too-short") }

END { for (i = 1; i <= n; i++) printf "%6d %s\n", seen[order[i]], order[i] }
