/* qemu.c -- the QEMU process the daemon runs, and its files. */
#define _GNU_SOURCE /* memfd_create */
#include "qemu.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
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
    snprintf(q->dir, sizeof q->dir, "%s/glassbox-inspector-XXXXXX",
             tmp && *tmp && strlen(tmp) < 160 ? tmp : "/tmp");
    if (!mkdtemp(q->dir)) {
        q->dir[0] = '\0';
        return fail(err, errlen, "cannot make a scratch directory");
    }
    snprintf(q->image, sizeof q->image, "%s/disk.img", q->dir);
    snprintf(q->console_path, sizeof q->console_path, "%s/console.sock",
             q->dir);
    snprintf(q->log_path, sizeof q->log_path, "%s/qemu.log", q->dir);
    return 0;
}

/* A copy of from in a file that has no name: to is unlinked as soon as it
 * is open, so the copy goes away with the last process holding it (QEMU,
 * which opens it as /proc/self/fd/N), however the daemon ends. The open
 * descriptor, or -1. */
static int copy_file(const char *from, const char *to, char *err,
                     size_t errlen)
{
    static char buf[1 << 16];
    int in = open(from, O_RDONLY | O_CLOEXEC);
    int out = -1, rc = -1;
    char what[PATH_MAX + 32];

    if (in < 0) {
        snprintf(what, sizeof what, "disk image %s", from);
        return fail(err, errlen, what);
    }
    out = open(to, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) {
        fail(err, errlen, "scratch disk image");
        goto done;
    }
    unlink(to);
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fail(err, errlen, "reading the disk image");
            goto done;
        }
        if (n == 0)
            break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                fail(err, errlen, "writing the scratch disk image");
                goto done;
            }
            off += w;
        }
    }
    rc = 0;
done:
    close(in);
    if (rc < 0 && out >= 0) {
        close(out);
        out = -1;
    }
    return out;
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

/* value with {kernel} and {disk} filled in, into out. */
static void fill_in(const char *value, const char *kernel, const char *image,
                    char *out, size_t cap)
{
    size_t o = 0;

    while (*value && o + 1 < cap) {
        const char *with = !strncmp(value, "{kernel}", 8) ? kernel
                           : !strncmp(value, "{disk}", 6) ? image : NULL;
        if (with) {
            o += (size_t)snprintf(out + o, cap - o, "%s", with);
            value += with == kernel ? 8 : 6;
        } else {
            out[o++] = *value++;
        }
    }
    out[o < cap ? o : cap - 1] = '\0';
}

/* binary and the machine's options into argv (each line's value filled in
 * values[]); returns how many. */
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
        if (!space) {
            argv[n++] = line;
            continue;
        }
        snprintf(values[i], sizeof values[i], "%.*s", (int)(space - line), line);
        argv[n++] = values[i];
        /* the value goes after the option's NUL, in the same buffer */
        size_t at = strlen(values[i]) + 1;
        fill_in(space + 1, kernel, image, values[i] + at, sizeof values[i] - at);
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

/* A fresh memory file for the guest's RAM, mapped read-only at q->ram:
 * the descriptor for QEMU, or -1 (and no mapping: the guest is read
 * through the gdbstub only). */
static int make_ram(struct qemu *q)
{
    size_t size = qemu_ram_bytes();

    if (q->ram)
        munmap((void *)q->ram, q->ram_size);
    q->ram = NULL;
    q->ram_size = 0;
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
    return fd;
}

int qemu_launch(struct qemu *q, const char *binary, const char *kernel,
                const char *disk, int gdb_port, char *err, size_t errlen)
{
    char chardev[PATH_MAX + 64], gdb[64], ram_object[160];
    char values[MACHINE_LINES][PATH_MAX + 64];
    const char *argv[2 * MACHINE_LINES + 20];

    if (q->pid > 0)
        qemu_kill(q);
    int image = copy_file(disk, q->image, err, errlen);
    if (image < 0)
        return -1;
    q->gdb_port = gdb_port > 0 ? gdb_port : net_free_port();
    if (q->gdb_port <= 0) {
        close(image);
        return fail(err, errlen, "no free TCP port for the gdbstub");
    }
    unlink(q->console_path);
    /* The copy is already unlinked: QEMU opens it through the inherited fd. */
    char image_path[32];
    snprintf(image_path, sizeof image_path, "/proc/self/fd/%d", image);
    snprintf(chardev, sizeof chardev,
             "socket,id=con0,path=%s,server=on,wait=off", q->console_path);
    snprintf(gdb, sizeof gdb, "tcp:127.0.0.1:%d", q->gdb_port);
    int n = machine_args(binary, kernel, image_path, values, argv);
    const char *ours[] = {"-monitor", "none", "-chardev", chardev, "-serial",
                          "chardev:con0", "-S", "-gdb", gdb, NULL};
    for (int i = 0; ours[i]; i++)
        argv[n++] = ours[i];
    int ram = make_ram(q);
    if (ram >= 0) {
        snprintf(ram_object, sizeof ram_object, "memory-backend-file,"
                 "id=glassbox-ram,size=%zu,mem-path=/proc/self/fd/%d,share=on",
                 q->ram_size, ram);
        argv[n++] = "-object";
        argv[n++] = ram_object;
        argv[n++] = "-machine";
        argv[n++] = "memory-backend=glassbox-ram";
    }
    argv[n] = NULL;
    int log = open(q->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log < 0) {
        close(image);
        if (ram >= 0)
            close(ram);
        return fail(err, errlen, "QEMU's log file");
    }
    pid_t ppid = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(log);
        close(image);
        if (ram >= 0)
            close(ram);
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
        if (ram >= 0)
            fcntl(ram, F_SETFD, 0);
        /* A terminal's ^C goes to the daemon, which stops QEMU itself. */
        setpgid(0, 0);
        execvp(binary, (char *const *)argv);
        dprintf(2, "cannot run %s: %s\n", binary, strerror(errno));
        _exit(127);
    }
    close(log);
    close(image);
    if (ram >= 0)
        close(ram); /* the mapping keeps the file */
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
    if (q->ram)
        munmap((void *)q->ram, q->ram_size);
    q->ram = NULL;
    q->ram_size = 0;
    if (!q->dir[0])
        return;
    unlink(q->image);
    unlink(q->console_path);
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

int qemu_connect_console(const struct qemu *q, char *err, size_t errlen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(q->console_path) >= sizeof sa.sun_path) {
        snprintf(err, errlen, "console socket path too long");
        return -1;
    }
    strcpy(sa.sun_path, q->console_path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(err, errlen, "console socket");
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        fail(err, errlen, "connect to QEMU's console socket");
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
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
