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
 *
 * STARTER: this file compiles and runs, but its socket work is a TODO, so the
 * tests fail at first. That is expected. Fill in the TODOs in the order of the
 * lesson's sections, and run `make check LESSON=04` after each one.
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
    /* TODO (lesson section 3): create a TCP socket: socket(AF_INET, SOCK_STREAM, 0).
     * TODO (lesson section 8): set SO_REUSEADDR to 1 with setsockopt(), before bind().
     * TODO (lesson section 3): bind() it to a struct sockaddr_in holding AF_INET,
     *   htons(port) and htonl(INADDR_ANY); then listen(listen_fd, BACKLOG).
     * Set `what` to the name of each call before you make it, and `goto fail` if it
     * returns -1, so that the error message names the call that failed. */
    int listen_fd = -1;
    errno = ENOSYS;
    goto fail;

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
    /* TODO (lesson section 5): call recv(conn_fd, buf + used, size - used, 0) in a loop
     * until the bytes that arrived hold a '\n' (memchr helps); return the length of the
     * message before that '\n'.
     * - recv() returning 0 is the client's end of stream: return what came so far.
     *   If nothing came at all (lesson section 6; not even a '\n'), there is no message: print
     *   "server: PEER: closed without sending a message" and return -1.
     * - recv() failing with EINTR: just call it again.
     * - EAGAIN or EWOULDBLOCK (lesson section 6): the receive timeout expired; print
     *   "server: PEER: nothing received for N s" and return -1.
     * - any other error: print "server: PEER: recv: <strerror>" and return -1.
     * - the buffer is full and no '\n' came: print
     *   "server: PEER: message longer than 4096 bytes" and return -1. */
    (void)conn_fd;
    (void)buf;
    (void)size;
    (void)timeout_s;
    errno = ENOSYS;
    fprintf(stderr, "server: %s: recv: %s\n", peer, strerror(errno));
    return -1;
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
    /* TODO (lesson section 5): call send(fd, buf, len, MSG_NOSIGNAL) until all len bytes
     * are sent: send() may take fewer than asked, so go on from where it stopped, and
     * call it again after EINTR. MSG_NOSIGNAL (lesson section 6) turns SIGPIPE into EPIPE. */
    (void)fd;
    (void)buf;
    (void)len;
    errno = ENOSYS;
    return -1;
}

/**
 * @brief Make recv() on @p fd give up with EAGAIN after @p seconds of silence.
 * @param fd the connected socket
 * @param seconds how long one recv() may wait
 * @return 0, or -1 with errno set.
 */
static int set_receive_timeout(int fd, int seconds)
{
    /* TODO (lesson section 6): setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, ...) with a
     * struct timeval of `seconds` seconds, and return what setsockopt returns.
     * Until you do, this does nothing, and a silent client blocks the server forever. */
    (void)fd;
    (void)seconds;
    return 0;
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
    printf("from %s: %.*s\n", peer, (int)len, message);
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
    /* TODO (lesson section 3): accept() the next connection on listen_fd, asking for the
     * client's address in peer_addr/peer_len. Call it again when it fails with EINTR
     * or ECONNABORTED (a client that gave up while waiting in the queue). */
    (void)listen_fd;
    (void)peer_len;
    memset(&peer_addr, 0, sizeof peer_addr);
    int conn_fd = -1;
    errno = ENOSYS;
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

    /* TODO (lesson section 7): with -k (opt.keep_going), serve the next client, and the
     * next, until accept() itself fails (ACCEPT_FAILED); a client that failed
     * (CLIENT_FAILED) does not stop us. */
    enum outcome result = accept_and_serve(listen_fd, opt.timeout_s);

    if (close(listen_fd) == -1) {
        fprintf(stderr, "server: close: %s\n", strerror(errno));
        return 1;
    }
    return result == SERVED ? 0 : 1;
}
