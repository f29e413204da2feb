// grep [-F] [-v] [-n] [-c] pattern [file...]: prints the lines of the files
// (or of standard input) that match pattern.
//
// A pattern is a simple regular expression, as in Kernighan and Pike's
// matcher: c matches itself, . any character, x* any number of x's
// (shortest first), ^ the start of the line, $ its end; \c is c itself.
// With -F the pattern is a fixed string. -v prints the lines that do not
// match, -n numbers them, -c prints only how many there are.
// Exit status: 0 if some line was selected, 1 if none, 2 on an error.

#include "user/user.h"

#define MAXLINE 1024     // longer lines are taken in pieces of this size

static const char *pattern;
static int fixed, invert, numbered, counting, show_names;

// ---- The matcher ----

// Length of the atom at re: "\c" takes 2 characters, anything else 1.
static int
atom_len(const char *re)
{
  return re[0] == '\\' && re[1] ? 2 : 1;
}

static int
atom_matches(const char *re, char c)
{
  if (c == 0)
    return 0;
  if (re[0] == '\\' && re[1])
    return re[1] == c;
  return re[0] == '.' || re[0] == c;
}

static int match_here(const char *re, const char *text);

// Matches atom* followed by rest at the start of text.
static int
match_star(const char *atom, const char *rest, const char *text)
{
  do {
    if (match_here(rest, text))
      return 1;
  } while (atom_matches(atom, *text++));
  return 0;
}

// Matches re at the start of text.
static int
match_here(const char *re, const char *text)
{
  int n;

  if (re[0] == 0)
    return 1;
  n = atom_len(re);
  if (re[n] == '*')
    return match_star(re, re + n + 1, text);
  if (re[0] == '$' && re[1] == 0)
    return *text == 0;
  if (atom_matches(re, *text))
    return match_here(re + n, text + 1);
  return 0;
}

// Matches re anywhere in text.
static int
match(const char *re, const char *text)
{
  if (re[0] == '^')
    return match_here(re + 1, text);
  do {
    if (match_here(re, text))
      return 1;
  } while (*text++);
  return 0;
}

// ---- Reading lines ----

// Prints line (NUL-terminated, without its newline) if it is selected;
// returns 1 if it was.
static int
select_line(const char *line, const char *name, int lineno)
{
  int hit = fixed ? strstr(line, pattern) != 0 : match(pattern, line);

  if (hit == invert)
    return 0;
  if (!counting) {
    if (show_names)
      printf("%s:", name);
    if (numbered)
      printf("%d:", lineno);
    printf("%s\n", line);
  }
  return 1;
}

// The first newline in [p, end), or 0.
static char*
find_newline(char *p, char *end)
{
  for (; p < end; p++) {
    if (*p == '\n')
      return p;
  }
  return 0;
}

// Returns the number of selected lines in fd, or a negative errno.
static int
grep(int fd, const char *name)
{
  static char buf[MAXLINE + 1];
  int len = 0, n, hits = 0, lineno = 0;
  char *line, *nl;

  for (;;) {
    if ((n = read(fd, buf + len, MAXLINE - len)) < 0)
      return n;
    len += n;
    for (line = buf; (nl = find_newline(line, buf + len)) != 0; line = nl + 1) {
      *nl = 0;
      hits += select_line(line, name, ++lineno);
    }
    if (line == buf && len > 0 && (len == MAXLINE || n == 0)) {
      buf[len] = 0;                                // a long or unfinished line
      hits += select_line(line, name, ++lineno);
      line = buf + len;
    }
    len -= line - buf;
    memmove(buf, line, len);
    if (n == 0)
      return hits;
  }
}

// Sets the flags in a word like "-vn"; returns 0 for an unknown one.
static int
flags(const char *word)
{
  for (word++; *word; word++) {
    switch (*word) {
    case 'F': fixed = 1; break;
    case 'v': invert = 1; break;
    case 'n': numbered = 1; break;
    case 'c': counting = 1; break;
    default:  return 0;
    }
  }
  return 1;
}

static void
usage(void)
{
  fprintf(stderr, "usage: grep [-F] [-v] [-n] [-c] pattern [file...]\n");
  exit(2);
}

static void
report(const char *name, int hits)
{
  if (!counting)
    return;
  if (show_names)
    printf("%s:", name);
  printf("%d\n", hits);
}

int
main(int argc, char *argv[])
{
  int i, fd, n, found = 0, error = 0;

  for (; argc > 1 && argv[1][0] == '-' && argv[1][1]; argc--, argv++) {
    if (!flags(argv[1]))
      usage();
  }
  if (argc < 2)
    usage();
  pattern = argv[1];
  show_names = argc > 3;
  if (argc == 2) {
    if ((n = grep(stdin, "stdin")) < 0) {
      fprintf(stderr, "grep: stdin: %s\n", strerror(n));
      return 2;
    }
    report("stdin", n);
    return n > 0 ? 0 : 1;
  }
  for (i = 2; i < argc; i++) {
    if ((fd = open(argv[i], O_RDONLY)) < 0 || (n = grep(fd, argv[i])) < 0) {
      fprintf(stderr, "grep: %s: %s\n", argv[i], strerror(fd < 0 ? fd : n));
      error = 1;
    } else {
      report(argv[i], n);
      found |= n > 0;
    }
    if (fd >= 0)
      close(fd);
  }
  return error ? 2 : found ? 0 : 1;
}
