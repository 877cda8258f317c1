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
 * STARTER: this file compiles and runs, but it fails every test except the usage
 * tests until you write the TODOs. That is expected. Given: the command line, the
 * usage line, and print_escaped() for the text of a datagram (section 6). Yours:
 * the socket, the address, receiving, and noticing truncation. Do the TODOs in the
 * order of the lesson's sections, run `make check LESSON=02` after each one, and
 * `make hint LESSON=02` when stuck.
 */
#define _DEFAULT_SOURCE /* some receive flags of section 4 are Linux extensions */
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

#define BUFFER_SIZE 1024 /* the size the syllabus's Python receives into */

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
 *
 * ADDR in dotted form, PORT as a plain decimal number (127.0.0.1:51324).
 * @param addr an IPv4 address and port, in network byte order
 * @param out where the text goes
 * @param size the room in @p out (INET_ADDRSTRLEN + 8 is enough)
 * @return 0, or -1 with errno set.
 */
static int format_address(const struct sockaddr_in *addr, char *out, size_t size)
{
    /* TODO (section 2): turn the binary address back into text (that conversion
     * can fail: return -1), and the port back into a number of this machine's
     * byte order; write both into out. */
    (void)addr;
    snprintf(out, size, "?");
    errno = ENOSYS;
    return -1;
}

/**
 * @brief Create a UDP socket bound to @p port on every local address.
 *
 * Failures are reported as section 7 says: "udp_receive: socket: REASON", and
 * "udp_receive: bind port PORT: REASON" (a port in use, say). Nothing stays open
 * after a failure.
 * @param port the port to bind, 1 to 65535
 * @return the socket, or -1 after printing why on stderr.
 */
static int open_bound_socket(int port)
{
    /* TODO (section 4): make a UDP socket and give it the port, on every address
     * of this machine (a datagram sent to 127.0.0.2 must arrive too). */
    (void)port;
    fprintf(stderr, "udp_receive: open_bound_socket is not written yet (see the TODOs)\n");
    return -1;
}

/**
 * @brief Wait for one datagram on @p fd and print it with its sender.
 *
 * Prints "received N bytes from ADDR:PORT: TEXT" (TEXT through print_escaped(),
 * N the number of bytes printed). A datagram larger than the BUFFER_SIZE-byte
 * buffer loses its tail: its first BUFFER_SIZE bytes are printed, and stderr gets
 * "udp_receive: datagram truncated: it had M bytes, the buffer holds 1024".
 * @param fd a bound UDP socket
 * @return 0, 1 if the datagram was truncated, or -1 after printing why on stderr.
 */
static int receive_one(int fd)
{
    /* TODO (section 4): receive one whole datagram and its sender, in such a way
     * that you learn the datagram's real size even when it did not fit. A wait
     * interrupted by a signal is not a failure: wait again. Any other failure is
     * reported as section 7 says.
     * TODO (sections 4 and 6): print the line above; then, if the datagram was
     * cut, say so on stderr and return 1. */
    (void)fd;
    (void)format_address;
    (void)print_escaped;
    fprintf(stderr, "udp_receive: receive_one is not written yet (see the TODOs)\n");
    return -1;
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
