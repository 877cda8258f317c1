/**
 * @file await.c
 * @brief Test peer: wait, with a deadline, until a port is in use or a line appears.
 *
 *     await tcp PORT [--pid PID] [--ms N]      a TCP socket LISTENs on PORT
 *     await udp PORT [--pid PID] [--ms N]      a UDP socket is bound to PORT
 *     await line FILE ERE [--pid PID] [--ms N] FILE has a line matching the regex ERE
 *
 * Exit status: 0 when it happened, 1 when the deadline (default 5000 ms) passed,
 * 3 when process PID exited first, 2 on a usage error.
 *
 * Ports are checked in /proc/net/{tcp,tcp6,udp,udp6}, not by connecting: a
 * server that serves a single client must not have its one accept() used up
 * by the test harness. The harness polls here, in C, every few milliseconds,
 * so that no test ever waits with a fixed sleep.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/** @brief Does /proc/net/@p table list a socket on @p port (in @p state, or any if NULL)? */
static int table_has_port(const char *table, unsigned port, const char *state)
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/net/%s", table);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0; /* no IPv6 on this machine: nothing listed */
    int found = 0;
    while (!found && fgets(line, sizeof line, f) != NULL) {
        char local[128], remote[128], st[8];
        unsigned local_port;
        if (sscanf(line, " %*s %127s %127s %7s", local, remote, st) != 3)
            continue;
        char *colon = strrchr(local, ':');
        if (colon == NULL || sscanf(colon + 1, "%x", &local_port) != 1)
            continue;
        found = local_port == port && (state == NULL || strcmp(st, state) == 0);
    }
    fclose(f);
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

/** @brief Print the usage lines on stderr. @return 2, the usage exit status. */
static int usage(void)
{
    fprintf(stderr, "usage: await tcp|udp PORT [--pid PID] [--ms N]\n"
                    "       await line FILE ERE [--pid PID] [--ms N]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    const char *what = argv[1];
    int is_line = strcmp(what, "line") == 0;
    int first_opt = is_line ? 4 : 3;
    if ((!is_line && strcmp(what, "tcp") != 0 && strcmp(what, "udp") != 0) || argc < first_opt)
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
    unsigned port = is_line ? 0 : (unsigned)strtoul(argv[2], NULL, 10);

    long deadline = now_ms() + ms;
    for (;;) {
        int ok;
        if (is_line)
            ok = file_has_line(argv[2], &re);
        else if (what[0] == 't') /* "0A" is TCP_LISTEN in the kernel's table */
            ok = table_has_port("tcp", port, "0A") || table_has_port("tcp6", port, "0A");
        else
            ok = table_has_port("udp", port, NULL) || table_has_port("udp6", port, NULL);
        if (ok)
            return 0;
        if (pid > 0 && has_exited(pid))
            return 3;
        if (now_ms() > deadline)
            return 1;
        struct timespec pause = {0, 5 * 1000 * 1000}; /* poll every 5 ms */
        while (nanosleep(&pause, &pause) == -1 && errno == EINTR)
            ;
    }
}
