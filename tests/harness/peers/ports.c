/**
 * @file ports.c
 * @brief Test peer: pick a free port, or ask whether a port is free.
 *
 *     ports free [N]                print N ports (default 1), all different, each free
 *                                   for TCP and UDP
 *     ports probe [--reuse] tcp|udp PORT [ADDR]
 *                                   exit 0 if ADDR:PORT (default 0.0.0.0) can be bound,
 *                                   1 if it is in use (EADDRINUSE), 2 on any other error;
 *                                   --reuse: with SO_REUSEADDR and SO_REUSEPORT set
 *                                   first, as a program that shares ports would (it binds
 *                                   a port whose holder set SO_REUSEADDR too, unless that
 *                                   one listens, or SO_REUSEPORT too, as the same user)
 *
 * A port is "free" when this program can bind it, for both TCP and UDP, without
 * SO_REUSEADDR: no listener, no bound socket, no TIME_WAIT leftover. Ports are drawn
 * at random below the kernel's ephemeral range (32768 and up), so that a port we
 * hand to a server is not also handed out by the kernel to some client's connect(),
 * and so that two test runs at once are unlikely to draw the same one.
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

/**
 * @brief Can a socket of @p type bind @p addr:@p port now?
 * @param type SOCK_STREAM or SOCK_DGRAM
 * @param addr a dotted IPv4 address
 * @param port the port
 * @param reuse set SO_REUSEADDR and SO_REUSEPORT before the bind: either one, set by the
 *        program that holds the port too, would let this bind share it
 * @return 1 yes, 0 no (EADDRINUSE), -1 on any other error (said on stderr).
 */
static int can_bind(int type, const char *addr, unsigned port, int reuse)
{
    int fd = socket(AF_INET, type, 0);
    if (fd == -1) {
        perror("ports: socket");
        return -1;
    }
    int one = 1;
    if (reuse && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1 ||
                  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) == -1)) {
        perror("ports: setsockopt");
        close(fd);
        return -1;
    }
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
        fprintf(stderr, "ports: bad address %s\n", addr);
        close(fd);
        return -1;
    }
    int ok = 1;
    if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
        ok = errno == EADDRINUSE ? 0 : -1;
        if (ok == -1)
            fprintf(stderr, "ports: bind %s:%u: %s\n", addr, port, strerror(errno));
    }
    close(fd);
    return ok;
}

int main(int argc, char **argv)
{
    if ((argc == 2 || argc == 3) && strcmp(argv[1], "free") == 0) {
        long want = argc == 3 ? strtol(argv[2], NULL, 10) : 1;
        if (want < 1 || want > 16) {
            fprintf(stderr, "ports: free N: N is 1 to 16\n");
            return 2;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        srand((unsigned)ts.tv_nsec ^ ((unsigned)getpid() << 16));
        unsigned picked[16];
        long found = 0;
        for (int tries = 0; tries < 200 && found < want; tries++) {
            unsigned port = 20000 + (unsigned)rand() % 12000;
            int taken = 0;
            for (long i = 0; i < found; i++)
                taken |= picked[i] == port;
            if (!taken && can_bind(SOCK_STREAM, "0.0.0.0", port, 0) == 1 && can_bind(SOCK_DGRAM, "0.0.0.0", port, 0) == 1)
                picked[found++] = port;
        }
        if (found < want) {
            fprintf(stderr, "ports: only %ld free ports found in 200 tries\n", found);
            return 1;
        }
        for (long i = 0; i < found; i++)
            printf("%u\n", picked[i]);
        return 0;
    }
    /* probe: "probe [--reuse] tcp|udp PORT [ADDR]", its words from argv[first] on */
    int reuse = argc > 2 && strcmp(argv[1], "probe") == 0 && strcmp(argv[2], "--reuse") == 0;
    int first = reuse ? 3 : 2, words = argc - first;
    if ((words == 2 || words == 3) && strcmp(argv[1], "probe") == 0) {
        int type = strcmp(argv[first], "udp") == 0 ? SOCK_DGRAM : SOCK_STREAM;
        const char *addr = words == 3 ? argv[first + 2] : "0.0.0.0";
        int ok = can_bind(type, addr, (unsigned)strtoul(argv[first + 1], NULL, 10), reuse);
        return ok == 1 ? 0 : ok == 0 ? 1 : 2;
    }
    fprintf(stderr, "usage: ports free [N] | ports probe [--reuse] tcp|udp PORT [ADDR]\n");
    return 2;
}
