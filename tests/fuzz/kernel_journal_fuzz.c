// libFuzzer target: the kernel's JBD2 checks and walks (journal_format.c)
// on arbitrary journal blocks. The input is the journal file's size in
// blocks (4 bytes), its superblock (block 0) and then log blocks, 1 KiB
// each (the last one padded with zeros). Each block sits in a heap buffer
// of exactly one block, so AddressSanitizer catches any read past it.
// Replay decides by the header which parser sees a block; here every block
// goes through both, with its own sequence, so each parser sees every
// input. The results must agree with what the replay relies on.
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <stdlib.h>
#include "types.h"
#include "journal.h"

#define BSIZE 1024           // the kernel's block size (kernel/buf.h)
#define MAX_TAGS ((BSIZE - sizeof(struct jbd2_header)) / sizeof(struct jbd2_tag))
#define MAX_REVOKES ((BSIZE - sizeof(struct jbd2_revoke_header)) / 4)

struct count {
  uint32 calls;
  int ended;                 // a tag said it was the last one
};

// The walk ends at the tag that says it is the last.
static void count_tag(void *arg, uint32 blocknr, uint32 flags)
{
  (void)blocknr;
  struct count *c = arg;
  if (c->ended)
    abort();
  c->ended = (flags & JBD2_FLAG_LAST_TAG) != 0;
  c->calls++;
}

static void count_revoke(void *arg, uint32 blocknr)
{
  (void)blocknr;
  ((struct count *)arg)->calls++;
}

static void check_super(const uint8 *block, uint32 file_blocks)
{
  struct jbd2_superblock jsb;
  memcpy(&jsb, block, sizeof(jsb));
  if (jbd2_check_super(&jsb, BSIZE, file_blocks))
    return;
  // Accepted: the log the replay walks lies inside the journal file.
  uint32 maxlen = be32(jsb.maxlen), first = be32(jsb.first), start = be32(jsb.start);
  if (maxlen > file_blocks || first == 0 || first >= maxlen || maxlen - first < 64)
    abort();
  if (start != 0 && (start < first || start >= maxlen))
    abort();
}

static void check_log_block(const uint8 *block)
{
  uint32 sequence = be32(((const struct jbd2_header *)block)->sequence);
  int types = 0;
  for (uint32 type = JBD2_DESCRIPTOR_BLOCK; type <= JBD2_REVOKE_BLOCK; type++)
    types += jbd2_is_block(block, type, sequence);
  if (types > 1)
    abort();
  // As a descriptor: the kernel counts the tags first, then walks them.
  struct count tags = { 0, 0 };
  int n = jbd2_each_tag(block, BSIZE, 0, 0);
  int walked = jbd2_each_tag(block, BSIZE, count_tag, &tags);
  if (n != walked || n == 0 || n > (int)MAX_TAGS)
    abort();
  if (n > 0 && (tags.calls != (uint32)n || !tags.ended))
    abort();
  // As a revoke block.
  struct count revokes = { 0, 0 };
  int r = jbd2_each_revoke(block, BSIZE, count_revoke, &revokes);
  if (r > (int)MAX_REVOKES || (r >= 0 && revokes.calls != (uint32)r) || (r < 0 && revokes.calls))
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 4)
    return 0;
  uint32 file_blocks;
  memcpy(&file_blocks, data, 4);
  data += 4;
  size -= 4;
  for (size_t off = 0, i = 0; off < size || i == 0; off += BSIZE, i++) {
    uint8 *block = calloc(1, BSIZE);
    if (block == 0)
      abort();
    memcpy(block, data + off, size - off < BSIZE ? size - off : BSIZE);
    if (i == 0)
      check_super(block, file_blocks);
    else
      check_log_block(block);
    free(block);
  }
  return 0;
}
