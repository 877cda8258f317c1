/* A child in a session of its own, out of reach of a process-group kill. */

/** @brief Fork a child that calls setsid() and sleeps for 60 s. */
static void hostile(void)
{
    if (fork() == 0) {
        setsid();
        sleep(60);
        _exit(0);
    }
}
