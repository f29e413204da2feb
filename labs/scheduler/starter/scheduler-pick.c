  // TODO (lab scheduler): the runnable process with the smallest pass.
  // For now, round-robin: the next runnable process after the last one.
  static struct proc *last = &proc[NPROC - 1];
  struct proc *p = last;
  for (int n = 0; n < NPROC; n++) {
    p = p + 1 < &proc[NPROC] ? p + 1 : proc;
    if (p->state == RUNNABLE)
      return last = p;
  }
  return 0;
