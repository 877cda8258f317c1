/**
 * @file udp_send.c
 * @brief Lesson 02 (UDP): read one line from standard input and send it to
 *        HOST PORT as one datagram.
 *
 * Usage: udp_send HOST PORT
 *
 * HOST is an IPv4 address in dotted form (127.0.0.1); PORT is 1 to 65535.
 * The line is sent without its newline; empty input sends an empty datagram.
 * On success it prints "sent N bytes to HOST:PORT" and exits 0.
 * See lessons/02-udp/README.md, section 7, for the full contract.
 *
 * STARTER: this file compiles and runs, but its socket calls are TODOs, so the
 * tests fail at first. That is expected. Fill in the TODOs in the order of the
 * lesson's sections, and run `make check LESSON=02` after each one.
 */
#define _POSIX_C_SOURCE 200809L /* getline() */
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

/** @brief Print the usage line on stderr and return the usage exit status, 2. */
static int usage(void)
{
    fprintf(stderr, "usage: udp_send HOST PORT\n"
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
    /* TODO (lesson section 2): zero *addr, set sin_family to AF_INET, sin_port to
     * htons(port), and let inet_pton(AF_INET, host, ...) write the address into
     * sin_addr. Return -1 unless inet_pton() returns 1 (HOST is not dotted IPv4).
     * Until then every HOST is accepted and nothing is filled in. */
    (void)host;
    (void)port;
    memset(addr, 0, sizeof *addr);
    return 0;
}

/**
 * @brief Read one line from standard input, without its newline.
 *
 * End of input before any byte counts as an empty line.
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
 * @brief Send @p length bytes of @p data to @p to as one datagram.
 *
 * The socket is not bound: at the first sendto() the kernel gives it a free
 * local port of its choice, which is all a sender needs.
 * @param to the destination address and port
 * @param data the bytes to send
 * @param length how many bytes (0 sends an empty datagram)
 * @return 0, or -1 after printing why on stderr.
 */
static int send_datagram(const struct sockaddr_in *to, const char *data, size_t length)
{
    /* TODO (lesson section 3): create a UDP socket: socket(AF_INET, SOCK_DGRAM, 0).
     * Do not bind it. sendto() the length bytes of data to *to, then close() the
     * socket. Report a failed call as "udp_send: sendto: <strerror(errno)>" (with
     * its own name: socket, sendto, close) and return -1. */
    (void)to;
    (void)data;
    (void)length;
    errno = ENOSYS;
    fprintf(stderr, "udp_send: socket: %s\n", strerror(errno));
    return -1;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return usage();
    int port = parse_port(argv[2]);
    if (port == -1) {
        fprintf(stderr, "udp_send: invalid port \"%s\"\n", argv[2]);
        return usage();
    }
    struct sockaddr_in to;
    if (make_address(argv[1], port, &to) == -1) {
        fprintf(stderr, "udp_send: invalid IPv4 address \"%s\"\n", argv[1]);
        return usage();
    }

    char *line;
    ssize_t length = read_line(&line);
    if (length == -1) {
        fprintf(stderr, "udp_send: read(stdin): %s\n", strerror(errno));
        free(line);
        return 1;
    }
    int failed = send_datagram(&to, line != NULL ? line : "", (size_t)length) == -1;
    free(line);
    if (failed)
        return 1;
    printf("sent %zd bytes to %s:%d\n", length, argv[1], port);
    return 0;
}
