  // TODO (lab mmap): the bits for prot (PROT_READ, PROT_WRITE, PROT_EXEC).
  // For now every mapping is readable and writable, whatever it asked for.
  (void)prot;
  return PTE_R | PTE_W;
