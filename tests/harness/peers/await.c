/**
 * @file await.c
 * @brief Test peer: wait, with a deadline, until a port is in use or a line appears.
 *
 *     await tcp PORT [--pid PID] [--ms N]      a TCP socket LISTENs on PORT
 *     await udp PORT [--pid PID] [--ms N]      a UDP socket is bound to PORT
 *     await line FILE ERE [--pid PID] [--ms N] FILE has a line matching the regex ERE
 *     await read FIFO [--pid PID] [--ms N]     the FIFO (a program's standard input) holds no
 *                                              byte: its reader has read all that was written
 *
 * Exit status: 0 when it happened, 1 when the deadline (default 5000 ms) passed,
 * 3 when process PID exited first, 2 on a usage error.
 *
 * A process that prints its line (or binds its port) and exits at once must count as having
 * done it: a look at the file that finds nothing, then a look at the process that finds it
 * gone, says nothing about what it did in between. So whenever await sees the process
 * ended, or the deadline passed, it looks once more at what it waits for before it decides.
 * For the lab's own test of that rule, SOCKLAB_AWAIT_RACE=FILE widens the window as far as it
 * goes: after the first look that finds nothing, await writes a line "paused" to FILE and
 * waits (within the deadline) until process PID has ended before it looks at the process.
 *
 * Ports are checked in the kernel's tables (/proc/net/{tcp,tcp6,udp,udp6}), not by
 * connecting: a server that serves a single client must not have its one accept()
 * used up by the test harness. The harness polls here, in C, every few milliseconds,
 * so that no test ever waits with a fixed sleep.
 *
 * With --pid, the socket must belong to process PID or one of its descendants: one of
 * them holds a descriptor for a socket whose inode the tables of its own network
 * namespace (/proc/PID/net/...) list on PORT. Another program that happens to listen
 * on the port does not count, whatever it prints.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/** @brief The most socket inodes one port can have in the tables (IPv4 and IPv6, a few each). */
#define MAX_INODES 64
/** @brief How deep the process tree under --pid is searched (a sandbox adds a few levels). */
#define MAX_DEPTH 12

/**
 * @brief Collect the inodes of the sockets on @p port (in @p state, or any if NULL) that a
 *        kernel table lists.
 * @param pid    whose network namespace to read (/proc/PID/net), or 0 for our own
 * @param table  "tcp", "tcp6", "udp" or "udp6"
 * @param port   the local port
 * @param state  the state column ("0A" is TCP_LISTEN), or NULL for any state
 * @param inodes where to add the inodes
 * @param count  how many @p inodes already holds; updated
 */
static void table_inodes(long pid, const char *table, unsigned port, const char *state,
                         unsigned long *inodes, int *count)
{
    char path[64], line[512];
    if (pid > 0)
        snprintf(path, sizeof path, "/proc/%ld/net/%s", pid, table);
    else
        snprintf(path, sizeof path, "/proc/net/%s", table);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return; /* no IPv6 on this machine: nothing listed */
    while (*count < MAX_INODES && fgets(line, sizeof line, f) != NULL) {
        char local[128], remote[128], st[8];
        unsigned local_port;
        unsigned long inode;
        if (sscanf(line, " %*s %127s %127s %7s %*s %*s %*s %*s %*s %lu", local, remote, st, &inode) != 4)
            continue;
        char *colon = strrchr(local, ':');
        if (colon == NULL || sscanf(colon + 1, "%x", &local_port) != 1)
            continue;
        if (local_port == port && (state == NULL || strcmp(st, state) == 0))
            inodes[(*count)++] = inode;
    }
    fclose(f);
}

/**
 * @brief Does process @p pid hold a descriptor for one of the @p count socket @p inodes
 *        (for any socket at all if @p count is 0)?
 */
static int holds_socket(long pid, const unsigned long *inodes, int count)
{
    char path[64], link[64];
    snprintf(path, sizeof path, "/proc/%ld/fd", pid);
    DIR *dir = opendir(path);
    if (dir == NULL)
        return 0; /* gone, or not ours to look into */
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(dir)) != NULL) {
        char fd_path[400];
        snprintf(fd_path, sizeof fd_path, "%s/%s", path, e->d_name);
        ssize_t n = readlink(fd_path, link, sizeof link - 1);
        unsigned long inode;
        if (n <= 0)
            continue;
        link[n] = '\0';
        if (sscanf(link, "socket:[%lu]", &inode) != 1)
            continue;
        found = count == 0;
        for (int i = 0; i < count && !found; i++)
            found = inodes[i] == inode;
    }
    closedir(dir);
    return found;
}

/**
 * @brief Is a socket of @p kind ('t' TCP listening, 'u' UDP bound) on @p port listed in
 *        the tables of @p pid's network namespace (of ours if @p pid is 0), and, if
 *        @p pid > 0, held by @p pid itself?
 */
static int port_in_use(char kind, unsigned port, long pid)
{
    unsigned long inodes[MAX_INODES];
    int count = 0;
    if (pid > 0 && !holds_socket(pid, NULL, 0))
        return 0; /* no socket at all (timeout, bwrap): no table to read */
    const char *state = kind == 't' ? "0A" : NULL; /* "0A" is TCP_LISTEN in the kernel's table */
    table_inodes(pid, kind == 't' ? "tcp" : "udp", port, state, inodes, &count);
    table_inodes(pid, kind == 't' ? "tcp6" : "udp6", port, state, inodes, &count);
    if (count == 0)
        return 0;
    return pid <= 0 || holds_socket(pid, inodes, count);
}

/**
 * @brief Does @p pid or one of its descendants hold a socket of @p kind on @p port?
 *        Each process is checked against the tables of its own network namespace: a
 *        sandboxed program's sockets are not in the tables of the harness's namespace.
 * @param pid the process at the top of the tree
 * @param kind 't' for a listening TCP socket, 'u' for a bound UDP socket
 * @param port the port
 * @param depth how many levels further down to look
 * @return 1 if some process of the tree holds such a socket, else 0.
 */
static int tree_uses_port(long pid, char kind, unsigned port, int depth)
{
    if (port_in_use(kind, port, pid))
        return 1;
    if (depth == 0)
        return 0;
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/task", pid);
    DIR *tasks = opendir(path);
    if (tasks == NULL)
        return 0;
    int found = 0;
    struct dirent *t;
    while (!found && (t = readdir(tasks)) != NULL) {
        char children_path[400];
        snprintf(children_path, sizeof children_path, "%s/%s/children", path, t->d_name);
        FILE *f = t->d_name[0] == '.' ? NULL : fopen(children_path, "r");
        if (f == NULL)
            continue;
        long child;
        while (!found && fscanf(f, "%ld", &child) == 1)
            found = tree_uses_port(child, kind, port, depth - 1);
        fclose(f);
    }
    closedir(tasks);
    return found;
}

/** @brief Does FILE have a line that matches @p re? */
static int file_has_line(const char *file, const regex_t *re)
{
    FILE *f = fopen(file, "r");
    if (f == NULL)
        return 0;
    char line[4096];
    int found = 0;
    while (!found && fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        found = regexec(re, line, 0, NULL, 0) == 0;
    }
    fclose(f);
    return found;
}

/** @brief Has process @p pid exited (gone, or a zombie not yet reaped)? */
static int has_exited(long pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *paren = strrchr(buf, ')'); /* the name may hold spaces and parentheses */
    return paren == NULL || paren[1] == '\0' || paren[2] == 'Z' || paren[2] == 'X';
}

/** @brief A monotonic clock in milliseconds. */
static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/** @brief Sleep @p ms milliseconds, whatever signals come. */
static void pause_ms(long ms)
{
    struct timespec pause = {ms / 1000, (ms % 1000) * 1000 * 1000};
    while (nanosleep(&pause, &pause) == -1 && errno == EINTR)
        ;
}

/**
 * @brief Does the FIFO @p path hold no unread byte? FIONREAD counts the bytes in a pipe from
 *        either end; we open a write end of our own (without blocking: a FIFO that no one
 *        reads any more has nothing left to read either, and counts as drained).
 */
static int fifo_drained(const char *path)
{
    static int fd = -1;
    if (fd == -1)
        fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd == -1)
        return errno == ENXIO; /* no reader */
    int unread = 0;
    if (ioctl(fd, FIONREAD, &unread) == -1) {
        fprintf(stderr, "await: FIONREAD on %s: %s\n", path, strerror(errno));
        exit(2);
    }
    return unread == 0;
}

/**
 * @brief Has what we wait for happened: a line of @p file matches @p re ("line"), or a
 *        socket of @p pid's tree (of anyone's, without a pid) is on @p port ("tcp", "udp")?
 */
static int happened(const char *what, const char *file, const regex_t *re, unsigned port, long pid)
{
    if (strcmp(what, "line") == 0)
        return file_has_line(file, re);
    if (strcmp(what, "read") == 0)
        return fifo_drained(file);
    return pid > 0 ? tree_uses_port(pid, what[0], port, MAX_DEPTH) : port_in_use(what[0], port, 0);
}

/**
 * @brief The lab's test of the race (SOCKLAB_AWAIT_RACE): write "paused" to @p marker, then
 *        wait until process @p pid has ended or the deadline has passed.
 */
static void widen_window(const char *marker, long pid, long deadline)
{
    FILE *f = fopen(marker, "w");
    if (f == NULL || fputs("paused\n", f) == EOF || fclose(f) == EOF) {
        fprintf(stderr, "await: cannot write %s: %s\n", marker, strerror(errno));
        exit(2);
    }
    while (pid > 0 && !has_exited(pid) && now_ms() <= deadline)
        pause_ms(1);
}

/** @brief Print the usage lines on stderr. @return 2, the usage exit status. */
static int usage(void)
{
    fprintf(stderr, "usage: await tcp|udp PORT [--pid PID] [--ms N]\n"
                    "       await line FILE ERE [--pid PID] [--ms N]\n"
                    "       await read FIFO [--pid PID] [--ms N]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    const char *what = argv[1];
    int is_line = strcmp(what, "line") == 0;
    int first_opt = is_line ? 4 : 3;
    if ((!is_line && strcmp(what, "tcp") != 0 && strcmp(what, "udp") != 0 && strcmp(what, "read") != 0) ||
        argc < first_opt)
        return usage();

    long pid = 0, ms = 5000;
    for (int i = first_opt; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--pid") == 0)
            pid = strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--ms") == 0)
            ms = strtol(argv[i + 1], NULL, 10);
        else
            return usage();
    }

    regex_t re;
    if (is_line && regcomp(&re, argv[3], REG_EXTENDED | REG_NOSUB) != 0) {
        fprintf(stderr, "await: bad regex: %s\n", argv[3]);
        return 2;
    }
    unsigned port = is_line || what[0] == 'r' ? 0 : (unsigned)strtoul(argv[2], NULL, 10);

    long deadline = now_ms() + ms;
    const char *race = getenv("SOCKLAB_AWAIT_RACE");
    for (;;) {
        if (happened(what, argv[2], &re, port, pid))
            return 0;
        if (race != NULL && *race != '\0') {
            widen_window(race, pid, deadline);
            race = NULL;
        }
        /* the process ended, or time is up: what it did before counts, so look once more; and
         * a process that ended just as time ran out has ended (wait_exit SECS waits for that) */
        if (pid > 0 && has_exited(pid))
            return happened(what, argv[2], &re, port, pid) ? 0 : 3;
        if (now_ms() > deadline) {
            if (happened(what, argv[2], &re, port, pid))
                return 0;
            return pid > 0 && has_exited(pid) ? 3 : 1;
        }
        pause_ms(5); /* poll every 5 ms */
    }
}
