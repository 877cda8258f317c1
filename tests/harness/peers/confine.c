/**
 * @file confine.c
 * @brief Harness tool: run one program under a time limit, with resource limits, as
 *        another user; or kill every process of that user.
 *
 *     confine [OPTIONS] -- PROGRAM ARGS    run PROGRAM like timeout(1) does
 *     confine --sweep UID                  kill every process that runs as UID
 *
 * OPTIONS:
 *     --timeout S      seconds PROGRAM may run (default 10); then SIGTERM, SIGKILL 2 s later
 *     --uid UID        run PROGRAM as UID (group UID, no other groups); we must be root
 *     --cpu S          RLIMIT_CPU: seconds of CPU time (signal XCPU past it)
 *     --mem-mib N      RLIMIT_AS: address space in MiB (0: none, for ASan builds)
 *     --procs N        RLIMIT_NPROC: processes and threads of the user
 *     --fsize-mib N    RLIMIT_FSIZE: the largest file it may write, in MiB (signal XFSZ past it)
 *     --files N        RLIMIT_NOFILE: open descriptors
 *
 * This is what tests/harness/test_helper.bash runs every program of a test under: one fork and one
 * exec, cheaper than the timeout, prlimit and setpriv chain it replaces. PROGRAM keeps only
 * descriptors 0, 1 and 2 (not bats' nor the test's other pipes). confine stays outside,
 * as the process group leader, the way timeout(1) does, so that the harness can kill the
 * group. Run as another user, PROGRAM cannot signal confine, the harness or bats, nor
 * read their descriptors through /proc: its time limit holds whatever it does.
 * Processes it leaves behind in a new session are found by their user: the harness runs
 * `confine --sweep UID` when a test ends (the grader gives each lesson a user of its own,
 * and runs it in a PID namespace of its own, so a sweep never reaches another grading).
 *
 * Exit status: PROGRAM's status (128+N if signal N ended it), 124 if it ran out of time,
 * 125 if confine itself failed, 126 if PROGRAM could not be run, 127 if it was not found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/** @brief Seconds between SIGTERM and SIGKILL when the time is up. */
#define KILL_AFTER 2

/** @brief What to run and under which limits (-1: not set). */
struct limits {
    double timeout; /**< seconds of wall-clock time */
    long uid;       /**< user to run as, or -1 */
    long cpu;       /**< RLIMIT_CPU in seconds */
    long mem_mib;   /**< RLIMIT_AS in MiB (0: none) */
    long procs;     /**< RLIMIT_NPROC */
    long fsize_mib; /**< RLIMIT_FSIZE in MiB */
    long files;     /**< RLIMIT_NOFILE */
};

/**
 * @brief Print the usage line and exit 125 (a harness error, as timeout(1) does).
 */
static void usage(void)
{
    fprintf(stderr, "usage: confine [--timeout S] [--uid UID] [--cpu S] [--mem-mib N] [--procs N] "
                    "[--fsize-mib N] [--files N] -- PROGRAM [ARGS...] | confine --sweep UID\n");
    exit(125);
}

/**
 * @brief Close every descriptor above 2: neither confine nor the program may hold bats' own
 *        (fd 3, the test's output) or the write ends of other programs' standard input,
 *        whose closing must be their end of file.
 */
static void close_others(void)
{
    if (close_range(3, ~0U, 0) == 0)
        return; /* Linux 5.9 and later; else one by one */
    long max = sysconf(_SC_OPEN_MAX);
    for (long fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
        close((int)fd);
}

/**
 * @brief Parse a whole non-negative number, or exit with the usage line.
 * @param text the option's value
 * @return the number
 */
static long number(const char *text)
{
    char *end;
    errno = 0;
    long n = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || n < 0)
        usage();
    return n;
}

/**
 * @brief Set one resource limit (soft and hard) if @p value is set.
 * @param resource an RLIMIT_* constant
 * @param value    the limit, or -1 to leave it
 * @param scale    what one unit of @p value is in the kernel's unit (bytes, seconds)
 * @return 0, or -1 if setrlimit failed
 */
static int set_limit(int resource, long value, rlim_t scale)
{
    if (value < 0)
        return 0;
    struct rlimit rl = {.rlim_cur = (rlim_t)value * scale, .rlim_max = (rlim_t)value * scale};
    return setrlimit(resource, &rl);
}

/**
 * @brief Become @p uid (its own group, no other groups); nothing if @p uid is -1.
 * @return 0, or -1 if a call failed
 */
static int become(long uid)
{
    if (uid < 0)
        return 0;
    if (setgroups(0, NULL) == -1 || setresgid((gid_t)uid, (gid_t)uid, (gid_t)uid) == -1 ||
        setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) == -1)
        return -1;
    return 0;
}

/**
 * @brief In the child: set the limits, become the user,
 *        restore the signals, exec the program. Never returns.
 * @param lim  the limits
 * @param argv the program and its arguments
 */
static void run_child(const struct limits *lim, char **argv)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGTTIN, SIG_DFL);
    signal(SIGTTOU, SIG_DFL);
    /* NPROC is checked at setuid(): set the limits first, as root, then become the user */
    if (set_limit(RLIMIT_CPU, lim->cpu, 1) == -1 ||
        set_limit(RLIMIT_AS, lim->mem_mib > 0 ? lim->mem_mib : -1, 1 << 20) == -1 ||
        set_limit(RLIMIT_NPROC, lim->procs, 1) == -1 || set_limit(RLIMIT_FSIZE, lim->fsize_mib, 1 << 20) == -1 ||
        set_limit(RLIMIT_NOFILE, lim->files, 1) == -1 || set_limit(RLIMIT_CORE, lim->uid >= 0 ? 0 : -1, 1) == -1) {
        fprintf(stderr, "confine: setrlimit: %s\n", strerror(errno));
        _exit(125);
    }
    if (become(lim->uid) == -1) {
        fprintf(stderr, "confine: cannot run as user %ld: %s\n", lim->uid, strerror(errno));
        _exit(125);
    }
    execvp(argv[0], argv);
    int code = errno == ENOENT ? 127 : 126;
    fprintf(stderr, "confine: %s: %s\n", argv[0], strerror(errno));
    _exit(code);
}

/**
 * @brief Wait for @p child until @p seconds have passed; pass on TERM, INT and HUP to it.
 * @param child   the program's process
 * @param seconds how long to wait
 * @param status  the child's wait status, when it ended
 * @return 1 if it ended, 0 if the time was up
 */
static int wait_until(pid_t child, double seconds, int *status)
{
    struct timespec now, end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    end.tv_sec += (time_t)seconds;
    end.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
    if (end.tv_nsec >= 1000000000L) {
        end.tv_sec++;
        end.tv_nsec -= 1000000000L;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    for (;;) {
        if (waitpid(child, status, WNOHANG) == child)
            return 1;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left_ns = (end.tv_sec - now.tv_sec) * 1000000000L + (end.tv_nsec - now.tv_nsec);
        if (left_ns <= 0)
            return 0;
        struct timespec left = {.tv_sec = left_ns / 1000000000L, .tv_nsec = left_ns % 1000000000L};
        int sig = sigtimedwait(&set, NULL, &left);
        if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP)
            kill(child, sig); /* the harness ends the program: pass it on */
    }
}

/**
 * @brief Run the program under the limits and the timeout, as confine's usage says.
 * @param lim  the limits
 * @param argv the program and its arguments
 * @return confine's exit status
 */
static int confine(const struct limits *lim, char **argv)
{
    setpgid(0, 0); /* lead a process group, as timeout(1) does: the harness kills the group */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, NULL);
    pid_t child = fork();
    if (child == -1) {
        fprintf(stderr, "confine: fork: %s\n", strerror(errno));
        return 125;
    }
    if (child == 0)
        run_child(lim, argv);
    int status = 0;
    if (!wait_until(child, lim->timeout, &status)) {
        kill(child, SIGTERM);
        if (!wait_until(child, KILL_AFTER, &status)) {
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
        }
        return 124;
    }
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

/**
 * @brief Kill every process that runs as @p uid (that we may signal: in our PID namespace).
 *        A child becomes the user and calls kill(-1): the kernel signals every process of
 *        the user but the caller, whatever session or group it is in.
 * @param uid the user
 * @return 0, or 125 if a call failed
 */
static int sweep(long uid)
{
    pid_t pid = fork();
    if (pid == -1) {
        fprintf(stderr, "confine: fork: %s\n", strerror(errno));
        return 125;
    }
    if (pid == 0) {
        if (become(uid) == -1) {
            fprintf(stderr, "confine: cannot become user %ld: %s\n", uid, strerror(errno));
            _exit(125);
        }
        /* a process that forks while the kernel walks the list may escape one pass */
        for (int pass = 0; pass < 4 && kill(-1, SIGKILL) == 0; pass++)
            ;
        _exit(0);
    }
    int status;
    if (waitpid(pid, &status, 0) == -1)
        return 125;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 125;
}

int main(int argc, char **argv)
{
    struct limits lim = {10, -1, -1, -1, -1, -1, -1};
    close_others();
    if (argc == 3 && strcmp(argv[1], "--sweep") == 0)
        return sweep(number(argv[2]));
    int i = 1;
    for (; i + 1 < argc && strcmp(argv[i], "--") != 0; i += 2) {
        const char *opt = argv[i], *val = argv[i + 1];
        if (strcmp(opt, "--timeout") == 0) {
            char *end;
            lim.timeout = strtod(val, &end);
            if (end == val || *end != '\0' || lim.timeout <= 0)
                usage();
        } else if (strcmp(opt, "--uid") == 0)
            lim.uid = number(val);
        else if (strcmp(opt, "--cpu") == 0)
            lim.cpu = number(val);
        else if (strcmp(opt, "--mem-mib") == 0)
            lim.mem_mib = number(val);
        else if (strcmp(opt, "--procs") == 0)
            lim.procs = number(val);
        else if (strcmp(opt, "--fsize-mib") == 0)
            lim.fsize_mib = number(val);
        else if (strcmp(opt, "--files") == 0)
            lim.files = number(val);
        else
            usage();
    }
    if (i >= argc - 1 || strcmp(argv[i], "--") != 0)
        usage();
    return confine(&lim, argv + i + 1);
}
