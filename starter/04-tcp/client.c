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
 * STARTER: this file compiles and runs, but its socket work is a TODO, so the
 * tests fail at first. That is expected. Fill in the TODOs in the order of the
 * lesson's sections, and run `make check LESSON=04` after each one.
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
 * @param line where the line goes, with a '\0' after its "\n"
 * @param size the size of @p line: MAX_MESSAGE + 1 (room for the '\0' of fgets)
 * @return the line's length, "\n" included, or -1 after printing why.
 */
static long read_line(char *line, size_t size)
{
    if (fgets(line, (int)size, stdin) == NULL) {
        if (ferror(stdin))
            fprintf(stderr, "client: standard input: %s\n", strerror(errno));
        else
            fprintf(stderr, "client: standard input is empty: nothing to send\n");
        return -1;
    }
    size_t len = strlen(line);
    if (len > 0 && line[len - 1] == '\n')
        return (long)len;
    if (len + 1 >= size || !feof(stdin)) {
        fprintf(stderr, "client: the line is longer than %d bytes\n", MAX_MESSAGE - 1);
        return -1;
    }
    line[len++] = '\n'; /* the last line of a file may lack its "\n": the protocol needs one */
    line[len] = '\0';
    return (long)len;
}

/**
 * @brief Connect to @p host port @p port, trying each address getaddrinfo() gives.
 *
 * "localhost" may name ::1 and 127.0.0.1: if the server listens on one only,
 * the other is refused and we go on to the next.
 * @param host a name or a numeric address, IPv4 or IPv6
 * @param port the server's port, as text (getaddrinfo() takes a string)
 * @return the connected socket, or -1 after printing why.
 */
static int connect_to(const char *host, const char *port)
{
    /* TODO (lesson section 4): ask getaddrinfo(host, port, &hints, &list) for the
     * addresses, with hints.ai_family = AF_UNSPEC and hints.ai_socktype = SOCK_STREAM;
     * if it fails, print "client: HOST port PORT: <gai_strerror(rc)>" and return -1.
     * Then for each address in the list: socket(ai_family, ai_socktype, ai_protocol)
     * and connect(); keep the first socket that connects, close the others.
     * freeaddrinfo() the list. If none connected, print
     * "client: connect to HOST port PORT: <strerror of the last error>" and return -1. */
    errno = ENOSYS;
    fprintf(stderr, "client: connect to %s port %s: %s\n", host, port, strerror(errno));
    return -1;
}

/**
 * @brief Send all @p len bytes of @p buf, however many send() calls it takes.
 *
 * send() may take fewer bytes than asked; we go on from where it stopped.
 * MSG_NOSIGNAL: if the server is gone, fail with EPIPE instead of being
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
 * @brief Copy what arrives on @p fd to standard output until the server closes.
 *
 * The reply may come in any number of pieces: only recv() returning 0 (the
 * server's FIN) says it is complete.
 * @param fd the connected socket, its receive timeout already set
 * @param timeout_s that timeout in seconds, for the message on stderr
 * @return 0 when the server closed the connection, -1 after printing why.
 */
static int print_reply(int fd, int timeout_s)
{
    /* TODO (lesson section 5): recv() into a buffer in a loop and fwrite() each piece to
     * stdout, until recv() returns 0 (the server closed): then fflush(stdout) and return 0
     * (if fwrite() or fflush() fails, print "client: standard output: <strerror>", return -1).
     * - EINTR: call recv() again.
     * - EAGAIN or EWOULDBLOCK (lesson section 6): print
     *   "client: nothing received for N s" and return -1.
     * - any other error: print "client: recv: <strerror>" and return -1. */
    (void)fd;
    (void)timeout_s;
    errno = ENOSYS;
    fprintf(stderr, "client: recv: %s\n", strerror(errno));
    return -1;
}

/**
 * @brief The conversation: send @p line, say we are done, print the reply.
 * @param fd the connected socket
 * @param line the line to send, its "\n" included
 * @param len its length in bytes
 * @param timeout_s how long one recv() may wait, in seconds
 * @return 0 on success, -1 after printing why.
 */
static int talk(int fd, const char *line, size_t len, int timeout_s)
{
    /* TODO (lesson section 6): set a receive timeout of timeout_s seconds on fd:
     * setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, ...) with a struct timeval. */
    if (send_all(fd, line, len) == -1) {
        fprintf(stderr, "client: send: %s\n", strerror(errno));
        return -1;
    }
    /* TODO (lesson section 4): shutdown(fd, SHUT_WR): tell the server that we will
     * send nothing more. Print "client: shutdown: <strerror>" and return -1 if it fails. */
    return print_reply(fd, timeout_s);
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

    char line[MAX_MESSAGE + 1];
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
