/**
 * @file dl_requests.c
 * @brief Test peer (lessons 05 and 06): random requests, good and bad, to a download server,
 *        each reply checked against the protocol's rules as lesson 05's section 2 gives them.
 *
 *     dl_requests SEED COUNT PORT DIR LOG
 *
 * From SEED alone (the same requests on every machine), it first writes files with random
 * names into DIR, the folder the server serves: every byte a name may hold (control bytes, a
 * carriage return, quotes, backslashes, 0x7f, bytes of 0x80 and more, UTF-8), lengths 1, 2,
 * 254, 255 and between, contents of random bytes, one file longer than 64 KiB. Then it sends
 * COUNT requests to 127.0.0.1:PORT, one connection each, one after the other:
 *   - a file of DIR, its line sometimes followed by more bytes (ignored), sometimes sent in
 *     pieces a few milliseconds apart;
 *   - a name that is not there;
 *   - a bad name: empty, `.`, `..`, or a name with a `/` or a NUL byte somewhere;
 *   - 256 bytes or more without a newline (too long, whatever bytes they hold);
 *   - 0 to 255 bytes and no newline, then the end of the client's stream (bad request).
 * Each reply must be exactly what the rules give: `OK SIZE\n` and the file's bytes, or
 * `ERR REASON\n`, then the end of the stream. The log line the server must print for each
 * request (R9.6: the client's address and port, the name escaped or `-`, the outcome) goes
 * to LOG, one per request, for the test to compare with the server's log.
 *
 * At the first reply that is not the rules' one: what was sent, expected and received, on
 * stderr as "KEY VALUE" lines (see report()); exit status 1.
 * Exit status 0 all replies right, 2 usage, 3 a fault of its own (DIR not writable, say).
 * It shares no code with the lab's solutions: its rules come from the lesson's text.
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define FILES 16
#define NAME_MAX_BYTES 255
#define REQUEST_MAX 400
#define BIG_FILE (65536 + 4000) /* crosses a 64 KiB buffer: a second pass of the send loop */

/** @brief A file written into DIR: its name's bytes and its contents. */
struct file {
    unsigned char name[NAME_MAX_BYTES];
    size_t name_len;
    unsigned char *data;
    size_t size;
};

/** @brief One request: the bytes sent, how, and what the rules say must come back. */
struct request {
    unsigned char bytes[REQUEST_MAX];
    size_t len;
    int pieces;             /**< sent in this many writes, a few ms apart */
    int close_after;        /**< 1: end the stream after the bytes (no newline came) */
    const char *what;       /**< its kind, for the failure message: file, missing, empty, dot, dotdot, nul, slash, too-long, closed */
    char status[128];       /**< the status line the rules give, "\n" included */
    const struct file *file; /**< for OK: the file whose bytes follow */
    const unsigned char *logged; /**< the name as the log shows it, or NULL for "-" */
    size_t logged_len;
};

static uint64_t rng;

/** @brief splitmix64: the same numbers from the same seed on every machine. */
static uint64_t next_random(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/** @brief A random number from 0 to @p n - 1. */
static size_t below(size_t n)
{
    return (size_t)(next_random() % n);
}

/** @brief One random byte a name may hold: never '/', NUL or a newline. */
static unsigned char name_byte(void)
{
    static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
    static const char marks[] = " \"\\'.,;:!?*()[]{}<>|&$#%~`^+=@";
    unsigned char c;
    switch (below(8)) {
    case 0:
        do
            c = (unsigned char)(1 + below(0x1f)); /* control bytes, \r and \t among them */
        while (c == '\n');
        return c;
    case 1:
        return below(4) == 0 ? 0x7f : (unsigned char)(0x80 + below(0x80));
    case 2:
        return (unsigned char)marks[below(sizeof marks - 1)];
    default:
        return (unsigned char)plain[below(sizeof plain - 1)];
    }
}

/** @brief A name's length: the edges 1, 2, 254 and 255 often, any other length too. */
static size_t name_length(void)
{
    static const size_t edges[] = {1, 2, 254, 255};
    switch (below(4)) {
    case 0:
        return edges[below(4)];
    case 1:
        return 1 + below(NAME_MAX_BYTES);
    default:
        return 1 + below(24);
    }
}

/** @brief Fill @p name with @p len random name bytes, UTF-8 letters among them. */
static void random_name(unsigned char *name, size_t len)
{
    static const unsigned char zhong[] = {0xe4, 0xb8, 0xad}; /* 中 */
    for (size_t i = 0; i < len;) {
        if (len - i >= 3 && below(6) == 0) {
            memcpy(name + i, zhong, 3);
            i += 3;
        } else {
            name[i++] = name_byte();
        }
    }
}

/** @brief 1 if the name is `.` or `..`, which the rules refuse. */
static int dot_name(const unsigned char *name, size_t len)
{
    return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

/** @brief The file among the first @p n of @p files whose name is these bytes, or NULL. */
static const struct file *find_file(const struct file *files, int n, const unsigned char *name, size_t len)
{
    for (int i = 0; i < n; i++)
        if (files[i].name_len == len && memcmp(files[i].name, name, len) == 0)
            return &files[i];
    return NULL;
}

/** @brief Write the files into @p dir, their names and contents from the seed. */
static int make_files(struct file *files, const char *dir)
{
    for (int i = 0; i < FILES; i++) {
        struct file *f = &files[i];
        do {
            f->name_len = name_length();
            random_name(f->name, f->name_len);
        } while (dot_name(f->name, f->name_len) || find_file(files, i, f->name, f->name_len) != NULL);
        f->size = i == 0 ? BIG_FILE : below(4) == 0 ? below(3) : below(3000);
        f->data = malloc(f->size + 1);
        if (f->data == NULL)
            return -1;
        for (size_t j = 0; j < f->size; j++)
            f->data[j] = (unsigned char)next_random();
        char path[4096];
        int n = snprintf(path, sizeof path, "%s/%.*s", dir, (int)f->name_len, (const char *)f->name);
        if (n < 0 || (size_t)n >= sizeof path)
            return -1;
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd == -1) {
            fprintf(stderr, "dl_requests: cannot write a file into %s: %s\n", dir, strerror(errno));
            return -1;
        }
        if (write(fd, f->data, f->size) != (ssize_t)f->size || close(fd) == -1) {
            fprintf(stderr, "dl_requests: cannot write a file into %s\n", dir);
            return -1;
        }
    }
    return 0;
}

/** @brief Add the bytes of a line's end, then maybe bytes after it (the server ignores them). */
static void end_line(struct request *r)
{
    r->bytes[r->len++] = '\n';
    if (below(5) == 0) {
        size_t more = 1 + below(40);
        for (size_t i = 0; i < more; i++)
            r->bytes[r->len++] = (unsigned char)next_random(); /* newlines and NULs too */
    }
}

/** @brief The request for a name that names a file: OK and its bytes. */
static void ask_for_file(struct request *r, const struct file *f)
{
    r->what = "file";
    memcpy(r->bytes, f->name, f->name_len);
    r->len = f->name_len;
    end_line(r);
    if (below(3) == 0)
        r->pieces = 2 + (int)below(4);
    snprintf(r->status, sizeof r->status, "OK %zu\n", f->size);
    r->file = f;
    r->logged = f->name;
    r->logged_len = f->name_len;
}

/** @brief The request for a good name that no file has: ERR no such file. */
static void ask_for_missing(struct request *r, const struct file *files)
{
    size_t len;
    do {
        len = name_length();
        random_name(r->bytes, len);
    } while (dot_name(r->bytes, len) || find_file(files, FILES, r->bytes, len) != NULL);
    r->what = "missing";
    r->len = len;
    r->logged = r->bytes;
    r->logged_len = len;
    end_line(r);
    strcpy(r->status, "ERR no such file\n");
}

/** @brief A request the rules refuse as a bad name: empty, `.`, `..`, or a `/` or NUL in it. */
static void ask_bad_name(struct request *r, const struct file *files)
{
    size_t len = 0;
    switch (below(5)) {
    case 0:
        r->what = "empty";
        break;
    case 1:
        r->what = "dot";
        r->bytes[len++] = '.';
        break;
    case 2:
        r->what = "dotdot";
        len = 2;
        memcpy(r->bytes, "..", 2);
        break;
    default: {
        /* often a file's name with the bad byte after it: serving that file would be wrong */
        const struct file *f = &files[below(FILES)];
        int nul = below(2) == 0;
        r->what = nul ? "nul" : "slash";
        if (below(2) == 0 && f->name_len < NAME_MAX_BYTES) {
            len = f->name_len + 1 + below(NAME_MAX_BYTES - f->name_len);
            memcpy(r->bytes, f->name, f->name_len);
            random_name(r->bytes + f->name_len, len - f->name_len);
            r->bytes[f->name_len] = nul ? '\0' : '/';
        } else {
            len = name_length();
            random_name(r->bytes, len);
            /* the edges often: the first byte (nothing before it) and the last */
            size_t at = below(3) == 0 ? 0 : below(2) == 0 ? len - 1 : below(len);
            r->bytes[at] = nul ? '\0' : '/';
        }
        if (below(3) == 0)
            r->bytes[below(len)] = nul ? '/' : '\0'; /* both faults at once: still a bad name */
    }
    }
    r->len = len;
    r->logged = len > 0 ? r->bytes : NULL; /* an empty name is logged "-" */
    r->logged_len = len;
    end_line(r);
    strcpy(r->status, "ERR bad name\n");
}

/** @brief 256 bytes or more without a newline among the first 256: ERR name too long. */
static void ask_too_long(struct request *r)
{
    r->what = "too-long";
    r->len = 256 + (below(2) == 0 ? 0 : below(60));
    for (size_t i = 0; i < r->len; i++) {
        r->bytes[i] = below(16) == 0 ? (below(2) == 0 ? '/' : '\0') : name_byte();
        if (i >= 256 && below(8) == 0)
            r->bytes[i] = '\n'; /* a newline too late changes nothing */
    }
    if (below(3) == 0)
        r->pieces = 2 + (int)below(3);
    strcpy(r->status, "ERR name too long\n");
}

/** @brief 0 to 255 bytes and no newline, then the end of the stream: ERR bad request. */
static void ask_then_close(struct request *r)
{
    r->what = "closed";
    r->len = below(3) == 0 ? below(2) * 255 : below(NAME_MAX_BYTES + 1);
    for (size_t i = 0; i < r->len; i++)
        r->bytes[i] = below(16) == 0 ? (below(2) == 0 ? '/' : '\0') : name_byte();
    r->close_after = 1;
    strcpy(r->status, "ERR bad request\n");
}

/** @brief Draw the next request from the seed. */
static void next_request(struct request *r, const struct file *files)
{
    memset(r, 0, sizeof *r);
    r->pieces = 1;
    size_t kind = below(20);
    if (kind < 8)
        ask_for_file(r, &files[below(FILES)]);
    else if (kind < 11)
        ask_for_missing(r, files);
    else if (kind < 15)
        ask_bad_name(r, files);
    else if (kind < 17)
        ask_too_long(r);
    else
        ask_then_close(r);
}

/** @brief Print @p len bytes to @p out in double quotes, as the log's rule escapes them (R9.6). */
static void print_escaped(FILE *out, const unsigned char *bytes, size_t len)
{
    fputc('"', out);
    for (size_t i = 0; i < len; i++) {
        if (bytes[i] < 0x20 || bytes[i] == 0x7f || bytes[i] == '"' || bytes[i] == '\\')
            fprintf(out, "\\x%02x", bytes[i]);
        else
            fputc(bytes[i], out);
    }
    fputc('"', out);
}

/** @brief The connection's own port, for its log line. */
static unsigned local_port(int fd)
{
    struct sockaddr_in me;
    socklen_t len = sizeof me;
    if (getsockname(fd, (struct sockaddr *)&me, &len) == -1)
        return 0;
    return ntohs(me.sin_port);
}

/** @brief Send the request's bytes, in its number of pieces; end the stream if it says so. */
static int send_request(int fd, const struct request *r)
{
    size_t sent = 0;
    for (int i = 0; i < r->pieces; i++) {
        size_t piece = i == r->pieces - 1 ? r->len - sent : (r->len - sent) / (size_t)(r->pieces - i);
        if (piece > 0 && send(fd, r->bytes + sent, piece, MSG_NOSIGNAL) != (ssize_t)piece)
            return -1;
        sent += piece;
        if (i < r->pieces - 1)
            nanosleep(&(struct timespec){.tv_nsec = 3000000}, NULL); /* separate segments */
    }
    if (r->close_after && shutdown(fd, SHUT_WR) == -1)
        return -1;
    return 0;
}

/** @brief Read the whole reply, until the server ends its stream (10 s of silence: give up). */
static unsigned char *read_reply(int fd, size_t *len, const char **error)
{
    size_t cap = BIG_FILE + 256, got = 0;
    unsigned char *buf = malloc(cap);
    if (buf == NULL)
        return NULL;
    for (;;) {
        if (got == cap) {
            *error = "more bytes than the largest reply";
            break;
        }
        ssize_t n = recv(fd, buf + got, cap - got, 0);
        if (n == 0)
            break;
        if (n == -1) {
            if (errno == EINTR)
                continue;
            *error = errno == EAGAIN || errno == EWOULDBLOCK ? "nothing for 10 seconds" : strerror(errno);
            break;
        }
        got += (size_t)n;
    }
    *len = got;
    return buf;
}

/**
 * @brief Tell what went wrong with request @p index, on stderr, one "KEY VALUE" line each
 *        (the test words them in the student's language): request, seed, kind, pieces,
 *        end-of-stream (1 when the client ended its stream after the bytes), sent, expected,
 *        file-bytes (after the expected status line, for OK), received, and error when the
 *        reply did not end well.
 */
static void report(unsigned long seed, int index, int count, const struct request *r, const unsigned char *reply,
                   size_t reply_len, const char *error)
{
    fprintf(stderr, "request %d of %d\nseed %lu\nkind %s\npieces %d\nend-of-stream %d\nsent ", index + 1, count,
            seed, r->what, r->pieces, r->close_after);
    print_escaped(stderr, r->bytes, r->len);
    fprintf(stderr, "\nexpected ");
    print_escaped(stderr, (const unsigned char *)r->status, strlen(r->status));
    fprintf(stderr, "\nfile-bytes %zu\nreceived ", r->file != NULL ? r->file->size : 0);
    size_t shown = reply_len > 160 ? 160 : reply_len;
    print_escaped(stderr, reply, shown);
    if (shown < reply_len)
        fprintf(stderr, "... (%zu bytes)", reply_len);
    fputc('\n', stderr);
    if (error != NULL)
        fprintf(stderr, "error %s\n", error);
}

/** @brief 1 if the reply is exactly the status line, the file's bytes if any, and nothing more. */
static int reply_is_right(const struct request *r, const unsigned char *reply, size_t len)
{
    size_t status = strlen(r->status), body = r->file != NULL ? r->file->size : 0;
    return len == status + body && memcmp(reply, r->status, status) == 0 &&
           (body == 0 || memcmp(reply + status, r->file->data, body) == 0);
}

/** @brief One request on a connection of its own; its log line goes to @p log. */
static int one_request(int port, const struct request *r, FILE *log, unsigned char **reply, size_t *len,
                       const char **error)
{
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct timeval ten = {.tv_sec = 10};
    if (fd == -1 || setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == -1 ||
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &ten, sizeof ten) == -1 ||
        connect(fd, (struct sockaddr *)&to, sizeof to) == -1) {
        fprintf(stderr, "dl_requests: connect to 127.0.0.1 port %d: %s\n", port, strerror(errno));
        exit(3);
    }
    fprintf(log, "127.0.0.1:%u ", local_port(fd));
    if (r->logged != NULL)
        print_escaped(log, r->logged, r->logged_len);
    else
        fputc('-', log);
    if (r->file != NULL)
        fprintf(log, " sent %zu bytes\n", r->file->size);
    else
        fprintf(log, " refused: %.*s\n", (int)strlen(r->status) - 5, r->status + 4);
    *error = NULL;
    if (send_request(fd, r) == -1)
        *error = strerror(errno); /* the reply may say why: read it all the same */
    const char *read_error = NULL;
    *reply = read_reply(fd, len, &read_error);
    if (read_error != NULL)
        *error = read_error;
    close(fd);
    return *reply != NULL && *error == NULL && reply_is_right(r, *reply, *len) ? 0 : -1;
}

int main(int argc, char **argv)
{
    char *end;
    if (argc != 6) {
        fprintf(stderr, "usage: dl_requests SEED COUNT PORT DIR LOG\n");
        return 2;
    }
    unsigned long seed = strtoul(argv[1], &end, 10);
    int count = atoi(argv[2]), port = atoi(argv[3]);
    if (*end != '\0' || count < 1 || port < 1 || port > 65535) {
        fprintf(stderr, "usage: dl_requests SEED COUNT PORT DIR LOG\n");
        return 2;
    }
    rng = seed;
    static struct file files[FILES];
    if (make_files(files, argv[4]) == -1)
        return 3;
    FILE *log = fopen(argv[5], "w");
    if (log == NULL) {
        fprintf(stderr, "dl_requests: %s: %s\n", argv[5], strerror(errno));
        return 3;
    }
    for (int i = 0; i < count; i++) {
        struct request r;
        next_request(&r, files);
        unsigned char *reply = NULL;
        size_t len = 0;
        const char *error;
        int right = one_request(port, &r, log, &reply, &len, &error);
        fflush(log);
        if (right == -1) {
            report(seed, i, count, &r, reply != NULL ? reply : (const unsigned char *)"", len, error);
            return 1;
        }
        free(reply);
    }
    for (int i = 0; i < FILES; i++)
        free(files[i].data);
    return fclose(log) == 0 ? 0 : 3;
}
