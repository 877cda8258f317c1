/**
 * @file tcp_client.c
 * @brief Test peer: a TCP client whose bad manners the test chooses.
 *
 *     tcp_client HOST PORT [options]
 *       --send TEXT       bytes to send (default: nothing); --send-file F: the bytes of F
 *       --chunk N         send N bytes at a time (default: all at once)
 *       --pause-ms MS     pause between chunks (default 0)
 *       --keep-open       do not shut down our writing side after sending (default: shutdown(SHUT_WR))
 *       --close-now       close right after connecting: send nothing, read nothing
 *       --hold-ms MS      after sending, wait MS before reading (a client that stalls)
 *       --read-max N      read at most N bytes, then close with unread data (vanish mid-transfer)
 *       --idle-ms MS      give up when nothing arrives for MS (default 5000): exit 3
 *       --say-port        once connected, say our own port on stderr: "tcp_client: local port N"
 *       --linger-ms MS    at the server's end of stream, say so on stderr ("tcp_client: end of
 *                         stream"), then keep the socket open MS before closing (a client that
 *                         has read everything and is slow to close)
 *       --out F           write what arrives to F (default: standard output)
 *
 * On stderr, one last line: "tcp_client: sent S bytes, received R bytes, <how it ended>".
 * A send that fails after some bytes left does not stop it from reading what arrived.
 * Exit status: 0 when the server closed the connection, 1 on an error (a failed send too), 2 usage, 3 idle timeout,
 * 4 when --read-max stopped us. It shares no code with the lab's solutions.
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/** @brief What the command line asked for. */
struct options {
    const char *host, *port, *text, *send_file, *out_file;
    long chunk, pause_ms, hold_ms, read_max, idle_ms, linger_ms;
    int keep_open, close_now, say_port;
};

/** @brief Sleep @p ms milliseconds, even if a signal interrupts. */
static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/** @brief Print the usage lines on stderr. @return 2, the usage exit status. */
static int usage(void)
{
    fprintf(stderr, "usage: tcp_client HOST PORT [--send TEXT | --send-file F] [--chunk N] [--pause-ms MS]\n"
                    "       [--keep-open] [--close-now] [--hold-ms MS] [--read-max N] [--idle-ms MS] [--linger-ms MS]\n"
                    "       [--say-port] [--out F]\n");
    return 2;
}

/** @brief Fill @p o from the command line. @return 0, or -1 on a usage error. */
static int parse(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof *o);
    o->idle_ms = 5000;
    o->read_max = -1;
    if (argc < 3)
        return -1;
    o->host = argv[1];
    o->port = argv[2];
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--keep-open") == 0)
            o->keep_open = 1;
        else if (strcmp(a, "--close-now") == 0)
            o->close_now = 1;
        else if (strcmp(a, "--say-port") == 0)
            o->say_port = 1;
        else if (v == NULL)
            return -1;
        else if (strcmp(a, "--send") == 0)
            o->text = v, i++;
        else if (strcmp(a, "--send-file") == 0)
            o->send_file = v, i++;
        else if (strcmp(a, "--out") == 0)
            o->out_file = v, i++;
        else if (strcmp(a, "--chunk") == 0)
            o->chunk = atol(v), i++;
        else if (strcmp(a, "--pause-ms") == 0)
            o->pause_ms = atol(v), i++;
        else if (strcmp(a, "--hold-ms") == 0)
            o->hold_ms = atol(v), i++;
        else if (strcmp(a, "--read-max") == 0)
            o->read_max = atol(v), i++;
        else if (strcmp(a, "--idle-ms") == 0)
            o->idle_ms = atol(v), i++;
        else if (strcmp(a, "--linger-ms") == 0)
            o->linger_ms = atol(v), i++;
        else
            return -1;
    }
    return 0;
}

/** @brief Read all of file @p path into a new buffer. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(buf, cap *= 2);
            if (bigger == NULL)
                free(buf);
            buf = bigger;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

/** @brief Connect to IPv4 @p host, @p port. @return the connected socket, or -1 (said on stderr). */
static int connect_to(const char *host, const char *port)
{
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)atoi(port));
    if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
        fprintf(stderr, "tcp_client: bad IPv4 address %s\n", host);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd == -1 || connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
        fprintf(stderr, "tcp_client: connect %s:%s: %s\n", host, port, strerror(errno));
        if (fd != -1)
            close(fd);
        return -1;
    }
    return fd;
}

/**
 * @brief Send @p len bytes in chunks, pausing between them.
 * @param fd the connected socket
 * @param buf the bytes
 * @param len how many
 * @param o the options (chunk, pause)
 * @param failed set to 1 if a send failed (the reason is on stderr)
 * @return the bytes sent before it stopped.
 */
static long send_paced(int fd, const char *buf, size_t len, const struct options *o, int *failed)
{
    size_t sent = 0;
    while (sent < len) {
        size_t piece = len - sent;
        if (o->chunk > 0 && (size_t)o->chunk < piece)
            piece = (size_t)o->chunk;
        ssize_t n = send(fd, buf + sent, piece, MSG_NOSIGNAL);
        if (n == -1) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "tcp_client: send: %s\n", strerror(errno));
            *failed = 1;
            return (long)sent;
        }
        sent += (size_t)n;
        if (sent < len && o->pause_ms > 0)
            pause_ms(o->pause_ms);
    }
    return (long)sent;
}

int main(int argc, char **argv)
{
    struct options o;
    if (parse(argc, argv, &o) == -1)
        return usage();
    signal(SIGPIPE, SIG_IGN);

    size_t len = 0;
    char *payload = NULL;
    if (o.send_file != NULL && (payload = slurp(o.send_file, &len)) == NULL) {
        fprintf(stderr, "tcp_client: %s: %s\n", o.send_file, strerror(errno));
        return 1;
    }
    if (o.text != NULL) {
        free(payload); /* --send wins over --send-file */
        len = strlen(o.text);
        payload = malloc(len + 1);
        if (payload == NULL)
            return 1;
        memcpy(payload, o.text, len + 1);
    }

    int fd = connect_to(o.host, o.port);
    if (fd == -1) {
        free(payload);
        return 1;
    }
    struct sockaddr_in me;
    socklen_t me_len = sizeof me;
    if (o.say_port && getsockname(fd, (struct sockaddr *)&me, &me_len) == 0)
        fprintf(stderr, "tcp_client: local port %u\n", (unsigned)ntohs(me.sin_port));
    if (o.close_now) {
        close(fd);
        free(payload);
        fprintf(stderr, "tcp_client: sent 0 bytes, received 0 bytes, closed at once\n");
        return 0;
    }

    int send_failed = 0;
    long sent = send_paced(fd, payload != NULL ? payload : "", len, &o, &send_failed);
    free(payload);
    /* a send that failed after some bytes left (the server closed early): still read its reply */
    if (send_failed && sent == 0) {
        close(fd);
        return 1;
    }
    if (!o.keep_open)
        shutdown(fd, SHUT_WR);
    if (o.hold_ms > 0)
        pause_ms(o.hold_ms);

    int out = STDOUT_FILENO;
    if (o.out_file != NULL && (out = open(o.out_file, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1) {
        fprintf(stderr, "tcp_client: %s: %s\n", o.out_file, strerror(errno));
        close(fd);
        return 1;
    }

    long received = 0;
    int status = 0;
    const char *how = "closed by the server";
    char buf[65536];
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        int ready = poll(&p, 1, (int)o.idle_ms);
        if (ready == 0) {
            how = "gave up: nothing arrived for --idle-ms", status = 3;
            break;
        }
        size_t want = sizeof buf;
        if (o.read_max >= 0 && (size_t)(o.read_max - received) < want)
            want = (size_t)(o.read_max - received);
        if (o.read_max >= 0 && want == 0) {
            how = "stopped reading at --read-max and closed", status = 4;
            break;
        }
        ssize_t n = recv(fd, buf, want, 0);
        if (n == 0) {
            if (o.linger_ms > 0) {
                fprintf(stderr, "tcp_client: end of stream\n");
                pause_ms(o.linger_ms);
            }
            break;
        }
        if (n == -1) {
            if (errno == EINTR)
                continue;
            how = strerror(errno), status = 1;
            break;
        }
        if (write(out, buf, (size_t)n) != n) {
            how = "could not write what arrived", status = 1;
            break;
        }
        received += n;
    }
    close(fd);
    if (out != STDOUT_FILENO)
        close(out);
    fprintf(stderr, "tcp_client: sent %ld bytes, received %ld bytes, %s\n", sent, received, how);
    return send_failed && status == 0 ? 1 : status;
}
