  // TODO (lab scheduler): charge p one quantum: its stride.
  (void)p;
