/**
 * @file ladder.c
 * @brief Harness tool (issue 24, "see the wire"): print the packets of a pcap file as a
 *        ladder diagram, one column per endpoint, one line per packet.
 *
 *     ladder [--from SEC.USEC] [--to SEC.USEC] [--label ENDPOINT=NAME]... [--lang en|zh]
 *            [--max N] [-w SLICE] FILE
 *
 *     --from, --to  the time window, in CLOCK_REALTIME seconds (a test's start and end):
 *                   packets outside it are skipped; the times shown are milliseconds since
 *                   --from (since the first packet without it)
 *     --label       names a column: ENDPOINT is ADDR:PORT (127.0.0.1:7788, [::1]:7788),
 *                   which gets a column even before it sends, or PORT (any address), or *:
 *                   every endpoint no other label names that speaks first (its first packet
 *                   in the diagram is a SYN or a UDP datagram it sends: a client's ephemeral
 *                   port, not a closed port that only receives)
 *     --lang        the diagram's words in English (default) or Chinese
 *     --max N       at most N packet lines (default 30, at most 10000), then a count of the rest
 *     -w SLICE      also write the window's packets to SLICE, in the input's own pcap format
 *
 * What it shows: each TCP segment with its flags (SYN, SYN-ACK, PSH, FIN, RST...), each UDP
 * datagram, each ICMP or ICMPv6 message by name (a port unreachable names the port it was
 * about, and is drawn between the two endpoints of the datagram it answers), with the
 * payload's length and first bytes as a C string. Pure ACKs (no data, no SYN, FIN or RST)
 * are counted, not drawn. A packet that cannot be decoded is a line "! packet N: why" (N
 * counts from the window's first packet, as in SLICE). Packets are read in the file's
 * order; the file may still be growing (tests/harness/peers/capture writes it): a cut record at
 * its end past the window is not mentioned.
 *
 * Input: classic pcap, either byte order, microsecond or nanosecond time stamps; link types
 * 1 (Ethernet), 101 (raw IP), 228 (IPv4), 229 (IPv6), 113 and 276 (Linux cooked v1, v2).
 *
 * Exit status: 0 the ladder was printed (a damaged capture gives a partial ladder and a
 * note), 1 FILE is not a readable pcap file or SLICE cannot be written, 2 usage.
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/** @brief The longest record we accept (tcpdump's largest snap length). */
#define MAX_RECORD 262144
/** @brief Columns at most; the last one is shared by every endpoint that came later. */
#define MAX_COLUMNS 6
/** @brief Payload bytes shown per packet. */
#define SHOWN_BYTES 20
/** @brief The narrowest column, wide enough for an arrow around "SYN-ACK". */
#define MIN_COLUMN 18
/** @brief Where the first column starts: a 9-character time, then two spaces. */
#define FIRST_COLUMN 11
#define MAX_LABELS 16
/** @brief The port of the label "*": no endpoint has it, column_of() names talkers with it. */
#define ANY_TALKER (-2)
#define MAX_LINES 10000

/** @brief TCP's flag bits (lesson 07, section 5). */
enum { FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16, URG = 32 };

/** @brief The diagram's fixed words in one language. */
struct words {
    const char *ms, *bytes, *byte_one, *to_itself, *others, *empty, *more, *more_one, *acks, *acks_one;
    const char *cut, *too_long, *short_frame, *not_ip, *header_cut, *header_bad, *fragment, *protocol;
    const char *no_socket, *about;
};

static const struct words english = {
    .ms = "ms", .bytes = "%ld bytes", .byte_one = "1 byte", .to_itself = "(to itself)", .others = "(others)",
    .empty = "(no packets in this time window)",
    .more = "... %lu more packets in the capture", .more_one = "... 1 more packet in the capture",
    .acks = "(+%lu pure ACKs not shown)", .acks_one = "(+1 pure ACK not shown)",
    .cut = "! capture ends inside a packet",
    .too_long = "! a record of %lu bytes is impossible: the rest of the file is not read",
    .short_frame = "packet %lu: frame shorter than its %s header", .not_ip = "packet %lu: not IPv4/IPv6 (%s)",
    .header_cut = "packet %lu: %s header cut short", .header_bad = "packet %lu: impossible %s header",
    .fragment = "IPv4 fragment at offset %u", .protocol = "IP protocol %u",
    .no_socket = " (no socket on UDP port %u)", .about = " (about %s port %u)",
};

static const struct words chinese = {
    .ms = "毫秒", .bytes = "%ld 字节", .byte_one = "1 字节", .to_itself = "（发给自己）", .others = "（其他端点）",
    .empty = "（这段时间里没有分组）",
    .more = "…… 抓包中还有 %lu 个分组", .more_one = "…… 抓包中还有 1 个分组",
    .acks = "（另有 %lu 个纯 ACK 未显示）", .acks_one = "（另有 1 个纯 ACK 未显示）",
    .cut = "! 抓包文件在一个分组中间结束",
    .too_long = "! 记录长度 %lu 字节不可能：文件其余部分未读",
    .short_frame = "第 %lu 个分组：帧比 %s 首部还短", .not_ip = "第 %lu 个分组：不是 IPv4/IPv6（%s）",
    .header_cut = "第 %lu 个分组：%s 首部被截断", .header_bad = "第 %lu 个分组：%s 首部不可能正确",
    .fragment = "IPv4 分片，偏移 %u", .protocol = "IP 协议 %u",
    .no_socket = "（UDP 端口 %u 上没有套接字）", .about = "（关于 %s 端口 %u）",
};

static const struct words *say = &english;

/** @brief An ICMP or ICMPv6 message's name, by type and code (-1: any code). */
struct icmp_name {
    int v6, type, code;
    const char *en, *zh;
};

static const struct icmp_name icmp_names[] = {
    {0, 0, -1, "echo reply", "回显应答"},
    {0, 3, 0, "net unreachable", "网络不可达"},
    {0, 3, 1, "host unreachable", "主机不可达"},
    {0, 3, 2, "protocol unreachable", "协议不可达"},
    {0, 3, 3, "port unreachable", "端口不可达"},
    {0, 3, 4, "fragmentation needed", "需要分片"},
    {0, 3, -1, "destination unreachable", "目的不可达"},
    {0, 8, -1, "echo request", "回显请求"},
    {0, 11, -1, "time exceeded", "TTL 超时"},
    {1, 1, 4, "port unreachable", "端口不可达"},
    {1, 1, 3, "address unreachable", "地址不可达"},
    {1, 1, -1, "destination unreachable", "目的不可达"},
    {1, 2, -1, "packet too big", "分组过大"},
    {1, 3, -1, "time exceeded", "跳数限制超时"},
    {1, 128, -1, "echo request", "回显请求"},
    {1, 129, -1, "echo reply", "回显应答"},
    {1, 135, -1, "neighbor solicitation", "邻居请求"},
    {1, 136, -1, "neighbor advertisement", "邻居通告"},
};

/** @brief One end of an exchange: an address, and a port unless port is -1. */
struct endpoint {
    int family;                 /**< AF_INET or AF_INET6 */
    unsigned char addr[16];     /**< the address, 4 or 16 bytes */
    long port;                  /**< the TCP or UDP port, or -1 (ICMP, fragments) */
};

/** @brief A column of the diagram. */
struct column {
    struct endpoint where;      /**< its endpoint (unused for the others column) */
    const char *label;          /**< its name from --label, or NULL */
    char text[64];              /**< the endpoint as text: 127.0.0.1:7788, [::1]:7788 */
    int width;                  /**< columns of screen up to the next one */
};

/** @brief One line of the diagram, kept until the columns are all known. */
struct line {
    long long ns;               /**< nanoseconds since the window's start */
    int from, to;               /**< column indexes; -1 for a note */
    char word[24];              /**< the word on the arrow: SYN, UDP, ICMP... */
    char details[224];          /**< what follows the columns: bytes, a name, a note */
};

/** @brief What one packet turned out to be. */
struct packet {
    struct endpoint src, dst;   /**< who sent it to whom */
    int flags;                  /**< TCP flags; -1 for a pure ACK (not drawn) */
    char word[24];              /**< the arrow's word; empty for a note */
    char details[224];          /**< the line's details or the note */
};

/** @brief What --label gave: an endpoint (port only if family is 0; port ANY_TALKER for *) and a name. */
struct label {
    struct endpoint where;
    const char *name;
};

/** @brief The command line. */
struct options {
    long long from, to;         /**< the window in ns since the epoch; from -1: first packet */
    long max;                   /**< packet lines at most */
    const char *slice;          /**< -w SLICE, or NULL */
    const char *file;           /**< the capture */
    struct label labels[MAX_LABELS];
    int nlabels;
};

/** @brief The capture being read. */
struct input {
    FILE *f;
    const char *name;
    int big_endian;             /**< the file's own numbers are big-endian */
    int nanos;                  /**< time stamps in nanoseconds (magic a1b23c4d) */
    uint32_t link;              /**< link type */
    unsigned char header[24];   /**< the file header, copied to SLICE as it is */
};

/** @brief One record: its 16-byte header as read, its fields, and its bytes. */
struct record {
    unsigned char header[16];
    long long ns;               /**< time stamp, ns since the epoch */
    uint32_t caplen, origlen;
    unsigned char data[MAX_RECORD];
};

static struct record rec;
static struct column columns[MAX_COLUMNS];
static int ncolumns;

/** @brief A big-endian 16-bit number (network byte order), byte by byte. */
static unsigned be16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/** @brief A 32-bit number of the pcap file's own headers, in the file's byte order. */
static uint32_t file32(const struct input *in, const unsigned char *p)
{
    if (in->big_endian)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/**
 * @brief Print the usage line.
 * @return 2, the usage exit status.
 */
static int usage(void)
{
    fprintf(stderr, "usage: ladder [--from SEC.USEC] [--to SEC.USEC] [--label ADDR:PORT=NAME]... "
                    "[--lang en|zh] [--max N] [-w SLICE] FILE\n");
    return 2;
}

/**
 * @brief Parse a time "SEC" or "SEC.FRACTION" (up to 9 digits) into nanoseconds.
 * @return the time, or -1 if @p text is not one.
 */
static long long parse_time(const char *text)
{
    long long ns = 0, scale = 1000000000LL;
    const char *p = text;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++)
        if ((ns = ns * 10 + (*p - '0')) > 9000000000LL) /* past 2255: ns would not fit */
            return -1;
    ns *= scale;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9' && scale > 1; p++)
            ns += (*p - '0') * (scale /= 10);
    return *p == '\0' ? ns : -1;
}

/**
 * @brief Parse "ADDR:PORT=NAME", "[ADDR6]:PORT=NAME", "PORT=NAME" or "*=NAME" into @p l.
 * @param text the argument (NAME points into it)
 * @param l filled in
 * @return 0, or -1 if @p text is not one.
 */
static int parse_label(char *text, struct label *l)
{
    char *eq = strchr(text, '='), *colon, *end;
    if (eq == NULL || eq[1] == '\0' || strlen(eq + 1) > 60)
        return -1;
    *eq = '\0';
    l->name = eq + 1;
    l->where = (struct endpoint){0};
    if (strcmp(text, "*") == 0) {
        l->where.port = ANY_TALKER;
        return 0;
    }
    colon = strrchr(text, ':');
    if (text[0] == '[') {
        char *close = strchr(text, ']');
        if (close == NULL || close[1] != ':')
            return -1;
        *close = '\0';
        colon = close + 1;
        l->where.family = inet_pton(AF_INET6, text + 1, l->where.addr) == 1 ? AF_INET6 : -1;
    } else if (colon != NULL) {
        *colon = '\0';
        l->where.family = inet_pton(AF_INET, text, l->where.addr) == 1 ? AF_INET : -1;
    }
    const char *port = colon != NULL ? colon + 1 : text;
    l->where.port = strtol(port, &end, 10);
    return l->where.family >= 0 && *port != '\0' && *end == '\0' && l->where.port >= 0 && l->where.port <= 65535
               ? 0 : -1;
}

/**
 * @brief Parse the command line into @p opt.
 * @return 0, or -1 if it is wrong.
 */
static int parse_options(int argc, char **argv, struct options *opt)
{
    *opt = (struct options){.from = -1, .to = -1, .max = 30};
    int a;
    for (a = 1; a + 1 < argc; a += 2) {
        char *value = argv[a + 1], *end;
        if (strcmp(argv[a], "--from") == 0 && (opt->from = parse_time(value)) >= 0)
            continue;
        else if (strcmp(argv[a], "--to") == 0 && (opt->to = parse_time(value)) >= 0)
            continue;
        else if (strcmp(argv[a], "--label") == 0 && opt->nlabels < MAX_LABELS &&
                 parse_label(value, &opt->labels[opt->nlabels]) == 0)
            opt->nlabels++;
        else if (strcmp(argv[a], "--lang") == 0 && (strcmp(value, "en") == 0 || strcmp(value, "zh") == 0))
            say = value[0] == 'z' ? &chinese : &english;
        else if (strcmp(argv[a], "--max") == 0 && (opt->max = strtol(value, &end, 10)) >= 1 &&
                 opt->max <= MAX_LINES && *end == '\0')
            continue;
        else if (strcmp(argv[a], "-w") == 0)
            opt->slice = value;
        else
            return -1;
    }
    if (a != argc - 1 || argv[a][0] == '-')
        return -1;
    opt->file = argv[a];
    return opt->to < 0 || opt->from <= opt->to ? 0 : -1;
}

/**
 * @brief Open the capture and read its file header.
 * @return 0, or -1 after printing why on stderr.
 */
static int open_input(const char *path, struct input *in)
{
    *in = (struct input){.name = path};
    in->f = fopen(path, "rb");
    if (in->f == NULL) {
        fprintf(stderr, "ladder: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t n = fread(in->header, 1, sizeof in->header, in->f);
    if (n < sizeof in->header) {
        if (ferror(in->f))
            fprintf(stderr, "ladder: %s: %s\n", path, strerror(errno));
        else
            fprintf(stderr, "ladder: %s: not a pcap file (%zu bytes, shorter than the 24-byte file header)\n",
                    path, n);
        return -1;
    }
    uint32_t magic = (uint32_t)in->header[0] << 24 | (uint32_t)in->header[1] << 16 |
                     (uint32_t)in->header[2] << 8 | in->header[3];
    /* the magic number, read first byte high, is a1b2c3d4 only if the file is big-endian */
    in->big_endian = magic == 0xa1b2c3d4 || magic == 0xa1b23c4d;
    in->nanos = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
    if (magic != 0xa1b2c3d4 && magic != 0xd4c3b2a1 && magic != 0xa1b23c4d && magic != 0x4d3cb2a1) {
        fprintf(stderr, "ladder: %s: not a pcap file (magic number %08x)\n", path, magic);
        return -1;
    }
    in->link = file32(in, in->header + 20);
    if (in->link != 1 && in->link != 101 && in->link != 228 && in->link != 229 && in->link != 113 &&
        in->link != 276) {
        fprintf(stderr, "ladder: %s: link type %u is not supported\n", path, in->link);
        return -1;
    }
    return 0;
}

/** @brief How reading a record ended. */
enum got { GOT_RECORD, GOT_END, GOT_CUT_HEADER, GOT_CUT_DATA, GOT_TOO_LONG };

/**
 * @brief Read the next record into rec.
 * @return GOT_RECORD; GOT_END at the end of the file; GOT_CUT_HEADER or GOT_CUT_DATA when
 *         the file ends inside the record's header or data (rec.ns is known for the
 *         latter); GOT_TOO_LONG for a captured length over MAX_RECORD (rec.caplen).
 */
static enum got read_record(const struct input *in)
{
    size_t n = fread(rec.header, 1, sizeof rec.header, in->f);
    if (n == 0)
        return GOT_END;
    if (n < sizeof rec.header)
        return GOT_CUT_HEADER;
    uint32_t fraction = file32(in, rec.header + 4);
    rec.ns = (long long)file32(in, rec.header) * 1000000000LL + (long long)fraction * (in->nanos ? 1 : 1000);
    rec.caplen = file32(in, rec.header + 8);
    rec.origlen = file32(in, rec.header + 12);
    if (rec.caplen > MAX_RECORD)
        return GOT_TOO_LONG;
    return fread(rec.data, 1, rec.caplen, in->f) == rec.caplen ? GOT_RECORD : GOT_CUT_DATA;
}

/**
 * @brief Write @p e as text: 127.0.0.1:7788, [::1]:7788, or the address alone without a port.
 */
static void endpoint_text(const struct endpoint *e, char *out, size_t size)
{
    char addr[INET6_ADDRSTRLEN] = "?";
    inet_ntop(e->family, e->addr, addr, sizeof addr); /* cannot fail: a valid family and room */
    if (e->port < 0)
        snprintf(out, size, "%s", addr);
    else
        snprintf(out, size, e->family == AF_INET6 ? "[%s]:%ld" : "%s:%ld", addr, e->port);
}

/** @brief Is @p e the endpoint @p l names (by address and port, or by port alone)? */
static int label_fits(const struct label *l, const struct endpoint *e)
{
    if (l->where.port != e->port)
        return 0;
    return l->where.family == 0 ||
           (l->where.family == e->family && memcmp(l->where.addr, e->addr, e->family == AF_INET ? 4 : 16) == 0);
}

/**
 * @brief The column of endpoint @p e, added if new (into the shared last column when full).
 * @param e the endpoint
 * @param opt the labels
 * @param speaks @p e sends the packet that makes its column (a SYN, a datagram): the label
 *        "*" names it if no other label does
 * @return the column's index.
 */
static int column_of(const struct endpoint *e, const struct options *opt, int speaks)
{
    for (int c = 0; c < ncolumns; c++)
        if (columns[c].where.family == e->family && columns[c].where.port == e->port &&
            memcmp(columns[c].where.addr, e->addr, sizeof e->addr) == 0)
            return c;
    if (ncolumns == MAX_COLUMNS)
        return MAX_COLUMNS - 1;
    struct column *c = &columns[ncolumns];
    if (ncolumns == MAX_COLUMNS - 1) {
        *c = (struct column){.label = say->others, .where.family = -1};
        return ncolumns++;
    }
    *c = (struct column){.where = *e};
    endpoint_text(e, c->text, sizeof c->text);
    for (int l = 0; l < opt->nlabels && c->label == NULL; l++)
        if (label_fits(&opt->labels[l], e))
            c->label = opt->labels[l].name;
    for (int l = 0; l < opt->nlabels && c->label == NULL && speaks && e->port >= 0; l++)
        if (opt->labels[l].where.port == ANY_TALKER)
            c->label = opt->labels[l].name;
    return ncolumns++;
}

/**
 * @brief The length of the UTF-8 letter at @p p if it is one a terminal shows safely.
 * @param p the bytes
 * @param n how many there are
 * @return 2 to 4, or 0 for anything else: a lone or cut byte, an overlong form, a
 *         surrogate, a control, a letter written right to left (it would turn the
 *         terminal's line around), or a mark that changes the direction.
 */
static size_t utf8_letter(const unsigned char *p, size_t n)
{
    size_t u = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
    if (p[0] < 0xc2 || p[0] > 0xf4 || n < u)
        return 0;
    unsigned cp = p[0] & (0x7fu >> u);
    for (size_t k = 1; k < u; k++) {
        if ((p[k] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[k] & 0x3fu);
    }
    int shortest = u == 2 || (u == 3 && cp >= 0x800) || (u == 4 && cp >= 0x10000);
    int control = cp < 0xa0 || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
                  (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
    int right_to_left = (cp >= 0x0590 && cp <= 0x08ff) || (cp >= 0xfb1d && cp <= 0xfdff) ||
                        (cp >= 0xfe70 && cp <= 0xfefe);
    int valid = cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
    return shortest && !control && !right_to_left && valid ? u : 0;
}

/**
 * @brief Are the @p n bytes at @p p text: ASCII and UTF-8 letters, a letter cut at the end
 *        allowed? Binary data is not, and is then shown as `\xHH` only, not as stray letters.
 */
static int is_text(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t u = p[i] < 0x80 ? 1 : utf8_letter(p + i, n - i);
        if (u == 0 && !(n - i < 4 && p[i] >= 0xc2 && p[i] <= 0xf4)) /* not a letter, nor the start of a cut one */
            return 0;
        if (u == 0)
            return 1;
        i += u - 1;
    }
    return 1;
}

/**
 * @brief Append @p n bytes of payload to @p out as a C string, in quotes: printable ASCII
 *        as it is, `\n` `\r` `\t` `\\` `\"`, UTF-8 letters as they are if the bytes are
 *        text, anything else as `\xHH`.
 * @param out where to append (NUL-terminated, room for 4 × SHOWN_BYTES + 8 more bytes)
 * @param p the payload bytes that were captured
 * @param n how many of them to show (at most SHOWN_BYTES)
 * @param more whether the payload goes on after them: then "..." follows
 */
static void append_bytes(char *out, const unsigned char *p, size_t n, int more)
{
    char *o = out + strlen(out);
    int text = is_text(p, n);
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        size_t u = text ? utf8_letter(p + i, n - i) : 0;
        if (u > 0) {
            memcpy(o, p + i, u);
            o += u;
            i += u - 1;
        } else if (p[i] == '\n' || p[i] == '\r' || p[i] == '\t' || p[i] == '\\' || p[i] == '"')
            o += sprintf(o, "\\%c", p[i] == '\n' ? 'n' : p[i] == '\r' ? 'r' : p[i] == '\t' ? 't' : p[i]);
        else if (p[i] >= 0x20 && p[i] < 0x7f)
            *o++ = (char)p[i];
        else
            o += sprintf(o, "\\x%02x", p[i]);
    }
    strcpy(o, more ? "\"..." : "\"");
}

/**
 * @brief Describe a payload: "6 bytes "hello\n"", "1 byte "x"", or "0 bytes".
 * @param pk where the details go
 * @param len the payload's length, from the headers
 * @param p its captured bytes
 * @param captured how many were captured
 */
static void describe_payload(struct packet *pk, long len, const unsigned char *p, size_t captured)
{
    if (len == 1)
        snprintf(pk->details, sizeof pk->details, "%s", say->byte_one);
    else
        snprintf(pk->details, sizeof pk->details, say->bytes, len);
    if (len <= 0)
        return;
    size_t n = captured < (size_t)len ? captured : (size_t)len;
    if (n > SHOWN_BYTES)
        n = SHOWN_BYTES;
    strcat(pk->details, " ");
    append_bytes(pk->details, p, n, (long)n < len);
}

/**
 * @brief Make the packet a note: "packet N: ...".
 */
static void note(struct packet *pk, const char *format, unsigned long number, const char *what)
{
    pk->word[0] = '\0';
    snprintf(pk->details, sizeof pk->details, format, number, what);
}

/**
 * @brief The TCP flags as the arrow's word: SYN, SYN-ACK, FIN, RST, PSH, several joined by +.
 */
static void tcp_word(int flags, char *word, size_t size)
{
    static const struct { int bit; const char *name; } names[] = {
        {SYN, "SYN"}, {FIN, "FIN"}, {RST, "RST"}, {PSH, "PSH"}, {URG, "URG"}};
    word[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(flags & names[i].bit))
            continue;
        if (word[0] != '\0')
            strncat(word, "+", size - strlen(word) - 1);
        strncat(word, names[i].name, size - strlen(word) - 1);
        if (names[i].bit == SYN && (flags & ACK))
            strncat(word, "-ACK", size - strlen(word) - 1);
    }
    if (word[0] == '\0')
        snprintf(word, size, "%s", flags & ACK ? "ACK" : "no flags");
}

/**
 * @brief Decode a TCP segment (@p n bytes captured of @p seglen) into @p pk, or a note.
 */
static void decode_tcp(const unsigned char *p, size_t n, long seglen, unsigned long number, struct packet *pk)
{
    if (n < 20) {
        note(pk, say->header_cut, number, "TCP");
        return;
    }
    size_t hlen = (size_t)(p[12] >> 4) * 4;
    if (hlen < 20 || (long)hlen > seglen) {
        note(pk, say->header_bad, number, "TCP");
        return;
    }
    if (n < hlen) {
        note(pk, say->header_cut, number, "TCP");
        return;
    }
    pk->src.port = be16(p);
    pk->dst.port = be16(p + 2);
    pk->flags = p[13];
    long len = seglen - (long)hlen;
    if (len == 0 && (pk->flags & (SYN | FIN | RST)) == 0 && (pk->flags & ACK)) {
        pk->flags = -1; /* a pure ACK */
        return;
    }
    tcp_word(pk->flags, pk->word, sizeof pk->word);
    pk->details[0] = '\0';
    if (len > 0)
        describe_payload(pk, len, p + hlen, n - hlen);
}

/**
 * @brief Decode a UDP datagram (@p n bytes captured) into @p pk, or a note.
 */
static void decode_udp(const unsigned char *p, size_t n, unsigned long number, struct packet *pk)
{
    if (n < 8) {
        note(pk, say->header_cut, number, "UDP");
        return;
    }
    long len = (long)be16(p + 4);
    if (len < 8) {
        note(pk, say->header_bad, number, "UDP");
        return;
    }
    pk->src.port = be16(p);
    pk->dst.port = be16(p + 2);
    strcpy(pk->word, "UDP");
    describe_payload(pk, len - 8, p + 8, n - 8);
}

/**
 * @brief Read the packet an ICMP error quotes (its IP header and first 8 bytes): the
 *        endpoints of the datagram it answers, and its protocol.
 * @param p the quoted bytes
 * @param n how many were captured
 * @param from set to the quoted packet's source endpoint
 * @param to set to its destination
 * @return its protocol (6 TCP, 17 UDP), or -1 if the quote holds no ports.
 */
static int read_quote(const unsigned char *p, size_t n, struct endpoint *from, struct endpoint *to)
{
    size_t hlen;
    int proto;
    if (n >= 20 && p[0] >> 4 == 4 && (hlen = (size_t)(p[0] & 15) * 4) >= 20 && n >= hlen + 4) {
        *from = (struct endpoint){.family = AF_INET};
        *to = *from;
        memcpy(from->addr, p + 12, 4);
        memcpy(to->addr, p + 16, 4);
        proto = p[9];
    } else if (n >= 44 && p[0] >> 4 == 6) {
        hlen = 40;
        *from = (struct endpoint){.family = AF_INET6};
        *to = *from;
        memcpy(from->addr, p + 8, 16);
        memcpy(to->addr, p + 24, 16);
        proto = p[6];
    } else
        return -1;
    if (proto != 6 && proto != 17)
        return -1;
    from->port = be16(p + hlen);
    to->port = be16(p + hlen + 2);
    return proto;
}

/**
 * @brief Decode an ICMP (@p v6 0) or ICMPv6 message (@p n bytes captured) into @p pk: its
 *        name; for an error about a TCP or UDP datagram, the arrow goes from the datagram's
 *        destination back to its sender, where the kernel reports the error.
 */
static void decode_icmp(const unsigned char *p, size_t n, int v6, unsigned long number, struct packet *pk)
{
    if (n < 4) {
        note(pk, say->header_cut, number, v6 ? "ICMPv6" : "ICMP");
        return;
    }
    int type = p[0], code = p[1];
    strcpy(pk->word, v6 ? "ICMPv6" : "ICMP");
    snprintf(pk->details, sizeof pk->details, "%s type %d code %d", pk->word, type, code);
    for (size_t i = 0; i < sizeof icmp_names / sizeof icmp_names[0]; i++) {
        const struct icmp_name *c = &icmp_names[i];
        if (c->v6 == v6 && c->type == type && (c->code == -1 || c->code == code)) {
            snprintf(pk->details, sizeof pk->details, "%s %s", pk->word, say == &chinese ? c->zh : c->en);
            break;
        }
    }
    int error = v6 ? type >= 1 && type <= 4 : type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    struct endpoint from, to;
    int proto = error && n > 8 ? read_quote(p + 8, n - 8, &from, &to) : -1;
    if (proto < 0)
        return;
    pk->src = to; /* the error comes back from where the datagram went */
    pk->dst = from;
    size_t used = strlen(pk->details);
    if ((v6 ? type == 1 && code == 4 : type == 3 && code == 3) && proto == 17)
        snprintf(pk->details + used, sizeof pk->details - used, say->no_socket, (unsigned)to.port);
    else
        snprintf(pk->details + used, sizeof pk->details - used, say->about, proto == 6 ? "TCP" : "UDP",
                 (unsigned)to.port);
}

/**
 * @brief Decode what an IP packet carries (@p n bytes captured of @p len), by protocol.
 */
static void decode_transport(const unsigned char *p, size_t n, long len, int proto, int v6, unsigned long number,
                             struct packet *pk)
{
    if (n > (size_t)len)
        n = (size_t)len; /* Ethernet's padding is not data */
    if (proto == 6)
        decode_tcp(p, n, len, number, pk);
    else if (proto == 17)
        decode_udp(p, n, number, pk);
    else if (proto == (v6 ? 58 : 1))
        decode_icmp(p, n, v6, number, pk);
    else {
        strcpy(pk->word, "IP");
        snprintf(pk->details, sizeof pk->details, say->protocol, (unsigned)proto);
    }
}

/**
 * @brief Decode an IPv4 packet (@p n bytes captured) into @p pk.
 */
static void decode_ipv4(const unsigned char *p, size_t n, unsigned long number, struct packet *pk)
{
    if (n < 20) {
        note(pk, say->header_cut, number, "IPv4");
        return;
    }
    size_t hlen = (size_t)(p[0] & 15) * 4;
    long total = (long)be16(p + 2);
    if (p[0] >> 4 != 4 || hlen < 20 || total < (long)hlen) {
        note(pk, say->header_bad, number, "IPv4");
        return;
    }
    if (n < hlen) {
        note(pk, say->header_cut, number, "IPv4");
        return;
    }
    pk->src = (struct endpoint){.family = AF_INET, .port = -1};
    pk->dst = pk->src;
    memcpy(pk->src.addr, p + 12, 4);
    memcpy(pk->dst.addr, p + 16, 4);
    unsigned offset = (be16(p + 6) & 0x1fff) * 8;
    if (offset != 0) { /* a later fragment: no transport header in it */
        strcpy(pk->word, "IP");
        snprintf(pk->details, sizeof pk->details, say->fragment, offset);
        return;
    }
    decode_transport(p + hlen, n - hlen, total - (long)hlen, p[9], 0, number, pk);
}

/**
 * @brief Decode an IPv6 packet (@p n bytes captured) into @p pk (no extension headers).
 */
static void decode_ipv6(const unsigned char *p, size_t n, unsigned long number, struct packet *pk)
{
    if (n < 40) {
        note(pk, say->header_cut, number, "IPv6");
        return;
    }
    if (p[0] >> 4 != 6) {
        note(pk, say->header_bad, number, "IPv6");
        return;
    }
    pk->src = (struct endpoint){.family = AF_INET6, .port = -1};
    pk->dst = pk->src;
    memcpy(pk->src.addr, p + 8, 16);
    memcpy(pk->dst.addr, p + 24, 16);
    decode_transport(p + 40, n - 40, (long)be16(p + 4), p[6], 1, number, pk);
}

/**
 * @brief Decode one frame of link type @p link into @p pk: its endpoints, the arrow's word
 *        and the details, or a note.
 * @param p the captured bytes
 * @param n how many
 * @param link the file's link type
 * @param number the packet's number in the window, for notes
 * @param pk filled in
 */
static void decode(const unsigned char *p, size_t n, uint32_t link, unsigned long number, struct packet *pk)
{
    *pk = (struct packet){.flags = 0};
    size_t skip = link == 1 ? 14 : link == 113 ? 16 : link == 276 ? 20 : 0;
    unsigned type = 0; /* the EtherType of what follows; 0: the IP version says */
    if (n < skip) {
        note(pk, say->short_frame, number, link == 1 ? "Ethernet" : "Linux cooked");
        return;
    }
    if (link == 1 || link == 113)
        type = be16(p + skip - 2);
    else if (link == 276)
        type = be16(p);
    else if (link == 228)
        type = 0x0800;
    else if (link == 229)
        type = 0x86dd;
    char what[32];
    if (type == 0 && n == 0) {
        note(pk, say->header_cut, number, "IP");
        return;
    }
    if (type == 0) { /* raw IP: the version says which */
        type = p[0] >> 4 == 4 ? 0x0800 : p[0] >> 4 == 6 ? 0x86dd : 0;
        snprintf(what, sizeof what, "IP version %d", p[0] >> 4);
    } else
        snprintf(what, sizeof what, "EtherType 0x%04x", type);
    if (type == 0x0800)
        decode_ipv4(p + skip, n - skip, number, pk);
    else if (type == 0x86dd)
        decode_ipv6(p + skip, n - skip, number, pk);
    else
        note(pk, say->not_ip, number, what);
}

/**
 * @brief The screen width of UTF-8 text: 2 for East Asian wide letters, 1 for others.
 */
static int text_width(const char *s)
{
    int width = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned cp = *p;
        int u = cp >= 0xf0 ? 4 : cp >= 0xe0 ? 3 : cp >= 0xc0 ? 2 : 1;
        if (u > 1)
            cp &= 0x7f >> u;
        for (int k = 1; k < u && (p[k] & 0xc0) == 0x80; k++)
            cp = cp << 6 | (p[k] & 0x3f);
        width += (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
                         (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
                         (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
                         (cp >= 0xffe0 && cp <= 0xffe6) || cp >= 0x20000
                     ? 2 : 1;
        for (p++; (*p & 0xc0) == 0x80; p++)
            continue;
    }
    return width;
}

/**
 * @brief Keep packet @p pk as a diagram line at time @p ns: its columns, its word and details.
 */
static void keep_line(struct line *l, long long ns, struct packet *pk, const struct options *opt)
{
    *l = (struct line){.ns = ns, .from = -1, .to = -1};
    memcpy(l->details, pk->details, sizeof l->details);
    if (pk->word[0] == '\0') { /* a note */
        memmove(l->details + 2, l->details, sizeof l->details - 2);
        memcpy(l->details, "! ", 2);
        l->details[sizeof l->details - 1] = '\0';
        return;
    }
    memcpy(l->word, pk->word, sizeof l->word);
    int speaks = strcmp(pk->word, "UDP") == 0 || (pk->flags > 0 && (pk->flags & (SYN | ACK)) == SYN);
    l->from = column_of(&pk->src, opt, speaks);
    l->to = column_of(&pk->dst, opt, 0);
    if (l->from == MAX_COLUMNS - 1 || l->to == MAX_COLUMNS - 1) { /* name who it really is */
        char a[64], b[64], rest[sizeof l->details];
        endpoint_text(&pk->src, a, sizeof a);
        endpoint_text(&pk->dst, b, sizeof b);
        memcpy(rest, l->details, sizeof rest);
        snprintf(l->details, sizeof l->details, rest[0] ? "[%s > %s] " : "[%s > %s]", a, b);
        strncat(l->details, rest, sizeof l->details - strlen(l->details) - 1);
    }
}

/**
 * @brief Print the column heads: the labels (if any), then the endpoints; set the widths.
 */
static void print_heads(void)
{
    int labels = 0;
    for (int c = 0; c < ncolumns; c++) {
        int w = text_width(columns[c].text);
        if (columns[c].label != NULL) {
            labels = 1;
            if (text_width(columns[c].label) > w)
                w = text_width(columns[c].label);
        }
        columns[c].width = w + 3 > MIN_COLUMN ? w + 3 : MIN_COLUMN;
    }
    for (int row = labels ? 0 : 1; row < 2; row++) {
        const char *first = row == 1 ? say->ms : "";
        int at = 9, pos = FIRST_COLUMN;
        printf("%*s%s", 9 - text_width(first), "", first);
        for (int c = 0; c < ncolumns; pos += columns[c].width, c++) {
            const char *text = row == 1 ? columns[c].text : columns[c].label ? columns[c].label : "";
            if (text[0] == '\0')
                continue;
            printf("%*s%s", pos - at, "", text);
            at = pos + text_width(text);
        }
        printf("\n");
    }
}

/**
 * @brief Print one diagram line: the time, the columns' bars, the arrow, the details.
 */
static void print_line(const struct line *l)
{
    char row[FIRST_COLUMN + MAX_COLUMNS * 80];
    int pos[MAX_COLUMNS];
    memset(row, ' ', sizeof row);
    for (int c = 0, at = FIRST_COLUMN; c < ncolumns; at += columns[c].width, c++) {
        pos[c] = at;
        row[at] = '|';
    }
    char details[sizeof l->details + 40];
    snprintf(details, sizeof details, "%s", l->details);
    if (l->from >= 0 && l->from == l->to) { /* to itself (or within the others): a stub */
        memcpy(row + pos[l->from] + 1, "<>", 2);
        int named = strncmp(l->details, l->word, strlen(l->word)) == 0; /* "ICMP echo request" */
        int others = l->from == MAX_COLUMNS - 1;
        snprintf(details, sizeof details, "%s%s%s%s%s", named ? "" : l->word, named ? "" : " ", l->details,
                 others || l->details[0] == '\0' ? "" : " ", others ? "" : say->to_itself);
    } else if (l->from >= 0) {
        int right = l->from < l->to;
        int a = pos[right ? l->from : l->to], b = pos[right ? l->to : l->from];
        memset(row + a + 1, '-', (size_t)(b - a - 1));
        row[right ? b - 1 : a + 1] = right ? '>' : '<';
        int w = (int)strlen(l->word), room = b - a - 1;
        if (w + 4 <= room) { /* the word on the arrow, a space either side */
            int at = a + 1 + (room - w) / 2;
            row[at - 1] = row[at + w] = ' ';
            memcpy(row + at, l->word, (size_t)w);
        } else
            snprintf(details, sizeof details, "%s %s", l->word, l->details);
    }
    int end = (int)sizeof row;
    while (end > 9 && row[end - 1] == ' ')
        end--;
    long long us = l->ns / 1000;
    char ms[32];
    snprintf(ms, sizeof ms, "%lld.%03lld", us / 1000, us % 1000);
    printf("%9s%.*s", ms, end - 9, row + 9);
    if (details[0] != '\0')
        printf("  %s", details);
    printf("\n");
}

/**
 * @brief Print a count line with the singular or plural form, indented like the columns.
 */
static void print_count(unsigned long n, const char *one, const char *many)
{
    if (n == 0)
        return;
    printf("%*s", FIRST_COLUMN, "");
    printf(n == 1 ? one : many, n);
    printf("\n");
}

/**
 * @brief Is @p path the file open as @p f? (fopen "wb" would empty it before we read it.)
 */
static int same_file(FILE *f, const char *path)
{
    struct stat open_one, named;
    return fstat(fileno(f), &open_one) == 0 && stat(path, &named) == 0 && open_one.st_dev == named.st_dev &&
           open_one.st_ino == named.st_ino;
}

/**
 * @brief Write one record (header and bytes, as read) to the slice.
 * @return 0, or -1 with errno set.
 */
static int write_slice(FILE *slice)
{
    if (slice == NULL)
        return 0;
    return fwrite(rec.header, 1, sizeof rec.header, slice) == sizeof rec.header &&
                   fwrite(rec.data, 1, rec.caplen, slice) == rec.caplen
               ? 0 : -1;
}

/** @brief What reading the window found, beside the kept lines. */
struct tally {
    unsigned long in_window;  /**< packets in the window (the slice's records) */
    unsigned long pure_acks;  /**< pure ACKs, not drawn */
    unsigned long more;       /**< lines past --max */
    unsigned long nlines;     /**< lines kept */
    enum got ending;          /**< how the file ended */
    int past;                 /**< a record after the window was seen */
};

/**
 * @brief Read the capture: keep the window's lines, write its records to the slice, count.
 * @return 0, or -1 if the slice could not be written (errno set).
 */
static int read_window(struct input *in, struct options *opt, FILE *slice, struct line *lines, struct tally *t)
{
    static struct packet pk;
    *t = (struct tally){0};
    while ((t->ending = read_record(in)) == GOT_RECORD) {
        if (opt->from < 0)
            opt->from = rec.ns;
        if (rec.ns < opt->from)
            continue;
        if (opt->to >= 0 && rec.ns > opt->to) {
            t->past = 1;
            if (rec.ns > opt->to + 1000000000LL) /* the capture went on: stop, whatever follows */
                break;
            continue;
        }
        t->in_window++;
        if (write_slice(slice) != 0)
            return -1;
        decode(rec.data, rec.caplen, in->link, t->in_window, &pk);
        if (pk.flags < 0)
            t->pure_acks++;
        else if (t->nlines < (unsigned long)opt->max)
            keep_line(&lines[t->nlines++], rec.ns - opt->from, &pk, opt);
        else
            t->more++;
    }
    return 0;
}

/**
 * @brief Print the diagram: heads, lines, counts, and how the file ended if it matters.
 */
static void print_ladder(const struct options *opt, const struct line *lines, const struct tally *t)
{
    int noted_end = t->ending == GOT_TOO_LONG || t->ending == GOT_CUT_HEADER || t->ending == GOT_CUT_DATA;
    /* a record cut at the end of a file still being written, after the window, is no news */
    if ((t->ending == GOT_CUT_HEADER && t->past) || (t->ending != GOT_CUT_HEADER && opt->to >= 0 && rec.ns > opt->to))
        noted_end = 0;
    if (ncolumns > 0)
        print_heads();
    for (unsigned long i = 0; i < t->nlines; i++)
        print_line(&lines[i]);
    if (t->in_window == 0)
        printf("%*s%s\n", FIRST_COLUMN, "", say->empty);
    print_count(t->more, say->more_one, say->more);
    print_count(t->pure_acks, say->acks_one, say->acks);
    if (noted_end && t->ending == GOT_TOO_LONG) {
        printf("%*s", FIRST_COLUMN, "");
        printf(say->too_long, (unsigned long)rec.caplen);
        printf("\n");
    } else if (noted_end)
        printf("%*s%s\n", FIRST_COLUMN, "", say->cut);
}

int main(int argc, char **argv)
{
    static struct options opt;
    struct input in;
    struct tally t;
    if (parse_options(argc, argv, &opt) != 0)
        return usage();
    if (open_input(opt.file, &in) != 0)
        return 1;
    for (int l = 0; l < opt.nlabels; l++) /* an endpoint named in full has its column from the start */
        if (opt.labels[l].where.family != 0)
            column_of(&opt.labels[l].where, &opt, 0);
    FILE *slice = NULL;
    struct line *lines = calloc((size_t)opt.max, sizeof *lines);
    int status = 0;
    if (lines == NULL) {
        fprintf(stderr, "ladder: %s\n", strerror(errno));
        status = 1;
    } else if (opt.slice != NULL && same_file(in.f, opt.slice)) {
        fprintf(stderr, "ladder: %s: the slice would overwrite the capture it is cut from\n", opt.slice);
        status = 1;
    } else if (opt.slice != NULL && ((slice = fopen(opt.slice, "wb")) == NULL ||
                                     fwrite(in.header, 1, sizeof in.header, slice) != sizeof in.header)) {
        fprintf(stderr, "ladder: %s: %s\n", opt.slice, strerror(errno));
        status = 1;
    } else if (read_window(&in, &opt, slice, lines, &t) != 0 || (slice != NULL && fflush(slice) != 0)) {
        fprintf(stderr, "ladder: %s: %s\n", opt.slice, strerror(errno));
        status = 1;
    } else {
        print_ladder(&opt, lines, &t);
        if (ferror(in.f)) {
            fprintf(stderr, "ladder: %s: %s\n", opt.file, strerror(errno));
            status = 1;
        }
    }
    if (slice != NULL && fclose(slice) != 0 && status == 0) {
        fprintf(stderr, "ladder: %s: %s\n", opt.slice, strerror(errno));
        status = 1;
    }
    fclose(in.f);
    free(lines);
    return status;
}
