/**
 * @file dl_stall.c
 * @brief Test peer (lesson 05): a download client that stops reading halfway, and says when.
 *
 *     dl_stall HOST PORT [options]
 *       --request TEXT   bytes to send after connecting, as given (default: nothing)
 *       --wait-ms MS     wait MS milliseconds after connecting before the request's first byte
 *       --drip-ms MS     send the request one byte every MS milliseconds, and stop sending
 *                        as soon as the server's reply begins (default 0: all at once)
 *       --read N         read N bytes of the reply (default 0), then ...
 *       --stall-ms MS    ... read nothing for MS milliseconds (default 0), then read to the end
 *       --idle-ms MS     give up when nothing arrives for MS while reading (default 5000): exit 3
 *       --out F          write every byte received to F (default: discard)
 *
 * On stdout, each flushed as it happens: "connected", with --drip-ms "dripped S of R request
 * bytes" (S < R: the server answered before the whole request was sent), "read N bytes"
 * (when the first N bytes are in, before the stall), and at the end "received T bytes in all".
 * A test waits for "read N bytes" to know that the server is in the middle of a
 * transfer. Exit status: 0 when the server closed, 1 on an error, 2 usage, 3 idle timeout.
 * It shares no code with the lab's solutions.
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/** @brief What the command line asked for. */
struct options {
    const char *host, *port, *request, *out;
    long wait_ms, drip_ms, read_first, stall_ms, idle_ms;
};

/** @brief Print the usage line. @return 2, the usage exit status. */
static int usage(void)
{
    fprintf(stderr, "usage: dl_stall HOST PORT [--request TEXT] [--wait-ms MS] [--drip-ms MS] [--read N]\n"
                    "       [--stall-ms MS] [--idle-ms MS] [--out F]\n");
    return 2;
}

/**
 * @brief Read the command line into @p o.
 * @param argc, argv the command line
 * @param[out] o the options, defaults filled in
 * @return 0, or -1 when the command line is wrong
 */
static int parse(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof *o);
    o->idle_ms = 5000;
    if (argc < 3 || argc % 2 == 0)
        return -1;
    o->host = argv[1];
    o->port = argv[2];
    for (int i = 3; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        if (strcmp(a, "--request") == 0)
            o->request = v;
        else if (strcmp(a, "--drip-ms") == 0)
            o->drip_ms = atol(v);
        else if (strcmp(a, "--wait-ms") == 0)
            o->wait_ms = atol(v);
        else if (strcmp(a, "--read") == 0)
            o->read_first = atol(v);
        else if (strcmp(a, "--stall-ms") == 0)
            o->stall_ms = atol(v);
        else if (strcmp(a, "--idle-ms") == 0)
            o->idle_ms = atol(v);
        else if (strcmp(a, "--out") == 0)
            o->out = v;
        else
            return -1;
    }
    return 0;
}

/**
 * @brief Open a blocking IPv4 connection.
 * @param host an IPv4 address
 * @param port a port number
 * @return the connected socket, or -1 after a message
 */
static int dial(const char *host, const char *port)
{
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)atoi(port));
    if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
        fprintf(stderr, "dl_stall: not an IPv4 address: %s\n", host);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd == -1 || connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
        fprintf(stderr, "dl_stall: connect %s:%s: %s\n", host, port, strerror(errno));
        if (fd != -1)
            close(fd);
        return -1;
    }
    return fd;
}

/** @brief Sleep @p ms milliseconds, whatever signals arrive. @param ms how long */
static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/**
 * @brief Write the whole request at once.
 * @param fd the connected socket
 * @param text the request
 * @return 0, or -1 on an error
 */
static int send_text(int fd, const char *text)
{
    size_t len = strlen(text), done = 0;
    while (done < len) {
        ssize_t n = send(fd, text + done, len - done, MSG_NOSIGNAL);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

/**
 * @brief Send @p text one byte every @p ms milliseconds; stop as soon as the server answers.
 *
 * A server that waits for the whole request line with one deadline answers ("ERR timeout")
 * while we are still dripping; one that restarts its timer at every byte never does.
 * @param fd the connected socket
 * @param text the request
 * @param ms the pause after each byte
 * @return 0, or -1 on an error; prints "dripped S of R request bytes"
 */
static int drip_text(int fd, const char *text, long ms)
{
    size_t len = strlen(text), sent = 0;
    while (sent < len) {
        struct pollfd p = {fd, POLLIN, 0};
        int ready = poll(&p, 1, 0);
        if (ready == -1 && errno == EINTR)
            continue;
        if (ready != 0) /* the reply (or the end) has begun: stop talking */
            break;
        ssize_t n = send(fd, text + sent, 1, MSG_NOSIGNAL);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            return -1;
        sent++;
        pause_ms(ms);
    }
    printf("dripped %zu of %zu request bytes\n", sent, len);
    fflush(stdout);
    return 0;
}

/**
 * @brief Read until @p limit bytes in all (limit < 0: until the end), copying to @p out.
 * @param fd the connected socket
 * @param out where the bytes go (-1: nowhere)
 * @param limit how many bytes in all, or -1 for all
 * @param[in,out] total the bytes read so far
 * @param idle_ms how long to wait for the next byte
 * @return 0 at the limit or at the end, 1 on an error, 3 when nothing came for idle_ms.
 */
static int read_up_to(int fd, int out, long limit, long *total, long idle_ms)
{
    char buf[65536];
    while (limit < 0 || *total < limit) {
        struct pollfd p = {fd, POLLIN, 0};
        int ready = poll(&p, 1, (int)idle_ms);
        if (ready == 0)
            return 3;
        if (ready == -1 && errno == EINTR)
            continue;
        size_t want = sizeof buf;
        if (limit >= 0 && (size_t)(limit - *total) < want)
            want = (size_t)(limit - *total);
        ssize_t n = ready == -1 ? -1 : recv(fd, buf, want, 0);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            return 1;
        if (n == 0)
            return 0;
        if (out != -1 && write(out, buf, (size_t)n) != n)
            return 1;
        *total += n;
    }
    return 0;
}

/** @brief Connect, send, read, stall, read to the end. @return the exit status (see the banner). */
int main(int argc, char **argv)
{
    struct options o;
    if (parse(argc, argv, &o) == -1)
        return usage();
    int out = -1;
    if (o.out != NULL && (out = open(o.out, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1) {
        fprintf(stderr, "dl_stall: %s: %s\n", o.out, strerror(errno));
        return 1;
    }
    int fd = dial(o.host, o.port);
    if (fd == -1)
        return 1;
    printf("connected\n");
    fflush(stdout);
    int failed = 0;
    if (o.wait_ms > 0)
        pause_ms(o.wait_ms);
    if (o.request != NULL)
        failed = o.drip_ms > 0 ? drip_text(fd, o.request, o.drip_ms) : send_text(fd, o.request);
    if (failed) {
        fprintf(stderr, "dl_stall: send: %s\n", strerror(errno));
        return 1;
    }
    long total = 0;
    int status = read_up_to(fd, out, o.read_first, &total, o.idle_ms);
    if (status == 0) {
        printf("read %ld bytes\n", total);
        fflush(stdout);
        pause_ms(o.stall_ms);
        status = read_up_to(fd, out, -1, &total, o.idle_ms);
    }
    printf("received %ld bytes in all\n", total);
    close(fd);
    if (out != -1)
        close(out);
    return status;
}
