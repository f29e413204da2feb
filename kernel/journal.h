// The JBD2 journal's on-disk format (ext3's journal), the parts Glassbox
// writes and replays. The journal is a file (ext2 inode s_journal_inum,
// normally 8); its block 0 is the journal superblock, the log runs from
// s_first to s_maxlen - 1 and wraps. Every field is big-endian.
//
// A transaction in the log is:
//   descriptor block: header, then one tag per block that follows it
//   the logged blocks: full copies of metadata blocks, in tag order
//   (more descriptor + blocks if one descriptor is not enough)
//   commit block: header only (no checksums without the csum features)
// Each header carries the transaction's sequence number; replay walks the
// log from s_start while it finds blocks of the expected sequence, and
// only transactions that reach their commit block count. Revoke blocks
// list block numbers whose earlier logged copies must not be replayed.
// No dependencies beyond types.h, for host tests.

#define JBD2_MAGIC            0xC03B3998u
#define JBD2_DESCRIPTOR_BLOCK 1
#define JBD2_COMMIT_BLOCK     2
#define JBD2_SUPERBLOCK_V1    3
#define JBD2_SUPERBLOCK_V2    4
#define JBD2_REVOKE_BLOCK     5

// Journal features. We implement none of the optional ones except reading
// revoke records; a journal using any other is refused.
#define JBD2_FEATURE_INCOMPAT_REVOKE 0x1
#define JBD2_KNOWN_INCOMPAT   JBD2_FEATURE_INCOMPAT_REVOKE

// Tag flags
#define JBD2_FLAG_ESCAPE    1   // the block began with JBD2_MAGIC: logged with 0 there
#define JBD2_FLAG_SAME_UUID 2   // no 16-byte UUID follows this tag
#define JBD2_FLAG_LAST_TAG  8   // the descriptor's last tag

#define JBD2_UUID_BYTES 16

struct jbd2_header {
  uint32 magic;
  uint32 blocktype;
  uint32 sequence;
};

struct jbd2_superblock {
  struct jbd2_header header;
  uint32 blocksize;
  uint32 maxlen;          // blocks in the journal file
  uint32 first;           // first block of the log
  uint32 sequence;        // first transaction expected in the log
  uint32 start;           // block of that transaction; 0: the journal is empty
  uint32 error;           // s_errno
  uint32 feature_compat;  // (v2 from here on)
  uint32 feature_incompat;
  uint32 feature_ro_compat;
  uint8  uuid[JBD2_UUID_BYTES];
  uint32 nr_users;
};

// A tag without the 64bit and checksum features: 8 bytes, then the UUID
// after the first tag of a descriptor.
struct jbd2_tag {
  uint32 blocknr;         // where the logged block belongs
  uint16 checksum;        // unused without csum features
  uint16 flags;
};

// Revoke block: header, the bytes used (header and count included), then
// 32-bit block numbers.
struct jbd2_revoke_header {
  struct jbd2_header header;
  uint32 count;
};

static inline uint32 be32(uint32 x) { return __builtin_bswap32(x); }
static inline uint16 be16(uint16 x) { return __builtin_bswap16(x); }

// Is block (of size bsize) a valid journal block header of this type and
// sequence?
int jbd2_is_block(const uint8 *block, uint32 type, uint32 sequence);

// Check a journal superblock against a journal file of file_blocks blocks
// of bsize bytes. Returns 0 or the reason it cannot be used.
const char *jbd2_check_super(const struct jbd2_superblock *jsb, uint32 bsize, uint32 file_blocks);

// Walk the tags of descriptor block `block`: calls fn(arg, blocknr, flags)
// for each, in order. Returns the number of tags, or -1 if they run past
// the block.
int jbd2_each_tag(const uint8 *block, uint32 bsize,
                  void (*fn)(void *arg, uint32 blocknr, uint32 flags), void *arg);

// Block numbers in a revoke block: fn(arg, blocknr) for each. Returns the
// count, or -1 if the block's count is bad.
int jbd2_each_revoke(const uint8 *block, uint32 bsize,
                     void (*fn)(void *arg, uint32 blocknr), void *arg);
