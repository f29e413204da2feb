  // TODO (lab mmap): free every region nobody maps any more.
