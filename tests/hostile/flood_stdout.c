/* Floods standard output: writes until it cannot (2 GiB would grow the grader to 4-8 GiB). */

/** @brief Write 64 KiB blocks to stdout until a write fails (or 2 GiB are written). */
static void hostile(void)
{
    static char block[65536];
    memset(block, 'x', sizeof block);
    for (int i = 0; i < 32768; i++)
        if (write(1, block, sizeof block) < 0)
            exit(1);
}
