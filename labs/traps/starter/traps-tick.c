  // TODO (lab traps): count this tick; when the alarm is due and its
  // handler is not running, save the registers and return into the handler.
  (void)p;
