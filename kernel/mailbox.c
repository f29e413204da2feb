// Mailboxes: one bounded queue of messages per process. send() blocks
// while the receiver's queue is full, recv() while its own is empty; both
// have a non-blocking flag. A receiver that exits drops its queue and wakes
// its blocked senders, who get -ESRCH.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "defs.h"

struct message mailbox_slots[NPROC][MBOX_DEPTH];

// Give a new process its (empty) mailbox.
void mailbox_init(struct proc *p)
{
  p->mbox.head = p->mbox.count = 0;
  p->mbox.msgs = mailbox_slots[p - proc];
}

static struct proc *find_live(int pid)
{
  for (struct proc *p = proc; p < &proc[NPROC]; p++)
    if (p->pid == pid && p->state != UNUSED && p->state != ZOMBIE)
      return p;
  return 0;
}

int mailbox_send(int pid, uint32 buf, uint32 len, int flags)
{
  struct proc *me = myproc();
  if (len > MSG_MAX)
    return -EMSGSIZE;
  if (flags & ~MSG_DONTWAIT)
    return -EINVAL;
  struct message msg = { .from = me->pid, .len = len };
  if (copyin(me->pagetable, msg.data, buf, len) < 0)
    return -EFAULT;
  // LAB mailbox-send begin
  struct proc *to;
  while ((to = find_live(pid)) != 0 && to->mbox.count == MBOX_DEPTH) {
    if (flags & MSG_DONTWAIT)
      return -EAGAIN;
    if (me->killed)
      return -EINTR;
    sleep(&to->mbox);   // woken by its recv, or by its exit
  }
  if (to == 0)
    return -ESRCH;
  to->mbox.msgs[(to->mbox.head + to->mbox.count) % MBOX_DEPTH] = msg;
  to->mbox.count++;
  wakeup(&to->mbox.count);
  union event_data ev = { .mail_send = { .to = pid, .len = len } };
  event_log(EV_MAIL_SEND, me->pid, &ev);
  return len;
  // LAB mailbox-send end
}

// Take the oldest message: its payload to buf (at most len bytes; a longer
// message stays queued and gives -EMSGSIZE), its sender to *from.
int mailbox_recv(uint32 buf, uint32 len, uint32 from_addr, int flags)
{
  struct proc *me = myproc();
  struct mailbox *mb = &me->mbox;
  if (flags & ~MSG_DONTWAIT)
    return -EINVAL;
  // LAB mailbox-recv begin
  while (mb->count == 0) {
    if (flags & MSG_DONTWAIT)
      return -EAGAIN;
    if (me->killed)
      return -EINTR;
    sleep(&mb->count);
  }
  struct message *msg = &mb->msgs[mb->head];
  if (msg->len > len)
    return -EMSGSIZE;
  if (copyout(me->pagetable, buf, msg->data, msg->len) < 0)
    return -EFAULT;
  if (from_addr && copyout(me->pagetable, from_addr, &msg->from, sizeof(msg->from)) < 0)
    return -EFAULT;
  union event_data ev = { .mail_recv = { .from = msg->from, .len = msg->len } };
  memset(msg, 0, sizeof(*msg));
  mb->head = (mb->head + 1) % MBOX_DEPTH;
  mb->count--;
  wakeup(mb);
  event_log(EV_MAIL_RECV, me->pid, &ev);   // once the message has left the queue
  return ev.mail_recv.len;
  // LAB mailbox-recv end
}

// The process is exiting: drop what is queued and let blocked senders see
// that the receiver is gone.
void mailbox_close(struct proc *p)
{
  memset(p->mbox.msgs, 0, MBOX_DEPTH * sizeof(struct message));
  p->mbox.head = p->mbox.count = 0;
  wakeup(&p->mbox);
}
