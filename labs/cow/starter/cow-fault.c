  // TODO (lab cow): a store hit the page at va. If it is a COW page of
  // this process, give it a writable frame of its own (or take the frame
  // back when nobody else holds it), log EV_COW_FAULT and return 0.
  (void)pt;
  (void)va;
  return -EFAULT;
