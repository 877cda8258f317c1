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
 * STARTER: this file compiles and runs, and fails the tests until you write the
 * TODOs: that is expected. Given: the command line, the usage lines, the checks
 * of NAME, and lesson 04's send loop. The rest is yours. Each TODO says what must
 * hold and which section of the lesson explains it; the function's comment is its
 * contract. Stuck? `make hint LESSON=05`. Check with `make check LESSON=05`.
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
 * @brief Connect to @p host : @p port, trying each of its addresses in turn, as
 *        lesson 04's client does.
 * @param host a host name or an address, IPv4 or IPv6
 * @param port a port number or a service name
 * @return the connected socket, or -1 after printing why on stderr:
 *         "download_client: HOST port PORT: REASON" when the name cannot be resolved,
 *         "download_client: connect HOST port PORT: REASON" when no address accepted
 *         the connection (REASON: the error of the last address tried).
 */
static int connect_to(const char *host, const char *port)
{
    /* TODO (section 7, and lesson 04 section 4): your lesson 04 connect work, with
     * this program's messages. */
    fprintf(stderr, "download_client: connect %s port %s: %s\n", host, port, strerror(ENOSYS));
    return -1;
}

/**
 * @brief Send all @p len bytes of @p buf, however many calls the kernel needs.
 *
 * Given: lesson 04's send loop. If the server has closed, the send fails with
 * EPIPE instead of raising a SIGPIPE that would kill us.
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
 * @brief Read the status line, up to and including its newline, and not one byte
 *        more: every byte after the newline belongs to the file.
 * @param fd the connected socket
 * @param[out] line the line without its newline, NUL-terminated (STATUS_MAX bytes).
 * @return 0, or -1 after printing why: "download_client: recv: REASON", or
 *         "download_client: bad reply from the server: no status line" when the
 *         connection ends before a newline or the line, newline included, is longer
 *         than STATUS_MAX - 1 (127) bytes; a message with "bad reply" for a line
 *         that holds a NUL byte (R2.17).
 */
static int read_status(int fd, char *line)
{
    /* TODO (section 7): the status line, without taking any byte of the file out of
     * the socket with it; a receive interrupted by a signal is not a failure. */
    (void)fd;
    line[0] = '\0';
    fprintf(stderr, "download_client: recv: %s\n", strerror(ENOSYS));
    return -1;
}

/**
 * @brief Understand the status line (section 2): "OK SIZE" or "ERR REASON".
 *
 * SIZE is decimal digits only: no sign, no space, nothing after it. REASON is one
 * byte or more: "ERR " with nothing after it is a bad reply (R2.7).
 * @param line the status line, without its newline
 * @param name the requested name, for the message
 * @return the file's size for "OK SIZE"; -1 after printing why for "ERR REASON"
 *         ("download_client: the server refused \"NAME\": REASON") or anything else
 *         ("download_client: bad reply from the server: \"LINE\"").
 */
static long long parse_status(const char *line, const char *name)
{
    /* TODO (section 7): the three cases above. Beware: the usual number parsers
     * accept more than digits (a sign, leading spaces) and stop quietly at the first
     * character that is not one, and a size too big for a long long is bad too. */
    (void)line;
    (void)name;
    fprintf(stderr, "download_client: bad reply from the server: not read yet\n");
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
    /* TODO (section 7): every byte is written, however many calls it takes: the same
     * rule as send_all's, for a file. */
    (void)fd;
    (void)buf;
    (void)len;
    errno = ENOSYS;
    return -1;
}

/**
 * @brief Copy exactly @p size bytes from the socket to @p file_fd, through one
 *        buffer of BUF_SIZE bytes.
 *
 * A receive returns whatever has arrived, 1 byte or 65536: only counting says when
 * the file is complete. The end of the connection before that is an error, not the
 * end of the file.
 * @param sock_fd the connected socket, just after the status line
 * @param file_fd the temporary file
 * @param size the size the server announced
 * @return 0, or -1 after printing why: "download_client: connection closed after
 *         N of SIZE bytes", "download_client: recv: REASON after N of SIZE bytes",
 *         or "download_client: write: REASON".
 */
static int receive_body(int sock_fd, int file_fd, long long size)
{
    /* TODO (section 7): exactly size bytes, never asking the socket for a byte beyond
     * them; a receive interrupted by a signal is not a failure. */
    (void)sock_fd;
    (void)file_fd;
    (void)size;
    (void)write_all;
    fprintf(stderr, "download_client: recv: %s after 0 of %lld bytes\n", strerror(ENOSYS), size);
    return -1;
}

/**
 * @brief Receive the file into a new temporary file "PATH.part-XXXXXX" beside
 *        @p path, then put it in @p path's place.
 *
 * The replacement is one step: whoever looks sees the old file or the whole new
 * one, never half of it. The saved file gets the mode a new file gets (0666 minus
 * the umask), not the temporary file's 0600. On any failure the temporary file is
 * removed and @p path is untouched.
 * @param sock_fd the connected socket, just after the status line
 * @param path where the file must end up
 * @param size the size the server announced
 * @return 0, or -1 after printing why ("download_client: CALL TEMP: REASON" for the
 *         file's own calls; receive_body prints its own).
 */
static int receive_file(int sock_fd, const char *path, long long size)
{
    /* TODO (section 7): the temporary file, its mode, the body, and the switch, each
     * step checked, with one cleanup path for every failure. */
    (void)sock_fd;
    (void)size;
    (void)receive_body;
    fprintf(stderr, "download_client: %s: %s\n", path, strerror(ENOSYS));
    return -1;
}

/**
 * @brief Ask for @p name, read the reply, save the file, say so.
 *
 * No receive waits longer than RECEIVE_TIMEOUT_S seconds.
 * @param sock_fd the connected socket
 * @param name the file to ask for
 * @param path where to save it
 * @return the exit status: 0 when saved (after printing "saved PATH (SIZE bytes)"
 *         on stdout), 1 otherwise (after a message on stderr).
 */
static int download(int sock_fd, const char *name, const char *path)
{
    /* TODO (sections 2 and 7): the request, the status line, and the file, in that
     * order; a failed step gets its message ("download_client: CALL: REASON"). */
    (void)sock_fd;
    (void)name;
    (void)path;
    (void)send_all; /* named here only to keep the compiler quiet until you call them */
    (void)read_status;
    (void)parse_status;
    (void)receive_file;
    fprintf(stderr, "download_client: send: %s\n", strerror(ENOSYS));
    return 1;
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
    opterr = 0; /* our usage line says it all: no message from getopt */
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
