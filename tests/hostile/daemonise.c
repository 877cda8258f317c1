/* Leaves a daemon behind: the classic double fork, setsid, descriptors closed. */
#include <sys/types.h>

/** @brief Fork a grandchild in a new session that sleeps for 60 s, holding nothing. */
static void hostile(void)
{
    pid_t child = fork();
    if (child != 0)
        return; /* the program goes on and passes its tests */
    setsid();
    if (fork() != 0)
        _exit(0);
    for (int fd = 0; fd < 64; fd++)
        close(fd);
    sleep(60);
    _exit(0);
}
