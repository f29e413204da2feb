// JBD2 structure checks and walks: pure functions over journal blocks,
// shared by the kernel (journal.c) and the host unit tests. A corrupt
// journal gives a reason or a stop here, never a wild read.
#include "types.h"
#include "journal.h"

int jbd2_is_block(const uint8 *block, uint32 type, uint32 sequence)
{
  const struct jbd2_header *h = (const struct jbd2_header *)block;
  return be32(h->magic) == JBD2_MAGIC && be32(h->blocktype) == type &&
         be32(h->sequence) == sequence;
}

const char *jbd2_check_super(const struct jbd2_superblock *jsb, uint32 bsize, uint32 file_blocks)
{
  uint32 type = be32(jsb->header.blocktype);
  if (be32(jsb->header.magic) != JBD2_MAGIC ||
      (type != JBD2_SUPERBLOCK_V1 && type != JBD2_SUPERBLOCK_V2))
    return "the journal has no JBD2 superblock";
  if (be32(jsb->blocksize) != bsize)
    return "the journal's block size differs from the file system's";
  uint32 maxlen = be32(jsb->maxlen), first = be32(jsb->first), start = be32(jsb->start);
  if (maxlen > file_blocks || first == 0 || first >= maxlen || maxlen - first < 64)
    return "the journal's size does not match its file";
  if (start != 0 && (start < first || start >= maxlen))
    return "the journal's start is outside its log";
  if (type == JBD2_SUPERBLOCK_V2) {
    if (be32(jsb->feature_incompat) & ~JBD2_KNOWN_INCOMPAT)
      return "the journal uses an incompatible feature we do not implement (64bit or checksums)";
    if (be32(jsb->feature_compat) != 0)
      return "the journal uses commit checksums, which we do not implement";
  }
  return 0;
}

int jbd2_each_tag(const uint8 *block, uint32 bsize,
                  void (*fn)(void *arg, uint32 blocknr, uint32 flags), void *arg)
{
  uint32 off = sizeof(struct jbd2_header);
  for (int n = 0;; n++) {
    if (off + sizeof(struct jbd2_tag) > bsize)
      return -1;
    const struct jbd2_tag *tag = (const struct jbd2_tag *)(block + off);
    uint32 flags = be16(tag->flags);
    off += sizeof(struct jbd2_tag);
    if (!(flags & JBD2_FLAG_SAME_UUID))
      off += JBD2_UUID_BYTES;
    if (off > bsize)
      return -1;
    if (fn)
      fn(arg, be32(tag->blocknr), flags);
    if (flags & JBD2_FLAG_LAST_TAG)
      return n + 1;
  }
}

int jbd2_each_revoke(const uint8 *block, uint32 bsize,
                     void (*fn)(void *arg, uint32 blocknr), void *arg)
{
  const struct jbd2_revoke_header *r = (const struct jbd2_revoke_header *)block;
  uint32 count = be32(r->count);
  if (count < sizeof(*r) || count > bsize || (count - sizeof(*r)) % 4)
    return -1;
  const uint32 *nr = (const uint32 *)(block + sizeof(*r));
  uint32 n = (count - sizeof(*r)) / 4;
  for (uint32 i = 0; i < n; i++)
    fn(arg, be32(nr[i]));
  return n;
}
