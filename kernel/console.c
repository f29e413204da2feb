// The console: a line editor on the UART. Input is collected a line at a
// time (backspace and ^U edit it, ^D ends the input, ^C kills the foreground
// job, ^P lists processes); reads return whole lines.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "defs.h"

#define CTRL(x) ((x) - '@')
#define BACKSPACE 0x100
#define INPUT_SIZE 128

static struct {
  char buf[INPUT_SIZE];
  uint32 r;  // next to read
  uint32 w;  // end of the committed lines
  uint32 e;  // end of the line being edited
  int fg_job; // job that ^C kills (0 = none)
} cons;

// Echo a character to the screen, erasing for backspace.
void consputc(int c)
{
  if (c == BACKSPACE) {
    uartputc_sync('\b');
    uartputc_sync(' ');
    uartputc_sync('\b');
  } else {
    uartputc_sync(c);
  }
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
    break;
  case CTRL('C'):
    printf("^C\n");
    if (cons.fg_job)
      kill_job(cons.fg_job);
    cons.e = cons.w;   // drop the half-typed line
    break;
  case CTRL('U'):
    while (cons.e != cons.w && cons.buf[(cons.e - 1) % INPUT_SIZE] != '\n') {
      cons.e--;
      consputc(BACKSPACE);
    }
    break;
  case CTRL('H'):
  case '\x7f':
    if (cons.e != cons.w) {
      cons.e--;
      consputc(BACKSPACE);
    }
    break;
  default:
    if (c == 0 || cons.e - cons.r >= INPUT_SIZE)
      break;
    if (c == '\r')
      c = '\n';
    if (c != CTRL('D'))
      consputc(c);
    cons.buf[cons.e++ % INPUT_SIZE] = c;
    if (c == '\n' || c == CTRL('D') || cons.e - cons.r == INPUT_SIZE) {
      cons.w = cons.e;
      wakeup(&cons.r);
    }
    break;
  }
}
