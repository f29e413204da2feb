/* qemu.c -- the QEMU process the daemon runs, and its files. */
#define _GNU_SOURCE /* memfd_create */
#include "qemu.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int fail(char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "%s: %s", what, strerror(errno));
    return -1;
}

int qemu_init(struct qemu *q, char *err, size_t errlen)
{
    const char *tmp = getenv("TMPDIR");

    memset(q, 0, sizeof *q);
    q->ram_fd = -1;
    snprintf(q->dir, sizeof q->dir, "%s/glassbox-inspector-XXXXXX",
             tmp && *tmp && strlen(tmp) < 160 ? tmp : "/tmp");
    if (!mkdtemp(q->dir)) {
        q->dir[0] = '\0';
        return fail(err, errlen, "cannot make a scratch directory");
    }
    snprintf(q->image, sizeof q->image, "%s/disk.qcow2", q->dir);
    snprintf(q->qmp_path, sizeof q->qmp_path, "%s/qmp.sock", q->dir);
    snprintf(q->console_path, sizeof q->console_path, "%s/console.sock",
             q->dir);
    snprintf(q->log_path, sizeof q->log_path, "%s/qemu.log", q->dir);
    return 0;
}

/* qemu-img: beside the QEMU binary when that is a path, else on PATH. */
static void qemu_img_path(const char *binary, char *out, size_t cap)
{
    const char *slash = strrchr(binary, '/');

    snprintf(out, cap, "%.*s/qemu-img", slash ? (int)(slash - binary) : 0, binary);
    if (!slash || access(out, X_OK) != 0)
        snprintf(out, cap, "qemu-img");
}

/* A qcow2 image of from (raw) in a file that has no name: to is unlinked as
 * soon as it is open, so it goes away with the last process holding it
 * (QEMU, which opens it as /proc/self/fd/N), however the daemon ends.
 * qemu-img's output goes to log. The open descriptor, or -1. */
static int make_image(const char *binary, const char *from, const char *to,
                      int log, char *err, size_t errlen)
{
    char img[PATH_MAX];
    const char *argv[] = {img, "convert", "-q", "-f", "raw", "-O", "qcow2",
                          from, to, NULL};
    int status;

    if (access(from, R_OK) != 0) {
        snprintf(img, sizeof img, "disk image %s", from);
        return fail(err, errlen, img);
    }
    qemu_img_path(binary, img, sizeof img);
    unlink(to);
    pid_t pid = fork();
    if (pid < 0)
        return fail(err, errlen, "fork");
    if (pid == 0) {
        dup2(log, 1);
        dup2(log, 2);
        execvp(img, (char *const *)argv);
        dprintf(2, "cannot run %s: %s\n", img, strerror(errno));
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(err, errlen, "%s convert %s failed (status %d)", img, from,
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return -1;
    }
    int fd = open(to, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return fail(err, errlen, "scratch disk image");
    unlink(to);
    return fd;
}

int net_free_port(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int port = -1;

    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

/* scripts/qemu.args, a string a line, comments left out (inspector.mk
 * makes qemu_args.inc from it). */
static const char *const machine_lines[] = {
#include "qemu_args.inc"
};
#define MACHINE_LINES (int)(sizeof machine_lines / sizeof machine_lines[0])

/* value with {kernel}, {disk} and {format} filled in, into out. */
static void fill_in(const char *value, const char *kernel, const char *image,
                    char *out, size_t cap)
{
    static const char *const names[] = {"{kernel}", "{disk}", "{format}"};
    const char *with[] = {kernel, image, "qcow2"};
    size_t o = 0;

    while (*value && o + 1 < cap) {
        int i = 0;
        while (i < 3 && strncmp(value, names[i], strlen(names[i])) != 0)
            i++;
        if (i < 3) {
            o += (size_t)snprintf(out + o, cap - o, "%s", with[i]);
            value += strlen(names[i]);
        } else {
            out[o++] = *value++;
        }
    }
    out[o < cap ? o : cap - 1] = '\0';
}

/* binary and the machine's options into argv (each line's value filled in
 * values[]); kernel NULL: without -kernel (the kernel is in the RAM file).
 * Returns how many. */
static int machine_args(const char *binary, const char *kernel,
                        const char *image, char values[][PATH_MAX + 64],
                        const char **argv)
{
    int n = 0;

    argv[n++] = binary;
    for (int i = 0; i < MACHINE_LINES; i++) {
        const char *line = machine_lines[i];
        const char *space = strchr(line, ' ');
        if (!strcmp(line, "[disk]"))
            continue; /* the daemon's guest always has its disk */
        if (!kernel && !strncmp(line, "-kernel ", 8))
            continue;
        if (!space) {
            argv[n++] = line;
            continue;
        }
        snprintf(values[i], sizeof values[i], "%.*s", (int)(space - line), line);
        argv[n++] = values[i];
        /* the value goes after the option's NUL, in the same buffer */
        size_t at = strlen(values[i]) + 1;
        fill_in(space + 1, kernel ? kernel : "", image, values[i] + at,
                sizeof values[i] - at);
        argv[n++] = values[i] + at;
    }
    return n;
}

size_t qemu_ram_bytes(void)
{
    for (int i = 0; i < MACHINE_LINES; i++) {
        const char *line = machine_lines[i];
        if (strncmp(line, "-m ", 3) != 0)
            continue;
        char *end;
        unsigned long long n = strtoull(line + 3, &end, 10);
        int shift = *end == 'G' ? 30 : *end == 'K' ? 10 : 20; /* MiB by default */
        return n << shift;
    }
    return 0;
}

static void unmap_ram(struct qemu *q)
{
    if (q->ram)
        munmap((void *)q->ram, q->ram_size);
    if (q->ram_fd >= 0)
        close(q->ram_fd);
    q->ram = NULL;
    q->ram_size = 0;
    q->ram_fd = -1;
}

/* A fresh memory file for the guest's RAM, mapped read-only at q->ram,
 * its descriptor in q->ram_fd: 0, or -1 (and no mapping: the guest is
 * read through the gdbstub only). */
static int make_ram(struct qemu *q)
{
    size_t size = qemu_ram_bytes();

    unmap_ram(q);
    int fd = size ? memfd_create("glassbox-guest-ram", MFD_CLOEXEC) : -1;
    if (fd < 0)
        return -1;
    void *at = MAP_FAILED;
    /* (a memfd is made 0777; only QEMU, ours, opens it again) */
    if (fchmod(fd, 0600) == 0 && ftruncate(fd, (off_t)size) == 0)
        at = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
    if (at == MAP_FAILED) {
        close(fd);
        return -1;
    }
    q->ram = at;
    q->ram_size = size;
    q->ram_fd = fd;
    return 0;
}

uint8_t *qemu_ram_writable(const struct qemu *q)
{
    void *at = q->ram_fd < 0 ? MAP_FAILED
               : mmap(NULL, q->ram_size, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_POPULATE, q->ram_fd, 0);

    return at == MAP_FAILED ? NULL : at;
}

void qemu_ram_done(const struct qemu *q, uint8_t *ram)
{
    if (ram)
        munmap(ram, q->ram_size);
}

/* The kernel ELF's PT_LOAD segments into the RAM file (fresh: all zero,
 * so a segment's bss needs nothing). 0, or -1 with err filled in. */
static int load_kernel(struct qemu *q, const char *kernel, char *err,
                       size_t errlen)
{
    int fd = open(kernel, O_RDONLY | O_CLOEXEC);
    struct stat st;
    uint8_t *elf = MAP_FAILED, *ram = NULL;
    int rc = -1;

    snprintf(err, errlen, "kernel %s: not a 32-bit RISC-V ELF whose segments "
             "fit in RAM", kernel);
    if (fd < 0 || fstat(fd, &st) < 0) {
        fail(err, errlen, kernel);
        goto done;
    }
    if ((size_t)st.st_size >= sizeof(Elf32_Ehdr))
        elf = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (elf == MAP_FAILED)
        goto done;
    const Elf32_Ehdr *eh = (const Elf32_Ehdr *)elf;
    size_t size = (size_t)st.st_size;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS32 ||
        eh->e_machine != EM_RISCV || eh->e_phentsize != sizeof(Elf32_Phdr) ||
        eh->e_phoff > size || (size - eh->e_phoff) / sizeof(Elf32_Phdr) < eh->e_phnum)
        goto done;
    ram = qemu_ram_writable(q);
    if (!ram) {
        fail(err, errlen, "mapping the guest's RAM");
        goto done;
    }
    for (int i = 0; i < eh->e_phnum; i++) {
        const Elf32_Phdr *ph = (const Elf32_Phdr *)(elf + eh->e_phoff) + i;
        if (ph->p_type != PT_LOAD || ph->p_filesz == 0)
            continue;
        if (ph->p_offset > size || size - ph->p_offset < ph->p_filesz ||
            ph->p_paddr < QEMU_RAM_BASE || ph->p_memsz < ph->p_filesz ||
            ph->p_paddr - QEMU_RAM_BASE > q->ram_size ||
            q->ram_size - (ph->p_paddr - QEMU_RAM_BASE) < ph->p_memsz)
            goto done;
        memcpy(ram + (ph->p_paddr - QEMU_RAM_BASE), elf + ph->p_offset, ph->p_filesz);
    }
    rc = 0;
done:
    qemu_ram_done(q, ram);
    if (elf != MAP_FAILED)
        munmap(elf, (size_t)st.st_size);
    if (fd >= 0)
        close(fd);
    return rc;
}

int qemu_launch(struct qemu *q, const char *binary, const char *kernel,
                const char *disk, int gdb_port, char *err, size_t errlen)
{
    char chardev[PATH_MAX + 64], qmp[PATH_MAX + 64], gdb[64], ram_object[160];
    char values[MACHINE_LINES][PATH_MAX + 64];
    const char *argv[2 * MACHINE_LINES + 24];

    if (q->pid > 0)
        qemu_kill(q);
    int log = open(q->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log < 0)
        return fail(err, errlen, "QEMU's log file");
    int image = make_image(binary, disk, q->image, log, err, errlen);
    if (image < 0) {
        close(log);
        return -1;
    }
    q->gdb_port = gdb_port > 0 ? gdb_port : net_free_port();
    if (q->gdb_port <= 0) {
        close(image);
        close(log);
        return fail(err, errlen, "no free TCP port for the gdbstub");
    }
    bool shared = make_ram(q) == 0;
    if (shared && load_kernel(q, kernel, err, errlen) < 0) {
        unmap_ram(q);
        close(image);
        close(log);
        return -1;
    }
    unlink(q->console_path);
    unlink(q->qmp_path);
    /* The image is already unlinked: QEMU opens it through the inherited fd. */
    char image_path[32];
    snprintf(image_path, sizeof image_path, "/proc/self/fd/%d", image);
    snprintf(chardev, sizeof chardev,
             "socket,id=con0,path=%s,server=on,wait=off", q->console_path);
    snprintf(qmp, sizeof qmp, "unix:%s,server=on,wait=off", q->qmp_path);
    snprintf(gdb, sizeof gdb, "tcp:127.0.0.1:%d", q->gdb_port);
    int n = machine_args(binary, shared ? NULL : kernel, image_path, values, argv);
    const char *ours[] = {"-monitor", "none", "-qmp", qmp, "-chardev", chardev,
                          "-serial", "chardev:con0", "-S", "-gdb", gdb, NULL};
    for (int i = 0; ours[i]; i++)
        argv[n++] = ours[i];
    if (shared) {
        snprintf(ram_object, sizeof ram_object, "memory-backend-file,"
                 "id=glassbox-ram,size=%zu,mem-path=/proc/self/fd/%d,share=on",
                 q->ram_size, q->ram_fd);
        argv[n++] = "-object";
        argv[n++] = ram_object;
        argv[n++] = "-machine";
        argv[n++] = "memory-backend=glassbox-ram";
    }
    argv[n] = NULL;
    pid_t ppid = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(log);
        close(image);
        return fail(err, errlen, "fork");
    }
    if (pid == 0) {
        /* QEMU must not outlive the daemon, however the daemon ends. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != ppid)
            _exit(127);
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, 0);
        dup2(log, 1);
        dup2(log, 2);
        fcntl(image, F_SETFD, 0); /* QEMU inherits the disk and its RAM */
        if (shared)
            fcntl(q->ram_fd, F_SETFD, 0);
        /* A terminal's ^C goes to the daemon, which stops QEMU itself. */
        setpgid(0, 0);
        execvp(binary, (char *const *)argv);
        dprintf(2, "cannot run %s: %s\n", binary, strerror(errno));
        _exit(127);
    }
    close(log);
    close(image);
    q->pid = pid;
    return 0;
}

int qemu_reap(struct qemu *q, char *why, size_t whylen)
{
    int status;

    if (q->pid <= 0)
        return 0;
    pid_t r = waitpid(q->pid, &status, WNOHANG);
    if (r == 0 || (r < 0 && errno == EINTR))
        return 0;
    char words[200];
    qemu_last_words(q, words, sizeof words);
    if (r < 0)
        snprintf(why, whylen, "QEMU (pid %d) is gone", (int)q->pid);
    else if (WIFSIGNALED(status))
        snprintf(why, whylen, "QEMU (pid %d) was killed by signal %d%s%s",
                 (int)q->pid, WTERMSIG(status), *words ? ": " : "", words);
    else
        snprintf(why, whylen, "QEMU (pid %d) exited with status %d%s%s",
                 (int)q->pid, WEXITSTATUS(status), *words ? ": " : "", words);
    q->pid = 0;
    return 1;
}

bool qemu_stopped(const struct qemu *q)
{
    char path[64], buf[512];

    if (q->pid <= 0)
        return false;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)q->pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* "pid (comm) S ...": the state follows the last ')' (comm may hold any). */
    const char *close = strrchr(buf, ')');
    return close && close[1] == ' ' && (close[2] == 'T' || close[2] == 't');
}

void qemu_signal(struct qemu *q, int sig)
{
    if (q->pid > 0)
        kill(q->pid, sig);
}

void qemu_kill(struct qemu *q)
{
    if (q->pid <= 0)
        return;
    kill(q->pid, SIGKILL);
    while (waitpid(q->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    q->pid = 0;
}

void qemu_cleanup(struct qemu *q)
{
    qemu_kill(q);
    unmap_ram(q);
    if (!q->dir[0])
        return;
    unlink(q->image);
    unlink(q->console_path);
    unlink(q->qmp_path);
    unlink(q->log_path);
    rmdir(q->dir);
    q->dir[0] = '\0';
}

void qemu_last_words(const struct qemu *q, char *buf, size_t cap)
{
    char tail[512];
    int fd = open(q->log_path, O_RDONLY | O_CLOEXEC);

    buf[0] = '\0';
    if (fd < 0)
        return;
    off_t end = lseek(fd, 0, SEEK_END);
    off_t from = end > (off_t)sizeof tail - 1 ? end - (off_t)sizeof tail + 1 : 0;
    ssize_t n = pread(fd, tail, sizeof tail - 1, from);
    close(fd);
    if (n <= 0)
        return;
    tail[n] = '\0';
    while (n > 0 && (tail[n - 1] == '\n' || tail[n - 1] == '\r'))
        tail[--n] = '\0';
    char *line = strrchr(tail, '\n');
    line = line ? line + 1 : tail;
    /* Printable ASCII only: this goes into JSON. */
    size_t o = 0;
    for (; *line && o + 1 < cap; line++)
        buf[o++] = (*line >= ' ' && *line <= '~') ? *line : '?';
    buf[o] = '\0';
}

/* A non-blocking connection to the Unix socket at path, or -1. */
static int unix_connect(const char *path, const char *what, char *err,
                        size_t errlen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    char msg[128];
    int fd;

    if (strlen(path) >= sizeof sa.sun_path) {
        snprintf(err, errlen, "%s socket path too long", what);
        return -1;
    }
    strcpy(sa.sun_path, path);
    snprintf(msg, sizeof msg, "connect to QEMU's %s socket", what);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(err, errlen, msg);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        fail(err, errlen, msg);
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

int qemu_connect_console(const struct qemu *q, char *err, size_t errlen)
{
    return unix_connect(q->console_path, "console", err, errlen);
}

int qemu_connect_qmp(const struct qemu *q, char *err, size_t errlen)
{
    return unix_connect(q->qmp_path, "QMP", err, errlen);
}

int net_connect(const char *hostport, char *err, size_t errlen)
{
    char host[256];
    const char *colon = strrchr(hostport, ':');
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res, *ai;
    int fd = -1, one = 1;

    if (!colon || colon == hostport || (size_t)(colon - hostport) >= sizeof host) {
        snprintf(err, errlen, "'%s' is not HOST:PORT", hostport);
        return -1;
    }
    memcpy(host, hostport, (size_t)(colon - hostport));
    host[colon - hostport] = '\0';
    int gai = getaddrinfo(host, colon + 1, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "%s: %s", hostport, gai_strerror(gai));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        snprintf(err, errlen, "connect to %s: %s", hostport, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd >= 0) {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
    return fd;
}
