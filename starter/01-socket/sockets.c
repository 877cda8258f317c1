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
 * STARTER: this file compiles and runs, but every socket call is a TODO, so the
 * tests fail at first. That is expected. Fill in the TODOs in the order of the
 * lesson's sections, and run `make check LESSON=01` after each one.
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
 * @brief Bind an Internet socket to port 0 of the loopback address.
 *
 * Port 0 asks the kernel for any free port; getsockname() tells which one it chose.
 * @param fd a new socket of family @p domain
 * @param domain AF_INET (bind to 127.0.0.1) or AF_INET6 (bind to ::1)
 * @return 0 on success, -1 with errno set.
 */
static int bind_loopback(int fd, int domain)
{
    /* TODO (lesson section 4): fill a struct sockaddr_in (AF_INET) or
     * struct sockaddr_in6 (AF_INET6) with the loopback address and port 0,
     * remembering htons()/htonl(), and bind() the socket to it. */
    (void)fd;
    (void)domain;
    errno = ENOSYS;
    return -1;
}

/**
 * @brief Write the socket's local address, as getsockname() reports it, into @p out.
 *
 * "127.0.0.1:40123" for IPv4, "[::1]:40123" for IPv6, "unnamed" for a Unix socket
 * that was never bound.
 * @param fd the socket
 * @param out where the text goes
 * @param size the size of @p out
 * @return 0 on success, -1 with errno set.
 */
static int local_address(int fd, char *out, size_t size)
{
    /* TODO (lesson section 4): ask getsockname() for the socket's address in a
     * struct sockaddr_storage, then format it by its family with inet_ntop()
     * and ntohs(): "127.0.0.1:40123", "[::1]:40123", or "unnamed" for AF_UNIX. */
    (void)fd;
    snprintf(out, size, "unnamed");
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
    /* TODO (lesson section 3): getsockopt() at level SOL_SOCKET, into an int. */
    (void)fd;
    (void)option;
    *value = -1;
    errno = ENOSYS;
    return -1;
}

/**
 * @brief Print what the kernel says about socket @p fd, created for @p kind.
 *
 * The domain, type and protocol come from the kernel (getsockopt), not from our
 * own table: that is the point of the exercise.
 * @param fd the socket
 * @param kind what the command line asked for (only its name is printed)
 * @param what set to the name of the call that failed, for the error message
 * @return 0 on success, -1 with errno set (and @p what naming the failed call).
 */
static int describe(int fd, const struct kind *kind, const char **what)
{
    int domain, type, protocol;
    char local[INET6_ADDRSTRLEN + 16];

    *what = "getsockopt";
    if (socket_option(fd, SO_DOMAIN, &domain) == -1 || socket_option(fd, SO_TYPE, &type) == -1 ||
        socket_option(fd, SO_PROTOCOL, &protocol) == -1)
        return -1;
    *what = "getsockname";
    if (local_address(fd, local, sizeof local) == -1)
        return -1;
    printf("%s fd=%d domain=%s type=%s protocol=%d local=%s\n", kind->name, fd, domain_name(domain),
           type_name(type), protocol, local);
    return 0;
}

/**
 * @brief Create, bind (Internet kinds only) and describe one socket.
 * @param kind which socket to make
 * @return its file descriptor, or -1 after printing why on stderr.
 */
static int open_socket(const struct kind *kind)
{
    const char *what = "socket";
    /* TODO (lesson section 2): create the socket with socket(domain, type, 0). */
    int fd = -1;
    errno = ENOSYS;
    if (fd == -1)
        goto fail;
    what = "bind";
    if (kind->domain != AF_UNIX && bind_loopback(fd, kind->domain) == -1)
        goto fail;
    if (describe(fd, kind, &what) == -1)
        goto fail;
    return fd;

fail:
    fprintf(stderr, "sockets: %s(%s): %s\n", what, kind->name, strerror(errno));
    /* TODO (lesson section 5): a socket we created but cannot use must be closed. */
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
 * @param fds the open sockets
 * @param count how many of them
 * @return 0, or -1 if a close failed (after trying every one).
 */
static int close_all(const int *fds, int count)
{
    /* TODO (lesson section 5): close() each socket; report a failure as
     * "sockets: close(fd N): <strerror>" and return -1 if any close failed. */
    (void)fds;
    (void)count;
    return 0;
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
