/* kernel_image.h -- the kernel ELF as it was when the daemon started.
 *
 * The daemon reads the kernel's layouts from its ELF once (kernel_model.h)
 * and boots every QEMU with a kernel: the same bytes, a copy made at the
 * start in a private directory, so that a kernel rebuilt meanwhile (make in
 * another terminal) cannot have QEMU run code the model does not describe.
 * A restart says when the original has changed since (target.c). */
#ifndef GLASSBOX_KERNEL_IMAGE_H
#define GLASSBOX_KERNEL_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

struct kernel_image {
    char dir[256];      /* the private directory, "" before it is made */
    char path[300];     /* the copy in it */
    const char *origin; /* the file copied */
    struct stat was;    /* the origin when it was copied */
};

/* Copy origin into a new private directory under $TMPDIR (or /tmp).
 * 0, or -1 with err filled in. */
int kernel_image_copy(struct kernel_image *k, const char *origin, char *err,
                      size_t errlen);
/* Whether the origin is another file now, or changed (a rebuild). */
bool kernel_image_rebuilt(const struct kernel_image *k);
/* Remove the copy and its directory. */
void kernel_image_remove(struct kernel_image *k);

#endif
