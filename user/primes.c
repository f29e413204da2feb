// primes [n]: the primes below n (default 100), found by a pipeline of
// processes: the first writes 2, 3, ... into a pipe; each process of the
// pipeline prints the first number it reads, which is a prime, and passes
// on to the next process only the numbers that prime does not divide.

#include "user/user.h"

// Read numbers from in until it is closed: print the first, pass the rest
// it does not divide to a new process, which does the same.
static void
sieve(int in)
{
  // LAB util-sieve begin
  int prime, n, next[2];

  for (;;) {
    if (read(in, &prime, sizeof(prime)) != sizeof(prime))
      exit(0);                    // nothing came: the pipeline ends here
    printf("prime %d\n", prime);
    if (pipe(next) < 0) {
      fprintf(stderr, "primes: pipe failed\n");
      exit(1);
    }
    if (fork() != 0)
      break;
    close(next[1]);               // the child: the next process, reading next
    close(in);
    in = next[0];
  }
  close(next[0]);
  while (read(in, &n, sizeof(n)) == sizeof(n))
    if (n % prime != 0)
      write(next[1], &n, sizeof(n));
  close(in);
  close(next[1]);                 // the next process sees the end
  wait(0);
  exit(0);
  // LAB util-sieve end
}

int
main(int argc, char *argv[])
{
  int limit = argc > 1 ? atoi(argv[1]) : 100, p[2];

  if (pipe(p) < 0) {
    fprintf(stderr, "primes: pipe failed\n");
    exit(1);
  }
  if (fork() == 0) {
    close(p[1]);
    sieve(p[0]);
  }
  close(p[0]);
  for (int n = 2; n < limit; n++)
    write(p[1], &n, sizeof(n));
  close(p[1]);
  wait(0);
  printf("primes: done\n");
  exit(0);
}
