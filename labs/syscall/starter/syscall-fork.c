  // TODO (lab syscall): the child is traced as its parent is.
