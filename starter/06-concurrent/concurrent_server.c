/**
 * @file concurrent_server.c
 * @brief Lesson 06 (the concurrent server): lesson 05's file server, many clients at once.
 *
 * Usage: concurrent_server [-d DIR] PORT
 *
 * It listens on TCP port PORT of every IPv4 address and serves the regular files of
 * DIR (default: the current directory), one child process per client. The protocol
 * is lesson 05's:
 *
 *     client -> server   NAME "\n"                 (NAME: 1 to 255 bytes, no "/", no NUL)
 *     server -> client   "OK " SIZE "\n" + exactly SIZE bytes of the file, then close
 *                   or   "ERR " REASON "\n", then close
 *
 * It prints "serving DIR on port PORT" once, then one line per client on stdout:
 *
 *     127.0.0.1:40312 "notes.txt" sent 1234 bytes
 *     127.0.0.1:40312 "../x" refused: bad name
 *     127.0.0.1:40312 "big.iso" aborted after 65536 of 10485760 bytes: Connection reset by peer
 *     127.0.0.1:40312 - refused: timeout
 *
 * SIGINT or SIGTERM: it stops accepting, closes the listening socket, prints "stopped"
 * and exits 0; children still serving a client finish their download.
 * See lessons/06-concurrent/README.md for the contract (lesson 05's for the protocol).
 *
 * STARTER: this file compiles and runs, and fails the tests until you write the
 * TODOs: that is expected. Given, as in lesson 05's starter: the command line, the
 * clock, the send loop, the ERR line and the log line. Yours, from lesson 05: the
 * functions you wrote in your download_server.c (listening, the request, safe names,
 * opening, streaming, the graceful close, serving one client): copy them over the
 * stubs of the part marked "Yours, from lesson 05"; only the program's name in their
 * messages changes. Yours, new: the signals, a child process per client, reaping, and
 * the clean stop. Each TODO says what must hold and which section of the lesson
 * explains it; the function's comment is its contract. A suggested order: lesson 05's
 * functions first (the server then works as lesson 05's), then sections 2 to 7.
 * Stuck? `make hint LESSON=06`. Check with `make check LESSON=06`.
 */
#define _DEFAULT_SOURCE /* NAME_MAX, O_NOFOLLOW, SO_SNDTIMEO, pselect with our mask */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE 65536             /* one piece of a file: the only buffer a transfer uses */
#define REQUEST_MAX (NAME_MAX + 1) /* a name of 255 bytes and its newline */
#define REQUEST_TIMEOUT_MS 3000    /* the whole request line must arrive within this time */
#define SEND_TIMEOUT_S 10          /* a client that takes nothing for this long is dropped */
#define LINGER_MS 1000             /* how long we wait for the client to close after our reply */

/** @brief Set by the SIGINT/SIGTERM handler; the accept loop checks it. */
static volatile sig_atomic_t stop_requested = 0;

/** @brief How one client was served, for the log line. */
struct outcome {
    char name[REQUEST_MAX + 1]; /**< the requested name, or "" when none arrived */
    size_t name_len;            /**< its length: it may hold a NUL, which the log shows too */
    const char *refusal;        /**< the ERR reason sent, or NULL */
    long long size;             /**< the file's size, once known */
    long long sent;             /**< file bytes sent so far */
    int error;                  /**< errno of a transfer that broke off, or 0 */
};

/* ---- Given, as in lesson 05: the command line ---- */

/**
 * @brief Print the usage lines on stderr.
 * @return 2, the exit status of a usage error.
 */
static int usage(void)
{
    fprintf(stderr,
            "usage: concurrent_server [-d DIR] PORT\n"
            "  serves the files of DIR (default: the current directory) on TCP port PORT (1-65535)\n");
    return 2;
}

/**
 * @brief Parse a port number: digits only, 1 to 65535.
 * @param text the command-line argument
 * @return the port, or -1 when @p text is not a valid port.
 */
static int parse_port(const char *text)
{
    char *end;
    errno = 0;
    long port = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] < '0' || text[0] > '9' || port < 1 ||
        port > 65535)
        return -1;
    return (int)port;
}

/**
 * @brief Read the command line: [-d DIR] PORT.
 * @param argc, argv the command line
 * @param[out] dir the directory to serve ("." unless -d says otherwise)
 * @param[out] port the port to listen on
 * @return 0, or -1 when the command line is wrong (the caller prints the usage).
 */
static int parse_args(int argc, char **argv, const char **dir, int *port)
{
    int opt;
    *dir = ".";
    opterr = 0; /* our usage line says it all: no message from getopt() */
    while ((opt = getopt(argc, argv, "d:")) != -1) {
        if (opt != 'd')
            return -1;
        *dir = optarg;
    }
    if (argc - optind != 1)
        return -1;
    *port = parse_port(argv[optind]);
    return *port == -1 ? -1 : 0;
}

/* ---- Given, as in lesson 05's starter: the clock, the send loop, the ERR line, the log line ---- */

/**
 * @brief Read a clock that never jumps (unlike the time of day, which an administrator may set).
 * @return milliseconds since some fixed point in the past.
 */
static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* fails only for an unknown clock: this one always exists */
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/**
 * @brief Send all @p len bytes of @p buf, however many calls the kernel needs.
 * @param fd the connected socket
 * @param buf the bytes to send
 * @param len how many
 * @return 0, or -1 with errno set (EPIPE or ECONNRESET when the client is gone).
 */
static int send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, 0);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            return -1;
        buf += n; /* the kernel may take less than we offered */
        len -= (size_t)n;
    }
    return 0;
}

/**
 * @brief Send "ERR reason\n" and remember the reason for the log.
 * @param conn_fd the client's connection (the client may be gone already)
 * @param[out] out where the reason is recorded
 * @param reason one of the reasons of lesson 05's section 2
 */
static void refuse(int conn_fd, struct outcome *out, const char *reason)
{
    char line[64];
    int len = snprintf(line, sizeof line, "ERR %s\n", reason);
    out->refusal = reason;
    send_all(conn_fd, line, (size_t)len); /* if this fails, there is no one left to tell */
}

/**
 * @brief Print @p name between quotes, with control bytes, quote and backslash as \\xHH.
 *
 * The name comes from a stranger: printed raw, a newline in it would forge a log line.
 * @param name the name's bytes
 * @param len how many: a NUL among them is printed as \\x00, not taken as the end
 */
static void print_name(const char *name, size_t len)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)name; p < (const unsigned char *)name + len; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\')
            printf("\\x%02x", *p);
        else
            putchar(*p); /* UTF-8 names stay readable */
    }
    putchar('"');
}

/**
 * @brief Print the log line for one client and flush it: the line is whole or absent.
 * @param peer the client's address, as "a.b.c.d:port"
 * @param out what happened
 */
static void log_outcome(const char *peer, const struct outcome *out)
{
    printf("%s ", peer);
    if (out->name_len > 0)
        print_name(out->name, out->name_len);
    else
        putchar('-');
    if (out->refusal != NULL)
        printf(" refused: %s\n", out->refusal);
    else if (out->error != 0)
        printf(" aborted after %lld of %lld bytes: %s\n", out->sent, out->size, strerror(out->error));
    else
        printf(" sent %lld bytes\n", out->sent);
    fflush(stdout);
}

/**
 * @brief Format the client's address as "a.b.c.d:port".
 * @param peer the client's address, as the kernel gave it when the connection was accepted
 * @param[out] text where to write it
 * @param size the size of @p text
 */
static void peer_text(const struct sockaddr_in *peer, char *text, size_t size)
{
    char host[INET_ADDRSTRLEN];
    if (inet_ntop(AF_INET, &peer->sin_addr, host, sizeof host) == NULL)
        snprintf(host, sizeof host, "?");
    snprintf(text, size, "%s:%u", host, ntohs(peer->sin_port));
}

/* ---- Yours, from lesson 05: copy your download_server's functions over these stubs ---- */

/**
 * @brief Create a TCP socket listening on @p port of every IPv4 address, with
 *        SO_REUSEADDR, as lesson 04's server does.
 * @param port the port to bind
 * @return the listening socket, or -1 after printing
 *         "concurrent_server: CALL port PORT: REASON", CALL naming the step that failed.
 */
static int listen_on(int port)
{
    /* TODO (lesson 05, section 3): yours, from your download_server.c: the same
     * function, with concurrent_server in its messages. */
    fprintf(stderr, "concurrent_server: socket port %d: %s\n", port, strerror(ENOSYS));
    return -1;
}

/**
 * @brief Read the request line: the bytes up to a newline, arriving within
 *        REQUEST_TIMEOUT_MS of the call in all, REQUEST_MAX bytes at most.
 *
 * The name may come in any number of pieces. The deadline covers the whole line,
 * so a client that sends one byte a second cannot hold us longer than one that
 * sends nothing.
 * @param conn_fd the client's connection, just accepted
 * @param[out] name the name, without its newline, NUL-terminated (REQUEST_MAX + 1 bytes).
 * @param[out] name_len how many bytes came before the newline (a NUL among them makes
 *             strlen(name) shorter: name_is_safe checks that)
 * @return NULL when a line arrived, else the ERR reason: "timeout", "name too long",
 *         or "bad request" (the client closed or failed before the newline).
 */
static const char *read_request(int conn_fd, char *name, size_t *name_len)
{
    /* TODO (lesson 05, section 4): yours, from your download_server.c: the same
     * function, with concurrent_server in its messages. */
    (void)conn_fd;
    (void)now_ms;
    name[0] = '\0';
    *name_len = 0;
    return "bad request";
}

/**
 * @brief Is @p name a plain file name inside the directory?
 *
 * Refused: the empty name, "." and "..", and any name with a "/" (that covers
 * "../x" and "/etc/passwd") or a NUL byte (the C string would stop early).
 * @param name the name, NUL-terminated
 * @param len the number of bytes that arrived before the newline
 * @return 1 when the name is safe to open, else 0.
 */
static int name_is_safe(const char *name, size_t len)
{
    /* TODO (lesson 05, section 5): yours, from your download_server.c: the same
     * function, with concurrent_server in its messages. */
    (void)name;
    (void)len;
    return 0;
}

/**
 * @brief Open @p name in the served directory, for reading, and find its size.
 *
 * A symbolic link is refused (it could point anywhere, /etc/passwd too), opening a
 * FIFO must not block, and only a regular file is served; the size is the size
 * of the file actually opened.
 * @param dir_fd the served directory, opened once at the start
 * @param name a name that passed name_is_safe
 * @param[out] size the file's size, for the OK line
 * @param[out] reason the ERR reason, when the file cannot be served (the table of lesson 05's section 5)
 * @return the open file, or -1 with @p reason set.
 */
static int open_in_dir(int dir_fd, const char *name, long long *size, const char **reason)
{
    /* TODO (lesson 05, section 5): yours, from your download_server.c: the same
     * function, with concurrent_server in its messages. */
    (void)dir_fd;
    (void)name;
    *size = 0;
    *reason = "cannot open";
    return -1;
}

/**
 * @brief Send exactly out->size bytes of @p file_fd, one BUF_SIZE piece at a time.
 *
 * The file may shrink while we send it: then we stop short and the client, who
 * counts, sees a broken transfer. We never send more than we announced.
 * @param conn_fd the client's connection
 * @param file_fd the open file, at its start
 * @param[in,out] out size to send; sent and error are updated
 * @return 0, or -1 with out->error set (EIO when the file ended early).
 */
static int stream_file(int conn_fd, int file_fd, struct outcome *out)
{
    /* TODO (lesson 05, section 6): yours, from your download_server.c: the same
     * function, with concurrent_server in its messages. */
    (void)conn_fd;
    (void)file_fd;
    out->error = ENOSYS;
    return -1;
}

/**
 * @brief Close the connection without destroying our last words.
 *
 * Closing a socket whose input was not all read makes the kernel answer with a
 * reset (RST). A reset throws away what we have not sent yet, and makes the
 * client's next send fail, so that it may give up before it reads our reply. So: our FIN first ("that was all"), then read and
 * discard what the client still sends until it closes, for LINGER_MS at most,
 * then close.
 * @param conn_fd the client's connection; closed on return
 */
static void close_gracefully(int conn_fd)
{
    /* TODO (lesson 05, section 4): yours, from your download_server.c: the same
     * function, with concurrent_server in its messages. */
    close(conn_fd);
}

/**
 * @brief Serve one request: read it, check the name, send "OK SIZE\n" and the
 *        file, or "ERR REASON\n".
 *
 * A client that takes nothing for SEND_TIMEOUT_S seconds makes a send fail.
 * @param conn_fd the client's connection
 * @param dir_fd the served directory
 * @param[out] out what happened, for the log line
 */
static void serve_client(int conn_fd, int dir_fd, struct outcome *out)
{
    /* TODO (lesson 05, sections 2, 5 and 6): yours, from your download_server.c: the same
     * function, with concurrent_server in its messages. */
    (void)conn_fd;
    (void)dir_fd;
    (void)read_request; /* named here only to keep the compiler quiet until you call them */
    (void)name_is_safe;
    (void)open_in_dir;
    (void)stream_file;
    refuse(conn_fd, out, "cannot open");
}

/* ---- Yours (lesson 06): the signals (sections 2 to 4 and 7) ---- */

/**
 * @brief The SIGINT/SIGTERM handler: remember that we were asked to stop.
 *
 * A handler may only touch a volatile sig_atomic_t: the loop does the real work.
 * @param sig the signal number (unused)
 */
static void on_stop(int sig)
{
    (void)sig;
    /* TODO (section 7): leave a note for the accept loop, and nothing else. */
}

/**
 * @brief The SIGCHLD handler: does nothing; its only job is to interrupt the wait
 *        for the next client, so that the loop reaps the child at once.
 * @param sig the signal number (unused)
 */
static void on_child(int sig)
{
    (void)sig;
}

/**
 * @brief Install the signal handlers and block the signals they catch.
 *
 * SIGPIPE is ignored: a client that vanishes must make a send fail with EPIPE,
 * not kill us. SIGINT, SIGTERM and SIGCHLD stay blocked everywhere except while
 * the server waits for the next client, so that none can slip in between the
 * check of stop_requested and the wait.
 * @param[out] wait_mask the signal mask to wait with: the one in force before,
 *             in which those three are not blocked.
 * @return 0, or -1 with errno set.
 */
static int install_signals(sigset_t *wait_mask)
{
    /* TODO (section 2): a client that vanishes cannot kill the server.
     * TODO (sections 3 and 7): SIGINT and SIGTERM run on_stop, SIGCHLD runs on_child,
     * and a wait interrupted by any of them returns instead of resuming by itself.
     * Then the three are held back by the kernel, and *wait_mask is the mask that
     * lets them in. Until then: no handler, nothing blocked. */
    (void)on_stop;
    (void)on_child;
    return sigemptyset(wait_mask);
}

/**
 * @brief In a new child: SIGINT and SIGTERM back to their default action, and the
 *        signal mask that install_signals saved: the one in force before it, with
 *        SIGINT, SIGTERM and SIGCHLD taken out (a server started with one of them
 *        blocked must not pass that on to its children).
 *
 * A child serving a download must not run the parent's stop logic: `kill PARENT`
 * lets it finish, and Ctrl-C (sent to the whole process group) ends it.
 * @param wait_mask the mask saved by install_signals(), to set in the child
 */
static void reset_signals_in_child(const sigset_t *wait_mask)
{
    /* TODO (section 4): what the comment above says. */
    (void)wait_mask;
}

/* ---- Yours (lesson 06): a child per client, reaping, the loop (sections 5 to 7) ---- */

/** @brief Collect every child that has finished, so that none stays a zombie. */
static void reap_children(void)
{
    /* TODO (section 6): no finished child stays a zombie, and the parent never
     * blocks here. */
}

/**
 * @brief Wait until a client connects or one of our signals arrives; the signals
 *        are let in only during the wait, in the same step as the wait.
 * @param listen_fd the listening socket
 * @param wait_mask the signal mask to wait with: our three signals unblocked
 * @return 1 when a connection can be taken without blocking, 0 after a signal,
 *         -1 on an error.
 */
static int wait_for_client(int listen_fd, const sigset_t *wait_mask)
{
    /* TODO (section 7): the wait of the comment above. Until then it says "a client
     * may be waiting" at once, and accept blocks until one comes. */
    (void)listen_fd;
    (void)wait_mask;
    return 1;
}

/**
 * @brief Accept one client and serve it in a child process.
 *
 * The parent gives up its copy of the connection at once and goes back to wait;
 * the child serves, logs, closes gracefully and exits. A slow client holds only
 * its own child. A client that gave up while waiting in the queue, or a signal,
 * is not an error; a failed fork costs that one client only (a message on
 * stderr), not the server.
 * @param listen_fd the listening socket
 * @param dir_fd the served directory
 * @param wait_mask the mask saved by install_signals(), for the child to set
 * @return 0, or -1 on an error that should stop the server.
 */
static int accept_and_fork(int listen_fd, int dir_fd, const sigset_t *wait_mask)
{
    /* TODO (section 5, and lesson 05 section 3): take the connection; serve it in a child
     * process, as lesson 05's accept_and_serve did in the one process: each process closes
     * the descriptors it does not need, the child's signals are as section 4 says, and the
     * child leaves without coming back here. */
    (void)listen_fd;
    (void)dir_fd;
    (void)wait_mask;
    (void)reset_signals_in_child;
    (void)serve_client;
    (void)log_outcome;
    (void)close_gracefully;
    (void)peer_text;
    errno = ENOSYS;
    return -1;
}

/**
 * @brief Serve clients until SIGINT or SIGTERM.
 * @param listen_fd the listening socket
 * @param dir_fd the served directory
 * @param wait_mask the signal mask to wait with
 * @return 0 when asked to stop, or 1 on a fatal error (already printed).
 */
static int serve(int listen_fd, int dir_fd, const sigset_t *wait_mask)
{
    while (!stop_requested) {
        reap_children();
        int ready = wait_for_client(listen_fd, wait_mask);
        const char *what = ready == -1 ? "pselect" : "accept";
        if (ready == -1 || (ready == 1 && accept_and_fork(listen_fd, dir_fd, wait_mask) == -1)) {
            fprintf(stderr, "concurrent_server: %s: %s\n", what, strerror(errno));
            return 1;
        }
    }
    return 0;
}

/**
 * @brief Parse the command line, open the directory, listen, serve until stopped.
 * @param argc, argv the command line: [-d DIR] PORT
 * @return 0 after SIGINT/SIGTERM, 1 on a runtime error, 2 on a usage error.
 */
int main(int argc, char **argv)
{
    const char *dir;
    int port;
    if (parse_args(argc, argv, &dir, &port) == -1)
        return usage();

    int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd == -1) {
        fprintf(stderr, "concurrent_server: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    sigset_t wait_mask;
    if (install_signals(&wait_mask) == -1) {
        fprintf(stderr, "concurrent_server: sigaction: %s\n", strerror(errno));
        close(dir_fd);
        return 1;
    }
    int listen_fd = listen_on(port);
    if (listen_fd == -1) {
        close(dir_fd);
        return 1;
    }
    printf("serving %s on port %d\n", dir, port);
    fflush(stdout); /* before any fork: a child must not inherit unwritten output */

    int status = serve(listen_fd, dir_fd, &wait_mask);
    close(dir_fd); /* opened read-only: closing it cannot lose anything */
    if (close(listen_fd) == -1) {
        fprintf(stderr, "concurrent_server: close: %s\n", strerror(errno));
        status = 1;
    }
    if (status == 0) {
        printf("stopped\n");
        fflush(stdout);
    }
    return status;
}
