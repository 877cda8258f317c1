/**
 * @file faults.c
 * @brief Test preload library: makes a lab program's socket calls move fewer bytes
 *        than asked and fail with EINTR now and then, as the kernel is allowed to.
 *
 *     LD_PRELOAD=build/faults/libfaults.so SOCKLAB_FAULTS=SEED PROGRAM ...
 *
 * Loopback rarely shows a short send or an interrupted recv, so a program that
 * assumes one call moves everything passes by luck. Under this library:
 *   - send, write, sendto on a stream socket may take fewer bytes than offered;
 *   - recv, read, recvfrom on a stream socket may return fewer bytes than are waiting;
 *   - those calls, and accept, poll, ppoll, select and pselect, may fail with EINTR before
 *     they wait (nothing is lost: the call did not happen), on a blocking socket only;
 *     but a send on a datagram socket is never interrupted: it waits only when the send
 *     buffer is full, which no test reaches, and no lesson asks a program to send a
 *     datagram again after EINTR.
 * The first such transfer of each direction in a process is always cut short and the
 * first blocking call of each kind is always interrupted; after that SEED decides
 * (about half the transfers are cut to 1-7 bytes, a quarter of the waits are interrupted),
 * but no more than MAX_CALM blocking calls of a kind in a row go uninterrupted: every
 * loop of more than a few calls meets an EINTR, whatever the seed.
 * The same SEED replays the same choices (the timing of the peer aside).
 *
 * It is inert unless SOCKLAB_FAULTS is set, and in every process whose executable is not
 * in the folder SOCKLAB_BIN (timeout, bash, the test peers, a sandbox): the tests' own
 * calls are never touched. Files, pipes, terminals and datagram sockets are left alone,
 * but for EINTR. SOCKLAB_FAULTS_LOG=FILE appends one line per fault (for replaying).
 *
 * Delays (tests/bench/stress.sh): with SOCKLAB_DELAYS=MS, a lab program or a test peer (an
 * executable in SOCKLAB_BIN or SOCKLAB_PEERS) pauses, before about one call in four of those
 * above and of connect, shutdown and close on a socket, for a random 0 to MS milliseconds:
 * a machine so busy that any process may stop between any two of its calls. Nothing else
 * changes, so every verdict must stay the same; a verdict that changes is a race in the
 * harness or the tests. SOCKLAB_DELAYS works with or without SOCKLAB_FAULTS.
 *
 * A pause before every wait (lesson 06's race): with SOCKLAB_WAIT_PAUSE=MS, a lab program
 * pauses MS milliseconds before each poll, ppoll, select or pselect that may wait (a timeout
 * other than zero) and each accept on a blocking socket, after appending "pid N: CALL: pause MS"
 * to SOCKLAB_FAULTS_LOG. A signal
 * the test sends once it reads that line arrives between the program's last step and its
 * wait: the moment a program that unblocks its signals before the wait, not with it, misses
 * it. The pause only delays: a correct program behaves the same.
 *
 * A pause before the first send (lesson 04's R9.29): with SOCKLAB_SEND_PAUSE=MS, a lab program
 * pauses MS milliseconds before its first send, write or sendto on a stream socket, after
 * appending "pid N: CALL: pause MS" to SOCKLAB_FAULTS_LOG: what a peer does at once after
 * accept (a close, say) has reached the program before it sends a byte.
 *
 * No descriptor left (every lesson's "a system call fails"): with SOCKLAB_SOCKET_EMFILE=1, in a
 * lab program, socket fails with EMFILE without being called, as when the process holds as
 * many descriptors as its limit allows. Nothing else changes.
 *
 * A failing disk (lesson 05's R2.16): with SOCKLAB_FSTAT_EIO=1, in a lab program, fstat and
 * fstatat on a regular file (not standard input, output or error) fail with EIO, after the
 * real call. Nothing else changes; it works with or without SOCKLAB_FAULTS.
 *
 * Too many processes (lesson 06's R8.3): with SOCKLAB_FORK_FAIL=N, in a lab program, the Nth
 * call of fork fails with EAGAIN without making a child, as it does when the user has reached
 * its limit of processes, after appending "pid P: fork: EAGAIN N" to SOCKLAB_FAULTS_LOG.
 * Every other call of fork is the real one; it works with or without SOCKLAB_FAULTS.
 */
#define _GNU_SOURCE /* dlsym(RTLD_NEXT) */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int active;           /* 1 in a lab program with SOCKLAB_FAULTS set */
static uint64_t rng_state;   /* xorshift64 state, from the seed */
static int first_cut[2];     /* 0 until the first send-like / recv-like call was cut */
static int first_eintr[4];   /* 0 until the first blocking call of each kind was interrupted */
static int calm[4];          /* blocking calls of each kind since its last EINTR */
#define MAX_CALM 3           /* at most this many in a row go uninterrupted */
static const char *log_path; /* SOCKLAB_FAULTS_LOG, or NULL */
static long delay_ms;        /* SOCKLAB_DELAYS in a lab program or a test peer, else 0 */
static uint64_t delay_state; /* the delays' own xorshift64 state: they never change the faults' choices */
static long wait_pause_ms;   /* SOCKLAB_WAIT_PAUSE in a lab program, else 0 */
static long send_pause_ms;   /* SOCKLAB_SEND_PAUSE in a lab program until its first send, else 0 */
static int fstat_eio;        /* 1 in a lab program with SOCKLAB_FSTAT_EIO set */
static int socket_emfile;    /* 1 in a lab program with SOCKLAB_SOCKET_EMFILE set */
static long fork_fail_at;    /* SOCKLAB_FORK_FAIL in a lab program: the call of fork that fails, else 0 */
static long forks_seen;      /* calls of fork so far in this process */

enum kind { SENDING, RECEIVING, ACCEPTING, WAITING };

/** @brief One step of xorshift64. @param state the generator's state @return 64 random bits. */
static uint64_t xorshift(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

/** @brief The next pseudo-random number of the faults. @return 64 random bits. */
static uint64_t next_random(void)
{
    return xorshift(&rng_state);
}

/**
 * @brief Is the executable of this process in the folder @p dir?
 * @param dir the folder of the lab programs (SOCKLAB_BIN)
 * @return 1 if it is, 0 if not or if it cannot be told.
 */
static int exe_is_in(const char *dir)
{
    char exe[PATH_MAX], folder[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0 || realpath(dir, folder) == NULL)
        return 0;
    exe[n] = '\0';
    size_t len = strlen(folder);
    return strncmp(exe, folder, len) == 0 && exe[len] == '/' && strchr(exe + len + 1, '/') == NULL;
}

/** @brief Decide once, when the library is loaded, whether this process gets delays. */
static void delays_init(void)
{
    const char *ms = getenv("SOCKLAB_DELAYS");
    const char *bin = getenv("SOCKLAB_BIN"), *peers = getenv("SOCKLAB_PEERS");
    if (ms == NULL || *ms == '\0' || !((bin != NULL && exe_is_in(bin)) || (peers != NULL && exe_is_in(peers))))
        return;
    delay_ms = strtol(ms, NULL, 10);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    delay_state = ((uint64_t)getpid() << 32 ^ (uint64_t)now.tv_nsec) | 1;
}

/**
 * @brief With SOCKLAB_DELAYS: about one call in four, pause 0 to delay_ms milliseconds first.
 *        errno is kept.
 */
static void maybe_delay(void)
{
    if (delay_ms <= 0 || xorshift(&delay_state) % 4 != 0)
        return;
    int saved = errno;
    long us = (long)(xorshift(&delay_state) % ((uint64_t)delay_ms * 1000 + 1));
    struct timespec pause = {us / 1000000, us % 1000000 * 1000};
    while (nanosleep(&pause, &pause) == -1 && errno == EINTR)
        ;
    errno = saved;
}

/** @brief Decide once, when the library is loaded, whether this lab program pauses before its
 *         waits (SOCKLAB_WAIT_PAUSE) or before its first send (SOCKLAB_SEND_PAUSE). */
static void wait_pause_init(void)
{
    const char *bin = getenv("SOCKLAB_BIN");
    if (bin == NULL || !exe_is_in(bin))
        return;
    const char *wait_ms = getenv("SOCKLAB_WAIT_PAUSE"), *send_ms = getenv("SOCKLAB_SEND_PAUSE");
    if (wait_ms != NULL && *wait_ms != '\0')
        wait_pause_ms = strtol(wait_ms, NULL, 10);
    if (send_ms != NULL && *send_ms != '\0')
        send_pause_ms = strtol(send_ms, NULL, 10);
    if (wait_pause_ms > 0 || send_pause_ms > 0)
        log_path = getenv("SOCKLAB_FAULTS_LOG");
}

/** @brief Decide once, when the library is loaded, whether this process gets faults and delays. */
__attribute__((constructor)) static void faults_init(void)
{
    delays_init();
    wait_pause_init();
    const char *seed = getenv("SOCKLAB_FAULTS");
    const char *bin = getenv("SOCKLAB_BIN");
    const char *eio = getenv("SOCKLAB_FSTAT_EIO");
    fstat_eio = eio != NULL && *eio != '\0' && bin != NULL && exe_is_in(bin);
    const char *emfile = getenv("SOCKLAB_SOCKET_EMFILE");
    socket_emfile = emfile != NULL && *emfile != '\0' && bin != NULL && exe_is_in(bin);
    if (socket_emfile)
        log_path = getenv("SOCKLAB_FAULTS_LOG");
    const char *fork_fail = getenv("SOCKLAB_FORK_FAIL");
    if (fork_fail != NULL && *fork_fail != '\0' && bin != NULL && exe_is_in(bin)) {
        fork_fail_at = strtol(fork_fail, NULL, 10);
        log_path = getenv("SOCKLAB_FAULTS_LOG");
    }
    if (seed == NULL || *seed == '\0' || bin == NULL || !exe_is_in(bin))
        return;
    rng_state = strtoull(seed, NULL, 10) * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
    if (rng_state == 0)
        rng_state = 1;
    log_path = getenv("SOCKLAB_FAULTS_LOG");
    active = 1;
}

/** @brief The real function @p name, from the library after this one (libc, or ASan's). */
#define REAL(name) ((__typeof__(&name))real_symbol(#name))

/**
 * @brief Look up the next definition of a symbol.
 * @param name the function's name
 * @return its address (the program cannot run without it: abort if missing).
 */
static void *real_symbol(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (f == NULL)
        abort();
    return f;
}

/**
 * @brief Append one line to SOCKLAB_FAULTS_LOG, if set; errno is kept.
 * @param what the call, e.g. "send"
 * @param fault what was done to it
 * @param arg a number that goes with it (the bytes allowed, or 0)
 */
static void note(const char *what, const char *fault, size_t arg)
{
    if (log_path == NULL)
        return;
    int saved = errno;
    char line[120];
    int len = snprintf(line, sizeof line, "pid %ld: %s: %s %zu\n", (long)getpid(), what, fault, arg);
    int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd != -1) {
        if (len > 0 && REAL(write)(fd, line, (size_t)len) == -1)
            len = 0; /* a log that cannot be written changes nothing */
        close(fd);
    }
    errno = saved;
}

/**
 * @brief Say "pause MS" in the log, then pause @p ms milliseconds; errno is kept. A signal
 *        during the pause does not shorten it (its handler runs, the pause goes on).
 * @param what the call about to be made, e.g. "pselect"
 * @param ms how long
 */
static void pause_ms(const char *what, long ms)
{
    note(what, "pause", (size_t)ms);
    int saved = errno;
    struct timespec pause = {ms / 1000, ms % 1000 * 1000000};
    while (nanosleep(&pause, &pause) == -1 && errno == EINTR)
        ;
    errno = saved;
}

/**
 * @brief With SOCKLAB_WAIT_PAUSE: pause before a wait (pause_ms).
 * @param what the call, e.g. "pselect"
 */
static void pause_before_wait(const char *what)
{
    if (wait_pause_ms > 0)
        pause_ms(what, wait_pause_ms);
}

/**
 * @brief Is @p fd a socket of type @p type?
 * @param fd the descriptor
 * @param type SOCK_STREAM, or -1 for any socket type
 * @return 1 or 0.
 */
static int is_socket(int fd, int type)
{
    int saved = errno, actual;
    socklen_t len = sizeof actual;
    int yes = getsockopt(fd, SOL_SOCKET, SO_TYPE, &actual, &len) == 0 && (type == -1 || actual == type);
    errno = saved;
    return yes;
}

/**
 * @brief Would a call on @p fd with @p flags wait (a blocking descriptor, no MSG_DONTWAIT)?
 * @param fd the descriptor
 * @param flags the call's flags (0 for read and write)
 * @return 1 or 0.
 */
static int would_block(int fd, int flags)
{
    int saved = errno;
    int fl = fcntl(fd, F_GETFL);
    errno = saved;
    return fl != -1 && !(fl & O_NONBLOCK) && !(flags & MSG_DONTWAIT);
}

/**
 * @brief Should this blocking call fail with EINTR now?
 * @param kind which kind of call it is
 * @param what its name, for the log
 * @return 1 if it should (errno is set to EINTR), 0 if it goes ahead.
 */
static int interrupt(enum kind kind, const char *what)
{
    if (first_eintr[kind] && calm[kind] < MAX_CALM && next_random() % 4 != 0) {
        calm[kind]++;
        return 0;
    }
    first_eintr[kind] = 1;
    calm[kind] = 0;
    note(what, "EINTR", 0);
    errno = EINTR;
    return 1;
}

/**
 * @brief How many of @p len bytes this transfer may move.
 * @param kind SENDING or RECEIVING
 * @param what the call's name, for the log
 * @param len the bytes asked for
 * @return @p len, or 1-7 bytes (always fewer than @p len).
 */
static size_t allowed(enum kind kind, const char *what, size_t len)
{
    if (len <= 1 || (first_cut[kind] && next_random() % 2 == 0))
        return len;
    first_cut[kind] = 1;
    size_t max = len - 1 < 7 ? len - 1 : 7;
    size_t n = 1 + (size_t)(next_random() % max);
    note(what, "short", n);
    return n;
}

/**
 * @brief The faults of one transfer on @p fd: EINTR, or fewer bytes.
 * @param fd the descriptor
 * @param flags the call's flags
 * @param kind SENDING or RECEIVING
 * @param what the call's name
 * @param len in: the bytes asked for; out: the bytes the real call may move
 * @return 1 if the call must fail with EINTR instead (errno set), else 0.
 */
static int transfer_faults(int fd, int flags, enum kind kind, const char *what, size_t *len)
{
    if (delay_ms > 0 && is_socket(fd, -1))
        maybe_delay();
    if (send_pause_ms > 0 && kind == SENDING && is_socket(fd, SOCK_STREAM)) {
        pause_ms(what, send_pause_ms);
        send_pause_ms = 0; /* the first send only */
    }
    if (!active || !is_socket(fd, -1))
        return 0;
    /* a datagram socket's sendto() does not wait on loopback: never interrupted (see above) */
    if (would_block(fd, flags) && (kind == RECEIVING || is_socket(fd, SOCK_STREAM)) && interrupt(kind, what))
        return 1;
    if (is_socket(fd, SOCK_STREAM) && !(flags & (MSG_PEEK | MSG_WAITALL)))
        *len = allowed(kind, what, *len);
    return 0;
}

/** @brief send(2), with faults. @param fd socket @param buf bytes @param len count @param flags flags @return as send. */
ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    if (transfer_faults(fd, flags, SENDING, "send", &len))
        return -1;
    return REAL(send)(fd, buf, len, flags);
}

/**
 * @brief sendto(2), with faults.
 * @param fd socket @param buf bytes @param len count @param flags flags
 * @param to address @param tolen its size
 * @return as sendto.
 */
ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen)
{
    if (transfer_faults(fd, flags, SENDING, "sendto", &len))
        return -1;
    return REAL(sendto)(fd, buf, len, flags, to, tolen);
}

/** @brief write(2), with faults on sockets. @param fd descriptor @param buf bytes @param len count @return as write. */
ssize_t write(int fd, const void *buf, size_t len)
{
    if (transfer_faults(fd, 0, SENDING, "write", &len))
        return -1;
    return REAL(write)(fd, buf, len);
}

/** @brief recv(2), with faults. @param fd socket @param buf buffer @param len size @param flags flags @return as recv. */
ssize_t recv(int fd, void *buf, size_t len, int flags)
{
    if (transfer_faults(fd, flags, RECEIVING, "recv", &len))
        return -1;
    return REAL(recv)(fd, buf, len, flags);
}

/**
 * @brief recvfrom(2), with faults.
 * @param fd socket @param buf buffer @param len size @param flags flags
 * @param from sender's address @param fromlen its size
 * @return as recvfrom.
 */
ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen)
{
    if (transfer_faults(fd, flags, RECEIVING, "recvfrom", &len))
        return -1;
    return REAL(recvfrom)(fd, buf, len, flags, from, fromlen);
}

/** @brief read(2), with faults on sockets. @param fd descriptor @param buf buffer @param len size @return as read. */
ssize_t read(int fd, void *buf, size_t len)
{
    if (transfer_faults(fd, 0, RECEIVING, "read", &len))
        return -1;
    return REAL(read)(fd, buf, len);
}

/** @brief accept(2), may be interrupted. @param fd listener @param addr peer @param len its size @return as accept. */
int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    maybe_delay();
    if (would_block(fd, 0))
        pause_before_wait("accept");
    if (active && would_block(fd, 0) && interrupt(ACCEPTING, "accept"))
        return -1;
    return REAL(accept)(fd, addr, len);
}

/** @brief poll(2), may be interrupted. @param fds descriptors @param n count @param ms timeout @return as poll. */
int poll(struct pollfd *fds, nfds_t n, int ms)
{
    maybe_delay();
    if (ms != 0)
        pause_before_wait("poll");
    if (active && ms != 0 && interrupt(WAITING, "poll"))
        return -1;
    return REAL(poll)(fds, n, ms);
}

/**
 * @brief select(2), may be interrupted.
 * @param n highest fd + 1 @param r readable @param w writable @param e exceptions @param t timeout
 * @return as select.
 */
int select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *t)
{
    maybe_delay();
    if (t == NULL || t->tv_sec != 0 || t->tv_usec != 0)
        pause_before_wait("select");
    if (active && (t == NULL || t->tv_sec != 0 || t->tv_usec != 0) && interrupt(WAITING, "select"))
        return -1;
    return REAL(select)(n, r, w, e, t);
}

/**
 * @brief pselect(2), may be interrupted.
 * @param n highest fd + 1 @param r readable @param w writable @param e exceptions
 * @param t timeout @param mask signal mask while waiting
 * @return as pselect.
 */
int pselect(int n, fd_set *r, fd_set *w, fd_set *e, const struct timespec *t, const sigset_t *mask)
{
    maybe_delay();
    if (t == NULL || t->tv_sec != 0 || t->tv_nsec != 0)
        pause_before_wait("pselect");
    if (active && (t == NULL || t->tv_sec != 0 || t->tv_nsec != 0) && interrupt(WAITING, "pselect"))
        return -1;
    return REAL(pselect)(n, r, w, e, t, mask);
}

/**
 * @brief ppoll(2), may be interrupted.
 * @param fds descriptors @param n count @param t timeout @param mask signal mask while waiting
 * @return as ppoll.
 */
int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *t, const sigset_t *mask)
{
    maybe_delay();
    if (t == NULL || t->tv_sec != 0 || t->tv_nsec != 0)
        pause_before_wait("ppoll");
    if (active && (t == NULL || t->tv_sec != 0 || t->tv_nsec != 0) && interrupt(WAITING, "ppoll"))
        return -1;
    return REAL(ppoll)(fds, n, t, mask);
}

/** @brief connect(2), maybe delayed. @param fd socket @param addr address @param len its size @return as connect. */
int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    maybe_delay();
    return REAL(connect)(fd, addr, len);
}

/** @brief shutdown(2), maybe delayed. @param fd socket @param how SHUT_RD, SHUT_WR or SHUT_RDWR @return as shutdown. */
int shutdown(int fd, int how)
{
    maybe_delay();
    return REAL(shutdown)(fd, how);
}

/** @brief close(2), maybe delayed when @p fd is a socket. @param fd descriptor @return as close. */
int close(int fd)
{
    if (delay_ms > 0 && is_socket(fd, -1))
        maybe_delay();
    return REAL(close)(fd);
}

/** @brief fork(2), failing with EAGAIN at the call SOCKLAB_FORK_FAIL names. @return as fork. */
pid_t fork(void)
{
    if (fork_fail_at > 0 && ++forks_seen == fork_fail_at) {
        note("fork", "EAGAIN", (size_t)forks_seen);
        errno = EAGAIN;
        return -1;
    }
    return REAL(fork)();
}

/**
 * @brief socket(2), failing with EMFILE under SOCKLAB_SOCKET_EMFILE.
 * @param domain @param type @param protocol as socket's
 * @return as socket: -1 with errno EMFILE under SOCKLAB_SOCKET_EMFILE.
 */
int socket(int domain, int type, int protocol)
{
    if (socket_emfile) {
        note("socket", "EMFILE", 0);
        errno = EMFILE;
        return -1;
    }
    return REAL(socket)(domain, type, protocol);
}

/**
 * @brief With SOCKLAB_FSTAT_EIO: turn the success of a stat call on a regular file into EIO.
 * @param result what the real call returned
 * @param st what it filled in
 * @param what the call's name, for the log
 * @return @p result, or -1 with errno EIO.
 */
static int stat_result(int result, const struct stat *st, const char *what)
{
    if (!fstat_eio || result != 0 || !S_ISREG(st->st_mode))
        return result;
    note(what, "EIO", 0);
    errno = EIO;
    return -1;
}

/** @brief fstat(2), failing on a regular file with SOCKLAB_FSTAT_EIO. @param fd descriptor @param st result @return as fstat. */
int fstat(int fd, struct stat *st)
{
    int result = REAL(fstat)(fd, st);
    return fd <= 2 ? result : stat_result(result, st, "fstat");
}

/** @brief fstat64, the same (struct stat64 is struct stat on 64-bit Linux). @param fd descriptor @param st result @return as fstat. */
int fstat64(int fd, struct stat64 *st)
{
    int result = REAL(fstat64)(fd, st);
    return fd <= 2 ? result : stat_result(result, (const struct stat *)st, "fstat64");
}

/**
 * @brief fstatat(2), the same.
 * @param dir_fd directory @param path name @param st result @param flags AT_ flags
 * @return as fstatat.
 */
int fstatat(int dir_fd, const char *path, struct stat *st, int flags)
{
    int result = REAL(fstatat)(dir_fd, path, st, flags);
    return *path == '\0' && dir_fd <= 2 ? result : stat_result(result, st, "fstatat");
}
