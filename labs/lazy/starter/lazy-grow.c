  // TODO (lab lazy): grow the size only (refuse with -ENOMEM to promise
  // more pages than kfree_count() - LAZY_RESERVE), no frames now.
  if (n > 0 && uvmalloc(p->pagetable, old, new, PTE_R | PTE_W) < 0)
    return -ENOMEM;
