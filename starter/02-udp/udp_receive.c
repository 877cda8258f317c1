/**
 * @file udp_receive.c
 * @brief Lesson 02 (UDP): bind a UDP port, receive one datagram, print it and
 *        its sender.
 *
 * Usage: udp_receive PORT
 *
 * It binds PORT (1 to 65535) on every local address, waits for one datagram and
 * prints "received N bytes from ADDR:PORT: TEXT", TEXT escaped as lesson 02
 * section 6 says. A datagram larger than the 1024-byte buffer is truncated:
 * the line shows the first 1024 bytes, stderr says so, and the exit status is 1.
 * See lessons/02-udp/README.md, section 7, for the full contract.
 *
 * STARTER: this file compiles and runs, but its socket calls are TODOs, so the
 * tests fail at first. That is expected. Fill in the TODOs in the order of the
 * lesson's sections, and run `make check LESSON=02` after each one.
 */
#define _DEFAULT_SOURCE /* MSG_TRUNC as a recvfrom() flag is a Linux extension */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define BUFFER_SIZE 1024 /* as the syllabus's recvfrom(1024) */

/** @brief Print the usage line on stderr and return the usage exit status, 2. */
static int usage(void)
{
    fprintf(stderr, "usage: udp_receive PORT\n"
                    "  PORT: 1 to 65535\n");
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
 * @brief Print @p length bytes of @p data so that every byte can be seen.
 *
 * Control bytes (0x00-0x1f, 0x7f) become \\xNN and a backslash becomes two, so
 * that a datagram always fits on one line; every other byte, UTF-8 included,
 * is printed unchanged.
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
 * @brief Write "ADDR:PORT" of @p addr into @p out, for printing.
 * @param addr an IPv4 address and port, in network byte order
 * @param out where the text goes
 * @param size the room in @p out (INET_ADDRSTRLEN + 8 is enough)
 * @return 0, or -1 with errno set.
 */
static int format_address(const struct sockaddr_in *addr, char *out, size_t size)
{
    /* TODO (lesson section 2): inet_ntop(AF_INET, ...) turns addr->sin_addr into
     * text (return -1 if it fails); ntohs() turns addr->sin_port into a number.
     * Write them into out as "ADDR:PORT" with snprintf(). */
    (void)addr;
    snprintf(out, size, "?:?");
    errno = ENOSYS;
    return -1;
}

/**
 * @brief Create a UDP socket bound to @p port on every local address (INADDR_ANY).
 * @param port the port to bind, 1 to 65535
 * @return the socket, or -1 after printing why on stderr.
 */
static int open_bound_socket(int port)
{
    /* TODO (lesson section 4): socket(AF_INET, SOCK_DGRAM, 0); fill a struct
     * sockaddr_in with AF_INET, htons(port) and htonl(INADDR_ANY); bind() the socket
     * to it. Report failures as "udp_receive: socket: <strerror>" and
     * "udp_receive: bind port PORT: <strerror>", close what you opened, return -1. */
    (void)port;
    errno = ENOSYS;
    fprintf(stderr, "udp_receive: socket: %s\n", strerror(errno));
    return -1;
}

/**
 * @brief Receive one datagram on @p fd and print it with its sender.
 *
 * MSG_TRUNC makes recvfrom() return the datagram's real length even when only
 * BUFFER_SIZE bytes of it fit: that is how we notice that the rest was lost.
 * @param fd a bound UDP socket
 * @return 0, 1 if the datagram was truncated, or -1 after printing why on stderr.
 */
static int receive_one(int fd)
{
    unsigned char buffer[BUFFER_SIZE];
    struct sockaddr_in from;
    socklen_t from_length = sizeof from;
    /* TODO (lesson section 4): recvfrom() one datagram from fd into buffer, with
     * the flag MSG_TRUNC, &from and &from_length; call it again if it fails with
     * EINTR. With MSG_TRUNC it returns the datagram's real length, which may be
     * larger than the buffer. */
    (void)fd;
    memset(&from, 0, sizeof from);
    (void)from_length;
    ssize_t length = -1;
    errno = ENOSYS;
    if (length == -1) {
        fprintf(stderr, "udp_receive: recvfrom: %s\n", strerror(errno));
        return -1;
    }
    char sender[INET_ADDRSTRLEN + 8];
    if (format_address(&from, sender, sizeof sender) == -1) {
        fprintf(stderr, "udp_receive: inet_ntop: %s\n", strerror(errno));
        return -1;
    }
    size_t kept = (size_t)length < sizeof buffer ? (size_t)length : sizeof buffer;
    printf("received %zu bytes from %s: ", kept, sender);
    print_escaped(buffer, kept);
    putchar('\n');
    if ((size_t)length > kept) {
        fprintf(stderr, "udp_receive: datagram truncated: it had %zd bytes, the buffer holds %d\n", length,
                BUFFER_SIZE);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return usage();
    int port = parse_port(argv[1]);
    if (port == -1) {
        fprintf(stderr, "udp_receive: invalid port \"%s\"\n", argv[1]);
        return usage();
    }
    int fd = open_bound_socket(port);
    if (fd == -1)
        return 1;
    int result = receive_one(fd);
    if (close(fd) == -1) {
        fprintf(stderr, "udp_receive: close: %s\n", strerror(errno));
        result = -1;
    }
    return result == 0 ? 0 : 1;
}
