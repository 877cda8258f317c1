/* Deletes the lab's README.md and leaves files in the lab and in the folder above it. */

/** @brief Write NAME under the lab's top folder (found from the program's own path). */
static void write_at_top(const char *name)
{
    char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 200);
    if (n <= 0)
        return;
    path[n] = '\0';
    char *build = strstr(path, "/build/");
    if (build == NULL)
        return;
    strcpy(build, name);
    if (strcmp(name, "/README.md") == 0) {
        unlink(path);
        return;
    }
    FILE *f = fopen(path, "w");
    if (f != NULL) {
        fputs("a hostile submission was here\n", f);
        fclose(f);
    }
}

/** @brief Damage the lab, if the sandbox lets it. */
static void hostile(void)
{
    write_at_top("/README.md");
    write_at_top("/socklab-hostile-was-here");
    write_at_top("/../socklab-hostile-was-here");
    write_at_top("/build/socklab-hostile-was-here");
}
