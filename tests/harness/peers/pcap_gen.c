/**
 * @file pcap_gen.c
 * @brief Test peer (lesson 07): write a capture file of random packets, valid and broken,
 *        the same file for the same seed on every machine.
 *
 *     pcap_gen SEED N OUT.pcap
 *
 * SEED is a number (0 to 2^64 - 1); N how many packets (0 to 100000). The file is a classic
 * pcap file (lessons/07-layers/README.md, section 6) whose N packets mix, at random, every
 * case the lesson's rules name:
 *
 *   - the file: either byte order, either magic number (micro- or nanoseconds), a snap
 *     length of 262144, 65535 or a small one that cuts most packets; rarely (1 file in 25)
 *     a file header that is too short, not pcap, or of another link type;
 *   - the link layer: Ethernet with any addresses; EtherTypes IPv4, IPv6, ARP and others;
 *     frames padded to 60 bytes (with zeros or not), or with 4 bytes more (a frame check
 *     sequence), or shorter than an Ethernet header;
 *   - the network layer: IPv4 with or without options (IHL 0 to 15), any version, total
 *     lengths right, too small or larger than the bytes present, first and later fragments;
 *     IPv6 with addresses in every text form (zero runs, ties, ::, IPv4-mapped...), payload
 *     lengths right or wrong; TCP, UDP, ICMP, ICMPv6 and any other protocol number;
 *   - the transport layer: TCP with or without options (data offset 0 to 15), any flags,
 *     sequence numbers up to 2^32 - 1; UDP lengths right, below 8, smaller or larger than
 *     the IP payload; payloads of 0 to 1460 bytes, of any byte values;
 *   - the capture: records cut at a header's edge (a byte before, at, or a byte after),
 *     anywhere, or to nothing; original lengths unlike the captured one; a record of the
 *     largest length (262144).
 *
 * After the N packets the file may end inside a record header, inside a packet, or with a
 * record longer than 262144 bytes (about 1 file in 5), or hold one more record, of 262144
 * bytes (1 in 25). It prints nothing; exit status 0, 1 if the file could not be written, 2
 * on a usage error.
 *
 * The random numbers come from splitmix64 (not the C library's rand), so that a seed gives
 * the same file everywhere: the tests keep what the oracle (layers_oracle.c) printed for
 * their seeds. Changing what a seed gives means running tests/captures/make-random again.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RECORD 262144 /* R7.6: the longest record layers accepts */
#define MAX_MARKS 16

/** @brief The random number generator: splitmix64's state. */
struct gen {
    uint64_t state; /**< advanced by each draw */
};

/** @brief One frame being built, and the places where cutting it is interesting. */
struct frame {
    uint8_t bytes[MAX_RECORD]; /**< the frame */
    size_t len;                /**< how many bytes it has so far */
    size_t marks[MAX_MARKS];   /**< where headers start, where their fixed part and their whole length end */
    size_t nmarks;             /**< how many marks */
};

/** @brief The file as a whole: what every record shares. */
struct plan {
    int big_endian;   /**< the byte order of the file's own numbers */
    int nanoseconds;  /**< which magic number, which time unit */
    uint32_t snaplen; /**< the file header's snap length; packets are cut to it */
};

/**
 * @brief The next random number (splitmix64).
 * @param g the generator
 * @return 64 random bits.
 */
static uint64_t next64(struct gen *g)
{
    uint64_t z = (g->state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/**
 * @brief A random number from @p lo to @p hi, both included.
 * @param g the generator
 * @param lo the smallest
 * @param hi the largest, not below @p lo
 * @return the number.
 */
static uint32_t between(struct gen *g, uint32_t lo, uint32_t hi)
{
    return lo + (uint32_t)(next64(g) % ((uint64_t)hi - lo + 1));
}

/**
 * @brief True @p percent times in 100.
 * @param g the generator
 * @param percent 0 to 100
 * @return 1 or 0.
 */
static int chance(struct gen *g, unsigned percent)
{
    return between(g, 0, 99) < percent;
}

/**
 * @brief One of @p n numbers, with equal chances.
 * @param g the generator
 * @param list the numbers
 * @param n how many (at least 1)
 * @return the one picked.
 */
static uint32_t one_of(struct gen *g, const uint32_t *list, size_t n)
{
    return list[between(g, 0, (uint32_t)n - 1)];
}

/**
 * @brief Remember the frame's current end as a place worth cutting at.
 * @param f the frame
 */
static void mark(struct frame *f)
{
    if (f->nmarks < MAX_MARKS)
        f->marks[f->nmarks++] = f->len;
}

/**
 * @brief Append one byte (the frame never outgrows its buffer: what would is dropped).
 * @param f the frame
 * @param v the byte
 */
static void put8(struct frame *f, uint32_t v)
{
    if (f->len < sizeof f->bytes)
        f->bytes[f->len++] = (uint8_t)v;
}

/**
 * @brief Append a 16-bit number, big-endian (network byte order).
 * @param f the frame
 * @param v the number
 */
static void put16(struct frame *f, uint32_t v)
{
    put8(f, v >> 8 & 0xff);
    put8(f, v & 0xff);
}

/**
 * @brief Append a 32-bit number, big-endian.
 * @param f the frame
 * @param v the number
 */
static void put32(struct frame *f, uint32_t v)
{
    put16(f, v >> 16);
    put16(f, v & 0xffff);
}

/**
 * @brief Append @p n random bytes: payloads hold every byte value.
 * @param g the generator
 * @param f the frame
 * @param n how many
 */
static void put_random(struct gen *g, struct frame *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put8(f, between(g, 0, 255));
}

/**
 * @brief Overwrite a 16-bit big-endian field already in the frame (a length known only later).
 * @param f the frame
 * @param at the field's offset
 * @param v the number
 */
static void set16(struct frame *f, size_t at, uint32_t v)
{
    f->bytes[at] = (uint8_t)(v >> 8);
    f->bytes[at + 1] = (uint8_t)v;
}

/**
 * @brief A payload length: often 0, mostly short, sometimes a full Ethernet payload.
 * @param g the generator
 * @return the length.
 */
static uint32_t payload_size(struct gen *g)
{
    uint32_t pick = between(g, 0, 99);
    if (pick < 30)
        return 0;
    if (pick < 70)
        return between(g, 1, 32);
    if (pick < 95)
        return between(g, 33, 300);
    return between(g, 301, 1460);
}

/**
 * @brief A header length in 4-byte words: mostly the minimum 5, sometimes more (options),
 *        sometimes an impossible one below 5.
 * @param g the generator
 * @return 0 to 15.
 */
static uint32_t header_words(struct gen *g)
{
    uint32_t pick = between(g, 0, 99);
    if (pick < 72)
        return 5;
    if (pick < 92)
        return between(g, 6, 15);
    return between(g, 0, 4);
}

/**
 * @brief A port number: any, with the edges (0, 65535) and familiar ones now and then.
 * @param g the generator
 * @return the port.
 */
static uint32_t port(struct gen *g)
{
    static const uint32_t edges[] = {0, 1, 53, 80, 443, 7701, 65535};
    return chance(g, 15) ? one_of(g, edges, sizeof edges / sizeof edges[0]) : between(g, 0, 65535);
}

/**
 * @brief A 32-bit number: any, with the edges that catch signed or narrow printing.
 * @param g the generator
 * @return the number.
 */
static uint32_t number32(struct gen *g)
{
    static const uint32_t edges[] = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff};
    return chance(g, 20) ? one_of(g, edges, sizeof edges / sizeof edges[0]) : (uint32_t)next64(g);
}

/**
 * @brief Append a TCP header (with its options) and a payload.
 * @param g the generator
 * @param f the frame
 * @return the segment's length in the frame.
 */
static size_t build_tcp(struct gen *g, struct frame *f)
{
    static const uint32_t usual[] = {0x02, 0x12, 0x10, 0x18, 0x11, 0x19, 0x04, 0x14, 0x00, 0x29, 0xc2, 0xff};
    size_t start = f->len;
    uint32_t words = header_words(g);
    mark(f);
    put16(f, port(g));
    put16(f, port(g));
    put32(f, number32(g));
    put32(f, number32(g));
    /* the low 4 bits are reserved (or the AE bit): not the student's business, so any value */
    put8(f, words << 4 | (chance(g, 20) ? between(g, 1, 15) : 0));
    put8(f, chance(g, 60) ? between(g, 0, 255) : one_of(g, usual, sizeof usual / sizeof usual[0]));
    put16(f, between(g, 0, 65535));                     /* window */
    put16(f, between(g, 0, 65535));                     /* checksum */
    put16(f, chance(g, 80) ? 0 : between(g, 0, 65535)); /* urgent pointer */
    mark(f);
    if (words > 5) {
        put_random(g, f, words * 4 - 20);
        mark(f);
    }
    put_random(g, f, payload_size(g));
    return f->len - start;
}

/**
 * @brief Append a UDP header and a payload; its length field right or wrong.
 * @param g the generator
 * @param f the frame
 * @param first_fragment 1 if the IP packet is the first of several fragments: the length
 *        field then counts the bytes of the later ones too
 * @return the datagram's length in the frame.
 */
static size_t build_udp(struct gen *g, struct frame *f, int first_fragment)
{
    size_t start = f->len;
    uint32_t payload = payload_size(g), length = 8 + payload;
    mark(f);
    put16(f, port(g));
    put16(f, port(g));
    if (first_fragment) {
        length += between(g, 8, 2000);
    } else if (chance(g, 22)) {
        uint32_t pick = between(g, 0, 4);
        if (pick == 0)
            length = between(g, 0, 7); /* below its own header */
        else if (pick == 1 && payload > 0)
            length = between(g, 8, length - 1); /* less than IP carries: the rest is IP's padding */
        else if (pick == 2)
            length = 65535;
        else
            length += between(g, 1, 64); /* more than IP carries */
    }
    put16(f, length > 65535 ? 65535 : length);
    put16(f, between(g, 0, 65535)); /* checksum */
    mark(f);
    put_random(g, f, payload);
    return f->len - start;
}

/**
 * @brief Append what an IP header carries: TCP, UDP, or the bytes of another protocol.
 * @param g the generator
 * @param f the frame
 * @param protocol the IP protocol number
 * @param first_fragment 1 for the first of several IPv4 fragments
 * @return how many bytes were appended.
 */
static size_t build_transport(struct gen *g, struct frame *f, uint32_t protocol, int first_fragment)
{
    if (protocol == 6)
        return build_tcp(g, f);
    if (protocol == 17)
        return build_udp(g, f, first_fragment);
    size_t start = f->len;
    put_random(g, f, 8 + payload_size(g));
    return f->len - start;
}

/**
 * @brief A protocol number: mostly TCP and UDP, then ICMP, ICMPv6 and any other.
 * @param g the generator
 * @param icmp the ICMP of this IP version (1 or 58)
 * @return the number.
 */
static uint32_t protocol(struct gen *g, uint32_t icmp)
{
    static const uint32_t others[] = {0, 1, 2, 41, 43, 44, 47, 50, 58, 59, 60, 132, 255};
    uint32_t pick = between(g, 0, 99);
    if (pick < 40)
        return 6;
    if (pick < 73)
        return 17;
    if (pick < 81)
        return icmp;
    return chance(g, 50) ? one_of(g, others, sizeof others / sizeof others[0]) : between(g, 0, 255);
}

/**
 * @brief A length field made wrong on purpose, or left right (78 times in 100).
 * @param g the generator
 * @param right the length the bytes have
 * @param header the length of the header that declares it (0 for IPv6's payload length)
 * @param inner the fixed part of the header inside (20 TCP, 8 UDP, else 8)
 * @return the length to write.
 */
static uint32_t length_field(struct gen *g, uint32_t right, uint32_t header, uint32_t inner)
{
    if (chance(g, 78))
        return right > 65535 ? 65535 : right;
    switch (between(g, 0, 6)) {
    case 0:
        return 0;
    case 1:
        return header > 0 ? between(g, 0, header - 1) : 0; /* below the header itself */
    case 2:
        return header; /* nothing after the header */
    case 3:
        return header + between(g, 1, inner - 1); /* too short for the header inside */
    case 4:
        return right > header ? between(g, header, right - 1) : header; /* less than there is */
    case 5:
        return 65535;
    default: {
        uint32_t more = right + between(g, 1, 100); /* more than there is */
        return more > 65535 ? 65535 : more;
    }
    }
}

/**
 * @brief Four bytes of an IPv4 address: any, or loopback, zero, broadcast.
 * @param g the generator
 * @param f the frame
 */
static void put_ipv4_address(struct gen *g, struct frame *f)
{
    static const uint32_t usual[] = {0x7f000001, 0, 0xffffffff, 0xc0a80001, 0x0a000001};
    put32(f, chance(g, 30) ? one_of(g, usual, sizeof usual / sizeof usual[0]) : (uint32_t)next64(g));
}

/**
 * @brief Append an IPv4 header (options too), then what it carries.
 * @param g the generator
 * @param f the frame
 */
static void build_ipv4(struct gen *g, struct frame *f)
{
    size_t start = f->len;
    uint32_t words = header_words(g), version = chance(g, 93) ? 4 : between(g, 0, 15);
    uint32_t proto = protocol(g, 1), fragment = chance(g, 50) ? 0x4000 : 0; /* DF or not */
    uint32_t kind = between(g, 0, 99);
    if (kind >= 80 && kind < 88) {
        fragment = 0x2000; /* the first fragment: more fragments follow */
    } else if (kind >= 88) {
        fragment = chance(g, 50) ? 0x2000 : 0; /* a later fragment, the last one or not */
        fragment |= chance(g, 50) ? between(g, 1, 200) : between(g, 1, 8191);
    }
    mark(f);
    put8(f, version << 4 | words);
    put8(f, between(g, 0, 255)); /* type of service */
    put16(f, 0);                 /* total length: below, once the rest is known */
    put16(f, between(g, 0, 65535));
    put16(f, fragment);
    put8(f, chance(g, 10) ? (chance(g, 50) ? 0 : 255) : between(g, 1, 128));
    put8(f, proto);
    put16(f, between(g, 0, 65535)); /* checksum */
    put_ipv4_address(g, f);
    put_ipv4_address(g, f);
    mark(f);
    if (words > 5) {
        put_random(g, f, words * 4 - 20);
        mark(f);
    }
    uint32_t header = f->len - start;
    size_t inner = build_transport(g, f, proto, fragment == 0x2000);
    set16(f, start + 2, length_field(g, header + (uint32_t)inner, words * 4, proto == 6 ? 20 : 8));
}

/**
 * @brief Sixteen bytes of an IPv6 address, drawn to exercise every rule of its text form:
 *        runs of zero groups (the longest, the first of equal ones, a lone one), leading
 *        zeros, ::, ::1, IPv4-mapped and IPv4-compatible addresses.
 * @param g the generator
 * @param f the frame
 */
static void put_ipv6_address(struct gen *g, struct frame *f)
{
    uint32_t group[8] = {0}, kind = between(g, 0, 9);
    for (int i = 0; i < 8; i++) {
        if (kind <= 2) /* any groups, zero half the time, small or large */
            group[i] = chance(g, 50) ? 0 : (chance(g, 50) ? between(g, 1, 0xfff) : between(g, 0, 65535));
        else if (kind == 3)
            group[i] = between(g, 0, 65535);
    }
    if (kind == 4) {
        group[7] = between(g, 0, 2); /* ::, ::1, ::2 */
    } else if (kind == 5 || kind == 6) {
        group[5] = kind == 5 ? 0xffff : 0; /* ::ffff:a.b.c.d and ::a.b.c.d */
        group[6] = between(g, 0, 65535);
        group[7] = between(g, 0, 65535);
    } else if (kind == 7) {
        group[4] = 0xffff; /* ::ffff:0:a.b.c.d, no dotted tail */
        group[6] = between(g, 0, 65535);
        group[7] = between(g, 0, 65535);
    } else if (kind == 8) {
        group[0] = 0xfe80;
        group[7] = between(g, 1, 65535);
    } else if (kind == 9) {
        group[0] = 0x2001; /* two runs of zeros of the same length */
        group[1] = 0xdb8;
        group[4] = between(g, 1, 65535);
        group[7] = between(g, 1, 65535);
    }
    for (int i = 0; i < 8; i++)
        put16(f, group[i]);
}

/**
 * @brief Append an IPv6 header, then what it carries.
 * @param g the generator
 * @param f the frame
 */
static void build_ipv6(struct gen *g, struct frame *f)
{
    size_t start = f->len;
    uint32_t version = chance(g, 93) ? 6 : between(g, 0, 15), proto = protocol(g, 58);
    mark(f);
    put32(f, version << 28 | between(g, 0, 0xfffffff)); /* version, traffic class, flow label */
    put16(f, 0);                                        /* payload length: below */
    put8(f, proto);
    put8(f, between(g, 0, 255)); /* hop limit */
    put_ipv6_address(g, f);
    put_ipv6_address(g, f);
    mark(f);
    size_t inner = build_transport(g, f, proto, 0);
    set16(f, start + 4, length_field(g, (uint32_t)inner, 0, proto == 6 ? 20 : 8));
}

/**
 * @brief Six bytes of a MAC address: any, all zero (loopback), or broadcast.
 * @param g the generator
 * @param f the frame
 */
static void put_mac(struct gen *g, struct frame *f)
{
    uint32_t kind = between(g, 0, 9);
    for (int i = 0; i < 6; i++)
        put8(f, kind < 7 ? between(g, 0, 255) : kind < 9 ? 0 : 0xff);
}

/**
 * @brief Build one frame: Ethernet and what it carries, then padding or a frame check sequence.
 * @param g the generator
 * @param f the frame, emptied first
 */
static void build_frame(struct gen *g, struct frame *f)
{
    static const uint32_t others[] = {0x0806, 0x8100, 0x88cc, 0x0000, 0xffff, 0x0801, 0x86dc, 0x86de, 0x0842};
    f->len = 0;
    f->nmarks = 0;
    mark(f);
    put_mac(g, f);
    put_mac(g, f);
    uint32_t pick = between(g, 0, 99);
    uint32_t type = pick < 45   ? 0x0800
                    : pick < 78 ? 0x86dd
                                : one_of(g, others, sizeof others / sizeof others[0]);
    put16(f, type);
    mark(f);
    if (type == 0x0800)
        build_ipv4(g, f);
    else if (type == 0x86dd)
        build_ipv6(g, f);
    else
        put_random(g, f, chance(g, 50) ? 28 : payload_size(g));
    pick = between(g, 0, 99);
    if (f->len < 60 && pick < 75) {
        while (f->len < 60) /* Ethernet's minimum: zeros, or what the card left there */
            put8(f, pick < 60 ? 0 : between(g, 0, 255));
    } else if (pick >= 95) {
        put_random(g, f, 4); /* a frame check sequence, kept by some captures */
    }
}

/**
 * @brief How many bytes of the frame the record keeps: what the snap length leaves, or a
 *        cut at a header's edge (a byte before, at it, a byte after), anywhere, or to nothing.
 * @param g the generator
 * @param f the frame
 * @param snaplen the file's snap length
 * @return the captured length.
 */
static size_t captured_length(struct gen *g, const struct frame *f, uint32_t snaplen)
{
    size_t keep = f->len < snaplen ? f->len : snaplen;
    uint32_t pick = between(g, 0, 99);
    if (pick < 18 && f->nmarks > 0) {
        size_t at = f->marks[between(g, 0, (uint32_t)f->nmarks - 1)] + between(g, 0, 2);
        keep = at == 0 ? 0 : at - 1;
    } else if (pick < 22) {
        keep = between(g, 0, (uint32_t)f->len);
    } else if (pick < 24) {
        keep = 0;
    } else if (pick < 26) {
        keep = f->len; /* a writer that did not cut at its own snap length */
    }
    return keep > f->len ? f->len : keep;
}

/**
 * @brief Write a 32-bit number of the file's own headers, in the file's byte order.
 * @param out the file
 * @param p the file's plan (its byte order)
 * @param v the number
 */
static void file32(FILE *out, const struct plan *p, uint32_t v)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++)
        b[p->big_endian ? 3 - i : i] = (uint8_t)(v >> 8 * i);
    fwrite(b, 1, sizeof b, out);
}

/**
 * @brief Write a 16-bit number of the file's own headers, in the file's byte order.
 * @param out the file
 * @param p the file's plan (its byte order)
 * @param v the number
 */
static void file16(FILE *out, const struct plan *p, uint32_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    if (!p->big_endian) {
        b[0] = (uint8_t)v;
        b[1] = (uint8_t)(v >> 8);
    }
    fwrite(b, 1, sizeof b, out);
}

/**
 * @brief Write a record header.
 * @param g the generator (the time stamp)
 * @param out the file
 * @param p the file's plan
 * @param captured the captured length
 * @param original the original length
 */
static void record_header(struct gen *g, FILE *out, const struct plan *p, uint32_t captured,
                          uint32_t original)
{
    file32(out, p, between(g, 1600000000, 1800000000));
    file32(out, p, between(g, 0, p->nanoseconds ? 999999999 : 999999));
    file32(out, p, captured);
    file32(out, p, original);
}

/**
 * @brief Write one packet's record: a frame, cut as a capture would, and its lengths.
 * @param g the generator
 * @param out the file
 * @param p the file's plan
 * @param f room for the frame
 */
static void write_packet(struct gen *g, FILE *out, const struct plan *p, struct frame *f)
{
    build_frame(g, f);
    size_t keep = captured_length(g, f, p->snaplen);
    uint32_t original = (uint32_t)f->len;
    if (chance(g, 5)) /* an original length that is not the frame's, even below the captured one */
        original = chance(g, 50) ? between(g, 0, (uint32_t)keep) : original + between(g, 1, 10000);
    record_header(g, out, p, (uint32_t)keep, original);
    fwrite(f->bytes, 1, keep, out);
}

/**
 * @brief Write the file header, rarely a broken one (too short, not pcap, another link type).
 * @param g the generator
 * @param out the file
 * @param p the file's plan
 * @return 1 if packets may follow, 0 if the file must end here (a header cut short).
 */
static int write_file_header(struct gen *g, FILE *out, const struct plan *p)
{
    static const uint32_t magics[] = {0x0a0d0d0a, 0xa1b2cd34, 0x34cdb2a1, 0x00000000, 0x3c3f786d};
    static const uint32_t links[] = {0, 101, 113, 127, 228, 276, 0x10000001};
    uint32_t fault = chance(g, 4) ? between(g, 1, 3) : 0;
    if (fault == 1) { /* shorter than a file header, or empty */
        uint8_t h[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0};
        fwrite(h, 1, between(g, 0, 23), out);
        return 0;
    }
    uint32_t magic = p->nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4;
    if (fault == 2) {
        magic = one_of(g, magics, sizeof magics / sizeof magics[0]);
        uint8_t b[4] = {(uint8_t)(magic >> 24), (uint8_t)(magic >> 16), (uint8_t)(magic >> 8),
                        (uint8_t)magic};
        fwrite(b, 1, 4, out); /* as bytes: the message shows them in this order */
    } else {
        file32(out, p, magic);
    }
    file16(out, p, 2); /* version 2.4 */
    file16(out, p, 4);
    file32(out, p, 0);
    file32(out, p, 0);
    file32(out, p, p->snaplen);
    file32(out, p, fault == 3 ? one_of(g, links, sizeof links / sizeof links[0]) : 1);
    return 1;
}

/**
 * @brief After the packets: rarely a record of the largest length, and in about 1 file of 5
 *        an end the reader must refuse (inside a record header, inside a packet, a record too long).
 * @param g the generator
 * @param out the file
 * @param p the file's plan
 * @param f room for a frame
 */
static void write_ending(struct gen *g, FILE *out, const struct plan *p, struct frame *f)
{
    uint32_t pick = between(g, 0, 99);
    if (pick < 4) { /* a frame of 262144 bytes, kept whole: the longest record allowed */
        build_frame(g, f);
        while (f->len < MAX_RECORD)
            put8(f, between(g, 0, 255));
        record_header(g, out, p, MAX_RECORD, MAX_RECORD + between(g, 0, 100));
        fwrite(f->bytes, 1, MAX_RECORD, out);
    } else if (pick < 12) { /* the file ends inside a record header */
        uint8_t h[16] = {0};
        fwrite(h, 1, between(g, 1, 15), out);
    } else if (pick < 20) { /* the file ends inside a packet */
        build_frame(g, f);
        size_t keep = f->len == 0 ? 1 : f->len;
        record_header(g, out, p, (uint32_t)keep, (uint32_t)keep);
        fwrite(f->bytes, 1, between(g, 0, (uint32_t)keep - 1), out);
    } else if (pick < 26) { /* a record longer than any capture */
        static const uint32_t too_long[] = {MAX_RECORD + 1, 0x80000000, 0xffffffff};
        uint32_t length = chance(g, 50) ? one_of(g, too_long, sizeof too_long / sizeof too_long[0])
                                        : between(g, MAX_RECORD + 1, 0x7fffffff);
        record_header(g, out, p, length, length);
        fwrite(f->bytes, 1, chance(g, 50) ? 0 : 60, out); /* whatever follows is never read */
    }
}

/**
 * @brief Read a number argument.
 * @param text the argument
 * @param max the largest allowed
 * @param out the number
 * @return 0, or -1 if it is not a number from 0 to @p max.
 */
static int parse_number(const char *text, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v > max)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t seed, count;
    if (argc != 4 || parse_number(argv[1], UINT64_MAX, &seed) != 0 ||
        parse_number(argv[2], 100000, &count) != 0) {
        fprintf(stderr, "usage: pcap_gen SEED N OUT.pcap\n");
        return 2;
    }
    FILE *out = fopen(argv[3], "wb");
    if (out == NULL) {
        fprintf(stderr, "pcap_gen: %s: %s\n", argv[3], strerror(errno));
        return 1;
    }
    static struct frame frame;
    struct gen g = {seed};
    struct plan p; /* one draw per statement: the order of an initializer list's is not fixed */
    p.big_endian = chance(&g, 50);
    p.nanoseconds = chance(&g, 50);
    uint32_t pick = between(&g, 0, 99);
    p.snaplen = pick < 50 ? 262144 : pick < 70 ? 65535 : between(&g, 14, 160);
    if (write_file_header(&g, out, &p)) {
        for (uint64_t i = 0; i < count; i++)
            write_packet(&g, out, &p, &frame);
        write_ending(&g, out, &p, &frame);
    }
    int failed = ferror(out);
    if (fclose(out) != 0 || failed) {
        fprintf(stderr, "pcap_gen: %s: %s\n", argv[3], strerror(errno));
        return 1;
    }
    return 0;
}
