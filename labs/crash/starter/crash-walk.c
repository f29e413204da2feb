    // TODO (lab crash): block b decides the walk (jbd2_is_block(b->data,
    // type, rp.sequence): a block of another transaction is not one of
    // ours):
    // - a descriptor: copy it (b is released before its blocks are read),
    //   check its tags (jbd2_each_tag(copy, BSIZE, 0, 0) < 0: the end),
    //   then jbd2_each_tag(copy, BSIZE, replay_tag, 0), which steps over
    //   (and in the REPLAY pass writes home) the blocks that follow it;
    // - a revoke block: in the REVOKE pass, jbd2_each_revoke(b->data,
    //   BSIZE, add_revoke, 0);
    // - the commit block of rp.sequence: the next transaction follows, and
    //   (SCAN pass) every one before it is complete: rp.end;
    // - anything else: the log ends here.
    // Release b in every case. Until then no journal is ever replayed.
    (void)replay_tag;
    (void)add_revoke;
    brelse(b);
    return;
