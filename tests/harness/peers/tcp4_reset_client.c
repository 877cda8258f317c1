/**
 * @file tcp4_reset_client.c
 * @brief Test peer (lesson 04): a TCP client that sends some bytes, then aborts
 *        the connection with an RST instead of closing it with a FIN.
 *
 *     tcp4_reset_client HOST PORT [--send TEXT] [--half-close] [--wait-ms MS]
 *       --send TEXT    bytes to send first (default: nothing)
 *       --half-close   then shut down our writing side (a FIN), so that the RST comes after it
 *       --wait-ms MS   pause between sending and aborting (default 50)
 *
 * SO_LINGER with a zero timeout makes close() discard the connection and send
 * an RST: the server's next recv() fails with ECONNRESET. HOST is an IPv4 address.
 * Exit status: 0 when the RST was sent, 1 on an error, 2 on a usage error.
 * It shares no code with the lab's solutions.
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/** @brief Print the usage line and return 2. */
static int usage(void)
{
    fprintf(stderr, "usage: tcp4_reset_client HOST PORT [--send TEXT] [--half-close] [--wait-ms MS]\n");
    return 2;
}

/** @brief Sleep @p ms milliseconds, resuming after signals. */
static void sleep_ms(long ms)
{
    struct timespec left = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&left, &left) == -1 && errno == EINTR)
        ;
}

/** @brief Connect a TCP socket to IPv4 @p host, port @p port. @return the socket, or -1. */
static int dial(const char *host, const char *port)
{
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons((unsigned short)atoi(port));
    if (inet_pton(AF_INET, host, &to.sin_addr) != 1) {
        fprintf(stderr, "tcp4_reset_client: not an IPv4 address: %s\n", host);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd == -1 || connect(fd, (struct sockaddr *)&to, sizeof to) == -1) {
        fprintf(stderr, "tcp4_reset_client: connect %s:%s: %s\n", host, port, strerror(errno));
        if (fd != -1)
            close(fd);
        return -1;
    }
    return fd;
}

int main(int argc, char **argv)
{
    const char *text = "";
    long wait_ms = 50;
    int half_close = 0;
    if (argc < 3)
        return usage();
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--half-close") == 0)
            half_close = 1;
        else if (i + 1 == argc)
            return usage();
        else if (strcmp(argv[i], "--send") == 0)
            text = argv[++i];
        else if (strcmp(argv[i], "--wait-ms") == 0)
            wait_ms = atol(argv[++i]);
        else
            return usage();
    }
    int fd = dial(argv[1], argv[2]);
    if (fd == -1)
        return 1;
    size_t len = strlen(text);
    if (len > 0 && send(fd, text, len, MSG_NOSIGNAL) != (ssize_t)len) {
        fprintf(stderr, "tcp4_reset_client: send: %s\n", strerror(errno));
        close(fd);
        return 1;
    }
    if (half_close && shutdown(fd, SHUT_WR) == -1) {
        fprintf(stderr, "tcp4_reset_client: shutdown: %s\n", strerror(errno));
        close(fd);
        return 1;
    }
    sleep_ms(wait_ms);
    struct linger abort_now = {.l_onoff = 1, .l_linger = 0};
    if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_now, sizeof abort_now) == -1) {
        fprintf(stderr, "tcp4_reset_client: setsockopt(SO_LINGER): %s\n", strerror(errno));
        close(fd);
        return 1;
    }
    close(fd); /* with a zero linger time: RST, not FIN */
    fprintf(stderr, "tcp4_reset_client: sent %zu bytes, then reset the connection\n", len);
    return 0;
}
