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
 *
 * STARTER: this file compiles and runs, but the decoders are TODOs, so the
 * tests fail at first. That is expected. What is here already: reading the
 * pcap file (section 6; file32 reads the file's own numbers, which are not in
 * network byte order) and the output helpers. What is yours: the headers
 * inside each packet (sections 1 to 5). The functions you write are marked
 * __attribute__((unused)) only so that the compiler's -Werror stays quiet
 * while nothing calls them yet; remove the mark once your code calls them.
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
__attribute__((unused))
static unsigned get16(const uint8_t *p)
{
    /* TODO (section 5): the 16-bit number stored at p in network byte order,
     * whatever the byte order of the machine this runs on. */
    (void)p;
    return 0;
}

/**
 * @brief A 32-bit number stored big-endian (network byte order) at @p p.
 * @param p the first of four bytes
 * @return the number.
 */
__attribute__((unused))
static uint32_t get32(const uint8_t *p)
{
    /* TODO (section 5): the same for a 32-bit number. */
    (void)p;
    return 0;
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
__attribute__((unused))
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
__attribute__((unused))
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
__attribute__((unused))
static void decode_tcp(struct slice seg, size_t length)
{
    /* TODO (sections 4, 5 and 7): print the TCP line, or the one error line that
     * section 7 gives for a header that is cut short or impossible. The header's
     * length comes from the header itself; the payload's from @p length, never
     * from how many bytes were captured. */
    (void)seg;
    (void)length;
}

/**
 * @brief Decode a UDP header; print its line.
 * @param dgram the datagram: header, then payload
 * @param ip_length the datagram's length as the IP header declares it
 * @param first_fragment 1 if the IP packet is the first of several fragments: the
 *        datagram goes on in the next ones, so its length may exceed @p ip_length
 */
__attribute__((unused))
static void decode_udp(struct slice dgram, size_t ip_length, int first_fragment)
{
    /* TODO (sections 3 and 7): print the UDP line, or the one error line that
     * section 7 gives for a header that is cut short, impossible, or longer than
     * what the IP layer carries. */
    (void)dgram;
    (void)ip_length;
    (void)first_fragment;
}

/**
 * @brief Decode what an IP header carries: TCP, UDP, or a protocol we only name.
 * @param protocol the IP protocol number
 * @param inner the bytes after the IP header
 * @param length their length as the IP header declares it
 * @param first_fragment 1 for the first of several IPv4 fragments (flag MF set)
 */
__attribute__((unused))
static void decode_transport(unsigned protocol, struct slice inner, size_t length, int first_fragment)
{
    /* TODO (section 7): TCP and UDP are decoded; any other protocol gets the
     * "not decoded" line, with its name where it has one. */
    (void)protocol;
    (void)inner;
    (void)length;
    (void)first_fragment;
}

/**
 * @brief Decode an IPv4 header; print its line, then the transport layer.
 * @param pkt the IPv4 packet: header, then what it carries
 */
__attribute__((unused))
static void decode_ipv4(struct slice pkt)
{
    /* TODO (sections 1, 5 and 7): print the IPv4 line (or its error line), then
     * hand every captured byte that follows the header, wherever the header says
     * it ends, to the transport layer, unless it is a later fragment. Check that
     * each byte was captured before you read it. */
    (void)pkt;
}

/**
 * @brief Write an IPv6 address in its text form (section 7).
 * @param a the 16 bytes of the address
 * @param out room for 46 characters (INET6_ADDRSTRLEN)
 */
__attribute__((unused))
static void format_ipv6(const uint8_t *a, char *out)
{
    /* TODO (section 7): the text form of an IPv6 address that section 7 asks for. */
    (void)a;
    out[0] = '\0';
}

/**
 * @brief Decode an IPv6 header; print its line, then the transport layer.
 * @param pkt the IPv6 packet: header, then what it carries
 */
__attribute__((unused))
static void decode_ipv6(struct slice pkt)
{
    /* TODO (sections 1, 5 and 7): print the IPv6 line (or its error line), then
     * hand the rest to the transport layer. */
    (void)pkt;
}

/**
 * @brief Decode an Ethernet header; print its line, then the network layer.
 * @param frame the frame as captured
 */
__attribute__((unused))
static void decode_ethernet(struct slice frame)
{
    /* TODO (sections 1 and 7): print the link line (or its error line); the
     * EtherType says which network layer, if any, comes next. */
    (void)frame;
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
