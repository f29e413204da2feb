  // TODO (lab lazy): if va is in the current process's heap (USER_BASE up
  // to p->sz) and its page is not mapped yet, map a fresh zeroed frame
  // there, readable and writable by the user, and return 0.
  (void)pt;
  (void)va;
  return -EFAULT;
