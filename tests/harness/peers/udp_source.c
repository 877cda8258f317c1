/**
 * @file udp_source.c
 * @brief Test peer (lessons 02, 03): send datagrams whose bytes the test chooses.
 *
 *     udp_source [--every MS] [--from ADDR] HOST PORT SPEC...
 *
 * Sends one datagram per SPEC, in order, from one unbound socket (the kernel picks
 * its port), to the IPv4 address HOST, port PORT. With --from, the socket is bound to the
 * local IPv4 address ADDR first (port 0: the kernel still picks it), so that the datagrams
 * come from ADDR: 127.100.100.100, say, 15 characters, the longest an IPv4 address has. A SPEC is one of:
 *
 *     text:STRING   the bytes of STRING, exactly as given (UTF-8 stays UTF-8)
 *     hex:HEX       the bytes written as hex digits, e.g. hex:c4e3bac3 (GBK 你好)
 *     fill:N        N bytes of the pattern abc...xyzabc...
 *     empty         a datagram of 0 bytes
 *
 * With --every MS it waits MS milliseconds between two datagrams (a peer that keeps
 * sending over time, e.g. strays while a program waits for its reply).
 * For each datagram it prints "sent N bytes from port P" (P: its own local port).
 * Exit status 0, 1 if a call failed, 2 on a usage error.
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BYTES 70000

/**
 * @brief The value of one hex digit.
 * @param c a character
 * @return 0 to 15, or -1 if @p c is not a hex digit.
 */
static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/**
 * @brief Build the bytes a SPEC describes into @p out.
 * @param spec text:STRING, hex:HEX, fill:N or empty
 * @param out room for MAX_BYTES bytes
 * @return their count, or -1 if SPEC is bad.
 */
static long build_payload(const char *spec, unsigned char *out)
{
    if (strcmp(spec, "empty") == 0)
        return 0;
    if (strncmp(spec, "text:", 5) == 0) {
        size_t n = strlen(spec + 5);
        if (n > MAX_BYTES)
            return -1;
        memcpy(out, spec + 5, n);
        return (long)n;
    }
    if (strncmp(spec, "fill:", 5) == 0) {
        long n = strtol(spec + 5, NULL, 10);
        if (n < 0 || n > MAX_BYTES)
            return -1;
        for (long i = 0; i < n; i++)
            out[i] = (unsigned char)('a' + i % 26);
        return n;
    }
    if (strncmp(spec, "hex:", 4) == 0) {
        const char *h = spec + 4;
        size_t digits = strlen(h);
        if (digits % 2 != 0 || digits / 2 > MAX_BYTES)
            return -1;
        for (size_t i = 0; i < digits / 2; i++) {
            int hi = hex_digit(h[2 * i]), lo = hex_digit(h[2 * i + 1]);
            if (hi < 0 || lo < 0)
                return -1;
            out[i] = (unsigned char)(hi * 16 + lo);
        }
        return (long)(digits / 2);
    }
    return -1;
}

/**
 * @brief Send one datagram and say, on stdout, which local port it left from.
 * @param s the (unbound, then kernel-bound) socket
 * @param dest where to send
 * @param payload the bytes
 * @param n how many
 * @return 0, or -1 after printing why on stderr.
 */
static int send_one(int s, const struct sockaddr_in *dest, const unsigned char *payload, long n)
{
    if (sendto(s, payload, (size_t)n, 0, (const struct sockaddr *)dest, sizeof *dest) != n) {
        perror("udp_source: sendto");
        return -1;
    }
    struct sockaddr_in me;
    socklen_t len = sizeof me;
    if (getsockname(s, (struct sockaddr *)&me, &len) != 0) {
        perror("udp_source: getsockname");
        return -1;
    }
    printf("sent %ld bytes from port %u\n", n, ntohs(me.sin_port));
    return 0;
}

int main(int argc, char **argv)
{
    long every_ms = 0;
    const char *from = NULL;
    for (;;) {
        if (argc > 2 && strcmp(argv[1], "--every") == 0)
            every_ms = atol(argv[2]);
        else if (argc > 2 && strcmp(argv[1], "--from") == 0)
            from = argv[2];
        else
            break;
        argc -= 2;
        argv += 2;
    }
    if (argc < 4 || every_ms < 0) {
        fprintf(stderr, "usage: udp_source [--every MS] [--from ADDR] HOST PORT SPEC...   (SPEC: text:S hex:HEX fill:N empty)\n");
        return 2;
    }
    struct sockaddr_in local;
    memset(&local, 0, sizeof local);
    local.sin_family = AF_INET;
    if (from != NULL && inet_pton(AF_INET, from, &local.sin_addr) != 1) {
        fprintf(stderr, "udp_source: bad ADDR %s\n", from);
        return 2;
    }
    struct sockaddr_in dest;
    memset(&dest, 0, sizeof dest);
    dest.sin_family = AF_INET;
    dest.sin_port = htons((unsigned short)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &dest.sin_addr) != 1) {
        fprintf(stderr, "udp_source: bad HOST %s\n", argv[1]);
        return 2;
    }
    static unsigned char payload[MAX_BYTES];
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) {
        perror("udp_source: socket");
        return 1;
    }
    if (from != NULL && bind(s, (const struct sockaddr *)&local, sizeof local) != 0) {
        perror("udp_source: bind");
        close(s);
        return 1;
    }
    int result = 0;
    for (int i = 3; i < argc && result == 0; i++) {
        if (i > 3 && every_ms > 0) {
            struct timespec pause = {every_ms / 1000, every_ms % 1000 * 1000000L};
            while (nanosleep(&pause, &pause) == -1 && errno == EINTR) {
            }
        }
        long n = build_payload(argv[i], payload);
        if (n < 0) {
            fprintf(stderr, "udp_source: bad SPEC %s\n", argv[i]);
            result = 2;
        } else if (send_one(s, &dest, payload, n) != 0) {
            result = 1;
        }
    }
    close(s);
    return result;
}
