/**
 * @file udp_menu_chat.c
 * @brief Lesson 03 (UDP chat): the syllabus's menu chat. One socket, bound to a
 *        known port, both sends and receives; a menu chooses which, one at a time.
 *
 * Usage: udp_menu_chat [PORT]     (PORT: 1 to 65535, default 7890)
 *
 * Menu: 1 = send a message (it asks for the text, the destination IP and port),
 * 2 = wait for one message and show it as "from ADDR:PORT: TEXT", 3 = quit.
 * Bad input (choice, IP, port) is reported on stderr and the menu comes back.
 * Quitting, or end of input, prints "bye" and exits 0.
 * See lessons/03-udp-chat/README.md, section 5, for the full contract.
 *
 * STARTER: this file compiles and runs, but it fails every test except the usage
 * test until you write the TODOs. That is expected. Given: the command line, the
 * usage line, the menu loop, the prompts, and print_escaped() (lesson 02,
 * section 6). Yours: the chat's socket, checking and using a destination,
 * sending, and receiving. Its socket work is lesson 02's; do this file before
 * udp_chat.c. Run `make check LESSON=03` after each TODO, and
 * `make hint LESSON=03` when stuck.
 */
#define _POSIX_C_SOURCE 200809L /* getline() */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define DEFAULT_PORT 7890
#define BUFFER_SIZE 65536 /* more than the largest UDP/IPv4 payload (65507): nothing is ever cut */

/** @brief Print the usage line on stderr and return the usage exit status, 2. */
static int usage(void)
{
    fprintf(stderr,
            "usage: udp_menu_chat [PORT]\n"
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
 * @brief Show @p prompt, then read one line of standard input without its newline.
 *
 * The prompt has no newline, so it must be flushed by hand before we block.
 * @param prompt what to ask, such as "choice> "
 * @param line a getline() buffer, reused from call to call; gets the answer
 * @param capacity the size of @p line's buffer, kept up to date by getline()
 * @return the line's length, or -1 at end of input or on a read error
 *         (ferror(stdin) tells which).
 */
static ssize_t ask(const char *prompt, char **line, size_t *capacity)
{
    fputs(prompt, stdout);
    fflush(stdout);
    ssize_t length = getline(line, capacity, stdin);
    if (length > 0 && (*line)[length - 1] == '\n')
        (*line)[--length] = '\0';
    return length;
}

/**
 * @brief Create a UDP socket bound to @p port on every local address.
 *
 * The chat binds so that others know where to send: the port is its address.
 * Failures: "udp_menu_chat: socket: REASON", "udp_menu_chat: bind port PORT: REASON";
 * nothing stays open after a failure.
 * @param port the port to bind, 1 to 65535
 * @return the socket, or -1 after printing why on stderr.
 */
static int open_chat_socket(int port)
{
    /* TODO (section 1): the one socket of the chat, for both directions, at a
     * port that others can be told. */
    (void)port;
    fprintf(stderr, "udp_menu_chat: open_chat_socket is not written yet (see the TODOs)\n");
    return -1;
}

/**
 * @brief Ask for the destination IP and port and fill @p to with them.
 *
 * It asks "to IP> " and then "to port> " (with ask()). A bad IP or port is the
 * user's typo, not a reason to stop: "udp_menu_chat: invalid IP address "IP""
 * (and the port is not asked) or "udp_menu_chat: invalid port "PORT"" on stderr,
 * and the menu comes back.
 * @param to the address to fill
 * @param line the menu's getline() buffer (see ask())
 * @param capacity its size
 * @return 1 if @p to is ready, 0 if the input was invalid, -1 at end of input.
 */
static int ask_destination(struct sockaddr_in *to, char **line, size_t *capacity)
{
    /* TODO (section 5, and lesson 02 section 2): ask both questions, check each
     * answer as soon as it is given, and fill *to as a destination must be filled. */
    (void)line;
    (void)capacity;
    memset(to, 0, sizeof *to);
    return 0;
}

/**
 * @brief Menu choice 1: ask for a message and its destination, and send it.
 *
 * It is sent from the chat's bound socket, as one datagram (an empty message is
 * an empty datagram), so the receiver sees our port and can answer there. Then
 * it prints "sent N bytes to IP:PORT". A failed send is reported as
 * "udp_menu_chat: sendto IP:PORT: REASON" and the chat goes on.
 * @param fd the chat's bound socket
 * @param line the menu's getline() buffer (see ask())
 * @param capacity its size
 * @return 0, or -1 at end of input.
 */
static int send_message(int fd, char **line, size_t *capacity)
{
    ssize_t length = ask("message> ", line, capacity);
    if (length == -1)
        return -1;
    /* the next ask() reuses *line: keep a copy of all length bytes (not strdup(), which
     * would stop at a NUL byte typed in the message) */
    char *message = malloc(length > 0 ? (size_t)length : 1);
    if (message == NULL) {
        fprintf(stderr, "udp_menu_chat: malloc: %s\n", strerror(errno));
        return 0;
    }
    memcpy(message, *line, (size_t)length);
    int ready = 0;
    /* TODO (section 1): ask where to (ask_destination sets ready); when the
     * destination is ready, send the message's length bytes there from fd, and
     * print the line that says so, or the line that says why not. */
    (void)fd;
    (void)ask_destination;
    free(message);
    return ready == -1 ? -1 : 0;
}

/**
 * @brief Menu choice 2: wait for one datagram and show it with its sender.
 *
 * It waits as long as it takes (section 2 shows what that costs), then prints
 * "from ADDR:PORT: TEXT", TEXT through print_escaped(). A datagram that arrived
 * earlier is shown at once. The buffer is larger than any datagram: nothing is cut.
 * @param fd the chat's bound socket
 * @return 0, or -1 after printing why on stderr ("udp_menu_chat: recvfrom: REASON").
 */
static int receive_message(int fd)
{
    static unsigned char buffer[BUFFER_SIZE];
    /* TODO (sections 1 and 2): receive one datagram into buffer, with its sender;
     * a wait interrupted by a signal is not a failure. Then print it. */
    (void)fd;
    (void)buffer;
    (void)print_escaped;
    fprintf(stderr, "udp_menu_chat: receive_message is not written yet (see the TODOs)\n");
    return -1;
}

/**
 * @brief The menu loop: until "3" or end of input.
 * @param fd the chat's bound socket
 * @return 0 on a clean end, 1 if reading standard input or receiving failed.
 */
static int run_menu(int fd)
{
    char *line = NULL;
    size_t capacity = 0;
    int result = 0;
    for (;;) {
        fputs("1: send a message\n2: receive a message\n3: quit\n", stdout);
        if (ask("choice> ", &line, &capacity) == -1)
            break;
        if (strcmp(line, "1") == 0) {
            if (send_message(fd, &line, &capacity) == -1)
                break;
        } else if (strcmp(line, "2") == 0) {
            if (receive_message(fd) == -1) {
                result = 1;
                break;
            }
        } else if (strcmp(line, "3") == 0) {
            break;
        } else {
            fprintf(stderr, "udp_menu_chat: invalid choice \"%s\": type 1, 2 or 3\n", line);
        }
    }
    if (ferror(stdin)) { /* ask() said "no more input", but it was a failed read, not the end */
        fprintf(stderr, "udp_menu_chat: read(stdin): %s\n", strerror(errno));
        result = 1;
    }
    free(line);
    return result;
}

int main(int argc, char **argv)
{
    int port = DEFAULT_PORT;
    if (argc > 2)
        return usage();
    if (argc == 2 && (port = parse_port(argv[1])) == -1) {
        fprintf(stderr, "udp_menu_chat: invalid port \"%s\"\n", argv[1]);
        return usage();
    }
    int fd = open_chat_socket(port);
    if (fd == -1)
        return 1;
    printf("udp_menu_chat on port %d\n", port);
    int result = run_menu(fd);
    if (close(fd) == -1) {
        fprintf(stderr, "udp_menu_chat: close: %s\n", strerror(errno));
        result = 1;
    }
    if (result == 0)
        printf("bye\n");
    return result;
}
