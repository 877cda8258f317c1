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
    struct addrinfo hints, *list;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC; /* IPv4 or IPv6, whatever the name resolves to */
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, port, &hints, &list);
    if (rc != 0) {
        fprintf(stderr, "download_client: %s port %s: %s\n", host, port, gai_strerror(rc));
        return -1;
    }
    int fd = -1, saved_errno = 0;
    for (struct addrinfo *ai = list; ai != NULL && fd == -1; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd != -1 && connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
            saved_errno = errno;
            close(fd);
            fd = -1;
        } else if (fd == -1) {
            saved_errno = errno;
        }
    }
    freeaddrinfo(list);
    if (fd == -1)
        fprintf(stderr, "download_client: connect %s port %s: %s\n", host, port, strerror(saved_errno));
    return fd;
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
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/**
 * @brief Read the status line, one byte at a time, up to and including its newline.
 *
 * One byte at a time so that we never take file bytes out of the socket along with
 * the line: every byte after the newline belongs to the file. The line is short, so
 * the extra calls cost nothing worth measuring.
 *
 * A NUL byte makes it a bad reply (R2.17): the line is text, and a NUL would end
 * it early for every string function that reads it after us.
 * @param fd the connected socket
 * @param[out] line the line without its newline, NUL-terminated (STATUS_MAX bytes).
 * @return 0, or -1 after printing why.
 */
static int read_status(int fd, char *line)
{
    size_t got = 0;
    while (got < STATUS_MAX - 1) {
        ssize_t n = recv(fd, line + got, 1, 0);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1) {
            fprintf(stderr, "download_client: recv: %s\n", strerror(errno));
            return -1;
        }
        if (n == 0 || line[got] == '\n') {
            line[got] = '\0';
            if (n == 0)
                break;
            return 0;
        }
        if (line[got] == '\0') {
            fprintf(stderr, "download_client: bad reply from the server: a NUL byte in the status line\n");
            return -1;
        }
        got++;
    }
    line[got] = '\0';
    fprintf(stderr, "download_client: bad reply from the server: no status line\n");
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
    if (strncmp(line, "ERR ", 4) == 0 && line[4] != '\0') { /* a reason of one byte or more */
        fprintf(stderr, "download_client: the server refused \"%s\": %s\n", name, line + 4);
        return -1;
    }
    if (strncmp(line, "OK ", 3) == 0 && line[3] >= '0' && line[3] <= '9') {
        char *end;
        errno = 0;
        long long size = strtoll(line + 3, &end, 10);
        if (errno == 0 && *end == '\0')
            return size;
    }
    fprintf(stderr, "download_client: bad reply from the server: \"%.40s\"\n", line);
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
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
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
    static char buf[BUF_SIZE];
    long long got = 0;
    while (got < size) {
        size_t want = sizeof buf;
        if ((long long)want > size - got)
            want = (size_t)(size - got);
        ssize_t n = recv(sock_fd, buf, want, 0);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == 0) {
            fprintf(stderr, "download_client: connection closed after %lld of %lld bytes\n", got, size);
            return -1;
        }
        if (n == -1) { /* EAGAIN here means RECEIVE_TIMEOUT_S passed without a byte */
            fprintf(stderr, "download_client: recv: %s after %lld of %lld bytes\n", strerror(errno), got,
                    size);
            return -1;
        }
        if (write_all(file_fd, buf, (size_t)n) == -1) {
            fprintf(stderr, "download_client: write: %s\n", strerror(errno));
            return -1;
        }
        got += n;
    }
    return 0;
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
    char temp[PATH_MAX];
    if (snprintf(temp, sizeof temp, "%s.part-XXXXXX", path) >= (int)sizeof temp) {
        fprintf(stderr, "download_client: %s: %s\n", path, strerror(ENAMETOOLONG));
        return -1;
    }
    int file_fd = mkstemp(temp);
    if (file_fd == -1) {
        fprintf(stderr, "download_client: %s: %s\n", temp, strerror(errno));
        return -1;
    }
    mode_t mask = umask(0); /* mkstemp makes it 0600; give it the mode a new file gets */
    umask(mask);
    const char *what = "fchmod";
    if (fchmod(file_fd, 0666 & ~mask) == -1)
        goto fail;
    what = NULL; /* receive_body prints its own errors */
    if (receive_body(sock_fd, file_fd, size) == -1)
        goto fail;
    what = "close";
    if (close(file_fd) == -1) {
        file_fd = -1;
        goto fail;
    }
    file_fd = -1;
    what = "rename";
    if (rename(temp, path) == -1)
        goto fail;
    return 0;

fail:
    if (what != NULL)
        fprintf(stderr, "download_client: %s %s: %s\n", what, temp, strerror(errno));
    if (file_fd != -1)
        close(file_fd);
    unlink(temp); /* best effort: we are already reporting a failure */
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
