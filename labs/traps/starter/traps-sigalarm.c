  // TODO (lab traps): check n (-EINVAL if negative), remember n and the
  // handler (argument 1) in the process, and start counting n ticks.
  return -ENOSYS;
