  // TODO (lab mmap): map region r's frames, shared, in a fresh part of p's
  // mmap region, and return its address.
  (void)p;
  (void)r;
  return -ENOSYS;
