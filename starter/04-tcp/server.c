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
 * STARTER: this file compiles and runs, and fails the tests until you write the
 * TODOs: that is expected. The command line, the usage line and the formatting of
 * the client's address are done; the socket work is yours. Each TODO says what
 * must hold and which section of the lesson explains it; the function's comment
 * is its contract. Stuck? `make hint LESSON=04`. Check with `make check LESSON=04`.
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
#define BACKLOG 128      /* as in the syllabus: how many finished handshakes may wait to be accepted */
#define MAX_MESSAGE 4096 /* longest message we accept, its "\n" included */
#define REPLY "thank you !\n"

/** @brief How the conversation with one client ended. */
enum outcome {
    SERVED = 0,         /**< the client got its reply */
    CLIENT_FAILED = -1, /**< this client failed; the next one may do better */
    ACCEPT_FAILED = -2, /**< taking a connection failed: the listening socket is unusable */
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
 * @brief Create the listening socket: TCP over IPv4, SO_REUSEADDR set, bound to
 *        @p port on every local address, listening with a backlog of BACKLOG.
 *
 * SO_REUSEADDR must be set before the socket gets its address, or a restarted
 * server cannot take a port whose old connections are still in TIME_WAIT.
 * @param port the TCP port to listen on, on every local address
 * @return the listening socket, or -1 after printing
 *         "server: CALL (port PORT): REASON" on stderr, CALL naming the step that failed.
 */
static int open_listener(int port)
{
    /* TODO (sections 3 and 8): build the listening socket, step by step, and check
     * every step. A port number and an address travel in network byte order.
     * Nothing may leak: on a failure, give back what you created before returning.
     * The failed step is named in the message (R9.16): one cleanup path at the end,
     * which every failed step reaches, keeps that message and the close in one place
     * (hints.md, section 3). Until then: */
    fprintf(stderr, "server: socket (port %d): %s\n", port, strerror(ENOSYS));
    return -1;
}

/**
 * @brief Format an IPv4 address and port as "127.0.0.1:54321" into @p out.
 * @param peer the client's address, as the kernel gave it when the connection was accepted
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
 * @brief Receive one message by the rule of section 5: the bytes up to the first
 *        "\n", or up to the client's end of stream if no "\n" comes.
 *
 * The line may arrive in one piece or in ten: whatever one receive returns is
 * only what has arrived so far. The receive timeout already set on @p conn_fd
 * makes a silent client fail the wait instead of blocking us forever.
 * @param conn_fd the connected socket
 * @param buf where the bytes go; the message is its first bytes
 * @param size the size of @p buf: the longest message, its "\n" included
 * @param peer the client's "ADDR:PORT", for the messages on stderr
 * @param timeout_s the receive timeout set on @p conn_fd, for the message on stderr
 * @return the message length, its "\n" not counted (0 for an empty line), or
 *         -1 after printing one of the lines of section 9's table on stderr
 *         (a client that closed without sending a byte included).
 */
static long receive_message(int conn_fd, char *buf, size_t size, const char *peer, int timeout_s)
{
    /* TODO (section 5): keep receiving, each piece after the last, until the bytes
     * that arrived hold a "\n" or the client ends its stream.
     * TODO (section 6): tell apart, each with its own line on stderr: end of stream
     * before any byte, a full buffer with no "\n", the timeout, and a real error;
     * a call interrupted by a signal is not a failure. */
    (void)conn_fd;
    (void)buf;
    (void)size;
    (void)timeout_s;
    fprintf(stderr, "server: %s: recv: %s\n", peer, strerror(ENOSYS));
    return -1;
}

/**
 * @brief Send all @p len bytes of @p buf, however many calls it takes.
 *
 * The kernel may take fewer bytes than offered; and a client that is gone must
 * not kill the server with SIGPIPE.
 * @param fd the connected socket
 * @param buf the bytes to send
 * @param len how many bytes
 * @return 0, or -1 with errno set.
 */
static int send_all(int fd, const char *buf, size_t len)
{
    /* TODO (section 5): every byte goes out, in order, however many calls it takes;
     * a call interrupted by a signal is not a failure.
     * TODO (section 6): a peer that has closed makes this fail with EPIPE, and never
     * raises SIGPIPE. */
    (void)fd;
    (void)buf;
    (void)len;
    errno = ENOSYS;
    return -1;
}

/**
 * @brief Make every receive on @p fd give up after @p seconds of silence.
 * @param fd the connected socket
 * @param seconds how long one receive may wait
 * @return 0, or -1 with errno set.
 */
static int set_receive_timeout(int fd, int seconds)
{
    /* TODO (section 6): a receive on fd that waits longer than `seconds` fails
     * (with EAGAIN) instead of blocking. */
    (void)fd;
    (void)seconds;
    errno = ENOSYS;
    return -1;
}

/**
 * @brief Talk to one connected client: set its receive timeout, read its
 *        message, print "from PEER: MESSAGE" (flushed), send REPLY.
 *
 * The caller closes @p conn_fd afterwards.
 * @param conn_fd the connected socket
 * @param peer the client's "ADDR:PORT", for the lines we print
 * @param timeout_s how long one receive may wait, in seconds
 * @return 0 if the client got its reply, -1 if not, after printing the reason
 *         on stderr ("server: PEER: ..."; section 9's table).
 */
static int serve_client(int conn_fd, const char *peer, int timeout_s)
{
    /* TODO (sections 5 and 9): the conversation with one client, in the order of the
     * contract of section 9. The line on stdout must be visible at once, even when
     * stdout is a file; a failed step gets its line on stderr and no reply. */
    (void)conn_fd;
    (void)timeout_s;
    (void)set_receive_timeout; /* named here only to keep the compiler quiet until you call them */
    (void)receive_message;
    (void)send_all;
    fprintf(stderr, "server: %s: not served yet: write serve_client\n", peer);
    return -1;
}

/**
 * @brief Wait for the next client, serve it, close its connection.
 *
 * Failures that concern only the connection being taken (a signal, a client
 * that gave up while waiting in the queue) are not failures of the listening
 * socket: wait for the next one instead.
 * @param listen_fd the listening socket
 * @param timeout_s how long one receive may wait, in seconds
 * @return SERVED, CLIENT_FAILED, or ACCEPT_FAILED (after printing
 *         "server: accept: REASON").
 */
static enum outcome accept_and_serve(int listen_fd, int timeout_s)
{
    /* TODO (section 3): take the next connection and learn who is on the other
     * side; format_peer gives the "ADDR:PORT" text of the log lines.
     * TODO (sections 6 and 8): serve it, then close the connected socket, which sends
     * our FIN, whatever happened; a failed close fails this client too. */
    (void)listen_fd;
    (void)timeout_s;
    (void)format_peer;
    (void)serve_client;
    fprintf(stderr, "server: accept: %s\n", strerror(ENOSYS));
    return ACCEPT_FAILED;
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

    /* TODO (section 7): without -k, one client; with -k, the next and the next,
     * forever: a client that failed does not stop the server, only a failure of
     * the listening socket does. */
    enum outcome result = accept_and_serve(listen_fd, opt.timeout_s);

    if (close(listen_fd) == -1) {
        fprintf(stderr, "server: close: %s\n", strerror(errno));
        return 1;
    }
    return result == SERVED ? 0 : 1;
}
