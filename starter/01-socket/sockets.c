/**
 * @file sockets.c
 * @brief Lesson 01 (sockets): create the sockets named on the command line and
 *        report what the kernel says about each one.
 *
 * Usage: sockets KIND...   (KIND: tcp udp tcp6 udp6 unix-stream unix-dgram)
 *
 * For each KIND, in order, it creates a socket, binds Internet sockets to port 0
 * of the loopback address (the kernel picks a free port), and prints one line:
 *
 *     tcp fd=3 domain=AF_INET type=SOCK_STREAM protocol=6 local=127.0.0.1:40123
 *
 * Then it prints "ready: N sockets open", keeps the sockets open until standard
 * input reaches end of file, closes them, prints "closed N sockets" and exits 0.
 * See lessons/01-socket/README.md for the full contract.
 *
 * STARTER: this file compiles and runs, but it fails every test except the usage
 * tests until you write the TODOs. That is expected. Given: the command line, the
 * usage line, the names printed for the kernel's numbers, the output line, and the
 * wait for end of input. Yours: every socket call, and what happens when one fails.
 * Work through the TODOs in the order of the lesson's sections, run
 * `make check LESSON=01` after each one, and `make hint LESSON=01` when stuck.
 */
#define _DEFAULT_SOURCE /* SO_DOMAIN and SO_PROTOCOL are Linux extensions */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_SOCKETS 64

/** @brief One kind of socket a user can ask for on the command line. */
struct kind {
    const char *name; /**< the word on the command line */
    int domain;       /**< address family: AF_INET, AF_INET6 or AF_UNIX */
    int type;         /**< SOCK_STREAM or SOCK_DGRAM */
};

static const struct kind kinds[] = {
    {"tcp", AF_INET, SOCK_STREAM},         {"udp", AF_INET, SOCK_DGRAM},
    {"tcp6", AF_INET6, SOCK_STREAM},       {"udp6", AF_INET6, SOCK_DGRAM},
    {"unix-stream", AF_UNIX, SOCK_STREAM}, {"unix-dgram", AF_UNIX, SOCK_DGRAM},
};

/** @brief Print the usage line on stderr and return the usage exit status, 2. */
static int usage(void)
{
    fprintf(stderr,
            "usage: sockets KIND...\n"
            "  KIND is one of: tcp udp tcp6 udp6 unix-stream unix-dgram (at most %d)\n",
            MAX_SOCKETS);
    return 2;
}

/**
 * @brief Find the kind called @p name.
 * @param name a word from the command line
 * @return its entry in the table, or NULL if there is none.
 */
static const struct kind *find_kind(const char *name)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].name, name) == 0)
            return &kinds[i];
    return NULL;
}

/**
 * @brief The name of an address family the kernel returned, for printing.
 * @param domain AF_INET, AF_INET6 or AF_UNIX
 * @return "AF_INET", "AF_INET6", "AF_UNIX", or "?" for any other value.
 */
static const char *domain_name(int domain)
{
    return domain == AF_INET    ? "AF_INET"
           : domain == AF_INET6 ? "AF_INET6"
           : domain == AF_UNIX  ? "AF_UNIX"
                                : "?";
}

/**
 * @brief The name of a socket type the kernel returned, for printing.
 * @param type SOCK_STREAM or SOCK_DGRAM
 * @return "SOCK_STREAM", "SOCK_DGRAM", or "?" for any other value.
 */
static const char *type_name(int type)
{
    return type == SOCK_STREAM ? "SOCK_STREAM" : type == SOCK_DGRAM ? "SOCK_DGRAM" : "?";
}

/**
 * @brief Give the Internet socket @p fd a local address: the loopback address of
 *        its family, with port 0, so that the kernel chooses a free port.
 * @param fd a new socket of family @p domain, not bound yet
 * @param domain AF_INET (the address is 127.0.0.1) or AF_INET6 (the address is ::1)
 * @return 0 on success, -1 with errno set by the call that failed.
 */
static int bind_loopback(int fd, int domain)
{
    /* TODO (section 4): describe the address in the structure of the right family,
     * with every byte you do not set at zero and every number in network byte order,
     * and give it to the socket. */
    (void)fd;
    (void)domain;
    errno = ENOSYS;
    return -1;
}

/**
 * @brief Write the local address that the kernel reports for socket @p fd into @p out.
 *
 * "127.0.0.1:40123" for IPv4, "[::1]:40123" for IPv6, "unnamed" for a Unix socket
 * that was never bound. The address is the kernel's answer, not what we asked for,
 * and the port is printed as the number the kernel chose.
 * @param fd the socket
 * @param out where the text goes
 * @param size the size of @p out
 * @return 0 on success, -1 with errno set if the kernel could not be asked.
 */
static int local_address(int fd, char *out, size_t size)
{
    /* TODO (section 4): ask the kernel for the socket's address, in a structure large
     * enough for any family; then write it as text according to the family that came
     * back, with the port converted back to the host's byte order. */
    (void)fd;
    snprintf(out, size, "?");
    errno = ENOSYS;
    return -1;
}

/**
 * @brief Read one integer socket option at level SOL_SOCKET.
 * @param fd the socket
 * @param option SO_DOMAIN, SO_TYPE or SO_PROTOCOL
 * @param value where the kernel's answer goes
 * @return 0, or -1 with errno set.
 */
static int socket_option(int fd, int option, int *value)
{
    /* TODO (section 3): ask the kernel for this option of the socket. Mind the length
     * argument: it goes in as the room you have and comes back as what was used. */
    (void)fd;
    (void)option;
    *value = -1;
    errno = ENOSYS;
    return -1;
}

/**
 * @brief Print what the kernel says about socket @p fd, created for @p kind.
 *
 * The domain, type and protocol come from the kernel, not from our own table:
 * that is the point of the exercise.
 * @param fd the socket
 * @param kind what the command line asked for (only its name is printed)
 * @param what set to the name of the call that failed, for the error message
 * @return 0 on success, -1 with errno set (and @p what naming the failed call).
 */
static int describe(int fd, const struct kind *kind, const char **what)
{
    int domain = -1, type = -1, protocol = -1;
    char local[INET6_ADDRSTRLEN + 16] = "?";

    /* TODO (sections 3 and 4): fill domain, type, protocol and local with the
     * kernel's answers, using the two functions above. If a question fails, stop:
     * leave in *what the name of the system call that failed (section 7 lists the
     * names) and return -1, with errno as that call left it. */
    (void)fd;
    (void)what;
    (void)socket_option;
    (void)local_address;

    printf("%s fd=%d domain=%s type=%s protocol=%d local=%s\n", kind->name, fd, domain_name(domain),
           type_name(type), protocol, local);
    return 0;
}

/**
 * @brief Create one socket of @p kind, bind it if it is an Internet kind, and describe it.
 *
 * Every failure prints one line "sockets: CALL(KIND): REASON" on stderr (section 7)
 * and leaves nothing open behind it.
 * @param kind which socket to make
 * @return its file descriptor, or -1 after printing why on stderr.
 */
static int open_socket(const struct kind *kind)
{
    /* TODO (section 2): create the socket of this kind's family and type, letting
     *   the kernel pick the usual protocol.
     * TODO (section 4): Internet kinds only: bind it (bind_loopback). Unix kinds
     *   stay unbound.
     * TODO (section 3): describe it (describe).
     * TODO (sections 5 and 6): whatever step fails, print the message that names the
     *   failed call, the KIND and the reason, close the socket if it was already
     *   created, and return -1. One cleanup path that every failure goes through. */
    (void)kind;
    (void)bind_loopback;
    (void)describe;
    fprintf(stderr, "sockets: open_socket is not written yet (see the TODOs)\n");
    return -1;
}

/** @brief Block until standard input reaches end of file. @return 0, or -1 on a read error. */
static int wait_for_eof(void)
{
    char buf[256];
    for (;;) {
        ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
        if (n == 0)
            return 0;
        if (n == -1 && errno != EINTR) {
            fprintf(stderr, "sockets: read(stdin): %s\n", strerror(errno));
            return -1;
        }
    }
}

/**
 * @brief Close the first @p count sockets of @p fds, each exactly once.
 *
 * A close that fails is reported as "sockets: close(fd FD): REASON" and does not
 * stop the others from being closed.
 * @param fds the open sockets
 * @param count how many of them
 * @return 0, or -1 if a close failed (after trying every one).
 */
static int close_all(const int *fds, int count)
{
    /* TODO (section 5): give every one of these descriptors back to the kernel,
     * reporting each failure as above, and say at the end whether all went well. */
    (void)fds;
    (void)count;
    return -1;
}

int main(int argc, char **argv)
{
    const struct kind *wanted[MAX_SOCKETS];
    int count = argc - 1;
    if (count < 1 || count > MAX_SOCKETS)
        return usage();
    for (int i = 0; i < count; i++)
        if ((wanted[i] = find_kind(argv[i + 1])) == NULL)
            return usage();

    int fds[MAX_SOCKETS];
    int opened = 0;
    for (; opened < count; opened++) {
        fds[opened] = open_socket(wanted[opened]);
        if (fds[opened] == -1) {
            close_all(fds, opened);
            return 1;
        }
    }

    printf("ready: %d sockets open\n", count);
    fflush(stdout); /* the test reads this line while we wait: it must leave our buffer now */

    int failed = wait_for_eof() == -1;
    failed |= close_all(fds, count) == -1;
    if (failed)
        return 1;
    printf("closed %d sockets\n", count);
    return 0;
}
