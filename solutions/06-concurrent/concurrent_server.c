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

/* ---- From lesson 05: the command line ---- */

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

/* ---- Lesson 06: the signals (sections 2 to 4 and 7) ---- */

/**
 * @brief The SIGINT/SIGTERM handler: remember that we were asked to stop.
 *
 * A handler may only touch a volatile sig_atomic_t: the loop does the real work.
 * @param sig the signal number (unused)
 */
static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/**
 * @brief The SIGCHLD handler: does nothing; its only job is to make pselect() return.
 * @param sig the signal number (unused)
 */
static void on_child(int sig)
{
    (void)sig;
}

/**
 * @brief Install the signal handlers and block the signals they catch.
 *
 * SIGPIPE is ignored: a client that vanishes must make send() fail with EPIPE, not
 * kill us. SIGINT, SIGTERM and SIGCHLD stay blocked except inside pselect(), so
 * that one can never slip in between our check of stop_requested and the wait.
 * @param[out] wait_mask the mask pselect() must use: ours without those three.
 * @return 0, or -1 with errno set.
 */
static int install_signals(sigset_t *wait_mask)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &sa, NULL) == -1)
        return -1;
    sa.sa_handler = on_stop; /* no SA_RESTART: an interrupted call returns EINTR to the loop */
    if (sigaction(SIGINT, &sa, NULL) == -1 || sigaction(SIGTERM, &sa, NULL) == -1)
        return -1;
    sa.sa_handler = on_child;
    if (sigaction(SIGCHLD, &sa, NULL) == -1)
        return -1;

    sigset_t caught;
    sigemptyset(&caught);
    sigaddset(&caught, SIGINT);
    sigaddset(&caught, SIGTERM);
    sigaddset(&caught, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &caught, wait_mask) == -1)
        return -1;
    /* the mask we were started with may block some of them already (exec keeps it) */
    sigdelset(wait_mask, SIGINT);
    sigdelset(wait_mask, SIGTERM);
    sigdelset(wait_mask, SIGCHLD);
    return 0;
}

/**
 * @brief In a new child: SIGINT and SIGTERM back to their default action, and the
 *        signal mask that install_signals() saved: the one in force before it, with
 *        SIGINT, SIGTERM and SIGCHLD taken out (whatever else it blocked stays blocked).
 *
 * A child serving a download must not run the parent's stop logic: `kill PARENT`
 * lets it finish, and Ctrl-C (sent to the whole process group) ends it.
 * @param wait_mask the mask saved by install_signals(), to set in the child
 */
static void reset_signals_in_child(const sigset_t *wait_mask)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = SIG_DFL; /* these calls fail only for a bad signal number: not ours */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigprocmask(SIG_SETMASK, wait_mask, NULL);
}

/* ---- From lesson 05: listening, one request, one reply, the log line ---- */

/**
 * @brief Create a TCP socket listening on @p port of every IPv4 address.
 * @param port the port to bind
 * @return the listening socket, or -1 after printing "concurrent_server: CALL port PORT: ...".
 */
static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd == -1) {
        fprintf(stderr, "concurrent_server: socket port %d: %s\n", port, strerror(errno));
        return -1;
    }
    int one = 1; /* restart at once, even while old connections sit in TIME_WAIT */
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    const char *what = "setsockopt";
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1)
        goto fail;
    what = "bind";
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) == -1)
        goto fail;
    what = "listen";
    if (listen(fd, 128) == -1)
        goto fail;
    return fd;

fail:
    fprintf(stderr, "concurrent_server: %s port %d: %s\n", what, port, strerror(errno));
    close(fd);
    return -1;
}

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
 * @brief Read the request line: bytes up to a newline, within REQUEST_TIMEOUT_MS in all.
 *
 * The name may come in any number of pieces: we keep reading until the newline is
 * among the bytes we hold. The deadline covers the whole line, so a client that
 * sends one byte a second cannot hold us longer than one that sends nothing.
 * @param conn_fd the client's connection, just accepted
 * @param[out] name the name, without its newline, NUL-terminated (REQUEST_MAX + 1 bytes).
 * @param[out] name_len how many bytes came before the newline (a NUL among them makes
 *             strlen(name) shorter: name_is_safe() checks that)
 * @return NULL when a line arrived, else the ERR reason: "timeout", "name too long",
 *         or "bad request" (the client closed or failed before the newline).
 */
static const char *read_request(int conn_fd, char *name, size_t *name_len)
{
    char buf[REQUEST_MAX];
    size_t got = 0;
    long long deadline = now_ms() + REQUEST_TIMEOUT_MS;
    for (;;) {
        char *newline = memchr(buf, '\n', got);
        if (newline != NULL) {
            *name_len = (size_t)(newline - buf); /* anything after the newline is ignored */
            memcpy(name, buf, *name_len);
            name[*name_len] = '\0';
            return NULL;
        }
        if (got == sizeof buf)
            return "name too long";
        long long left = deadline - now_ms();
        struct pollfd p = {conn_fd, POLLIN, 0};
        int ready = left > 0 ? poll(&p, 1, (int)left) : 0;
        if (ready == 0)
            return "timeout";
        if (ready == -1 && errno == EINTR)
            continue;
        ssize_t n = ready == -1 ? -1 : recv(conn_fd, buf + got, sizeof buf - got, 0);
        if (n == -1 && errno == EINTR)
            continue;
        if (n <= 0)
            return "bad request";
        got += (size_t)n;
    }
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
    if (len == 0 || strlen(name) != len || strchr(name, '/') != NULL)
        return 0;
    return strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/**
 * @brief Open @p name in the served directory, for reading, and find its size.
 *
 * O_NOFOLLOW refuses a symbolic link (it could point anywhere, /etc/passwd too);
 * O_NONBLOCK keeps a FIFO from blocking us; fstat() then refuses all but regular files.
 * A failed fstat() (rare: EIO, say) is "cannot open": we hold the file, and cannot serve it.
 * @param dir_fd the served directory, opened once at the start
 * @param name a name that passed name_is_safe()
 * @param[out] size the file's size, for the OK line
 * @param[out] reason the ERR reason, when the file cannot be served
 * @return the open file, or -1 with @p reason set.
 */
static int open_in_dir(int dir_fd, const char *name, long long *size, const char **reason)
{
    int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd == -1) {
        *reason = errno == ENOENT   ? "no such file"
                  : errno == EACCES ? "permission denied"
                  : errno == ELOOP  ? "not a regular file"
                                    : "cannot open";
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) == -1) {
        *reason = "cannot open";
    } else if (!S_ISREG(st.st_mode)) {
        *reason = "not a regular file";
    } else {
        *size = (long long)st.st_size;
        return fd;
    }
    close(fd);
    return -1;
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
 * @brief Send exactly out->size bytes of @p file_fd, one BUF_SIZE piece at a time.
 *
 * The file may shrink while we send it: then we stop short and the client, who
 * counts, sees a broken transfer. We never send more than we announced.
 * @param conn_fd the client's connection
 * @param file_fd the open file, at its start
 * @param[in,out] out size to send; sent and error are updated
 * @return 0, or -1 with out->error set.
 */
static int stream_file(int conn_fd, int file_fd, struct outcome *out)
{
    static char buf[BUF_SIZE];
    while (out->sent < out->size) {
        size_t want = sizeof buf;
        if ((long long)want > out->size - out->sent)
            want = (size_t)(out->size - out->sent);
        ssize_t n = read(file_fd, buf, want);
        if (n == -1 && errno == EINTR)
            continue;
        if (n <= 0) {
            out->error = n == 0 ? EIO : errno; /* n == 0: the file became shorter */
            return -1;
        }
        if (send_all(conn_fd, buf, (size_t)n) == -1) {
            out->error = errno;
            return -1;
        }
        out->sent += n;
    }
    return 0;
}

/**
 * @brief Close the connection without destroying our last words.
 *
 * close() on a socket with unread input makes the kernel answer with a reset (RST).
 * A reset throws away what we have not sent yet (the end of our reply may still be
 * in our send buffer), and makes the client's next send fail, so that it may give
 * up before it reads our reply. So: shutdown(SHUT_WR) sends our FIN ("that was all"), then we read and
 * discard what the client still sends until it closes, for LINGER_MS at most.
 * @param conn_fd the client's connection; closed on return
 */
static void close_gracefully(int conn_fd)
{
    char sink[512];
    long long deadline = now_ms() + LINGER_MS;
    shutdown(conn_fd, SHUT_WR); /* fails only if the client is gone: nothing to save then */
    for (;;) {
        long long left = deadline - now_ms();
        struct pollfd p = {conn_fd, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0 || recv(conn_fd, sink, sizeof sink, 0) <= 0)
            break;
    }
    close(conn_fd); /* the reply is out and the log line written: no one to tell of an error */
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
 * @brief Serve one request: read it, check the name, send OK and the file or ERR.
 * @param conn_fd the client's connection
 * @param dir_fd the served directory
 * @param[out] out what happened, for the log line
 */
static void serve_client(int conn_fd, int dir_fd, struct outcome *out)
{
    struct timeval send_timeout = {SEND_TIMEOUT_S, 0};
    if (setsockopt(conn_fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout) == -1) {
        out->error = errno;
        return;
    }
    const char *reason = read_request(conn_fd, out->name, &out->name_len);
    if (reason != NULL) {
        refuse(conn_fd, out, reason);
        return;
    }
    if (!name_is_safe(out->name, out->name_len)) {
        refuse(conn_fd, out, "bad name");
        return;
    }
    int file_fd = open_in_dir(dir_fd, out->name, &out->size, &reason);
    if (file_fd == -1) {
        refuse(conn_fd, out, reason);
        return;
    }
    char header[32];
    int header_len = snprintf(header, sizeof header, "OK %lld\n", out->size);
    if (send_all(conn_fd, header, (size_t)header_len) == -1)
        out->error = errno;
    else
        stream_file(conn_fd, file_fd, out);
    close(file_fd); /* opened read-only: closing it cannot lose data */
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
 * @param peer the address accept() gave
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

/* ---- Lesson 06: a child per client, reaping, the loop (sections 5 to 7) ---- */

/** @brief Collect every child that has finished, so that none stays a zombie. */
static void reap_children(void)
{
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
}

/**
 * @brief Wait until a client connects or a signal arrives.
 * @param listen_fd the listening socket
 * @param wait_mask the signal mask to wait with: our three signals unblocked
 * @return 1 when accept() will not block, 0 after a signal, -1 on an error.
 */
static int wait_for_client(int listen_fd, const sigset_t *wait_mask)
{
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(listen_fd, &readable);
    /* Our three signals are unblocked only while pselect() waits: atomically. */
    int n = pselect(listen_fd + 1, &readable, NULL, NULL, NULL, wait_mask);
    if (n == -1 && errno == EINTR)
        return 0;
    return n == -1 ? -1 : 1;
}

/**
 * @brief Accept one client and serve it in a child process.
 *
 * The parent closes its copy of the connection at once and goes back to accept();
 * the child serves, logs and exits. A slow client holds only its own child.
 * @param listen_fd the listening socket
 * @param dir_fd the served directory
 * @param wait_mask the mask saved by install_signals(), for the child to restore
 * @return 0, or -1 on an error that should stop the server.
 */
static int accept_and_fork(int listen_fd, int dir_fd, const sigset_t *wait_mask)
{
    struct sockaddr_in peer;
    socklen_t peer_len = sizeof peer;
    int conn_fd = accept(listen_fd, (struct sockaddr *)&peer, &peer_len);
    if (conn_fd == -1) /* ECONNABORTED: that client gave up before we took it */
        return errno == EINTR || errno == ECONNABORTED ? 0 : -1;

    pid_t pid = fork();
    if (pid == 0) {
        close(listen_fd);
        reset_signals_in_child(wait_mask);
        char who[INET_ADDRSTRLEN + 8];
        peer_text(&peer, who, sizeof who);
        struct outcome out = {.name = ""};
        serve_client(conn_fd, dir_fd, &out);
        log_outcome(who, &out);
        close_gracefully(conn_fd);
        exit(0);
    }
    if (pid == -1)
        fprintf(stderr, "concurrent_server: fork: %s\n", strerror(errno)); /* drop this client, go on */
    close(conn_fd);
    return 0;
}

/**
 * @brief Serve clients until SIGINT or SIGTERM.
 * @param listen_fd the listening socket
 * @param dir_fd the served directory
 * @param wait_mask the signal mask pselect() waits with
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
