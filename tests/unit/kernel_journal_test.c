// Host tests of the kernel's JBD2 checks and walks (kernel/journal_format.c),
// on the journal superblock of a real mke2fs -t ext3 image, on corrupted
// copies, and on descriptor and revoke blocks laid out by hand.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "types.h"
#include "journal.h"

#define BSIZE 1024
#define JOURNAL_BLOCKS 1024

static struct jbd2_superblock real_jsb;

// Make an ext3 image with the build's options (a 1 MiB journal) and read
// its journal superblock (debugfs tells where the journal starts).
static int make_image(void **state)
{
  (void)state;
  char path[] = "/tmp/glassbox-journal-test-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0)
    return -1;
  close(fd);
  char cmd[512];
  snprintf(cmd, sizeof(cmd), "mke2fs -q -F -t ext3 -b 1024 -I 128 -O none,has_journal,filetype,"
           "sparse_super -J size=1 %s 8M >/dev/null 2>&1 && debugfs -R 'bmap <8> 0' %s 2>/dev/null",
           path, path);
  FILE *p = popen(cmd, "r");
  long block = -1;
  int ok = p && fscanf(p, "%ld", &block) == 1;
  if (p)
    ok &= pclose(p) == 0;
  FILE *f = fopen(path, "rb");
  ok = ok && f && fseek(f, block * BSIZE, SEEK_SET) == 0 && fread(&real_jsb, sizeof(real_jsb), 1, f) == 1;
  if (f)
    fclose(f);
  unlink(path);
  return ok ? 0 : -1;
}

static void accepts_mke2fs_journal(void **state)
{
  (void)state;
  assert_null(jbd2_check_super(&real_jsb, BSIZE, JOURNAL_BLOCKS));
  assert_int_equal(be32(real_jsb.maxlen), JOURNAL_BLOCKS);
  assert_int_equal(be32(real_jsb.start), 0);
}

static void refuses_corrupt_journal_superblocks(void **state)
{
  (void)state;
  struct jbd2_superblock j;
  j = real_jsb; j.header.magic = 0;
  assert_non_null(jbd2_check_super(&j, BSIZE, JOURNAL_BLOCKS));
  j = real_jsb; j.blocksize = be32(4096);
  assert_non_null(jbd2_check_super(&j, BSIZE, JOURNAL_BLOCKS));
  j = real_jsb;
  assert_non_null(jbd2_check_super(&j, BSIZE, JOURNAL_BLOCKS - 1));   // longer than its file
  j = real_jsb; j.start = be32(JOURNAL_BLOCKS);
  assert_non_null(jbd2_check_super(&j, BSIZE, JOURNAL_BLOCKS));
  j = real_jsb; j.feature_incompat = be32(0x2);   // 64bit
  assert_non_null(jbd2_check_super(&j, BSIZE, JOURNAL_BLOCKS));
  j = real_jsb; j.feature_compat = be32(0x1);     // commit checksums
  assert_non_null(jbd2_check_super(&j, BSIZE, JOURNAL_BLOCKS));
  j = real_jsb; j.feature_incompat = be32(JBD2_FEATURE_INCOMPAT_REVOKE);
  assert_null(jbd2_check_super(&j, BSIZE, JOURNAL_BLOCKS));
}

static uint32 seen[200], seen_flags[200];
static int nseen;

static void record(void *arg, uint32 blocknr, uint32 flags)
{
  (void)arg;
  seen_flags[nseen] = flags;
  seen[nseen++] = blocknr;
}

static void record_revoke(void *arg, uint32 blocknr)
{
  record(arg, blocknr, 0);
}

// A descriptor with n tags for blocks 100, 101, ...: the UUID after the first.
static void make_descriptor(uint8 *block, int n, int last)
{
  memset(block, 0, BSIZE);
  struct jbd2_header *h = (struct jbd2_header *)block;
  h->magic = be32(JBD2_MAGIC);
  h->blocktype = be32(JBD2_DESCRIPTOR_BLOCK);
  h->sequence = be32(7);
  uint32 off = sizeof(*h);
  for (int i = 0; i < n; i++) {
    struct jbd2_tag *t = (struct jbd2_tag *)(block + off);
    t->blocknr = be32(100 + i);
    t->flags = be16((i ? JBD2_FLAG_SAME_UUID : 0) | (last && i == n - 1 ? JBD2_FLAG_LAST_TAG : 0));
    off += sizeof(*t) + (i ? 0 : JBD2_UUID_BYTES);
  }
}

static void walks_descriptor_tags(void **state)
{
  (void)state;
  uint8 block[BSIZE];
  make_descriptor(block, 5, 1);
  assert_true(jbd2_is_block(block, JBD2_DESCRIPTOR_BLOCK, 7));
  assert_false(jbd2_is_block(block, JBD2_DESCRIPTOR_BLOCK, 8));
  assert_false(jbd2_is_block(block, JBD2_COMMIT_BLOCK, 7));
  nseen = 0;
  assert_int_equal(jbd2_each_tag(block, BSIZE, record, 0), 5);
  assert_int_equal(nseen, 5);
  for (int i = 0; i < 5; i++)
    assert_int_equal(seen[i], 100 + i);
  assert_true(seen_flags[4] & JBD2_FLAG_LAST_TAG);
  make_descriptor(block, 124, 1);   // as many as fit a 1 KiB block
  assert_int_equal(jbd2_each_tag(block, BSIZE, 0, 0), 124);
}

static void stops_at_tags_running_off_the_block(void **state)
{
  (void)state;
  uint8 block[BSIZE];
  make_descriptor(block, 124, 0);   // no last tag: the walk must stop at the end
  assert_int_equal(jbd2_each_tag(block, BSIZE, 0, 0), -1);
}

static void walks_revoke_records(void **state)
{
  (void)state;
  uint8 block[BSIZE];
  memset(block, 0, BSIZE);
  struct jbd2_revoke_header *r = (struct jbd2_revoke_header *)block;
  uint32 *nr = (uint32 *)(block + sizeof(*r));
  nr[0] = be32(42);
  nr[1] = be32(4242);
  r->count = be32(sizeof(*r) + 8);
  nseen = 0;
  assert_int_equal(jbd2_each_revoke(block, BSIZE, record_revoke, 0), 2);
  assert_int_equal(seen[0], 42);
  assert_int_equal(seen[1], 4242);
  r->count = be32(BSIZE + 4);
  assert_int_equal(jbd2_each_revoke(block, BSIZE, record_revoke, 0), -1);
  r->count = be32(sizeof(*r) + 3);
  assert_int_equal(jbd2_each_revoke(block, BSIZE, record_revoke, 0), -1);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(accepts_mke2fs_journal),
    cmocka_unit_test(refuses_corrupt_journal_superblocks),
    cmocka_unit_test(walks_descriptor_tags),
    cmocka_unit_test(stops_at_tags_running_off_the_block),
    cmocka_unit_test(walks_revoke_records),
  };
  return cmocka_run_group_tests(tests, make_image, 0);
}
