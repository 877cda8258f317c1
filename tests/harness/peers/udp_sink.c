/**
 * @file udp_sink.c
 * @brief Test peer (lessons 02, 03): receive datagrams, keep their bytes, maybe reply.
 *
 *     udp_sink PORT DIR [--count N] [--ms MS] [--bind ADDR] [--stray SPEC [--strays EVERY:UNTIL]
 *                       [--stray-after MS] [--stray-from ADDR]] [--reply SPEC [--reply-after MS]]
 *
 * Binds 127.0.0.1:PORT (--bind: ADDR:PORT, 127.0.0.2 say) and receives N datagrams (default 1) within MS milliseconds
 * (default 60000: a test ends it sooner) in all. Datagram number i (from 1) is written, raw, to DIR/i.bin,
 * and a line "i LENGTH ADDR:PORT" (its size and its sender) is printed and flushed.
 * After each datagram, if asked:
 *   --stray SPEC  send SPEC to the sender from ANOTHER socket (an unexpected sender)
 *   --strays EVERY:UNTIL  send that stray again every EVERY ms until UNTIL ms after the
 *                 datagram came (a stranger who keeps talking past the receiver's deadline)
 *   --stray-after MS  send the (first) stray MS ms after the datagram came, not at once
 *   --stray-from ADDR  send the stray from ADDR and the sink's own PORT (e.g. 127.0.0.2: the
 *                 server's port on another address), not from a new socket's port
 *   --reply SPEC  then send SPEC to the sender from the bound socket (the real reply)
 *   --reply-after MS  send the reply MS ms after the datagram came, not at once (a slow server)
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

/** @brief What the command line asked for. */
struct options {
    long count;     /**< how many datagrams to receive */
    long ms;        /**< the time limit for all of them */
    long stray_len; /**< bytes to send from another socket after each datagram, or -1 */
    long reply_len; /**< bytes to reply from the bound socket after each datagram, or -1 */
    long every_ms;  /**< with --strays: the stray is sent again this often (0: once) */
    long until_ms;  /**< with --strays: ... until this long after the datagram came */
    long after_ms;  /**< with --stray-after: the first stray waits this long (0: at once) */
    long reply_after_ms;    /**< with --reply-after: the reply waits this long (0: at once) */
    const char *stray_from; /**< with --stray-from: the stray's source address (port: PORT) */
    const char *bind_addr;  /**< the address to bind: 127.0.0.1 unless --bind */
    unsigned short port;    /**< PORT, for --stray-from */
};

/**
 * @brief Milliseconds on the monotonic clock.
 * @return the time in milliseconds since an arbitrary, fixed start.
 */
static long clock_ms(void)
{
    struct timespec t;
    if (clock_gettime(CLOCK_MONOTONIC, &t) != 0) {
        perror("udp_sink: clock_gettime");
        exit(1);
    }
    return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

/**
 * @brief Decode SPEC (see udp_source: text:S, hex:HEX, fill:N, empty) into @p out.
 * @param spec the SPEC as given on the command line
 * @param out room for MAX_BYTES bytes
 * @return the byte count, or -1 if SPEC is not valid.
 */
static long decode_spec(const char *spec, unsigned char *out)
{
    if (strcmp(spec, "empty") == 0)
        return 0;
    if (strncmp(spec, "text:", 5) == 0) {
        size_t n = strlen(spec) - 5;
        if (n > MAX_BYTES)
            return -1;
        memcpy(out, spec + 5, n);
        return (long)n;
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

/**
 * @brief Parse the options after PORT DIR into @p opt.
 * @param argc the number of arguments
 * @param argv the arguments: PORT DIR, then the options
 * @param opt filled with the defaults, then with what was given
 * @return 0, or -1 after printing why on stderr.
 */
static int parse_options(int argc, char **argv, struct options *opt)
{
    *opt = (struct options){.count = 1, .ms = 60000, .stray_len = -1, .reply_len = -1, .bind_addr = "127.0.0.1"};
    for (int a = 3; a < argc; a += 2) {
        const char *value = a + 1 < argc ? argv[a + 1] : "";
        if (strcmp(argv[a], "--count") == 0)
            opt->count = atol(value);
        else if (strcmp(argv[a], "--ms") == 0)
            opt->ms = atol(value);
        else if (strcmp(argv[a], "--stray") == 0 && (opt->stray_len = decode_spec(value, stray_bytes)) >= 0)
            continue;
        else if (strcmp(argv[a], "--strays") == 0 &&
                 sscanf(value, "%ld:%ld", &opt->every_ms, &opt->until_ms) == 2 && opt->every_ms > 0)
            continue;
        else if (strcmp(argv[a], "--stray-after") == 0 && (opt->after_ms = atol(value)) > 0)
            continue;
        else if (strcmp(argv[a], "--stray-from") == 0 && value[0] != '\0')
            opt->stray_from = value;
        else if (strcmp(argv[a], "--reply") == 0 && (opt->reply_len = decode_spec(value, reply_bytes)) >= 0)
            continue;
        else if (strcmp(argv[a], "--reply-after") == 0 && (opt->reply_after_ms = atol(value)) > 0)
            continue;
        else if (strcmp(argv[a], "--bind") == 0 && value[0] != '\0')
            opt->bind_addr = value;
        else {
            fprintf(stderr, "udp_sink: bad option %s %s\n", argv[a], value);
            return -1;
        }
    }
    return 0;
}

/**
 * @brief A UDP socket bound to @p addr:@p port_text.
 * @param addr the IPv4 address to bind, dotted
 * @param port_text the port, in decimal
 * @return the socket, or -1 after printing why on stderr.
 */
static int open_bound(const char *addr, const char *port_text)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) {
        perror("udp_sink: socket");
        return -1;
    }
    struct sockaddr_in here;
    memset(&here, 0, sizeof here);
    here.sin_family = AF_INET;
    here.sin_port = htons((unsigned short)atoi(port_text));
    if (inet_pton(AF_INET, addr, &here.sin_addr) != 1) {
        fprintf(stderr, "udp_sink: bad address %s\n", addr);
        close(s);
        return -1;
    }
    if (bind(s, (struct sockaddr *)&here, sizeof here) != 0) {
        perror("udp_sink: bind");
        close(s);
        return -1;
    }
    return s;
}

/**
 * @brief Save one datagram to DIR/i.bin.
 * @param dir the directory
 * @param i the datagram's number, from 1
 * @param bytes the datagram's bytes
 * @param n how many
 * @return 0, or -1 with errno set.
 */
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

/**
 * @brief Sleep @p ms milliseconds (the peer paces its strays; tests never sleep).
 * @param ms how long
 */
static void pause_ms(long ms)
{
    struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        continue;
}

/**
 * @brief Send the stray datagram to @p peer from a socket of its own, once.
 * @param opt what to send
 * @param peer where the datagram came from
 * @param plen the length of @p peer
 */
static void send_stray(const struct options *opt, const struct sockaddr_in *peer, socklen_t plen)
{
    int other = socket(AF_INET, SOCK_DGRAM, 0);
    if (other >= 0 && opt->stray_from != NULL) {
        struct sockaddr_in from;
        memset(&from, 0, sizeof from);
        from.sin_family = AF_INET;
        from.sin_port = htons(opt->port);
        if (inet_pton(AF_INET, opt->stray_from, &from.sin_addr) != 1 ||
            bind(other, (struct sockaddr *)&from, sizeof from) != 0)
            perror("udp_sink: stray bind");
    }
    if (other < 0 ||
        sendto(other, stray_bytes, (size_t)opt->stray_len, 0, (const struct sockaddr *)peer, plen) < 0)
        perror("udp_sink: stray sendto");
    if (other >= 0)
        close(other);
}

/**
 * @brief After a datagram from @p peer: the stray datagram(s), then the reply, if asked for.
 * @param s the bound socket (the reply comes from it)
 * @param opt what to send
 * @param peer where the datagram came from
 * @param plen the length of @p peer
 */
static void answer(int s, const struct options *opt, const struct sockaddr_in *peer, socklen_t plen)
{
    long start = clock_ms();
    if (opt->stray_len >= 0) {
        if (opt->after_ms > 0)
            pause_ms(opt->after_ms);
        send_stray(opt, peer, plen);
        while (opt->every_ms > 0 && clock_ms() - start + opt->every_ms <= opt->until_ms) {
            pause_ms(opt->every_ms);
            send_stray(opt, peer, plen);
        }
    }
    long wait = start + opt->reply_after_ms - clock_ms();
    if (opt->reply_len >= 0 && wait > 0)
        pause_ms(wait);
    if (opt->reply_len >= 0 &&
        sendto(s, reply_bytes, (size_t)opt->reply_len, 0, (const struct sockaddr *)peer, plen) < 0)
        perror("udp_sink: reply sendto");
}

/**
 * @brief Receive, keep and announce datagram number @p i, waiting until @p deadline.
 * @param s the bound socket
 * @param dir where to keep it
 * @param i its number, from 1
 * @param deadline the clock_ms() time to give up at
 * @param opt what to answer
 * @return 0, or -1 after printing why on stderr.
 */
static int receive_one(int s, const char *dir, int i, long deadline, const struct options *opt)
{
    struct pollfd p = {.fd = s, .events = POLLIN};
    long left = deadline - clock_ms();
    if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
        fprintf(stderr, "udp_sink: only %d of %ld datagrams within %ld ms\n", i - 1, opt->count, opt->ms);
        return -1;
    }
    struct sockaddr_in peer;
    socklen_t plen = sizeof peer;
    ssize_t n = recvfrom(s, incoming, sizeof incoming, 0, (struct sockaddr *)&peer, &plen);
    if (n < 0 || save(dir, i, incoming, n) != 0) {
        perror("udp_sink: recvfrom/save");
        return -1;
    }
    char ip[INET_ADDRSTRLEN] = "?";
    inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
    printf("%d %zd %s:%u\n", i, n, ip, ntohs(peer.sin_port));
    fflush(stdout); /* the test waits for this line */
    answer(s, opt, &peer, plen);
    return 0;
}

int main(int argc, char **argv)
{
    struct options opt;
    if (argc < 3) {
        fprintf(stderr, "usage: udp_sink PORT DIR [--count N] [--ms MS] [--bind ADDR] [--stray SPEC [--strays EVERY:UNTIL]\n"
                        "       [--stray-after MS] [--stray-from ADDR]] [--reply SPEC [--reply-after MS]]\n");
        return 2;
    }
    if (parse_options(argc, argv, &opt) != 0)
        return 2;
    opt.port = (unsigned short)atoi(argv[1]);
    int s = open_bound(opt.bind_addr, argv[1]);
    if (s < 0)
        return 1;
    long deadline = clock_ms() + opt.ms;
    int result = 0;
    for (int i = 1; i <= opt.count && result == 0; i++)
        result = receive_one(s, argv[2], i, deadline, &opt) == 0 ? 0 : 1;
    close(s);
    return result;
}
