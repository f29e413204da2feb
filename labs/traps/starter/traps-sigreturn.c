  // TODO (lab traps): outside a handler, -EINVAL. Else give the process
  // back the registers its handler's call interrupted, all of them, and
  // allow the next call.
  return -ENOSYS;
