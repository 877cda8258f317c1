/**
 * @file client.c
 * @brief Lesson 04 (TCP): a TCP client that sends one line from standard input
 *        to a server and prints the server's reply.
 *
 * Usage: client [-t SECONDS] HOST PORT
 *
 *   HOST        a name or an address: localhost, 127.0.0.1, ::1
 *   PORT        the server's TCP port
 *   -t SECONDS  give up when the server sends nothing for SECONDS (default 5)
 *
 * It reads the first line of standard input (adding the "\n" if the input
 * ends without one), connects, sends the line, shuts down its writing side,
 * then copies everything the server sends to standard output until the
 * server closes the connection. Exit status 0 when the server closed the
 * connection, 1 on any failure, 2 on a usage error.
 * See lessons/04-tcp/README.md.
 *
 * STARTER: this file compiles and runs, and fails the tests until you write the
 * TODOs: that is expected. The command line, the usage line and reading standard
 * input are done; the socket work is yours. Each TODO says what must hold and
 * which section of the lesson explains it; the function's comment is its
 * contract. Stuck? `make hint LESSON=04`. Check with `make check LESSON=04`.
 */
#define _DEFAULT_SOURCE /* getopt, getaddrinfo, struct timeval: POSIX, not plain C11 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX_MESSAGE 4096 /* longest message the server accepts, its "\n" included */

/** @brief Print the usage line on stderr and return the usage exit status, 2. */
static int usage(void)
{
    fprintf(stderr, "usage: client [-t SECONDS] HOST PORT\n");
    return 2;
}

/**
 * @brief Parse a number of seconds, 1 to 3600.
 * @param text the command-line word after -t
 * @return the number, or -1 if @p text is not one in that range.
 */
static int parse_seconds(const char *text)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < 1 || value > 3600)
        return -1;
    return (int)value;
}

/**
 * @brief Read the first line of standard input into @p line, ending in "\n".
 *
 * Byte by byte (getc), not with fgets(): a line may hold a NUL byte, which strlen()
 * would take for its end. The length counted here is the line's real length.
 * @param line where the line goes, its "\n" included (no '\0' after it)
 * @param size the size of @p line: MAX_MESSAGE, the longest line and its "\n"
 * @return the line's length, "\n" included, or -1 after printing why.
 */
static long read_line(char *line, size_t size)
{
    size_t len = 0;
    int c;
    while ((c = getc(stdin)) != EOF && len < size) {
        line[len++] = (char)c;
        if (c == '\n')
            return (long)len;
    }
    if (ferror(stdin)) {
        fprintf(stderr, "client: standard input: %s\n", strerror(errno));
        return -1;
    }
    if (len == 0) {
        fprintf(stderr, "client: standard input is empty: nothing to send\n");
        return -1;
    }
    if (len == size) { /* MAX_MESSAGE bytes and no "\n": no room left for it */
        fprintf(stderr, "client: the line is longer than %d bytes\n", MAX_MESSAGE - 1);
        return -1;
    }
    line[len++] = '\n'; /* the last line of a file may lack its "\n": the protocol needs one */
    return (long)len;
}

/**
 * @brief Connect to @p host port @p port, trying each of its addresses in turn.
 *
 * "localhost" may name ::1 and 127.0.0.1: if the server listens on one only,
 * the other is refused and we go on to the next.
 * @param host a name or a numeric address, IPv4 or IPv6
 * @param port the server's port, as text
 * @return the connected socket, or -1 after printing why on stderr:
 *         "client: HOST port PORT: REASON" when the name cannot be resolved,
 *         "client: connect to HOST port PORT: REASON" when no address accepted
 *         the connection (REASON: the error of the last address tried).
 */
static int connect_to(const char *host, const char *port)
{
    /* TODO (section 4): turn HOST and PORT into the addresses of a TCP server, IPv4
     * or IPv6, and connect to the first one that accepts. A failed resolution does
     * not set errno: its message comes from elsewhere. Every socket that did not
     * connect is closed, and the list of addresses is given back. */
    fprintf(stderr, "client: connect to %s port %s: %s\n", host, port, strerror(ENOSYS));
    return -1;
}

/**
 * @brief Send all @p len bytes of @p buf, however many calls it takes.
 *
 * The kernel may take fewer bytes than offered; and a server that is gone must
 * not kill the client with SIGPIPE.
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
 * @brief Copy what arrives on @p fd to standard output, unchanged, until the
 *        server closes the connection.
 *
 * The reply may come in any number of pieces: only the server's end of stream
 * says it is complete.
 * @param fd the connected socket, its receive timeout already set
 * @param timeout_s that timeout in seconds, for the message on stderr
 * @return 0 when the server closed the connection (stdout flushed), -1 after
 *         printing why: "client: nothing received for SECONDS s",
 *         "client: recv: REASON" or "client: standard output: REASON".
 */
static int print_reply(int fd, int timeout_s)
{
    /* TODO (section 5): every byte the server sends reaches stdout, as it arrives,
     * until the end of stream, which is success.
     * TODO (section 6): the timeout and a real error each have their own message; a
     * call interrupted by a signal is not a failure. */
    (void)fd;
    (void)timeout_s;
    fprintf(stderr, "client: recv: %s\n", strerror(ENOSYS));
    return -1;
}

/**
 * @brief The conversation: set the receive timeout, send @p line, tell the server
 *        that nothing more will come, print the reply.
 * @param fd the connected socket
 * @param line the line to send, its "\n" included
 * @param len its length in bytes
 * @param timeout_s how long one receive may wait, in seconds
 * @return 0 on success, -1 after printing why ("client: CALL: REASON", section 9).
 */
static int talk(int fd, const char *line, size_t len, int timeout_s)
{
    /* TODO (section 6): no receive on fd waits longer than timeout_s seconds.
     * TODO (sections 4 and 5): the whole line goes out; then the server learns that
     * the request is over while the socket stays open for the reply (a half-close);
     * then the reply is printed. */
    (void)fd;
    (void)line;
    (void)len;
    (void)send_all; /* named here only to keep the compiler quiet until you call them */
    (void)print_reply;
    (void)timeout_s;
    fprintf(stderr, "client: send: %s\n", strerror(ENOSYS));
    return -1;
}

/** @brief Read a line, send it to HOST PORT, print the reply. @return the exit status. */
int main(int argc, char **argv)
{
    int timeout_s = 5, c;
    opterr = 0; /* no message of getopt's own: our usage line says it all */
    while ((c = getopt(argc, argv, "t:")) != -1)
        if (c != 't' || (timeout_s = parse_seconds(optarg)) == -1)
            return usage();
    if (argc - optind != 2)
        return usage();
    const char *host = argv[optind], *port = argv[optind + 1];

    char line[MAX_MESSAGE];
    long len = read_line(line, sizeof line);
    if (len == -1)
        return 1;
    int fd = connect_to(host, port);
    if (fd == -1)
        return 1;
    int result = talk(fd, line, (size_t)len, timeout_s);
    if (close(fd) == -1) {
        fprintf(stderr, "client: close: %s\n", strerror(errno));
        result = -1;
    }
    return result == 0 ? 0 : 1;
}
