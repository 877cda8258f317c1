/**
 * @file udp_sink.c
 * @brief Test peer (lessons 02, 03): receive datagrams, keep their bytes, maybe reply.
 *
 *     udp_sink PORT DIR [--count N] [--ms MS] [--stray SPEC] [--reply SPEC]
 *
 * Binds 127.0.0.1:PORT and receives N datagrams (default 1) within MS milliseconds
 * (default 5000) in all. Datagram number i (from 1) is written, raw, to DIR/i.bin,
 * and a line "i LENGTH ADDR:PORT" (its size and its sender) is printed and flushed.
 * After each datagram, if asked:
 *   --stray SPEC  send SPEC to the sender from ANOTHER socket (an unexpected sender)
 *   --reply SPEC  then send SPEC to the sender from the bound socket (the real reply)
 * SPEC is as in udp_source: text:STRING, hex:HEX, fill:N, empty.
 * Exit status: 0 once N datagrams came, 1 at the deadline or on an error, 2 on usage.
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BYTES 70000

static unsigned char incoming[MAX_BYTES];
static unsigned char stray_bytes[MAX_BYTES];
static unsigned char reply_bytes[MAX_BYTES];

/** @brief Milliseconds on the monotonic clock. */
static long clock_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

/** @brief Decode SPEC into @p out (see udp_source). @return byte count, or -1. */
static long decode_spec(const char *spec, unsigned char *out)
{
    if (strcmp(spec, "empty") == 0)
        return 0;
    if (strncmp(spec, "text:", 5) == 0) {
        size_t n = strlen(spec) - 5;
        memcpy(out, spec + 5, n < MAX_BYTES ? n : MAX_BYTES);
        return n < MAX_BYTES ? (long)n : -1;
    }
    if (strncmp(spec, "fill:", 5) == 0) {
        long n = atol(spec + 5);
        if (n < 0 || n > MAX_BYTES)
            return -1;
        for (long i = 0; i < n; i++)
            out[i] = (unsigned char)('a' + i % 26);
        return n;
    }
    if (strncmp(spec, "hex:", 4) == 0) {
        long n = 0;
        for (const char *p = spec + 4; p[0] && p[1] && n < MAX_BYTES; p += 2) {
            unsigned v;
            char pair[3] = {p[0], p[1], 0};
            if (sscanf(pair, "%2x", &v) != 1)
                return -1;
            out[n++] = (unsigned char)v;
        }
        return n;
    }
    return -1;
}

/** @brief Save one datagram to DIR/i.bin. @return 0 or -1. */
static int save(const char *dir, int i, const unsigned char *bytes, long n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%d.bin", dir, i);
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    size_t w = n > 0 ? fwrite(bytes, 1, (size_t)n, f) : 0;
    return fclose(f) == 0 && (long)w == n ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: udp_sink PORT DIR [--count N] [--ms MS] [--stray SPEC] [--reply SPEC]\n");
        return 2;
    }
    long count = 1, ms = 5000, stray_len = -1, reply_len = -1;
    for (int a = 3; a + 1 < argc; a += 2) {
        if (strcmp(argv[a], "--count") == 0)
            count = atol(argv[a + 1]);
        else if (strcmp(argv[a], "--ms") == 0)
            ms = atol(argv[a + 1]);
        else if (strcmp(argv[a], "--stray") == 0 && (stray_len = decode_spec(argv[a + 1], stray_bytes)) >= 0)
            continue;
        else if (strcmp(argv[a], "--reply") == 0 && (reply_len = decode_spec(argv[a + 1], reply_bytes)) >= 0)
            continue;
        else {
            fprintf(stderr, "udp_sink: bad option %s %s\n", argv[a], argv[a + 1]);
            return 2;
        }
    }

    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in here;
    memset(&here, 0, sizeof here);
    here.sin_family = AF_INET;
    here.sin_port = htons((unsigned short)atoi(argv[1]));
    here.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || bind(s, (struct sockaddr *)&here, sizeof here) != 0) {
        perror("udp_sink: bind");
        return 1;
    }

    long deadline = clock_ms() + ms;
    for (int i = 1; i <= count; i++) {
        struct pollfd p = {.fd = s, .events = POLLIN};
        long left = deadline - clock_ms();
        if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
            fprintf(stderr, "udp_sink: only %d of %ld datagrams within %ld ms\n", i - 1, count, ms);
            return 1;
        }
        struct sockaddr_in peer;
        socklen_t plen = sizeof peer;
        ssize_t n = recvfrom(s, incoming, sizeof incoming, 0, (struct sockaddr *)&peer, &plen);
        if (n < 0 || save(argv[2], i, incoming, n) != 0) {
            perror("udp_sink: recvfrom/save");
            return 1;
        }
        char ip[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
        printf("%d %zd %s:%u\n", i, n, ip, ntohs(peer.sin_port));
        fflush(stdout);
        if (stray_len >= 0) {
            int other = socket(AF_INET, SOCK_DGRAM, 0);
            if (other < 0 ||
                sendto(other, stray_bytes, (size_t)stray_len, 0, (struct sockaddr *)&peer, plen) < 0)
                perror("udp_sink: stray sendto");
            if (other >= 0)
                close(other);
        }
        if (reply_len >= 0 &&
            sendto(s, reply_bytes, (size_t)reply_len, 0, (struct sockaddr *)&peer, plen) < 0)
            perror("udp_sink: reply sendto");
    }
    close(s);
    return 0;
}
