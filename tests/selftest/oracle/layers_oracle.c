/**
 * @file layers_oracle.c
 * @brief Test peer (lesson 07): what `layers FILE` must print, written from the lesson's
 *        text alone (lessons/07-layers/README.md, section 7, rules R7.1 to R7.7).
 *
 *     layers_oracle FILE
 *
 * Prints what the lesson says `layers FILE` prints: the same lines on standard output,
 * the same message on standard error (it too begins "layers: FILE: "), the same exit
 * status. The tests compare the student's program with it on generated captures
 * (tests/harness/peers/pcap_gen.c; tests/captures/make-random writes its expectations).
 *
 * It is an independent reading of the rules, not a copy of solutions/07-layers/layers.c:
 * the whole file is read into memory first, and each layer gets a view of the bytes
 * captured from its first byte to the end of the record, plus the length the layer
 * outside declares for it. Where the two programs disagree, one of them (or the text)
 * is wrong: tests/bench/layers-random.sh looks for such places.
 *
 * It is a complete answer to the exercise: tests/dist leaves it out of the students'
 * handout, whose tests read the expectations it wrote.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define FILE_HEADER 24
#define RECORD_HEADER 16
#define MAX_RECORD 262144u /* R7.6: a longer record is refused */

/** @brief The bytes of one layer: from its first byte to the end of what was captured. */
struct view {
    const uint8_t *at; /**< the layer's first byte */
    size_t have;       /**< how many bytes were captured from there on */
};

/** @brief A whole capture file, in memory. */
struct file {
    const char *name; /**< as given, for messages */
    uint8_t *bytes;   /**< its contents */
    size_t size;      /**< how many */
    int big_endian;   /**< the byte order of its own headers (section 6) */
};

/**
 * @brief A 16-bit field in network byte order.
 * @param p its first byte
 * @return the number.
 */
static unsigned net16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/**
 * @brief A 32-bit field in network byte order.
 * @param p its first byte
 * @return the number.
 */
static uint32_t net32(const uint8_t *p)
{
    return (uint32_t)net16(p) << 16 | net16(p + 2);
}

/**
 * @brief A 32-bit number of the file's own headers, in the file's byte order.
 * @param f the file (its byte order)
 * @param p the number's first byte
 * @return the number.
 */
static uint32_t file_number(const struct file *f, const uint8_t *p)
{
    if (f->big_endian)
        return net32(p);
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/**
 * @brief The view of what follows the first @p n bytes of @p v.
 * @param v a view holding at least @p n bytes
 * @param n how many to skip
 * @return the rest.
 */
static struct view after(struct view v, size_t n)
{
    return (struct view){v.at + n, v.have - n};
}

/**
 * @brief The error line of a header cut short by the capture (R7.4).
 * @param layer the header's name
 * @param have how many of its bytes were captured
 * @param need how many it has
 */
static void cut_short(const char *layer, size_t have, unsigned need)
{
    printf("  error: truncated %s header: %zu of %u bytes\n", layer, have, need);
}

/**
 * @brief Print " (NAME)" after a protocol number that has a name (R7.2).
 * @param protocol an IPv4 protocol or IPv6 next header
 */
static void protocol_name(unsigned protocol)
{
    static const struct {
        unsigned number;
        const char *name;
    } names[] = {{1, "ICMP"}, {6, "TCP"}, {17, "UDP"}, {58, "ICMPv6"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].number == protocol)
            printf(" (%s)", names[i].name);
}

/**
 * @brief Decode a TCP header (R7.3, R7.4, R7.5: captured, fields, whole header, fits).
 * @param seg the segment's captured bytes (all of them: the capture decides only cuts)
 * @param length the segment's length as the IP header declares it
 */
static void tcp(struct view seg, size_t length)
{
    if (seg.have < 20) {
        cut_short("TCP", seg.have, 20);
        return;
    }
    unsigned header = (unsigned)(seg.at[12] >> 4) * 4;
    if (header < 20) {
        printf("  error: bad TCP header: header length %u bytes\n", header);
        return;
    }
    if (seg.have < header) {
        cut_short("TCP", seg.have, header);
        return;
    }
    if (length < header) {
        printf("  error: bad TCP header: header length %u bytes, segment %zu bytes\n", header, length);
        return;
    }
    char flags[9] = "";
    size_t n = 0;
    for (int bit = 0; bit < 8; bit++)
        if (seg.at[13] & 1u << bit)
            flags[n++] = "FSRP.UEW"[bit];
    printf("  transport: TCP %u > %u, flags [%s], seq %lu, ack %lu, window %u, header %u bytes, "
           "payload %zu bytes\n",
           net16(seg.at), net16(seg.at + 2), n > 0 ? flags : "none", (unsigned long)net32(seg.at + 4),
           (unsigned long)net32(seg.at + 8), net16(seg.at + 14), header, length - header);
}

/**
 * @brief Decode a UDP header (R7.3, R7.4, R7.5).
 * @param dgram the datagram's captured bytes
 * @param length the datagram's length as the IP header declares it
 * @param more 1 if more fragments of the IPv4 packet follow: then the datagram is longer
 *        than this packet carries, and its length is not checked against @p length
 */
static void udp(struct view dgram, size_t length, int more)
{
    if (dgram.have < 8) {
        cut_short("UDP", dgram.have, 8);
        return;
    }
    unsigned declared = net16(dgram.at + 4);
    if (declared < 8) {
        printf("  error: bad UDP header: length %u bytes\n", declared);
        return;
    }
    if (declared > length && !more) {
        printf("  error: bad UDP header: length %u bytes, datagram %zu bytes\n", declared, length);
        return;
    }
    printf("  transport: UDP %u > %u, length %u bytes, payload %u bytes\n", net16(dgram.at),
           net16(dgram.at + 2), declared, declared - 8);
}

/**
 * @brief The transport layer: TCP, UDP, or a protocol only named (R7.1).
 * @param protocol the IPv4 protocol or IPv6 next header
 * @param inner the captured bytes after the IP header
 * @param length their length as the IP header declares it
 * @param more 1 if the IPv4 flag "more fragments" is set
 */
static void transport(unsigned protocol, struct view inner, size_t length, int more)
{
    if (protocol == 6) {
        tcp(inner, length);
    } else if (protocol == 17) {
        udp(inner, length, more);
    } else {
        printf("  transport: protocol %u", protocol);
        protocol_name(protocol);
        printf(", not decoded\n");
    }
}

/**
 * @brief Decode an IPv4 header, then what it carries (R7.1 to R7.5).
 * @param pkt the packet's captured bytes
 */
static void ipv4(struct view pkt)
{
    if (pkt.have < 20) {
        cut_short("IPv4", pkt.have, 20);
        return;
    }
    unsigned version = pkt.at[0] >> 4, header = (pkt.at[0] & 0x0fu) * 4, total = net16(pkt.at + 2);
    if (version != 4 || header < 20 || total < header) {
        printf("  error: bad IPv4 header: version %u, header length %u bytes, total length %u bytes\n",
               version, header, total);
        return;
    }
    if (pkt.have < header) {
        cut_short("IPv4", pkt.have, header);
        return;
    }
    const uint8_t *s = pkt.at + 12, *d = pkt.at + 16;
    printf("  network: IPv4 %u.%u.%u.%u > %u.%u.%u.%u, ttl %u, protocol %u", s[0], s[1], s[2], s[3], d[0],
           d[1], d[2], d[3], pkt.at[8], pkt.at[9]);
    protocol_name(pkt.at[9]);
    printf(", header %u bytes, total length %u bytes\n", header, total);
    unsigned offset = (net16(pkt.at + 6) & 0x1fffu) * 8, more = (net16(pkt.at + 6) & 0x2000u) != 0;
    if (offset != 0)
        printf("  transport: fragment at offset %u, not decoded\n", offset);
    else
        transport(pkt.at[9], after(pkt, header), total - header, (int)more);
}

/**
 * @brief Decode an IPv6 header, then what it carries (R7.1 to R7.5).
 * @param pkt the packet's captured bytes
 */
static void ipv6(struct view pkt)
{
    if (pkt.have < 40) {
        cut_short("IPv6", pkt.have, 40);
        return;
    }
    if (pkt.at[0] >> 4 != 6) {
        printf("  error: bad IPv6 header: version %u\n", (unsigned)(pkt.at[0] >> 4));
        return;
    }
    /* R7.2 defines the text form as inet_ntop's: ask it */
    char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
    if (inet_ntop(AF_INET6, pkt.at + 8, src, sizeof src) == NULL ||
        inet_ntop(AF_INET6, pkt.at + 24, dst, sizeof dst) == NULL) {
        fprintf(stderr, "layers_oracle: inet_ntop: %s\n", strerror(errno));
        exit(1);
    }
    printf("  network: IPv6 %s > %s, hop limit %u, next header %u", src, dst, pkt.at[7], pkt.at[6]);
    protocol_name(pkt.at[6]);
    printf(", payload length %u bytes\n", net16(pkt.at + 4));
    transport(pkt.at[6], after(pkt, 40), net16(pkt.at + 4), 0);
}

/**
 * @brief Decode an Ethernet header, then the network layer it names (R7.1, R7.2).
 * @param frame the frame's captured bytes
 */
static void ethernet(struct view frame)
{
    if (frame.have < 14) {
        cut_short("Ethernet", frame.have, 14);
        return;
    }
    const uint8_t *s = frame.at + 6, *d = frame.at;
    unsigned type = net16(frame.at + 12);
    printf("  link: Ethernet %02x:%02x:%02x:%02x:%02x:%02x > %02x:%02x:%02x:%02x:%02x:%02x, type 0x%04x",
           s[0], s[1], s[2], s[3], s[4], s[5], d[0], d[1], d[2], d[3], d[4], d[5], type);
    if (type == 0x0800) {
        printf(" (IPv4)\n");
        ipv4(after(frame, 14));
    } else if (type == 0x86dd) {
        printf(" (IPv6)\n");
        ipv6(after(frame, 14));
    } else {
        printf(", not decoded\n");
    }
}

/**
 * @brief Read all of @p f->name into memory.
 * @param f the file: its name in, its bytes and size out
 * @return 0, or -1 after saying why on stderr (R7.6).
 */
static int slurp(struct file *f)
{
    FILE *in = fopen(f->name, "rb");
    if (in == NULL) {
        fprintf(stderr, "layers: %s: %s\n", f->name, strerror(errno));
        return -1;
    }
    size_t room = 0;
    f->bytes = NULL;
    f->size = 0;
    for (;;) {
        if (f->size == room) {
            room = room == 0 ? 65536 : room * 2;
            uint8_t *more = realloc(f->bytes, room);
            if (more == NULL) {
                fprintf(stderr, "layers_oracle: realloc: %s\n", strerror(errno));
                exit(1);
            }
            f->bytes = more;
        }
        size_t got = fread(f->bytes + f->size, 1, room - f->size, in);
        f->size += got;
        if (got == 0)
            break;
    }
    int failed = ferror(in);
    int saved = errno;
    fclose(in);
    if (failed) {
        fprintf(stderr, "layers: %s: %s\n", f->name, strerror(saved));
        return -1;
    }
    return 0;
}

/**
 * @brief Check the file header: its length, magic number and link type (R7.6).
 * @param f the file; its byte order is set from the magic number
 * @return 0, or -1 after saying why on stderr.
 */
static int file_header(struct file *f)
{
    const uint8_t *h = f->bytes;
    if (f->size < FILE_HEADER) {
        fprintf(stderr, "layers: %s: not a pcap file (shorter than its 24-byte header)\n", f->name);
        return -1;
    }
    /* a1b2c3d4 (microseconds) or a1b23c4d (nanoseconds), as the writer's machine stores it */
    int big =
        h[0] == 0xa1 && h[1] == 0xb2 && ((h[2] == 0xc3 && h[3] == 0xd4) || (h[2] == 0x3c && h[3] == 0x4d));
    int little =
        h[3] == 0xa1 && h[2] == 0xb2 && ((h[1] == 0xc3 && h[0] == 0xd4) || (h[1] == 0x3c && h[0] == 0x4d));
    if (!big && !little) {
        fprintf(stderr, "layers: %s: not a pcap file (magic number %02x%02x%02x%02x)\n", f->name, h[0], h[1],
                h[2], h[3]);
        return -1;
    }
    f->big_endian = big;
    uint32_t link = file_number(f, h + 20);
    if (link != 1) {
        fprintf(stderr, "layers: %s: link type %lu is not supported (only 1, Ethernet)\n", f->name,
                (unsigned long)link);
        return -1;
    }
    return 0;
}

/**
 * @brief Print every record of the file, in order (R7.1, R7.6).
 * @param f the file, its header checked
 * @return 0 at its end, or 1 after saying on stderr why the rest cannot be read.
 */
static int records(const struct file *f)
{
    size_t at = FILE_HEADER;
    for (unsigned long n = 1; at < f->size; n++) {
        if (f->size - at < RECORD_HEADER) {
            fprintf(stderr, "layers: %s: packet %lu is cut short: the file ends inside it\n", f->name, n);
            return 1;
        }
        uint32_t captured = file_number(f, f->bytes + at + 8), original = file_number(f, f->bytes + at + 12);
        if (captured > MAX_RECORD) {
            fprintf(stderr, "layers: %s: packet %lu: bad record length %lu\n", f->name, n,
                    (unsigned long)captured);
            return 1;
        }
        at += RECORD_HEADER;
        if (f->size - at < captured) {
            fprintf(stderr, "layers: %s: packet %lu is cut short: the file ends inside it\n", f->name, n);
            return 1;
        }
        printf("packet %lu: %lu of %lu bytes\n", n, (unsigned long)captured, (unsigned long)original);
        ethernet((struct view){f->bytes + at, captured});
        at += captured;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: layers_oracle FILE\n");
        return 2;
    }
    struct file f = {.name = argv[1]};
    int status = 1;
    if (slurp(&f) == 0 && file_header(&f) == 0)
        status = records(&f);
    free(f.bytes);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "layers_oracle: standard output: %s\n", strerror(errno));
        return 1;
    }
    return status;
}
