// virtio-blk over modern (version 2) virtio-mmio, interrupt-driven, one
// request queue of QUEUE_SIZE descriptors. A read or write of n contiguous
// blocks is a chain of n + 2 descriptors: header, one per block's buffer,
// status byte; a flush has no data. Several requests may be in flight.
// With VIRTIO_BLK_F_FLUSH the device may cache writes: only a completed
// flush says they are on the medium.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"
#include "buf.h"

#define R(off) ((volatile uint32 *)(VIRTIO0_VA + (off)))
#define MMIO_MAGIC          0x000
#define MMIO_VERSION        0x004
#define MMIO_DEVICE_ID      0x008
#define MMIO_DEVICE_FEATURES     0x010
#define MMIO_DEVICE_FEATURES_SEL 0x014
#define MMIO_DRIVER_FEATURES     0x020
#define MMIO_DRIVER_FEATURES_SEL 0x024
#define MMIO_QUEUE_SEL      0x030
#define MMIO_QUEUE_NUM_MAX  0x034
#define MMIO_QUEUE_NUM      0x038
#define MMIO_QUEUE_READY    0x044
#define MMIO_QUEUE_NOTIFY   0x050
#define MMIO_INTERRUPT_STATUS 0x060
#define MMIO_INTERRUPT_ACK  0x064
#define MMIO_STATUS         0x070
#define MMIO_QUEUE_DESC_LOW   0x080
#define MMIO_QUEUE_DESC_HIGH  0x084
#define MMIO_QUEUE_DRIVER_LOW 0x090
#define MMIO_QUEUE_DRIVER_HIGH 0x094
#define MMIO_QUEUE_DEVICE_LOW 0x0a0
#define MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define MMIO_CONFIG_CAPACITY  0x100   // 64-bit, in 512-byte sectors

#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER      2
#define STATUS_DRIVER_OK   4
#define STATUS_FEATURES_OK 8
#define F_BLK_FLUSH        (1u << 9)  // feature bit 9: the FLUSH request
#define F_VERSION_1_WORD1  (1u << 0)  // feature bit 32

#define QUEUE_SIZE 128  // descriptors: 3 requests of DISK_RUN_MAX blocks in flight, or 42 of one
#define DESC_F_NEXT  1
#define DESC_F_WRITE 2  // device writes this buffer

struct virtq_desc {
  uint64 addr;
  uint32 len;
  uint16 flags;
  uint16 next;
};

struct virtq_avail {
  uint16 flags;
  uint16 idx;
  uint16 ring[QUEUE_SIZE];
  uint16 unused;
};

struct virtq_used_elem {
  uint32 id;
  uint32 len;
};

struct virtq_used {
  uint16 flags;
  uint16 idx;
  struct virtq_used_elem ring[QUEUE_SIZE];
};

#define BLK_T_IN  0   // read
#define BLK_T_OUT 1   // write
#define BLK_T_FLUSH 4 // everything written before is on the medium

struct virtio_blk_req {
  uint32 type;
  uint32 reserved;
  uint64 sector;
};

static struct disk {
  struct virtq_desc desc[QUEUE_SIZE] __attribute__((aligned(16)));
  struct virtq_avail avail __attribute__((aligned(2)));
  struct virtq_used used __attribute__((aligned(4)));
  char free[QUEUE_SIZE];
  uint16 used_idx;
  struct {
    struct disk_io *io;   // data or header descriptor: where completion is reported, or 0
    uint8 status;         // header descriptor: the device's status byte
  } info[QUEUE_SIZE];
  struct virtio_blk_req req[QUEUE_SIZE];
  uint32 capacity_blocks;
  int present;
  int can_flush;          // negotiated VIRTIO_BLK_F_FLUSH
} disk;

// Find and start the disk. Returns 0, or -EIO with a message if absent.
int virtio_disk_init(void)
{
  if (*R(MMIO_MAGIC) != 0x74726976 || *R(MMIO_DEVICE_ID) != 2) {
    printf("virtio: no block device at virtio-mmio bus 0\n");
    return -EIO;
  }
  if (*R(MMIO_VERSION) != 2) {
    printf("virtio: legacy device; run QEMU with -global virtio-mmio.force-legacy=false\n");
    return -EIO;
  }
  uint32 status = 0;
  *R(MMIO_STATUS) = status;
  *R(MMIO_STATUS) = status |= STATUS_ACKNOWLEDGE;
  *R(MMIO_STATUS) = status |= STATUS_DRIVER;
  *R(MMIO_DEVICE_FEATURES_SEL) = 0;
  disk.can_flush = (*R(MMIO_DEVICE_FEATURES) & F_BLK_FLUSH) != 0;
  *R(MMIO_DRIVER_FEATURES_SEL) = 0;
  *R(MMIO_DRIVER_FEATURES) = disk.can_flush ? F_BLK_FLUSH : 0;
  *R(MMIO_DRIVER_FEATURES_SEL) = 1;
  *R(MMIO_DRIVER_FEATURES) = F_VERSION_1_WORD1;
  *R(MMIO_STATUS) = status |= STATUS_FEATURES_OK;
  if (!(*R(MMIO_STATUS) & STATUS_FEATURES_OK)) {
    printf("virtio: device refused our features\n");
    return -EIO;
  }
  *R(MMIO_QUEUE_SEL) = 0;
  if (*R(MMIO_QUEUE_NUM_MAX) < QUEUE_SIZE) {
    printf("virtio: queue too short\n");
    return -EIO;
  }
  *R(MMIO_QUEUE_NUM) = QUEUE_SIZE;
  *R(MMIO_QUEUE_DESC_LOW) = (uint32)disk.desc;
  *R(MMIO_QUEUE_DESC_HIGH) = 0;
  *R(MMIO_QUEUE_DRIVER_LOW) = (uint32)&disk.avail;
  *R(MMIO_QUEUE_DRIVER_HIGH) = 0;
  *R(MMIO_QUEUE_DEVICE_LOW) = (uint32)&disk.used;
  *R(MMIO_QUEUE_DEVICE_HIGH) = 0;
  *R(MMIO_QUEUE_READY) = 1;
  for (int i = 0; i < QUEUE_SIZE; i++)
    disk.free[i] = 1;
  *R(MMIO_STATUS) = status |= STATUS_DRIVER_OK;
  disk.capacity_blocks = *R(MMIO_CONFIG_CAPACITY) / (BSIZE / 512);
  disk.present = 1;
  return 0;
}

uint32 virtio_disk_blocks(void)
{
  return disk.capacity_blocks;
}

static int alloc_desc(void)
{
  for (int i = 0; i < QUEUE_SIZE; i++) {
    if (disk.free[i]) {
      disk.free[i] = 0;
      return i;
    }
  }
  return -1;
}

// The request whose chain starts at head is done: report its status to
// everyone waiting on a part of it and give its descriptors back.
static void finish_chain(int head)
{
  uint8 status = disk.info[head].status;
  for (int i = head;;) {
    int flags = disk.desc[i].flags, next = disk.desc[i].next;
    struct disk_io *io = disk.info[i].io;
    if (io) {
      io->status = status;
      io->busy = 0;
      wakeup(io);
    }
    disk.info[i].io = 0;
    disk.desc[i] = (struct virtq_desc){ 0 };
    disk.free[i] = 1;
    if (!(flags & DESC_F_NEXT))
      break;
    i = next;
  }
  wakeup(&disk.free[0]);
}

// n free descriptors, waiting for them if necessary.
static void alloc_descs(int *idx, int n)
{
  for (;;) {
    int got;
    for (got = 0; got < n; got++) {
      idx[got] = alloc_desc();
      if (idx[got] < 0)
        break;
    }
    if (got == n)
      return;
    for (int j = 0; j < got; j++)
      disk.free[idx[j]] = 1;
    sleep(&disk.free[0]);
  }
}

// Hand the chain starting at descriptor head to the device.
static void submit(int head)
{
  disk.avail.ring[disk.avail.idx % QUEUE_SIZE] = head;
  __sync_synchronize();
  disk.avail.idx++;
  __sync_synchronize();
  *R(MMIO_QUEUE_NOTIFY) = 0;
}

// Descriptor for the request header of chain `head`, then `next`.
static void set_header(int head, uint32 type, uint64 sector, int next)
{
  struct virtio_blk_req *req = &disk.req[head];
  req->type = type;
  req->reserved = 0;
  req->sector = sector;
  disk.desc[head] = (struct virtq_desc){ (uint32)req, sizeof(*req), DESC_F_NEXT, next };
}

// Descriptor i for the status byte of chain `head`, which ends there.
static void set_status(int head, int i)
{
  disk.info[head].status = 0xff;
  disk.desc[i] = (struct virtq_desc){ (uint32)&disk.info[head].status, 1, DESC_F_WRITE, 0 };
}

// Start reading or writing the n (1..DISK_RUN_MAX) buffers bs, whose
// blocks follow one another on the disk, as one request; virtio_disk_wait()
// on each buffer finishes it. Returns -EIO if a block is past the disk's end.
int virtio_disk_start_run(struct buf **bs, int n, int write)
{
  if (n < 1 || n > DISK_RUN_MAX)
    panic("virtio_disk_start_run: bad length");
  if (!disk.present || bs[0]->blockno >= disk.capacity_blocks ||
      (uint32)n > disk.capacity_blocks - bs[0]->blockno)
    return -EIO;
  for (int k = 1; k < n; k++)
    if (bs[k]->blockno != bs[0]->blockno + k)
      panic("virtio_disk_start_run: blocks not contiguous");
  int idx[DISK_RUN_MAX + 2];
  alloc_descs(idx, n + 2);
  set_header(idx[0], write ? BLK_T_OUT : BLK_T_IN, (uint64)bs[0]->blockno * (BSIZE / 512), idx[1]);
  for (int k = 0; k < n; k++) {
    disk.desc[idx[k + 1]] = (struct virtq_desc){ (uint32)bs[k]->data, BSIZE,
                                                  DESC_F_NEXT | (write ? 0 : DESC_F_WRITE), idx[k + 2] };
    bs[k]->io.busy = 1;
    disk.info[idx[k + 1]].io = &bs[k]->io;
  }
  set_status(idx[0], idx[n + 1]);
  submit(idx[0]);
  return 0;
}

int virtio_disk_start(struct buf *b, int write)
{
  return virtio_disk_start_run(&b, 1, write);
}

static int wait_io(struct disk_io *io)
{
  while (io->busy)
    sleep(io);
  return io->status == 0 ? 0 : -EIO;
}

// Sleep until b's request is done. Returns 0, or -EIO if the device failed.
int virtio_disk_wait(struct buf *b)
{
  return wait_io(&b->io);
}

int virtio_disk_rw(struct buf *b, int write)
{
  int err = virtio_disk_start(b, write);
  return err < 0 ? err : virtio_disk_wait(b);
}

// Returns once every write completed before the call is on the medium
// (a device without FLUSH writes through: it is there already).
int virtio_disk_flush(void)
{
  if (!disk.present)
    return -EIO;
  if (!disk.can_flush)
    return 0;
  int idx[2];
  struct disk_io io;
  alloc_descs(idx, 2);
  set_header(idx[0], BLK_T_FLUSH, 0, idx[1]);
  set_status(idx[0], idx[1]);
  io.busy = 1;
  disk.info[idx[0]].io = &io;
  submit(idx[0]);
  return wait_io(&io);
}

void virtio_disk_intr(void)
{
  *R(MMIO_INTERRUPT_ACK) = *R(MMIO_INTERRUPT_STATUS) & 0x3;
  __sync_synchronize();
  while (disk.used_idx != disk.used.idx) {
    __sync_synchronize();
    // Done: the descriptors go back at once, so requesters waiting for
    // them never wait on one another's waits.
    finish_chain(disk.used.ring[disk.used_idx % QUEUE_SIZE].id);
    disk.used_idx++;
  }
}
