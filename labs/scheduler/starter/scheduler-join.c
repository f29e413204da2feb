  // TODO (lab scheduler): a pass no smaller than the least pass of the
  // other runnable (or running) processes.
  (void)p;
