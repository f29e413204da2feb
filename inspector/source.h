/* source.h -- the kernel's source files, for the page's source view.
 *
 * Only the files of the kernel build are served: those named in the kernel's
 * DWARF line tables, relative to the directory the kernel was compiled in
 * ("kernel/vm.c"), and still inside that directory once symlinks are
 * resolved. Anything else (an absolute path, "..", a file of the tree that
 * the kernel was not built from, a symlink that leads out) is refused. */
#ifndef GLASSBOX_SOURCE_H
#define GLASSBOX_SOURCE_H

#include <stddef.h>

/* Read the list from the kernel ELF. 0, or -1 with err filled in. */
int source_open(const char *elf_path, char *err, size_t errlen);
void source_close(void);

/* The file of the build called name, as a path to open: 0, or -1 (with why,
 * e.g. "not a file of the kernel build"). */
int source_resolve(const char *name, char *path, size_t pathlen,
                   const char **why);

#endif
