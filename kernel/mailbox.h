// Per-process mailboxes (mailbox.c). Messages live in kernel memory as
// plain structs so the inspector can decode them through DWARF.
#define MBOX_DEPTH  8     // messages a mailbox holds
#define MSG_MAX   128     // bytes of payload in one message

struct message {
  int from;               // sender's pid
  uint32 len;             // payload bytes used
  char data[MSG_MAX];
};

// The queue's head is in struct proc; its messages are in
// mailbox_slots[slot of the process], where msgs points.
struct mailbox {
  uint32 head;            // index of the oldest message
  uint32 count;           // messages queued
  struct message *msgs;   // MBOX_DEPTH messages
};

extern struct message mailbox_slots[][MBOX_DEPTH];
