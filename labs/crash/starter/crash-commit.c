  // TODO (lab crash): commit through the journal, in the order the top of
  // this file gives: the journal superblock saying where the log starts
  // (write_jsb(journal.first, journal.sequence)), the log (write_log_chunk
  // for each TAGS_PER_DESCRIPTOR blocks), FLUSH (virtio_disk_flush), the
  // commit block (write_header_block), FLUSH, the checkpoint
  // (write_in_place), FLUSH, the empty journal (write_jsb(0, the next
  // sequence)), FLUSH; then journal.sequence++. An error before the commit
  // block is durable returns at once (the buffers stay changed).
  // Until then the blocks go straight home, as on a disk without a
  // journal: a crash in the middle leaves any part of them.
  (void)write_log_chunk;
  (void)write_header_block;
  int err = write_in_place(meta, n);
  return err ? err : virtio_disk_flush();
