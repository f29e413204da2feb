  // TODO (lab mmap): check the range, unmap its pages, free what nobody
  // maps any more.
  (void)p;
  (void)va;
  (void)len;
  return -ENOSYS;
