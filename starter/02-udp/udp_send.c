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
 * STARTER: this file compiles and runs, but it fails every test except the usage
 * tests until you write the TODOs. That is expected. Given: the command line, the
 * usage line, reading the line, and the output. Yours: the address and the
 * datagram. Do the TODOs in the order of the lesson's sections, run
 * `make check LESSON=02` after each one, and `make hint LESSON=02` when stuck.
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
 * Everything in the structure is in network byte order, and every byte not
 * used is zero.
 * @param host the address as the user typed it; only dotted IPv4 is valid
 * @param port 1 to 65535
 * @param addr the structure to fill
 * @return 0, or -1 if @p host is not a dotted IPv4 address.
 */
static int make_address(const char *host, int port, struct sockaddr_in *addr)
{
    /* TODO (section 2): fill every field of *addr that an IPv4 destination needs.
     * The text of HOST must become the binary address; text that is not a dotted
     * IPv4 address (check the conversion's answer exactly) makes this return -1.
     * Until then every HOST is accepted and the address stays empty. */
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
 * @brief Send @p length bytes of @p data to @p to as one datagram, from a new socket.
 *
 * The socket is not bound (section 3 says why a sender need not be). A failed
 * call is reported as "udp_send: CALL: REASON" (section 7), and the socket is
 * closed whatever happened.
 * @param to the destination address and port
 * @param data the bytes to send
 * @param length how many bytes (0 sends an empty datagram)
 * @return 0, or -1 after printing why on stderr.
 */
static int send_datagram(const struct sockaddr_in *to, const char *data, size_t length)
{
    /* TODO (section 3): make a UDP socket, send the bytes as one datagram to *to,
     * and give the socket back. Check every call: a failure prints its line and
     * makes this return -1 (a line too long for one datagram fails here: it is
     * reported, never cut). */
    (void)to;
    (void)data;
    (void)length;
    fprintf(stderr, "udp_send: send_datagram is not written yet (see the TODOs)\n");
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
