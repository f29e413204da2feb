  // TODO (lab syscall): if bit num of p->tracemask is set (calls 32 and up
  // have no bit), print "PID: syscall NAME -> RESULT".
