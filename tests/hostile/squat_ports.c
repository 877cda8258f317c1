/* Squats the port range 20000-31999 (TCP and UDP) from a daemon that outlives the program. */
#include <netinet/in.h>

/** @brief Bind @p type sockets to as many ports of 20000-31999 as the descriptors allow. */
static void squat(int type)
{
    for (int port = 20000; port < 32000; port++) {
        int fd = socket(AF_INET, type, 0);
        if (fd < 0)
            return; /* out of descriptors */
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || (type == SOCK_STREAM && listen(fd, 1) != 0))
            close(fd);
    }
}

/** @brief Fork a daemon that holds the ports for 60 s. */
static void hostile(void)
{
    if (fork() != 0)
        return;
    setsid();
    squat(SOCK_STREAM);
    squat(SOCK_DGRAM);
    sleep(60);
    _exit(0);
}
