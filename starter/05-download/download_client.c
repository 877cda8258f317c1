/**
 * @file download_client.c
 * @brief Lesson 05 (file download): fetch one file from download_server.
 *
 * Usage: download_client [-o PATH] HOST PORT NAME
 *
 * It sends NAME and a newline, reads the status line, and for "OK SIZE" receives
 * exactly SIZE bytes into a temporary file beside PATH (default: "[接收]" NAME in the
 * current directory), renamed to PATH only once every byte arrived. Then it prints
 *
 *     saved [接收]notes.txt (1234 bytes)
 *
 * and exits 0. "ERR REASON", a bad reply, or a connection that ends early: a message
 * on stderr, exit 1, and no file under PATH (an old one there is left as it was).
 * See lessons/05-download/README.md for the full contract.
 *
 * STARTER: this file compiles and runs, but the socket work is a TODO, so the
 * tests fail at first. That is expected. Fill in the TODOs in the order of the
 * lesson's sections, and run `make check LESSON=05` after each one.
 */
#define _DEFAULT_SOURCE /* getaddrinfo, mkstemp, NAME_MAX, SO_RCVTIMEO */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define BUF_SIZE 65536       /* one piece of the file: the only buffer a transfer uses */
#define STATUS_MAX 128       /* buffer for the status line: at most 127 bytes with its newline */
#define RECEIVE_TIMEOUT_S 10 /* give up on a server that sends nothing for this long */

/**
 * @brief Print the usage lines on stderr.
 * @return 2, the exit status of a usage error.
 */
static int usage(void)
{
    fprintf(stderr,
            "usage: download_client [-o PATH] HOST PORT NAME\n"
            "  NAME: 1 to %d bytes, no '/' and no newline; PATH defaults to [接收]NAME\n",
            NAME_MAX);
    return 2;
}

/**
 * @brief Can @p name go into a request? 1 to NAME_MAX bytes, no '/', no newline.
 * @param name the NAME argument
 * @return 1 when it can, else 0.
 */
static int name_is_valid(const char *name)
{
    size_t len = strlen(name);
    return len >= 1 && len <= NAME_MAX && strpbrk(name, "/\n") == NULL;
}

/**
 * @brief Connect to @p host : @p port, trying each address getaddrinfo() gives.
 * @param host a host name or an address, IPv4 or IPv6
 * @param port a port number or a service name
 * @return the connected socket, or -1 after printing why.
 */
static int connect_to(const char *host, const char *port)
{
    /* TODO (lesson section 7): getaddrinfo(host, port) with ai_family AF_UNSPEC and
     * ai_socktype SOCK_STREAM (on failure print "download_client: <host> port <port>:
     * <gai_strerror(rc)>" and return -1); try socket()
     * and connect() on each address until one works; freeaddrinfo(). If none worked print
     * "download_client: connect <host> port <port>: <strerror>" and return -1. */
    errno = ENOSYS;
    fprintf(stderr, "download_client: connect %s port %s: %s\n", host, port, strerror(errno));
    return -1;
}

/**
 * @brief Send all @p len bytes of @p buf, however many calls the kernel needs.
 *
 * MSG_NOSIGNAL: if the server has closed, we want EPIPE, not a SIGPIPE that kills us.
 * @param fd the connected socket
 * @param buf the bytes to send
 * @param len how many
 * @return 0, or -1 with errno set.
 */
static int send_all(int fd, const char *buf, size_t len)
{
    /* TODO (lesson section 7): loop on send(..., MSG_NOSIGNAL) until all len bytes are
     * gone; retry on EINTR; on another error return -1. */
    (void)fd;
    (void)buf;
    (void)len;
    errno = ENOSYS;
    return -1;
}

/**
 * @brief Read the status line, one byte at a time, up to and including its newline.
 *
 * One byte at a time so that we never take file bytes out of the socket along with
 * the line: every byte after the newline belongs to the file. The line is short, so
 * the extra calls cost nothing worth measuring.
 * @param fd the connected socket
 * @param[out] line the line without its newline, NUL-terminated (STATUS_MAX bytes).
 * @return 0, or -1 after printing why.
 */
static int read_status(int fd, char *line)
{
    /* TODO (lesson section 7): recv() ONE byte at a time into line until the newline
     * (replace it with '\0', return 0). At most STATUS_MAX - 1 bytes, newline included; if it is longer
     * or the connection ends first, print "download_client: bad reply from the server:
     * no status line" and return -1. A failed recv: "download_client: recv: <strerror>". */
    (void)fd;
    line[0] = '\0';
    fprintf(stderr, "download_client: recv: %s\n", strerror(ENOSYS));
    return -1;
}

/**
 * @brief Understand the status line.
 * @param line the status line, without its newline
 * @param name the requested name, for the message
 * @return the file's size for "OK SIZE"; -1 after printing why for "ERR REASON" or anything else.
 */
static long long parse_status(const char *line, const char *name)
{
    /* TODO (lesson section 7): "ERR <reason>": print
     * "download_client: the server refused \"<name>\": <reason>" and return -1.
     * "OK <digits>" and nothing more: return the number. Digits only: strtoll alone would
     * also take a sign or leading spaces, so check that line[3] is a digit first; then
     * strtoll, check errno, and check that it stopped at the end of the line.
     * Anything else: "download_client: bad reply from the server: \"<line>\"", -1. */
    (void)line;
    (void)name;
    return -1;
}

/**
 * @brief Write all @p len bytes of @p buf to a file.
 * @param fd the open file
 * @param buf the bytes to write
 * @param len how many
 * @return 0, or -1 with errno set.
 */
static int write_all(int fd, const char *buf, size_t len)
{
    /* TODO (lesson section 7): loop on write() until all len bytes are written;
     * retry on EINTR; on another error return -1. */
    (void)fd;
    (void)buf;
    (void)len;
    errno = ENOSYS;
    return -1;
}

/**
 * @brief Copy exactly @p size bytes from the socket to @p file_fd, BUF_SIZE at a time.
 *
 * recv() returns whatever has arrived, 1 byte or 65536: we count until we have
 * them all. The end of the connection before that is an error, not the end of the file.
 * @param sock_fd the connected socket, just after the status line
 * @param file_fd the temporary file
 * @param size the size the server announced
 * @return 0, or -1 after printing why.
 */
static int receive_body(int sock_fd, int file_fd, long long size)
{
    /* TODO (lesson section 7): recv() into one buffer of BUF_SIZE bytes, never asking for
     * more than is left, and write_all() each piece, until size bytes arrived. recv()
     * returning 0 first: "download_client: connection closed after <got> of <size> bytes";
     * failing: "download_client: recv: <strerror> after <got> of <size> bytes".
     * A failed write: "download_client: write: <strerror>". Return -1 on any failure. */
    (void)sock_fd;
    (void)file_fd;
    (void)size;
    (void)write_all;
    return -1;
}

/**
 * @brief Receive the file into a temporary file beside @p path, then rename it to @p path.
 *
 * rename() replaces @p path in one step: whoever looks sees the old file or the
 * whole new one, never half of it. On any failure the temporary file is removed.
 * @param sock_fd the connected socket, just after the status line
 * @param path where the file must end up
 * @param size the size the server announced
 * @return 0, or -1 after printing why.
 */
static int receive_file(int sock_fd, const char *path, long long size)
{
    /* TODO (lesson section 7): mkstemp() a temporary file named path ".part-XXXXXX";
     * fchmod() it to 0666 & ~umask; receive_body() into it; close() it; rename() it to
     * path. On any failure print "download_client: <call> <temp>: <strerror>" (unless
     * receive_body already said why), close and unlink() the temporary file, return -1. */
    (void)sock_fd;
    (void)size;
    (void)receive_body;
    fprintf(stderr, "download_client: %s: %s\n", path, strerror(ENOSYS));
    return -1;
}

/**
 * @brief Ask for @p name, read the reply, save the file.
 * @param sock_fd the connected socket
 * @param name the file to ask for
 * @param path where to save it
 * @return the exit status: 0 when saved, 1 otherwise (after a message).
 */
static int download(int sock_fd, const char *name, const char *path)
{
    struct timeval timeout = {RECEIVE_TIMEOUT_S, 0};
    if (setsockopt(sock_fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) == -1) {
        fprintf(stderr, "download_client: setsockopt: %s\n", strerror(errno));
        return 1;
    }
    char request[NAME_MAX + 2];
    int len = snprintf(request, sizeof request, "%s\n", name);
    if (send_all(sock_fd, request, (size_t)len) == -1) {
        fprintf(stderr, "download_client: send: %s\n", strerror(errno));
        return 1;
    }
    char line[STATUS_MAX];
    if (read_status(sock_fd, line) == -1)
        return 1;
    long long size = parse_status(line, name);
    if (size == -1 || receive_file(sock_fd, path, size) == -1)
        return 1;
    printf("saved %s (%lld bytes)\n", path, size);
    return 0;
}

/**
 * @brief Parse the command line, connect, download.
 * @param argc, argv the command line: [-o PATH] HOST PORT NAME
 * @return 0 when the file was saved, 1 on a runtime error, 2 on a usage error.
 */
int main(int argc, char **argv)
{
    const char *path = NULL;
    int opt;
    opterr = 0; /* our usage line says it all: no message from getopt() */
    while ((opt = getopt(argc, argv, "o:")) != -1) {
        if (opt != 'o')
            return usage();
        path = optarg;
    }
    if (argc - optind != 3 || !name_is_valid(argv[optind + 2]))
        return usage();
    const char *host = argv[optind], *port = argv[optind + 1], *name = argv[optind + 2];

    char default_path[PATH_MAX];
    if (path == NULL) {
        snprintf(default_path, sizeof default_path, "[接收]%s", name); /* fits: name <= NAME_MAX */
        path = default_path;
    }
    int sock_fd = connect_to(host, port);
    if (sock_fd == -1)
        return 1;
    int status = download(sock_fd, name, path);
    close(sock_fd); /* the outcome is decided: the socket has nothing left to tell us */
    return status;
}
