/**
 * @file server.c
 * @brief Lesson 04 (TCP): a TCP server that reads one line from each client,
 *        prints it with the client's address and answers "thank you !".
 *
 * Usage: server [-k] [-t SECONDS] [PORT]
 *
 *   PORT        the TCP port to listen on, on every local address (default 7788)
 *   -k          keep going: serve clients one after another until killed;
 *               without -k the server serves one client and exits
 *   -t SECONDS  give up on a client that sends nothing for SECONDS (default 5)
 *
 * It prints "listening on port PORT", then for each client one line
 * "from ADDR:PORT: MESSAGE", replies "thank you !\n" and closes the connection.
 * A message is one line: the bytes up to the first "\n", or up to the client's
 * end of stream if no "\n" came; at most 4096 bytes. Problems with one client
 * go to stderr as "server: ADDR:PORT: what". Without -k the exit status is 0
 * when the client got its reply, 1 otherwise. See lessons/04-tcp/README.md.
 */
#define _DEFAULT_SOURCE /* getopt, inet_ntop, struct timeval: POSIX, not plain C11 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define DEFAULT_PORT 7788
#define BACKLOG 128      /* as in the syllabus: how many finished handshakes may wait for accept() */
#define MAX_MESSAGE 4096 /* longest message we accept, its "\n" included */
#define REPLY "thank you !\n"

/** @brief How the conversation with one client ended. */
enum outcome {
    SERVED = 0,         /**< the client got its reply */
    CLIENT_FAILED = -1, /**< this client failed; the next one may do better */
    ACCEPT_FAILED = -2, /**< accept() failed: the listening socket is unusable */
};

/** @brief What the command line asked for. */
struct options {
    int port;       /**< TCP port to listen on */
    int keep_going; /**< -k: serve clients forever instead of one */
    int timeout_s;  /**< -t: seconds a client may stay silent */
};

/** @brief Print the usage line on stderr and return the usage exit status, 2. */
static int usage(void)
{
    fprintf(stderr, "usage: server [-k] [-t SECONDS] [PORT]\n");
    return 2;
}

/**
 * @brief Parse a decimal number in [@p min, @p max].
 * @param text the command-line word to parse
 * @param min the smallest value allowed
 * @param max the largest value allowed
 * @return the number, or -1 if @p text is not one in that range.
 */
static long parse_number(const char *text, long min, long max)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < min || value > max)
        return -1;
    return value;
}

/**
 * @brief Fill @p opt from the command line.
 * @param argc the argument count, as main() got it
 * @param argv the arguments, as main() got them
 * @param opt where the options go
 * @return 0, or -1 on a usage error.
 */
static int parse_options(int argc, char **argv, struct options *opt)
{
    opt->port = DEFAULT_PORT;
    opt->keep_going = 0;
    opt->timeout_s = 5;
    int c;
    opterr = 0; /* no message of getopt's own: our usage line says it all */
    while ((c = getopt(argc, argv, "kt:")) != -1) {
        if (c == 'k')
            opt->keep_going = 1;
        else if (c == 't')
            opt->timeout_s = (int)parse_number(optarg, 1, 3600);
        else
            return -1; /* an unknown option, or -t without its number */
        if (opt->timeout_s == -1)
            return -1;
    }
    if (argc - optind > 1)
        return -1;
    if (argc - optind == 1 && (opt->port = (int)parse_number(argv[optind], 1, 65535)) == -1)
        return -1;
    return 0;
}

/**
 * @brief Create the listening socket: socket, SO_REUSEADDR, bind, listen.
 *
 * SO_REUSEADDR lets us bind the port while connections of a previous run are
 * still in TIME_WAIT; without it a restarted server fails with EADDRINUSE.
 * @param port the TCP port to listen on, on every local address
 * @return the listening socket, or -1 after printing why.
 */
static int open_listener(int port)
{
    const char *what = "socket";
    int one = 1;
    int listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd == -1)
        goto fail;
    what = "setsockopt";
    if (setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1)
        goto fail;

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_ANY); /* every local address, like '' in Python */
    what = "bind";
    if (bind(listen_fd, (struct sockaddr *)&addr, sizeof addr) == -1)
        goto fail;
    what = "listen";
    if (listen(listen_fd, BACKLOG) == -1)
        goto fail;
    return listen_fd;

fail:
    fprintf(stderr, "server: %s (port %d): %s\n", what, port, strerror(errno));
    if (listen_fd != -1)
        close(listen_fd);
    return -1;
}

/**
 * @brief Format an IPv4 address and port as "127.0.0.1:54321" into @p out.
 * @param peer the address accept() filled in
 * @param out where the text goes, always '\0'-terminated
 * @param size the size of @p out: INET_ADDRSTRLEN + 8 is enough
 */
static void format_peer(const struct sockaddr_in *peer, char *out, size_t size)
{
    char host[INET_ADDRSTRLEN];
    if (inet_ntop(AF_INET, &peer->sin_addr, host, sizeof host) == NULL)
        snprintf(host, sizeof host, "?");
    snprintf(out, size, "%s:%u", host, ntohs(peer->sin_port));
}

/**
 * @brief Receive one message: keep calling recv() until a "\n" arrives or the
 *        client shuts down its writing side.
 *
 * TCP delivers a byte stream: the line may come in one piece or in ten, so one
 * recv() is never enough. The socket's receive timeout (SO_RCVTIMEO) makes a
 * silent client fail with EAGAIN instead of blocking us forever.
 * @param conn_fd the connected socket
 * @param buf where the bytes go; the message is its first bytes
 * @param size the size of @p buf: the longest message, its "\n" included
 * @param peer the client's "ADDR:PORT", for the messages on stderr
 * @param timeout_s the receive timeout set on @p conn_fd, for the message on stderr
 * @return the message length, its "\n" not counted (0 for an empty line), or
 *         -1 after printing why on stderr (a client that closed without sending
 *         a byte included).
 */
static long receive_message(int conn_fd, char *buf, size_t size, const char *peer, int timeout_s)
{
    size_t used = 0;
    for (;;) {
        if (used == size) {
            fprintf(stderr, "server: %s: message longer than %zu bytes\n", peer, size - 1); /* its "\n" not counted */
            return -1;
        }
        ssize_t n = recv(conn_fd, buf + used, size - used, 0);
        if (n == 0 && used == 0) {
            /* a FIN before any byte: no message at all (not even an empty line) */
            fprintf(stderr, "server: %s: closed without sending a message\n", peer);
            return -1;
        }
        if (n == 0)
            return (long)used; /* end of stream: what came so far is the message */
        if (n == -1) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                fprintf(stderr, "server: %s: nothing received for %d s\n", peer, timeout_s);
            else
                fprintf(stderr, "server: %s: recv: %s\n", peer, strerror(errno));
            return -1;
        }
        char *newline = memchr(buf + used, '\n', (size_t)n);
        used += (size_t)n;
        if (newline != NULL)
            return (long)(newline - buf); /* anything after the newline is ignored */
    }
}

/**
 * @brief Send all @p len bytes of @p buf, however many send() calls it takes.
 *
 * send() may take fewer bytes than asked; we go on from where it stopped.
 * MSG_NOSIGNAL: if the client is gone, fail with EPIPE instead of being
 * killed by SIGPIPE.
 * @param fd the connected socket
 * @param buf the bytes to send
 * @param len how many bytes
 * @return 0, or -1 with errno set.
 */
static int send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n == -1) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/**
 * @brief Make recv() on @p fd give up with EAGAIN after @p seconds of silence.
 * @param fd the connected socket
 * @param seconds how long one recv() may wait
 * @return 0, or -1 with errno set.
 */
static int set_receive_timeout(int fd, int seconds)
{
    struct timeval tv = {.tv_sec = seconds, .tv_usec = 0};
    return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

/**
 * @brief Talk to one connected client: read its message, print it, reply.
 *
 * The caller closes @p conn_fd afterwards.
 * @param conn_fd the connected socket
 * @param peer the client's "ADDR:PORT", for the lines we print
 * @param timeout_s how long one recv() may wait, in seconds
 * @return 0 if the client got its reply, -1 if not (the reason is on stderr).
 */
static int serve_client(int conn_fd, const char *peer, int timeout_s)
{
    char message[MAX_MESSAGE];
    if (set_receive_timeout(conn_fd, timeout_s) == -1) {
        fprintf(stderr, "server: %s: setsockopt(SO_RCVTIMEO): %s\n", peer, strerror(errno));
        return -1;
    }
    long len = receive_message(conn_fd, message, sizeof message, peer, timeout_s);
    if (len == -1)
        return -1;
    printf("from %s: ", peer);
    fwrite(message, 1, (size_t)len, stdout); /* every byte as it came, a NUL or a \r too (not %s) */
    putchar('\n');
    fflush(stdout); /* one line per client, visible at once even when stdout is a file */
    if (send_all(conn_fd, REPLY, strlen(REPLY)) == -1) {
        fprintf(stderr, "server: %s: send: %s\n", peer, strerror(errno));
        return -1;
    }
    return 0;
}

/**
 * @brief Wait for the next client and serve it.
 * @param listen_fd the listening socket
 * @param timeout_s how long one recv() may wait, in seconds
 * @return SERVED, CLIENT_FAILED, or ACCEPT_FAILED.
 */
static enum outcome accept_and_serve(int listen_fd, int timeout_s)
{
    struct sockaddr_in peer_addr;
    socklen_t peer_len = sizeof peer_addr;
    int conn_fd;
    do
        conn_fd = accept(listen_fd, (struct sockaddr *)&peer_addr, &peer_len);
    while (conn_fd == -1 && (errno == EINTR || errno == ECONNABORTED));
    if (conn_fd == -1) {
        fprintf(stderr, "server: accept: %s\n", strerror(errno));
        return ACCEPT_FAILED;
    }
    char peer[INET_ADDRSTRLEN + 8];
    format_peer(&peer_addr, peer, sizeof peer);
    enum outcome result = serve_client(conn_fd, peer, timeout_s) == 0 ? SERVED : CLIENT_FAILED;
    if (close(conn_fd) == -1) { /* sends our FIN: the client's recv() returns 0 */
        fprintf(stderr, "server: %s: close: %s\n", peer, strerror(errno));
        result = CLIENT_FAILED;
    }
    return result;
}

/** @brief Listen, then serve one client (or, with -k, one after another). @return the exit status. */
int main(int argc, char **argv)
{
    struct options opt;
    if (parse_options(argc, argv, &opt) == -1)
        return usage();

    int listen_fd = open_listener(opt.port);
    if (listen_fd == -1)
        return 1;
    printf("listening on port %d\n", opt.port);
    fflush(stdout);

    enum outcome result;
    do
        result = accept_and_serve(listen_fd, opt.timeout_s);
    while (opt.keep_going && result != ACCEPT_FAILED); /* with -k, a failed client does not stop us */

    if (close(listen_fd) == -1) {
        fprintf(stderr, "server: close: %s\n", strerror(errno));
        return 1;
    }
    return result == SERVED ? 0 : 1;
}
