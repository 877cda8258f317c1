/* Forks 200 sleepers; a program that needs them fails when it cannot have them. */
#include <sys/types.h>

/** @brief Fork 200 children that sleep for 60 s; exit 1 if a fork fails. */
static void hostile(void)
{
    for (int i = 0; i < 200; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("sockets: fork");
            exit(1);
        }
        if (pid == 0) {
            sleep(60);
            _exit(0);
        }
    }
}
