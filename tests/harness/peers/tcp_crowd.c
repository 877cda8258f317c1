/**
 * @file tcp_crowd.c
 * @brief Test peer (lesson 04): many TCP clients at once, to fill a server's accept queue.
 *
 *     tcp_crowd HOST PORT N [--ms MS] [--hold-ms HOLD] [--send TEXT]
 *
 * Opens N connections to the IPv4 address HOST, port PORT, all at once (non-blocking
 * connects), and waits until every handshake is complete or MS milliseconds have passed
 * (default 10000). The kernel of a listening server completes a handshake by itself and
 * queues the connection for accept() while the accept queue (the listen() backlog) has
 * room; when it is full, the kernel drops the SYN and the connection waits, unfinished,
 * for the retransmission of its SYN a second or more later.
 * Prints "tcp_crowd: K of N connections established within MS ms" (flushed); with --send,
 * sends TEXT on each established connection, one after the other at once (a crowd whose
 * requests arrive together: lesson 06's children then answer and log at the same moment);
 * and closes them
 * all, at once or, with --hold-ms, HOLD milliseconds later (lesson 06: as many children of a
 * server alive at once as there are connections, and all ending together).
 * Exit status: 0 if all N were established, 1 if not (or on an error), 2 on usage.
 * It shares no code with the lab's solutions.
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CROWD 1000

/** @brief Milliseconds on the monotonic clock. */
static long clock_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

/**
 * @brief Start a non-blocking connect to @p to.
 * @param to the server's address
 * @return the socket (connecting or connected), or -1 (said on stderr).
 */
static int start_connect(const struct sockaddr_in *to)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd == -1 || fcntl(fd, F_SETFL, O_NONBLOCK) == -1) {
        perror("tcp_crowd: socket");
        if (fd != -1)
            close(fd);
        return -1;
    }
    if (connect(fd, (const struct sockaddr *)to, sizeof *to) == -1 && errno != EINPROGRESS) {
        perror("tcp_crowd: connect");
        close(fd);
        return -1;
    }
    return fd;
}

int main(int argc, char **argv)
{
    long ms = 10000, hold = 0;
    const char *text = NULL;
    int bad = argc < 4 || argc % 2 != 0;
    for (int i = 4; !bad && i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--ms") == 0)
            ms = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--hold-ms") == 0)
            hold = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--send") == 0)
            text = argv[i + 1];
        else
            bad = 1;
    }
    if (bad || hold < 0) {
        fprintf(stderr, "usage: tcp_crowd HOST PORT N [--ms MS] [--hold-ms HOLD] [--send TEXT]\n");
        return 2;
    }
    long n = atol(argv[3]);
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons((unsigned short)atoi(argv[2]));
    if (n < 1 || n > MAX_CROWD || ms < 1 || inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) {
        fprintf(stderr, "usage: tcp_crowd HOST PORT N [--ms MS] (N: 1 to %d)\n", MAX_CROWD);
        return 2;
    }

    static struct pollfd fds[MAX_CROWD];
    static int sock[MAX_CROWD], up[MAX_CROWD];
    for (long i = 0; i < n; i++) {
        fds[i].fd = sock[i] = start_connect(&to);
        if (sock[i] == -1)
            return 1;
        fds[i].events = POLLOUT;
    }
    long established = 0, failed = 0, deadline = clock_ms() + ms;
    while (established + failed < n) {
        long left = deadline - clock_ms();
        if (left <= 0)
            break;
        int ready = poll(fds, (nfds_t)n, (int)left);
        if (ready == -1 && errno == EINTR)
            continue;
        if (ready == -1) {
            perror("tcp_crowd: poll");
            return 1;
        }
        for (long i = 0; i < n; i++) {
            if (fds[i].fd == -1 || fds[i].revents == 0)
                continue;
            int error = 0;
            socklen_t len = sizeof error;
            getsockopt(sock[i], SOL_SOCKET, SO_ERROR, &error, &len);
            fds[i].fd = -1; /* its handshake is over: poll() leaves it alone from now on */
            if (error == 0) {
                established++;
                up[i] = 1;
            } else {
                failed++;
                fprintf(stderr, "tcp_crowd: connection %ld: %s\n", i + 1, strerror(error));
            }
        }
    }
    printf("tcp_crowd: %ld of %ld connections established within %ld ms\n", established, n, ms);
    fflush(stdout);
    /* a few bytes on a socket just connected: the send buffer takes them whole at once */
    for (long i = 0; text != NULL && i < n; i++)
        if (up[i] && send(sock[i], text, strlen(text), MSG_NOSIGNAL) != (ssize_t)strlen(text))
            fprintf(stderr, "tcp_crowd: connection %ld: send: %s\n", i + 1, strerror(errno));
    struct timespec pause = {hold / 1000, (hold % 1000) * 1000000L};
    while (hold > 0 && nanosleep(&pause, &pause) == -1 && errno == EINTR)
        ; /* the rest of the pause, after a signal */
    for (long i = 0; i < n; i++)
        close(sock[i]);
    return established == n ? 0 : 1;
}
