// ext2 directories: entries, lookup, adding and removing names, and path
// names. A directory is a file of variable-length records
// (inode, rec_len, name_len, file_type, name), none crossing a block.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "defs.h"
#include "buf.h"
#include "ext2fs.h"

// Record length that an entry with a name of len bytes needs.
static uint32 rec_size(uint32 len)
{
  return (EXT2_DIRENT_HEADER + len + 3) & ~3u;
}

static uint8 file_type_of(short type)
{
  return type == T_DIR ? EXT2_FT_DIR : type == T_DEVICE ? EXT2_FT_CHRDEV :
         type == T_SYMLINK ? EXT2_FT_SYMLINK : EXT2_FT_REG_FILE;
}

// The buffer for the directory block holding byte off of dp; 0 on error
// with *err set.
static struct buf *dir_block(struct inode *dp, uint32 off, int *err)
{
  int block = ext2_bmap(dp, off / BSIZE, 0);
  if (block <= 0) {
    *err = block < 0 ? block : ext2_corrupt(dp->inum, "hole in a directory");
    return 0;
  }
  struct buf *b = bread(block);
  if (b == 0)
    *err = -EIO;
  return b;
}

// Walk a locked directory: fills *out with the next live entry at or after
// *off and advances *off past it. Returns 1, 0 at the end, or an error.
int dir_next(struct inode *dp, uint32 *off, struct dirent *out)
{
  while (*off < dp->d.size) {
    int err;
    struct buf *b = dir_block(dp, *off, &err);
    if (b == 0)
      return err;
    const struct ext2_dirent *d;
    const char *why = ext2_dirent_at(b->data, *off % BSIZE, &d);
    if (why) {
      brelse(b);
      return ext2_corrupt(dp->inum, why);
    }
    *off += d->rec_len;
    int live = d->inode != 0;
    if (live) {
      out->ino = d->inode;
      out->type = d->file_type == EXT2_FT_DIR ? T_DIR :
                  d->file_type == EXT2_FT_REG_FILE ? T_FILE :
                  d->file_type == EXT2_FT_CHRDEV ? T_DEVICE :
                  d->file_type == EXT2_FT_SYMLINK ? T_SYMLINK : 0;
      memmove(out->name, d->name, d->name_len);
      out->name[d->name_len] = 0;
    }
    brelse(b);
    if (live)
      return 1;
  }
  return 0;
}

// The inode number of name in locked directory dp; 0 if absent.
int dirlookup(struct inode *dp, const char *name)
{
  struct dirent ent;
  uint32 off = 0;
  int r;
  while ((r = dir_next(dp, &off, &ent)) > 0)
    if (strncmp(ent.name, name, DIRENT_NAME_LEN + 1) == 0)
      return ent.ino;
  return r;
}

// Put an entry in the record at off of block b: use the record if it is
// free and big enough, or split its unused tail. Returns 1 if it fitted.
static int fit_entry(uint8 *block, uint32 off, const char *name, uint32 inum, uint8 ftype)
{
  struct ext2_dirent *d = (struct ext2_dirent *)(block + off);
  uint32 len = strlen(name), need = rec_size(len);
  uint32 used = d->inode ? rec_size(d->name_len) : 0;
  if (d->rec_len < used + need)
    return 0;
  if (used) {
    uint32 rest = d->rec_len - used;
    d->rec_len = used;
    d = (struct ext2_dirent *)(block + off + used);
    d->rec_len = rest;
  }
  d->inode = inum;
  d->name_len = len;
  d->file_type = ftype;
  memmove(d->name, name, len);
  return 1;
}

// Add name -> inum (of type `type`) to locked directory dp.
int dir_add(struct inode *dp, const char *name, uint32 inum, short type)
{
  uint8 ftype = file_type_of(type);
  for (uint32 off = 0; off < dp->d.size;) {
    int err;
    struct buf *b = dir_block(dp, off, &err);
    if (b == 0)
      return err;
    const struct ext2_dirent *d;
    const char *why = ext2_dirent_at(b->data, off % BSIZE, &d);
    if (why) {
      brelse(b);
      return ext2_corrupt(dp->inum, why);
    }
    if (fit_entry(b->data, off % BSIZE, name, inum, ftype)) {
      bdirty_meta(b);
      brelse(b);
      return 0;
    }
    off += d->rec_len;
    brelse(b);
  }
  // No room: a new block holding one record that spans it.
  int block = ext2_bmap(dp, dp->d.size / BSIZE, 1);
  struct buf *b = block > 0 ? bread(block) : 0;
  if (b == 0)
    return block < 0 ? block : -EIO;
  struct ext2_dirent *d = (struct ext2_dirent *)b->data;
  d->inode = 0;
  d->rec_len = BSIZE;
  fit_entry(b->data, 0, name, inum, ftype);
  bdirty_meta(b);
  brelse(b);
  dp->d.size += BSIZE;
  dp->d.mtime = dp->d.ctime = rtc_seconds();
  return iupdate(dp);
}

// Remove name from locked directory dp: the record joins the one before
// it in its block, or is marked free if it is the first.
int dir_remove(struct inode *dp, const char *name)
{
  uint32 len = strlen(name);
  for (uint32 off = 0; off < dp->d.size;) {
    int err;
    struct buf *b = dir_block(dp, off, &err);
    if (b == 0)
      return err;
    uint32 prev = BSIZE;   // none yet in this block
    for (uint32 boff = 0; boff < BSIZE;) {
      const struct ext2_dirent *c;
      const char *why = ext2_dirent_at(b->data, boff, &c);
      if (why) {
        brelse(b);
        return ext2_corrupt(dp->inum, why);
      }
      struct ext2_dirent *d = (struct ext2_dirent *)(b->data + boff);
      if (d->inode && d->name_len == len && memcmp(d->name, name, len) == 0) {
        if (prev == BSIZE)
          d->inode = 0;
        else
          ((struct ext2_dirent *)(b->data + prev))->rec_len += d->rec_len;
        bdirty_meta(b);
        brelse(b);
        dp->d.mtime = dp->d.ctime = rtc_seconds();
        return iupdate(dp);
      }
      prev = boff;
      boff += d->rec_len;
    }
    brelse(b);
    off += BSIZE;
  }
  return -ENOENT;
}

// 1 if locked directory dp holds nothing but "." and "..", 0 if it holds
// more, or an error.
int dir_is_empty(struct inode *dp)
{
  struct dirent ent;
  uint32 off = 0;
  int r;
  while ((r = dir_next(dp, &off, &ent)) > 0)
    if (strncmp(ent.name, ".", 2) != 0 && strncmp(ent.name, "..", 3) != 0)
      return 0;
  return r < 0 ? r : 1;
}

// The first block of a new directory: "." and "..".
int dir_init(struct inode *dp, uint32 parent)
{
  int block = ext2_bmap(dp, 0, 1);
  struct buf *b = block > 0 ? bread(block) : 0;
  if (b == 0)
    return block < 0 ? block : -EIO;
  struct ext2_dirent *d = (struct ext2_dirent *)b->data;
  d->inode = dp->inum;
  d->rec_len = rec_size(1);
  d->name_len = 1;
  d->file_type = EXT2_FT_DIR;
  d->name[0] = '.';
  d = (struct ext2_dirent *)(b->data + rec_size(1));
  d->inode = parent;
  d->rec_len = BSIZE - rec_size(1);
  d->name_len = 2;
  d->file_type = EXT2_FT_DIR;
  d->name[0] = d->name[1] = '.';
  bdirty_meta(b);
  brelse(b);
  dp->d.size = BSIZE;
  return iupdate(dp);
}

// Point a locked directory's ".." at a new parent (rename across directories).
int dir_set_parent(struct inode *dp, uint32 parent)
{
  int err;
  struct buf *b = dir_block(dp, 0, &err);
  if (b == 0)
    return err;
  const struct ext2_dirent *dot, *dotdot;
  const char *why = ext2_dirent_at(b->data, 0, &dot);
  if (!why)
    why = ext2_dirent_at(b->data, dot->rec_len, &dotdot);
  if (!why && (dotdot->name_len != 2 || memcmp(dotdot->name, "..", 2) != 0))
    why = "directory without '..' in second place";
  if (why) {
    brelse(b);
    return ext2_corrupt(dp->inum, why);
  }
  ((struct ext2_dirent *)(b->data + dot->rec_len))->inode = parent;
  bdirty_meta(b);
  brelse(b);
  return 0;
}

// ---- path names -----------------------------------------------------------

// Copy the next path element into name; returns the rest of the path, or 0
// if there is no element. *too_long is set for elements over EXT2_NAME_LEN.
static const char *skipelem(const char *path, char *name, int *too_long)
{
  while (*path == '/')
    path++;
  if (*path == 0)
    return 0;
  const char *s = path;
  while (*path != '/' && *path != 0)
    path++;
  int len = path - s;
  *too_long = len > EXT2_NAME_LEN;
  if (*too_long)
    len = EXT2_NAME_LEN;
  memmove(name, s, len);
  name[len] = 0;
  return path;
}

// Look up a path. With parent set, stop one element early: return the
// parent directory and copy the last element into name. The inode comes
// back referenced and unlocked; on error 0 with *err set.
static struct inode *namex(const char *path, int parent, char *name, int *err)
{
  struct inode *ip = *path == '/' ? iget(EXT2_ROOT_INO) : idup(myproc()->cwd);
  int too_long;
  *err = ip ? 0 : -ENOENT;
  while (ip && (path = skipelem(path, name, &too_long)) != 0) {
    int r = too_long ? -ENAMETOOLONG : ilock(ip);
    if (r == 0) {
      r = ip->type == T_DIR ? 0 : -ENOTDIR;
      // A removed directory (still some process's cwd) names nothing and
      // takes no new names: its ".." may lead to a freed parent.
      if (r == 0 && ip->d.links_count == 0)
        r = -ENOENT;
      while (*path == '/')
        path++;
      if (r == 0 && parent && *path == 0) {
        iunlock(ip);
        return ip;   // name holds the last element
      }
      if (r == 0)
        r = dirlookup(ip, name);
      iunlock(ip);
    }
    iput(ip);
    ip = 0;
    if (r > 0 && (ip = iget(r)) == 0)
      r = ext2_corrupt(r, "directory entry names an inode out of range");
    if (r <= 0)
      *err = r == 0 ? -ENOENT : r;
  }
  if (ip && parent) {   // the path had no last element ("/" or "")
    iput(ip);
    *err = -EINVAL;
    return 0;
  }
  return ip;
}

struct inode *namei_err(const char *path, int *err)
{
  char name[EXT2_NAME_LEN + 1];
  return namex(path, 0, name, err);
}

// namei_err, and the inode locked.
struct inode *namei_locked(const char *path, int *err)
{
  struct inode *ip = namei_err(path, err);
  if (ip && (*err = ilock(ip)) < 0) {
    iput(ip);
    return 0;
  }
  return ip;
}

struct inode *namei(const char *path)
{
  int err;
  return namei_err(path, &err);
}

struct inode *nameiparent(const char *path, char *name, int *err)
{
  return namex(path, 1, name, err);
}
