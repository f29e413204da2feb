/* source.c -- which source files belong to the kernel build (source.h). */
#include "source.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct {
    char *root;      /* the compile directory, symlinks resolved */
    char **names;    /* relative names from the line tables, sorted */
    size_t n, cap;
} src;

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A name worth keeping: relative, without "." or ".." components. */
static bool plain_relative(const char *name)
{
    if (!*name || name[0] == '/')
        return false;
    for (const char *p = name; *p;) {
        size_t len = strcspn(p, "/");
        if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && !strncmp(p, "..", 2)))
            return false;
        p += len;
        p += *p == '/';
    }
    return true;
}

static int add_name(const char *name)
{
    /* A file named through the compile directory itself comes absolute. */
    size_t root_len = strlen(src.root);
    if (!strncmp(name, src.root, root_len) && name[root_len] == '/')
        name += root_len + 1;
    if (!plain_relative(name))
        return 0; /* system headers and the like: not ours to show */
    for (size_t i = 0; i < src.n; i++)
        if (!strcmp(src.names[i], name))
            return 0;
    if (src.n == src.cap) {
        size_t cap = src.cap ? 2 * src.cap : 64;
        char **grown = realloc(src.names, cap * sizeof *grown);
        if (!grown)
            return -1;
        src.names = grown;
        src.cap = cap;
    }
    return (src.names[src.n++] = strdup(name)) ? 0 : -1;
}

/* Every file of every compile unit's line table; the first unit's compile
 * directory is the root they are relative to. */
static int read_files(Dwarf *dw, char *err, size_t errlen)
{
    Dwarf_Off off = 0, next;
    size_t header;
    while (dwarf_nextcu(dw, off, &next, &header, NULL, NULL, NULL) == 0) {
        Dwarf_Die cu;
        Dwarf_Files *files;
        size_t n;
        if (dwarf_offdie(dw, off + header, &cu) && dwarf_getsrcfiles(&cu, &files, &n) == 0) {
            const char *const *dirs;
            size_t ndirs;
            if (!src.root && dwarf_getsrcdirs(files, &dirs, &ndirs) == 0 && ndirs > 0 && dirs[0])
                src.root = realpath(dirs[0], NULL);
            for (size_t i = 0; src.root && i < n; i++) {
                const char *name = dwarf_filesrc(files, i, NULL, NULL);
                if (name && add_name(name) < 0) {
                    snprintf(err, errlen, "out of memory");
                    return -1;
                }
            }
        }
        off = next;
    }
    if (!src.root || src.n == 0) {
        snprintf(err, errlen, "the kernel's line tables name no source files "
                 "(or their directory is gone)");
        return -1;
    }
    qsort(src.names, src.n, sizeof *src.names, cmp_name);
    return 0;
}

int source_open(const char *elf_path, char *err, size_t errlen)
{
    int fd = open(elf_path, O_RDONLY);
    Dwarf *dw = fd >= 0 ? dwarf_begin(fd, DWARF_C_READ) : NULL;
    int r = -1;
    if (!dw)
        snprintf(err, errlen, "%s: no DWARF for the source files", elf_path);
    else
        r = read_files(dw, err, errlen);
    if (dw)
        dwarf_end(dw);
    if (fd >= 0)
        close(fd);
    if (r < 0)
        source_close();
    return r;
}

void source_close(void)
{
    for (size_t i = 0; i < src.n; i++)
        free(src.names[i]);
    free(src.names);
    free(src.root);
    memset(&src, 0, sizeof src);
}

int source_resolve(const char *name, char *path, size_t pathlen, const char **why)
{
    char joined[PATH_MAX];
    const char *key = name;
    if (!src.root) {
        *why = "no kernel source files are known";
        return -1;
    }
    if (!bsearch(&key, src.names, src.n, sizeof *src.names, cmp_name)) {
        *why = "not a file of the kernel build";
        return -1;
    }
    /* A symlink inside the tree may still lead out of it. */
    char *real = NULL;
    size_t root_len = strlen(src.root);
    if ((size_t)snprintf(joined, sizeof joined, "%s/%s", src.root, name) >= sizeof joined ||
        !(real = realpath(joined, NULL)) || strncmp(real, src.root, root_len) != 0 ||
        real[root_len] != '/' || strlen(real) >= pathlen) {
        *why = real ? "the file lies outside the kernel's tree" : "the file is gone";
        free(real);
        return -1;
    }
    strcpy(path, real);
    free(real);
    return 0;
}
