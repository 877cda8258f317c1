/**
 * @file sigstate.c
 * @brief Test peer (lesson 06): run a program with some signals blocked or ignored, as a
 *        parent (a shell, a service manager, a test) may hand them on.
 *
 *     sigstate [--block SIGS] [--ignore SIGS] [--pending SIGS] -- PROGRAM ARGS
 *
 * SIGS is a comma-separated list of signal names without "SIG": INT, TERM, CHLD, PIPE,
 * HUP, QUIT, USR1, USR2. sigstate adds them to its signal mask (--block) or sets their
 * action to SIG_IGN (--ignore), then runs PROGRAM in its own place (exec): the mask and
 * the ignored signals are kept across exec, so PROGRAM starts with them, as it would under
 * `trap "" TERM` in a shell (ignored) or under a parent that blocked TERM before it forked.
 * --pending SIGS blocks them too, and sends each to itself before the exec: PROGRAM starts
 * with them pending, as when a stop request came while its parent still held it blocked.
 * Exit status: PROGRAM's; 125 on a usage error, 127 if PROGRAM cannot be run.
 * It shares no code with the lab's solutions.
 */
#define _DEFAULT_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/** @brief A signal's name (without "SIG") and number. */
struct named {
    const char *name; /**< e.g. "TERM" */
    int number;       /**< e.g. SIGTERM */
};

static const struct named signals[] = {{"INT", SIGINT},   {"TERM", SIGTERM}, {"CHLD", SIGCHLD},
                                       {"PIPE", SIGPIPE}, {"HUP", SIGHUP},   {"QUIT", SIGQUIT},
                                       {"USR1", SIGUSR1}, {"USR2", SIGUSR2}};

/** @brief Print the usage line. @return 125, the usage exit status. */
static int usage(void)
{
    fprintf(stderr, "usage: sigstate [--block SIGS] [--ignore SIGS] [--pending SIGS] -- PROGRAM ARGS\n"
                    "       SIGS: names joined by commas (INT,TERM,CHLD,PIPE,HUP,QUIT,USR1,USR2)\n");
    return 125;
}

/**
 * @brief Add each signal named in @p list to @p set.
 * @param list names joined by commas (modified: the commas are cut)
 * @param[in,out] set the set
 * @return 0, or -1 for a name it does not know.
 */
static int add_named(char *list, sigset_t *set)
{
    for (char *name = strtok(list, ","); name != NULL; name = strtok(NULL, ",")) {
        size_t i = 0;
        while (i < sizeof signals / sizeof signals[0] && strcmp(signals[i].name, name) != 0)
            i++;
        if (i == sizeof signals / sizeof signals[0])
            return -1;
        sigaddset(set, signals[i].number);
    }
    return 0;
}

int main(int argc, char **argv)
{
    sigset_t block, ignore, pending;
    sigemptyset(&block);
    sigemptyset(&ignore);
    sigemptyset(&pending);
    int i = 1;
    for (; i + 1 < argc && strcmp(argv[i], "--") != 0; i += 2) {
        if (strcmp(argv[i], "--block") == 0 && add_named(argv[i + 1], &block) == 0)
            continue;
        if (strcmp(argv[i], "--ignore") == 0 && add_named(argv[i + 1], &ignore) == 0)
            continue;
        if (strcmp(argv[i], "--pending") == 0 && add_named(argv[i + 1], &pending) == 0)
            continue;
        return usage();
    }
    if (i >= argc || strcmp(argv[i], "--") != 0 || i + 1 >= argc)
        return usage();
    for (size_t k = 0; k < sizeof signals / sizeof signals[0]; k++)
        if (sigismember(&ignore, signals[k].number) == 1 && signal(signals[k].number, SIG_IGN) == SIG_ERR) {
            perror("sigstate: signal");
            return 125;
        }
    for (size_t k = 0; k < sizeof signals / sizeof signals[0]; k++)
        if (sigismember(&pending, signals[k].number) == 1)
            sigaddset(&block, signals[k].number);
    if (sigprocmask(SIG_BLOCK, &block, NULL) == -1) {
        perror("sigstate: sigprocmask");
        return 125;
    }
    /* blocked, each stays pending, and a pending signal is kept across exec */
    for (size_t k = 0; k < sizeof signals / sizeof signals[0]; k++)
        if (sigismember(&pending, signals[k].number) == 1 && raise(signals[k].number) != 0) {
            perror("sigstate: raise");
            return 125;
        }
    execv(argv[i + 1], argv + i + 1);
    fprintf(stderr, "sigstate: %s: ", argv[i + 1]);
    perror(NULL);
    return 127;
}
