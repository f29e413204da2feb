// ptlayout: the program whose address space the pagetable lab predicts
// (labs/pagetable/README.md). Its text, its initialized table, its
// uninitialized scratch buffer and its stack are all there at exec; then
// it grows its heap with sbrk and only after that makes its first write()
// system call, where the grader looks a second time.

#include "user/user.h"

#define HEAP_BYTES (3 * 4096 + 100)

int squares[3000] = { 1 };          // initialized: in the file, in .data
static char scratch[5 * 4096 + 300];  // uninitialized: .bss, zero at exec

int
main(void)
{
  for (int i = 0; i < 3000; i++)
    squares[i] = i * i;
  char *heap = sbrk(HEAP_BYTES);
  if (heap == (char *)-1)
    exit(1);
  // every byte: a lazy sbrk (the lazy lab) maps a page at its first store
  memset(heap, scratch[sizeof(scratch) - 1], HEAP_BYTES);
  printf("ptlayout: squares at %p, scratch at %p, heap at %p, stack near %p\n",
         squares, scratch, heap, &heap);
  return 0;
}
