/* Writes passing TAP lines into every descriptor of every process it can reach through /proc
 * (bats' output, the grader's files), hoping to be graded as passing. */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>

/** @brief Write forged "ok" lines to each /proc/PID/fd/N that opens for writing. */
static void hostile(void)
{
    static const char forged[] = "\nok 1 each reported fd is a socket the process really holds while it waits\n";
    DIR *procs = opendir("/proc");
    struct dirent *p;
    while (procs != NULL && (p = readdir(procs)) != NULL) {
        if (p->d_name[0] < '0' || p->d_name[0] > '9')
            continue;
        for (int fd = 0; fd < 16; fd++) {
            char path[300];
            snprintf(path, sizeof path, "/proc/%s/fd/%d", p->d_name, fd);
            int out = open(path, O_WRONLY | O_APPEND | O_NONBLOCK);
            if (out >= 0) {
                if (write(out, forged, sizeof forged - 1) < 0)
                    perror("forge");
                close(out);
            }
        }
    }
    if (procs != NULL)
        closedir(procs);
}
