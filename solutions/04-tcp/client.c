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
    struct addrinfo hints, *list;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;     /* IPv4 or IPv6, whatever the name has */
    hints.ai_socktype = SOCK_STREAM; /* TCP */
    int rc = getaddrinfo(host, port, &hints, &list);
    if (rc != 0) {
        fprintf(stderr, "client: %s port %s: %s\n", host, port, gai_strerror(rc));
        return -1;
    }
    int fd = -1, saved_errno = 0;
    for (struct addrinfo *ai = list; ai != NULL && fd == -1; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd == -1) {
            saved_errno = errno;
            continue;
        }
        /* connect() sends SYN and returns when the server's SYN-ACK came back (or RST: refused) */
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
            saved_errno = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(list);
    if (fd == -1)
        fprintf(stderr, "client: connect to %s port %s: %s\n", host, port, strerror(saved_errno));
    return fd;
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
    char buf[4096];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n == 0)
            break; /* the server's FIN: the reply is complete */
        if (n == -1) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                fprintf(stderr, "client: nothing received for %d s\n", timeout_s);
            else
                fprintf(stderr, "client: recv: %s\n", strerror(errno));
            return -1;
        }
        if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n) {
            fprintf(stderr, "client: standard output: %s\n", strerror(errno));
            return -1;
        }
    }
    if (fflush(stdout) == EOF) {
        fprintf(stderr, "client: standard output: %s\n", strerror(errno));
        return -1;
    }
    return 0;
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
    struct timeval tv = {.tv_sec = timeout_s, .tv_usec = 0};
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == -1) {
        fprintf(stderr, "client: setsockopt(SO_RCVTIMEO): %s\n", strerror(errno));
        return -1;
    }
    if (send_all(fd, line, len) == -1) {
        fprintf(stderr, "client: send: %s\n", strerror(errno));
        return -1;
    }
    /* FIN: "I will send nothing more". We can still receive the reply. */
    if (shutdown(fd, SHUT_WR) == -1) {
        fprintf(stderr, "client: shutdown: %s\n", strerror(errno));
        return -1;
    }
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
