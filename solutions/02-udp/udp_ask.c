/**
 * @file udp_ask.c
 * @brief Lesson 02 (UDP): send one line to HOST PORT as a datagram, then wait
 *        at most 2 seconds for one reply from HOST PORT and print it.
 *
 * Usage: udp_ask HOST PORT
 *
 * Prints "sent N bytes to HOST:PORT", then "received N bytes from ADDR:PORT: TEXT"
 * (TEXT escaped as in udp_receive) and exits 0. Datagrams from anyone but HOST:PORT
 * are ignored with a note on stderr. No reply within 2 seconds: an error, status 1.
 * A reply larger than the 1024-byte buffer is truncated: printed, reported, status 1.
 * See lessons/02-udp/README.md, section 7, for the full contract.
 */
#define _DEFAULT_SOURCE /* getline(), clock_gettime(), and MSG_TRUNC as a recvfrom() flag */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define BUFFER_SIZE 1024
#define REPLY_TIMEOUT_MS 2000
#define TIMED_OUT (-2) /* receive_reply(): no reply before the deadline */

/** @brief Print the usage line on stderr and return the usage exit status, 2. */
static int usage(void)
{
    fprintf(stderr, "usage: udp_ask HOST PORT\n"
                    "  HOST: an IPv4 address such as 127.0.0.1; PORT: 1 to 65535\n");
    return 2;
}

/**
 * @brief Turn @p text into a port number.
 *
 * Not atoi(): atoi("80x") is 80 and atoi("abc") is 0, without a word. strtol()
 * tells us where the digits stopped, so "80x" can be refused.
 * @param text the port as the user typed it
 * @return the port (1 to 65535), or -1 if @p text is not such a decimal number.
 */
static int parse_port(const char *text)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || value < 1 || value > 65535)
        return -1;
    return (int)value;
}

/**
 * @brief Fill @p addr with the IPv4 address @p host and port @p port.
 *
 * Both go into the structure in network byte order: inet_pton() writes the
 * address that way, htons() converts the port.
 * @param host a dotted IPv4 address such as "127.0.0.1"
 * @param port 1 to 65535
 * @param addr the structure to fill
 * @return 0, or -1 if @p host is not a dotted IPv4 address.
 */
static int make_address(const char *host, int port, struct sockaddr_in *addr)
{
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host, &addr->sin_addr) == 1 ? 0 : -1;
}

/**
 * @brief Write "ADDR:PORT" of @p addr into @p out, for printing.
 * @param addr an IPv4 address and port, in network byte order
 * @param out where the text goes
 * @param size the room in @p out (INET_ADDRSTRLEN + 8 is enough)
 * @return 0, or -1 with errno set.
 */
static int format_address(const struct sockaddr_in *addr, char *out, size_t size)
{
    char host[INET_ADDRSTRLEN];
    if (inet_ntop(AF_INET, &addr->sin_addr, host, sizeof host) == NULL)
        return -1;
    snprintf(out, size, "%s:%u", host, ntohs(addr->sin_port));
    return 0;
}

/**
 * @brief Print @p data with control bytes as \\xNN and a backslash doubled (lesson 02, section 6).
 *
 * So a message is always one line of output, and every byte can be seen.
 * @param data the bytes, as they arrived
 * @param length how many bytes
 */
static void print_escaped(const unsigned char *data, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        if (data[i] == '\\')
            fputs("\\\\", stdout);
        else if (data[i] < 0x20 || data[i] == 0x7f)
            printf("\\x%02x", data[i]);
        else
            putchar(data[i]);
    }
}

/**
 * @brief Read one line from standard input, without its newline (EOF first: empty line).
 * @param line receives a buffer from getline(); the caller frees it.
 * @return the length of the line, or -1 on a read error.
 */
static ssize_t read_line(char **line)
{
    size_t capacity = 0;
    *line = NULL;
    ssize_t length = getline(line, &capacity, stdin);
    if (length == -1)
        return ferror(stdin) ? -1 : 0;
    if (length > 0 && (*line)[length - 1] == '\n')
        length--;
    return length;
}

/**
 * @brief Milliseconds on a clock that never jumps back (CLOCK_MONOTONIC).
 *
 * The wall clock (CLOCK_REALTIME) can be set back or forward while we wait;
 * the monotonic clock only counts time that passes. It cannot fail on Linux,
 * but if it ever did, a wrong deadline would be worse than stopping.
 * @return the time in milliseconds since an arbitrary, fixed start.
 */
static long now_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1) {
        fprintf(stderr, "udp_ask: clock_gettime: %s\n", strerror(errno));
        exit(1);
    }
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/**
 * @brief Make the next recvfrom() on @p fd give up after @p ms milliseconds.
 *
 * With SO_RCVTIMEO set, a recvfrom() that waited that long fails with EAGAIN
 * (also spelled EWOULDBLOCK) instead of blocking for ever.
 * @param fd the socket
 * @param ms the time limit, at least 1 (a timeval of 0 would mean "no limit")
 * @return 0, or -1 with errno set.
 */
static int set_receive_timeout(int fd, long ms)
{
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

/**
 * @brief Do @p a and @p b name the same address and port?
 * @param a an IPv4 address and port
 * @param b another one
 * @return 1 if they do, 0 if not.
 */
static int same_endpoint(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
    return a->sin_addr.s_addr == b->sin_addr.s_addr && a->sin_port == b->sin_port;
}

/**
 * @brief Wait until @p deadline for a datagram from @p server.
 *
 * Anyone may send to our port; a datagram from someone else is not the reply,
 * so it is reported on stderr and we wait again, for the time that is left.
 * @param fd the socket the request went out on
 * @param server the address and port the reply must come from
 * @param buffer where the reply goes
 * @param size the room in @p buffer
 * @param deadline when to give up, in now_ms() time
 * @return the reply's real length (more than @p size if it was truncated),
 *         TIMED_OUT if the deadline passed, or -1 after printing why on stderr.
 */
static ssize_t receive_reply(int fd, const struct sockaddr_in *server, unsigned char *buffer, size_t size,
                             long deadline)
{
    for (;;) {
        long left = deadline - now_ms();
        if (left <= 0)
            return TIMED_OUT;
        if (set_receive_timeout(fd, left) == -1) {
            fprintf(stderr, "udp_ask: setsockopt: %s\n", strerror(errno));
            return -1;
        }
        struct sockaddr_in from;
        socklen_t from_length = sizeof from;
        ssize_t length = recvfrom(fd, buffer, size, MSG_TRUNC, (struct sockaddr *)&from, &from_length);
        if (length == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return TIMED_OUT; /* SO_RCVTIMEO expired */
        if (length == -1 && errno == EINTR)
            continue;
        if (length == -1) {
            fprintf(stderr, "udp_ask: recvfrom: %s\n", strerror(errno));
            return -1;
        }
        if (same_endpoint(&from, server))
            return length;
        char stranger[INET_ADDRSTRLEN + 8] = "?";
        format_address(&from, stranger, sizeof stranger);
        fprintf(stderr, "udp_ask: ignored %zd bytes from %s (not the server)\n", length, stranger);
    }
}

/**
 * @brief Print the reply line; report a truncated reply on stderr.
 * @param server the address and port the reply came from
 * @param buffer the reply's first bytes (at most BUFFER_SIZE)
 * @param length the reply's real length, as recvfrom() with MSG_TRUNC said
 * @return 0, or 1 if the reply was truncated.
 */
static int print_reply(const struct sockaddr_in *server, const unsigned char *buffer, size_t length)
{
    char sender[INET_ADDRSTRLEN + 8] = "?";
    format_address(server, sender, sizeof sender);
    size_t kept = length < BUFFER_SIZE ? length : BUFFER_SIZE;
    printf("received %zu bytes from %s: ", kept, sender);
    print_escaped(buffer, kept);
    putchar('\n');
    if (length > kept) {
        fprintf(stderr, "udp_ask: reply truncated: it had %zu bytes, the buffer holds %d\n", length,
                BUFFER_SIZE);
        return 1;
    }
    return 0;
}

/**
 * @brief Send @p line to @p server from a new socket, then wait for and print the reply.
 * @param server where to send, in a filled struct sockaddr_in
 * @param host the server's address as the user typed it, for the messages
 * @param port the server's port, for the messages
 * @param line the bytes to send
 * @param length how many bytes of @p line
 * @return 0, or 1 after printing why on stderr.
 */
static int ask(const struct sockaddr_in *server, const char *host, int port, const char *line, size_t length)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd == -1) {
        fprintf(stderr, "udp_ask: socket: %s\n", strerror(errno));
        return 1;
    }
    int result = 1;
    unsigned char buffer[BUFFER_SIZE];
    if (sendto(fd, line, length, 0, (const struct sockaddr *)server, sizeof *server) == -1) {
        fprintf(stderr, "udp_ask: sendto: %s\n", strerror(errno));
        goto done;
    }
    long deadline = now_ms() + REPLY_TIMEOUT_MS; /* counted from the send, not from the printing */
    printf("sent %zu bytes to %s:%d\n", length, host, port);
    fflush(stdout); /* show it now: the wait may be long */
    ssize_t reply = receive_reply(fd, server, buffer, sizeof buffer, deadline);
    if (reply == TIMED_OUT)
        fprintf(stderr, "udp_ask: no reply from %s:%d within %d seconds\n", host, port,
                REPLY_TIMEOUT_MS / 1000);
    else if (reply >= 0)
        result = print_reply(server, buffer, (size_t)reply);

done:
    if (close(fd) == -1) {
        fprintf(stderr, "udp_ask: close: %s\n", strerror(errno));
        result = 1;
    }
    return result;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return usage();
    int port = parse_port(argv[2]);
    if (port == -1) {
        fprintf(stderr, "udp_ask: invalid port \"%s\"\n", argv[2]);
        return usage();
    }
    struct sockaddr_in server;
    if (make_address(argv[1], port, &server) == -1) {
        fprintf(stderr, "udp_ask: invalid IPv4 address \"%s\"\n", argv[1]);
        return usage();
    }
    char *line;
    ssize_t length = read_line(&line);
    if (length == -1) {
        fprintf(stderr, "udp_ask: read(stdin): %s\n", strerror(errno));
        free(line);
        return 1;
    }
    int result = ask(&server, argv[1], port, line != NULL ? line : "", (size_t)length);
    free(line);
    return result;
}
