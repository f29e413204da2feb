// TODO (lab syscall): syscall_names[], the name of each call by number
// ("fork" for SYS_fork, ...), for syscall() to print.
