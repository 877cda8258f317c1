/**
 * @file udp_chat.c
 * @brief Lesson 03 (UDP chat): the better chat. It waits on standard input and
 *        on its socket at once, with poll(), so a message shows as it arrives.
 *
 * Usage: udp_chat [PORT]     (PORT: 1 to 65535, default 7890)
 *
 * Typed lines: "/to IP PORT" chooses the peer, "/quit" quits, an empty line is
 * ignored, any other line is sent to the peer as one datagram. Each datagram that
 * arrives is shown at once as "from ADDR:PORT: TEXT". Bad input is reported on
 * stderr and the chat goes on. "/quit" or end of input: "bye", exit status 0.
 * See lessons/03-udp-chat/README.md, section 5, for the full contract.
 *
 * STARTER: this file compiles and runs, but its socket calls are TODOs, so the
 * tests fail at first. That is expected. Fill in the TODOs in the order of the
 * lesson's sections, and run `make check LESSON=03` after each one.
 */
#define _POSIX_C_SOURCE 200809L /* strtok_r() */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define DEFAULT_PORT 7890
#define MAX_MESSAGE 65507 /* the largest UDP/IPv4 payload: a longer line goes in pieces */
#define BUFFER_SIZE 65536 /* receive buffer: larger than any UDP/IPv4 datagram */

/** @brief Everything the chat loop needs between two calls to poll(). */
struct chat {
    int fd;                  /**< the bound UDP socket */
    int has_peer;            /**< has /to chosen a peer yet? */
    struct sockaddr_in peer; /**< where typed lines go */
    char typed[MAX_MESSAGE]; /**< bytes read from stdin, not yet a whole line */
    size_t typed_length;     /**< how many bytes of typed[] are in use */
    int done;                /**< set by /quit */
};

/** @brief Print the usage line on stderr and return the usage exit status, 2. */
static int usage(void)
{
    fprintf(stderr,
            "usage: udp_chat [PORT]\n"
            "  PORT: the UDP port to bind, 1 to 65535 (default %d)\n",
            DEFAULT_PORT);
    return 2;
}

/**
 * @brief Turn @p text into a port number.
 *
 * Not atoi(): atoi("80x") is 80 and atoi("abc") is 0, without a word. strtol()
 * tells us where the digits stopped, so "80x" can be refused.
 * @param text the port as the user typed it
 * @return the port (1 to 65535), or -1 if @p text is not such a decimal number.
 */
static int parse_port(const char *text)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || value < 1 || value > 65535)
        return -1;
    return (int)value;
}

/**
 * @brief Print @p data with control bytes as \\xNN and a backslash doubled (lesson 02, section 6).
 *
 * So a message is always one line of output, and every byte can be seen.
 * @param data the bytes, as they arrived
 * @param length how many bytes
 */
static void print_escaped(const unsigned char *data, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        if (data[i] == '\\')
            fputs("\\\\", stdout);
        else if (data[i] < 0x20 || data[i] == 0x7f)
            printf("\\x%02x", data[i]);
        else
            putchar(data[i]);
    }
}

/**
 * @brief Create a UDP socket bound to @p port on every local address.
 *
 * The chat binds so that others know where to send: the port is its address.
 * @param port the port to bind, 1 to 65535
 * @return the socket, or -1 after printing why on stderr.
 */
static int open_chat_socket(int port)
{
    /* TODO (lesson section 1): socket(AF_INET, SOCK_DGRAM, 0), then bind() it to
     * htons(port) on htonl(INADDR_ANY). Report failures as
     * "udp_chat: socket: <strerror>" and "udp_chat: bind port PORT: <strerror>",
     * close what you opened, return -1. */
    (void)port;
    errno = ENOSYS;
    fprintf(stderr, "udp_chat: socket: %s\n", strerror(errno));
    return -1;
}

/**
 * @brief Receive the datagram poll() said is waiting, and show it with its sender.
 *
 * One datagram per wake-up: if more are queued, poll() returns at once, and the
 * keyboard gets its turn in between.
 * @param chat the chat; a datagram is waiting on its socket
 * @return 0, or -1 after printing why on stderr.
 */
static int show_incoming(struct chat *chat)
{
    static unsigned char buffer[BUFFER_SIZE];
    struct sockaddr_in from;
    socklen_t from_length = sizeof from;
    /* TODO (lesson section 3): recvfrom() the waiting datagram from chat->fd into
     * buffer, with &from and &from_length, in place of this stand-in. */
    (void)chat;
    memset(&from, 0, sizeof from);
    (void)from_length;
    ssize_t length = -1;
    errno = ENOSYS;
    if (length == -1) {
        if (errno == EINTR)
            return 0;
        fprintf(stderr, "udp_chat: recvfrom: %s\n", strerror(errno));
        return -1;
    }
    char ip[INET_ADDRSTRLEN] = "?";
    /* TODO (lesson section 3): inet_ntop() the sender's address into ip. */
    printf("from %s:%u: ", ip, ntohs(from.sin_port));
    print_escaped(buffer, (size_t)length);
    putchar('\n');
    return 0;
}

/**
 * @brief "/to IP PORT": check both words and make that address the peer.
 *
 * Nothing changes unless both words are valid: a typo keeps the old peer.
 * @param chat the chat whose peer this is
 * @param ip the word after /to, or NULL if it is missing
 * @param port_text the word after that, or NULL if it is missing
 * @param extra a fourth word: must be NULL
 */
static void set_peer(struct chat *chat, const char *ip, const char *port_text, const char *extra)
{
    struct sockaddr_in peer;
    memset(&peer, 0, sizeof peer);
    peer.sin_family = AF_INET;
    int port;
    if (ip == NULL || port_text == NULL || extra != NULL) {
        fprintf(stderr, "udp_chat: usage: /to IP PORT\n");
    } else if (0) { /* TODO (lesson 02, section 2): the test is inet_pton(AF_INET, ip, &peer.sin_addr) != 1 */
        fprintf(stderr, "udp_chat: invalid IP address \"%s\"\n", ip);
    } else if ((port = parse_port(port_text)) == -1) {
        fprintf(stderr, "udp_chat: invalid port \"%s\"\n", port_text);
    } else {
        peer.sin_port = htons((uint16_t)port);
        chat->peer = peer;
        chat->has_peer = 1;
        printf("peer is %s:%d\n", ip, port);
    }
}

/**
 * @brief Run a line that starts with '/': /to or /quit; anything else is an error.
 * @param chat the chat
 * @param line the typed line, without its newline (not NUL-terminated)
 * @param length its length in bytes
 */
static void run_command(struct chat *chat, const char *line, size_t length)
{
    static char command[MAX_MESSAGE + 1]; /* any line fits: typed[] holds MAX_MESSAGE bytes */
    memcpy(command, line, length);
    command[length] = '\0';
    char *rest = NULL;
    char *word = strtok_r(command, " \t\r", &rest); /* never NULL: the line starts with '/' */
    if (strcmp(word, "/quit") == 0) {
        chat->done = 1;
    } else if (strcmp(word, "/to") == 0) {
        char *ip = strtok_r(NULL, " \t\r", &rest);
        char *port = strtok_r(NULL, " \t\r", &rest);
        set_peer(chat, ip, port, strtok_r(NULL, " \t\r", &rest));
    } else {
        fprintf(stderr, "udp_chat: unknown command \"%s\": the commands are /to IP PORT and /quit\n", word);
    }
}

/**
 * @brief Send one typed line to the peer as one datagram; report, and go on, if we cannot.
 * @param chat the chat: its socket and its peer
 * @param line the bytes to send (not NUL-terminated)
 * @param length how many bytes
 */
static void send_line(struct chat *chat, const char *line, size_t length)
{
    if (!chat->has_peer) {
        fprintf(stderr, "udp_chat: no peer yet: type /to IP PORT first\n");
        return;
    }
    /* TODO (lesson section 5): sendto() the length bytes of line to chat->peer, from
     * chat->fd, in place of this stand-in that always fails. */
    ssize_t sent = -1;
    (void)line;
    (void)length;
    errno = ENOSYS;
    if (sent == -1) {
        char ip[INET_ADDRSTRLEN] = "?"; /* TODO (lesson section 5): inet_ntop() the peer's address */
        fprintf(stderr, "udp_chat: sendto %s:%u: %s\n", ip, ntohs(chat->peer.sin_port), strerror(errno));
    }
}

/**
 * @brief Act on one typed line: a command, nothing (an empty line), or a message.
 * @param chat the chat
 * @param line the line, without its newline (not NUL-terminated)
 * @param length its length in bytes
 */
static void handle_line(struct chat *chat, const char *line, size_t length)
{
    if (length == 0)
        return;
    if (line[0] == '/')
        run_command(chat, line, length);
    else
        send_line(chat, line, length);
}

/**
 * @brief Read what standard input has now and act on each whole line in it.
 *
 * We read() the descriptor ourselves instead of using fgets(): stdio would read
 * several lines into its own buffer, and poll(), which only sees the descriptor,
 * would then sleep while lines wait in that buffer. An incomplete last line
 * stays in chat->typed until the rest of it arrives.
 * @param chat the chat, with the bytes kept from the last call
 * @return 0, 1 at end of input, or -1 after printing why on stderr.
 */
static int read_typed(struct chat *chat)
{
    ssize_t n = read(STDIN_FILENO, chat->typed + chat->typed_length, sizeof chat->typed - chat->typed_length);
    if (n == -1) {
        if (errno == EINTR)
            return 0;
        fprintf(stderr, "udp_chat: read(stdin): %s\n", strerror(errno));
        return -1;
    }
    if (n == 0) { /* end of input: a last line without a newline still counts */
        handle_line(chat, chat->typed, chat->typed_length);
        chat->typed_length = 0;
        return 1;
    }
    chat->typed_length += (size_t)n;
    size_t start = 0;
    for (size_t i = 0; i < chat->typed_length && !chat->done; i++) {
        if (chat->typed[i] == '\n') {
            handle_line(chat, chat->typed + start, i - start);
            start = i + 1;
        }
    }
    if (start == 0 && chat->typed_length == sizeof chat->typed) { /* full, no newline: send it as it is */
        handle_line(chat, chat->typed, chat->typed_length);
        start = chat->typed_length;
    }
    memmove(chat->typed, chat->typed + start, chat->typed_length - start);
    chat->typed_length -= start;
    return 0;
}

/**
 * @brief The chat loop: sleep in poll() until the keyboard or the network has something.
 * @param chat the chat, with its bound socket
 * @return 0 on /quit or end of input, 1 on a failure.
 */
static int run_chat(struct chat *chat)
{
    while (!chat->done) {
        struct pollfd waiting[2] = {
            {.fd = STDIN_FILENO, .events = POLLIN},
            {.fd = chat->fd, .events = POLLIN},
        };
        /* TODO (lesson section 3): poll() the two descriptors of waiting[], with no
         * timeout (-1), in place of this stand-in that always fails. */
        int ready = -1;
        errno = ENOSYS;
        if (ready == -1) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "udp_chat: poll: %s\n", strerror(errno));
            return 1;
        }
        if (waiting[1].revents != 0 && show_incoming(chat) == -1)
            return 1;
        if (waiting[0].revents != 0) { /* POLLIN, or POLLHUP when the writer is gone: read says which */
            int status = read_typed(chat);
            if (status == -1)
                return 1;
            if (status == 1)
                break;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    int port = DEFAULT_PORT;
    if (argc > 2)
        return usage();
    if (argc == 2 && (port = parse_port(argv[1])) == -1) {
        fprintf(stderr, "udp_chat: invalid port \"%s\"\n", argv[1]);
        return usage();
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* each line out at once, even into a file or pipe */
    static struct chat chat;          /* static: typed[] is too big to be comfortable on the stack */
    chat.fd = open_chat_socket(port);
    if (chat.fd == -1)
        return 1;
    printf("udp_chat on port %d\n", port);
    int result = run_chat(&chat);
    if (close(chat.fd) == -1) {
        fprintf(stderr, "udp_chat: close: %s\n", strerror(errno));
        result = 1;
    }
    if (result == 0)
        printf("bye\n");
    return result;
}
