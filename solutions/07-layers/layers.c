/**
 * @file layers.c
 * @brief Lesson 07 (the TCP/IP layers): read a capture file and print each
 *        packet's layers from the outside in: link, network, transport.
 *
 * Usage: layers FILE
 *
 *   FILE  a capture in the classic pcap format, link type Ethernet, as
 *         `tcpdump -i lo -w FILE` writes it
 *
 * For each packet it prints a "packet N" line, then one line per layer it
 * can decode: Ethernet; IPv4 or IPv6; TCP or UDP. A packet whose headers are
 * cut short or impossible gets an "error:" line for that layer, and the
 * program goes on with the next packet. Exit status 0 when the whole file was
 * read, 1 when the file cannot be read (not pcap, another link type, cut
 * short inside a packet), 2 on a usage error.
 * See lessons/07-layers/README.md, section 7.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define LINKTYPE_ETHERNET 1
#define MAX_RECORD 262144 /* the largest packet tcpdump ever saves */
#define ETHERNET_HEADER 14
#define IPV4_MIN_HEADER 20
#define IPV6_HEADER 40
#define TCP_MIN_HEADER 20
#define UDP_HEADER 8
#define MORE_FRAGMENTS 0x2000 /* the IPv4 flag MF, in bytes 6-7 */

/** @brief The pcap file being read: its stream, name, and byte order. */
struct capture {
    FILE *file;       /**< the open file */
    const char *name; /**< its name, for error messages */
    int swapped;      /**< 1 if the file was written on a machine of the other byte order */
};

/** @brief The bytes of one layer's header and what follows it in one packet. */
struct slice {
    const uint8_t *bytes; /**< the first byte of this layer */
    size_t captured;      /**< how many bytes of this layer and beyond are in the file */
};

/**
 * @brief A 16-bit number stored big-endian (network byte order) at @p p.
 * @param p the first of two bytes
 * @return the number.
 */
static unsigned get16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/**
 * @brief A 32-bit number stored big-endian (network byte order) at @p p.
 * @param p the first of four bytes
 * @return the number.
 */
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/**
 * @brief Reverse the order of the four bytes of @p v.
 * @param v a 32-bit number
 * @return @p v with its bytes in the other order.
 */
static uint32_t swap32(uint32_t v)
{
    return v >> 24 | (v >> 8 & 0xff00) | (v << 8 & 0xff0000) | v << 24;
}

/**
 * @brief A 32-bit number of the pcap file's own headers. Those are written in
 *        the byte order of the machine that wrote the file, not in network
 *        byte order: read them as this machine does, and swap them if the
 *        writer's order was the other one.
 * @param cap the capture (its byte order)
 * @param p the first of four bytes
 * @return the number.
 */
static uint32_t file32(const struct capture *cap, const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return cap->swapped ? swap32(v) : v;
}

/**
 * @brief Say that a header is cut short, as the packet's last line.
 * @param layer the header's name
 * @param have how many of its bytes were captured
 * @param need how many it needs
 */
static void truncated(const char *layer, size_t have, size_t need)
{
    printf("  error: truncated %s header: %zu of %zu bytes\n", layer, have, need);
}

/**
 * @brief The name of an IP protocol number (IPv4 protocol, IPv6 next header).
 * @param protocol the number
 * @return "TCP", "UDP", "ICMP", "ICMPv6", or NULL for any other.
 */
static const char *protocol_name(unsigned protocol)
{
    switch (protocol) {
    case 1:
        return "ICMP";
    case 6:
        return "TCP";
    case 17:
        return "UDP";
    case 58:
        return "ICMPv6";
    default:
        return NULL;
    }
}

/**
 * @brief Print " (NAME)" for a protocol number that has a name, nothing otherwise.
 * @param protocol the number
 */
static void print_protocol_name(unsigned protocol)
{
    const char *name = protocol_name(protocol);
    if (name != NULL)
        printf(" (%s)", name);
}

/**
 * @brief Decode a TCP header; print its line.
 * @param seg the segment: header, then payload
 * @param length the segment's length as the IP header declares it
 */
static void decode_tcp(struct slice seg, size_t length)
{
    if (seg.captured < TCP_MIN_HEADER) {
        truncated("TCP", seg.captured, TCP_MIN_HEADER);
        return;
    }
    size_t header = (size_t)(seg.bytes[12] >> 4) * 4; /* data offset, in 32-bit words */
    if (header < TCP_MIN_HEADER) {
        printf("  error: bad TCP header: header length %zu bytes\n", header);
        return;
    }
    if (seg.captured < header) {
        truncated("TCP", seg.captured, header);
        return;
    }
    if (length < header) {
        printf("  error: bad TCP header: header length %zu bytes, segment %zu bytes\n", header, length);
        return;
    }
    static const struct {
        uint8_t bit;
        char letter;
    } flags[] = {{0x01, 'F'}, {0x02, 'S'}, {0x04, 'R'}, {0x08, 'P'},
                 {0x10, '.'}, {0x20, 'U'}, {0x40, 'E'}, {0x80, 'W'}};
    char letters[9] = "";
    size_t n = 0;
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (seg.bytes[13] & flags[i].bit)
            letters[n++] = flags[i].letter;
    printf("  transport: TCP %u > %u, flags [%s], seq %" PRIu32 ", ack %" PRIu32 ", window %u, header %zu bytes, "
           "payload %zu bytes\n",
           get16(seg.bytes), get16(seg.bytes + 2), n > 0 ? letters : "none", get32(seg.bytes + 4),
           get32(seg.bytes + 8), get16(seg.bytes + 14), header, length - header);
}

/**
 * @brief Decode a UDP header; print its line.
 * @param dgram the datagram: header, then payload
 * @param ip_length the datagram's length as the IP header declares it
 * @param first_fragment 1 if the IP packet is the first of several fragments: the
 *        datagram goes on in the next ones, so its length may exceed @p ip_length
 */
static void decode_udp(struct slice dgram, size_t ip_length, int first_fragment)
{
    if (dgram.captured < UDP_HEADER) {
        truncated("UDP", dgram.captured, UDP_HEADER);
        return;
    }
    unsigned length = get16(dgram.bytes + 4); /* header and payload */
    if (length < UDP_HEADER) {
        printf("  error: bad UDP header: length %u bytes\n", length);
        return;
    }
    if (length > ip_length && !first_fragment) {
        printf("  error: bad UDP header: length %u bytes, datagram %zu bytes\n", length, ip_length);
        return;
    }
    printf("  transport: UDP %u > %u, length %u bytes, payload %u bytes\n", get16(dgram.bytes),
           get16(dgram.bytes + 2), length, length - UDP_HEADER);
}

/**
 * @brief Decode what an IP header carries: TCP, UDP, or a protocol we only name.
 * @param protocol the IP protocol number
 * @param inner the bytes after the IP header
 * @param length their length as the IP header declares it
 * @param first_fragment 1 for the first of several IPv4 fragments (flag MF set)
 */
static void decode_transport(unsigned protocol, struct slice inner, size_t length, int first_fragment)
{
    if (protocol == 6)
        decode_tcp(inner, length);
    else if (protocol == 17)
        decode_udp(inner, length, first_fragment);
    else {
        printf("  transport: protocol %u", protocol);
        print_protocol_name(protocol);
        printf(", not decoded\n");
    }
}

/**
 * @brief Decode an IPv4 header; print its line, then the transport layer.
 * @param pkt the IPv4 packet: header, then what it carries
 */
static void decode_ipv4(struct slice pkt)
{
    if (pkt.captured < IPV4_MIN_HEADER) {
        truncated("IPv4", pkt.captured, IPV4_MIN_HEADER);
        return;
    }
    unsigned version = pkt.bytes[0] >> 4;
    size_t header = (size_t)(pkt.bytes[0] & 0x0f) * 4; /* IHL, in 32-bit words */
    size_t total = get16(pkt.bytes + 2);
    if (version != 4 || header < IPV4_MIN_HEADER || total < header) {
        printf("  error: bad IPv4 header: version %u, header length %zu bytes, total length %zu bytes\n",
               version, header, total);
        return;
    }
    if (pkt.captured < header) {
        truncated("IPv4", pkt.captured, header);
        return;
    }
    const uint8_t *a = pkt.bytes;
    unsigned protocol = a[9];
    printf("  network: IPv4 %u.%u.%u.%u > %u.%u.%u.%u, ttl %u, protocol %u", a[12], a[13], a[14], a[15], a[16],
           a[17], a[18], a[19], a[8], protocol);
    print_protocol_name(protocol);
    printf(", header %zu bytes, total length %zu bytes\n", header, total);
    if ((get16(a + 6) & 0x1fff) != 0) { /* a later fragment: its bytes are not a header */
        printf("  transport: fragment at offset %u, not decoded\n", (get16(a + 6) & 0x1fff) * 8);
        return;
    }
    /* every captured byte after the header, padding too: the lengths come from the headers */
    struct slice inner = {pkt.bytes + header, pkt.captured - header};
    decode_transport(protocol, inner, total - header, (get16(a + 6) & MORE_FRAGMENTS) != 0);
}

/**
 * @brief Write an IPv6 address in its text form, as inet_ntop() writes it:
 *        the short form of RFC 5952 ("::1"), and a dotted IPv4 tail for the
 *        addresses that carry an IPv4 address ("::ffff:127.0.0.1").
 * @param a the 16 bytes of the address
 * @param out room for INET6_ADDRSTRLEN characters
 */
static void format_ipv6(const uint8_t *a, char *out)
{
    if (inet_ntop(AF_INET6, a, out, INET6_ADDRSTRLEN) == NULL)
        snprintf(out, INET6_ADDRSTRLEN, "?"); /* cannot happen with a 16-byte address and this room */
}

/**
 * @brief Decode an IPv6 header; print its line, then the transport layer.
 * @param pkt the IPv6 packet: header, then what it carries
 */
static void decode_ipv6(struct slice pkt)
{
    if (pkt.captured < IPV6_HEADER) {
        truncated("IPv6", pkt.captured, IPV6_HEADER);
        return;
    }
    unsigned version = pkt.bytes[0] >> 4;
    if (version != 6) {
        printf("  error: bad IPv6 header: version %u\n", version);
        return;
    }
    char source[INET6_ADDRSTRLEN], destination[INET6_ADDRSTRLEN];
    format_ipv6(pkt.bytes + 8, source);
    format_ipv6(pkt.bytes + 24, destination);
    unsigned next = pkt.bytes[6];
    size_t payload = get16(pkt.bytes + 4); /* after the 40-byte header */
    printf("  network: IPv6 %s > %s, hop limit %u, next header %u", source, destination, pkt.bytes[7], next);
    print_protocol_name(next);
    printf(", payload length %zu bytes\n", payload);
    struct slice inner = {pkt.bytes + IPV6_HEADER, pkt.captured - IPV6_HEADER};
    decode_transport(next, inner, payload, 0);
}

/**
 * @brief Decode an Ethernet header; print its line, then the network layer.
 * @param frame the frame as captured
 */
static void decode_ethernet(struct slice frame)
{
    if (frame.captured < ETHERNET_HEADER) {
        truncated("Ethernet", frame.captured, ETHERNET_HEADER);
        return;
    }
    const uint8_t *d = frame.bytes, *s = frame.bytes + 6;
    unsigned type = get16(frame.bytes + 12);
    printf("  link: Ethernet %02x:%02x:%02x:%02x:%02x:%02x > %02x:%02x:%02x:%02x:%02x:%02x, type 0x%04x", s[0],
           s[1], s[2], s[3], s[4], s[5], d[0], d[1], d[2], d[3], d[4], d[5], type);
    struct slice inner = {frame.bytes + ETHERNET_HEADER, frame.captured - ETHERNET_HEADER};
    if (type == 0x0800) {
        printf(" (IPv4)\n");
        decode_ipv4(inner);
    } else if (type == 0x86dd) {
        printf(" (IPv6)\n");
        decode_ipv6(inner);
    } else {
        printf(", not decoded\n");
    }
}

/**
 * @brief Read and check the file's 24-byte global header.
 * @param cap the capture; its byte order is set from the magic number
 * @return 0, or -1 after printing why on stderr.
 */
static int read_file_header(struct capture *cap)
{
    uint8_t h[24];
    if (fread(h, 1, sizeof h, cap->file) != sizeof h) {
        if (ferror(cap->file)) /* a folder, say: it opens, but reading it fails */
            fprintf(stderr, "layers: %s: %s\n", cap->name, strerror(errno));
        else
            fprintf(stderr, "layers: %s: not a pcap file (shorter than its 24-byte header)\n", cap->name);
        return -1;
    }
    /* the magic number a1b2c3d4 (microseconds) or a1b23c4d (nanoseconds), in the writer's byte order */
    cap->swapped = 0;
    uint32_t magic = file32(cap, h);
    if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
        cap->swapped = 1;
        magic = file32(cap, h);
    }
    if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
        fprintf(stderr, "layers: %s: not a pcap file (magic number %02x%02x%02x%02x)\n", cap->name, h[0], h[1],
                h[2], h[3]);
        return -1;
    }
    uint32_t link = file32(cap, h + 20);
    if (link != LINKTYPE_ETHERNET) {
        fprintf(stderr, "layers: %s: link type %" PRIu32 " is not supported (only 1, Ethernet)\n", cap->name,
                link);
        return -1;
    }
    return 0;
}

/**
 * @brief Read the next packet record and print its layers.
 * @param cap the capture
 * @param number the packet's number, from 1
 * @param buffer room for MAX_RECORD bytes
 * @return 1 if a packet was printed, 0 at the end of the file, -1 after
 *         printing on stderr why the file cannot be read further.
 */
static int next_packet(struct capture *cap, unsigned long number, uint8_t *buffer)
{
    uint8_t h[16];
    size_t got = fread(h, 1, sizeof h, cap->file);
    if (got == 0 && feof(cap->file))
        return 0;
    uint32_t captured = got == sizeof h ? file32(cap, h + 8) : 0;
    uint32_t original = got == sizeof h ? file32(cap, h + 12) : 0;
    if (got == sizeof h && captured > MAX_RECORD) {
        fflush(stdout); /* the packets' lines before the message, even when both go to one file */
        fprintf(stderr, "layers: %s: packet %lu: bad record length %" PRIu32 "\n", cap->name, number, captured);
        return -1;
    }
    if (got != sizeof h || fread(buffer, 1, captured, cap->file) != captured) {
        fflush(stdout);
        if (ferror(cap->file))
            fprintf(stderr, "layers: %s: %s\n", cap->name, strerror(errno));
        else
            fprintf(stderr, "layers: %s: packet %lu is cut short: the file ends inside it\n", cap->name, number);
        return -1;
    }
    printf("packet %lu: %" PRIu32 " of %" PRIu32 " bytes\n", number, captured, original);
    decode_ethernet((struct slice){buffer, captured});
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: layers FILE\n");
        return 2;
    }
    struct capture cap = {fopen(argv[1], "rb"), argv[1], 0};
    if (cap.file == NULL) {
        fprintf(stderr, "layers: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    static uint8_t buffer[MAX_RECORD];
    int result = read_file_header(&cap) == 0 ? 1 : -1;
    for (unsigned long number = 1; result == 1; number++)
        result = next_packet(&cap, number, buffer);
    fclose(cap.file);
    return result == 0 ? 0 : 1;
}
