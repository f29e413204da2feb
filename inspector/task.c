/* task.c -- the work that waits for QEMU, on a stack of its own (task.h).
 *
 * The task is one context, made once, whose function runs the queued work
 * in order and switches back to the loop when the queue is empty. A piece
 * of work that waits switches back too, leaving its frames on the task's
 * stack; task_wake() switches in again. */
#include "task.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define SANITIZED 1
#endif

#define TASK_STACK (8u << 20) /* as a thread's; untouched pages cost nothing */
#define GUARD_PAGE 4096u
#define MAX_QUEUED 16 /* distinct (fn, ctx) pairs: a few per module */

struct job {
    void (*fn)(void *ctx);
    void *ctx;
};

static ucontext_t loop_ctx, task_ctx;
static char *stack;
static bool made, failed, inside, waiting;
static int wake_result;
static struct job queue[MAX_QUEUED];
static int nqueued;

/* AddressSanitizer has to be told when the stack changes (the unit tests
 * are built with it). */
#ifdef SANITIZED
static void *fake_stack;
static const void *loop_bottom;
static size_t loop_size;

static void leaving(bool to_task, bool for_good)
{
    if (to_task)
        __sanitizer_start_switch_fiber(&fake_stack, stack + GUARD_PAGE,
                                       TASK_STACK - GUARD_PAGE);
    else
        __sanitizer_start_switch_fiber(for_good ? NULL : &fake_stack,
                                       loop_bottom, loop_size);
}

static void arrived(bool in_task)
{
    if (in_task)
        __sanitizer_finish_switch_fiber(fake_stack, &loop_bottom, &loop_size);
    else
        __sanitizer_finish_switch_fiber(fake_stack, NULL, NULL);
}
#else
static void leaving(bool to_task, bool for_good)
{
    (void)to_task;
    (void)for_good;
}

static void arrived(bool in_task)
{
    (void)in_task;
}
#endif

/* From the task to the loop, until switched in again. */
static void to_loop(void)
{
    inside = false;
    leaving(false, false);
    swapcontext(&task_ctx, &loop_ctx);
    arrived(true);
    inside = true;
}

/* From the loop into the task, until it waits or has nothing left. */
static void to_task(void)
{
    leaving(true, false);
    swapcontext(&loop_ctx, &task_ctx);
    arrived(false);
}

static void task_main(void)
{
    arrived(true);
    inside = true;
    for (;;) {
        while (nqueued > 0) {
            struct job j = queue[0];
            for (int i = 1; i < nqueued; i++)
                queue[i - 1] = queue[i];
            nqueued--;
            j.fn(j.ctx);
        }
        to_loop();
    }
}

/* The context, made at the first use; false if it cannot be (then work
 * runs on the loop's stack, waiting as plain calls do). */
static bool make_task(void)
{
    if (made || failed)
        return made;
    stack = mmap(NULL, TASK_STACK, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED || mprotect(stack, GUARD_PAGE, PROT_NONE) < 0 ||
        getcontext(&task_ctx) < 0) {
        fprintf(stderr, "glassbox-inspector: no stack for the task: QEMU's "
                        "replies will be waited for in the loop\n");
        failed = true;
        return false;
    }
    task_ctx.uc_stack.ss_sp = stack + GUARD_PAGE;
    task_ctx.uc_stack.ss_size = TASK_STACK - GUARD_PAGE;
    task_ctx.uc_link = NULL; /* task_main never returns */
    makecontext(&task_ctx, task_main, 0);
    made = true;
    return true;
}

static void enqueue(void (*fn)(void *ctx), void *ctx)
{
    for (int i = 0; i < nqueued; i++)
        if (queue[i].fn == fn && queue[i].ctx == ctx)
            return; /* it will look at everything that came meanwhile */
    if (nqueued == MAX_QUEUED) {
        fprintf(stderr, "glassbox-inspector: the task's queue is full\n");
        abort();
    }
    queue[nqueued++] = (struct job){fn, ctx};
}

void task_run(void (*fn)(void *ctx), void *ctx)
{
    if (inside || !make_task()) {
        fn(ctx);
        return;
    }
    enqueue(fn, ctx);
    if (!waiting)
        to_task();
}

bool task_waiting(void)
{
    return waiting;
}

bool task_inside(void)
{
    return inside;
}

int task_wait(void)
{
    waiting = true;
    to_loop();
    waiting = false;
    return wake_result;
}

void task_wake(int result)
{
    if (!waiting)
        return;
    wake_result = result;
    to_task();
}
