  // TODO (lab lazy): the kernel's own accesses to a heap page not yet
  // mapped (copyin, copyout) need it mapped too.
