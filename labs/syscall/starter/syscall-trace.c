  // TODO (lab syscall): remember the mask (argument 0) in the process.
  return -ENOSYS;
