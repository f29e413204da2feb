  // TODO (lab mailbox): while the queue is empty, wait for a message
  // (sleep(&mb->count); with MSG_DONTWAIT return -EAGAIN, and -EINTR once
  // this process is killed). Then copy the oldest message's payload to buf
  // (-EMSGSIZE if len is too short: the message stays queued) and its
  // sender to from_addr unless it is 0, log EV_MAIL_RECV, take the message
  // off the queue, wake senders waiting on mb (there is room now) and
  // return the payload's length.
  (void)buf;
  (void)len;
  (void)from_addr;
  (void)mb;
  return -ENOSYS;
