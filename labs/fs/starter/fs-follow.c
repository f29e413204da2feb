// The inode for open(): looked up, or created with O_CREATE. Locked.
// TODO (lab fs): when the path names a symbolic link (ip->type ==
// T_SYMLINK) and flags lack O_NOFOLLOW, open what its target names
// instead: read the target (a fast link keeps it in ip->d.block, a slow
// one in its data block: readi), take a relative target from the link's
// own directory, and look that up in turn, following at most MAXSYMLINKS
// links (then -ELOOP). Until then open_file() refuses a link (-ELOOP).
static struct inode *open_inode(const char *path, int flags, int *err)
{
  for (;;) {
    struct inode *ip = namei_locked(path, err);
    if (ip || *err != -ENOENT || !(flags & O_CREATE))
      return ip;
    ip = create(path, EXT2_S_IFREG | 0644, err);
    if (ip || *err != -EEXIST)   // -EEXIST: someone made it meanwhile
      return ip;
  }
}
