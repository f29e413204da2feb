      // TODO (lab cow): share the page instead of copying it. Until then
      // fork copies every private page at once, as xv6 does.
      pte_t *cpte = walk(child, va, 1);
      if (cpte == 0)
        return -ENOMEM;
      if (*pte & PTE_SHARED) {   // shared mappings stay shared
        set_pte(cpte, *pte);
        kref(PTE2PA(*pte));
        continue;
      }
      void *copy = kalloc(FRAME_USER);
      if (copy == 0)
        return -ENOMEM;
      memmove(copy, (void *)PTE2PA(*pte), PGSIZE);
      set_pte(cpte, PA2PTE((uint32)copy) | PTE_FLAGS(*pte));
