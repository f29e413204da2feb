// pingpong [rounds]: parent and child bat a counter through their mailboxes.
// Each side prints what it receives and sends, so a class can follow it.
#include "user/user.h"

static void
bat(const char *who, int partner, int rounds, int serve)
{
  int ball = 0, from;

  if (serve) {
    printf("%s (pid %d): serves %d to pid %d\n", who, getpid(), ball, partner);
    send(partner, &ball, sizeof(ball), 0);
  }
  while (ball < rounds) {
    int r = recv(&ball, sizeof(ball), &from, 0);
    if (r != sizeof(ball)) {
      fprintf(stderr, "pingpong: %s: recv: %s\n", who, strerror(r));
      exit(1);
    }
    printf("%s (pid %d): got %d from pid %d", who, getpid(), ball, from);
    if (ball >= rounds) {
      printf(", game over\n");
      break;
    }
    ball++;
    printf(", returns %d\n", ball);
    send(partner, &ball, sizeof(ball), 0);
  }
}

int
main(int argc, char *argv[])
{
  int rounds = argc > 1 ? atoi(argv[1]) : 6;
  int parent = getpid();
  int child = fork();

  if (child < 0) {
    fprintf(stderr, "pingpong: fork: %s\n", strerror(child));
    exit(1);
  }
  if (child == 0) {
    bat("child ", parent, rounds, 0);
    exit(0);
  }
  bat("parent", child, rounds, 1);
  wait(0);
  printf("pingpong: done\n");
  exit(0);
}
