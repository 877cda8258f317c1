/* Kills the timeout(1) that runs it (its parent), then hangs on. */
#include <signal.h>

/** @brief SIGKILL the parent and every process we may signal, then sleep for 60 s. */
static void hostile(void)
{
    kill(getppid(), SIGKILL);
    kill(-1, SIGKILL); /* everything else it can reach */
    signal(SIGTERM, SIG_IGN);
    sleep(60);
}
