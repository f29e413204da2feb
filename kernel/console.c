// The console: the UART as a terminal. Typed characters go to the line
// editor (console_line.c), which echoes them; the lines it finishes wait
// here until a read takes them, so reads return whole lines. ^C kills the
// foreground job, ^P lists the processes, ^D ends the input.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "defs.h"

#define CTRL(x) ((x) - '@')
#define INPUT_SIZE 1024   // two whole lines of the line editor

// Finished lines, not read yet: a ring of bytes.
static struct {
  char buf[INPUT_SIZE];
  uint32 r;  // next to read
  uint32 w;  // end of the finished lines
  int fg_job; // job that ^C kills (0 = none)
} cons;

void consputc(int c)
{
  uartputc_sync(c);
}

// Bytes free for finished lines.
int console_room(void)
{
  return INPUT_SIZE - (cons.w - cons.r);
}

// A finished line from the line editor: n bytes, then end ('\n' or ^D).
// The editor keeps lines short enough to fit (console_room).
void console_commit(const char *line, int n, char end)
{
  for (int i = 0; i < n; i++)
    cons.buf[cons.w++ % INPUT_SIZE] = line[i];
  cons.buf[cons.w++ % INPUT_SIZE] = end;
  wakeup(&cons.r);
}

// Copy up to n bytes of input to user space; waits for a full line.
// Returns 0 at end of file (^D at the start of a line).
int consoleread(uint32 dst, int n)
{
  struct proc *p = myproc();
  int target = n;
  while (n > 0) {
    while (cons.r == cons.w) {
      if (p->killed)
        return -EINTR;
      sleep(&cons.r);
    }
    int c = cons.buf[cons.r++ % INPUT_SIZE];
    if (c == CTRL('D')) {
      if (n < target)
        cons.r--;  // keep ^D for the next read, so it returns 0
      break;
    }
    char ch = c;
    if (copyout(p->pagetable, dst, &ch, 1) < 0)
      return target == n ? -EFAULT : target - n;
    dst++;
    n--;
    if (c == '\n')
      break;
  }
  return target - n;
}

int consolewrite(uint32 src, int n)
{
  struct proc *p = myproc();
  char chunk[64];
  int done = 0;
  while (done < n) {
    int len = n - done < (int)sizeof(chunk) ? n - done : (int)sizeof(chunk);
    if (copyin(p->pagetable, chunk, src + done, len) < 0)
      return done ? done : -EFAULT;
    for (int i = 0; i < len; i++)
      uartputc(chunk[i]);
    done += len;
  }
  return done;
}

void console_set_fg(int job)
{
  cons.fg_job = job;
}

// One received character, from the UART interrupt.
void consoleintr(int c)
{
  switch (c) {
  case CTRL('P'):
    procdump();
    line_redraw();     // the half-typed line again, below the list
    break;
  case CTRL('C'):
    printf("^C\n");
    if (cons.fg_job)
      kill_job(cons.fg_job);
    line_discard();
    break;
  default:
    line_key(c);
    break;
  }
}
