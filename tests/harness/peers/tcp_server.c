/**
 * @file tcp_server.c
 * @brief Test peer: a TCP server that answers in whatever pieces the test chooses.
 *
 *     tcp_server PORT [options]
 *       --reply TEXT       what to send each client (default: nothing); --reply-file F: the bytes of F
 *       --chunk N          send N bytes at a time (default: all at once)
 *       --pause-ms MS      pause between chunks (default 0)
 *       --until RULE       what to read before replying: "line" (up to and including a newline, or
 *                          end of file), "eof" (until the client shuts down its writing side),
 *                          "nothing" (reply at once). Default: line.
 *       --save F           write what the client sent to F
 *       --clients N        serve N clients one after another, then exit (default 1)
 *       --idle-ms MS       give up on a client that sends nothing for MS (default 5000)
 *       --accept-ms MS     exit (status 3) when no client comes for MS (default 60000: a test's program
 *                          may be slow to start on a loaded machine; teardown ends the peer anyway)
 *       --reset yes        after the reply, abort the connection with an RST (SO_LINGER 0), not a FIN
 *       --ipv6 yes         listen on the IPv6 loopback, ::1, instead of 127.0.0.1
 *
 * It binds 127.0.0.1:PORT (or [::1]:PORT) with SO_REUSEADDR and listens; a test waits for the port. For each client
 * it prints on stdout "client sent N bytes" and closes. It shares no code with the lab's solutions.
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
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
    const char *port, *text, *reply_file, *until, *save, *reset, *ipv6;
    long chunk, pause_ms, clients, idle_ms, accept_ms;
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
    fprintf(stderr, "usage: tcp_server PORT [--reply TEXT | --reply-file F] [--chunk N] [--pause-ms MS]\n"
                    "       [--until line|eof|nothing] [--save F] [--clients N] [--idle-ms MS] [--accept-ms MS]\n"
                    "       [--reset yes] [--ipv6 yes]\n");
    return 2;
}

/** @brief Fill @p o from the command line. @return 0, or -1 on a usage error. */
static int parse(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof *o);
    o->until = "line";
    o->clients = 1;
    o->idle_ms = 5000;
    o->accept_ms = 60000;
    if (argc < 2)
        return -1;
    o->port = argv[1];
    for (int i = 2; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        if (strcmp(a, "--reply") == 0)
            o->text = v;
        else if (strcmp(a, "--reply-file") == 0)
            o->reply_file = v;
        else if (strcmp(a, "--chunk") == 0)
            o->chunk = atol(v);
        else if (strcmp(a, "--pause-ms") == 0)
            o->pause_ms = atol(v);
        else if (strcmp(a, "--until") == 0)
            o->until = v;
        else if (strcmp(a, "--save") == 0)
            o->save = v;
        else if (strcmp(a, "--clients") == 0)
            o->clients = atol(v);
        else if (strcmp(a, "--idle-ms") == 0)
            o->idle_ms = atol(v);
        else if (strcmp(a, "--accept-ms") == 0)
            o->accept_ms = atol(v);
        else if (strcmp(a, "--reset") == 0)
            o->reset = v;
        else if (strcmp(a, "--ipv6") == 0)
            o->ipv6 = v;
        else
            return -1;
    }
    return argc % 2 == 0 ? 0 : -1;
}

/** @brief Read what the client sends, by the --until rule; save it if asked. @return bytes read. */
static long read_request(int fd, const struct options *o)
{
    FILE *save = o->save != NULL ? fopen(o->save, "wb") : NULL;
    long total = 0;
    int by_line = strcmp(o->until, "line") == 0;
    if (strcmp(o->until, "nothing") != 0) {
        char c[4096];
        for (;;) {
            struct pollfd p = {fd, POLLIN, 0};
            if (poll(&p, 1, (int)o->idle_ms) <= 0)
                break;
            /* by line: look at what came (MSG_PEEK) and take it up to the newline, no further;
             * one byte per call would cost thousands of calls for a long line */
            size_t want = sizeof c;
            if (by_line) {
                ssize_t seen = recv(fd, c, sizeof c, MSG_PEEK);
                if (seen <= 0)
                    break;
                char *nl = memchr(c, '\n', (size_t)seen);
                want = nl != NULL ? (size_t)(nl - c) + 1 : (size_t)seen;
            }
            ssize_t n = recv(fd, c, want, 0);
            if (n <= 0)
                break;
            total += n;
            if (save != NULL)
                fwrite(c, 1, (size_t)n, save);
            if (by_line && c[n - 1] == '\n')
                break;
        }
    }
    if (save != NULL)
        fclose(save);
    return total;
}

/** @brief Send the reply in chunks, pausing between them. */
static void send_reply(int fd, const char *buf, size_t len, const struct options *o)
{
    size_t sent = 0;
    while (sent < len) {
        size_t piece = len - sent;
        if (o->chunk > 0 && (size_t)o->chunk < piece)
            piece = (size_t)o->chunk;
        ssize_t n = send(fd, buf + sent, piece, MSG_NOSIGNAL);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1) {
            fprintf(stderr, "tcp_server: send: %s\n", strerror(errno));
            return;
        }
        sent += (size_t)n;
        if (sent < len && o->pause_ms > 0)
            pause_ms(o->pause_ms);
    }
}

/** @brief The reply's bytes (--reply or --reply-file) in a new buffer, its size in @p len. NULL on error. */
static char *load_reply(const struct options *o, size_t *len)
{
    if (o->reply_file == NULL) {
        const char *t = o->text != NULL ? o->text : "";
        *len = strlen(t);
        return strdup(t);
    }
    FILE *f = fopen(o->reply_file, "rb");
    if (f == NULL)
        return NULL;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (size < 0) {
        fclose(f);
        return NULL;
    }
    rewind(f);
    char *buf = malloc(size > 0 ? (size_t)size : 1);
    if (buf != NULL && fread(buf, 1, (size_t)size, f) != (size_t)size) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)size;
    return buf;
}

/** @brief A socket listening on 127.0.0.1:@p port (::1 with @p ipv6), with SO_REUSEADDR. @return it, or -1 (said on stderr). */
static int listen_on(const char *port, int ipv6)
{
    int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    int one = 1;
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
    memset(&sin, 0, sizeof sin);
    memset(&sin6, 0, sizeof sin6);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)atoi(port));
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = sin.sin_port;
    sin6.sin6_addr = in6addr_loopback;
    struct sockaddr *sa = ipv6 ? (struct sockaddr *)&sin6 : (struct sockaddr *)&sin;
    socklen_t len = ipv6 ? sizeof sin6 : sizeof sin;
    if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1 ||
        bind(fd, sa, len) == -1 || listen(fd, 16) == -1) {
        fprintf(stderr, "tcp_server: port %s: %s\n", port, strerror(errno));
        if (fd != -1)
            close(fd);
        return -1;
    }
    return fd;
}

int main(int argc, char **argv)
{
    struct options o;
    if (parse(argc, argv, &o) == -1)
        return usage();
    signal(SIGPIPE, SIG_IGN);
    size_t len;
    char *reply = load_reply(&o, &len);
    if (reply == NULL) {
        fprintf(stderr, "tcp_server: cannot load the reply: %s\n", strerror(errno));
        return 1;
    }
    int listen_fd = listen_on(o.port, o.ipv6 != NULL && strcmp(o.ipv6, "yes") == 0);
    if (listen_fd == -1) {
        free(reply);
        return 1;
    }
    int status = 0;
    for (long served = 0; served < o.clients; served++) {
        struct pollfd p = {listen_fd, POLLIN, 0};
        if (poll(&p, 1, (int)o.accept_ms) == 0) { /* a peer exits on its own: no client came */
            fprintf(stderr, "tcp_server: no client within %ld ms\n", o.accept_ms);
            status = 3;
            break;
        }
        int conn_fd = accept(listen_fd, NULL, NULL);
        if (conn_fd == -1) {
            fprintf(stderr, "tcp_server: accept: %s\n", strerror(errno));
            break;
        }
        long got = read_request(conn_fd, &o);
        send_reply(conn_fd, reply, len, &o);
        if (o.reset != NULL) { /* linger on, 0 seconds: close() throws the connection away with an RST */
            struct linger abort_now = {.l_onoff = 1, .l_linger = 0};
            if (setsockopt(conn_fd, SOL_SOCKET, SO_LINGER, &abort_now, sizeof abort_now) == -1)
                perror("tcp_server: setsockopt(SO_LINGER)");
        }
        close(conn_fd);
        printf("client sent %ld bytes\n", got);
        fflush(stdout);
    }
    close(listen_fd);
    free(reply);
    return status;
}
