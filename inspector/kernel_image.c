/* kernel_image.c -- the kernel ELF as it was when the daemon started
 * (kernel_image.h). */
#include "kernel_image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* All of in's bytes into out. 0 or -1. */
static int copy_bytes(int in, int out)
{
    char buf[65536];
    ssize_t n;

    while ((n = read(in, buf, sizeof buf)) > 0)
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(out, buf + done, (size_t)(n - done));
            if (w < 0)
                return -1;
            done += w;
        }
    return n < 0 ? -1 : 0;
}

int kernel_image_copy(struct kernel_image *k, const char *origin, char *err,
                      size_t errlen)
{
    const char *tmp = getenv("TMPDIR");

    memset(k, 0, sizeof *k);
    k->origin = origin;
    int in = open(origin, O_RDONLY | O_CLOEXEC);
    if (in < 0 || fstat(in, &k->was) < 0) {
        snprintf(err, errlen, "kernel %s: %s", origin, strerror(errno));
        if (in >= 0)
            close(in);
        return -1;
    }
    char dir[sizeof k->dir];
    snprintf(dir, sizeof dir, "%s/glassbox-kernel-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int out = -1;
    if (mkdtemp(dir)) {
        memcpy(k->dir, dir, sizeof dir);
        snprintf(k->path, sizeof k->path, "%s/kernel.elf", k->dir);
        out = open(k->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    }
    int r = out >= 0 ? copy_bytes(in, out) : -1;
    if (out >= 0 && close(out) < 0)
        r = -1;
    if (r < 0)
        snprintf(err, errlen, "cannot copy the kernel %s: %s", origin, strerror(errno));
    close(in);
    if (r < 0)
        kernel_image_remove(k);
    return r;
}

bool kernel_image_rebuilt(const struct kernel_image *k)
{
    struct stat now;

    if (stat(k->origin, &now) < 0)
        return true;
    return now.st_dev != k->was.st_dev || now.st_ino != k->was.st_ino ||
           now.st_size != k->was.st_size ||
           now.st_mtim.tv_sec != k->was.st_mtim.tv_sec ||
           now.st_mtim.tv_nsec != k->was.st_mtim.tv_nsec;
}

void kernel_image_remove(struct kernel_image *k)
{
    if (k->path[0])
        unlink(k->path);
    if (k->dir[0])
        rmdir(k->dir);
    k->path[0] = k->dir[0] = '\0';
}
