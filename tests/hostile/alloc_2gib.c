/* Allocates and touches 2 GiB; a program that needs them fails when it cannot have them. */

/** @brief malloc 2 GiB and write every page; exit 1 if malloc fails. */
static void hostile(void)
{
    size_t size = (size_t)2 << 30;
    char *p = malloc(size);
    if (p == NULL) {
        perror("sockets: malloc");
        exit(1);
    }
    for (size_t i = 0; i < size; i += 4096)
        p[i] = 1;
    free(p);
}
