// The ext2 file system: mount, inodes, file blocks, directories, path
// names. Everything read from the disk is checked before it is used: a
// corrupt image makes the operation fail with -ECORRUPT, never the kernel.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"
#include "buf.h"

#define MAX_GROUPS 256

static struct {
  struct ext2_geometry geo;
  struct ext2_group_desc group[MAX_GROUPS];
} fs;

static struct inode itable[NINODE];

// Stop the machine with a message: the disk cannot be used at all.
static void refuse_disk(const char *why)
{
  printf("ext2: cannot mount the disk: %s\n", why);
  poweroff(1);
}

void fsinit(void)
{
  if (virtio_disk_init() < 0)
    refuse_disk("no usable virtio disk");
  struct buf *b = bread(EXT2_SUPER_OFFSET / BSIZE);
  if (b == 0)
    refuse_disk("cannot read the superblock");
  const char *why = ext2_check_super((struct ext2_superblock *)b->data, virtio_disk_blocks(), &fs.geo);
  brelse(b);
  if (why)
    refuse_disk(why);
  if (fs.geo.group_count > MAX_GROUPS)
    refuse_disk("too many block groups");
  uint32 bytes = fs.geo.group_count * sizeof(struct ext2_group_desc);
  for (uint32 off = 0; off < bytes; off += BSIZE) {
    b = bread(fs.geo.first_data_block + 1 + off / BSIZE);
    if (b == 0)
      refuse_disk("cannot read the group descriptors");
    memmove((char *)fs.group + off, b->data, bytes - off < BSIZE ? bytes - off : BSIZE);
    brelse(b);
  }
  for (uint32 g = 0; g < fs.geo.group_count; g++) {
    if (fs.group[g].inode_table == 0 || fs.group[g].inode_table >= fs.geo.blocks_count)
      refuse_disk("group descriptor points outside the disk");
  }
  printf("ext2: %d blocks, %d inodes, %d groups%s\n", fs.geo.blocks_count,
         fs.geo.inodes_count, fs.geo.group_count, fs.geo.read_only ? ", read-only" : "");
}

static int corrupt(uint32 inum, const char *what)
{
  printf("ext2: inode %d: %s\n", inum, what);
  return -ECORRUPT;
}

// The cached inode inum, not locked. 0 if inum is out of range or the
// cache is full.
struct inode *iget(uint32 inum)
{
  struct inode *empty = 0;
  if (inum < 1 || inum > fs.geo.inodes_count)
    return 0;
  for (struct inode *ip = itable; ip < itable + NINODE; ip++) {
    if (ip->ref > 0 && ip->inum == inum) {
      ip->ref++;
      return ip;
    }
    if (empty == 0 && ip->ref == 0)
      empty = ip;
  }
  if (empty == 0) {
    printf("ext2: inode cache full\n");
    return 0;
  }
  empty->inum = inum;
  empty->ref = 1;
  empty->valid = 0;
  empty->busy = 0;
  return empty;
}

struct inode *idup(struct inode *ip)
{
  ip->ref++;
  return ip;
}

static short inode_type(uint16 mode)
{
  switch (mode & EXT2_S_IFMT) {
  case EXT2_S_IFDIR: return T_DIR;
  case EXT2_S_IFREG: return T_FILE;
  case EXT2_S_IFCHR: return T_DEVICE;
  default: return 0;
  }
}

static int read_inode(struct inode *ip)
{
  uint32 idx = (ip->inum - 1) % fs.geo.inodes_per_group;
  uint32 group = (ip->inum - 1) / fs.geo.inodes_per_group;
  uint32 block = fs.group[group].inode_table + idx * sizeof(struct ext2_inode) / BSIZE;
  if (block >= fs.geo.blocks_count)
    return corrupt(ip->inum, "inode table past the end of the disk");
  struct buf *b = bread(block);
  if (b == 0)
    return -EIO;
  memmove(&ip->d, b->data + idx * sizeof(struct ext2_inode) % BSIZE, sizeof(ip->d));
  brelse(b);
  ip->type = inode_type(ip->d.mode);
  ip->valid = 1;
  return 0;
}

// Lock ip, reading it from the disk the first time. On error it is not
// locked and a negative error is returned.
int ilock(struct inode *ip)
{
  while (ip->busy)
    sleep(ip);
  ip->busy = 1;
  if (!ip->valid) {
    int err = read_inode(ip);
    if (err < 0) {
      iunlock(ip);
      return err;
    }
  }
  return 0;
}

void iunlock(struct inode *ip)
{
  ip->busy = 0;
  wakeup(ip);
}

void iput(struct inode *ip)
{
  if (ip && --ip->ref == 0)
    ip->valid = 0;
}

void iunlockput(struct inode *ip)
{
  iunlock(ip);
  iput(ip);
}

// block itself if it is 0 (a hole) or inside the disk, else -ECORRUPT.
static int check_block(struct inode *ip, uint32 block)
{
  if (block >= fs.geo.blocks_count || (block != 0 && block < fs.geo.first_data_block))
    return corrupt(ip->inum, "block pointer past the end of the disk");
  return block;
}

// Entry i of indirect block `block`; 0 for a hole.
static int indirect_entry(struct inode *ip, uint32 block, uint32 i)
{
  struct buf *b = bread(block);
  if (b == 0)
    return -EIO;
  uint32 entry = ((uint32 *)b->data)[i];
  brelse(b);
  return check_block(ip, entry);
}

// The disk block holding file block n of ip; 0 for a hole.
static int bmap(struct inode *ip, uint32 n)
{
  uint32 index[2];
  int depth = ext2_block_path(n, index);
  if (depth < 0)
    return -EFBIG;
  uint32 top = depth == 0 ? ip->d.block[index[0]] : ip->d.block[EXT2_NDIR_BLOCKS + depth - 1];
  int block = check_block(ip, top);
  if (block <= 0 || depth == 0)
    return block;
  block = indirect_entry(ip, top, index[0]);
  if (block <= 0 || depth == 1)
    return block;
  return indirect_entry(ip, block, index[1]);
}

// Copy to a user address (user_dst) or a kernel one.
int either_copyout(int user_dst, uint32 dst, const void *src, uint32 len)
{
  if (user_dst)
    return copyout(myproc()->pagetable, dst, src, len);
  memmove((void *)dst, src, len);
  return 0;
}

// Read n bytes at off from locked ip. Returns bytes read (less at the end
// of the file) or a negative error.
int readi(struct inode *ip, int user_dst, uint32 dst, uint32 off, uint32 n)
{
  static const uint8 zeros[BSIZE];
  if (off > ip->d.size)
    return 0;
  if (n > ip->d.size - off)
    n = ip->d.size - off;
  uint32 done = 0;
  while (done < n) {
    uint32 boff = (off + done) % BSIZE;
    uint32 len = BSIZE - boff < n - done ? BSIZE - boff : n - done;
    int block = bmap(ip, (off + done) / BSIZE);
    if (block < 0)
      return done ? (int)done : block;
    struct buf *b = block ? bread(block) : 0;
    if (block && b == 0)
      return done ? (int)done : -EIO;
    int err = either_copyout(user_dst, dst + done, (b ? b->data : zeros) + boff, len);
    if (b)
      brelse(b);
    if (err < 0)
      return done ? (int)done : err;
    done += len;
  }
  return done;
}

// Walk a locked directory: fills *out with the next live entry at or after
// *off and advances *off past it. Returns 1, 0 at the end, or an error.
int dir_next(struct inode *dp, uint32 *off, struct dirent *out)
{
  while (*off < dp->d.size) {
    int block = bmap(dp, *off / BSIZE);
    if (block <= 0)
      return block < 0 ? block : corrupt(dp->inum, "hole in a directory");
    struct buf *b = bread(block);
    if (b == 0)
      return -EIO;
    const struct ext2_dirent *d;
    const char *why = ext2_dirent_at(b->data, *off % BSIZE, &d);
    if (why) {
      brelse(b);
      return corrupt(dp->inum, why);
    }
    *off += d->rec_len;
    int live = d->inode != 0;
    if (live) {
      out->ino = d->inode;
      out->type = d->file_type == EXT2_FT_DIR ? T_DIR :
                  d->file_type == EXT2_FT_REG_FILE ? T_FILE :
                  d->file_type == EXT2_FT_CHRDEV ? T_DEVICE : 0;
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
static int dirlookup(struct inode *dp, const char *name)
{
  struct dirent ent;
  uint32 off = 0;
  int r;
  while ((r = dir_next(dp, &off, &ent)) > 0)
    if (strncmp(ent.name, name, DIRENT_NAME_LEN) == 0)
      return ent.ino;
  return r;
}

// Copy the next path element into name; returns the rest of the path, or 0
// if there is no element. Elements longer than EXT2_NAME_LEN fail.
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

// Look up a path; the inode is returned referenced and unlocked. On error
// 0 is returned with *err set.
struct inode *namei_err(const char *path, int *err)
{
  char name[EXT2_NAME_LEN + 1];
  struct inode *ip = *path == '/' ? iget(EXT2_ROOT_INO) : idup(myproc()->cwd);
  int too_long;
  *err = ip ? 0 : -ENOENT;
  while (ip && (path = skipelem(path, name, &too_long)) != 0) {
    int r = too_long ? -ENAMETOOLONG : ilock(ip);
    if (r == 0) {
      r = ip->type == T_DIR ? dirlookup(ip, name) : -ENOTDIR;
      iunlock(ip);
    }
    iput(ip);
    ip = 0;
    if (r > 0 && (ip = iget(r)) == 0)
      r = corrupt(r, "directory entry names an inode out of range");
    if (r <= 0)
      *err = r == 0 ? -ENOENT : r;
  }
  return ip;
}

struct inode *namei(const char *path)
{
  int err;
  return namei_err(path, &err);
}

void stati(struct inode *ip, struct stat *st)
{
  st->dev = 1;
  st->ino = ip->inum;
  st->type = ip->type;
  st->nlink = ip->d.links_count;
  st->size = ip->d.size;
  st->mode = ip->d.mode;
  st->mtime = ip->d.mtime;
}

int fs_sync(void)
{
  return bsync();
}
