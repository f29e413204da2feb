/* task.h -- the work that waits for QEMU, on a stack of its own.
 *
 * Handling a stop, a hidden stop or a held command is a sequence of
 * requests to the gdbstub, each waiting for its reply. Written as plain
 * calls, such a wait would stop the event loop: a QEMU stopped (SIGSTOP)
 * or starved between two requests would stall every client, and a reply
 * given up on would lose the stop it belonged to. So that work runs as the
 * task, on its own stack: when it has to wait for the gdbstub, it gives
 * the loop back (task_wait), and goes on where it was when the socket is
 * readable (task_wake). One piece of work at a time; what comes while one
 * waits is queued and runs after it, in order.
 *
 * The stacks are switched with swapcontext(3). */
#ifndef GLASSBOX_TASK_H
#define GLASSBOX_TASK_H

#include <stdbool.h>

/* Run fn(ctx) as the task: at once if no work is waiting, else once the
 * work before it is done. From inside the task, fn is simply called. */
void task_run(void (*fn)(void *ctx), void *ctx);
/* Whether a piece of work is waiting for a wake (it is not done). */
bool task_waiting(void);
/* Whether the caller is on the task's stack. */
bool task_inside(void);
/* From inside the task: give the loop back until task_wake(); returns the
 * value the wake gives (> 0 readable, < 0 given up on). */
int task_wait(void);
/* From the loop: the waiting work goes on, and task_wait() returns
 * result; then the work queued behind it runs. */
void task_wake(int result);

#endif
