  // TODO (lab fs): create path (create(path, EXT2_S_IFLNK | 0777, &err),
  // inside begin_op()/end_op()) and store target in it as ext2 does: a
  // target shorter than i_block (60 bytes) in ip->d.block itself, the
  // size its length (a fast symlink: no data block); a longer one in a
  // data block (writei), the size its length again (a slow symlink).
  // Then release the inode.
  (void)path;
  return -ENOSYS;
