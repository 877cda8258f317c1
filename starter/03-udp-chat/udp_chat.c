/**
 * @file udp_chat.c
 * @brief Lesson 03 (UDP chat): the better chat. It waits on standard input and
 *        on its socket at once, so a message shows as it arrives.
 *
 * Usage: udp_chat [PORT]     (PORT: 1 to 65535, default 7890)
 *
 * Typed lines: "/to IP PORT" chooses the peer, "/quit" quits, an empty line is
 * ignored, any other line is sent to the peer as one datagram. Each datagram that
 * arrives is shown at once as "from ADDR:PORT: TEXT". Bad input is reported on
 * stderr and the chat goes on. "/quit" or end of input: "bye", exit status 0.
 * See lessons/03-udp-chat/README.md, section 5, for the full contract.
 *
 * STARTER: this file compiles and runs, but it fails every test except the usage
 * test until you write the TODOs. That is expected. Given: the command line, the
 * usage line, the commands (/to, /quit) and what to do with each line, and
 * print_escaped() (lesson 02, section 6). Yours: the socket, the peer, sending,
 * receiving, the loop that waits for the keyboard and the network at once,
 * reading and cutting the typed lines, and the output buffering. Do
 * udp_menu_chat.c first. Run `make check LESSON=03` after each TODO, and
 * `make hint LESSON=03` when stuck.
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

/** @brief Everything the chat loop needs from one wake-up to the next. */
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
 * Failures: "udp_chat: socket: REASON", "udp_chat: bind port PORT: REASON";
 * nothing stays open after a failure.
 * @param port the port to bind, 1 to 65535
 * @return the socket, or -1 after printing why on stderr.
 */
static int open_chat_socket(int port)
{
    /* TODO (section 1): as in udp_menu_chat.c. */
    (void)port;
    fprintf(stderr, "udp_chat: open_chat_socket is not written yet (see the TODOs)\n");
    return -1;
}

/**
 * @brief Receive the one datagram that is waiting on the chat's socket, and show it.
 *
 * Prints "from ADDR:PORT: TEXT", TEXT through print_escaped(); nothing is cut.
 * One datagram per wake-up: if more are queued, the next wait returns at once,
 * and the keyboard gets its turn in between.
 * @param chat the chat; a datagram is waiting on its socket
 * @return 0, or -1 after printing why on stderr ("udp_chat: recvfrom: REASON").
 */
static int show_incoming(struct chat *chat)
{
    static unsigned char buffer[BUFFER_SIZE];
    /* TODO (section 3): receive that one datagram and its sender, and print them.
     * An interrupted receive is not a failure: return 0, the loop comes back. */
    (void)chat;
    (void)buffer;
    (void)print_escaped;
    errno = ENOSYS;
    return -1;
}

/**
 * @brief "/to IP PORT": check both words and make that address the peer.
 *
 * Nothing changes unless both words are valid: a typo keeps the old peer. The
 * messages, in the order the checks are made: "udp_chat: usage: /to IP PORT"
 * (not exactly two words), "udp_chat: invalid IP address "IP"",
 * "udp_chat: invalid port "PORT"" on stderr; on success "peer is IP:PORT" on stdout.
 * @param chat the chat whose peer this is
 * @param ip the word after /to, or NULL if it is missing
 * @param port_text the word after that, or NULL if it is missing
 * @param extra a fourth word: must be NULL
 */
static void set_peer(struct chat *chat, const char *ip, const char *port_text, const char *extra)
{
    /* TODO (section 5, and lesson 02 section 2): check, then fill a new address
     * and only then make it the chat's peer. */
    (void)chat;
    (void)ip;
    (void)port_text;
    (void)extra;
    (void)parse_port;
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
 *
 * From the chat's own socket, so the peer sees our port. Before any /to:
 * "udp_chat: no peer yet: type /to IP PORT first", and nothing is sent. A failed
 * send: "udp_chat: sendto IP:PORT: REASON", and the chat goes on.
 * @param chat the chat: its socket and its peer
 * @param line the bytes of the line; there is no NUL after them
 * @param length how many bytes
 */
static void send_line(struct chat *chat, const char *line, size_t length)
{
    /* TODO (section 5): the line's bytes, as one datagram, to the peer. */
    (void)chat;
    (void)line;
    (void)length;
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
 * Lines that arrive together are handled one by one (handle_line(), without the
 * newline); an incomplete last line waits in chat->typed for the rest of it. At
 * end of input a last line without a newline still counts. A line that fills
 * chat->typed without a newline is handled as it is (so a line longer than
 * MAX_MESSAGE goes in pieces). After /quit, no further line is handled.
 * @param chat the chat, with the bytes kept from the last call
 * @return 0, 1 at end of input, or -1 after printing why on stderr
 *         ("udp_chat: read(stdin): REASON").
 */
static int read_typed(struct chat *chat)
{
    /* TODO (section 4): take what the descriptor has now, without a stdio stream
     * in between (why not is the whole of section 4), append it to what was kept,
     * hand every whole line to handle_line(), and keep the rest for next time.
     * An interrupted read is not a failure. */
    (void)chat;
    (void)handle_line;
    errno = ENOSYS;
    return -1;
}

/**
 * @brief The chat loop: sleep until the keyboard or the network has something, and handle it.
 *
 * It never waits on one of them while the other has something to say: a datagram
 * is shown while nothing is typed, and typing is read while nothing arrives.
 * Failures: "udp_chat: poll: REASON", or those of show_incoming() and read_typed().
 * @param chat the chat, with its bound socket
 * @return 0 on /quit or end of input, 1 on a failure.
 */
static int run_chat(struct chat *chat)
{
    /* TODO (section 3): until /quit or end of input, wait, with no time limit, on
     * both descriptors at once; when one of them has something (end of input or a
     * hang-up counts), let show_incoming() or read_typed() deal with it. A wait
     * interrupted by a signal is waited again. */
    (void)chat;
    (void)show_incoming;
    (void)read_typed;
    fprintf(stderr, "udp_chat: run_chat is not written yet (see the TODOs)\n");
    return 1;
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
    /* TODO (section 4): make each line of standard output leave at once, even when
     * it goes into a file or a pipe (the tests read it from a file). */
    static struct chat chat; /* static: typed[] is too big to be comfortable on the stack */
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
